//! Integer primitives. One class covers every size: operations compute on [`Int`], promoting
//! to big integers on overflow, and store results unboxed whenever they fit, so that equality
//! and hashing never depend on how a value happens to be stored.
//!
//! The arithmetic itself is in the pure functions below the primitives; the primitives only
//! read their operands, reject what is not a number, and pick the result class. Binary
//! primitives first try two small integers directly, with the same i64 functions.

use super::arguments::{binary, expect_string, unary};
use super::numbers::{
    self, expect_f64, expect_int, expect_number, f64_to_int, int_to_f64, int_value,
    integer_receiver, parse_int, Int, Number,
};
use super::random;
use super::Entry;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use num_bigint::{BigInt, Sign};
use num_integer::Integer as _;
use num_traits::{Signed, ToPrimitive};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Integer", false, "+", plus),
    ("Integer", false, "-", minus),
    ("Integer", false, "*", times),
    ("Integer", false, "/", divided_by),
    ("Integer", false, "//", double_divided_by),
    ("Integer", false, "%", modulo_prim),
    ("Integer", false, "rem:", remainder_prim),
    ("Integer", false, "&", bit_and_prim),
    ("Integer", false, "bitXor:", bit_xor_prim),
    ("Integer", false, "<<", shift_left_prim),
    ("Integer", false, ">>>", shift_right_prim),
    ("Integer", false, "sqrt", sqrt_prim),
    ("Integer", false, "atRandom", at_random),
    ("Integer", false, "=", equals),
    ("Integer", false, "<", less_than),
    ("Integer", false, "asString", as_string),
    ("Integer", false, "asDouble", as_double),
    ("Integer", false, "as32BitSignedValue", as_32_bit_signed),
    ("Integer", false, "as32BitUnsignedValue", as_32_bit_unsigned),
    ("Integer", true, "fromString:", from_string),
];

/// Results of `<<` beyond this many bits are refused rather than exhausting memory.
const MAX_SHIFT_RESULT_BITS: u64 = 1 << 24;

// ---- primitives --------------------------------------------------------------------------

// The binary primitives go through `small_ints_or`, with the i64 function that their general
// code (the closure) also uses, directly or through `combine`.

fn plus(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, i64::checked_add, |u, args| {
        arithmetic(u, args, add, |x, y| x + y)
    })
}

fn minus(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, i64::checked_sub, |u, args| {
        arithmetic(u, args, subtract, |x, y| x - y)
    })
}

fn times(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, i64::checked_mul, |u, args| {
        arithmetic(u, args, multiply, |x, y| x * y)
    })
}

/// `+ - *`: exact with an Integer argument, a Double with a Double argument.
fn arithmetic(
    u: &mut Universe,
    args: &[Value],
    on_ints: fn(&Int, &Int) -> Int,
    on_doubles: fn(f64, f64) -> f64,
) -> Exec {
    let (receiver, argument) = binary(u, args)?;
    let a = expect_int(u, receiver)?;
    match expect_number(u, argument)? {
        Number::Int(b) => Ok(int_value(u, on_ints(&a, &b))),
        Number::Double(d) => Ok(Value::double(on_doubles(int_to_f64(u, &a)?, d))),
    }
}

/// Truncating division; by a Double, the truncated Double quotient.
fn divided_by(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, i64::checked_div, |u, args| {
        let (receiver, argument) = binary(u, args)?;
        let a = expect_int(u, receiver)?;
        let quotient = match expect_number(u, argument)? {
            Number::Int(b) => divide(&a, &b).ok_or_else(|| division_by_zero(u))?,
            Number::Double(d) => {
                if d == 0.0 {
                    return Err(division_by_zero(u));
                }
                let x = int_to_f64(u, &a)?;
                f64_to_int(u, x / d)?
            }
        };
        Ok(int_value(u, quotient))
    })
}

