//! Methods implemented in Rust (class `Primitive`).

use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::Cell;
use std::ptr::NonNull;
use yerba_mop::heap::{GcHeader, Tracer, TypeInfo};
use yerba_mop::object::{allocate_object, is_kind, Allocator, Gc, Layout, ObjHeader};
use yerba_mop::Value;

/// A primitive's implementation; `args[0]` is the receiver.
pub type PrimitiveFn = fn(&mut Universe, &[Value]) -> Exec;

#[repr(C)]
pub struct Primitive {
    header: ObjHeader,
    signature: Value,
    holder: Cell<Value>,
    /// `None` for a primitive the VM does not implement: calling it is an error, loading is not.
    function: Option<PrimitiveFn>,
}

pub static PRIMITIVE_TYPE: TypeInfo = TypeInfo {
    name: "Primitive",
    trace: trace_primitive,
    finalize: None,
};

unsafe fn trace_primitive(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with PRIMITIVE_TYPE.
    let primitive: Gc<Primitive> = Gc::from_header(obj);
    tracer.mark_value(primitive.header.layout().value());
    tracer.mark_value(primitive.signature);
    tracer.mark_value(primitive.holder.get());
}

impl Primitive {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        signature: Value,
        function: Option<PrimitiveFn>,
    ) -> Gc<Primitive> {
        let primitive: Gc<Primitive> = allocate_object(
            alloc,
            std::mem::size_of::<Primitive>(),
            &PRIMITIVE_TYPE,
            Some(layout),
        )
        .unwrap_or_else(|e| crate::universe::fatal_out_of_memory(e));
        // SAFETY: fresh, unshared memory.
        unsafe {
            let raw = primitive.as_ptr();
            (*raw).signature = signature;
            (*raw).function = function;
        }
        primitive
    }

    pub fn is_primitive(v: Value) -> bool {
        is_kind(v, &PRIMITIVE_TYPE)
    }

    pub fn signature(&self) -> Value {
        self.signature
    }

    pub fn holder(&self) -> Value {
        self.holder.get()
    }

    pub fn set_holder(&self, holder: Value) {
        self.holder.set(holder)
    }

    /// The implementation, or `None` for a primitive the VM does not implement.
    pub fn function(&self) -> Option<PrimitiveFn> {
        self.function
    }

    #[inline(always)]
    pub fn call(&self, u: &mut Universe, args: &[Value]) -> Exec {
        match self.function {
            Some(function) => function(u, args),
            None => Err(u.missing_primitive(self.holder.get(), self.signature)),
        }
    }
}
