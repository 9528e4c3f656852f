//! `n timesRepeat: [body]` with a literal block (without a parameter, or with one the library
//! leaves nil); answers the receiver.

use super::fallback::{send_with_inlined_blocks, FallbackArg};
use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

pub struct TimesRepeat {
    pub receiver: Node,
    pub body: Node,
    /// The slot of the block's parameter, if it declares one: nil on every iteration, as
    /// the library's `value` makes it.
    pub parameter: Option<u32>,
    pub selector: Value,
    pub pos: Pos,
}

impl TimesRepeat {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let receiver = self.receiver.execute(u, frame)?;
        match receiver.as_small_int() {
            Some(count) => {
                for _ in 0..count.max(0) {
                    if let Some(slot) = self.parameter {
                        frame.slot(slot as usize).set(Value::NIL);
                    }
                    self.body.execute(u, frame)?;
                }
                Ok(receiver)
            }
            None => self.fall_back(u, frame, receiver),
        }
    }

    /// A receiver that is not a small integer: the real send.
    #[cold]
    pub fn fall_back(&self, u: &mut Universe, frame: &mut Frame, receiver: Value) -> Exec {
        send_with_inlined_blocks(
            u,
            frame,
            self.selector,
            receiver,
            &[FallbackArg::Block(&self.body, self.parameter)],
            self.pos,
        )
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.receiver.trace(tracer);
        self.body.trace(tracer);
        tracer.mark_value(self.selector);
    }
}