/// Division answering a Double; IEEE semantics, so dividing by zero gives an infinity or NaN.
fn double_divided_by(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, argument) = binary(u, args)?;
    let a = expect_int(u, receiver)?;
    let x = int_to_f64(u, &a)?;
    let d = expect_f64(u, argument)?;
    Ok(Value::double(x / d))
}

/// Floored modulo (the sign of the divisor); by a Double, C `fmod`.
fn modulo_prim(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, floored_modulo_i64, |u, args| {
        let (receiver, argument) = binary(u, args)?;
        let a = expect_int(u, receiver)?;
        match expect_number(u, argument)? {
            Number::Int(b) => {
                let result = modulo(&a, &b).ok_or_else(|| division_by_zero(u))?;
                Ok(int_value(u, result))
            }
            Number::Double(d) => Ok(Value::double(int_to_f64(u, &a)? % d)),
        }
    })
}

/// Truncated remainder (the sign of the receiver).
fn remainder_prim(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, i64::checked_rem, |u, args| {
        let (a, b) = int_operands(u, args)?;
        let result =
            remainder(&a, &b).ok_or_else(|| u.vm_error("Division by zero or overflow."))?;
        Ok(int_value(u, result))
    })
}

fn bit_and_prim(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, bit_and_i64, |u, args| {
        let (a, b) = int_operands(u, args)?;
        Ok(int_value(u, bit_and(&a, &b)))
    })
}

fn bit_xor_prim(u: &mut Universe, args: &[Value]) -> Exec {
    small_ints_or(u, args, bit_xor_i64, |u, args| {
        let (a, b) = int_operands(u, args)?;
        Ok(int_value(u, bit_xor(&a, &b)))
    })
}

fn shift_left_prim(u: &mut Universe, args: &[Value]) -> Exec {
    // A negative count is left to the general code, which reports it.
    let small = |x, count: i64| shift_left_i64(x, u64::try_from(count).ok()?);
    small_ints_or(u, args, small, |u, args| {
        let (a, count) = int_operands(u, args)?;
        if count.is_negative() {
            return Err(u.vm_error("Negative shift."));
        }
        let result = shift_left(&a, &count).ok_or_else(|| u.vm_error("Shift too big."))?;
        Ok(int_value(u, result))
    })
}

fn shift_right_prim(u: &mut Universe, args: &[Value]) -> Exec {
    // A negative count is left to the general code, which reports it.
    let small = |x, count: i64| Some(shift_right_i64(x, u64::try_from(count).ok()?));
    small_ints_or(u, args, small, |u, args| {
        let (a, count) = int_operands(u, args)?;
        if count.is_negative() {
            return Err(u.vm_error("Negative shift."));
        }
        Ok(int_value(u, shift_right(&a, &count)))
    })
}

/// An Integer for perfect squares, else a Double (NaN for negative receivers).
fn sqrt_prim(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let a = expect_int(u, receiver)?;
    match square_root(&a) {
        Root::Exact(root) => Ok(int_value(u, root)),
        Root::Inexact(root) => Ok(Value::double(root)),
    }
}

/// A random Integer in [0, self).
/// As in the standard VMs, which truncate `self *` a random double in [0, 1): in [0, self)
/// for a positive receiver, in (self, 0] for a negative one, and 0 for 0.
fn at_random(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let bound = expect_int(u, receiver)?;
    let result = if bound.is_zero() {
        Int::Small(0)
    } else if bound.is_negative() {
        let magnitude = Int::from_big(-bound.to_bigint());
        Int::from_big(-random_below(&magnitude).to_bigint())
    } else {
        random_below(&bound)
    };
    Ok(int_value(u, result))
}

fn equals(u: &mut Universe, args: &[Value]) -> Exec {
    numbers::equals(u, args, integer_receiver)
}

fn less_than(u: &mut Universe, args: &[Value]) -> Exec {
    numbers::less_than(u, args, integer_receiver)
}

fn as_string(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let text = expect_int(u, receiver)?.to_string();
    Ok(u.new_string(&text))
}

