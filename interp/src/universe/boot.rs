//! Creating the core classes and their metaclasses, wired into the SOM class hierarchy, before
//! any library source is loaded (SOM-REFERENCE 2.6).

use super::{
    CoreClasses, CoreLayouts, Globals, LookupCache, Options, Output, ReflectionState, Universe,
    ValueStack, VALUE_STACK_SLOTS,
};
use crate::universe::fatal_out_of_memory;
use std::ptr::NonNull;
use std::time::{Duration, Instant};
use yerba_mop::heap::{GcHeader, Heap, OutOfMemory, TypeInfo};
use yerba_mop::object::{Allocator, Class, Gc, Instance, Layout, SymbolTable, VmString};
use yerba_mop::Value;

/// The core classes in boot order, with their superclasses.
pub const CORE_CLASSES: [(&str, Option<&str>); 21] = [
    ("Object", None),
    ("Class", Some("Object")),
    ("Metaclass", Some("Class")),
    ("Nil", Some("Object")),
    ("Array", Some("Object")),
    ("Method", Some("Object")),
    ("String", Some("Object")),
    ("Symbol", Some("String")),
    ("Integer", Some("Object")),
    ("Primitive", Some("Object")),
    ("Double", Some("Object")),
    ("Boolean", Some("Object")),
    ("True", Some("Boolean")),
    ("False", Some("Boolean")),
    ("Block", Some("Object")),
    ("Block1", Some("Block")),
    ("Block2", Some("Block")),
    ("Block3", Some("Block")),
    ("Block4", Some("Block")),
    ("System", Some("Object")),
    ("Shape", Some("Object")),
];

/// How many fields class objects and metaclass objects have before any class-side field: the
/// instance fields of `Class` (with those of `Object`) and of `Metaclass`, which a classpath
/// library may declare. Their storage is allocated for them here, once.
#[derive(Clone, Copy)]
pub struct ClassObjectFields {
    pub class: usize,
    pub metaclass: usize,
}

/// Allocation straight from the heap, without collections, while no roots exist yet.
struct BootAllocator<'a>(&'a mut Heap);

impl Allocator for BootAllocator<'_> {
    fn allocate(
        &mut self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        // SAFETY: the object model initialises what it allocates.
        unsafe { self.0.allocate(size, info) }
    }

    fn allocate_owning(
        &mut self,
        size: usize,
        external_bytes: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        // SAFETY: as above, and the object model frees external memory in finalizers.
        unsafe { self.0.allocate_owning(size, external_bytes, info) }
    }
}

