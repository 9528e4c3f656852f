//! The VM value stack: the slots of activations whose variables no block captures.
//! It is a precise GC root up to its top; a frame's slots are popped when it returns.

use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct ValueStack {
    slots: Box<[Cell<Value>]>,
    top: usize,
}

impl ValueStack {
    pub fn new(capacity: usize) -> ValueStack {
        ValueStack {
            slots: (0..capacity).map(|_| Cell::new(Value::NIL)).collect(),
            top: 0,
        }
    }

    /// Reserves `size` slots, fills the first ones with `args` and the rest with nil; answers
    /// the base index to pass to `pop_frame`, or `None` when the stack is exhausted.
    #[inline(always)]
    pub fn push_frame(&mut self, args: &[Value], size: usize) -> Option<usize> {
        let base = self.top;
        let end = base + size;
        let frame = self.slots.get(base..end)?;
        // Callers size frames for their arguments; checking it once lets the copy below be
        // as long as the (often constant) number of arguments.
        assert!(args.len() <= size, "a frame has a slot for every argument");
        // Frames hold a handful of slots: plain stores beat a call to memcpy or memset, so the
        // stores are volatile to keep the compiler from turning the loops into such calls.
        let slots = frame.as_ptr() as *mut Value;
        for (i, arg) in args.iter().enumerate() {
            // SAFETY: `i < args.len() <= size`, within the frame just bounds-checked.
            unsafe { slots.add(i).write_volatile(*arg) };
        }
        for i in args.len()..size {
            // SAFETY: `i < size`, within the frame.
            unsafe { slots.add(i).write_volatile(Value::NIL) };
        }
        self.top = end;
        Some(base)
    }

    /// Whether `address` is that of a slot in use (below the top).
    #[inline(always)]
    pub fn holds(&self, address: usize) -> bool {
        let start = self.slots.as_ptr() as usize;
        (start..start + self.top * std::mem::size_of::<Value>()).contains(&address)
    }

    #[inline(always)]
    pub fn pop_frame(&mut self, base: usize) {
        self.top = base;
    }

    /// The first slot of the frame at `base` (a base `push_frame` answered, so within the
    /// stack: no bounds check).
    #[inline(always)]
    pub fn slots_at(&self, base: usize) -> *const Cell<Value> {
        debug_assert!(base <= self.top);
        self.slots.as_ptr().wrapping_add(base)
    }

    pub fn set(&self, index: usize, value: Value) {
        self.slots[index].set(value);
    }

    /// The values of slots `base..base + len`, which stay in place until the region is popped.
    ///
    /// # Safety
    /// The caller must not use the slice after popping the region.
    pub unsafe fn values_at(&self, base: usize, len: usize) -> &'static [Value] {
        let region = &self.slots[base..base + len];
        // SAFETY: `Cell<Value>` has the layout of `Value`; the boxed slots never move.
        std::slice::from_raw_parts(region.as_ptr() as *const Value, len)
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        for slot in &self.slots[..self.top] {
            tracer.mark_value(slot.get());
        }
    }
}