fn as_double(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let a = expect_int(u, receiver)?;
    Ok(Value::double(int_to_f64(u, &a)?))
}

fn as_32_bit_signed(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let a = expect_int(u, receiver)?;
    Ok(u.new_int(i64::from(low_32_bits(&a) as i32)))
}

fn as_32_bit_unsigned(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let a = expect_int(u, receiver)?;
    Ok(u.new_int(i64::from(low_32_bits(&a))))
}

/// Class side: parses an optional `-` and decimal digits (a String or a Symbol).
fn from_string(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, argument) = binary(u, args)?;
    let text = expect_string(u, argument)?;
    match parse_int(text.as_str()) {
        Some(i) => Ok(int_value(u, i)),
        None => Err(u.vm_error(format!(
            "'{}' cannot be converted to an Integer.",
            text.as_str()
        ))),
    }
}

/// Runs a binary primitive: `small` when the receiver and the argument are small integers (the
/// common case, which needs neither [`Int`] nor kind checks) and it has an i64 answer, else
/// `general`, for everything else: overflow, zero divisors, other arguments, errors.
#[inline(always)]
fn small_ints_or(
    u: &mut Universe,
    args: &[Value],
    small: impl FnOnce(i64, i64) -> Option<i64>,
    general: impl FnOnce(&mut Universe, &[Value]) -> Exec,
) -> Exec {
    if let [receiver, argument] = *args {
        if let (Some(x), Some(y)) = (receiver.as_small_int(), argument.as_small_int()) {
            if let Some(result) = small(x, y) {
                return Ok(u.new_int(result));
            }
        }
    }
    out_of_line(u, args, general)
}

/// Calls `general` behind a call boundary, so that its stack frame stays off the fast path.
#[inline(never)]
fn out_of_line(
    u: &mut Universe,
    args: &[Value],
    general: impl FnOnce(&mut Universe, &[Value]) -> Exec,
) -> Exec {
    general(u, args)
}

/// The receiver and argument of a primitive that takes Integers only.
fn int_operands(u: &mut Universe, args: &[Value]) -> Result<(Int, Int), Unwind> {
    let (receiver, argument) = binary(u, args)?;
    Ok((expect_int(u, receiver)?, expect_int(u, argument)?))
}

#[cold]
fn division_by_zero(u: &mut Universe) -> Unwind {
    u.vm_error("Division by zero.")
}

// ---- arithmetic on Int -------------------------------------------------------------------

/// Applies `small` to two i64 operands when it does not overflow, else `big` to big integers.
fn combine(
    a: &Int,
    b: &Int,
    small: fn(i64, i64) -> Option<i64>,
    big: fn(&BigInt, &BigInt) -> BigInt,
) -> Int {
    if let (Int::Small(x), Int::Small(y)) = (a, b) {
        if let Some(result) = small(*x, *y) {
            return Int::Small(result);
        }
    }
    Int::from_big(big(&a.to_bigint(), &b.to_bigint()))
}

fn add(a: &Int, b: &Int) -> Int {
    combine(a, b, i64::checked_add, |x, y| x + y)
}

fn subtract(a: &Int, b: &Int) -> Int {
    combine(a, b, i64::checked_sub, |x, y| x - y)
}

fn multiply(a: &Int, b: &Int) -> Int {
    combine(a, b, i64::checked_mul, |x, y| x * y)
}

/// Quotient truncated toward zero; `None` for a zero divisor.
fn divide(a: &Int, b: &Int) -> Option<Int> {
    if b.is_zero() {
        return None;
    }
    Some(combine(a, b, i64::checked_div, |x, y| x / y))
}

/// Floored modulo, with the sign of the divisor; `None` for a zero divisor.
fn modulo(a: &Int, b: &Int) -> Option<Int> {
    if b.is_zero() {
        return None;
    }
    Some(combine(a, b, floored_modulo_i64, |x, y| x.mod_floor(y)))
}

