//! SOM Arrays: fixed-size, 1-based at the language level, 0-based here.

use super::{allocate_object, size_with_tail, tail, Allocator, Gc, Layout, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use crate::Value;
use std::cell::Cell;
use std::ptr::NonNull;

#[repr(C)]
pub struct Array {
    header: ObjHeader,
    len: usize,
}

pub static ARRAY_TYPE: TypeInfo = TypeInfo {
    name: "Array",
    trace: trace_array,
    finalize: None,
};

unsafe fn trace_array(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with ARRAY_TYPE.
    let array: Gc<Array> = Gc::from_header(obj);
    tracer.mark_value(array.header.layout().value());
    for item in array.items() {
        tracer.mark_value(item.get());
    }
}

impl Array {
    /// A new array of `len` nils.
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        len: usize,
    ) -> Result<Gc<Array>, OutOfMemory> {
        let array: Gc<Array> = allocate_object(
            alloc,
            size_with_tail::<Array, Value>(len),
            &ARRAY_TYPE,
            Some(layout),
        )?;
        // SAFETY: freshly allocated and not yet shared.
        unsafe { (*array.as_ptr()).len = len };
        Ok(array)
    }

    pub fn is_array(v: Value) -> bool {
        super::is_kind(v, &ARRAY_TYPE)
    }

    /// `v` as an array, if it is one.
    pub fn of(v: Value) -> Option<Gc<Array>> {
        // SAFETY: kind checked first.
        Self::is_array(v).then(|| unsafe { Gc::from_value(v) })
    }

    /// Where an array keeps its length, for native code.
    pub const LENGTH_OFFSET: usize = std::mem::offset_of!(Array, len);
    /// Where an array's first item is, for native code.
    pub const ITEMS_OFFSET: usize = std::mem::size_of::<Array>();

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    pub fn items(&self) -> &[Cell<Value>] {
        // SAFETY: allocated with `len` trailing values.
        unsafe { tail(self, self.len) }
    }

    #[inline(always)]
    pub fn get(&self, index: usize) -> Option<Value> {
        self.items().get(index).map(Cell::get)
    }

    pub fn to_vec(&self) -> Vec<Value> {
        self.items().iter().map(Cell::get).collect()
    }
}