pub fn boot(options: Options, fields: ClassObjectFields) -> Box<Universe> {
    let mut heap = Heap::new(options.gc_policy.clone());
    let mut a = BootAllocator(&mut heap);
    let a: &mut dyn Allocator = &mut a;
    let ok = |r: Result<Gc<Layout>, OutOfMemory>| r.unwrap_or_else(|e| fatal_out_of_memory(e));

    let layout_layout = ok(Layout::allocate(a, None, Value::NIL, 0, 0));
    layout_layout.header().set_layout(layout_layout);
    let new_class = |a: &mut dyn Allocator, field_count: usize| {
        Class::allocate(a, None, field_count).unwrap_or_else(|e| fatal_out_of_memory(e))
    };
    let pairs: Vec<(Gc<Class>, Gc<Class>)> = CORE_CLASSES
        .iter()
        .map(|_| (new_class(a, fields.class), new_class(a, fields.metaclass)))
        .collect();
    let find = |name: &str| {
        pairs[CORE_CLASSES
            .iter()
            .position(|(n, _)| *n == name)
            .expect("core class")]
    };
    let (metaclass_class, _) = find("Metaclass");
    let metaclass_instances = ok(Layout::allocate(
        a,
        Some(layout_layout),
        metaclass_class.value(),
        fields.metaclass,
        Class::FIELDS_OFFSET,
    ));

    for ((name, superclass), (class, metaclass)) in CORE_CLASSES.iter().zip(&pairs) {
        metaclass.header().set_layout(metaclass_instances);
        let class_side = ok(Layout::allocate(
            a,
            Some(layout_layout),
            metaclass.value(),
            fields.class,
            Class::FIELDS_OFFSET,
        ));
        class.header().set_layout(class_side);
        metaclass.set_instance_layout(class_side);
        // Instances of Class are class objects, whose fields follow the class's fixed part.
        let (field_count, fields_offset) = if *name == "Class" {
            (fields.class, Class::FIELDS_OFFSET)
        } else {
            (0, Instance::FIELDS_OFFSET)
        };
        class.set_instance_layout(ok(Layout::allocate(
            a,
            Some(layout_layout),
            class.value(),
            field_count,
            fields_offset,
        )));
        match superclass {
            Some(superclass) => {
                let (super_class, super_meta) = find(superclass);
                class.set_superclass(super_class.value());
                metaclass.set_superclass(super_meta.value());
            }
            None => {
                let (class_class, _) = find("Class");
                metaclass.set_superclass(class_class.value());
            }
        }
    }
    metaclass_class.set_instance_layout(metaclass_instances);
    // Layout objects are the shapes of the MOP; `Shape new` is refused like `Class new`.
    let (shape_class, _) = find("Shape");
    layout_layout.set_class(shape_class.value());
    shape_class.set_instance_layout(layout_layout);

    let symbol_layout = find("Symbol").0.instance_layout();
    let mut symbols = SymbolTable::default();
    for (name, (class, metaclass)) in CORE_CLASSES.iter().map(|(n, _)| n).zip(&pairs) {
        for (object, text) in [
            (class, name.to_string()),
            (metaclass, format!("{name} class")),
        ] {
            let symbol = VmString::allocate(a, symbol_layout, &text)
                .unwrap_or_else(|e| fatal_out_of_memory(e))
                .value();
            symbols.insert(&text, symbol);
            object.set_name(symbol);
        }
    }
    let context = ok(Layout::allocate(a, Some(layout_layout), Value::NIL, 0, 0));
    let double_array = ok(Layout::allocate(a, Some(layout_layout), Value::NIL, 0, 0));
    let base_level = VmString::allocate(a, symbol_layout, super::BASE_LEVEL)
        .unwrap_or_else(|e| fatal_out_of_memory(e))
        .value();
    symbols.insert(super::BASE_LEVEL, base_level);
    // Not interned, so that no program can name it.
    let unobserved_array = VmString::allocate(a, symbol_layout, "unobserved activation array")
        .unwrap_or_else(|e| fatal_out_of_memory(e))
        .value();

    let class = |name: &str| find(name).0;
    let core = CoreClasses {
        object: class("Object"),
        class: class("Class"),
        metaclass: class("Metaclass"),
        nil: class("Nil"),
        array: class("Array"),
        method: class("Method"),
        string: class("String"),
        symbol: class("Symbol"),
        integer: class("Integer"),
        primitive: class("Primitive"),
        double: class("Double"),
        boolean: class("Boolean"),
        true_class: class("True"),
        false_class: class("False"),
        block: class("Block"),
        block1: class("Block1"),
        block2: class("Block2"),
        block3: class("Block3"),
        block4: class("Block4"),
        system: class("System"),
        shape: class("Shape"),
    };
    let sibling = |a: &mut dyn Allocator, layout: Gc<Layout>| {
        ok(Layout::allocate(
            a,
            Some(layout_layout),
            layout.class(),
            layout.field_count(),
            layout.fields_offset(),
        ))
    };
    let inlined_blocks = [
        sibling(a, core.block1.instance_layout()),
        sibling(a, core.block2.instance_layout()),
    ];
    let layouts = CoreLayouts {
        nil: core.nil.instance_layout(),
        true_value: core.true_class.instance_layout(),
        false_value: core.false_class.instance_layout(),
        integer: core.integer.instance_layout(),
        double: core.double.instance_layout(),
        array: core.array.instance_layout(),
        double_array,
        string: core.string.instance_layout(),
        symbol: core.symbol.instance_layout(),
        method: core.method.instance_layout(),
        primitive: core.primitive.instance_layout(),
        blocks: [
            core.block1.instance_layout(),
            core.block2.instance_layout(),
            core.block3.instance_layout(),
            core.block4.instance_layout(),
            sibling(a, core.block.instance_layout()),
        ],
        inlined_blocks,
        context,
        layout: layout_layout,
    };
    for layout in layouts.all() {
        layout.reserve();
    }
    Box::new(Universe {
        heap,
        symbols,
        globals: Globals::default(),
        core,
        layouts,
        stack: ValueStack::new(VALUE_STACK_SLOTS),
        system_object: Value::NIL,
        classpath: options.classpath,
        out: Output,
        returning: Value::NIL,
        return_target: Value::NIL,
        error: None,
        dispatch_epoch: 0,
        lookup_cache: LookupCache::default(),
        handler_cache: Default::default(),
        environment_layouts: Default::default(),
        start_time: Instant::now(),
        compilation_time: Duration::ZERO,
        native_stack_limit: 0,
        native_stack: 0..0,
        print_stats: options.print_stats,
        tier: crate::native::Tier::new(&options.tier),
        reflection: ReflectionState::new(!options.no_mop, base_level, unobserved_array),
        gc_inhibitions: 0,
        memory: Default::default(),
        policies: Default::default(),
    })
}