fn floored_modulo_i64(x: i64, y: i64) -> Option<i64> {
    let r = x.checked_rem(y)?;
    Some(if r != 0 && (r < 0) != (y < 0) {
        r + y
    } else {
        r
    })
}

/// Truncated remainder, with the sign of the receiver; `None` for a zero divisor.
fn remainder(a: &Int, b: &Int) -> Option<Int> {
    if b.is_zero() {
        return None;
    }
    Some(combine(a, b, i64::checked_rem, |x, y| x % y))
}

/// Bitwise AND of the two's-complement representations.
fn bit_and(a: &Int, b: &Int) -> Int {
    combine(a, b, bit_and_i64, |x, y| x & y)
}

fn bit_and_i64(x: i64, y: i64) -> Option<i64> {
    Some(x & y)
}

/// Bitwise XOR of the two's-complement representations.
fn bit_xor(a: &Int, b: &Int) -> Int {
    combine(a, b, bit_xor_i64, |x, y| x ^ y)
}

fn bit_xor_i64(x: i64, y: i64) -> Option<i64> {
    Some(x ^ y)
}

/// Number of bits of the magnitude.
fn bit_length(a: &Int) -> u64 {
    match a {
        Int::Small(x) => u64::from(64 - x.unsigned_abs().leading_zeros()),
        Int::Big(b) => b.bits(),
    }
}

/// `a * 2^count` for a non-negative `count`; `None` when the result would be unreasonably big.
fn shift_left(a: &Int, count: &Int) -> Option<Int> {
    if a.is_zero() {
        return Some(Int::Small(0));
    }
    let count = match count {
        Int::Small(c) => u64::try_from(*c).ok()?,
        Int::Big(_) => return None,
    };
    if bit_length(a).saturating_add(count) > MAX_SHIFT_RESULT_BITS {
        return None;
    }
    if let Int::Small(x) = *a {
        if let Some(result) = shift_left_i64(x, count) {
            return Some(Int::Small(result));
        }
    }
    Some(Int::from_big(a.to_bigint() << count))
}

/// `x * 2^count`, if it fits an i64.
fn shift_left_i64(x: i64, count: u64) -> Option<i64> {
    if count >= 64 {
        return None;
    }
    let result = x << count;
    (result >> count == x).then_some(result)
}

/// `>>>` for a non-negative `count`: a logical shift of the 64-bit pattern for values that fit
/// an i64, an arithmetic shift (rounding toward negative infinity) beyond.
fn shift_right(a: &Int, count: &Int) -> Int {
    let count = match count {
        Int::Small(c) => u64::try_from(*c).unwrap_or(0),
        Int::Big(_) => u64::MAX,
    };
    match a {
        Int::Small(x) => Int::Small(shift_right_i64(*x, count)),
        Int::Big(b) if count >= b.bits() => Int::Small(if b.is_negative() { -1 } else { 0 }),
        Int::Big(b) => Int::from_big(b >> count),
    }
}

/// `>>>` on an i64: a logical shift of its 64-bit pattern.
fn shift_right_i64(x: i64, count: u64) -> i64 {
    if count < 64 {
        ((x as u64) >> count) as i64
    } else {
        0
    }
}

enum Root {
    Exact(Int),
    Inexact(f64),
}

fn square_root(a: &Int) -> Root {
    match a {
        _ if a.is_negative() => Root::Inexact(f64::NAN),
        Int::Small(x) => {
            let root = isqrt(*x);
            if root * root == *x {
                Root::Exact(Int::Small(root))
            } else {
                Root::Inexact((*x as f64).sqrt())
            }
        }
        Int::Big(b) => {
            let root = b.sqrt();
            if &root * &root == *b {
                Root::Exact(Int::from_big(root))
            } else {
                let approximate = b.to_f64().filter(|d| d.is_finite()).map(f64::sqrt);
                Root::Inexact(
                    approximate
                        .or_else(|| root.to_f64())
                        .unwrap_or(f64::INFINITY),
                )
            }
        }
    }
}

