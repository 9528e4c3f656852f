//! The universe: all VM state one running program needs — heap, symbols, globals, the core
//! classes, the value stack — and the services nodes and primitives call on (allocation,
//! sends from Rust, class loading, errors, output).

mod boot;
mod environments;
mod globals;
pub mod installed_policy;
mod loader;
mod output;
mod reflection;
mod send;
mod stack;

use environments::EnvironmentLayouts;
pub use globals::{GlobalCell, Globals};
use installed_policy::PolicyKind;
use loader::CoreSources;
pub use loader::DefinitionError;
pub use output::Output;
pub use reflection::{ActivationEndObserver, ReflectionState, ReflectiveFrame, BASE_LEVEL};
use send::LookupCache;
pub use stack::ValueStack;

use crate::invokable::{CompiledBody, Method, Primitive};
use crate::unwind::Unwind;
use crate::vm_error::VmError;
use std::path::PathBuf;
use std::ptr::NonNull;
use std::time::Instant;
use yerba_mop::heap::{GcHeader, GcPolicy, Heap, OutOfMemory, TypeInfo};
use yerba_mop::object::{
    header_of, Allocator, Array, BigIntObject, Class, DoubleArray, Gc, Instance, Layout,
    SymbolTable, VmString,
};
use yerba_mop::Value;

/// What the command line configures.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub classpath: Vec<PathBuf>,
    pub gc_policy: GcPolicy,
    pub print_stats: bool,
    /// `--no-mop`: compile without intercession sites and refuse the MOP's primitives.
    pub no_mop: bool,
    /// `--trace-activations <file>`: run the program inside the activation tracer.
    pub trace_activations: Option<String>,
    /// The native tier's settings (`--no-jit`, `--jit-threshold`, `--jit-always`, `--jit-log`).
    pub tier: crate::native::TierOptions,
}

/// The classes the VM itself refers to.
pub struct CoreClasses {
    pub object: Gc<Class>,
    pub class: Gc<Class>,
    pub metaclass: Gc<Class>,
    pub nil: Gc<Class>,
    pub array: Gc<Class>,
    pub method: Gc<Class>,
    pub string: Gc<Class>,
    pub symbol: Gc<Class>,
    pub integer: Gc<Class>,
    pub primitive: Gc<Class>,
    pub double: Gc<Class>,
    pub boolean: Gc<Class>,
    pub true_class: Gc<Class>,
    pub false_class: Gc<Class>,
    pub block: Gc<Class>,
    pub block1: Gc<Class>,
    pub block2: Gc<Class>,
    pub block3: Gc<Class>,
    pub block4: Gc<Class>,
    pub system: Gc<Class>,
    /// The class of layout objects, which the MOP calls shapes.
    pub shape: Gc<Class>,
}

impl CoreClasses {
    fn all(&self) -> [Gc<Class>; 21] {
        [
            self.object,
            self.class,
            self.metaclass,
            self.nil,
            self.array,
            self.method,
            self.string,
            self.symbol,
            self.integer,
            self.primitive,
            self.double,
            self.boolean,
            self.true_class,
            self.false_class,
            self.block,
            self.block1,
            self.block2,
            self.block3,
            self.block4,
            self.system,
            self.shape,
        ]
    }
}

/// Layouts looked up on hot paths.
pub struct CoreLayouts {
    pub nil: Gc<Layout>,
    pub true_value: Gc<Layout>,
    pub false_value: Gc<Layout>,
    pub integer: Gc<Layout>,
    pub double: Gc<Layout>,
    pub array: Gc<Layout>,
    /// Layout of DoubleArrays; its class is the class named `DoubleArray` once the library
    /// defines one (see `Universe::bind_double_array_class`), nil until then.
    pub double_array: Gc<Layout>,
    pub string: Gc<Layout>,
    pub symbol: Gc<Layout>,
    pub method: Gc<Layout>,
    pub primitive: Gc<Layout>,
    /// Layouts of real blocks, by arity: classes `Block1` to `Block4` for up to three
    /// parameters, then `Block` itself (such blocks run only with `valueWithArguments:`), in a
    /// layout of its own so that `Block new` instances do not share it.
    pub blocks: [Gc<Layout>; 5],
    /// Layouts of the stand-ins for inlined blocks (without and with a parameter): same
    /// classes as real blocks, but other layouts, so a layout check tells the two apart.
    pub inlined_blocks: [Gc<Layout>; 2],
    /// Layout of heap contexts, which have no SOM class.
    pub context: Gc<Layout>,
    /// Layout of layout objects.
    pub layout: Gc<Layout>,
}

