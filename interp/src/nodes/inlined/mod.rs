//! Control structures whose block arguments are literal blocks, compiled into nodes instead of
//! sends: the blocks' bodies run in the enclosing activation, their locals are slots of it.
//!
//! When the receiver is not what inlining assumed (a non-Boolean for `ifTrue:`, a non-Integer
//! for `to:do:`...), the node falls back to a real send, passing each inlined block as an
//! [`InlinedBlock`]: a block object that runs the inlined body in the still-live frame.

mod and_or;
mod fallback;
mod if_nil;
mod if_true;
mod inlined_block;
mod times_repeat;
mod to_do;
mod while_loop;

pub use and_or::AndOr;
pub use if_nil::IfNil;
pub use if_true::{IfTrue, IfTrueIfFalse};
pub use inlined_block::{call_inlined_block, inlined_block_arity, InlinedBlock};
pub use times_repeat::TimesRepeat;
pub use to_do::ToDo;
pub use while_loop::WhileLoop;
