//! Layouts (shapes): what every heap object points to. A layout names the class of its objects,
//! where their fields live, and the environment (metaobject) attached to them.
//!
//! Layouts are shared and compared by identity: all plain instances of a class share the class's
//! instance layout, so a send site or field access can guard on one pointer comparison.

use super::{allocate_object, Allocator, Gc, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use crate::Value;
use std::cell::Cell;
use std::ptr::NonNull;

#[repr(C)]
pub struct Layout {
    header: ObjHeader,
    class: Cell<Value>,
    environment: Cell<Value>,
    /// For a layout carrying an environment or watched: the plain layout (same class and
    /// storage, no environment, not watched) it is a sibling of. Nil for plain layouts.
    plain: Cell<Value>,
    /// Number of fields an object of this layout has.
    field_count: u32,
    /// Byte offset of the first field from the start of the object.
    fields_offset: u32,
    /// Whether writes to the fields of objects with this layout must be reported: the VM gives
    /// such layouts to objects its caches depend on (installed environments).
    watched: bool,
}

pub static LAYOUT_TYPE: TypeInfo = TypeInfo {
    name: "Layout",
    trace: trace_layout,
    finalize: None,
};

unsafe fn trace_layout(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: the collector only calls this for objects allocated with LAYOUT_TYPE.
    let layout: Gc<Layout> = Gc::from_header(obj);
    if let Some(meta) = layout.header.layout.get() {
        tracer.mark_value(meta.value());
    }
    tracer.mark_value(layout.class.get());
    tracer.mark_value(layout.environment.get());
    tracer.mark_value(layout.plain.get());
}

impl Layout {
    /// A new layout for objects of `class` with `field_count` fields starting at `fields_offset`.
    /// `meta` is the layout of layout objects themselves (absent while booting).
    pub fn allocate(
        alloc: &mut dyn Allocator,
        meta: Option<Gc<Layout>>,
        class: Value,
        field_count: usize,
        fields_offset: usize,
    ) -> Result<Gc<Layout>, OutOfMemory> {
        let layout: Gc<Layout> =
            allocate_object(alloc, std::mem::size_of::<Layout>(), &LAYOUT_TYPE, meta)?;
        layout.class.set(class);
        // SAFETY: freshly allocated, not yet shared; these fields are written once here.
        unsafe {
            let raw = layout.as_ptr();
            (*raw).field_count = field_count as u32;
            (*raw).fields_offset = fields_offset as u32;
        }
        Ok(layout)
    }

    #[inline(always)]
    pub fn class(&self) -> Value {
        self.class.get()
    }

    pub fn set_class(&self, class: Value) {
        self.class.set(class);
    }

    #[inline(always)]
    pub fn environment(&self) -> Value {
        self.environment.get()
    }

    pub fn set_environment(&self, env: Value) {
        self.environment.set(env);
    }

    /// The layout with the same class and storage but no environment and not watched (itself
    /// if it is such a layout).
    pub fn plain(&self) -> Option<Gc<Layout>> {
        // SAFETY: `plain` only ever holds nil or a layout.
        (!self.plain.get().is_nil()).then(|| unsafe { Gc::from_value(self.plain.get()) })
    }

    #[inline(always)]
    pub fn watched(&self) -> bool {
        self.watched
    }

    /// A sibling of the plain layout `plain` carrying `environment` and watched or not:
    /// objects moved to it keep their class and field storage.
    pub fn allocate_sibling(
        alloc: &mut dyn Allocator,
        plain: Gc<Layout>,
        environment: Value,
        watched: bool,
    ) -> Result<Gc<Layout>, OutOfMemory> {
        let sibling = Layout::allocate(
            alloc,
            plain.header.layout.get(),
            plain.class(),
            plain.field_count(),
            plain.fields_offset(),
        )?;
        sibling.environment.set(environment);
        sibling.plain.set(plain.value());
        // SAFETY: freshly allocated, not yet shared.
        unsafe { (*sibling.as_ptr()).watched = watched };
        Ok(sibling)
    }

    #[inline(always)]
    pub fn field_count(&self) -> usize {
        self.field_count as usize
    }

    #[inline(always)]
    pub fn fields_offset(&self) -> usize {
        self.fields_offset as usize
    }

    /// The `index`th (0-based) field slot of `object`, which must have this layout.
    ///
    /// # Safety
    /// `object` must point to a live object whose layout is `self` and `index < field_count`.
    #[inline(always)]
    pub unsafe fn field_slot(&self, object: Value, index: usize) -> &'static Cell<Value> {
        debug_assert!(index < self.field_count());
        &*((object.bits() as usize + self.fields_offset() + index * 8) as *const Cell<Value>)
    }
}
