//! Numbers as the arithmetic primitives see them, shared by Integer and Double.
//!
//! An Integer is stored either unboxed (49 bits) or as a big-integer object, and the boundary
//! between the two is a detail of the value encoding. The primitives instead work on [`Int`],
//! whose split is at the i64 boundary: `Small` for every value that fits an i64 (whatever its
//! storage), `Big` only beyond. Results go back through [`int_value`], which picks the storage.
//! Comparisons between Integers and Doubles are exact, never via a lossy conversion; `=` and `<`
//! are the same primitives for both classes.

use super::arguments::{binary, class_name_of};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use num_bigint::BigInt;
use num_traits::{FromPrimitive, Signed, ToPrimitive};
use std::cmp::Ordering;
use std::fmt;
use yerba_mop::object::{BigIntObject, Gc};
use yerba_mop::Value;

/// An Integer value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Int {
    Small(i64),
    /// Always outside the i64 range (see [`Int::from_big`]).
    Big(BigInt),
}

/// A value of class Integer or Double.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(Int),
    Double(f64),
}

impl Int {
    /// Normalises: `Small` whenever the value fits an i64.
    pub fn from_big(big: BigInt) -> Int {
        match big.to_i64() {
            Some(small) => Int::Small(small),
            None => Int::Big(big),
        }
    }

    /// The integer part of `d` (truncated toward zero), or `None` for infinities and NaN.
    pub fn from_f64_truncated(d: f64) -> Option<Int> {
        let t = d.trunc();
        // 2^63 is exact as a double; every double in [-2^63, 2^63) converts to i64 exactly.
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        if (-TWO_POW_63..TWO_POW_63).contains(&t) {
            Some(Int::Small(t as i64))
        } else {
            BigInt::from_f64(t).map(Int::from_big)
        }
    }

    pub fn to_bigint(&self) -> BigInt {
        match self {
            Int::Small(i) => BigInt::from(*i),
            Int::Big(b) => b.clone(),
        }
    }

