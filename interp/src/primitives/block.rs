//! Block evaluation: `value`, `value:`, `value:with:` and `value:with:with:` for blocks of the
//! matching arity, `valueWithArguments:` for any arity, and `restart`, which runs the activation
//! that sends it again from its beginning (the standard library's `Block>>whileTrue:` loops
//! with it). Two reflective ones serve read-only references (the library's `Handle`): a block's
//! `receiver` (the `self` of its code) and `withReceiver:`, a copy of the block whose `self` is
//! another object.

use super::arguments::{arity_mismatch, binary, call_arguments, expect_array, expect_block, unary};
use super::Entry;
use crate::invokable::{activate_block, Block, PrimitiveFn};
use crate::nodes::{call_inlined_block, inlined_block_arity};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Block", false, "value", value),
    ("Block", false, "restart", restart),
    ("Block1", false, "value", value),
    ("Block2", false, "value:", value),
    ("Block3", false, "value:with:", value),
    ("Block4", false, "value:with:with:", value),
    ("Block", false, "valueWithArguments:", value_with_arguments),
    ("Block", false, "receiver", receiver),
    ("Block", false, "withReceiver:", with_receiver),
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

/// Evaluates the receiver block with the elements of an Array as its arguments. A count that
/// does not match the block's parameters is a SOM-level error (`error:` sent to the block).
fn value_with_arguments(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, arguments) = binary(u, args)?;
    let arguments = expect_array(u, arguments)?;
    let arity = match inlined_block_arity(receiver) {
        Some(arity) => arity,
        None => expect_block(u, receiver)?.code().arity,
    };
    if arguments.len() != arity {
        let text = format!(
            "valueWithArguments: got {} arguments for a block with {} parameters",
            arguments.len(),
            arity
        );
        let message = u.new_string(&text);
        return u.send_named("error:", &[receiver, message]);
    }
    value(u, &call_arguments(receiver, arguments))
}

/// Unwinds to the activation that sent `restart`, which runs again (see `invokable::activation`).
fn restart(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Err(Unwind::Restart)
}

/// The `self` of the receiver block's code: the receiver of the method it was created in.
fn receiver(u: &mut Universe, args: &[Value]) -> Exec {
    let block = unary(u, args)?;
    Ok(expect_block(u, block)?.receiver())
}

/// A copy of the receiver block whose `self` is the argument: the same code, captured variables
/// and home activation (a `^` in it returns from the same method), so only what the code does
/// to `self` and its fields changes.
fn with_receiver(u: &mut Universe, args: &[Value]) -> Exec {
    let (block, receiver) = binary(u, args)?;
    let block = expect_block(u, block)?;
    let layout = u.layout_of(block.value());
    // The arguments hold the original block, so its code and home method stay alive.
    let copy = Block::allocate(
        u,
        layout,
        block.code(),
        block.home_method(),
        block.outer(),
        receiver,
    );
    Ok(copy.value())
}
