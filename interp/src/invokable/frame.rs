//! The activation record a node executes in.
//!
//! A frame lives on the native stack and points at its slots, which are either a region of the
//! VM value stack (a GC root) or the slots of a heap [`Context`] when inner blocks capture them.

use super::Context;
use std::cell::Cell;
use yerba_mop::object::Gc;
use yerba_mop::Value;

/// The fields are in a fixed order of five words, so that the search for the running
/// activations (`intercession/patching.rs`) can recognise frames among the words of the native
/// stack; see [`Frame::WORDS`].
#[repr(C)]
pub struct Frame {
    slots: *const Cell<Value>,
    /// `self` of the home method.
    pub receiver: Value,
    /// The context of the lexically enclosing activation (for a block), else nil.
    pub outer: Value,
    /// This activation's own heap context, or nil when its slots are on the VM stack.
    pub context: Value,
    /// The method this activation runs (for a block, its home method).
    pub method: Value,
}

impl Frame {
    /// The words of a frame in memory: slots, receiver, outer, context, method.
    pub const WORDS: usize = 5;

    pub fn new(
        slots: *const Cell<Value>,
        receiver: Value,
        outer: Value,
        context: Value,
        method: Value,
    ) -> Frame {
        Frame {
            slots,
            receiver,
            outer,
            context,
            method,
        }
    }

    /// The start of the slots, for `Context` views of the activation.
    pub fn slots_ptr(&self) -> *const Cell<Value> {
        self.slots
    }

    #[inline(always)]
    pub fn slot(&self, index: usize) -> &Cell<Value> {
        // SAFETY: the compiler only emits slot indices below the body's frame size, and the
        // slots outlive the frame (VM stack region popped after it, or a heap context it roots).
        unsafe { &*self.slots.add(index) }
    }

    /// The context `depth` lexical levels out (1 = the enclosing activation).
    #[inline(always)]
    pub fn outer_context(&self, depth: usize) -> Gc<Context> {
        // SAFETY: the compiler gives every activation that an inner block reaches through
        // a heap context, so the chain of `outer` links is at least `depth` long.
        let mut context: Gc<Context> = unsafe { Gc::from_value(self.outer) };
        for _ in 1..depth {
            // SAFETY: as above, each context on the chain has an outer context up to `depth`.
            context = unsafe { Gc::from_value(context.outer()) };
        }
        context
    }
}

const _: () = assert!(std::mem::size_of::<Frame>() == Frame::WORDS * std::mem::size_of::<usize>());
