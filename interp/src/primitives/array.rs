//! Array primitives: 1-based element access, length, and the class-side `new:`.

use super::arguments::{binary, expect_array, ternary, unary};
use super::numbers::{expect_int, Int};
use super::Entry;
use crate::invokable::PrimitiveFn;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::{Array, Gc};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Array", false, "at:", at),
    ("Array", false, "at:put:", at_put),
    ("Array", false, "length", length),
    ("Array", true, "new:", new),
];

/// Longest Array `new:` creates; beyond it a program surely computed a wrong length.
const MAX_LENGTH: i64 = 1 << 30;

/// Which array access `function` is, if any: native code indexes arrays itself.
pub fn array_access(function: PrimitiveFn) -> Option<ArrayAccess> {
    ArrayAccess::of(function, [at, at_put, length])
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ArrayAccess {
    At,
    AtPut,
    Length,
}

impl ArrayAccess {
    /// Which access `function` is, of a kind of array whose primitives `at:`, `at:put:` and
    /// `length` are `primitives`.
    pub(super) fn of(function: PrimitiveFn, primitives: [PrimitiveFn; 3]) -> Option<ArrayAccess> {
        let accesses = [ArrayAccess::At, ArrayAccess::AtPut, ArrayAccess::Length];
        primitives
            .iter()
            .position(|primitive| std::ptr::fn_addr_eq(function, *primitive))
            .map(|index| accesses[index])
    }
}

fn at(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index) = binary(u, args)?;
    let array = expect_array(u, receiver)?;
    let i = slot_index(u, array, index)?;
    Ok(array.items()[i].get())
}

/// Stores the value and answers the receiver.
fn at_put(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index, value) = ternary(u, args)?;
    let array = expect_array(u, receiver)?;
    let i = slot_index(u, array, index)?;
    array.items()[i].set(value);
    Ok(receiver)
}

fn length(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let array = expect_array(u, receiver)?;
    Ok(u.new_int(array.len() as i64))
}

/// Class side: a nil-filled Array.
fn new(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, length) = binary(u, args)?;
    match expect_int(u, length)? {
        Int::Small(n) if (0..=MAX_LENGTH).contains(&n) => Ok(u.new_array(n as usize).value()),
        n => Err(u.vm_error(format!("Can't create an Array of length {n}."))),
    }
}

/// The 0-based slot of the 1-based `index`, checked to be within the array.
#[inline(always)]
fn slot_index(u: &mut Universe, array: Gc<Array>, index: Value) -> Result<usize, Unwind> {
    slot_within(u, array.len(), index)
}

/// The 0-based slot of the 1-based `index` in an indexable object of `length` items (an
/// Array or a DoubleArray), or the error for a bad index.
#[inline(always)]
pub(super) fn slot_within(u: &mut Universe, length: usize, index: Value) -> Result<usize, Unwind> {
    // One unsigned comparison, which also lets the compiler drop the slice's bounds check:
    // 0 and negative indices wrap around to huge slot numbers.
    match index.as_small_int().map(|i| (i as usize).wrapping_sub(1)) {
        Some(i) if i < length => Ok(i),
        _ => Err(bad_index(u, length, index)),
    }
}

#[cold]
fn bad_index(u: &mut Universe, length: usize, index: Value) -> Unwind {
    let index = match expect_int(u, index) {
        Ok(index) => index,
        Err(unwind) => return unwind,
    };
    if index.is_negative() {
        return u.vm_error("Can't represent as unsigned machine integer.");
    }
    u.vm_error(format!(
        "Index {index} not valid for array of length {length}."
    ))
}
