//! SOM DoubleArrays: fixed-size arrays of unboxed 64-bit floats, 1-based at the language
//! level, 0-based here. Their items are not values, so the collector traces only the layout.

use super::{allocate_object, size_with_tail, tail, Allocator, Gc, Layout, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use crate::Value;
use std::cell::Cell;
use std::ptr::NonNull;

#[repr(C)]
pub struct DoubleArray {
    header: ObjHeader,
    len: usize,
}

pub static DOUBLE_ARRAY_TYPE: TypeInfo = TypeInfo {
    name: "DoubleArray",
    trace: trace_double_array,
    finalize: None,
};

unsafe fn trace_double_array(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with DOUBLE_ARRAY_TYPE.
    let array: Gc<DoubleArray> = Gc::from_header(obj);
    tracer.mark_value(array.header.layout().value());
}

impl DoubleArray {
    /// A new array of `len` zeros (the heap hands out zero-filled memory, and the bits of
    /// 0.0 are all zero).
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        len: usize,
    ) -> Result<Gc<DoubleArray>, OutOfMemory> {
        let array: Gc<DoubleArray> = allocate_object(
            alloc,
            size_with_tail::<DoubleArray, f64>(len),
            &DOUBLE_ARRAY_TYPE,
            Some(layout),
        )?;
        // SAFETY: freshly allocated and not yet shared.
        unsafe { (*array.as_ptr()).len = len };
        Ok(array)
    }

    /// `v` as a double array, if it is one.
    pub fn of(v: Value) -> Option<Gc<DoubleArray>> {
        // SAFETY: kind checked first.
        super::is_kind(v, &DOUBLE_ARRAY_TYPE).then(|| unsafe { Gc::from_value(v) })
    }

    /// Where a double array keeps its length, for native code.
    pub const LENGTH_OFFSET: usize = std::mem::offset_of!(DoubleArray, len);
    /// Where its first float is, for native code.
    pub const ITEMS_OFFSET: usize = std::mem::size_of::<DoubleArray>();

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn items(&self) -> &[Cell<f64>] {
        // SAFETY: allocated with `len` trailing floats.
        unsafe { tail(self, self.len) }
    }
}
