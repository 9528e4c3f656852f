//! Block evaluation: `value`, `value:` and `value:with:` for blocks of the matching arity, and
//! `restart`, which runs the activation that sends it again from its beginning (the standard
//! library's `Block>>whileTrue:` loops with it).

use super::arguments::{arity_mismatch, expect_block, unary};
use super::Entry;
use crate::invokable::{activate_block, PrimitiveFn};
use crate::nodes::call_inlined_block;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Block", false, "value", value),
    ("Block", false, "restart", restart),
    ("Block1", false, "value", value),
    ("Block2", false, "value:", value),
    ("Block3", false, "value:with:", value),
];

/// Whether `function` is the evaluation primitive of blocks (`value`, `value:`, ...), which
/// send sites may replace by a direct activation for receivers with a real block's layout.
pub fn is_block_evaluation(function: PrimitiveFn) -> bool {
    std::ptr::fn_addr_eq(function, value as PrimitiveFn)
}

/// Evaluates the receiver block with the other arguments; `args[0]` is the block itself. The
/// receiver may also be the stand-in of a literal block inlined into a control structure that
/// fell back to a real send.
fn value(u: &mut Universe, args: &[Value]) -> Exec {
    let Some(&receiver) = args.first() else {
        return Err(arity_mismatch(u, 0, 0));
    };
    if let Some(result) = call_inlined_block(u, args) {
        return result;
    }
    let block = expect_block(u, receiver)?;
    let passed = args.len() - 1;
    if block.code().arity != passed {
        return Err(arity_mismatch(u, passed, block.code().arity));
    }
    activate_block(u, block, args)
}

/// Unwinds to the activation that sent `restart`, which runs again (see `invokable::activation`).
fn restart(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Err(Unwind::Restart)
}