    /// The nearest double, or `None` when the value is beyond the double range.
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            Int::Small(i) => Some(*i as f64),
            Int::Big(b) => b.to_f64().filter(|d| d.is_finite()),
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Int::Small(0))
    }

    pub fn is_negative(&self) -> bool {
        match self {
            Int::Small(i) => *i < 0,
            Int::Big(b) => b.is_negative(),
        }
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Int::Small(i) => write!(f, "{i}"),
            Int::Big(b) => write!(f, "{b}"),
        }
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Int) -> Ordering {
        match (self, other) {
            (Int::Small(a), Int::Small(b)) => a.cmp(b),
            // A big value lies beyond every i64, on the side of its sign.
            (Int::Small(_), Int::Big(b)) => {
                if b.is_negative() {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Int::Big(a), Int::Small(_)) => {
                if a.is_negative() {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (Int::Big(a), Int::Big(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares an Integer with a Double exactly; `None` when `d` is NaN.
pub fn compare_int_double(i: &Int, d: f64) -> Option<Ordering> {
    if d.is_nan() {
        return None;
    }
    if d.is_infinite() {
        return Some(if d > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let floor = d.floor();
    let floor_int = Int::from_f64_truncated(floor)?;
    Some(match i.cmp(&floor_int) {
        // i == floor(d) <= d: equal only when d has no fraction.
        Ordering::Equal if d > floor => Ordering::Less,
        // i >= floor(d) + 1 > d.
        ordering => ordering,
    })
}

/// Compares two numbers of either class; `None` when a NaN is involved.
pub fn compare(a: &Number, b: &Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Some(x.cmp(y)),
        (Number::Int(x), Number::Double(y)) => compare_int_double(x, *y),
        (Number::Double(x), Number::Int(y)) => compare_int_double(y, *x).map(Ordering::reverse),
        (Number::Double(x), Number::Double(y)) => x.partial_cmp(y),
    }
}

/// `=` of Integers and Doubles: numeric equality (`1 = 1.0`), false against anything else.
/// `receiver` reads the receiver as a number of the primitive's class.
pub fn equals(u: &mut Universe, args: &[Value], receiver: ReceiverReader) -> Exec {
    let (r, argument) = binary(u, args)?;
    let a = receiver(u, r)?;
    let equal = number_of(argument).is_some_and(|b| compare(&a, &b) == Some(Ordering::Equal));
    Ok(Value::boolean(equal))
}

/// `<` of Integers and Doubles: numeric, an error against anything else, false with NaN.
pub fn less_than(u: &mut Universe, args: &[Value], receiver: ReceiverReader) -> Exec {
    let (r, argument) = binary(u, args)?;
    let a = receiver(u, r)?;
    let b = expect_number(u, argument)?;
    Ok(Value::boolean(compare(&a, &b) == Some(Ordering::Less)))
}

/// Reads a primitive's receiver as a number of the class the primitive belongs to.
pub type ReceiverReader = fn(&mut Universe, Value) -> Result<Number, Unwind>;

pub fn integer_receiver(u: &mut Universe, v: Value) -> Result<Number, Unwind> {
    expect_int(u, v).map(Number::Int)
}

pub fn double_receiver(u: &mut Universe, v: Value) -> Result<Number, Unwind> {
    expect_double(u, v).map(Number::Double)
}

/// The Integer `v` holds, if it is one.
#[inline(always)]
pub fn int_of(v: Value) -> Option<Int> {
    // Inlined for small integers, so that callers see an `Int::Small` they can take apart
    // without a call or drop glue; everything else goes out of line.
    match v.as_small_int() {
        Some(i) => Some(Int::Small(i)),
        None => big_int_of(v),
    }
}

/// [`int_of`] for values that are not small integers.
#[inline(never)]
fn big_int_of(v: Value) -> Option<Int> {
    if BigIntObject::is_bigint(v) {
        // SAFETY: kind checked just above.
        let big: Gc<BigIntObject> = unsafe { Gc::from_value(v) };
        return Some(Int::from_big(BigIntObject::value(&big).clone()));
    }
    None
}

/// The number `v` holds, if it is an Integer or a Double.
#[inline(always)]
pub fn number_of(v: Value) -> Option<Number> {
    match v.as_double() {
        Some(d) => Some(Number::Double(d)),
        None => int_of(v).map(Number::Int),
    }
}

/// The value of an Integer argument (or receiver).
#[inline(always)]
pub fn expect_int(u: &mut Universe, v: Value) -> Result<Int, Unwind> {
    int_of(v).ok_or_else(|| super::arguments::wrong_kind(u, "Integer", v))
}

/// The value of a Double receiver.
pub fn expect_double(u: &mut Universe, v: Value) -> Result<f64, Unwind> {
    v.as_double()
        .ok_or_else(|| super::arguments::wrong_kind(u, "Double", v))
}

/// The value of a numeric argument.
pub fn expect_number(u: &mut Universe, v: Value) -> Result<Number, Unwind> {
    match number_of(v) {
        Some(n) => Ok(n),
        None => {
            let actual = class_name_of(u, v);
            Err(u.vm_error(format!("Expected a numeric type but got type '{actual}'.")))
        }
    }
}

/// A numeric argument as a double, for arithmetic with a Double.
#[inline(always)]
pub fn expect_f64(u: &mut Universe, v: Value) -> Result<f64, Unwind> {
    // Inlined for a Double, the usual argument; everything else goes out of line.
    match v.as_double() {
        Some(d) => Ok(d),
        None => number_to_f64(u, v),
    }
}

/// [`expect_f64`] for values that are not Doubles.
#[inline(never)]
fn number_to_f64(u: &mut Universe, v: Value) -> Result<f64, Unwind> {
    match expect_number(u, v)? {
        Number::Double(d) => Ok(d),
        Number::Int(i) => int_to_f64(u, &i),
    }
}

/// `i` as a double, or the VM error for an Integer beyond the double range.
pub fn int_to_f64(u: &mut Universe, i: &Int) -> Result<f64, Unwind> {
    i.to_f64()
        .ok_or_else(|| u.vm_error("Can't represent as double."))
}

/// The Integer `d` truncates to, or the VM error for infinities and NaN.
pub fn f64_to_int(u: &mut Universe, d: f64) -> Result<Int, Unwind> {
    Int::from_f64_truncated(d).ok_or_else(|| {
        u.vm_error(format!(
            "Can't represent {} as an Integer.",
            format_double(d)
        ))
    })
}

/// The SOM value of an Integer, stored unboxed when it fits.
pub fn int_value(u: &mut Universe, i: Int) -> Value {
    match i {
        Int::Small(small) => u.new_int(small),
        Int::Big(big) => u.new_integer(big),
    }
}

/// Double printing as the IntegrationTests expect, identical to Rust's `{:?}`: the shortest
/// digits that read back to the same double, positional with at least one decimal for
/// 1e-4 <= |d| < 1e16 (and zero), otherwise `<mantissa>e<exponent>`; `inf`, `-inf`, `NaN`.
pub fn format_double(d: f64) -> String {
    format!("{d:?}")
}

/// Parses an optional `-` followed by one or more decimal digits, of any length.
pub fn parse_int(text: &str) -> Option<Int> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match text.parse::<i64>() {
        Ok(small) => Some(Int::Small(small)),
        Err(_) => text.parse::<BigInt>().ok().map(Int::from_big),
    }
}

/// Parses decimal text such as `1`, `-3.25` or `1e10`.
pub fn parse_double(text: &str) -> Option<f64> {
    let valid = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if valid {
        text.parse::<f64>().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(text: &str) -> Int {
        Int::from_big(text.parse().unwrap())
    }

    #[test]
    fn ints_normalise_at_the_i64_boundary() {
        assert_eq!(Int::from_big(BigInt::from(i64::MIN)), Int::Small(i64::MIN));
        assert!(matches!(big("9223372036854775808"), Int::Big(_)));
        assert!(big("-9223372036854775809") < Int::Small(i64::MIN));
        assert!(big("9223372036854775808") > Int::Small(i64::MAX));
    }

    #[test]
    fn doubles_truncate_to_integers_of_any_size() {
        assert_eq!(Int::from_f64_truncated(-1.9), Some(Int::Small(-1)));
        assert_eq!(
            Int::from_f64_truncated(18446744073709551616.0),
            Some(big("18446744073709551616"))
        );
        assert_eq!(
            Int::from_f64_truncated(-9223372036854775808.0),
            Some(Int::Small(i64::MIN))
        );
        assert_eq!(Int::from_f64_truncated(f64::NAN), None);
        assert_eq!(Int::from_f64_truncated(f64::INFINITY), None);
    }

    #[test]
    fn integer_double_comparison_is_exact() {
        let two53_plus_1 = Int::Small((1 << 53) + 1);
        assert_eq!(
            compare_int_double(&two53_plus_1, 9007199254740992.0),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_int_double(&Int::Small(1), 1.0),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_int_double(&Int::Small(1), 1.5),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_int_double(&Int::Small(-2), -1.5),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_int_double(&Int::Small(-1), -1.5),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_int_double(&Int::Small(0), -0.0),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_int_double(&big(&"9".repeat(400)), f64::MAX),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_int_double(&Int::Small(i64::MAX), f64::INFINITY),
            Some(Ordering::Less)
        );
        assert_eq!(compare_int_double(&Int::Small(0), f64::NAN), None);
    }

    #[test]
    fn big_integers_convert_to_the_nearest_double() {
        assert_eq!(
            big("18446744073709551616").to_f64(),
            Some(18446744073709551616.0)
        );
        assert_eq!(big(&"9".repeat(400)).to_f64(), None);
        assert_eq!(Int::Small(1 << 53).to_f64(), Some(9007199254740992.0));
    }

    #[test]
    fn doubles_print_like_rust_debug() {
        assert_eq!(format_double(1.0), "1.0");
        assert_eq!(format_double(0.5), "0.5");
        assert_eq!(format_double(-0.0), "-0.0");
        assert_eq!(format_double(1073741825.1), "1073741825.1");
        assert_eq!(format_double(0.1 + 0.2 - 0.2), "0.10000000000000003");
        assert_eq!(format_double(1e16), "1e16");
        assert_eq!(format_double(1.152921504606847e18), "1.152921504606847e18");
        assert_eq!(
            format_double(6.223015277861142e-61),
            "6.223015277861142e-61"
        );
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(0.00001), "1e-5");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_double(f64::NAN), "NaN");
    }

    #[test]
    fn integer_text_is_an_optional_minus_and_digits() {
        assert_eq!(parse_int("123"), Some(Int::Small(123)));
        assert_eq!(parse_int("-42"), Some(Int::Small(-42)));
        assert_eq!(
            parse_int("-9223372036854775808"),
            Some(Int::Small(i64::MIN))
        );
        assert_eq!(
            parse_int("123456789012345678901234567890"),
            Some(big("123456789012345678901234567890"))
        );
        for bad in ["", "-", "+1", "123b", " 1", "1 ", "--1", "1.0", "١"] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn double_text_is_decimal() {
        assert_eq!(parse_double("1"), Some(1.0));
        assert_eq!(parse_double("3.25"), Some(3.25));
        assert_eq!(parse_double("-1e3"), Some(-1000.0));
        for bad in ["", "123.b", "inf", "NaN", "infinity", " 1", "1..2"] {
            assert_eq!(parse_double(bad), None, "{bad:?}");
        }
    }
}
