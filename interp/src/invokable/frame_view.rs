//! `Context` objects of the MOP: views of one activation, given to the handlers of local,
//! argument and return operations. A view reads and writes the activation's slots in place.
//! Slots on the VM stack disappear when the activation returns, so a view of them is
//! deactivated then and refuses access afterwards; a view of a heap context keeps it alive.

use crate::intercession::VariableNames;
use std::cell::Cell;
use std::ptr::NonNull;
use yerba_mop::heap::{GcHeader, Tracer, TypeInfo};
use yerba_mop::object::{allocate_object, is_kind, Allocator, Gc, Layout, ObjHeader};
use yerba_mop::Value;

#[repr(C)]
pub struct FrameView {
    header: ObjHeader,
    slots: *const Cell<Value>,
    /// The names of the activation's variables; owned by the AST of `method`.
    names: *const VariableNames,
    receiver: Value,
    /// The method the activation runs (for a block, its home method).
    method: Value,
    /// The heap context holding the slots, or nil when they are on the VM stack.
    context: Value,
    active: Cell<bool>,
}

pub static FRAME_VIEW_TYPE: TypeInfo = TypeInfo {
    name: "Context",
    trace: trace_frame_view,
    finalize: None,
};

unsafe fn trace_frame_view(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with FRAME_VIEW_TYPE.
    let view: Gc<FrameView> = Gc::from_header(obj);
    tracer.mark_value(view.header.layout().value());
    tracer.mark_value(view.receiver);
    tracer.mark_value(view.method);
    tracer.mark_value(view.context);
}

/// What a view is made of.
pub struct ViewOf {
    pub slots: *const Cell<Value>,
    pub names: *const VariableNames,
    pub receiver: Value,
    pub method: Value,
    pub context: Value,
}

impl FrameView {
    pub fn allocate(alloc: &mut dyn Allocator, layout: Gc<Layout>, of: ViewOf) -> Gc<FrameView> {
        let view: Gc<FrameView> = allocate_object(
            alloc,
            std::mem::size_of::<FrameView>(),
            &FRAME_VIEW_TYPE,
            Some(layout),
        )
        .unwrap_or_else(|e| crate::universe::fatal_out_of_memory(e));
        // SAFETY: fresh, unshared memory.
        unsafe {
            let raw = view.as_ptr();
            (*raw).slots = of.slots;
            (*raw).names = of.names;
            (*raw).receiver = of.receiver;
            (*raw).method = of.method;
            (*raw).context = of.context;
        }
        view.active.set(true);
        view
    }

    pub fn of(v: Value) -> Option<Gc<FrameView>> {
        // SAFETY: kind checked first.
        is_kind(v, &FRAME_VIEW_TYPE).then(|| unsafe { Gc::from_value(v) })
    }

    pub fn is_active(&self) -> bool {
        self.active.get()
    }

    pub fn deactivate(&self) {
        self.active.set(false)
    }

    pub fn receiver(&self) -> Value {
        self.receiver
    }

    pub fn method(&self) -> Value {
        self.method
    }

    pub fn names(&self) -> &VariableNames {
        // SAFETY: the names belong to the AST of `method`, which this view keeps alive.
        unsafe { &*self.names }
    }

    /// Slot `index` of the activation, while it runs.
    pub fn slot(&self, index: u32) -> Option<&Cell<Value>> {
        let in_range = (index as usize) < self.names().frame_size();
        // SAFETY: active views point at the live slots of their activation, of which there are
        // `frame_size`.
        (self.is_active() && in_range).then(|| unsafe { &*self.slots.add(index as usize) })
    }
}
