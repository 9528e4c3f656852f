//! The class-side primitives of `Kernels`: algorithmic kernels (filling a range of an Array,
//! a BitBlt-like copy of a rectangle between two arrays of rows, the element-wise sum of two
//! DoubleArrays) done in Rust. They are the native halves of the benchmark pairs
//! `FillSom`/`FillPrimitive`, `BitBltSom`/`BitBltPrimitive` and
//! `DoubleAddScalar`/`DoubleAddSimd`/`DoubleAddPrimitive`, whose Smalltalk halves must compute
//! exactly what these do: `som-lib/Smalltalk/Kernels.som` states the semantics both follow,
//! down to the order in which cells are written.
//!
//! Every argument is checked before the first cell is written (kinds, ranges, and every row
//! a rectangle touches), so a misuse is a VM error and changes nothing; the one exception is
//! a combining rule meeting a cell that is not a small integer, which is found where the copy
//! reaches it.

use super::arguments::{arity_mismatch, class_name_of, expect_array, expect_string};
use super::double_array::expect_double_array;
use super::numbers::{expect_int, Int};
use super::Entry;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::object::{Array, Gc};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Kernels", true, "fill:with:from:to:", fill),
    (
        "Kernels",
        true,
        "copyRectFrom:x:y:width:height:to:x:y:rule:",
        copy_rect,
    ),
    ("Kernels", true, "add:to:into:", add),
];

/// `fill: anArray with: aValue from: start to: end`: stores aValue in the slots start to end
/// and answers anArray. The range is that of `replaceFrom:to:...`: empty when end = start - 1,
/// otherwise within the Array.
fn fill(u: &mut Universe, args: &[Value]) -> Exec {
    let [_, array, value, start, end] = *args else {
        return Err(arity_mismatch(u, args.len().saturating_sub(1), 4));
    };
    let target = expect_array(u, array)?;
    let (start, end) = (integer(u, start, "start")?, integer(u, end, "end")?);
    let length = target.len() as i64;
    if !(1 <= start && start <= end.saturating_add(1) && end <= length) {
        return Err(u.vm_error(format!(
            "Kernels fill: the range {start} to {end} is not within an Array of length {length}."
        )));
    }
    // The checks above make 0 <= start - 1 <= end <= length.
    for cell in &target.items()[(start - 1) as usize..end as usize] {
        cell.set(value);
    }
    Ok(array)
}

/// `add: a to: b into: result`: stores the element-wise sums `a + b` in `result` and answers
/// it, as `a add: b into: result` does; all three are DoubleArrays of one length, and result
/// may be `a` or `b`.
fn add(u: &mut Universe, args: &[Value]) -> Exec {
    let [_, a, b, result] = *args else {
        return Err(arity_mismatch(u, args.len().saturating_sub(1), 3));
    };
    let (augend, addend) = (expect_double_array(u, a)?, expect_double_array(u, b)?);
    let sums = expect_double_array(u, result)?;
    for other in [addend, sums] {
        if other.len() != augend.len() {
            // The text of DoubleArray>>#checkSameLength:, in the order add:into: checks.
            return Err(u.vm_error(format!(
                "DoubleArray sizes differ: {} and {}",
                augend.len(),
                other.len()
            )));
        }
    }
    add_cells(augend.items(), addend.items(), sums.items());
    Ok(result)
}

/// How many cells [`add_cells`] reads before it writes any: four 128-bit vectors of sums.
const SUM_CHUNK: usize = 8;

/// `sums[i] := augend[i] + addend[i]` for slices of one length, which are either one array or
/// disjoint (distinct heap objects never overlap). Each chunk of cells is read whole before
/// its sums are stored, which is right when `sums` is `augend` or `addend`; with the order of
/// the reads and writes fixed that way, LLVM turns a chunk into packed additions without the
/// runtime overlap check (which would send the aliased case to a scalar loop) that a
/// cell-by-cell loop gets.
fn add_cells(augend: &[Cell<f64>], addend: &[Cell<f64>], sums: &[Cell<f64>]) {
    let chunks = sums
        .chunks_exact(SUM_CHUNK)
        .zip(augend.chunks_exact(SUM_CHUNK))
        .zip(addend.chunks_exact(SUM_CHUNK));
    for ((to, x), y) in chunks {
        let chunk: [f64; SUM_CHUNK] = std::array::from_fn(|k| x[k].get() + y[k].get());
        for (cell, sum) in to.iter().zip(chunk) {
            cell.set(sum);
        }
    }
    let done = sums.len() - sums.len() % SUM_CHUNK;
    for ((to, x), y) in sums[done..]
        .iter()
        .zip(&augend[done..])
        .zip(&addend[done..])
    {
        to.set(x.get() + y.get());
    }
}

