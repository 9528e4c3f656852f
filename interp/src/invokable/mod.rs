//! What a send can invoke (compiled methods, primitives, blocks) and the activations they run in.

mod activation;
mod block;
mod compiled_body;
mod context;
mod frame;
mod frame_view;
mod method;
mod primitive;

pub use activation::{
    activate_block, activate_method, activate_method_reflectively, activate_method_with,
};
pub use block::Block;
pub use compiled_body::{CompiledBody, Trivial};
pub use context::Context;
pub use frame::Frame;
pub use frame_view::{FrameView, ViewOf, FRAME_VIEW_TYPE};
pub use method::Method;
pub use primitive::{Primitive, PrimitiveFn};

use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::object::Gc;
use yerba_mop::Value;

/// A resolved send target, as cached in dispatch chains.
#[derive(Clone, Copy)]
pub enum Target {
    Method(Gc<Method>),
    Primitive(Gc<Primitive>),
}

impl Target {
    /// The target a method object (a `Method` or a `Primitive`) stands for.
    pub fn of(method: Value) -> Option<Target> {
        if Method::is_method(method) {
            // SAFETY: kind checked just above.
            Some(Target::Method(unsafe { Gc::from_value(method) }))
        } else if Primitive::is_primitive(method) {
            // SAFETY: kind checked just above.
            Some(Target::Primitive(unsafe { Gc::from_value(method) }))
        } else {
            None
        }
    }

    pub fn value(self) -> Value {
        match self {
            Target::Method(m) => m.value(),
            Target::Primitive(p) => p.value(),
        }
    }

    /// Runs the target; `args[0]` is the receiver.
    #[inline(always)]
    pub fn invoke(self, u: &mut Universe, args: &[Value]) -> Exec {
        match self {
            Target::Method(m) => activate_method(u, m, args),
            Target::Primitive(p) => p.call(u, args),
        }
    }
}
