//! Layouts (shapes): what every heap object points to. A layout names the class of its objects,
//! where their fields live, and the environment (metaobject) attached to them.
//!
//! Layouts are shared and compared by identity: all plain instances of a class share the class's
//! instance layout, so a send site or field access can guard on one pointer comparison.
//!
//! Objects have a fixed size, but the MOP can move an object to a shape with another number of
//! fields (`changeShape:`). So a layout records two counts: the fields its shape gives objects
//! (`shape_field_count`) and the field slots every object with it was allocated with at least
//! (`storage`). Only the first `min` of the two are stored in place ([`Layout::field_count`]),
//! the only fields that code reading at fixed offsets may touch; slots past them are nil.

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
    /// For a layout carrying an environment, watched or fitted to a smaller or larger storage:
    /// the plain layout (same class and shape, no environment, not watched, storage for all its
    /// fields) it is a sibling of. Nil for plain layouts.
    plain: Cell<Value>,
    /// Number of fields the shape gives its objects (`Shape>>fieldsCount`).
    shape_field_count: u32,
    /// Number of field slots every object with this layout has: the shape's field count, but
    /// for a sibling fitted to the objects that moved to the shape with their own storage.
    storage: u32,
    /// Byte offset of the first field from the start of the object.
    fields_offset: u32,
    /// Whether writes to the fields of objects with this layout must be reported: the VM gives
    /// such layouts to objects its caches depend on (installed environments).
    watched: bool,
    /// Whether objects with this layout are representations the VM builds itself (arrays,
    /// strings, blocks, ...), which other objects must never share; siblings inherit it.
    reserved: Cell<bool>,
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
            (*raw).shape_field_count = field_count as u32;
            (*raw).storage = field_count as u32;
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

    /// The layout with the same class and shape, no environment, not watched and storage for all
    /// its fields (itself if it is such a layout).
    pub fn plain(&self) -> Option<Gc<Layout>> {
        // SAFETY: `plain` only ever holds nil or a layout.
        (!self.plain.get().is_nil()).then(|| unsafe { Gc::from_value(self.plain.get()) })
    }

    #[inline(always)]
    pub fn watched(&self) -> bool {
        self.watched
    }

    /// A sibling of the plain layout `plain` carrying `environment`, watched or not, for objects
    /// with `storage` field slots: objects moved to it keep their class, shape and storage.
    pub fn allocate_sibling(
        alloc: &mut dyn Allocator,
        plain: Gc<Layout>,
        environment: Value,
        watched: bool,
        storage: usize,
    ) -> Result<Gc<Layout>, OutOfMemory> {
        let sibling = Layout::allocate(
            alloc,
            plain.header.layout.get(),
            plain.class(),
            plain.shape_field_count(),
            plain.fields_offset(),
        )?;
        sibling.environment.set(environment);
        sibling.plain.set(plain.value());
        sibling.reserved.set(plain.reserved());
        // SAFETY: freshly allocated, not yet shared.
        unsafe {
            (*sibling.as_ptr()).watched = watched;
            (*sibling.as_ptr()).storage = storage as u32;
        }
        Ok(sibling)
    }

    /// Whether objects with this layout are VM representations (see [`Layout::reserve`]).
    #[inline(always)]
    pub fn reserved(&self) -> bool {
        self.reserved.get()
    }

    /// Reserves this layout to the objects of one VM representation; done once at boot.
    pub fn reserve(&self) {
        self.reserved.set(true);
    }

    /// Number of fields stored in place in objects with this layout: those of the shape that
    /// the objects have slots for. Field `index` can be accessed at a fixed offset (see
    /// [`Layout::field_slot`]) if and only if `index < field_count()`.
    /// Where a layout keeps its environment, for native code.
    pub const ENVIRONMENT_OFFSET: usize = std::mem::offset_of!(Layout, environment);
    /// Where a layout keeps its shape's field count (a `u32`), for native code.
    pub const SHAPE_FIELD_COUNT_OFFSET: usize = std::mem::offset_of!(Layout, shape_field_count);
    /// Where a layout keeps its storage (a `u32`), for native code.
    pub const STORAGE_OFFSET: usize = std::mem::offset_of!(Layout, storage);
    /// Where a layout keeps its fields' byte offset (a `u32`), for native code.
    pub const FIELDS_OFFSET_OFFSET: usize = std::mem::offset_of!(Layout, fields_offset);
    /// Where a layout keeps whether it is watched (a `bool`), for native code.
    pub const WATCHED_OFFSET: usize = std::mem::offset_of!(Layout, watched);

    #[inline(always)]
    pub fn field_count(&self) -> usize {
        self.shape_field_count.min(self.storage) as usize
    }

    /// Number of fields the shape gives its objects, stored in place or not.
    #[inline(always)]
    pub fn shape_field_count(&self) -> usize {
        self.shape_field_count as usize
    }

    /// Number of field slots every object with this layout was allocated with (at least).
    #[inline(always)]
    pub fn storage(&self) -> usize {
        self.storage as usize
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
