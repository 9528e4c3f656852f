//! Running the handlers of the metaobject protocol (MOP.md sections 3 and 4).
//!
//! An intercession site that finds an environment on its subject asks here which metaobject
//! redefines the operation: the environment's slots are consulted in the operation's order, and
//! a metaobject redefines it by understanding the explicit selector (the handler runs with the
//! metaobject as self and the subject as first argument) or else the compatible one (the
//! handler runs with the subject as self). The handler runs at meta level, where no
//! intercession happens, and its answer is the operation's result.

use crate::invokable::Target;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use smallvec::{smallvec, SmallVec};
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
struct Operation {
    slots: &'static [Slot],
    compatible: &'static str,
    explicit: &'static str,
}

const FIELD_READ: Operation = Operation {
    slots: &[Slot::OperationalSemantics, Slot::Layout],
    compatible: "read:",
    explicit: "subject:read:",
};

const FIELD_WRITE: Operation = Operation {
    slots: &[Slot::OperationalSemantics, Slot::Layout],
    compatible: "write:value:",
    explicit: "subject:write:value:",
};

const LOOKUP: Operation = Operation {
    slots: &[Slot::Message],
    compatible: "find:since:",
    explicit: "subject:find:since:",
};

/// What a lookup handler decided.
pub enum Lookup {
    /// No metaobject redefines lookup: look up as usual.
    Standard,
    /// The method to invoke, or `None` for doesNotUnderstand.
    Found(Option<Target>),
}

/// Message lookup for `subject`, whose layout carries `environment`, starting at `class`.
pub fn lookup(
    u: &mut Universe,
    environment: Value,
    subject: Value,
    selector: Value,
    class: Value,
) -> Result<Lookup, Unwind> {
    let Some(answer) = run_handler(u, &LOOKUP, environment, subject, &[selector, class]) else {
        return Ok(Lookup::Standard);
    };
    let method = answer?;
    if method.is_nil() {
        return Ok(Lookup::Found(None));
    }
    match Target::of(method) {
        Some(target) => Ok(Lookup::Found(Some(target))),
        None => {
            let text = format!(
                "The lookup metaobject of {} answered {} for #{}, not a method.",
                u.class_name(u.class_of(subject).value()),
                u.class_name(u.class_of(method).value()),
                u.text_of(selector)
            );
            let text = u.new_string(&text);
            let error = u.symbol("error:");
            Err(match u.send(error, &[subject, text]) {
                Err(unwind) => unwind,
                Ok(_) => u.vm_error("error: returned"),
            })
        }
    }
}

/// The value of field `index` (0-based) of `subject`, whose layout carries `environment`.
pub fn read_field(u: &mut Universe, environment: Value, subject: Value, index: u32) -> Exec {
    let position = u.new_int(i64::from(index) + 1);
    match run_handler(u, &FIELD_READ, environment, subject, &[position]) {
        Some(result) => result,
        None => Ok(field_slot(u, subject, index)?.get()),
    }
}

/// Assigns `value` to field `index` (0-based) of `subject`, whose layout carries `environment`;
/// answers the assignment's value.
pub fn write_field(
    u: &mut Universe,
    environment: Value,
    subject: Value,
    index: u32,
    value: Value,
) -> Exec {
    let position = u.new_int(i64::from(index) + 1);
    match run_handler(u, &FIELD_WRITE, environment, subject, &[position, value]) {
        Some(result) => result,
        None => {
            field_slot(u, subject, index)?.set(value);
            Ok(value)
        }
    }
}

/// Runs the handler that redefines `operation` in `environment`, if one does.
fn run_handler(
    u: &mut Universe,
    operation: &Operation,
    environment: Value,
    subject: Value,
    args: &[Value],
) -> Option<Exec> {
    for &slot in operation.slots {
        let metaobject = environment_slot(environment, slot);
        if metaobject.is_nil() {
            continue;
        }
        let class = u.class_of(metaobject);
        let explicit = u.symbol(operation.explicit);
        if let Some(handler) = class.lookup(explicit).and_then(Target::of) {
            let mut call: SmallVec<[Value; 4]> = smallvec![metaobject, subject];
            call.extend_from_slice(args);
            return Some(u.at_meta_level(|u| handler.invoke(u, &call)));
        }
        let compatible = u.symbol(operation.compatible);
        if let Some(handler) = class.lookup(compatible).and_then(Target::of) {
            let mut call: SmallVec<[Value; 4]> = smallvec![subject];
            call.extend_from_slice(args);
            return Some(u.at_meta_level(|u| handler.invoke(u, &call)));
        }
    }
    None
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

/// The field slot `index` of `subject`, checked again: a handler may have changed its shape.
fn field_slot(
    u: &mut Universe,
    subject: Value,
    index: u32,
) -> Result<&'static std::cell::Cell<Value>, Unwind> {
    match header_of(subject).map(|header| header.layout()) {
        Some(layout) if (index as usize) < layout.field_count() => {
            // SAFETY: the layout has the field.
            Ok(unsafe { layout.field_slot(subject, index as usize) })
        }
        _ => Err(u.vm_error(format!(
            "Field {} does not exist in the subject.",
            index + 1
        ))),
    }
}
