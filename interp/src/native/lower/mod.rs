//! Partial evaluation of a specialised tree: each node is emitted as native code for the state
//! it is in now, with the tree and its caches as constants. What a node's state does not cover
//! (a failed guard, overflow, a receiver an inlined structure does not expect) calls the
//! runtime function that performs the node's operation as the interpreter does, and native
//! code goes on with its answer; nodes with no native form of their own run in the
//! interpreter. So compiled code answers what the interpreter answers, for any input.
//!
//! Guards read the state the interpreter may change while the code lives: the body's `patched`
//! flag before every variable access (an environment installed while an activation runs makes
//! its reads and writes intercession sites, `intercession/patching.rs`), a field access's
//! `ambient` flag, and the universe's `numeric_operators_send` flag before arithmetic.

mod kernel;

pub use kernel::Kernels;

use super::lowering::VectorShape;
use super::runtime::{self, SiteFunctions};
use super::NativeCode;
use crate::invokable::{Block, CompiledBody, Context, Frame, Method, PrimitiveFn};
use crate::nodes::{
    AndOr, BinaryOp, BinaryOperator, ChainTarget, DispatchChain, FieldAccess, IfNil, IfTrue,
    IfTrueIfFalse, Node, NodeKind, OuterVariable, Send, TimesRepeat, ToDo, WhileLoop,
};
use crate::primitives::{self, ArrayAccess};
use crate::universe::{CoreLayouts, ReflectionState, Universe};
use std::mem::offset_of;
use yerba_jit::{
    types, Emitter, FloatCC, InstBuilder, IntArithmetic, IntCC, IrValue, Label, MemFlagsData,
};
use yerba_mop::object::{Array, DoubleArray, Gc, Layout};
use yerba_mop::Value;

/// Slots a frame built by native code for a block may have (on the caller's stack frame).
const MAX_NATIVE_SLOTS: usize = 8;

/// Byte offsets of a frame's fields (`Frame` is `repr(C)`).
const FRAME_SLOTS: i32 = 0;
const FRAME_RECEIVER: i32 = 8;
const FRAME_OUTER: i32 = 16;
/// An object's layout pointer follows its GC header.
const OBJECT_LAYOUT: i32 = 8;

pub(super) struct Lowering<'l, 'a> {
    pub e: &'l mut Emitter<'a>,
    /// The layouts of immediate values, which receivers of those kinds have.
    immediates: [(Gc<Layout>, Immediate); 5],
    /// The layouts of Arrays and DoubleArrays, whose receivers native code indexes itself.
    array_layout: Gc<Layout>,
    double_array_layout: Gc<Layout>,
    /// The layouts of real blocks of 0 to 3 parameters.
    block_layouts: [Gc<Layout>; 4],
    /// Heap objects the code refers to by address and no node keeps alive for good (layouts
    /// of caches that may be dropped): the compiled code traces them.
    pub keep_alive: Vec<Value>,
    /// Whether the code depends on the dispatch epoch (`NativeCode::epoch_bound`): it tests
    /// the dispatch key, or has send sites, which a later epoch may let it inline better.
    pub epoch_bound: bool,
    /// The unit's element-wise DoubleArray loops, and how to emit them.
    kernels: Kernels,
    shape: VectorShape,
    u: IrValue,
    frame: IrValue,
}

impl<'l, 'a> Lowering<'l, 'a> {
    /// Lowers into a unit whose parameters 0 and 1 are the universe and the frame, emitting
    /// its `kernels` as `shape` says.
    pub fn new(
        e: &'l mut Emitter<'a>,
        layouts: &CoreLayouts,
        kernels: Kernels,
        shape: VectorShape,
    ) -> Lowering<'l, 'a> {
        let (u, frame) = (e.param(0), e.param(1));
        Lowering {
            e,
            immediates: [
                (layouts.integer, Immediate::Integer),
                (layouts.double, Immediate::Double),
                (layouts.nil, Immediate::Nil),
                (layouts.true_value, Immediate::True),
                (layouts.false_value, Immediate::False),
            ],
            array_layout: layouts.array,
            double_array_layout: layouts.double_array,
            block_layouts: [
                layouts.blocks[0],
                layouts.blocks[1],
                layouts.blocks[2],
                layouts.blocks[3],
            ],
            keep_alive: Vec::new(),
            epoch_bound: false,
            kernels,
            shape,
            u,
            frame,
        }
    }

    /// Emits `node`, answering its value (an unwind leaves the unit).
    pub fn lower(&mut self, node: &Node) -> IrValue {
        match node.kind() {
            NodeKind::Literal(value) => self.e.word(value.bits()),
            NodeKind::SelfRead => self.guarded_read(node, Place::Receiver),
            NodeKind::ArgumentRead(slot) | NodeKind::LocalRead(slot) => {
                self.guarded_read(node, Place::Slot(*slot))
            }
            NodeKind::OuterArgumentRead(variable) | NodeKind::OuterLocalRead(variable) => {
                self.guarded_read(node, Place::Outer(*variable))
            }
            NodeKind::VariableWrite(write) => {
                let value = self.lower(&write.value);
                match write.variable() {
                    Some(variable) if variable.depth == 0 => {
                        self.guarded_write(node, Place::Slot(variable.slot), value)
                    }
                    Some(variable) => self.guarded_write(node, Place::Outer(variable), value),
                    _ => {
                        let write = self.ptr(&**write);
                        self.call(runtime::write_variable as *const u8, &[write, value])
                    }
                }
            }
            NodeKind::FieldRead(read) => self.field(&read.access, read as *const _ as usize, None),
            NodeKind::FieldWrite(write) => {
                let value = self.lower(&write.value);
                self.field(&write.access, &**write as *const _ as usize, Some(value))
            }
            NodeKind::Sequence(statements) => {
                let (last, rest) = statements
                    .split_last()
                    .expect("the compiler never emits empty sequences");
                for statement in rest {
                    self.lower(statement);
                }
                self.lower(last)
            }
            NodeKind::LocalReturn(value) => {
                let answer = self.lower(value);
                let u = self.u;
                self.e
                    .call_may_unwind(runtime::local_return as *const u8, &[u, answer])
            }
            NodeKind::Send(send) => self.send(send),
            NodeKind::BinaryOp(op) => self.binary(op),
            NodeKind::IfTrue(branch) => self.if_true(node, branch),
            NodeKind::IfTrueIfFalse(branch) => self.if_true_if_false(node, branch),
            NodeKind::IfNil(branch) => self.if_nil(branch),
            NodeKind::AndOr(branch) => self.and_or(node, branch),
            NodeKind::While(inlined) => self.while_loop(inlined),
            NodeKind::ToDo(inlined) => self.counting_loop(inlined),
            NodeKind::TimesRepeat(inlined) => self.times_repeat(node, inlined),
            NodeKind::InterceptedRead(_)
            | NodeKind::InterceptedWrite(_)
            | NodeKind::GlobalRead(_)
            | NodeKind::Block(_)
            | NodeKind::NonLocalReturn(_)
            | NodeKind::SuperSend(_) => self.interpret(node),
        }
    }