/// The largest `r` with `r * r <= x`, for `x >= 0`.
fn isqrt(x: i64) -> i64 {
    let x = i128::from(x);
    let mut root = (x as f64).sqrt() as i128;
    while root * root > x {
        root -= 1;
    }
    while (root + 1) * (root + 1) <= x {
        root += 1;
    }
    root as i64
}

/// The low 32 bits of the two's-complement representation.
fn low_32_bits(a: &Int) -> u32 {
    match a {
        Int::Small(x) => *x as u32,
        Int::Big(b) => (b & BigInt::from(u32::MAX)).to_u32().unwrap_or(0),
    }
}

/// A random Integer in [0, bound), for a positive `bound`.
fn random_below(bound: &Int) -> Int {
    match bound {
        Int::Small(n) => Int::Small((random::next_u64() % *n as u64) as i64),
        Int::Big(n) => {
            let bytes: Vec<u8> = (0..n.bits() / 8 + 9)
                .map(|_| random::next_u64() as u8)
                .collect();
            Int::from_big(BigInt::from_bytes_le(Sign::Plus, &bytes).mod_floor(n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(text: &str) -> Int {
        Int::from_big(text.parse().unwrap())
    }

    fn small(i: i64) -> Int {
        Int::Small(i)
    }

    #[test]
    fn overflow_promotes_and_results_normalise() {
        assert_eq!(add(&small(i64::MAX), &small(1)), big("9223372036854775808"));
        assert_eq!(
            subtract(&big("9223372036854775808"), &small(1)),
            small(i64::MAX)
        );
        assert_eq!(
            multiply(&small(1 << 62), &small(4)),
            big("18446744073709551616")
        );
        assert_eq!(
            divide(&small(i64::MIN), &small(-1)),
            Some(big("9223372036854775808"))
        );
        assert_eq!(
            subtract(&small(0), &small(i64::MIN)),
            big("9223372036854775808")
        );
    }

    #[test]
    fn division_truncates_and_modulo_floors() {
        assert_eq!(divide(&small(-7), &small(2)), Some(small(-3)));
        assert_eq!(divide(&small(7), &small(0)), None);
        assert_eq!(modulo(&small(-10), &small(3)), Some(small(2)));
        assert_eq!(modulo(&small(10), &small(-3)), Some(small(-2)));
        assert_eq!(modulo(&small(-10), &small(-3)), Some(small(-1)));
        assert_eq!(modulo(&small(9), &small(3)), Some(small(0)));
        assert_eq!(modulo(&small(i64::MIN), &small(-1)), Some(small(0)));
        assert_eq!(modulo(&small(1), &small(0)), None);
        assert_eq!(
            modulo(&big("-100000000000000000000"), &small(7)),
            Some(small(5))
        );
        assert_eq!(
            modulo(&big("100000000000000000000"), &small(-7)),
            Some(small(-5))
        );
        assert_eq!(remainder(&small(-10), &small(3)), Some(small(-1)));
        assert_eq!(remainder(&small(10), &small(-3)), Some(small(1)));
        assert_eq!(remainder(&small(i64::MIN), &small(-1)), Some(small(0)));
        assert_eq!(
            remainder(&big("-100000000000000000000"), &small(7)),
            Some(small(-2))
        );
        assert_eq!(remainder(&small(3), &small(0)), None);
    }

    #[test]
    fn bit_operations_use_twos_complement() {
        assert_eq!(bit_and(&small(-1), &small(0xFF)), small(0xFF));
        assert_eq!(
            bit_and(&big("-18446744073709551616"), &big("36893488147419103231")),
            big("18446744073709551616")
        );
        assert_eq!(bit_xor(&small(5), &small(3)), small(6));
        assert_eq!(
            bit_xor(&big("18446744073709551616"), &big("18446744073709551617")),
            small(1)
        );
    }

    #[test]
    fn left_shifts_promote_and_refuse_huge_results() {
        assert_eq!(
            shift_left(&small(1), &small(63)),
            Some(big("9223372036854775808"))
        );
        assert_eq!(shift_left(&small(1), &small(62)), Some(small(1 << 62)));
        assert_eq!(shift_left(&small(-1), &small(63)), Some(small(i64::MIN)));
        assert_eq!(shift_left(&small(3), &small(0)), Some(small(3)));
        assert_eq!(
            shift_left(&small(0), &small(100_000_000_000)),
            Some(small(0))
        );
        assert_eq!(shift_left(&small(1), &small(100_000_000_000)), None);
        assert_eq!(shift_left(&small(1), &big("100000000000000000000")), None);
        assert_eq!(
            shift_left(&small(1), &small(1000)).map(|i| bit_length(&i)),
            Some(1001)
        );
    }

    #[test]
    fn right_shifts_are_logical_on_i64_and_arithmetic_beyond() {
        assert_eq!(shift_right(&small(-1), &small(1)), small(i64::MAX));
        assert_eq!(shift_right(&small(-1), &small(0)), small(-1));
        assert_eq!(shift_right(&small(-1), &small(64)), small(0));
        assert_eq!(shift_right(&small(256), &small(4)), small(16));
        let two_200 = shift_left(&small(1), &small(200)).unwrap();
        assert_eq!(shift_right(&two_200, &small(200)), small(1));
        assert_eq!(
            shift_right(&two_200, &big("100000000000000000000")),
            small(0)
        );
        let minus_two_200 = subtract(&small(0), &two_200);
        assert_eq!(shift_right(&minus_two_200, &small(199)), small(-2));
        assert_eq!(shift_right(&minus_two_200, &small(5000)), small(-1));
    }

    #[test]
    fn square_roots_are_exact_for_perfect_squares() {
        assert!(matches!(
            square_root(&small(25)),
            Root::Exact(Int::Small(5))
        ));
        assert!(matches!(square_root(&small(0)), Root::Exact(Int::Small(0))));
        assert!(matches!(square_root(&small(2)), Root::Inexact(r) if r == 2f64.sqrt()));
        assert!(matches!(square_root(&small(-4)), Root::Inexact(r) if r.is_nan()));
        assert!(matches!(square_root(&small(i64::MAX)), Root::Inexact(_)));
        let two_200 = shift_left(&small(1), &small(200)).unwrap();
        let two_100 = shift_left(&small(1), &small(100)).unwrap();
        assert!(matches!(square_root(&two_200), Root::Exact(r) if r == two_100));
        let two_199 = shift_left(&small(1), &small(199)).unwrap();
        assert!(matches!(square_root(&two_199), Root::Inexact(_)));
        for x in [
            0,
            1,
            3,
            4,
            15,
            16,
            17,
            1 << 52,
            (1 << 53) + 1,
            3037000499 * 3037000499,
            i64::MAX,
        ] {
            let r = i128::from(isqrt(x));
            assert!(
                r * r <= i128::from(x) && (r + 1) * (r + 1) > i128::from(x),
                "isqrt({x})"
            );
        }
    }

    #[test]
    fn thirty_two_bit_views_take_the_low_bits() {
        assert_eq!(low_32_bits(&small(1 << 31)) as i32, i32::MIN);
        assert_eq!(low_32_bits(&small(-1)), u32::MAX);
        assert_eq!(low_32_bits(&small(-9223372036854775296)), 512);
        assert_eq!(low_32_bits(&big("-18446744073709551617")), u32::MAX);
        assert_eq!(low_32_bits(&big("18446744073709551621")), 5);
    }

    #[test]
    fn random_integers_stay_below_the_bound() {
        for _ in 0..100 {
            assert!(matches!(random_below(&small(10)), Int::Small(0..=9)));
        }
        let bound = big("100000000000000000000000");
        for _ in 0..100 {
            let r = random_below(&bound);
            assert!(!r.is_negative() && r < bound);
        }
    }
}
