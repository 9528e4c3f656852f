//! The dynamic half of the MOP (MOP.md section 2): environments on frames and globally, the
//! execution level token, and `Context`, the view of an activation that local, argument and
//! return handlers receive. The structural half (environments on objects) is `shapes.rs`.

use super::arguments::{binary, expect_block, ternary, unary, wrong_kind};
use super::numbers::{expect_int, Int};
use super::Entry;
use crate::intercession::{environment_redefines, FIELD_OPERATIONS};
use crate::invokable::{activate_block, FrameView};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::object::Gc;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    (
        "Block",
        false,
        "valueWithEnvironment:",
        value_with_environment,
    ),
    (
        "System",
        false,
        "installEnvironment:",
        install_global_environment,
    ),
    ("System", false, "baseExecutionLevel", base_execution_level),
    ("Context", false, "receiver", context_receiver),
    ("Context", false, "method", context_method),
    ("Context", false, "sender", context_sender),
    ("Context", false, "argAt:", context_arg_at),
    ("Context", false, "localAt:", context_local_at),
    ("Context", false, "localAt:put:", context_local_at_put),
];

/// Refuses the MOP's primitives under `--no-mop`.
pub fn require_mop(u: &mut Universe) -> Result<(), Unwind> {
    if u.reflection.enabled {
        Ok(())
    } else {
        Err(u.vm_error("The metaobject protocol is disabled (--no-mop)."))
    }
}

/// Evaluates a block without parameters in a frame whose environment is `env`.
fn value_with_environment(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, environment) = binary(u, args)?;
    require_mop(u)?;
    let block = expect_block(u, receiver)?;
    u.check_environment(receiver, "valueWithEnvironment:", environment)?;
    if block.code().arity != 0 {
        let text = format!(
            "valueWithEnvironment: evaluates blocks without parameters; this one has {}.",
            block.code().arity
        );
        return Err(u.vm_error(text));
    }
    u.with_frame_environment(environment, |u| activate_block(u, block, &[receiver]))
}

fn install_global_environment(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, environment) = binary(u, args)?;
    require_mop(u)?;
    u.check_environment(receiver, "installEnvironment:", environment)?;
    u.watch_environment(environment);
    if environment_redefines(u, environment, FIELD_OPERATIONS) {
        u.intercept_running_activations();
    }
    u.reflection.set_global_environment(environment);
    Ok(receiver)
}

fn base_execution_level(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(u.reflection.base_level)
}

fn expect_view(u: &mut Universe, v: Value) -> Result<Gc<FrameView>, Unwind> {
    FrameView::of(v).ok_or_else(|| wrong_kind(u, "Context", v))
}

fn context_receiver(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_view(u, receiver)?.receiver())
}

fn context_method(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_view(u, receiver)?.method())
}

fn context_sender(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    expect_view(u, receiver)?;
    u.sender_view(receiver)
}

/// `argAt: 0` is self (in a block, the block), `argAt: 1` the first parameter.
fn context_arg_at(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index) = binary(u, args)?;
    let view = expect_view(u, receiver)?;
    let slot = match expect_int(u, index)? {
        Int::Small(i) if (0..=i64::from(view.names().parameters())).contains(&i) => i as u32,
        _ => return Err(no_variable(u, view, index)),
    };
    Ok(variable(u, view, Some(slot), index)?.get())
}

fn context_local_at(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, key) = binary(u, args)?;
    let view = expect_view(u, receiver)?;
    let slot = local_slot(u, view, key)?;
    Ok(variable(u, view, slot, key)?.get())
}

fn context_local_at_put(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, key, value) = ternary(u, args)?;
    let view = expect_view(u, receiver)?;
    let slot = local_slot(u, view, key)?;
    variable(u, view, slot, key)?.set(value);
    Ok(value)
}

/// The slot of a local named by its Symbol or its 1-based position.
fn local_slot(u: &mut Universe, view: Gc<FrameView>, key: Value) -> Result<Option<u32>, Unwind> {
    if u.is_symbol(key) {
        return Ok(view.names().local_named(key));
    }
    Ok(match expect_int(u, key)? {
        Int::Small(position) => usize::try_from(position)
            .ok()
            .and_then(|position| view.names().local_at(position)),
        Int::Big(_) => None,
    })
}

/// The slot of a live activation's variable.
fn variable(
    u: &mut Universe,
    view: Gc<FrameView>,
    slot: Option<u32>,
    key: Value,
) -> Result<&'static Cell<Value>, Unwind> {
    if !view.is_active() {
        return Err(u.vm_error("This Context's activation has returned; it can no longer be used."));
    }
    match slot.and_then(|slot| view.slot(slot)) {
        // SAFETY: the slot lives while the activation runs, and the caller uses it at once.
        Some(cell) => Ok(unsafe { &*(cell as *const Cell<Value>) }),
        None => Err(no_variable(u, view, key)),
    }
}

#[cold]
fn no_variable(u: &mut Universe, view: Gc<FrameView>, key: Value) -> Unwind {
    let description = u.method_description(view.method());
    let key = if u.is_symbol(key) {
        format!("#{}", u.text_of(key))
    } else {
        key.as_small_int()
            .map_or(String::from("?"), |i| i.to_string())
    };
    u.vm_error(format!(
        "The activation of {description} has no variable {key}."
    ))
}
