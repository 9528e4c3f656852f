//! The real send an inlined control structure falls back to.

use super::InlinedBlock;
use crate::invokable::Frame;
use crate::nodes::{answer_escaped_block, Node};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use smallvec::SmallVec;
use yerba_mop::object::Gc;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

/// An argument of the fallback send: an evaluated value, or an inlined block body (with the
/// slot of its parameter, if it has one).
pub enum FallbackArg<'a> {
    Value(Value),
    Block(&'a Node, Option<u32>),
}

#[cold]
#[inline(never)]
pub fn send_with_inlined_blocks(
    u: &mut Universe,
    frame: &mut Frame,
    selector: Value,
    receiver: Value,
    args: &[FallbackArg],
    pos: Pos,
) -> Exec {
    let mut values: SmallVec<[Value; 4]> = SmallVec::new();
    let mut blocks: SmallVec<[Gc<InlinedBlock>; 2]> = SmallVec::new();
    values.push(receiver);
    for arg in args {
        match arg {
            FallbackArg::Value(value) => values.push(*value),
            FallbackArg::Block(body, parameter) => {
                let block = InlinedBlock::allocate(u, body, frame, *parameter);
                blocks.push(block);
                values.push(block.value());
            }
        }
    }
    let result = u.send(selector, &values);
    blocks.iter().for_each(|b| b.kill());
    match result {
        Err(Unwind::NonLocalReturn) => match blocks.iter().find(|b| b.value() == u.return_target) {
            Some(block) => {
                u.return_target = Value::NIL;
                Err(block.carried())
            }
            None => result,
        },
        Err(Unwind::Error) => {
            u.note_error_position(pos);
            result
        }
        Err(Unwind::Escaped) => answer_escaped_block(u, frame.receiver),
        _ => result,
    }
}