/// How a copied cell combines with the cell it lands on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// The source cell replaces the destination cell, whatever they hold.
    Copy,
    /// The bitwise and, or, exclusive or of two small integers.
    And,
    Or,
    Xor,
}

impl Rule {
    fn named(u: &mut Universe, v: Value) -> Result<Rule, Unwind> {
        match expect_string(u, v)?.as_str() {
            "copy" => Ok(Rule::Copy),
            "and" => Ok(Rule::And),
            "or" => Ok(Rule::Or),
            "xor" => Ok(Rule::Xor),
            other => Err(u.vm_error(format!(
                "Kernels copyRect: unknown rule #{other} (known: #copy #and #or #xor)."
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rule::Copy => "copy",
            Rule::And => "and",
            Rule::Or => "or",
            Rule::Xor => "xor",
        }
    }

    /// The combination of two small integers, itself one: the bitwise operations stay within
    /// the sign-extended width of their operands.
    fn combine(self, source: i64, destination: i64) -> i64 {
        match self {
            Rule::Copy => source,
            Rule::And => source & destination,
            Rule::Or => source | destination,
            Rule::Xor => source ^ destination,
        }
    }
}

/// `copyRectFrom: source x: sx y: sy width: w height: h to: destination x: dx y: dy rule: r`:
/// combines the w x h rectangle of `source` (an Array of row Arrays) whose top left cell is
/// row sy, column sx into `destination` at row dy, column dx, clipped to both; answers the
/// number of cells written. See `Kernels.som` for the order of the writes.
fn copy_rect(u: &mut Universe, args: &[Value]) -> Exec {
    let [_, source, sx, sy, width, height, destination, dx, dy, rule] = *args else {
        return Err(arity_mismatch(u, args.len().saturating_sub(1), 9));
    };
    let source_rows = expect_array(u, source)?;
    let destination_rows = expect_array(u, destination)?;
    let (sx, sy) = (integer(u, sx, "x")?, integer(u, sy, "y")?);
    let (dx, dy) = (integer(u, dx, "x")?, integer(u, dy, "y")?);
    let (width, height) = (integer(u, width, "width")?, integer(u, height, "height")?);
    if width < 0 || height < 0 {
        return Err(u.vm_error(format!(
            "Kernels copyRect: the rectangle {width} x {height} has a negative side."
        )));
    }
    let rule = Rule::named(u, rule)?;
    let rows = clip(height, sy, source_rows.len(), dy, destination_rows.len());
    // Bottom to top when the rows move down within one array of rows, so that every source
    // row is read before a destination row overwrites it.
    let upward = source == destination && dy > sy;
    let row_at = |i: usize| {
        if upward {
            rows.end - 1 - i
        } else {
            rows.start + i
        }
    };
    for i in 0..rows.len() {
        let (s, d) = row_slots(row_at(i), sy, dy);
        for (side, rows, slot) in [
            ("source", source_rows, s),
            ("destination", destination_rows, d),
        ] {
            let row = rows.items()[slot].get();
            if Array::of(row).is_none() {
                return Err(not_a_row(u, side, slot, row));
            }
        }
    }
    let mut written: i64 = 0;
    for i in 0..rows.len() {
        let (s, d) = row_slots(row_at(i), sy, dy);
        let (source_row, destination_row) = (
            source_rows.items()[s].get(),
            destination_rows.items()[d].get(),
        );
        // A row can only stop being an Array here if an earlier row write replaced it: a row
        // Array that holds its own array of rows.
        let (Some(from), Some(to)) = (Array::of(source_row), Array::of(destination_row)) else {
            let (side, slot, row) = match Array::of(source_row) {
                None => ("source", s, source_row),
                Some(_) => ("destination", d, destination_row),
            };
            return Err(not_a_row(u, side, slot, row));
        };
        let columns = clip(width, sx, from.len(), dx, to.len());
        if columns.is_empty() {
            continue;
        }
        let cells = columns.len();
        let (s0, d0) = row_slots(columns.start, sx, dx);
        let pairs = to.items()[d0..d0 + cells]
            .iter()
            .zip(&from.items()[s0..s0 + cells]);
        let leftward = source_row == destination_row && dx > sx;
        let result = if leftward {
            combine_cells(rule, pairs.rev())
        } else {
            combine_cells(rule, pairs)
        };
        if let Err(offset) = result {
            let column = if leftward { cells - 1 - offset } else { offset };
            return Err(not_combinable(
                u,
                rule,
                (s0 + column, from),
                (d0 + column, to),
                s,
            ));
        }
        written += cells as i64;
    }
    Ok(u.new_int(written))
}

/// Writes each destination cell from its source cell; for a combining rule, stops at the
/// first pair that is not two small integers and answers its position in `pairs`.
#[inline(always)]
fn combine_cells<'a>(
    rule: Rule,
    pairs: impl Iterator<Item = (&'a Cell<Value>, &'a Cell<Value>)>,
) -> Result<(), usize> {
    if rule == Rule::Copy {
        for (to, from) in pairs {
            to.set(from.get());
        }
        return Ok(());
    }
    for (offset, (to, from)) in pairs.enumerate() {
        match (from.get().as_small_int(), to.get().as_small_int()) {
            (Some(s), Some(d)) => match Value::small_int(rule.combine(s, d)) {
                Some(combined) => to.set(combined),
                // Not reached: and, or and xor of two small integers are small integers.
                None => return Err(offset),
            },
            _ => return Err(offset),
        }
    }
    Ok(())
}

/// The offsets `0 <= k < extent` for which both 1-based indices `source_at + k` and
/// `destination_at + k` fall within lengths `source_len` and `destination_len`.
fn clip(
    extent: i64,
    source_at: i64,
    source_len: usize,
    destination_at: i64,
    destination_len: usize,
) -> std::ops::Range<usize> {
    let (extent, source_at, destination_at) = (
        i128::from(extent),
        i128::from(source_at),
        i128::from(destination_at),
    );
    let first = 0.max(1 - source_at).max(1 - destination_at);
    let end = extent
        .min(source_len as i128 + 1 - source_at)
        .min(destination_len as i128 + 1 - destination_at);
    if first >= end {
        return 0..0;
    }
    // 0 <= first < end <= extent, and extent came from an i64.
    first as usize..end as usize
}

/// The 0-based source and destination slots of offset `k` from 1-based positions; only called
/// for offsets [`clip`] answered, which keep both slots within their arrays.
fn row_slots(k: usize, source_at: i64, destination_at: i64) -> (usize, usize) {
    let k = k as i128;
    (
        (i128::from(source_at) - 1 + k) as usize,
        (i128::from(destination_at) - 1 + k) as usize,
    )
}

/// An integer argument that fits a machine word.
fn integer(u: &mut Universe, v: Value, what: &str) -> Result<i64, Unwind> {
    match expect_int(u, v)? {
        Int::Small(i) => Ok(i),
        Int::Big(big) => Err(u.vm_error(format!("Kernels: the {what} {big} is out of range."))),
    }
}

#[cold]
fn not_a_row(u: &mut Universe, side: &str, slot: usize, row: Value) -> Unwind {
    let class = class_name_of(u, row);
    u.vm_error(format!(
        "Kernels copyRect: row {} of the {side} is not an Array but an instance of {class}.",
        slot + 1
    ))
}

#[cold]
fn not_combinable(
    u: &mut Universe,
    rule: Rule,
    (source_slot, source_row): (usize, Gc<Array>),
    (destination_slot, destination_row): (usize, Gc<Array>),
    source_row_slot: usize,
) -> Unwind {
    let (from, to) = (
        source_row.items()[source_slot].get(),
        destination_row.items()[destination_slot].get(),
    );
    let (what, value) = if from.is_small_int() {
        ("destination", to)
    } else {
        ("source", from)
    };
    let class = class_name_of(u, value);
    u.vm_error(format!(
        "Kernels copyRect: the rule #{} combines small integers, but the {what} holds an instance of {class} \
         (source row {}, column {}).",
        rule.name(),
        source_row_slot + 1,
        source_slot + 1
    ))
}
