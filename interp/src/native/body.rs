//! What the tier keeps per compiled body: how often the interpreter ran it, and its native
//! code once compiled.

use super::runtime::NativeEntry;
use std::cell::{Cell, RefCell};
use yerba_jit::CompiledCode;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

#[derive(Default)]
pub struct NativeBody {
    /// Activations run by the interpreter so far (saturating).
    invocations: Cell<u32>,
    /// The compiled code's entry, which activations call instead of interpreting the body.
    entry: Cell<Option<NativeEntry>>,
    unit: RefCell<Option<Unit>>,
    /// Compilation was refused (too big); the body stays interpreted.
    given_up: Cell<bool>,
}

/// Compiled code and the heap objects it refers to by address.
struct Unit {
    /// Dropped (freed) with the body, when the method it belongs to is collected: no activation
    /// can run it then, as every activation keeps its method alive through its frame.
    _code: CompiledCode,
    keep_alive: Vec<Value>,
}

impl NativeBody {
    #[inline(always)]
    pub fn entry(&self) -> Option<NativeEntry> {
        self.entry.get()
    }

    /// Counts an interpreted activation: whether the body should now be compiled, having run
    /// `threshold` times.
    #[inline(always)]
    pub fn due(&self, threshold: u32) -> bool {
        let count = self.invocations.get().saturating_add(1);
        self.invocations.set(count);
        count >= threshold && !self.given_up.get()
    }

    pub fn invocations(&self) -> u32 {
        self.invocations.get()
    }

    pub(super) fn install(&self, code: CompiledCode, keep_alive: Vec<Value>) -> NativeEntry {
        // SAFETY: the unit was compiled with the signature of `NativeEntry` (two word
        // parameters, a NativeExec answer) by `compile_body`.
        let entry: NativeEntry = unsafe { std::mem::transmute(code.entry()) };
        *self.unit.borrow_mut() = Some(Unit {
            _code: code,
            keep_alive,
        });
        self.entry.set(Some(entry));
        entry
    }

    pub(super) fn give_up(&self) {
        self.given_up.set(true);
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        if let Some(unit) = &*self.unit.borrow() {
            unit.keep_alive.iter().for_each(|v| tracer.mark_value(*v));
        }
    }
}
