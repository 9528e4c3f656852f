//! The structural half of the MOP (MOP.md section 2): environments installed on objects and on
//! the future instances of a class, through shapes. A `Shape` is a layout object seen from
//! Smalltalk; installing an environment moves an object to a sibling layout that carries it.
//!
//! An object can move to a shape with another number of fields than it has storage for: it
//! keeps its storage and stores in place the fields both have (docs/mop.md, "Shapes").

use super::arguments::{binary, expect_class, unary, wrong_kind};
use super::numbers::{expect_int, Int};
use super::reflection::require_mop;
use super::Entry;
use crate::universe::{fatal_out_of_memory, Universe};
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::{header_of, is_kind, Class, Gc, Instance, Layout, LAYOUT_TYPE};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Object", false, "installEnvironment:", install_environment),
    ("Object", false, "shape", shape),
    ("Object", false, "changeShape:", change_shape),
    ("Class", false, "getShapeForInstances", shape_for_instances),
    (
        "Class",
        false,
        "updateShapeForInstancesWith:",
        update_shape_for_instances,
    ),
    ("Shape", false, "fieldsCount", fields_count),
    (
        "Shape",
        false,
        "installEnvironment:",
        shape_with_environment,
    ),
    ("Shape", false, "installClass:", shape_with_class),
    ("Shape", false, "environment", shape_environment),
    ("Shape", true, "newWithFieldsCount:", new_shape),
];

/// Moves the receiver to the layout of its class and storage carrying `env` (nil: none).
/// Integers, doubles, nil, true and false are immediate values and carry no layout of their own.
fn install_environment(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, environment) = binary(u, args)?;
    require_mop(u)?;
    u.check_environment(receiver, "installEnvironment:", environment)?;
    let Some(header) = header_of(receiver) else {
        let text = format!(
            "{} is an immediate value and cannot carry an environment.",
            u.class_name(u.class_of(receiver).value())
        );
        return Err(u.vm_error(text));
    };
    u.watch_environment(environment);
    let layout = u.layout_with_environment(header.layout(), environment);
    header.set_layout(layout);
    Ok(receiver)
}

fn shape(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let layout = u.layout_of(receiver);
    Ok(u.shape_of(layout).value())
}

/// Gives the receiver another shape, with any number of fields: the receiver keeps its
/// storage, so fields past the shape's count or past the storage are no longer stored in place
/// (rare, so every cache is flushed rather than tracking which objects are metaobjects).
fn change_shape(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, shape) = binary(u, args)?;
    require_mop(u)?;
    let shape = expect_shape(u, shape)?;
    let Some(header) = header_of(receiver) else {
        return Err(u.vm_error("An immediate value cannot change its shape."));
    };
    let current = header.layout();
    check_movable(u, current, shape)?;
    let layout = u.layout_for_move(current, shape);
    // The fields the new layout does not store in place are cleared: the collector traces only
    // the fields stored in place, so they must not keep references that could dangle when a
    // later move to a larger shape stores them again (they read as nil, like new fields).
    for index in layout.field_count()..current.field_count() {
        // SAFETY: the object has layout `current`, which stores field `index` in place.
        unsafe { current.field_slot(receiver, index) }.set(Value::NIL);
    }
    header.set_layout(layout);
    u.environment_reaches_objects(layout.environment());
    // The receiver may be a metaobject whose handlers were cached for its former class.
    u.invalidate_dispatch_caches();
    Ok(receiver)
}

fn shape_for_instances(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_class(u, receiver)?.instance_layout().value())
}

/// Later `new`s and `basicNew`s of the receiver create objects of `shape`, with storage for
/// all of its fields.
fn update_shape_for_instances(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, shape) = binary(u, args)?;
    require_mop(u)?;
    let class = expect_class(u, receiver)?;
    let shape = expect_shape(u, shape)?;
    check_movable(u, class.instance_layout(), shape)?;
    let shape = u.shape_of(shape);
    class.set_instance_layout(shape);
    Ok(receiver)
}

fn fields_count(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let shape = expect_shape(u, receiver)?;
    Ok(u.new_int(shape.shape_field_count() as i64))
}

/// A shape like the receiver carrying `env` (the receiver is unchanged).
fn shape_with_environment(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, environment) = binary(u, args)?;
    require_mop(u)?;
    let shape = expect_shape(u, receiver)?;
    u.check_environment(receiver, "installEnvironment:", environment)?;
    u.watch_environment(environment);
    Ok(u.layout_with_environment(shape, environment).value())
}

/// The environment objects of the receiver shape carry (nil: none).
fn shape_environment(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_shape(u, receiver)?.environment())
}

/// A new shape like the receiver for instances of `aClass`.
fn shape_with_class(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, class) = binary(u, args)?;
    let shape = expect_shape(u, receiver)?;
    let class = expect_class(u, class)?;
    let meta = u.layouts.layout;
    let layout = Layout::allocate(
        u,
        Some(meta),
        class.value(),
        shape.shape_field_count(),
        shape.fields_offset(),
    )
    .unwrap_or_else(|e| fatal_out_of_memory(e));
    Ok(layout.value())
}

/// Class side: a shape for plain objects with `n` fields and no class yet (see `installClass:`).
fn new_shape(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, count) = binary(u, args)?;
    let count = match expect_int(u, count)? {
        Int::Small(n) if (0..=u32::MAX as i64 / 8).contains(&n) => n as usize,
        n => return Err(u.vm_error(format!("A shape cannot have {n} fields."))),
    };
    let meta = u.layouts.layout;
    let layout = Layout::allocate(u, Some(meta), Value::NIL, count, Instance::FIELDS_OFFSET)
        .unwrap_or_else(|e| fatal_out_of_memory(e));
    Ok(layout.value())
}

fn expect_shape(u: &mut Universe, v: Value) -> Result<Gc<Layout>, Unwind> {
    if is_kind(v, &LAYOUT_TYPE) {
        // SAFETY: kind checked just above.
        Ok(unsafe { Gc::from_value(v) })
    } else {
        Err(wrong_kind(u, "Shape", v))
    }
}

/// Objects can only move to shapes with a class, of objects stored the same way: an object the
/// VM represents in its own way (blocks, methods, arrays, strings, numbers...) only to a shape
/// of its own kind, and a plain object only to a plain shape of a class whose instances are
/// plain (a block's shape on a plain object would make a send site run it as a block). The
/// number of fields may differ.
fn check_movable(u: &mut Universe, from: Gc<Layout>, to: Gc<Layout>) -> Result<(), Unwind> {
    if to.class().is_nil() {
        return Err(u.vm_error("A shape without a class cannot be used; see installClass:."));
    }
    let kind = u.reserved_layout(to);
    // SAFETY: a layout's class is nil (excluded above) or a class object.
    let class: Gc<Class> = unsafe { Gc::from_value(to.class()) };
    if kind.is_none() && u.reserved_layout(class.instance_layout()).is_some() {
        let text = format!(
            "{} instances are made by the VM: only their own shapes suit them, not one made with installClass:.",
            u.class_name(to.class())
        );
        return Err(u.vm_error(text));
    }
    if from.fields_offset() != to.fields_offset() || u.reserved_layout(from) != kind {
        let text = format!(
            "An instance of {} cannot take the shape of {} instances: the VM stores them differently.",
            u.class_name(from.class()),
            u.class_name(to.class())
        );
        return Err(u.vm_error(text));
    }
    Ok(())
}
