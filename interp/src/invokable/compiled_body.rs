//! The executable form of a method or block body, produced by the compiler.

use crate::nodes::Node;
use crate::vm_error::SourceFile;
use std::rc::Rc;
use yerba_mop::heap::Tracer;
use yerba_parser::syntax::Pos;

pub struct CompiledBody {
    pub body: Node,
    /// Number of parameters, not counting the receiver (or the block itself).
    pub arity: usize,
    /// Slots of an activation: slot 0 is the receiver (for a block, the block), then the
    /// parameters, the locals, and the locals of blocks inlined into this body.
    pub frame_size: usize,
    /// Whether an inner block reaches this activation's variables or returns through it, so that
    /// the variables must live in a heap `Context` instead of on the VM stack.
    pub needs_context: bool,
    pub file: Rc<SourceFile>,
    pub pos: Pos,
}

impl CompiledBody {
    pub fn trace(&self, tracer: &mut Tracer) {
        self.body.trace(tracer);
    }
}
