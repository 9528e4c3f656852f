//! The dynamic state of the metaobject protocol (MOP.md sections 2 and 3): the global
//! environment, the environment of the running frame, the execution level, and the records of
//! the activations that run with intercession (for `Context` views of them).
//!
//! The frame environment is dynamically scoped: an activation that changes it (a block run by
//! `valueWithEnvironment:`, the callee of an activation handler) restores the caller's when it
//! ends, however it ends, so every other activation sees its caller's environment.

use super::Universe;
use crate::intercession::VariableNames;
use crate::invokable::{Frame, FrameView, ViewOf};
use crate::unwind::Unwind;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{Class, Gc, Layout};
use yerba_mop::Value;

/// The token of base-level execution that activation handlers receive and answer
/// (`system baseExecutionLevel`): the Symbol `#base`.
pub const BASE_LEVEL: &str = "base";

/// What a primitive an activation handler calls may ask for (the activation tracer's
/// `ActivationRecordTable>>begin:subject:`): `ended` runs with `token` when the activation the
/// handler decides has ended, however it ends (an answer, an error, a non-local return passing
/// through), so a tool learns of the end without redefining the return operation, which would
/// make every activation run its twin body.
#[derive(Clone, Copy)]
pub struct ActivationEndObserver {
    pub ended: fn(&mut Universe, usize),
    pub token: usize,
}

/// An activation running a body with intercession sites, as `Context` views see it.
pub struct ReflectiveFrame {
    /// The activation's frame, which identifies it while it runs; records are ordered as the
    /// activations nest, outermost first (frames are on the native stack, which grows down).
    pub frame: *const Frame,
    pub slots: *const Cell<Value>,
    /// The names of the activation's variables, owned by the AST of `method`.
    pub names: *const VariableNames,
    pub receiver: Value,
    pub method: Value,
    /// The activation's heap context, or nil when its slots are on the VM stack.
    pub context: Value,
    /// The `Context` view of this activation, created on first request.
    pub view: Value,
}

impl ReflectiveFrame {
    /// The record of the activation running in `frame`, whose variables are `names`.
    pub fn of(frame: &Frame, names: &VariableNames) -> ReflectiveFrame {
        ReflectiveFrame {
            frame,
            slots: frame.slots_ptr(),
            names,
            receiver: frame.receiver,
            method: frame.method,
            context: frame.context,
            view: Value::NIL,
        }
    }
}

pub struct ReflectionState {
    /// Whether the MOP is on (`--no-mop` turns it off).
    pub enabled: bool,
    /// The Symbol `#base` (see [`BASE_LEVEL`]), interned at boot.
    pub base_level: Value,
    /// What an activation handler that cannot observe its activation array gets instead of
    /// one (`CompiledBody::passes_last_argument_through`): a Symbol no program can name.
    pub unobserved_array: Value,
    global_environment: Value,
    frame_environment: Value,
    /// How many handlers (or meta-level callees) are running: while positive, execution is at
    /// meta level and nothing is intercepted.
    meta_level: u32,
    /// Derived from the three above, for the fast paths: at base level with a global or frame
    /// environment, every send and every activation is intercepted.
    intercepting: bool,
    /// Whether an environment installed on an object or a shape may redefine a variable or
    /// return operation (set for good on the first one).
    receivers_redefine_variables: bool,
    /// The last environment found to redefine no variable or return operation, with the
    /// dispatch epoch of the finding: installing it again needs no search (`readOnly` installs
    /// one environment per class on many objects).
    pub last_without_variables: (Value, u64),
    /// Derived, for block activations: whether they must look at their receiver's environment,
    /// as they do while sends are intercepted or once an object may carry an environment
    /// redefining their variables (a block made before it was installed gets the twin then).
    blocks_consult_environments: bool,
    /// Whether numbers were given a method of their own for a selector the numeric fast paths
    /// of binary operators stand for (`Universe::method_installed`).
    numeric_methods_redefined: bool,
    /// Derived, for the one test of those fast paths: binary operators on numbers are real
    /// sends while sends are intercepted or once a method they stand for was redefined.
    numeric_operators_send: bool,
    /// Whether a running plain body was ever made intercepting (`intercession/patching.rs`):
    /// native code then runs every variable access through its node.
    pub bodies_patched: bool,
    /// The activations running with intercession, innermost last.
    pub frames: Vec<ReflectiveFrame>,
    /// What the running activation handler asked to observe the end of its activation.
    end_observer: Option<ActivationEndObserver>,
}

