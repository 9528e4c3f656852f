//! A normal message send: evaluate the receiver and arguments, then dispatch through the
//! site's chain. Arities up to three keep their values in a fixed array on the native stack.

use super::DispatchChain;
use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

pub struct Send {
    pub selector: Value,
    pub receiver: Node,
    pub args: Box<[Node]>,
    pub chain: DispatchChain,
    pub pos: Pos,
}

impl Send {
    pub fn new(selector: Value, receiver: Node, args: Vec<Node>, pos: Pos) -> Send {
        Send {
            selector,
            receiver,
            args: args.into_boxed_slice(),
            chain: DispatchChain::default(),
            pos,
        }
    }

    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let receiver = self.receiver.execute(u, frame)?;
        let result = match &*self.args {
            [] => self.chain.dispatch(u, self.selector, &[receiver]),
            [a] => {
                let a = a.execute(u, frame)?;
                self.chain.dispatch(u, self.selector, &[receiver, a])
            }
            [a, b] => {
                let a = a.execute(u, frame)?;
                let b = b.execute(u, frame)?;
                self.chain.dispatch(u, self.selector, &[receiver, a, b])
            }
            [a, b, c] => {
                let a = a.execute(u, frame)?;
                let b = b.execute(u, frame)?;
                let c = c.execute(u, frame)?;
                self.chain.dispatch(u, self.selector, &[receiver, a, b, c])
            }
            args => super::with_evaluated_args(u, frame, receiver, args, |u, values| {
                self.chain.dispatch(u, self.selector, values)
            }),
        };
        if result == Err(Unwind::Error) {
            u.note_error_position(self.pos);
        }
        result
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.selector);
        self.receiver.trace(tracer);
        self.args.iter().for_each(|a| a.trace(tracer));
        self.chain.trace(tracer);
    }
}
