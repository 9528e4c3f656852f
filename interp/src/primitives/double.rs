//! Double primitives: IEEE binary64 arithmetic. Arguments may be Integers of any size, which
//! are converted to the nearest double (an error beyond the double range). Rounding answers
//! Integers, big ones when needed. There is deliberately no `/` (the library uses `//`).

use super::arguments::{binary, expect_string, unary};
use super::numbers::{
    self, double_receiver, expect_double, expect_f64, f64_to_int, format_double, int_value,
    parse_double,
};
use super::Entry;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Double", false, "+", plus),
    ("Double", false, "-", minus),
    ("Double", false, "*", times),
    ("Double", false, "//", divided_by),
    ("Double", false, "%", modulo),
    ("Double", false, "sqrt", sqrt),
    ("Double", false, "round", round),
    ("Double", false, "asInteger", as_integer),
    ("Double", false, "cos", cos),
    ("Double", false, "sin", sin),
    ("Double", false, "=", equals),
    ("Double", false, "<", less_than),
    ("Double", false, "asString", as_string),
    ("Double", true, "PositiveInfinity", positive_infinity),
    ("Double", true, "fromString:", from_string),
];

fn plus(u: &mut Universe, args: &[Value]) -> Exec {
    arithmetic(u, args, |x, y| x + y)
}

fn minus(u: &mut Universe, args: &[Value]) -> Exec {
    arithmetic(u, args, |x, y| x - y)
}

fn times(u: &mut Universe, args: &[Value]) -> Exec {
    arithmetic(u, args, |x, y| x * y)
}

/// IEEE division: by zero it answers an infinity or NaN.
fn divided_by(u: &mut Universe, args: &[Value]) -> Exec {
    arithmetic(u, args, |x, y| x / y)
}

/// C `fmod`: the result has the sign of the receiver.
fn modulo(u: &mut Universe, args: &[Value]) -> Exec {
    arithmetic(u, args, |x, y| x % y)
}

fn arithmetic(u: &mut Universe, args: &[Value], op: fn(f64, f64) -> f64) -> Exec {
    let (receiver, argument) = binary(u, args)?;
    let x = expect_double(u, receiver)?;
    let y = expect_f64(u, argument)?;
    Ok(Value::double(op(x, y)))
}

fn sqrt(u: &mut Universe, args: &[Value]) -> Exec {
    math(u, args, f64::sqrt)
}

fn cos(u: &mut Universe, args: &[Value]) -> Exec {
    math(u, args, f64::cos)
}

fn sin(u: &mut Universe, args: &[Value]) -> Exec {
    math(u, args, f64::sin)
}

fn math(u: &mut Universe, args: &[Value], function: fn(f64) -> f64) -> Exec {
    let receiver = unary(u, args)?;
    let x = expect_double(u, receiver)?;
    Ok(Value::double(function(x)))
}

/// Half up: floor(x + 0.5) of the exact value, as an Integer.
fn round(u: &mut Universe, args: &[Value]) -> Exec {
    to_integer(u, args, round_half_up)
}

/// The integer nearest to `x`, halves toward positive infinity. Computing `x + 0.5` first
/// would round the sum (`0.49999999999999994 + 0.5` is `1.0`, and above 2^52 the sum may
/// land on the next even integer), so this starts from `f64::round`, which is exact but
/// rounds halves away from zero, and moves negative halves up by one. `r - x` is exact:
/// it is a multiple of the spacing of doubles at `x` no larger than 0.5 in magnitude.
fn round_half_up(x: f64) -> f64 {
    let r = x.round();
    if r - x == -0.5 {
        r + 1.0
    } else {
        r
    }
}

/// Truncation toward zero, as an Integer.
fn as_integer(u: &mut Universe, args: &[Value]) -> Exec {
    to_integer(u, args, f64::trunc)
}

fn to_integer(u: &mut Universe, args: &[Value], rounding: fn(f64) -> f64) -> Exec {
    let receiver = unary(u, args)?;
    let x = expect_double(u, receiver)?;
    let i = f64_to_int(u, rounding(x))?;
    Ok(int_value(u, i))
}

fn equals(u: &mut Universe, args: &[Value]) -> Exec {
    numbers::equals(u, args, double_receiver)
}

fn less_than(u: &mut Universe, args: &[Value]) -> Exec {
    numbers::less_than(u, args, double_receiver)
}

fn as_string(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let x = expect_double(u, receiver)?;
    Ok(u.new_string(&format_double(x)))
}

/// Class side.
fn positive_infinity(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(Value::double(f64::INFINITY))
}

/// Class side: parses decimal text (a String or a Symbol); NaN for text that is not a
/// number, as the standard library says.
fn from_string(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, argument) = binary(u, args)?;
    let text = expect_string(u, argument)?;
    Ok(Value::double(
        parse_double(text.as_str()).unwrap_or(f64::NAN),
    ))
}

#[cfg(test)]
mod tests {
    use super::round_half_up;

    #[test]
    fn round_takes_the_exact_value_half_up() {
        assert_eq!(round_half_up(0.49999999999999994), 0.0);
        assert_eq!(round_half_up(-0.49999999999999994), 0.0);
        assert_eq!(round_half_up(4503599627370497.0), 4503599627370497.0);
        assert_eq!(round_half_up(-4503599627370497.0), -4503599627370497.0);
        assert_eq!(round_half_up(0.5), 1.0);
        assert_eq!(round_half_up(1.5), 2.0);
        assert_eq!(round_half_up(2.5), 3.0);
        assert_eq!(round_half_up(-0.5), 0.0);
        assert_eq!(round_half_up(-1.5), -1.0);
        assert_eq!(round_half_up(-2.5), -2.0);
        assert_eq!(round_half_up(-1.9), -2.0);
        assert_eq!(round_half_up(-2.4999999999999996), -2.0);
        assert!(round_half_up(f64::NAN).is_nan());
    }
}
