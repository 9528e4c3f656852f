//! Compiled SOM methods as first-class objects (class `Method`).

use super::CompiledBody;
use std::cell::Cell;
use std::ptr::NonNull;
use yerba_mop::heap::{GcHeader, Tracer, TypeInfo};
use yerba_mop::object::{allocate_object, is_kind, Allocator, Gc, Layout, ObjHeader};
use yerba_mop::Value;

#[repr(C)]
pub struct Method {
    header: ObjHeader,
    signature: Value,
    holder: Cell<Value>,
    code: CompiledBody,
}

pub static METHOD_TYPE: TypeInfo = TypeInfo {
    name: "Method",
    trace: trace_method,
    finalize: Some(finalize_method),
};

unsafe fn trace_method(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with METHOD_TYPE.
    let method: Gc<Method> = Gc::from_header(obj);
    tracer.mark_value(method.header.layout().value());
    tracer.mark_value(method.signature);
    tracer.mark_value(method.holder.get());
    method.code.trace(tracer);
}

unsafe fn finalize_method(obj: NonNull<GcHeader>) {
    // SAFETY: the object is dead and its code was written once in `allocate`.
    let method: Gc<Method> = Gc::from_header(obj);
    std::ptr::drop_in_place(&mut (*method.as_ptr()).code);
}

impl Method {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        signature: Value,
        code: CompiledBody,
    ) -> Gc<Method> {
        let method: Gc<Method> = allocate_object(
            alloc,
            std::mem::size_of::<Method>(),
            &METHOD_TYPE,
            Some(layout),
        )
        .unwrap_or_else(|e| crate::universe::fatal_out_of_memory(e));
        // SAFETY: fresh memory: write the fields without dropping the zeroed bytes.
        unsafe {
            let raw = method.as_ptr();
            (*raw).signature = signature;
            std::ptr::write(&mut (*raw).code, code);
        }
        method
    }

    pub fn is_method(v: Value) -> bool {
        is_kind(v, &METHOD_TYPE)
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

    #[inline(always)]
    pub fn code(&self) -> &CompiledBody {
        &self.code
    }
}
