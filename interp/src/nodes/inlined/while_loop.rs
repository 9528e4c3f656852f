//! `[cond] whileTrue: [body]` and `whileFalse:` with literal blocks: a native loop.

use crate::invokable::Frame;
use crate::native::{self, NativeCode};
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct WhileLoop {
    pub condition: Node,
    pub body: Node,
    /// true for `whileTrue:`, false for `whileFalse:`.
    pub expected: bool,
    /// The loop compiled on its own, once it ran long in an interpreted activation.
    pub native: NativeCode,
}

impl WhileLoop {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let continue_value = Value::boolean(self.expected);
        loop {
            let condition = self.condition.execute(u, frame)?;
            if condition != continue_value {
                if condition == Value::boolean(!self.expected) {
                    return Ok(Value::NIL);
                }
                return Err(self.not_boolean(u));
            }
            self.body.execute(u, frame)?;
            if let Some(rest) = native::while_loop_iterated(u, self, frame) {
                return rest;
            }
        }
    }

    #[cold]
    pub fn not_boolean(&self, u: &mut Universe) -> crate::unwind::Unwind {
        let selector = if self.expected {
            "whileTrue:"
        } else {
            "whileFalse:"
        };
        u.vm_error(format!(
            "The receiver block of {selector} answered a non-Boolean."
        ))
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.condition.trace(tracer);
        self.body.trace(tracer);
        self.native.trace(tracer);
    }
}
