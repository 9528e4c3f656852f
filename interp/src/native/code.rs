//! What the tier keeps per compilable unit (a method or block body, or a loop that the
//! interpreter runs long): how often the interpreter ran it, and its native code once compiled.

use std::cell::{Cell, RefCell};
use yerba_jit::CompiledCode;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct NativeCode {
    /// Activations (or loop iterations) run by the interpreter so far, saturating.
    count: Cell<u32>,
    /// The compiled code's entry, null until compiled. Its signature depends on the kind of
    /// unit ([`NativeEntry`](super::NativeEntry) for bodies).
    entry: Cell<*const u8>,
    unit: RefCell<Option<Unit>>,
    /// Compilation was refused (too big); the unit stays interpreted.
    given_up: Cell<bool>,
    /// The dispatch epoch the code was compiled in: its send sites inline the chains of that
    /// epoch, so a later epoch retires it (it stays correct, its guards fail, but slow).
    epoch: Cell<u64>,
    /// How often the unit was compiled.
    compilations: Cell<u32>,
    /// Whether the code was compiled asking the JIT lowering (it has element-wise loops).
    lowered: Cell<bool>,
    /// Whether the code depends on the dispatch epoch (it inlines chains or kernels, or has
    /// send sites): a later epoch retires it. Code that does not stays valid and as fast in
    /// any epoch, and is kept.
    epoch_bound: Cell<bool>,
}

impl Default for NativeCode {
    fn default() -> NativeCode {
        NativeCode {
            count: Cell::new(0),
            entry: Cell::new(std::ptr::null()),
            unit: RefCell::new(None),
            given_up: Cell::new(false),
            epoch: Cell::new(0),
            compilations: Cell::new(0),
            lowered: Cell::new(false),
            epoch_bound: Cell::new(false),
        }
    }
}

/// Compiled code and the heap objects it refers to by address.
pub(super) struct Unit {
    /// Dropped (freed) with its owner, when the method it belongs to is collected (no
    /// activation can run it then, as every activation keeps its method alive through its
    /// frame), or once retired when no return address on the native stack points into it.
    pub code: CompiledCode,
    pub keep_alive: Vec<Value>,
}

impl Unit {
    pub fn trace(&self, tracer: &mut Tracer) {
        self.keep_alive.iter().for_each(|v| tracer.mark_value(*v));
    }
}

impl NativeCode {
    /// Where the entry and the epoch are within a `NativeCode`, for native callers that read
    /// them from a body known only at run time (a block's).
    pub const ENTRY_OFFSET: usize = std::mem::offset_of!(NativeCode, entry);
    pub const EPOCH_OFFSET: usize = std::mem::offset_of!(NativeCode, epoch);

    /// The entry of the compiled code, null while there is none.
    #[inline(always)]
    pub fn entry(&self) -> *const u8 {
        self.entry.get()
    }

    /// Where the entry is kept, for native callers that load it at each call (it is set once
    /// the callee is compiled).
    pub fn entry_address(&self) -> *const *const u8 {
        self.entry.as_ptr()
    }

    /// Counts a run in the interpreter: whether the unit should now be compiled, having run
    /// `threshold` times.
    #[inline(always)]
    pub fn due(&self, threshold: u32) -> bool {
        let count = self.count.get().saturating_add(1);
        self.count.set(count);
        count >= threshold && !self.given_up.get()
    }

    /// Where the epoch of the code is kept, for native callers that check it at each call.
    pub fn epoch_address(&self) -> *const u64 {
        self.epoch.as_ptr()
    }

    /// Whether compiled code exists and was compiled before dispatch epoch `epoch`.
    #[inline(always)]
    pub fn stale(&self, epoch: u64) -> bool {
        self.epoch.get() != epoch && !self.entry.get().is_null()
    }

    /// How often the unit was compiled (more than once: recompiled after an invalidation).
    pub fn compilations(&self) -> u32 {
        self.compilations.get()
    }

    pub(super) fn install(
        &self,
        code: CompiledCode,
        keep_alive: Vec<Value>,
        epoch: u64,
        lowered: bool,
        epoch_bound: bool,
    ) -> *const u8 {
        let entry = code.entry();
        self.lowered.set(lowered);
        self.epoch_bound.set(epoch_bound);
        *self.unit.borrow_mut() = Some(Unit { code, keep_alive });
        self.entry.set(entry);
        self.epoch.set(epoch);
        self.compilations.set(self.compilations.get() + 1);
        entry
    }

    /// Takes the compiled code away: activations interpret the unit (and count towards its
    /// recompilation) from now on; those running it go on in it.
    pub(super) fn retire(&self) -> Option<Unit> {
        self.entry.set(std::ptr::null());
        self.count.set(0);
        self.unit.borrow_mut().take()
    }

    /// Whether the code was compiled asking the JIT lowering.
    pub(super) fn lowered(&self) -> bool {
        self.lowered.get()
    }

    /// Whether the code depends on the dispatch epoch it was compiled in.
    pub(super) fn epoch_bound(&self) -> bool {
        self.epoch_bound.get()
    }

    /// Marks code that does not depend on the dispatch epoch as current in `epoch` (native
    /// callers call it directly again).
    pub(super) fn renew(&self, epoch: u64) {
        self.epoch.set(epoch);
    }

    pub(super) fn give_up(&self) {
        self.given_up.set(true);
    }

    /// Whether compilation was refused for good.
    pub(super) fn given_up(&self) -> bool {
        self.given_up.get()
    }

    /// Leaves the unit to the interpreter for another threshold of runs (the JIT policy said
    /// not yet).
    pub(super) fn postpone(&self) {
        self.count.set(0);
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        if let Some(unit) = &*self.unit.borrow() {
            unit.trace(tracer);
        }
    }
}
