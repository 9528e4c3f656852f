//! A block written in the source that is not inlined: each evaluation creates a closure over
//! the current activation's context and receiver.

use crate::invokable::{Block, CompiledBody, Frame};
use crate::universe::Universe;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct BlockLiteral {
    pub code: CompiledBody,
}

impl BlockLiteral {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Value {
        let layout = u.layouts.blocks[self.code.arity.min(4)];
        Block::allocate(
            u,
            layout,
            &self.code,
            frame.method,
            frame.context,
            frame.receiver,
        )
        .value()
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.code.trace(tracer)
    }
}
