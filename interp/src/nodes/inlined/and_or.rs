//! `and:`/`&&` and `or:`/`||` with a literal block argument: short-circuit evaluation.

use super::fallback::{send_with_inlined_blocks, FallbackArg};
use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

pub struct AndOr {
    pub left: Node,
    pub right: Node,
    /// true for `and:`/`&&`, false for `or:`/`||`.
    pub is_and: bool,
    pub selector: Value,
    pub pos: Pos,
}

impl AndOr {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let left = self.left.execute(u, frame)?;
        // `and:` evaluates the block when the receiver is true, `or:` when it is false.
        if left == Value::boolean(self.is_and) {
            self.right.execute(u, frame)
        } else if left == Value::boolean(!self.is_and) {
            Ok(left)
        } else {
            self.fall_back(u, frame, left)
        }
    }

    /// A receiver that is not a Boolean: the real send.
    #[cold]
    pub fn fall_back(&self, u: &mut Universe, frame: &mut Frame, left: Value) -> Exec {
        send_with_inlined_blocks(
            u,
            frame,
            self.selector,
            left,
            &[FallbackArg::Block(&self.right, None)],
            self.pos,
        )
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.left.trace(tracer);
        self.right.trace(tracer);
        tracer.mark_value(self.selector);
    }
}
