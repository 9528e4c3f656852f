//! The metaobject protocol's intercession (MOP.md sections 3 and 4, docs/mop.md).
//!
//! An intercession site asks here whether a metaobject redefines its operation: the global
//! environment, the frame's environment and the subject's environment are consulted in that
//! order, each environment's slots in the operation's order, and a metaobject redefines the
//! operation by understanding the explicit selector (the handler runs with the metaobject as
//! self and the subject as first argument) or else the compatible one (the handler runs with
//! the subject as self). The handler runs at meta level, where nothing is intercepted, and its
//! answer is the operation's result.
//!
//! - `fields.rs`: field reads and writes (called by the field nodes);
//! - `send.rs`: message lookup and method activation (called by every kind of send);
//! - `variables.rs`: the nodes for local and argument access in bodies compiled with
//!   intercession sites, and the return operation;
//! - `handlers.rs`: which method of a metaobject's class handles an operation, cached.

mod fields;
mod handlers;
mod patching;
mod send;
mod variables;

pub use fields::{
    declared_field_count, field_place, missing_field, read_field, write_field, FieldPlace,
};
pub use handlers::HandlerCache;
pub use send::{send, send_from_class, SendCache};
pub use variables::{
    intercept_return, InterceptedRead, InterceptedVariable, InterceptedWrite, Variable,
    VariableNames,
};

use crate::invokable::Target;
use crate::primitives::selector_arity;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
pub use handlers::Handler;
use yerba_mop::object::header_of;
use yerba_mop::Value;

/// The slots of `EnvironmentMO`, in field order.
#[derive(Clone, Copy)]
enum Slot {
    OperationalSemantics = 0,
    Layout = 1,
    Message = 2,
}

/// A redefinable operation: the slots that may redefine it, in order, and its selectors.
pub struct Operation {
    /// Distinguishes operations in the handler cache.
    id: u8,
    slots: &'static [Slot],
    compatible: &'static str,
    explicit: &'static str,
    /// How error messages name the operation.
    description: &'static str,
}

const SEMANTICS: &[Slot] = &[Slot::OperationalSemantics];

pub const FIELD_READ: Operation = Operation {
    id: 0,
    slots: &[Slot::OperationalSemantics, Slot::Layout],
    compatible: "read:",
    explicit: "subject:read:",
    description: "field read",
};

pub const FIELD_WRITE: Operation = Operation {
    id: 1,
    slots: &[Slot::OperationalSemantics, Slot::Layout],
    compatible: "write:value:",
    explicit: "subject:write:value:",
    description: "field write",
};

pub const LOOKUP: Operation = Operation {
    id: 2,
    slots: &[Slot::Message],
    compatible: "find:since:",
    explicit: "subject:find:since:",
    description: "lookup",
};

pub const ACTIVATION: Operation = Operation {
    id: 3,
    slots: &[Slot::Message],
    compatible: "activate:withArguments:",
    explicit: "subject:activate:withArguments:",
    description: "activation",
};

pub const LOCAL_READ: Operation = Operation {
    id: 4,
    slots: SEMANTICS,
    compatible: "readLocal:inFrame:",
    explicit: "subject:readLocal:inFrame:",
    description: "local read",
};

pub const LOCAL_WRITE: Operation = Operation {
    id: 5,
    slots: SEMANTICS,
    compatible: "writeLocal:inFrame:value:",
    explicit: "subject:writeLocal:inFrame:value:",
    description: "local write",
};

pub const ARGUMENT_READ: Operation = Operation {
    id: 6,
    slots: SEMANTICS,
    compatible: "readLocalArgument:inFrame:",
    explicit: "subject:readLocalArgument:inFrame:",
    description: "argument read",
};

pub const RETURN: Operation = Operation {
    id: 7,
    slots: SEMANTICS,
    compatible: "return:",
    explicit: "subject:return:",
    description: "return",
};

/// The metaobject that redefines `operation` for a subject whose layout carries
/// `subject_environment` (nil if none), and its handler; `None` when execution is at meta level
/// or nothing redefines the operation.
#[inline]
pub fn redefinition(
    u: &mut Universe,
    operation: &Operation,
    subject_environment: Value,
) -> Option<(Value, Handler)> {
    if (!u.reflection.intercepting() && subject_environment.is_nil()) || !u.at_base_level() {
        return None;
    }
    let [global, frame] = u.reflection.ambient_environments();
    let environments = [global, frame, subject_environment];
    let last = u.handler_cache.last_redefinition[operation.id as usize];
    if let Some(last) =
        last.filter(|last| last.environments == environments && last.epoch == u.dispatch_epoch)
    {
        return last.answer;
    }
    let answer = find_redefinition(u, operation, environments);
    u.handler_cache.last_redefinition[operation.id as usize] = Some(handlers::Redefinition {
        environments,
        epoch: u.dispatch_epoch,
        answer,
    });
    answer
}

/// The first metaobject in `environments` (global, frame, subject) that redefines `operation`.
fn find_redefinition(
    u: &mut Universe,
    operation: &Operation,
    environments: [Value; 3],
) -> Option<(Value, Handler)> {
    for environment in environments {
        if environment.is_nil() {
            continue;
        }
        for &slot in operation.slots {
            let metaobject = environment_slot(environment, slot);
            if !metaobject.is_nil() {
                if let Some(handler) = redefined_by(u, operation, metaobject) {
                    return Some((metaobject, handler));
                }
            }
        }
    }
    None
}

