//! Message sends and their dispatch chains (polymorphic inline caches keyed by layout).

mod chain;
mod send;
mod super_send;

use chain::FieldOperation;
pub use chain::{ChainTarget, DispatchChain, Inlined};
pub use send::Send;
pub use super_send::SuperSend;

use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::Value;

/// Evaluates `args` into a region of the VM value stack (so the values stay GC roots however
/// many there are) after `receiver`, and runs `send` on `[receiver, args...]`.
fn with_evaluated_args(
    u: &mut Universe,
    frame: &mut Frame,
    receiver: Value,
    args: &[Node],
    send: impl FnOnce(&mut Universe, &[Value]) -> Exec,
) -> Exec {
    let count = args.len() + 1;
    let base = u
        .stack
        .push_frame(&[receiver], count)
        .ok_or_else(|| u.stack_overflow())?;
    for (index, arg) in args.iter().enumerate() {
        match arg.execute(u, frame) {
            Ok(value) => u.stack.set(base + 1 + index, value),
            Err(unwind) => {
                u.stack.pop_frame(base);
                return Err(unwind);
            }
        }
    }
    // SAFETY: the region is popped only after `send` returns.
    let values = unsafe { u.stack.values_at(base, count) };
    let result = send(u, values);
    u.stack.pop_frame(base);
    result
}
