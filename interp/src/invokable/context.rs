//! Heap-allocated activation variables, for activations whose variables inner blocks capture.
//! A method's context also identifies the activation for non-local returns: `active` is
//! cleared when it returns, after which a `^` aimed at it is an escaped-block return.

use std::cell::Cell;
use std::ptr::NonNull;
use yerba_mop::heap::{GcHeader, Tracer, TypeInfo};
use yerba_mop::object::{
    allocate_object, is_kind, size_with_tail, tail, Allocator, Gc, Layout, ObjHeader,
};
use yerba_mop::Value;

#[repr(C)]
pub struct Context {
    header: ObjHeader,
    outer: Value,
    active: Cell<bool>,
    len: usize,
}

pub static CONTEXT_TYPE: TypeInfo = TypeInfo {
    name: "Context",
    trace: trace_context,
    finalize: None,
};

unsafe fn trace_context(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with CONTEXT_TYPE.
    let context: Gc<Context> = Gc::from_header(obj);
    tracer.mark_value(context.header.layout().value());
    tracer.mark_value(context.outer);
    for slot in context.slots() {
        tracer.mark_value(slot.get());
    }
}

impl Context {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        outer: Value,
        len: usize,
    ) -> Gc<Context> {
        let size = size_with_tail::<Context, Value>(len);
        let context: Gc<Context> = allocate_object(alloc, size, &CONTEXT_TYPE, Some(layout))
            .unwrap_or_else(|e| crate::universe::fatal_out_of_memory(e));
        // SAFETY: fresh, unshared memory.
        unsafe {
            let raw = context.as_ptr();
            (*raw).outer = outer;
            (*raw).len = len;
        }
        context.active.set(true);
        context
    }

    /// Where a context keeps its enclosing context, for native code.
    pub const OUTER_OFFSET: usize = std::mem::offset_of!(Context, outer);
    /// Where a context's first slot is, for native code.
    pub const SLOTS_OFFSET: usize = std::mem::size_of::<Context>();

    pub fn is_context(v: Value) -> bool {
        is_kind(v, &CONTEXT_TYPE)
    }

    #[inline(always)]
    pub fn outer(&self) -> Value {
        self.outer
    }

    #[inline(always)]
    pub fn is_active(&self) -> bool {
        self.active.get()
    }

    pub fn deactivate(&self) {
        self.active.set(false)
    }

    #[inline(always)]
    pub fn slots(&self) -> &[Cell<Value>] {
        // SAFETY: allocated with `len` trailing slots.
        unsafe { tail(self, self.len) }
    }
}
