//! A binary arithmetic or comparison send (`+ - * / % < > <= >= = ~=`) with a fast path for
//! small integers and doubles. The node starts numeric; when it sees an operand that is not a
//! number it rewrites itself (a state change) to generic, which always sends the message
//! through its dispatch chain. Integer overflow and every non-numeric case also take the send,
//! so the library's primitives (big integers, errors) stay the one definition of the semantics.

use crate::invokable::Frame;
use crate::nodes::{DispatchChain, Node};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOperator {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    LessThan,
    GreaterThan,
    LessOrEqual,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl BinaryOperator {
    pub fn from_selector(selector: &str) -> Option<BinaryOperator> {
        Some(match selector {
            "+" => BinaryOperator::Add,
            "-" => BinaryOperator::Subtract,
            "*" => BinaryOperator::Multiply,
            "/" => BinaryOperator::Divide,
            "%" => BinaryOperator::Modulo,
            "<" => BinaryOperator::LessThan,
            ">" => BinaryOperator::GreaterThan,
            "<=" => BinaryOperator::LessOrEqual,
            ">=" => BinaryOperator::GreaterOrEqual,
            "=" => BinaryOperator::Equal,
            "~=" => BinaryOperator::NotEqual,
            _ => return None,
        })
    }

    /// The result for two small integers, or `None` when the send must handle it (overflow,
    /// division by zero).
    #[inline(always)]
    fn on_ints(self, a: i64, b: i64) -> Option<Value> {
        use BinaryOperator::*;
        match self {
            Add => Value::small_int(a + b),
            Subtract => Value::small_int(a - b),
            Multiply => a.checked_mul(b).and_then(Value::small_int),
            Divide if b != 0 => Value::small_int(a / b),
            Modulo if b != 0 => Value::small_int(floored_modulo(a, b)),
            Divide | Modulo => None,
            LessThan => Some(Value::boolean(a < b)),
            GreaterThan => Some(Value::boolean(a > b)),
            LessOrEqual => Some(Value::boolean(a <= b)),
            GreaterOrEqual => Some(Value::boolean(a >= b)),
            Equal => Some(Value::boolean(a == b)),
            NotEqual => Some(Value::boolean(a != b)),
        }
    }

    /// The result for two doubles, or `None` for operators Double does not define this way.
    #[inline(always)]
    fn on_doubles(self, a: f64, b: f64) -> Option<Value> {
        use BinaryOperator::*;
        match self {
            Add => Some(Value::double(a + b)),
            Subtract => Some(Value::double(a - b)),
            Multiply => Some(Value::double(a * b)),
            LessThan => Some(Value::boolean(a < b)),
            GreaterThan => Some(Value::boolean(a > b)),
            LessOrEqual => Some(Value::boolean(a <= b)),
            GreaterOrEqual => Some(Value::boolean(a >= b)),
            Equal => Some(Value::boolean(a == b)),
            Divide | Modulo | NotEqual => None,
        }
    }
}

/// `a % b` with the sign of the divisor, as SOM's Integer>>% defines it.
#[inline(always)]
fn floored_modulo(a: i64, b: i64) -> i64 {
    let r = a % b;
    if r != 0 && (r < 0) != (b < 0) {
        r + b
    } else {
        r
    }
}

pub struct BinaryOp {
    pub operator: BinaryOperator,
    pub selector: Value,
    pub left: Node,
    pub right: Node,
    pub pos: Pos,
    generic: Cell<bool>,
    chain: DispatchChain,
}

impl BinaryOp {
    pub fn new(
        operator: BinaryOperator,
        selector: Value,
        left: Node,
        right: Node,
        pos: Pos,
    ) -> BinaryOp {
        BinaryOp {
            operator,
            selector,
            left,
            right,
            pos,
            generic: Cell::new(false),
            chain: DispatchChain::default(),
        }
    }

    #[inline]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let left = self.left.execute(u, frame)?;
        let right = self.right.execute(u, frame)?;
        if !self.generic.get() {
            if let Some(result) = self.numeric(left, right) {
                return Ok(result);
            }
        }
        self.send(u, left, right)
    }

    #[inline(always)]
    fn numeric(&self, left: Value, right: Value) -> Option<Value> {
        if left.is_small_int() && right.is_small_int() {
            return self
                .operator
                .on_ints(left.small_int_unchecked(), right.small_int_unchecked());
        }
        let as_double = |v: Value| v.as_double().or_else(|| v.as_small_int().map(|i| i as f64));
        // An Integer receiver with a Double argument gives a Double for + - *, but `/` and
        // the comparisons have their own rules; only mixed comparisons and arithmetic with a
        // Double receiver, or arithmetic with a Double argument, are handled here.
        if left.is_double() || right.is_double() {
            let (a, b) = (as_double(left)?, as_double(right)?);
            if left.is_small_int()
                && matches!(
                    self.operator,
                    BinaryOperator::Divide | BinaryOperator::Modulo
                )
            {
                return None;
            }
            return self.operator.on_doubles(a, b);
        }
        None
    }

    #[cold]
    #[inline(never)]
    fn send(&self, u: &mut Universe, left: Value, right: Value) -> Exec {
        let is_number = |v: Value| v.is_small_int() || v.is_double();
        if !is_number(left) {
            self.generic.set(true);
        }
        let result = self.chain.dispatch(u, self.selector, &[left, right]);
        if result == Err(Unwind::Error) {
            u.note_error_position(self.pos);
        }
        result
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.selector);
        self.left.trace(tracer);
        self.right.trace(tracer);
        self.chain.trace(tracer);
    }
}

#[cfg(test)]
mod tests {
    use super::BinaryOperator::*;

    #[test]
    fn integer_modulo_takes_the_sign_of_the_divisor() {
        assert_eq!(Modulo.on_ints(-10, 3).unwrap().as_small_int(), Some(2));
        assert_eq!(Modulo.on_ints(10, -3).unwrap().as_small_int(), Some(-2));
        assert_eq!(Modulo.on_ints(-9, 3).unwrap().as_small_int(), Some(0));
        assert_eq!(Modulo.on_ints(7, 3).unwrap().as_small_int(), Some(1));
    }

    #[test]
    fn division_truncates_and_zero_is_left_to_the_primitive() {
        assert_eq!(Divide.on_ints(-7, 2).unwrap().as_small_int(), Some(-3));
        assert!(Divide.on_ints(1, 0).is_none());
        assert!(Modulo.on_ints(1, 0).is_none());
    }

    #[test]
    fn overflow_is_left_to_the_primitive() {
        assert!(Add.on_ints(yerba_mop::Value::MAX_SMALL_INT, 1).is_none());
        assert!(Multiply.on_ints(1 << 40, 1 << 40).is_none());
    }
}