impl CoreLayouts {
    fn all(&self) -> [Gc<Layout>; 20] {
        [
            self.nil,
            self.true_value,
            self.false_value,
            self.integer,
            self.double,
            self.array,
            self.double_array,
            self.string,
            self.symbol,
            self.method,
            self.primitive,
            self.blocks[0],
            self.blocks[1],
            self.blocks[2],
            self.blocks[3],
            self.blocks[4],
            self.inlined_blocks[0],
            self.inlined_blocks[1],
            self.context,
            self.layout,
        ]
    }
}

pub struct Universe {
    pub heap: Heap,
    pub symbols: SymbolTable,
    pub globals: Globals,
    pub core: CoreClasses,
    pub layouts: CoreLayouts,
    pub stack: ValueStack,
    pub system_object: Value,
    pub classpath: Vec<PathBuf>,
    pub out: Output,
    /// The value being returned by a `LocalReturn` or `NonLocalReturn` unwind.
    pub returning: Value,
    /// The home context a `NonLocalReturn` unwinds to.
    pub return_target: Value,
    /// The error an `Unwind::Error` carries.
    pub error: Option<Box<VmError>>,
    /// Bumped whenever a method is added to or changed in a class after loading, which
    /// invalidates every dispatch cache.
    pub dispatch_epoch: u64,
    /// The environments in effect and the execution level (MOP).
    pub reflection: ReflectionState,
    pub lookup_cache: LookupCache,
    /// Which metaobject methods handle which operations (MOP).
    pub handler_cache: crate::intercession::HandlerCache,
    /// The shared layouts that carry environments (MOP).
    pub environment_layouts: EnvironmentLayouts,
    pub start_time: Instant,
    /// Time spent loading and compiling classes, for `system totalCompilationTime`.
    pub compilation_time: std::time::Duration,
    native_stack_limit: usize,
    /// The addresses of the interpreter thread's native stack, which the collector scans.
    native_stack: std::ops::Range<usize>,
    pub print_stats: bool,
    /// The native tier: its code generator, thresholds and counters.
    pub tier: crate::native::Tier,
    /// While positive, allocation never collects: code building objects whose only references
    /// are in Rust-owned memory (an AST under construction) runs like this.
    gc_inhibitions: u32,
    /// The VM side of `Memory` beyond its policy (docs/memory.md).
    pub memory: crate::primitives::MemoryState,
    /// The policies the program installed (`Memory`, docs/memory.md; `JIT`, docs/jit.md).
    pub policies: installed_policy::InstalledPolicies,
}

/// Native stack kept free below the limit for the error path, primitives and the collector.
const NATIVE_STACK_RESERVE: usize = 512 * 1024;
/// Slots of the VM value stack.
const VALUE_STACK_SLOTS: usize = 8 * 1024 * 1024;

impl Universe {
    /// Boots a universe on the current thread, whose native stack spans `stack_size` bytes
    /// below `stack_base`.
    pub fn new(options: Options, stack_base: usize, stack_size: usize) -> Box<Universe> {
        let sources = CoreSources::read(&options.classpath).unwrap_or_else(|message| {
            Output.print_error(&format!("{message}\n"));
            std::process::exit(1)
        });
        let mut u = boot::boot(options, sources.class_object_fields());
        u.heap.set_stack_base(stack_base);
        u.native_stack_limit = stack_base.saturating_sub(stack_size) + NATIVE_STACK_RESERVE;
        u.native_stack = stack_base.saturating_sub(stack_size)..stack_base;
        u.load_core_library(sources);
        u
    }