impl ReflectionState {
    pub fn new(enabled: bool, base_level: Value, unobserved_array: Value) -> ReflectionState {
        ReflectionState {
            enabled,
            base_level,
            unobserved_array,
            global_environment: Value::NIL,
            frame_environment: Value::NIL,
            meta_level: 0,
            intercepting: false,
            receivers_redefine_variables: false,
            last_without_variables: (Value::NIL, 0),
            blocks_consult_environments: false,
            numeric_methods_redefined: false,
            numeric_operators_send: false,
            bodies_patched: false,
            frames: Vec::new(),
            end_observer: None,
        }
    }

    /// Whether the activation handler that has just answered asked to observe the end of its
    /// activation ([`ReflectionState::take_end_observer`] tells who). Checked after the
    /// handler only: a mark before it would cost every intercepted activation more than the
    /// check.
    #[inline(always)]
    pub fn end_observed(&self) -> bool {
        self.end_observer.is_some()
    }

    pub fn take_end_observer(&mut self) -> Option<ActivationEndObserver> {
        self.end_observer.take()
    }

    /// Asks for `observer` to run when the activation the running activation handler decides
    /// ends; `false` at base level (no handler runs) or when that end is observed already.
    /// Sent at meta level by code other than an activation handler, the observer would
    /// observe the next activation a handler decides.
    pub fn observe_activation_end(&mut self, observer: ActivationEndObserver) -> bool {
        if self.at_base_level() || self.end_observer.is_some() {
            return false;
        }
        self.end_observer = Some(observer);
        true
    }

    #[inline(always)]
    pub fn intercepting(&self) -> bool {
        self.intercepting
    }

    #[inline(always)]
    pub fn at_base_level(&self) -> bool {
        self.meta_level == 0
    }

    /// Whether a block activation must ask whether its receiver's environment redefines its
    /// variable operations (see `blocks_consult_environments`).
    #[inline(always)]
    pub fn blocks_consult_environments(&self) -> bool {
        self.blocks_consult_environments
    }

    /// An environment that may redefine variable or return operations was installed on an
    /// object or a shape: from now on block activations consult their receivers' environments.
    pub fn receivers_redefine_variables(&mut self) {
        self.receivers_redefine_variables = true;
        self.refresh();
    }

    /// Whether binary operators on numbers must send their message instead of computing it.
    #[inline(always)]
    pub fn numeric_operators_send(&self) -> bool {
        self.numeric_operators_send
    }

    /// Where [`ReflectionState::numeric_operators_send`]'s flag is in a `Universe`, for native
    /// code that tests it as the interpreter does.
    pub fn numeric_operators_send_offset() -> usize {
        std::mem::offset_of!(Universe, reflection)
            + std::mem::offset_of!(ReflectionState, numeric_operators_send)
    }

    /// Where the flag for intercepted sends (part of [`Universe::dispatch_key`]) is in a
    /// `Universe`.
    pub fn intercepting_offset() -> usize {
        std::mem::offset_of!(Universe, reflection)
            + std::mem::offset_of!(ReflectionState, intercepting)
    }

    /// Where the flag of [`ReflectionState::blocks_consult_environments`] is in a `Universe`.
    pub fn blocks_consult_environments_offset() -> usize {
        std::mem::offset_of!(Universe, reflection)
            + std::mem::offset_of!(ReflectionState, blocks_consult_environments)
    }

    /// Where [`ReflectionState::bodies_patched`] is in a `Universe`.
    pub fn bodies_patched_offset() -> usize {
        std::mem::offset_of!(Universe, reflection)
            + std::mem::offset_of!(ReflectionState, bodies_patched)
    }

    /// From now on, binary operators on numbers send their message: numbers no longer run the
    /// methods their fast paths stand for.
    pub fn numeric_methods_redefined(&mut self) {
        self.numeric_methods_redefined = true;
        self.refresh();
    }

    pub fn frame_environment(&self) -> Value {
        self.frame_environment
    }

    pub fn set_global_environment(&mut self, environment: Value) {
        self.global_environment = environment;
        self.refresh();
    }