/// Whether, in an activation whose receiver carries `subject_environment`, a metaobject may
/// redefine the operations that only bodies with intercession sites intercept: variable
/// access, field access and return (the `operationalSemantics` and `layout` slots). Sends are
/// intercepted by every body.
pub fn redefines_frame_operations(u: &Universe, subject_environment: Value) -> bool {
    if !u.at_base_level() {
        return false;
    }
    let [global, frame] = u.reflection.ambient_environments();
    [global, frame, subject_environment]
        .iter()
        .any(|&environment| {
            !environment.is_nil()
                && [Slot::OperationalSemantics, Slot::Layout]
                    .iter()
                    .any(|&slot| !environment_slot(environment, slot).is_nil())
        })
}

/// The operations on variables and return, which plain bodies do not intercept.
pub const VARIABLE_OPERATIONS: &[&Operation] =
    &[&LOCAL_READ, &LOCAL_WRITE, &ARGUMENT_READ, &RETURN];

/// The field accesses, which plain bodies intercept for the receiver's environment only.
pub const FIELD_OPERATIONS: &[&Operation] = &[&FIELD_READ, &FIELD_WRITE];

/// Whether a metaobject of `environment` redefines one of `operations` (nil has none).
pub fn environment_redefines(
    u: &mut Universe,
    environment: Value,
    operations: &[&Operation],
) -> bool {
    if environment.is_nil() {
        return false;
    }
    operations.iter().any(|operation| {
        operation.slots.iter().any(|&slot| {
            let metaobject = environment_slot(environment, slot);
            !metaobject.is_nil() && redefined_by(u, operation, metaobject).is_some()
        })
    })
}

/// The handler of `metaobject` for `operation`, if its class redefines the operation.
#[inline(never)]
fn redefined_by(u: &mut Universe, operation: &Operation, metaobject: Value) -> Option<Handler> {
    let layout = u.layout_of(metaobject);
    u.handler_for(layout, operation)
}

/// Runs `handler` of `metaobject` for `subject` at meta level; `args` are the operation's
/// arguments after the subject (a fixed number, so that building the call costs a few moves).
#[inline(always)]
pub fn run_handler<const N: usize>(
    u: &mut Universe,
    metaobject: Value,
    handler: Handler,
    subject: Value,
    args: [Value; N],
) -> Exec {
    // Two branches, so that each call has a length known when compiling.
    let mut call = [Value::NIL; 5];
    u.enter_meta_level();
    let answer = if handler.explicit {
        call[0] = metaobject;
        call[1] = subject;
        call[2..2 + N].copy_from_slice(&args);
        handler.target.invoke(u, &call[..2 + N])
    } else {
        call[0] = subject;
        call[1..1 + N].copy_from_slice(&args);
        handler.target.invoke(u, &call[..1 + N])
    };
    u.leave_meta_level();
    answer
}

/// Slot `slot` of an environment; nil when the environment is not an object with that field.
fn environment_slot(environment: Value, slot: Slot) -> Value {
    let Some(header) = header_of(environment) else {
        return Value::NIL;
    };
    let layout = header.layout();
    if (slot as usize) < layout.field_count() {
        // SAFETY: the layout has the field.
        unsafe { layout.field_slot(environment, slot as usize) }.get()
    } else {
        Value::NIL
    }
}

/// A handler answered something the VM cannot use: `error:` is sent to the subject with a
/// message naming the metaobject and the operation.
#[cold]
fn malformed_answer(
    u: &mut Universe,
    operation: &Operation,
    metaobject: Value,
    subject: Value,
    answer: Value,
    about: &str,
    expected: &str,
) -> Unwind {
    let text = format!(
        "The {} handler of {} answered {} for {} to a {}, not {}.",
        operation.description,
        u.class_name(u.class_of(metaobject).value()),
        u.class_name(u.class_of(answer).value()),
        about,
        u.class_name(u.class_of(subject).value()),
        expected
    );
    let text = u.new_string(&text);
    let error = u.symbol("error:");
    match u.at_meta_level(|u| u.send(error, &[subject, text])) {
        Err(unwind) => unwind,
        Ok(_) => u.vm_error("error: returned"),
    }
}

/// The target a lookup handler's answer stands for: `None` (doesNotUnderstand) for nil.
fn lookup_answer(
    u: &mut Universe,
    metaobject: Value,
    subject: Value,
    selector: Value,
    answer: Value,
) -> Result<Option<Target>, Unwind> {
    if answer.is_nil() {
        return Ok(None);
    }
    let arity = selector_arity(u.text_of(selector));
    match Target::of(answer) {
        Some(target) if target_arity(u, target) == arity => Ok(Some(target)),
        found => {
            let about = format!("#{}", u.text_of(selector));
            let expected = match found {
                Some(_) if arity == 1 => "a method taking 1 argument".to_string(),
                Some(_) => format!("a method taking {arity} arguments"),
                None => "a method".to_string(),
            };
            Err(malformed_answer(
                u, &LOOKUP, metaobject, subject, answer, &about, &expected,
            ))
        }
    }
}

/// How many arguments `target` takes.
fn target_arity(u: &Universe, target: Target) -> usize {
    match target {
        Target::Method(method) => method.code().arity,
        Target::Primitive(primitive) => selector_arity(u.text_of(primitive.signature())),
    }
}
