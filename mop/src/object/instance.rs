//! Plain instances of SOM classes: a header followed by the fields, all nil at first.

use super::{allocate_object, size_with_tail, tail, Allocator, Gc, Layout, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use crate::Value;
use std::cell::Cell;
use std::ptr::NonNull;

#[repr(C)]
pub struct Instance {
    header: ObjHeader,
}

pub static INSTANCE_TYPE: TypeInfo = TypeInfo {
    name: "Instance",
    trace: trace_instance,
    finalize: None,
};

unsafe fn trace_instance(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with INSTANCE_TYPE.
    let instance: Gc<Instance> = Gc::from_header(obj);
    tracer.mark_value(instance.header.layout().value());
    for field in instance.fields() {
        tracer.mark_value(field.get());
    }
}

impl Instance {
    /// The offset of the first field, recorded in every instance layout.
    pub const FIELDS_OFFSET: usize = std::mem::size_of::<Instance>();

    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
    ) -> Result<Gc<Instance>, OutOfMemory> {
        let size = size_with_tail::<Instance, Value>(layout.storage());
        allocate_object(alloc, size, &INSTANCE_TYPE, Some(layout))
    }

    pub fn fields(&self) -> &[Cell<Value>] {
        // SAFETY: allocated with `storage` trailing values (see `allocate`); a layout change
        // (MOP) only ever swaps in a layout whose storage is the object's (`changeShape:` fits
        // the shape to it), and `field_count <= storage`.
        unsafe { tail(self, self.header.layout().field_count()) }
    }
}
