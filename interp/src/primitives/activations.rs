//! `Context` class side: what a tool written with the MOP (the activation tracer) asks the VM
//! about activations that it cannot learn from its handlers' arguments.

use super::arguments::{binary, unary};
use super::Entry;
use crate::invokable::Block;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::object::Gc;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Context", true, "depth", depth),
    ("Context", true, "homeMethodOf:", home_method_of),
];

/// How many activations run with intercession sites at base level (those `Context` views
/// reach). The activation handler and the return handler of one activation see the same
/// depth; an activation passed through by a non-local return gets no return handler, and the
/// depth tells which ones were.
fn depth(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let depth = u.reflection.frames.len();
    Ok(u.new_int(i64::try_from(depth).unwrap_or(i64::MAX)))
}

/// The method whose code holds the block, or nil for anything that is not a block.
fn home_method_of(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, block) = binary(u, args)?;
    if !Block::is_block(block) {
        return Ok(Value::NIL);
    }
    // SAFETY: kind checked just above.
    let block: Gc<Block> = unsafe { Gc::from_value(block) };
    Ok(block.home_method())
}
