//! The builder the interpreter lowers its trees through: Cranelift's function builder plus the
//! VM's vocabulary. Every compiled unit has the same shape: word parameters, and an answer that
//! is a [`NativeExec`] pair, so that runtime functions and compiled code unwind alike.

use crate::backend::exec_signature;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, Block, BlockArg, Function, InstBuilder, MemFlagsData, SigRef, StackSlotData,
    StackSlotKind, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use yerba_mop::value::encoding::{
    CANONICAL_NAN, DOUBLE_OFFSET, FALSE_BITS, SMALL_INT_BITS, SMALL_INT_TAG, TRUE_BITS,
};

/// What compiled code and the runtime functions it calls answer: a value, or a non-zero
/// unwind tag whose payload waits in the VM (returned in two registers).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeExec {
    pub value: u64,
    /// 0 when `value` is the answer, else the VM's unwind tag plus one.
    pub unwind: u64,
}

/// A place in the code being built.
#[derive(Clone, Copy)]
pub struct Label(Block);

/// The bits a small integer loses when shifted so that its 49 bits fill a machine word.
const INT_SHIFT: i64 = (64 - SMALL_INT_BITS) as i64;

pub struct Emitter<'a> {
    /// Cranelift's builder, for what the VM vocabulary does not cover.
    pub b: FunctionBuilder<'a>,
    call_conv: CallConv,
    frontend: TargetFrontendConfig,
    entry: Block,
    /// Where every unwind goes: it returns `(0, unwind)`.
    unwinding: Block,
    signatures: Vec<(usize, SigRef)>,
}

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        func: &'a mut Function,
        context: &'a mut FunctionBuilderContext,
        params: usize,
        call_conv: CallConv,
        frontend: TargetFrontendConfig,
    ) -> Emitter<'a> {
        let mut b = FunctionBuilder::new(func, context);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        let unwinding = b.create_block();
        b.append_block_param(unwinding, types::I64);
        b.set_cold_block(unwinding);
        b.switch_to_block(entry);
        debug_assert_eq!(b.block_params(entry).len(), params);
        Emitter {
            b,
            call_conv,
            frontend,
            entry,
            unwinding,
            signatures: Vec::new(),
        }
    }

    pub(crate) fn finish(mut self) {
        self.b.switch_to_block(self.unwinding);
        let unwind = self.b.block_params(self.unwinding)[0];
        let zero = self.word(0);
        self.b.ins().return_(&[zero, unwind]);
        self.b.seal_all_blocks();
        self.b.finalize(self.frontend);
    }

    /// Parameter `index` of the unit.
    pub fn param(&self, index: usize) -> Value {
        self.b.block_params(self.entry)[index]
    }

    pub fn word(&mut self, bits: u64) -> Value {
        self.b.ins().iconst(types::I64, bits as i64)
    }

    pub fn load(&mut self, base: Value, offset: i32) -> Value {
        self.b.ins().load(types::I64, flags(), base, offset)
    }

    /// A byte (a `bool` or `Cell<bool>`), zero-extended to a word.
    pub fn load_byte(&mut self, base: Value, offset: i32) -> Value {
        self.b.ins().uload8(types::I64, flags(), base, offset)
    }

    /// A `u32`, zero-extended to a word.
    pub fn load_u32(&mut self, base: Value, offset: i32) -> Value {
        self.b.ins().uload32(flags(), base, offset)
    }

    pub fn store(&mut self, value: Value, base: Value, offset: i32) {
        self.b.ins().store(flags(), value, base, offset);
    }

    /// Answers `value` from the unit.
    pub fn answer(&mut self, value: Value) {
        let zero = self.word(0);
        self.b.ins().return_(&[value, zero]);
    }

    /// Leaves the unit with the (non-zero) unwind tag `unwind`.
    pub fn unwind(&mut self, unwind: Value) {
        self.b
            .ins()
            .jump(self.unwinding, &[BlockArg::Value(unwind)]);
    }

    /// Calls the runtime function at `function` (`extern "C" fn(u64, ...) -> NativeExec`):
    /// answers its value and unwind tag.
    pub fn call(&mut self, function: *const u8, args: &[Value]) -> (Value, Value) {
        let signature = self.signature(args.len());
        let callee = self.word(function as u64);
        let call = self.b.ins().call_indirect(signature, callee, args);
        let results = self.b.inst_results(call);
        (results[0], results[1])
    }

    /// Calls compiled code whose entry is the value `entry` (same signature as runtime
    /// functions): answers its value and unwind tag.
    pub fn call_entry(&mut self, entry: Value, args: &[Value]) -> (Value, Value) {
        let signature = self.signature(args.len());
        let call = self.b.ins().call_indirect(signature, entry, args);
        let results = self.b.inst_results(call);
        (results[0], results[1])
    }

    /// As [`Emitter::call`], leaving the unit when the callee unwinds: answers its value.
    pub fn call_may_unwind(&mut self, function: *const u8, args: &[Value]) -> Value {
        let (value, unwind) = self.call(function, args);
        self.unwind_unless_zero(unwind);
        value
    }

    /// Leaves the unit with `unwind` unless it is zero.
    pub fn unwind_unless_zero(&mut self, unwind: Value) {
        let go_on = self.b.create_block();
        self.b.ins().brif(
            unwind,
            self.unwinding,
            &[BlockArg::Value(unwind)],
            go_on,
            &[],
        );
        self.b.switch_to_block(go_on);
    }

    fn signature(&mut self, params: usize) -> SigRef {
        if let Some((_, sig)) = self.signatures.iter().find(|(n, _)| *n == params) {
            return *sig;
        }
        let sig = self
            .b
            .import_signature(exec_signature(params, self.call_conv));
        self.signatures.push((params, sig));
        sig
    }

    /// The address of a fresh array of `values` in the unit's stack frame (the collector scans
    /// native stacks, so the values stay reachable).
    pub fn spill(&mut self, values: &[Value]) -> Value {
        let bytes = (values.len().max(1) * 8) as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            bytes,
            3,
        ));
        for (i, value) in values.iter().enumerate() {
            self.b
                .ins()
                .stack_store(types::I64, *value, slot, (i * 8) as i32);
        }
        self.b.ins().stack_addr(types::I64, slot, 0)
    }

    // Control flow.

    pub fn label(&mut self) -> Label {
        Label(self.b.create_block())
    }

    /// A label whose jumps carry a word, answered as the parameter.
    pub fn label_with_value(&mut self) -> (Label, Value) {
        let block = self.b.create_block();
        let value = self.b.append_block_param(block, types::I64);
        (Label(block), value)
    }

    /// Marks the code at `label` as rarely run, to lay it out of the way.
    pub fn cold(&mut self, label: Label) {
        self.b.set_cold_block(label.0);
    }

    pub fn place(&mut self, label: Label) {
        self.b.switch_to_block(label.0);
    }

    pub fn jump(&mut self, label: Label) {
        self.b.ins().jump(label.0, &[]);
    }

    pub fn jump_with(&mut self, label: Label, value: Value) {
        self.b.ins().jump(label.0, &[BlockArg::Value(value)]);
    }

    /// Goes to `then` if `condition` is non-zero, else to `otherwise`.
    pub fn branch(&mut self, condition: Value, then: Label, otherwise: Label) {
        self.b.ins().brif(condition, then.0, &[], otherwise.0, &[]);
    }

    pub fn variable(&mut self, initial: Value) -> Variable {
        let ty = self.b.func.dfg.value_type(initial);
        let var = self.b.declare_var(ty);
        self.b.def_var(var, initial);
        var
    }

    // Tagged values (the encoding of `yerba_mop::Value`).

    pub fn equal(&mut self, a: Value, b: Value) -> Value {
        self.b.ins().icmp(IntCC::Equal, a, b)
    }

    pub fn equal_to(&mut self, a: Value, bits: u64) -> Value {
        self.b.ins().icmp_imm_s(IntCC::Equal, a, bits as i64)
    }

    /// `true` or `false` as a value, from a condition.
    pub fn boolean(&mut self, condition: Value) -> Value {
        let t = self.word(TRUE_BITS);
        let f = self.word(FALSE_BITS);
        self.b.ins().select(condition, t, f)
    }

    /// Whether both words are small integers: the tag is all ones, so it survives `and`.
    pub fn are_small_ints(&mut self, a: Value, b: Value) -> Value {
        let both = self.b.ins().band(a, b);
        self.b.ins().icmp_imm_s(
            IntCC::UnsignedGreaterThanOrEqual,
            both,
            SMALL_INT_TAG as i64,
        )
    }

    pub fn is_small_int(&mut self, a: Value) -> Value {
        self.b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, a, SMALL_INT_TAG as i64)
    }

    /// A small integer as a machine integer.
    pub fn untag_int(&mut self, a: Value) -> Value {
        let shifted = self.b.ins().ishl_imm_s(a, INT_SHIFT);
        self.b.ins().sshr_imm_s(shifted, INT_SHIFT)
    }

    /// A machine integer known to fit a small integer, tagged.
    pub fn tag_int(&mut self, i: Value) -> Value {
        let low = self
            .b
            .ins()
            .band_imm_s(i, ((1u64 << SMALL_INT_BITS) - 1) as i64);
        self.b.ins().bor_imm_s(low, SMALL_INT_TAG as i64)
    }

    /// The integer shifted to the top of the word, where 64-bit overflow is small-integer
    /// overflow.
    fn int_high(&mut self, a: Value) -> Value {
        self.b.ins().ishl_imm_s(a, INT_SHIFT)
    }

    fn tag_high(&mut self, high: Value) -> Value {
        let low = self.b.ins().ushr_imm_s(high, INT_SHIFT);
        self.b.ins().bor_imm_s(low, SMALL_INT_TAG as i64)
    }

    /// `a + b`, `a - b` or `a * b` of two small integers: the tagged result, and whether it
    /// overflowed the small integers (the result is then meaningless).
    pub fn int_arithmetic(&mut self, op: IntArithmetic, a: Value, b: Value) -> (Value, Value) {
        let x = self.int_high(a);
        let (high, overflow) = match op {
            IntArithmetic::Add => {
                let y = self.int_high(b);
                self.b.ins().sadd_overflow(x, y)
            }
            IntArithmetic::Subtract => {
                let y = self.int_high(b);
                self.b.ins().ssub_overflow(x, y)
            }
            IntArithmetic::Multiply => {
                let y = self.untag_int(b);
                self.b.ins().smul_overflow(x, y)
            }
        };
        (self.tag_high(high), overflow)
    }

    /// Compares two small integers.
    pub fn int_compare(&mut self, cc: IntCC, a: Value, b: Value) -> Value {
        let x = self.int_high(a);
        let y = self.int_high(b);
        self.b.ins().icmp(cc, x, y)
    }

    pub fn is_double(&mut self, a: Value) -> Value {
        let shifted = self
            .b
            .ins()
            .iadd_imm_s(a, DOUBLE_OFFSET.wrapping_neg() as i64);
        self.b.ins().icmp_imm_s(
            IntCC::UnsignedLessThan,
            shifted,
            (SMALL_INT_TAG - DOUBLE_OFFSET) as i64,
        )
    }

    pub fn unbox_double(&mut self, a: Value) -> Value {
        let bits = self
            .b
            .ins()
            .iadd_imm_s(a, DOUBLE_OFFSET.wrapping_neg() as i64);
        self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits)
    }

    pub fn int_to_double(&mut self, a: Value) -> Value {
        let i = self.untag_int(a);
        self.b.ins().fcvt_from_sint(types::F64, i)
    }

    /// A double as a value: NaNs canonicalised, as `Value::double` does.
    pub fn box_double(&mut self, d: Value) -> Value {
        let bits = self.b.ins().bitcast(types::I64, MemFlagsData::new(), d);
        let is_nan = self.b.ins().fcmp(FloatCC::Unordered, d, d);
        let nan = self.word(CANONICAL_NAN);
        let canonical = self.b.ins().select(is_nan, nan, bits);
        self.b.ins().iadd_imm_s(canonical, DOUBLE_OFFSET as i64)
    }

    /// Whether the word is a heap pointer, whose object starts with its header.
    pub fn is_pointer(&mut self, a: Value) -> Value {
        let first = yerba_mop::value::encoding::FIRST_POINTER;
        let shifted = self.b.ins().iadd_imm_s(a, first.wrapping_neg() as i64);
        self.b.ins().icmp_imm_s(
            IntCC::UnsignedLessThan,
            shifted,
            (DOUBLE_OFFSET - first) as i64,
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub enum IntArithmetic {
    Add,
    Subtract,
    Multiply,
}