    /// The layout of any value: immediates use their class's instance layout.
    #[inline(always)]
    pub fn layout_of(&self, v: Value) -> Gc<Layout> {
        match header_of(v) {
            Some(header) => header.layout(),
            None => self.immediate_layout(v),
        }
    }

    #[inline(always)]
    fn immediate_layout(&self, v: Value) -> Gc<Layout> {
        if v.is_small_int() {
            self.layouts.integer
        } else if v.is_double() {
            self.layouts.double
        } else if v.is_nil() {
            self.layouts.nil
        } else if v.is_true() {
            self.layouts.true_value
        } else {
            self.layouts.false_value
        }
    }

    #[inline(always)]
    pub fn class_of(&self, v: Value) -> Gc<Class> {
        // SAFETY: every layout reachable from a SOM value names a class.
        unsafe { Gc::from_value(self.layout_of(v).class()) }
    }

    // ---- allocation -------------------------------------------------------------------

    pub fn symbol(&mut self, text: &str) -> Value {
        if let Some(symbol) = self.symbols.get(text) {
            return symbol;
        }
        let layout = self.layouts.symbol;
        // No memory policy may run between the lookup and the insertion and intern the text.
        let symbol = self
            .without_collections(|u| VmString::allocate(u, layout, text))
            .unwrap_or_else(|e| fatal_out_of_memory(e))
            .value();
        self.symbols.insert(text, symbol);
        symbol
    }

    pub fn is_symbol(&self, v: Value) -> bool {
        VmString::is_string(v) && self.layout_of(v) == self.layouts.symbol
    }

    pub fn new_string(&mut self, text: &str) -> Value {
        let layout = self.layouts.string;
        VmString::allocate(self, layout, text)
            .unwrap_or_else(|e| fatal_out_of_memory(e))
            .value()
    }

    pub fn new_array(&mut self, len: usize) -> Gc<Array> {
        let layout = self.layouts.array;
        Array::allocate(self, layout, len).unwrap_or_else(|e| fatal_out_of_memory(e))
    }

    /// A zero-filled DoubleArray of `len` items.
    pub fn new_double_array(&mut self, len: usize) -> Gc<DoubleArray> {
        let layout = self.layouts.double_array;
        DoubleArray::allocate(self, layout, len).unwrap_or_else(|e| fatal_out_of_memory(e))
    }

    pub fn new_array_from(&mut self, items: &[Value]) -> Value {
        let array = self.new_array(items.len());
        for (slot, item) in array.items().iter().zip(items) {
            slot.set(*item);
        }
        array.value()
    }

    pub fn new_instance(&mut self, class: Gc<Class>) -> Value {
        let layout = class.instance_layout();
        Instance::allocate(self, layout)
            .unwrap_or_else(|e| fatal_out_of_memory(e))
            .value()
    }

    /// An Integer: small when it fits, else a big integer object.
    pub fn new_integer(&mut self, value: num_bigint::BigInt) -> Value {
        use num_traits::ToPrimitive;
        if let Some(small) = value.to_i64().and_then(Value::small_int) {
            return small;
        }
        let layout = self.layouts.integer;
        BigIntObject::allocate(self, layout, value)
            .unwrap_or_else(|e| fatal_out_of_memory(e))
            .value()
    }

    pub fn new_int(&mut self, value: i64) -> Value {
        Value::small_int(value).unwrap_or_else(|| self.new_integer(value.into()))
    }

    /// Runs `f` with collections postponed, for code that keeps fresh objects in memory the
    /// collector does not scan (Rust vectors, boxes).
    pub fn without_collections<R>(&mut self, f: impl FnOnce(&mut Universe) -> R) -> R {
        self.gc_inhibitions += 1;
        let result = f(self);
        self.gc_inhibitions -= 1;
        result
    }

