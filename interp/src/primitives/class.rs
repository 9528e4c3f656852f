//! Class primitives: naming, instantiation and reflection on fields and methods. They apply to
//! classes and metaclasses alike (a metaclass is a class whose instance is a class object).

use super::arguments::{binary, expect_class, expect_string, unary};
use super::Entry;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::object::{header_of, Array, Gc, Instance};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Class", false, "name", name),
    ("Class", false, "new", new),
    ("Class", false, "basicNew", basic_new),
    ("Class", false, "superclass", superclass),
    ("Class", false, "fields", fields),
    ("Class", false, "methods", methods),
    ("Class", false, "compile:", compile),
];

/// Adds the method defined by the source text to the receiver, or replaces the one with its
/// selector; answers the method.
fn compile(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, source) = binary(u, args)?;
    let class = expect_class(u, receiver)?;
    let source = expect_string(u, source)?;
    let source = source.as_str().to_string();
    u.compile_into(class, &source)
}

/// A Symbol (`#'Foo class'` for a metaclass).
fn name(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_class(u, receiver)?.name())
}

/// The standard SOM `new`: see [`instantiate`].
fn new(u: &mut Universe, args: &[Value]) -> Exec {
    instantiate(u, args, "new")
}

/// The same as `new`, for the classes whose `new` does more (sends `initialize`, say), as
/// Smalltalk users and TruffleMATE's library expect.
fn basic_new(u: &mut Universe, args: &[Value]) -> Exec {
    instantiate(u, args, "basicNew")
}

/// A new instance with all fields nil, of the class's shape for instances (MOP), never sent
/// `initialize`. The classes whose instances the VM represents in its own way (blocks, methods,
/// symbols, numbers, nil, true, false...) cannot make them so, except `String`, `Array` and `DoubleArray`,
/// which answer empty ones. `Class` and metaclasses cannot either: their instances are class
/// objects, which only the class loader creates.
fn instantiate(u: &mut Universe, args: &[Value], selector: &str) -> Exec {
    let receiver = unary(u, args)?;
    let class = expect_class(u, receiver)?;
    let layout = class.instance_layout();
    let empty = match u.reserved_layout(layout) {
        None if layout.fields_offset() == Instance::FIELDS_OFFSET => {
            return Ok(u.new_instance(class))
        }
        Some(reserved) if reserved == u.layouts.string => u.new_string(""),
        Some(reserved) if reserved == u.layouts.array => u.new_array(0).value(),
        Some(reserved) if reserved == u.layouts.double_array => u.new_double_array(0).value(),
        _ => {
            let text = format!(
                "Instances of {} cannot be created with {selector}.",
                u.class_name(receiver)
            );
            return Err(u.vm_error(text));
        }
    };
    // The class's shape may be a sibling of the core layout, carrying an environment.
    if let Some(header) = header_of(empty) {
        header.set_layout(layout);
    }
    Ok(empty)
}

/// nil for Object.
fn superclass(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_class(u, receiver)?.superclass())
}

/// A fresh Array of the instance field names (Symbols), inherited ones first.
fn fields(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let names = expect_class(u, receiver)?.instance_fields();
    if !Array::is_array(names) {
        return Ok(u.new_array(0).value());
    }
    // SAFETY: kind checked just above.
    let names: Gc<Array> = unsafe { Gc::from_value(names) };
    let copy = names.to_vec();
    Ok(u.new_array_from(&copy))
}

/// The class's own methods in declaration order: the same Array every time.
fn methods(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_class(u, receiver)?.methods())
}
