//! `ifNil:`, `ifNotNil:`, `ifNil:ifNotNil:` and `ifNotNil:ifNil:` with literal blocks. Any
//! receiver is valid, so there is no fallback.

use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct IfNil {
    pub receiver: Node,
    /// Runs when the receiver is nil; without it the answer is nil.
    pub if_nil: Option<Node>,
    /// Runs when the receiver is not nil; without it the answer is the receiver. (A block with
    /// a parameter is not inlined: the library sends it `value`, whose answer it defines.)
    pub if_not_nil: Option<Node>,
}

impl IfNil {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let receiver = self.receiver.execute(u, frame)?;
        if receiver.is_nil() {
            match &self.if_nil {
                Some(body) => body.execute(u, frame),
                None => Ok(Value::NIL),
            }
        } else {
            match &self.if_not_nil {
                Some(body) => body.execute(u, frame),
                None => Ok(receiver),
            }
        }
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.receiver.trace(tracer);
        if let Some(body) = &self.if_nil {
            body.trace(tracer);
        }
        if let Some(body) = &self.if_not_nil {
            body.trace(tracer);
        }
    }
}
