//! Field reads and writes (MOP.md section 4): `read:` and `write:value:` of the
//! `operationalSemantics` slot, then of the `layout` slot. The field nodes come here only for
//! subjects carrying an environment or while a global or frame environment is in effect.

use super::{redefinition, run_handler, FIELD_READ, FIELD_WRITE};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::object::header_of;
use yerba_mop::Value;

/// The value of field `index` (0-based) of `subject`.
pub fn read_field(u: &mut Universe, subject: Value, index: u32) -> Exec {
    let environment = u.layout_of(subject).environment();
    match redefinition(u, &FIELD_READ, environment) {
        Some((metaobject, handler)) => {
            let position = u.new_int(i64::from(index) + 1);
            run_handler(u, metaobject, handler, subject, [position])
        }
        None => Ok(field_slot(u, subject, index)?.get()),
    }
}

/// Assigns `value` to field `index` (0-based) of `subject`; answers the assignment's value.
pub fn write_field(u: &mut Universe, subject: Value, index: u32, value: Value) -> Exec {
    let environment = u.layout_of(subject).environment();
    match redefinition(u, &FIELD_WRITE, environment) {
        Some((metaobject, handler)) => {
            let position = u.new_int(i64::from(index) + 1);
            run_handler(u, metaobject, handler, subject, [position, value])
        }
        None => {
            let slot = field_slot(u, subject, index)?;
            u.store_field(subject, slot, value);
            Ok(value)
        }
    }
}

/// The field slot `index` of `subject`, checked here: the field node leaves subjects with an
/// environment to their handler, which may serve fields the subject does not have.
fn field_slot(
    u: &mut Universe,
    subject: Value,
    index: u32,
) -> Result<&'static Cell<Value>, Unwind> {
    match header_of(subject).map(|header| header.layout()) {
        Some(layout) if (index as usize) < layout.field_count() => {
            // SAFETY: the layout has the field.
            Ok(unsafe { layout.field_slot(subject, index as usize) })
        }
        _ => Err(missing_field(u, subject, index)),
    }
}

/// The VM error for an access to field `index` (0-based) that `subject` does not have.
#[cold]
pub fn missing_field(u: &mut Universe, subject: Value, index: u32) -> Unwind {
    let text = format!(
        "Field {} does not exist in instances of {}.",
        index + 1,
        u.class_name(u.class_of(subject).value())
    );
    u.vm_error(text)
}
