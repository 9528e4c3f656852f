//! `Context` class side: what a tool written with the MOP (the activation tracer) asks the VM
//! about activations that it cannot learn from its handlers' arguments.

use super::arguments::binary;
use super::Entry;
use crate::invokable::Block;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::object::Gc;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[("Context", true, "homeMethodOf:", home_method_of)];

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
