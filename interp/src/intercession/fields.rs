//! Field reads and writes (MOP.md section 4): `read:` and `write:value:` of the
//! `operationalSemantics` slot, then of the `layout` slot. The field nodes come here only for
//! subjects carrying an environment, while a global or frame environment is in effect, or for
//! fields the subject does not store in place.
//!
//! A subject moved to a shape with fewer fields than its class declares (or with more fields
//! than it has storage for) has fields it does not store: a metaobject that redefines field
//! access serves them; without one they read as nil, and writing them is an error, since the
//! value could not be kept (docs/mop.md, "Shapes").

use super::{redefinition, run_handler, FIELD_READ, FIELD_WRITE};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::object::{header_of, Array, Gc};
use yerba_mop::Value;

/// Where a field of an object is.
pub enum FieldPlace {
    /// Stored in place in the object.
    Stored(&'static Cell<Value>),
    /// One of the object's fields (its shape's, or its class's), but not stored in place.
    Unstored,
    /// Not a field of the object.
    Missing,
}

/// Where field `index` (0-based) of `subject` is.
pub fn field_place(u: &Universe, subject: Value, index: usize) -> FieldPlace {
    let Some(layout) = header_of(subject).map(|header| header.layout()) else {
        return FieldPlace::Missing;
    };
    if index < layout.field_count() {
        // SAFETY: the subject's own layout stores the field in place.
        FieldPlace::Stored(unsafe { layout.field_slot(subject, index) })
    } else if index < declared_field_count(u, subject) && u.reserved_layout(layout).is_none() {
        // Objects the VM represents itself (arrays, strings, blocks...) never store fields a
        // class path `Object` adds: those are missing, as for immediate values.
        FieldPlace::Unstored
    } else {
        FieldPlace::Missing
    }
}

/// How many fields `subject` has: as many as its shape gives it or its class declares (for a
/// class object, its class-side fields), whichever is more.
pub fn declared_field_count(u: &Universe, subject: Value) -> usize {
    let names = u.class_of(subject).instance_fields();
    let declared = if Array::is_array(names) {
        // SAFETY: kind checked just above.
        unsafe { Gc::<Array>::from_value(names) }.len()
    } else {
        0
    };
    declared.max(u.layout_of(subject).shape_field_count())
}

/// The value of field `index` (0-based) of `subject`.
pub fn read_field(u: &mut Universe, subject: Value, index: u32) -> Exec {
    let environment = u.layout_of(subject).environment();
    match redefinition(u, &FIELD_READ, environment) {
        Some((metaobject, handler)) => {
            let position = u.new_int(i64::from(index) + 1);
            run_handler(u, metaobject, handler, subject, [position])
        }
        None => match field_place(u, subject, index as usize) {
            FieldPlace::Stored(slot) => Ok(slot.get()),
            FieldPlace::Unstored => Ok(Value::NIL),
            FieldPlace::Missing => Err(missing_field(u, subject, index)),
        },
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
        None => match field_place(u, subject, index as usize) {
            FieldPlace::Stored(slot) => {
                u.store_field(subject, slot, value);
                Ok(value)
            }
            FieldPlace::Unstored => Err(unstored_field(u, subject, index)),
            FieldPlace::Missing => Err(missing_field(u, subject, index)),
        },
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

/// The VM error for a write to field `index` (0-based), which `subject` does not store and no
/// metaobject stores for it.
#[cold]
fn unstored_field(u: &mut Universe, subject: Value, index: u32) -> Unwind {
    let text = format!(
        "Field {} of this {} cannot be written: the object stores {} fields since it changed shape, and no metaobject redefines field writes.",
        index + 1,
        u.class_name(u.class_of(subject).value()),
        u.layout_of(subject).field_count()
    );
    u.vm_error(text)
}
