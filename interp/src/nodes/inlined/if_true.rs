//! `ifTrue:`, `ifFalse:`, `ifTrue:ifFalse:` and `ifFalse:ifTrue:` with literal blocks.

use super::fallback::{send_with_inlined_blocks, FallbackArg};
use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

/// `cond ifTrue: [body]` (`expected` true) or `cond ifFalse: [body]`; nil when not taken.
pub struct IfTrue {
    pub condition: Node,
    pub body: Node,
    pub expected: bool,
    pub selector: Value,
    pub pos: Pos,
}

impl IfTrue {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let condition = self.condition.execute(u, frame)?;
        if condition == Value::boolean(self.expected) {
            self.body.execute(u, frame)
        } else if condition == Value::boolean(!self.expected) {
            Ok(Value::NIL)
        } else {
            self.fall_back(u, frame, condition)
        }
    }

    /// A receiver that is not a Boolean: the real send.
    #[cold]
    pub fn fall_back(&self, u: &mut Universe, frame: &mut Frame, condition: Value) -> Exec {
        send_with_inlined_blocks(
            u,
            frame,
            self.selector,
            condition,
            &[FallbackArg::Block(&self.body, None)],
            self.pos,
        )
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.condition.trace(tracer);
        self.body.trace(tracer);
        tracer.mark_value(self.selector);
    }
}

/// `cond ifTrue: [a] ifFalse: [b]`; `ifFalse:ifTrue:` is the same node with `swapped` set, so
/// that a fallback send passes the blocks in source order.
pub struct IfTrueIfFalse {
    pub condition: Node,
    pub if_true: Node,
    pub if_false: Node,
    pub swapped: bool,
    pub selector: Value,
    pub pos: Pos,
}

impl IfTrueIfFalse {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let condition = self.condition.execute(u, frame)?;
        if condition.is_true() {
            self.if_true.execute(u, frame)
        } else if condition.is_false() {
            self.if_false.execute(u, frame)
        } else {
            self.fall_back(u, frame, condition)
        }
    }

    /// A receiver that is not a Boolean: the real send.
    #[cold]
    pub fn fall_back(&self, u: &mut Universe, frame: &mut Frame, condition: Value) -> Exec {
        let (first, second) = if self.swapped {
            (&self.if_false, &self.if_true)
        } else {
            (&self.if_true, &self.if_false)
        };
        let args = [
            FallbackArg::Block(first, None),
            FallbackArg::Block(second, None),
        ];
        send_with_inlined_blocks(u, frame, self.selector, condition, &args, self.pos)
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.condition.trace(tracer);
        self.if_true.trace(tracer);
        self.if_false.trace(tracer);
        tracer.mark_value(self.selector);
    }
}