    /// Runs a full collection now, with every root of the universe.
    pub fn collect_garbage(&mut self) {
        let Universe {
            heap,
            symbols,
            globals,
            core,
            layouts,
            stack,
            system_object,
            returning,
            return_target,
            lookup_cache,
            handler_cache,
            environment_layouts,
            reflection,
            memory,
            policies,
            tier,
            ..
        } = self;
        lookup_cache.clear();
        handler_cache.clear();
        let mut roots = |tracer: &mut yerba_mop::heap::Tracer| {
            symbols.trace(tracer);
            globals.trace(tracer);
            stack.trace(tracer);
            for class in core.all() {
                tracer.mark_value(class.value());
            }
            for layout in layouts.all() {
                tracer.mark_value(layout.value());
            }
            tracer.mark_value(*system_object);
            tracer.mark_value(*returning);
            tracer.mark_value(*return_target);
            reflection.trace(tracer);
            memory.trace(tracer);
            policies.trace(tracer);
            tier.trace(tracer);
        };
        heap.collect_with_weak(&mut roots, &mut |survives| {
            environment_layouts.drop_dead(survives)
        });
    }

    // ---- errors -----------------------------------------------------------------------

    /// Records a VM-level error; the caller returns the answered `Unwind`.
    #[cold]
    pub fn vm_error(&mut self, message: impl Into<String>) -> Unwind {
        self.error = Some(Box::new(VmError::new(message.into())));
        Unwind::Error
    }

    #[cold]
    pub fn stack_overflow(&mut self) -> Unwind {
        self.vm_error("Stack overflow: the program recursed too deeply.")
    }

    #[cold]
    pub fn missing_primitive(&mut self, holder: Value, signature: Value) -> Unwind {
        let text = format!(
            "Primitive {}>>#{} is not implemented by this VM.",
            self.class_name(holder),
            self.text_of(signature)
        );
        self.vm_error(text)
    }

    /// Notes where the error currently unwinding happened in the innermost activation.
    #[cold]
    pub fn note_error_position(&mut self, pos: yerba_parser::syntax::Pos) {
        if let Some(error) = self.error.as_mut() {
            error.pending_pos.get_or_insert(pos);
        }
    }

    /// Adds the activation of `code` (belonging to `method`) to the traceback of the error
    /// leaving it.
    #[cold]
    pub fn leave_activation_with_error(&mut self, code: &CompiledBody, method: Value) -> Unwind {
        if let Some(mut error) = self.error.take() {
            error.add_frame(&code.file, code.pos, method, |m| self.method_description(m));
            self.error = Some(error);
        }
        Unwind::Error
    }

    /// `Holder>>#selector` of a Method or Primitive.
    pub fn method_description(&self, method: Value) -> String {
        let (holder, signature) = if Method::is_method(method) {
            // SAFETY: kind checked.
            let m: Gc<Method> = unsafe { Gc::from_value(method) };
            (m.holder(), m.signature())
        } else if Primitive::is_primitive(method) {
            // SAFETY: kind checked.
            let p: Gc<Primitive> = unsafe { Gc::from_value(method) };
            (p.holder(), p.signature())
        } else {
            return String::from("?");
        };
        format!("{}>>#{}", self.class_name(holder), self.text_of(signature))
    }

    /// The name of a class object, as text.
    pub fn class_name(&self, class: Value) -> String {
        if Class::is_class(class) {
            // SAFETY: kind checked.
            let class: Gc<Class> = unsafe { Gc::from_value(class) };
            self.text_of(class.name()).to_string()
        } else {
            String::from("nil")
        }
    }

    /// The text of a String or Symbol (empty for anything else).
    pub fn text_of(&self, v: Value) -> &str {
        if VmString::is_string(v) {
            // SAFETY: kind checked; strings are immutable and live as long as referenced.
            let s: Gc<VmString> = unsafe { Gc::from_value(v) };
            // SAFETY: extends the borrow to `self`'s: the string is reachable from the caller.
            unsafe { &*(s.as_str() as *const str) }
        } else {
            ""
        }
    }