    /// The environments that apply at base level, in handler order (global, then frame).
    pub fn ambient_environments(&self) -> [Value; 2] {
        [self.global_environment, self.frame_environment]
    }

    fn refresh(&mut self) {
        self.intercepting = self.meta_level == 0
            && !(self.global_environment.is_nil() && self.frame_environment.is_nil());
        self.numeric_operators_send = self.intercepting || self.numeric_methods_redefined;
        self.blocks_consult_environments =
            self.intercepting || (self.meta_level == 0 && self.receivers_redefine_variables);
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.base_level);
        tracer.mark_value(self.unobserved_array);
        tracer.mark_value(self.global_environment);
        tracer.mark_value(self.frame_environment);
        tracer.mark_value(self.last_without_variables.0);
        for frame in &self.frames {
            tracer.mark_value(frame.receiver);
            tracer.mark_value(frame.method);
            tracer.mark_value(frame.context);
            tracer.mark_value(frame.view);
        }
    }
}

impl Universe {
    #[inline(always)]
    pub fn at_base_level(&self) -> bool {
        self.reflection.at_base_level()
    }

    /// The key dispatch caches are valid for: the dispatch epoch, and whether sends are being
    /// intercepted (a cache filled in one mode must not serve the other).
    #[inline(always)]
    pub fn dispatch_key(&self) -> u64 {
        (self.dispatch_epoch << 1) | u64::from(self.reflection.intercepting)
    }

    /// Runs a metaobject handler (or a callee activated at meta level) at meta level.
    #[inline(always)]
    pub fn at_meta_level<R>(&mut self, f: impl FnOnce(&mut Universe) -> R) -> R {
        self.enter_meta_level();
        let result = f(self);
        self.leave_meta_level();
        result
    }

    /// Starts running at meta level; [`Universe::leave_meta_level`] must follow, whatever the
    /// outcome (for callers that cannot pass a closure to [`Universe::at_meta_level`] cheaply).
    #[inline(always)]
    pub fn enter_meta_level(&mut self) {
        self.reflection.meta_level += 1;
        self.reflection.intercepting = false;
        self.reflection.blocks_consult_environments = false;
        self.reflection.numeric_operators_send = self.reflection.numeric_methods_redefined;
    }

    #[inline(always)]
    pub fn leave_meta_level(&mut self) {
        self.reflection.meta_level -= 1;
        self.reflection.refresh();
    }

    /// Runs `f` (an activation) with `environment` as the frame environment, restoring the
    /// caller's afterwards.
    pub fn with_frame_environment<R>(
        &mut self,
        environment: Value,
        f: impl FnOnce(&mut Universe) -> R,
    ) -> R {
        let caller = self.reflection.frame_environment;
        if caller == environment {
            return f(self);
        }
        self.watch(environment);
        self.reflection.frame_environment = environment;
        self.reflection.refresh();
        let result = f(self);
        self.reflection.frame_environment = caller;
        self.reflection.refresh();
        result
    }

    /// Bumps the dispatch epoch: every dispatch chain, lookup cache and handler cache is
    /// flushed before its next use.
    pub fn invalidate_dispatch_caches(&mut self) {
        self.dispatch_epoch += 1;
    }
}

impl Universe {
    /// A new `Context` view.
    pub fn new_frame_view(&mut self, of: ViewOf) -> Result<Value, Unwind> {
        let layout = self.context_view_layout()?;
        Ok(FrameView::allocate(self, layout, of).value())
    }

    /// The `Context` view of the activation running in `frame` (called from one of its
    /// intercession sites). An activation of a body that became intercepting while it ran
    /// (`intercession/patching.rs`) has no record yet: it gets one here, in its place among the
    /// others, which the activation removes when it ends (`forget_frame`).
    #[inline]
    pub fn frame_view(&mut self, frame: &Frame, names: &VariableNames) -> Result<Value, Unwind> {
        // Usually the innermost record, that of the activation of a twin, with its view made.
        if let Some(record) = self.reflection.frames.last() {
            if std::ptr::eq(record.frame, frame) && !record.view.is_nil() {
                return Ok(record.view);
            }
        }
        self.find_frame_view(frame, names)
    }