    fn ptr<T>(&mut self, target: *const T) -> IrValue {
        self.e.word(target as u64)
    }

    /// Calls runtime function `function` with the universe, the frame and `args`.
    fn call(&mut self, function: *const u8, args: &[IrValue]) -> IrValue {
        let mut all = vec![self.u, self.frame];
        all.extend_from_slice(args);
        self.e.call_may_unwind(function, &all)
    }

    /// Runs `node` in the interpreter.
    fn interpret(&mut self, node: &Node) -> IrValue {
        let node = self.ptr(node);
        self.call(runtime::execute_node as *const u8, &[node])
    }

    /// Whether a running body was ever patched (its variable accesses became intercession
    /// sites): then every access runs through its node, which is either kind.
    fn patched(&mut self) -> IrValue {
        self.e
            .load_byte(self.u, ReflectionState::bodies_patched_offset() as i32)
    }

    /// Reads a variable (or `self`) where it lives, unless a body was patched.
    fn guarded_read(&mut self, node: &Node, place: Place) -> IrValue {
        let patched = self.patched();
        let (fast, slow) = (self.e.label(), self.e.label());
        let (join, result) = self.e.label_with_value();
        self.e.cold(slow);
        self.e.branch(patched, slow, fast);
        self.e.place(fast);
        let value = match place {
            Place::Receiver => self.e.load(self.frame, FRAME_RECEIVER),
            _ => {
                let (base, offset) = self.address_of(place);
                self.e.load(base, offset)
            }
        };
        self.e.jump_with(join, value);
        self.e.place(slow);
        let value = self.interpret(node);
        self.e.jump_with(join, value);
        self.e.place(join);
        result
    }

    /// The base and offset of a variable: a slot of the activation (on the VM stack or in its
    /// context), or of the context `depth` levels out.
    fn address_of(&mut self, place: Place) -> (IrValue, i32) {
        match place {
            Place::Slot(slot) => {
                let slots = self.e.load(self.frame, FRAME_SLOTS);
                (slots, slot as i32 * 8)
            }
            Place::Outer(variable) => {
                let mut context = self.e.load(self.frame, FRAME_OUTER);
                for _ in 1..variable.depth {
                    context = self.e.load(context, Context::OUTER_OFFSET as i32);
                }
                (
                    context,
                    Context::SLOTS_OFFSET as i32 + variable.slot as i32 * 8,
                )
            }
            Place::Receiver => unreachable!("self is never written"),
        }
    }

    fn store_slot(&mut self, slot: u32, value: IrValue) {
        let (base, offset) = self.address_of(Place::Slot(slot));
        self.e.store(value, base, offset);
    }

    /// A write to a variable, unless a body was patched (then the node's own write decides
    /// whether it is intercepted).
    fn guarded_write(&mut self, node: &Node, place: Place, value: IrValue) -> IrValue {
        let NodeKind::VariableWrite(write) = node.kind() else {
            unreachable!("called for variable writes")
        };
        let patched = self.patched();
        let (fast, slow, join) = (self.e.label(), self.e.label(), self.e.label());
        self.e.cold(slow);
        self.e.branch(patched, slow, fast);
        self.e.place(fast);
        let (base, offset) = self.address_of(place);
        self.e.store(value, base, offset);
        self.e.jump(join);
        self.e.place(slow);
        let write = self.ptr(&**write);
        self.call(runtime::write_variable as *const u8, &[write, value]);
        self.e.jump(join);
        self.e.place(join);
        value
    }

