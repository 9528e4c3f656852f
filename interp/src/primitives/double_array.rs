//! DoubleArray primitives: 1-based access to unboxed floats, length, and the class-side
//! `new:`. The element-wise arithmetic is written in Smalltalk on top of these.

use super::arguments::{binary, ternary, unary, wrong_kind};
use super::numbers::{expect_f64, expect_int, Int};
use super::{ArrayAccess, Entry};
use crate::invokable::PrimitiveFn;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::{DoubleArray, Gc};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("DoubleArray", false, "at:", at),
    ("DoubleArray", false, "at:put:", at_put),
    ("DoubleArray", false, "length", length),
    ("DoubleArray", true, "new:", new),
];

/// Which access `function` is, if it is DoubleArray's `at:`, `at:put:` or `length` (native
/// code does those itself).
pub fn double_array_access(function: PrimitiveFn) -> Option<ArrayAccess> {
    ArrayAccess::of(function, [at, at_put, length])
}

/// Longest DoubleArray `new:` creates, the same bound as Array's.
const MAX_LENGTH: i64 = 1 << 30;

pub(super) fn expect_double_array(u: &mut Universe, v: Value) -> Result<Gc<DoubleArray>, Unwind> {
    DoubleArray::of(v).ok_or_else(|| wrong_kind(u, "DoubleArray", v))
}

/// Answers a Double.
fn at(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index) = binary(u, args)?;
    let array = expect_double_array(u, receiver)?;
    let i = slot_index(u, array, index)?;
    Ok(Value::double(array.items()[i].get()))
}

/// Stores a Double, or an Integer converted to one, and answers the receiver.
fn at_put(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index, value) = ternary(u, args)?;
    let array = expect_double_array(u, receiver)?;
    let i = slot_index(u, array, index)?;
    let value = expect_f64(u, value)?;
    array.items()[i].set(value);
    Ok(receiver)
}

fn length(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let array = expect_double_array(u, receiver)?;
    Ok(u.new_int(array.len() as i64))
}

/// Class side: a zero-filled DoubleArray.
fn new(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, length) = binary(u, args)?;
    match expect_int(u, length)? {
        Int::Small(n) if (0..=MAX_LENGTH).contains(&n) => {
            Ok(u.new_double_array(n as usize).value())
        }
        n => Err(u.vm_error(format!("Can't create a DoubleArray of length {n}."))),
    }
}

/// The 0-based slot of the 1-based `index`, checked to be within the array (with Array's
/// errors).
fn slot_index(u: &mut Universe, array: Gc<DoubleArray>, index: Value) -> Result<usize, Unwind> {
    super::array::slot_within(u, array.len(), index)
}