    #[inline(never)]
    fn find_frame_view(&mut self, frame: &Frame, names: &VariableNames) -> Result<Value, Unwind> {
        let address = frame as *const Frame;
        let frames = &mut self.reflection.frames;
        let index = match frames.iter().rposition(|record| record.frame == address) {
            Some(index) => index,
            None => {
                let index = frames
                    .iter()
                    .position(|record| record.frame < address)
                    .unwrap_or(frames.len());
                frames.insert(index, ReflectiveFrame::of(frame, names));
                index
            }
        };
        self.record_view(index)
    }

    /// The activation running in `frame`, of a body that became intercepting while it ran, ends:
    /// its record goes, and a view of it stops working.
    pub fn forget_frame(&mut self, frame: &Frame) {
        let address = frame as *const Frame;
        let frames = &mut self.reflection.frames;
        if let Some(index) = frames.iter().rposition(|record| record.frame == address) {
            let record = frames.remove(index);
            if let Some(view) = FrameView::of(record.view) {
                view.deactivate();
            }
        }
    }

    /// The view of the record `index` of `reflection.frames`, created on first request.
    fn record_view(&mut self, index: usize) -> Result<Value, Unwind> {
        let record = &self.reflection.frames[index];
        if !record.view.is_nil() {
            return Ok(record.view);
        }
        let of = ViewOf {
            slots: record.slots,
            names: record.names,
            receiver: record.receiver,
            method: record.method,
            context: record.context,
        };
        let view = self.new_frame_view(of)?;
        self.reflection.frames[index].view = view;
        Ok(view)
    }

    /// The view of the activation that called the one `view` shows, among those running with
    /// intercession; nil for the outermost.
    pub fn sender_view(&mut self, view: Value) -> Result<Value, Unwind> {
        let Some(position) = self.reflection.frames.iter().position(|f| f.view == view) else {
            return Ok(Value::NIL);
        };
        match position {
            0 => Ok(Value::NIL),
            index => self.record_view(index - 1),
        }
    }

    /// The instance layout of the class `Context`, loaded on first use.
    fn context_view_layout(&mut self) -> Result<Gc<Layout>, Unwind> {
        let name = self.symbol("Context");
        let class = match self.globals.get(name) {
            Some(class) => Some(class),
            None => self.load_class(name)?,
        };
        match class.filter(|c| Class::is_class(*c)) {
            // SAFETY: kind checked.
            Some(class) => Ok(unsafe { Gc::<Class>::from_value(class) }.instance_layout()),
            None => Err(self.vm_error("The class Context, needed by a MOP handler, is missing.")),
        }
    }
}

impl Universe {
    /// Calls `visit` with each word of the native stack from this function's frame to the
    /// stack base, without copying them.
    #[inline(never)]
    pub fn for_each_native_stack_word(&self, mut visit: impl FnMut(usize)) {
        let marker = 0usize;
        let word = std::mem::size_of::<usize>();
        let low = std::hint::black_box(&marker as *const usize as usize);
        let mut address = low.next_multiple_of(word);
        while address + word <= self.native_stack.end {
            // SAFETY: as in `native_stack_words`.
            visit(unsafe { std::ptr::read_volatile(address as *const usize) });
            address += word;
        }
    }

    /// A copy of the words of the native stack from this function's frame to the stack base:
    /// the frames of every running activation, among other things.
    #[inline(never)]
    pub fn native_stack_words(&self) -> Vec<usize> {
        let marker = 0usize;
        let word = std::mem::size_of::<usize>();
        let low = std::hint::black_box(&marker as *const usize as usize);
        let mut address = low.next_multiple_of(word);
        let mut words = Vec::with_capacity(self.native_stack.end.saturating_sub(address) / word);
        while address + word <= self.native_stack.end {
            // SAFETY: the address is an aligned word of this thread's stack between a live frame
            // and the stack base, all of it mapped; it is only read, as a plain integer.
            words.push(unsafe { std::ptr::read_volatile(address as *const usize) });
            address += word;
        }
        words
    }

    /// Whether `address` may be where the slots of a running activation start: in the VM
    /// stack, on the native stack (arguments read where the caller put them) or in a heap
    /// context.
    pub fn may_hold_slots(&self, address: usize) -> bool {
        self.stack.holds(address)
            || self.native_stack.contains(&address)
            || self.heap.find_object(address).is_some()
    }
}