    /// A field read (`written` is `None`) or write of `self`: at a fixed offset behind a guard
    /// on the layout the access is specialised on; for other layouts at the offset their
    /// layout gives, when the field is stored in place and nothing intercepts it (no
    /// environment on the layout, not watched for a write); else through the node.
    fn field(&mut self, access: &FieldAccess, node: usize, written: Option<IrValue>) -> IrValue {
        let slow_function = match written {
            None => runtime::read_field as *const u8,
            Some(_) => runtime::write_field as *const u8,
        };
        let node = self.e.word(node as u64);
        let slow_args: Vec<IrValue> = std::iter::once(node).chain(written).collect();
        let cached: Option<Gc<Layout>> = access
            .cached_layout()
            .filter(|layout| (access.index as usize) < layout.field_count());
        let receiver = self.e.load(self.frame, FRAME_RECEIVER);
        let (is_object, unintercepted, generic, stored_in_place, slow) = (
            self.e.label(),
            self.e.label(),
            self.e.label(),
            self.e.label(),
            self.e.label(),
        );
        let (join, result) = self.e.label_with_value();
        self.e.cold(slow);
        let pointer = self.e.is_pointer(receiver);
        self.e.branch(pointer, is_object, slow);
        self.e.place(is_object);
        let ambient = self.ptr(access.ambient.as_ptr());
        let ambient = self.e.load_byte(ambient, 0);
        self.e.branch(ambient, slow, unintercepted);
        self.e.place(unintercepted);
        let layout = self.e.load(receiver, OBJECT_LAYOUT);
        let index_bytes = access.index as i32 * 8;
        if let Some(cached) = cached {
            self.keep_alive.push(cached.value());
            let fast = self.e.label();
            let same = self.e.equal_to(layout, cached.value().bits());
            self.e.branch(same, fast, generic);
            self.e.place(fast);
            let offset = cached.fields_offset() as i32 + index_bytes;
            let value = self.access_at(receiver, offset, written);
            self.e.jump_with(join, value);
        } else {
            self.e.jump(generic);
        }
        self.e.place(generic);
        let environment = self.e.load(layout, Layout::ENVIRONMENT_OFFSET as i32);
        let (no_environment, unwatched) = (self.e.label(), self.e.label());
        self.e.branch(environment, slow, no_environment);
        self.e.place(no_environment);
        if written.is_some() {
            let watched = self.e.load_byte(layout, Layout::WATCHED_OFFSET as i32);
            self.e.branch(watched, slow, unwatched);
        } else {
            self.e.jump(unwatched);
        }
        self.e.place(unwatched);
        let shape = self
            .e
            .load_u32(layout, Layout::SHAPE_FIELD_COUNT_OFFSET as i32);
        let storage = self.e.load_u32(layout, Layout::STORAGE_OFFSET as i32);
        let count = self.e.b.ins().umin(shape, storage);
        let within =
            self.e
                .b
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThan, count, access.index as i64);
        self.e.branch(within, stored_in_place, slow);
        self.e.place(stored_in_place);
        let fields = self.e.load_u32(layout, Layout::FIELDS_OFFSET_OFFSET as i32);
        let address = self.e.b.ins().iadd(receiver, fields);
        let value = self.access_at(address, index_bytes, written);
        self.e.jump_with(join, value);
        self.e.place(slow);
        let value = self.call(slow_function, &slow_args);
        self.e.jump_with(join, value);
        self.e.place(join);
        result
    }

    /// Reads the word at `base + offset`, or writes `written` there and answers it.
    fn access_at(&mut self, base: IrValue, offset: i32, written: Option<IrValue>) -> IrValue {
        match written {
            None => self.e.load(base, offset),
            Some(value) => {
                self.e.store(value, base, offset);
                value
            }
        }
    }

    /// A send: the entries its chain has now, each behind a guard on the receiver's layout
    /// (and one on the dispatch key for all), become inline field accesses and constants, or
    /// calls of primitives and of methods (into their native code directly when compiled);
    /// any other receiver sends through the chain.
    fn send(&mut self, send: &Send) -> IrValue {
        self.epoch_bound = true;
        let mut values = vec![self.lower(&send.receiver)];
        values.extend(send.args.iter().map(|arg| self.lower(arg)));
        let args = self.e.spill(&values);
        let node = self.ptr(send);
        let site = SiteFunctions::of::<Send>();
        self.inline_chain(&site, node, &send.chain, &values, args, |lowering| {
            lowering.call(runtime::send as *const u8, &[node, args])
        })
    }

    /// The entries of `chain` (of the site `node`, whose runtime functions are `site`) for
    /// the evaluated `values`, also spilled at `args`; `fallback` emits the send through the
    /// chain for receivers none of them takes.
    fn inline_chain(
        &mut self,
        site: &SiteFunctions,
        node: IrValue,
        chain: &DispatchChain,
        values: &[IrValue],
        args: IrValue,
        fallback: impl FnOnce(&mut Self) -> IrValue,
    ) -> IrValue {
        let Some((key, entries)) = chain.snapshot() else {
            return fallback(self);
        };
        let receiver = values[0];
        let (join, result) = self.e.label_with_value();
        let (chained, valid) = (self.e.label(), self.e.label());
        self.e.cold(chained);
        let current_key = self.dispatch_key();
        let same = self.e.equal_to(current_key, key);
        self.e.branch(same, valid, chained);
        self.e.place(valid);
        let object_layout = self.object_layout(receiver);
        for (layout, target) in entries {
            let (this, next) = (self.e.label(), self.e.label());
            let matches = self.has_layout(receiver, object_layout, layout);
            self.e.branch(matches, this, next);
            self.e.place(this);
            let answer = match target {
                ChainTarget::Getter(offset) => self.e.load(receiver, offset as i32),
                ChainTarget::Setter {
                    offset,
                    answers_argument,
                } => {
                    self.e.store(values[1], receiver, offset as i32);
                    if answers_argument {
                        values[1]
                    } else {
                        receiver
                    }
                }
                ChainTarget::Constant(value) => {
                    self.keep_alive.push(value);
                    self.e.word(value.bits())
                }
                ChainTarget::SelfReturn => receiver,
                ChainTarget::Primitive(function) => {
                    self.primitive(site, node, function, layout, values, args)
                }
                ChainTarget::Method(method) => self.call_method(site, node, method, values, args),
                ChainTarget::Block => self.call_block(site, node, layout, values, args),
                ChainTarget::Other => {
                    self.e.jump(chained);
                    self.e.place(next);
                    continue;
                }
            };
            self.e.jump_with(join, answer);
            self.e.place(next);
        }
        self.e.jump(chained);
        self.e.place(chained);
        let answer = fallback(self);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    /// A primitive of a chain entry for receivers of `layout`: `==` and array indexing are
    /// emitted inline for the cases they answer at once; everything else calls it.
    fn primitive(
        &mut self,
        site: &SiteFunctions,
        node: IrValue,
        function: PrimitiveFn,
        layout: Gc<Layout>,
        values: &[IrValue],
        args: IrValue,
    ) -> IrValue {
        let (join, result) = self.e.label_with_value();
        let call = self.e.label();
        self.e.cold(call);
        if primitives::is_identity(function) {
            self.identity(values[0], values[1], join, call);
        } else if let Some(access) =
            primitives::array_access(function).filter(|_| layout == self.array_layout)
        {
            self.indexed_access(false, access, values, join, call);
        } else if let Some(access) =
            primitives::double_array_access(function).filter(|_| layout == self.double_array_layout)
        {
            self.indexed_access(true, access, values, join, call);
        } else {
            self.e.jump(call);
        }
        self.e.place(call);
        let function = self.e.word(function as usize as u64);
        let answer = self.call(site.call_primitive, &[node, function, args]);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    /// `a == b` when the bits decide it: the same word, or two different words that are not
    /// both heap objects (read-only references) nor both doubles (`0.0 == -0.0`).
    fn identity(&mut self, a: IrValue, b: IrValue, join: Label, call: Label) {
        let (same_word, different, not_both_objects, answer_false) = (
            self.e.label(),
            self.e.label(),
            self.e.label(),
            self.e.label(),
        );
        let same = self.e.equal(a, b);
        self.e.branch(same, same_word, different);
        self.e.place(same_word);
        let t = self.e.word(Value::TRUE.bits());
        self.e.jump_with(join, t);
        self.e.place(different);
        let (a_object, b_object) = (self.e.is_pointer(a), self.e.is_pointer(b));
        let both_objects = self.e.b.ins().band(a_object, b_object);
        self.e.branch(both_objects, call, not_both_objects);
        self.e.place(not_both_objects);
        let (a_double, b_double) = (self.e.is_double(a), self.e.is_double(b));
        let both_doubles = self.e.b.ins().band(a_double, b_double);
        self.e.branch(both_doubles, call, answer_false);
        self.e.place(answer_false);
        let f = self.e.word(Value::FALSE.bits());
        self.e.jump_with(join, f);
    }

    /// `length`, and `at:` and `at:put:` with a small integer index within the bounds, of an
    /// Array, or of a DoubleArray (`floats`; storing only Doubles).
    fn indexed_access(
        &mut self,
        floats: bool,
        access: ArrayAccess,
        values: &[IrValue],
        join: Label,
        call: Label,
    ) {
        let (length_offset, items) = if floats {
            (DoubleArray::LENGTH_OFFSET, DoubleArray::ITEMS_OFFSET as i32)
        } else {
            (Array::LENGTH_OFFSET, Array::ITEMS_OFFSET as i32)
        };
        let array = values[0];
        let answer = match access {
            ArrayAccess::Length => {
                // Below 2^30: a small integer.
                let length = self.e.load(array, length_offset as i32);
                self.e.tag_int(length)
            }
            ArrayAccess::At => {
                let offset = self.index_within(array, length_offset, values[1], call);
                let address = self.e.b.ins().iadd(array, offset);
                if floats {
                    let flags = MemFlagsData::trusted();
                    let float = self.e.b.ins().load(types::F64, flags, address, items);
                    self.e.box_double(float)
                } else {
                    self.e.load(address, items)
                }
            }
            ArrayAccess::AtPut => {
                let offset = self.index_within(array, length_offset, values[1], call);
                let address = self.e.b.ins().iadd(array, offset);
                if floats {
                    let is_double = self.e.is_double(values[2]);
                    self.continue_if(is_double, call);
                    let float = self.e.unbox_double(values[2]);
                    self.e
                        .b
                        .ins()
                        .store(MemFlagsData::trusted(), float, address, items);
                } else {
                    self.e.store(values[2], address, items);
                }
                array
            }
        };
        self.e.jump_with(join, answer);
    }

    /// The byte offset of item `index` (1-based) of an indexable object whose length is at
    /// `length_offset`, if `index` is a small integer within it; else goes to `call`.
    fn index_within(
        &mut self,
        indexable: IrValue,
        length_offset: usize,
        index: IrValue,
        call: Label,
    ) -> IrValue {
        let (is_int, in_bounds) = (self.e.label(), self.e.label());
        let int = self.e.is_small_int(index);
        self.e.branch(int, is_int, call);
        self.e.place(is_int);
        let one_based = self.e.untag_int(index);
        let i = self.e.b.ins().iadd_imm_s(one_based, -1);
        let length = self.e.load(indexable, length_offset as i32);
        let within = self.e.b.ins().icmp(IntCC::UnsignedLessThan, i, length);
        self.e.branch(within, in_bounds, call);
        self.e.place(in_bounds);
        self.e.b.ins().ishl_imm_s(i, 3)
    }

    /// `Universe::dispatch_key`: the dispatch epoch and whether sends are intercepted.
    fn dispatch_key(&mut self) -> IrValue {
        self.epoch_bound = true;
        let epoch = self
            .e
            .load(self.u, offset_of!(Universe, dispatch_epoch) as i32);
        let intercepting = self
            .e
            .load_byte(self.u, ReflectionState::intercepting_offset() as i32);
        let shifted = self.e.b.ins().ishl_imm_s(epoch, 1);
        self.e.b.ins().bor(shifted, intercepting)
    }

    /// The layout of `value` if it is a heap object, else 0.
    fn object_layout(&mut self, value: IrValue) -> IrValue {
        let (object, immediate) = (self.e.label(), self.e.label());
        let (done, layout) = self.e.label_with_value();
        let pointer = self.e.is_pointer(value);
        self.e.branch(pointer, object, immediate);
        self.e.place(immediate);
        let zero = self.e.word(0);
        self.e.jump_with(done, zero);
        self.e.place(object);
        let loaded = self.e.load(value, OBJECT_LAYOUT);
        self.e.jump_with(done, loaded);
        self.e.place(done);
        layout
    }

    /// Whether `value` (whose heap layout, or 0, is `object_layout`) has `layout`.
    fn has_layout(
        &mut self,
        value: IrValue,
        object_layout: IrValue,
        layout: Gc<Layout>,
    ) -> IrValue {
        self.keep_alive.push(layout.value());
        let immediate = self
            .immediates
            .iter()
            .find(|(l, _)| *l == layout)
            .map(|(_, kind)| *kind);
        let Some(kind) = immediate else {
            return self.e.equal_to(object_layout, layout.value().bits());
        };
        let is_kind = match kind {
            Immediate::Integer => self.e.is_small_int(value),
            Immediate::Double => self.e.is_double(value),
            Immediate::Nil => self.e.equal_to(value, Value::NIL.bits()),
            Immediate::True => self.e.equal_to(value, Value::TRUE.bits()),
            Immediate::False => self.e.equal_to(value, Value::FALSE.bits()),
        };
        // The kind's layout is read, not assumed: a class may get a new instance layout.
        let current = self.e.load(self.u, kind.layout_offset());
        let same = self.e.equal_to(current, layout.value().bits());
        self.e.b.ins().band(is_kind, same)
    }

    /// Activates `method` for `values` (also spilled at `args`): calls its native code with a
    /// frame built here when it is compiled and runs on the VM stack's terms, else through the
    /// interpreter's activation.
    fn call_method(
        &mut self,
        site: &SiteFunctions,
        node: IrValue,
        method: Gc<Method>,
        values: &[IrValue],
        args: IrValue,
    ) -> IrValue {
        self.keep_alive.push(method.value());
        let method_word = self.e.word(method.value().bits());
        let code = method.code();
        if code.needs_context || code.intercepts {
            return self.call(site.activate, &[node, method_word, args]);
        }
        let (join, result) = self.e.label_with_value();
        let (slow, compiled, returned, unwound, other) = (
            self.e.label(),
            self.e.label(),
            self.e.label(),
            self.e.label(),
            self.e.label(),
        );
        self.e.cold(slow);
        self.e.cold(other);
        let (unpatched, compiled) = (self.e.label(), compiled);
        let patched = self.patched();
        self.e.branch(patched, slow, unpatched);
        self.e.place(unpatched);
        let entry_cell = self.ptr(code.native.entry_address());
        let entry = self.e.load(entry_cell, 0);
        let current = self.e.label();
        self.e.branch(entry, current, slow);
        // Code of an earlier dispatch epoch is retired by the interpreter's activation.
        self.e.place(current);
        let epoch_cell = self.ptr(code.native.epoch_address());
        let compiled_in = self.e.load(epoch_cell, 0);
        let epoch = self
            .e
            .load(self.u, offset_of!(Universe, dispatch_epoch) as i32);
        let same_epoch = self.e.equal(compiled_in, epoch);
        self.e.branch(same_epoch, compiled, slow);
        self.e.place(compiled);
        let slots = if code.frame_size == values.len() && !code.assigns_parameters {
            args
        } else {
            let nil = self.e.word(Value::NIL.bits());
            let mut slots = values.to_vec();
            slots.resize(code.frame_size.max(values.len()), nil);
            self.e.spill(&slots)
        };
        let nil = self.e.word(Value::NIL.bits());
        let (value, unwind) =
            self.call_compiled(entry, [slots, values[0], nil, nil, method_word], slow);
        self.e.branch(unwind, unwound, returned);
        self.e.place(returned);
        self.e.jump_with(join, value);
        self.e.place(unwound);
        let local_return = self.e.equal_to(unwind, 1);
        let answer_returned = self.e.label();
        self.e.branch(local_return, answer_returned, other);
        self.e.place(answer_returned);
        let returning = self.e.load(self.u, offset_of!(Universe, returning) as i32);
        self.e.jump_with(join, returning);
        self.e.place(other);
        let answer = self.call(site.finish_activation, &[node, method_word, args, unwind]);
        self.e.jump_with(join, answer);
        self.e.place(slow);
        let answer = self.call(site.activate, &[node, method_word, args]);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    /// Calls the compiled code at `entry` with a frame of `words` (slots, receiver, outer
    /// context, context, method) built in this unit's stack frame, if the native stack has
    /// room for it, else goes to `slow`; answers the call's value and unwind.
    fn call_compiled(
        &mut self,
        entry: IrValue,
        words: [IrValue; 5],
        slow: Label,
    ) -> (IrValue, IrValue) {
        let frame = self.e.spill(&words);
        let limit = self
            .e
            .load(self.u, Universe::native_stack_limit_offset() as i32);
        let short = self.e.b.ins().icmp(IntCC::UnsignedLessThan, frame, limit);
        self.continue_unless(short, slow);
        self.e.call_entry(entry, &[self.u, frame])
    }

    /// Evaluates the block `values[0]` (of `layout`): calls its native code with a frame built
    /// here when its code is compiled, takes the arguments given and needs no heap context and
    /// at most [`MAX_NATIVE_SLOTS`] slots, else through the interpreter's activation.
    fn call_block(
        &mut self,
        site: &SiteFunctions,
        node: IrValue,
        layout: Gc<Layout>,
        values: &[IrValue],
        args: IrValue,
    ) -> IrValue {
        let fitting = self.block_layouts.get(values.len() - 1) == Some(&layout);
        if !fitting {
            return self.call(site.activate_block, &[node, args]);
        }
        let block = values[0];
        let (join, result) = self.e.label_with_value();
        let slow = self.e.label();
        self.e.cold(slow);
        let consult = self.e.load_byte(
            self.u,
            ReflectionState::blocks_consult_environments_offset() as i32,
        );
        let patched = self.patched();
        let refused = self.e.b.ins().bor(consult, patched);
        self.continue_unless(refused, slow);
        let code = self.e.load(block, Block::CODE_OFFSET as i32);
        let needs_context = self
            .e
            .load_byte(code, offset_of!(CompiledBody, needs_context) as i32);
        self.continue_unless(needs_context, slow);
        let native = offset_of!(CompiledBody, native);
        let entry = self
            .e
            .load(code, (native + NativeCode::ENTRY_OFFSET) as i32);
        let missing = self.e.equal_to(entry, 0);
        self.continue_unless(missing, slow);
        let compiled_in = self
            .e
            .load(code, (native + NativeCode::EPOCH_OFFSET) as i32);
        let epoch = self
            .e
            .load(self.u, offset_of!(Universe, dispatch_epoch) as i32);
        let other_epoch = self.e.b.ins().icmp(IntCC::NotEqual, compiled_in, epoch);
        self.continue_unless(other_epoch, slow);
        let frame_size = self
            .e
            .load(code, offset_of!(CompiledBody, frame_size) as i32);
        let assigns = self
            .e
            .load_byte(code, offset_of!(CompiledBody, assigns_parameters) as i32);
        // The arguments are the slots when the body has no others and never assigns them;
        // else up to MAX_NATIVE_SLOTS slots, nil past the arguments.
        let (own_slots, shared_slots) = (self.e.label(), self.e.label());
        let (framed, slots) = self.e.label_with_value();
        let only_arguments = self.e.equal_to(frame_size, values.len() as u64);
        let (checked, not_shared) = (self.e.label(), self.e.label());
        self.e.branch(only_arguments, checked, not_shared);
        self.e.place(checked);
        self.e.branch(assigns, not_shared, shared_slots);
        self.e.place(shared_slots);
        self.e.jump_with(framed, args);
        self.e.place(not_shared);
        let too_many = self.e.b.ins().icmp_imm_u(
            IntCC::UnsignedGreaterThan,
            frame_size,
            MAX_NATIVE_SLOTS as i64,
        );
        self.e.branch(too_many, slow, own_slots);
        self.e.place(own_slots);
        let nil = self.e.word(Value::NIL.bits());
        let mut own = values.to_vec();
        own.resize(MAX_NATIVE_SLOTS.max(values.len()), nil);
        let own = self.e.spill(&own);
        self.e.jump_with(framed, own);
        self.e.place(framed);
        let receiver = self.e.load(block, Block::RECEIVER_OFFSET as i32);
        let outer = self.e.load(block, Block::OUTER_OFFSET as i32);
        let home = self.e.load(block, Block::HOME_METHOD_OFFSET as i32);
        let (value, unwind) = self.call_compiled(entry, [slots, receiver, outer, nil, home], slow);
        let (returned, unwound) = (self.e.label(), self.e.label());
        self.e.cold(unwound);
        self.e.branch(unwind, unwound, returned);
        self.e.place(returned);
        self.e.jump_with(join, value);
        self.e.place(unwound);
        let answer = self.call(site.finish_block, &[node, args, unwind]);
        self.e.jump_with(join, answer);
        self.e.place(slow);
        let answer = self.call(site.activate_block, &[node, args]);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    fn binary(&mut self, op: &BinaryOp) -> IrValue {
        use BinaryOperator::*;
        let left = self.lower(&op.left);
        let right = self.lower(&op.right);
        let (join, result) = self.e.label_with_value();
        let (check, ints, not_ints, slow) = (
            self.e.label(),
            self.e.label(),
            self.e.label(),
            self.e.label(),
        );
        self.e.cold(slow);
        let flag = self.e.load_byte(
            self.u,
            ReflectionState::numeric_operators_send_offset() as i32,
        );
        self.e.branch(flag, slow, check);
        self.e.place(check);
        let both = self.e.are_small_ints(left, right);
        self.e.branch(both, ints, not_ints);

        self.e.place(ints);
        let answer = match op.operator {
            Add | Subtract | Multiply => {
                let arithmetic = match op.operator {
                    Add => IntArithmetic::Add,
                    Subtract => IntArithmetic::Subtract,
                    _ => IntArithmetic::Multiply,
                };
                let (value, overflow) = self.e.int_arithmetic(arithmetic, left, right);
                self.continue_unless(overflow, slow);
                value
            }
            Divide | Modulo => self.int_division(op.operator, left, right, slow),
            LessThan | GreaterThan | LessOrEqual | GreaterOrEqual => {
                let cc = match op.operator {
                    LessThan => IntCC::SignedLessThan,
                    GreaterThan => IntCC::SignedGreaterThan,
                    LessOrEqual => IntCC::SignedLessThanOrEqual,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                let holds = self.e.int_compare(cc, left, right);
                self.e.boolean(holds)
            }
            Equal | NotEqual => {
                let cc = if op.operator == Equal {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                let holds = self.e.b.ins().icmp(cc, left, right);
                self.e.boolean(holds)
            }
        };
        self.e.jump_with(join, answer);

        self.e.place(not_ints);
        match double_comparison(op.operator) {
            Some(double) => {
                let answer = self.double_operation(double, left, right, slow);
                self.e.jump_with(join, answer);
            }
            None => self.e.jump(slow),
        }

        // Anything else sends: through the chain's entries, then the operator's own code.
        self.e.place(slow);
        let node = self.ptr(op);
        let args = self.e.spill(&[left, right]);
        let site = SiteFunctions::of::<BinaryOp>();
        let answer = self.inline_chain(&site, node, op.chain(), &[left, right], args, |lowering| {
            let u = lowering.u;
            lowering
                .e
                .call_may_unwind(runtime::binary_op as *const u8, &[u, node, left, right])
        });
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    /// Goes on if `condition`, else to `otherwise`.
    fn continue_if(&mut self, condition: IrValue, otherwise: Label) {
        let go_on = self.e.label();
        self.e.branch(condition, go_on, otherwise);
        self.e.place(go_on);
    }

    /// Goes to `slow` if `condition`, else on in a fresh block.
    fn continue_unless(&mut self, condition: IrValue, slow: Label) {
        let go_on = self.e.label();
        self.e.branch(condition, slow, go_on);
        self.e.place(go_on);
    }

    /// `/` (truncating) and `%` (floored) on small integers; division by zero and a quotient
    /// beyond the small integers are left to the primitive.
    fn int_division(
        &mut self,
        operator: BinaryOperator,
        left: IrValue,
        right: IrValue,
        slow: Label,
    ) -> IrValue {
        let divisor = self.e.untag_int(right);
        let zero = self.e.b.ins().icmp_imm_s(IntCC::Equal, divisor, 0);
        self.continue_unless(zero, slow);
        let dividend = self.e.untag_int(left);
        if operator == BinaryOperator::Divide {
            let quotient = self.e.b.ins().sdiv(dividend, divisor);
            let tagged = self.e.tag_int(quotient);
            let round_trip = self.e.untag_int(tagged);
            let fits = self.e.equal(round_trip, quotient);
            let go_on = self.e.label();
            self.e.branch(fits, go_on, slow);
            self.e.place(go_on);
            tagged
        } else {
            let remainder = self.e.b.ins().srem(dividend, divisor);
            let signs = self.e.b.ins().bxor(remainder, divisor);
            let signs_differ = self.e.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
            let nonzero = self.e.b.ins().icmp_imm_s(IntCC::NotEqual, remainder, 0);
            let adjust = self.e.b.ins().band(signs_differ, nonzero);
            let adjusted = self.e.b.ins().iadd(remainder, divisor);
            let floored = self.e.b.ins().select(adjust, adjusted, remainder);
            self.e.tag_int(floored)
        }
    }

    /// A double receiver with a double or small integer argument; anything else goes to `slow`.
    fn double_operation(
        &mut self,
        operation: DoubleOperation,
        left: IrValue,
        right: IrValue,
        slow: Label,
    ) -> IrValue {
        let (left_double, right_double, right_int) =
            (self.e.label(), self.e.label(), self.e.label());
        let (operands, right_bits) = self.e.label_with_value();
        let is_double = self.e.is_double(left);
        self.e.branch(is_double, left_double, slow);
        self.e.place(left_double);
        let is_double = self.e.is_double(right);
        self.e.branch(is_double, right_double, right_int);
        self.e.place(right_double);
        let y = self.e.unbox_double(right);
        let bits = self.bits_of(y);
        self.e.jump_with(operands, bits);
        self.e.place(right_int);
        let is_int = self.e.is_small_int(right);
        let convert = self.e.label();
        self.e.branch(is_int, convert, slow);
        self.e.place(convert);
        let y = self.e.int_to_double(right);
        let bits = self.bits_of(y);
        self.e.jump_with(operands, bits);
        self.e.place(operands);
        let x = self.e.unbox_double(left);
        let y = self
            .e
            .b
            .ins()
            .bitcast(types::F64, MemFlagsData::new(), right_bits);
        match operation {
            DoubleOperation::Arithmetic(op) => {
                let d = match op {
                    BinaryOperator::Add => self.e.b.ins().fadd(x, y),
                    BinaryOperator::Subtract => self.e.b.ins().fsub(x, y),
                    _ => self.e.b.ins().fmul(x, y),
                };
                self.e.box_double(d)
            }
            DoubleOperation::Comparison(cc) => {
                let holds = self.e.b.ins().fcmp(cc, x, y);
                self.e.boolean(holds)
            }
        }
    }

    fn bits_of(&mut self, d: IrValue) -> IrValue {
        self.e.b.ins().bitcast(types::I64, MemFlagsData::new(), d)
    }

    /// Falls back through the node's own code for a receiver it does not inline.
    fn fall_back(&mut self, node: &Node, receiver: IrValue) -> IrValue {
        let node = self.ptr(node);
        self.call(runtime::inlined_fallback as *const u8, &[node, receiver])
    }

    /// Branches on a Boolean: `then` for `expected`, `otherwise` for its opposite, and the
    /// node's fallback (`fallback(universe, frame, node, condition)`) for anything else, whose
    /// answer goes to `join`.
    fn branch_on_boolean(
        &mut self,
        fallback: (*const u8, usize),
        condition: IrValue,
        expected: bool,
        then: Label,
        otherwise: Label,
        join: Label,
    ) {
        let (not_expected, other) = (self.e.label(), self.e.label());
        self.e.cold(other);
        let is_expected = self.e.equal_to(condition, Value::boolean(expected).bits());
        self.e.branch(is_expected, then, not_expected);
        self.e.place(not_expected);
        let is_opposite = self.e.equal_to(condition, Value::boolean(!expected).bits());
        self.e.branch(is_opposite, otherwise, other);
        self.e.place(other);
        let node = self.e.word(fallback.1 as u64);
        let answer = self.call(fallback.0, &[node, condition]);
        self.e.jump_with(join, answer);
    }

    /// The fallback of an inlined structure that has no runtime function of its own.
    fn node_fallback(node: &Node) -> (*const u8, usize) {
        (
            runtime::inlined_fallback as *const u8,
            node as *const Node as usize,
        )
    }

    /// An inlined structure of `node` that branches on the Boolean `condition`: `then` emits
    /// the answer for `expected`, `otherwise` the one for its opposite; anything else takes
    /// the node's fallback.
    fn on_boolean(
        &mut self,
        node: &Node,
        condition: IrValue,
        expected: bool,
        then: impl FnOnce(&mut Self) -> IrValue,
        otherwise: impl FnOnce(&mut Self) -> IrValue,
    ) -> IrValue {
        let (then_label, otherwise_label) = (self.e.label(), self.e.label());
        let (join, result) = self.e.label_with_value();
        self.branch_on_boolean(
            Self::node_fallback(node),
            condition,
            expected,
            then_label,
            otherwise_label,
            join,
        );
        self.e.place(then_label);
        let answer = then(self);
        self.e.jump_with(join, answer);
        self.e.place(otherwise_label);
        let answer = otherwise(self);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    fn if_true(&mut self, node: &Node, branch: &IfTrue) -> IrValue {
        let condition = self.lower(&branch.condition);
        self.on_boolean(
            node,
            condition,
            branch.expected,
            |lowering| lowering.lower(&branch.body),
            |lowering| lowering.e.word(Value::NIL.bits()),
        )
    }

    fn if_true_if_false(&mut self, node: &Node, branch: &IfTrueIfFalse) -> IrValue {
        let condition = self.lower(&branch.condition);
        self.on_boolean(
            node,
            condition,
            true,
            |lowering| lowering.lower(&branch.if_true),
            |lowering| lowering.lower(&branch.if_false),
        )
    }

    fn if_nil(&mut self, branch: &IfNil) -> IrValue {
        let receiver = self.lower(&branch.receiver);
        let (is_nil, not_nil) = (self.e.label(), self.e.label());
        let (join, result) = self.e.label_with_value();
        let nil = self.e.equal_to(receiver, Value::NIL.bits());
        self.e.branch(nil, is_nil, not_nil);
        self.e.place(is_nil);
        let answer = match &branch.if_nil {
            Some(body) => self.lower(body),
            None => self.e.word(Value::NIL.bits()),
        };
        self.e.jump_with(join, answer);
        self.e.place(not_nil);
        let answer = match &branch.if_not_nil {
            Some(body) => self.lower(body),
            None => receiver,
        };
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    fn and_or(&mut self, node: &Node, branch: &AndOr) -> IrValue {
        let left = self.lower(&branch.left);
        self.on_boolean(
            node,
            left,
            branch.is_and,
            |lowering| lowering.lower(&branch.right),
            |_| left,
        )
    }

    pub fn while_loop(&mut self, inlined: &WhileLoop) -> IrValue {
        let (header, body, done) = (self.e.label(), self.e.label(), self.e.label());
        let (join, result) = self.e.label_with_value();
        self.e.jump(header);
        self.e.place(header);
        let condition = self.lower(&inlined.condition);
        let fallback = (
            runtime::while_not_boolean as *const u8,
            inlined as *const WhileLoop as usize,
        );
        self.branch_on_boolean(fallback, condition, inlined.expected, body, done, join);
        self.e.place(body);
        self.lower(&inlined.body);
        self.e.jump(header);
        self.e.place(done);
        let nil = self.e.word(Value::NIL.bits());
        self.e.jump_with(join, nil);
        self.e.place(join);
        result
    }

    fn counting_loop(&mut self, inlined: &ToDo) -> IrValue {
        let start = self.lower(&inlined.receiver);
        let limit = self.lower(&inlined.limit);
        let step = inlined.step.as_ref().map(|step| self.lower(step));
        let (counting, general) = (self.e.label(), self.e.label());
        let (join, result) = self.e.label_with_value();
        self.e.cold(general);
        let mut ints = self.e.are_small_ints(start, limit);
        if let Some(step) = step {
            let step_int = self.e.is_small_int(step);
            ints = self.e.b.ins().band(ints, step_int);
        }
        self.e.branch(ints, counting, general);

        self.e.place(counting);
        let from = self.e.untag_int(start);
        let to = self.e.untag_int(limit);
        let by = match step {
            Some(step) => self.e.untag_int(step),
            None => self
                .e
                .word(if inlined.downwards { -1i64 as u64 } else { 1 }),
        };
        self.count(inlined, from, to, by);
        self.e.jump_with(join, start);

        self.e.place(general);
        let node = self.ptr(inlined);
        let step = step.unwrap_or_else(|| self.e.word(0));
        let answer = self.call(runtime::to_do as *const u8, &[node, start, limit, step]);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }

    /// The counting loop of `to:do:` from `from` (machine integers), as `ToDo::count`; goes on
    /// after the loop when it ends.
    pub fn count(&mut self, inlined: &ToDo, from: IrValue, to: IrValue, by: IrValue) {
        let done = self.e.label();
        if let Some(kernel) = self.kernel_of(inlined) {
            let generic = self.e.label();
            self.kernel(&kernel, inlined, (from, to, by), generic, done);
            self.e.place(generic);
        }
        let i = self.e.variable(from);
        let (header, body) = (self.e.label(), self.e.label());
        self.e.jump(header);
        self.e.place(header);
        let current = self.e.b.use_var(i);
        let cc = if inlined.downwards {
            IntCC::SignedGreaterThanOrEqual
        } else {
            IntCC::SignedLessThanOrEqual
        };
        let go_on = self.e.b.ins().icmp(cc, current, to);
        self.e.branch(go_on, body, done);
        self.e.place(body);
        let tagged = self.e.tag_int(current);
        self.store_slot(inlined.variable_slot, tagged);
        self.lower(&inlined.body);
        let current = self.e.b.use_var(i);
        let (next, overflow) = self.e.b.ins().sadd_overflow(current, by);
        self.e.b.def_var(i, next);
        self.e.branch(overflow, done, header);
        self.e.place(done);
    }

    fn times_repeat(&mut self, node: &Node, inlined: &TimesRepeat) -> IrValue {
        let receiver = self.lower(&inlined.receiver);
        let (counting, other) = (self.e.label(), self.e.label());
        let (join, result) = self.e.label_with_value();
        self.e.cold(other);
        let is_int = self.e.is_small_int(receiver);
        self.e.branch(is_int, counting, other);
        self.e.place(counting);
        let times = self.e.untag_int(receiver);
        let zero = self.e.word(0);
        let count = self.e.variable(zero);
        let (header, body, done) = (self.e.label(), self.e.label(), self.e.label());
        self.e.jump(header);
        self.e.place(header);
        let current = self.e.b.use_var(count);
        let go_on = self.e.b.ins().icmp(IntCC::SignedLessThan, current, times);
        self.e.branch(go_on, body, done);
        self.e.place(body);
        if let Some(slot) = inlined.parameter {
            let nil = self.e.word(Value::NIL.bits());
            self.store_slot(slot, nil);
        }
        self.lower(&inlined.body);
        let current = self.e.b.use_var(count);
        let next = self.e.b.ins().iadd_imm_s(current, 1);
        self.e.b.def_var(count, next);
        self.e.jump(header);
        self.e.place(done);
        self.e.jump_with(join, receiver);
        self.e.place(other);
        let answer = self.fall_back(node, receiver);
        self.e.jump_with(join, answer);
        self.e.place(join);
        result
    }
}

/// Where a variable lives.
#[derive(Clone, Copy)]
enum Place {
    Receiver,
    Slot(u32),
    Outer(OuterVariable),
}

/// The kinds of values that are not heap objects, each with a layout in `CoreLayouts`.
#[derive(Clone, Copy)]
enum Immediate {
    Integer,
    Double,
    Nil,
    True,
    False,
}

impl Immediate {
    /// Where the universe keeps this kind's layout.
    fn layout_offset(self) -> i32 {
        let field = match self {
            Immediate::Integer => offset_of!(CoreLayouts, integer),
            Immediate::Double => offset_of!(CoreLayouts, double),
            Immediate::Nil => offset_of!(CoreLayouts, nil),
            Immediate::True => offset_of!(CoreLayouts, true_value),
            Immediate::False => offset_of!(CoreLayouts, false_value),
        };
        (offset_of!(Universe, layouts) + field) as i32
    }
}

#[derive(Clone, Copy)]
enum DoubleOperation {
    Arithmetic(BinaryOperator),
    Comparison(FloatCC),
}

/// What an operator computes on doubles natively, as the interpreter's numeric specialisation
/// does (`>` and `>=` answer true for NaN operands, as the library derives them).
fn double_comparison(operator: BinaryOperator) -> Option<DoubleOperation> {
    use BinaryOperator::*;
    Some(match operator {
        Add | Subtract | Multiply => DoubleOperation::Arithmetic(operator),
        LessThan => DoubleOperation::Comparison(FloatCC::LessThan),
        LessOrEqual => DoubleOperation::Comparison(FloatCC::LessThanOrEqual),
        GreaterThan => DoubleOperation::Comparison(FloatCC::UnorderedOrGreaterThan),
        GreaterOrEqual => DoubleOperation::Comparison(FloatCC::UnorderedOrGreaterThanOrEqual),
        Equal => DoubleOperation::Comparison(FloatCC::Equal),
        Divide | Modulo | NotEqual => return None,
    })
}

const _: () = assert!(offset_of!(Frame, receiver) == FRAME_RECEIVER as usize);
const _: () = assert!(offset_of!(Frame, outer) == FRAME_OUTER as usize);
