//! The builder's pieces, compiled and run: tagged arithmetic with its overflow check, doubles,
//! runtime calls answering two words, and unwinding out of a unit.

use crate::{Emitter, IntArithmetic, IntCC, Jit, NativeExec};
use cranelift_codegen::ir::InstBuilder;
use yerba_mop::Value;

type Unit2 = extern "C" fn(u64, u64) -> NativeExec;

fn compile2(build: impl FnOnce(&mut Emitter)) -> crate::CompiledCode {
    let mut jit = Jit::for_host(true).expect("the test machines run x86-64");
    jit.compile(2, build).expect("compiles")
}

fn run2(code: &crate::CompiledCode, a: Value, b: Value) -> NativeExec {
    // SAFETY: compiled with two word parameters, answering a NativeExec.
    let f: Unit2 = unsafe { std::mem::transmute(code.entry()) };
    f(a.bits(), b.bits())
}

fn int(i: i64) -> Value {
    Value::small_int(i).unwrap()
}

/// `a op b`, or unwind tag 7 when it overflows.
fn arithmetic(op: IntArithmetic) -> crate::CompiledCode {
    compile2(|e| {
        let (a, b) = (e.param(0), e.param(1));
        let (result, overflow) = e.int_arithmetic(op, a, b);
        let (ok, overflowed) = (e.label(), e.label());
        e.branch(overflow, overflowed, ok);
        e.place(ok);
        e.answer(result);
        e.place(overflowed);
        let tag = e.word(7);
        e.unwind(tag);
    })
}

#[test]
fn small_integer_arithmetic_detects_overflow_at_49_bits() {
    let add = arithmetic(IntArithmetic::Add);
    let sub = arithmetic(IntArithmetic::Subtract);
    let mul = arithmetic(IntArithmetic::Multiply);
    let max = Value::MAX_SMALL_INT;
    let min = Value::MIN_SMALL_INT;
    assert_eq!(run2(&add, int(40), int(2)).value, int(42).bits());
    assert_eq!(run2(&add, int(-40), int(2)).value, int(-38).bits());
    assert_eq!(run2(&add, int(max), int(1)).unwind, 7);
    assert_eq!(run2(&add, int(max - 1), int(1)).value, int(max).bits());
    assert_eq!(run2(&sub, int(min), int(1)).unwind, 7);
    assert_eq!(run2(&sub, int(3), int(5)).value, int(-2).bits());
    assert_eq!(run2(&mul, int(-6), int(7)).value, int(-42).bits());
    assert_eq!(run2(&mul, int(1 << 30), int(1 << 30)).unwind, 7);
    assert_eq!(
        run2(&mul, int(1 << 24), int(-(1 << 24))).value,
        int(min).bits()
    );
}

#[test]
fn comparisons_and_tag_tests_answer_booleans() {
    let less = compile2(|e| {
        let (a, b) = (e.param(0), e.param(1));
        let both = e.are_small_ints(a, b);
        let less = e.int_compare(IntCC::SignedLessThan, a, b);
        let answer = e.boolean(less);
        let nil = e.word(0);
        let answer = e.b.ins().select(both, answer, nil);
        e.answer(answer);
    });
    assert_eq!(run2(&less, int(-5), int(3)).value, Value::TRUE.bits());
    assert_eq!(run2(&less, int(3), int(-5)).value, Value::FALSE.bits());
    assert_eq!(run2(&less, int(3), Value::double(1.0)).value, 0);
}

#[test]
fn doubles_are_unboxed_and_boxed_with_canonical_nans() {
    let sum = compile2(|e| {
        let (a, b) = (e.param(0), e.param(1));
        let x = e.unbox_double(a);
        let y = e.int_to_double(b);
        let s = e.b.ins().fadd(x, y);
        let boxed = e.box_double(s);
        e.answer(boxed);
    });
    assert_eq!(
        run2(&sum, Value::double(1.5), int(2)).value,
        Value::double(3.5).bits()
    );
    let sum_of_doubles = compile2(|e| {
        let (a, b) = (e.param(0), e.param(1));
        let (x, y) = (e.unbox_double(a), e.unbox_double(b));
        let s = e.b.ins().fadd(x, y);
        let boxed = e.box_double(s);
        e.answer(boxed);
    });
    let (inf, minus_inf) = (
        Value::double(f64::INFINITY),
        Value::double(f64::NEG_INFINITY),
    );
    let nan = run2(&sum_of_doubles, inf, minus_inf).value;
    assert_eq!(nan, Value::double(f64::NAN).bits());
}

extern "C" fn doubled_or_unwind(x: u64) -> NativeExec {
    if x == 0 {
        NativeExec {
            value: 0,
            unwind: 3,
        }
    } else {
        NativeExec {
            value: x * 2,
            unwind: 0,
        }
    }
}

#[test]
fn runtime_calls_answer_two_words_and_unwind() {
    let code = compile2(|e| {
        let a = e.param(0);
        let doubled = e.call_may_unwind(doubled_or_unwind as *const u8, &[a]);
        let one = e.word(1);
        let plus = e.b.ins().iadd(doubled, one);
        e.answer(plus);
    });
    let f = |x: u64| {
        // SAFETY: two word parameters, answering a NativeExec.
        let f: Unit2 = unsafe { std::mem::transmute(code.entry()) };
        f(x, 0)
    };
    assert_eq!(
        f(20),
        NativeExec {
            value: 41,
            unwind: 0
        }
    );
    assert_eq!(
        f(0),
        NativeExec {
            value: 0,
            unwind: 3
        }
    );
}