    /// Whether `values` lie where the collector finds them (the native stack or the value
    /// stack), so that an activation may read its arguments in place instead of copying them.
    #[inline(always)]
    pub fn values_are_rooted(&self, values: &[Value]) -> bool {
        let at = values.as_ptr() as usize;
        self.native_stack.contains(&at) || self.stack.holds(at)
    }

    /// Where the native stack limit is in a `Universe`, for native code that activates
    /// methods itself and checks the limit as [`Universe::check_native_stack`] does.
    pub fn native_stack_limit_offset() -> usize {
        std::mem::offset_of!(Universe, native_stack_limit)
    }

    /// Guards against native stack exhaustion before every activation.
    #[inline(always)]
    pub fn check_native_stack(&mut self) -> Result<(), Unwind> {
        let marker = 0u8;
        if (&marker as *const u8 as usize) < self.native_stack_limit {
            Err(self.stack_overflow())
        } else {
            Ok(())
        }
    }

    /// Stops the program with `status` after finishing open trace files and flushing the
    /// output.
    pub fn exit(&mut self, status: i32) -> ! {
        crate::primitives::close_at_exit(self);
        let status = self.out.finish(status);
        self.report_statistics();
        std::process::exit(status)
    }

    /// What `--stats` and `--jit-log` ask to see at exit.
    pub fn report_statistics(&self) {
        if self.tier.log {
            self.out.print_error(&format!("{}\n", self.tier.summary()));
        }
        if !self.print_stats {
            return;
        }
        let stats = self.heap.stats();
        self.out.print_error(&format!(
            "yerba: {} collections, {} ms in GC, {} bytes allocated, {} bytes live after last GC, {} ms compiling\n",
            stats.collections,
            stats.total_time.as_millis(),
            stats.bytes_allocated,
            stats.live_bytes,
            self.compilation_time.as_millis()
        ));
    }
}

impl Allocator for Universe {
    fn allocate(
        &mut self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        // SAFETY: the object model initialises the header and fields of what it allocates.
        self.allocate_collecting(|heap| unsafe { heap.allocate(size, info) })
    }

    fn allocate_owning(
        &mut self,
        size: usize,
        external_bytes: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        // SAFETY: as above, and the object model frees external memory in finalizers.
        self.allocate_collecting(|heap| unsafe { heap.allocate_owning(size, external_bytes, info) })
    }
}

impl Universe {
    /// Runs `allocate` on the heap, collecting first when a collection is due, and collecting
    /// and trying again once if the heap is full.
    #[inline(always)]
    fn allocate_collecting(
        &mut self,
        mut allocate: impl FnMut(&mut Heap) -> Result<NonNull<GcHeader>, OutOfMemory>,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        if self.gc_inhibitions == 0 && self.heap.collection_due() {
            self.collect_at_safepoint();
        }
        match allocate(&mut self.heap) {
            Ok(object) => Ok(object),
            Err(_) => {
                self.collect_garbage();
                allocate(&mut self.heap)
            }
        }
    }
}

impl Universe {
    /// A collection is due at an allocation: without a memory policy the VM collects; with
    /// one, the policy decides (`primitives::collect_by_policy`).
    #[cold]
    #[inline(never)]
    fn collect_at_safepoint(&mut self) {
        if self.policies.is_installed(PolicyKind::Memory) {
            crate::primitives::collect_by_policy(self);
        } else {
            self.collect_garbage();
        }
    }
}

/// Ends the process with a clear message when the heap limit is reached.
#[cold]
pub fn fatal_out_of_memory(error: OutOfMemory) -> ! {
    output::flush_stdout();
    output::write_stderr(&format!("yerba: {error}\n"));
    std::process::exit(Output.finish(1))
}
