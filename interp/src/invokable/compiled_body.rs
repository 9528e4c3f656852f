//! The executable form of a method or block body, produced by the compiler.

use crate::intercession::VariableNames;
use crate::nodes::{FieldWrite, Node, NodeKind};
use crate::vm_error::SourceFile;
use std::cell::Cell;
use std::rc::Rc;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
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
    /// Whether the body assigns to one of its parameters: if it does not and has no other
    /// slots, its frame's slots can be the caller's argument values themselves.
    pub assigns_parameters: bool,
    pub file: Rc<SourceFile>,
    pub pos: Pos,
    /// The names of the activation's variables, for `Context` views.
    pub variables: Rc<VariableNames>,
    /// Whether this body reads and writes its variables through intercession sites (MOP).
    pub intercepts: bool,
    /// Whether this plain body was made intercepting in place, because an environment was
    /// installed while an activation of it or of its method ran (`intercession/patching.rs`):
    /// its activations then end as those of the twin do.
    pub patched: Cell<bool>,
    /// The same code compiled with intercession sites, which activations run while
    /// metaobjects may redefine their operations; `None` for a body that has them itself, and
    /// under `--no-mop`.
    pub twin: Option<Box<CompiledBody>>,
    /// Whether the body uses its last parameter only to answer it from its final statement.
    /// Nothing can observe that argument then, so a caller may pass a placeholder and recognise
    /// it in the answer: activation handlers get no activation array (docs/mop.md).
    pub passes_last_argument_through: bool,
    /// The native tier's counters and code for this body.
    pub native: crate::native::NativeCode,
}

/// A method body simple enough for a send site to run it without an activation.
#[derive(Clone, Copy)]
pub enum Trivial {
    /// `^field` (0-based field index).
    Getter(u32),
    /// `field := argument`, answering self, or `^field := argument`, answering the argument.
    Setter { index: u32, answers_argument: bool },
    /// `^literal`.
    Constant(Value),
    /// An empty method.
    SelfReturn,
}

impl CompiledBody {
    /// The body to run when intercession applies.
    #[inline(always)]
    pub fn with_intercession(&self) -> &CompiledBody {
        self.twin.as_deref().unwrap_or(self)
    }

    /// Recognises the trivial method bodies (see [`Trivial`]).
    pub fn trivial(&self) -> Option<Trivial> {
        let setter = |write: &FieldWrite, answers_argument| {
            matches!(write.value.kind(), NodeKind::ArgumentRead(1)).then_some(Trivial::Setter {
                index: write.access.index,
                answers_argument,
            })
        };
        match self.body.kind() {
            NodeKind::FieldRead(read) => Some(Trivial::Getter(read.access.index)),
            NodeKind::Literal(value) => Some(Trivial::Constant(*value)),
            NodeKind::SelfRead => Some(Trivial::SelfReturn),
            NodeKind::FieldWrite(write) => setter(write, true),
            NodeKind::Sequence(statements) => match &**statements {
                [first, last] => match (first.kind(), last.kind()) {
                    (NodeKind::FieldWrite(write), NodeKind::SelfRead) => setter(write, false),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.body.trace(tracer);
        self.native.trace(tracer);
        if let Some(twin) = &self.twin {
            twin.trace(tracer);
        }
    }
}
