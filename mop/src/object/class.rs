//! Classes and metaclasses as first-class objects.
//!
//! A class object is an instance of its metaclass; its class-side fields are stored after the
//! fixed part, as described by the metaclass's instance layout. Methods are kept twice: in
//! declaration order (the `methods` Array that reflection answers) and in a hash table for lookup.

use super::{allocate_object, size_with_tail, tail, Allocator, Gc, Layout, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use crate::Value;
use rustc_hash::FxHashMap;
use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;

#[repr(C)]
pub struct Class {
    header: ObjHeader,
    name: Cell<Value>,
    superclass: Cell<Value>,
    /// Array of the instance field names (Symbols), inherited ones first.
    instance_fields: Cell<Value>,
    /// Array of the class's own methods in declaration order.
    methods: Cell<Value>,
    instance_layout: Cell<Option<Gc<Layout>>>,
    method_table: UnsafeCell<FxHashMap<Value, Value>>,
}

pub static CLASS_TYPE: TypeInfo = TypeInfo {
    name: "Class",
    trace: trace_class,
    finalize: Some(finalize_class),
};

unsafe fn trace_class(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with CLASS_TYPE.
    let class: Gc<Class> = Gc::from_header(obj);
    tracer.mark_value(class.header.layout().value());
    tracer.mark_value(class.name.get());
    tracer.mark_value(class.superclass.get());
    tracer.mark_value(class.instance_fields.get());
    tracer.mark_value(class.methods.get());
    if let Some(layout) = class.instance_layout.get() {
        tracer.mark_value(layout.value());
    }
    for (selector, method) in (*class.method_table.get()).iter() {
        tracer.mark_value(*selector);
        tracer.mark_value(*method);
    }
    for field in class.class_fields() {
        tracer.mark_value(field.get());
    }
}

unsafe fn finalize_class(obj: NonNull<GcHeader>) {
    // SAFETY: the object is dead; its method table was initialised in `allocate` and is dropped once.
    let class: Gc<Class> = Gc::from_header(obj);
    std::ptr::drop_in_place((*class.as_ptr()).method_table.get());
}

impl Class {
    /// Byte offset of the first class-side field; metaclass instance layouts record it.
    pub const FIELDS_OFFSET: usize = std::mem::size_of::<Class>();

    /// A new class object whose own layout is `layout` (the metaclass's instance layout, or
    /// `None` while the boot classes are being wired).
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Option<Gc<Layout>>,
        class_field_count: usize,
    ) -> Result<Gc<Class>, OutOfMemory> {
        let size = size_with_tail::<Class, Value>(class_field_count);
        let class: Gc<Class> = allocate_object(alloc, size, &CLASS_TYPE, layout)?;
        // SAFETY: fresh memory: write the table without dropping the zeroed bytes.
        unsafe { std::ptr::write((*class.as_ptr()).method_table.get(), FxHashMap::default()) };
        Ok(class)
    }

    pub fn is_class(v: Value) -> bool {
        super::is_kind(v, &CLASS_TYPE)
    }

    /// The class object `v` is, if it is one.
    pub fn of(v: Value) -> Option<Gc<Class>> {
        // SAFETY: kind checked.
        Class::is_class(v).then(|| unsafe { Gc::from_value(v) })
    }

    pub fn name(&self) -> Value {
        self.name.get()
    }
    pub fn set_name(&self, name: Value) {
        self.name.set(name)
    }
    pub fn superclass(&self) -> Value {
        self.superclass.get()
    }
    pub fn set_superclass(&self, superclass: Value) {
        self.superclass.set(superclass)
    }
    pub fn instance_fields(&self) -> Value {
        self.instance_fields.get()
    }
    pub fn set_instance_fields(&self, fields: Value) {
        self.instance_fields.set(fields)
    }
    pub fn methods(&self) -> Value {
        self.methods.get()
    }
    /// Sets the reflective method list; the lookup table is updated separately with `define`.
    pub fn set_methods(&self, methods: Value) {
        self.methods.set(methods)
    }
    pub fn instance_layout(&self) -> Gc<Layout> {
        self.instance_layout
            .get()
            .expect("every class gets an instance layout when it is created")
    }
    pub fn set_instance_layout(&self, layout: Gc<Layout>) {
        self.instance_layout.set(Some(layout))
    }

    /// Makes `method` the answer to `selector` for this class.
    pub fn define(&self, selector: Value, method: Value) {
        // SAFETY: the table is only touched through these methods, never while borrowed.
        unsafe { (*self.method_table.get()).insert(selector, method) };
    }

    /// Forgets every method of this class, before a redefinition gives it new ones.
    pub fn forget_methods(&self) {
        // SAFETY: see `define`.
        unsafe { (*self.method_table.get()).clear() };
        self.methods.set(Value::NIL);
    }

    /// The method this class itself defines for `selector`.
    #[inline]
    pub fn own_method(&self, selector: Value) -> Option<Value> {
        // SAFETY: see `define`.
        unsafe { (*self.method_table.get()).get(&selector).copied() }
    }

    /// The method found for `selector` starting at this class and walking up the superclasses.
    pub fn lookup(&self, selector: Value) -> Option<Value> {
        let mut class: &Class = self;
        loop {
            if let Some(method) = class.own_method(selector) {
                return Some(method);
            }
            let superclass = class.superclass();
            if !Class::is_class(superclass) {
                return None;
            }
            // SAFETY: checked to be a class object just above.
            class = unsafe { &*(superclass.bits() as usize as *const Class) };
        }
    }

    /// The class-side fields stored in this class object.
    pub fn class_fields(&self) -> &[Cell<Value>] {
        // SAFETY: allocated with as many trailing values as its layout declares fields; boot
        // classes without a layout yet have none.
        unsafe {
            let count = self.header.layout.get().map_or(0, |l| l.field_count());
            tail(self, count)
        }
    }
}
