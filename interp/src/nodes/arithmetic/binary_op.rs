//! A binary arithmetic or comparison send (`+ - * / % < > <= >= = ~=`) with a fast path for
//! small integers and doubles. The node starts numeric; when it sees an operand that is not a
//! number it rewrites itself (a state change) to generic, which always sends the message
//! through its dispatch chain. Integer overflow and every non-numeric case also take the send,
//! so the library's primitives (big integers, errors) stay the one definition of the semantics.
//!
//! The fast path stands for the methods numbers run for the operator: while sends are
//! intercepted (MOP) or once one of those methods was redefined (`Class>>compile:`), it sends
//! too. Both cases are folded into one flag, the fast path's only test besides the operands'.

use crate::invokable::Frame;
use crate::nodes::{DispatchChain, Node};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use std::cmp::Ordering;
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

    /// The numeric specialisation a fresh node of this operator starts with.
    fn numeric_execute(self) -> ExecuteFn {
        use BinaryOperator::*;
        match self {
            Add => execute_numeric::<Sum>,
            Subtract => execute_numeric::<Difference>,
            Multiply => execute_numeric::<Product>,
            Divide => execute_numeric::<Quotient>,
            Modulo => execute_numeric::<FlooredModulo>,
            LessThan => execute_numeric::<Less>,
            GreaterThan => execute_numeric::<Greater>,
            LessOrEqual => execute_numeric::<AtMost>,
            GreaterOrEqual => execute_numeric::<AtLeast>,
            Equal => execute_numeric::<Same>,
            NotEqual => execute_numeric::<Different>,
        }
    }
}

/// The numeric semantics of one operator, monomorphised into its own node specialisation.
/// `None` leaves the case to the real send (overflow, division by zero, mixed cases with
/// rules of their own), so the library's primitives stay the one definition of the semantics.
trait Operator {
    fn on_ints(a: i64, b: i64) -> Option<Value>;
    fn on_doubles(a: f64, b: f64) -> Option<Value>;
    /// Whether an Integer receiver with a Double argument computes in doubles (`+ - *` and
    /// the comparisons do; `/` and `%` have rules of their own).
    const INTEGER_WITH_DOUBLE: bool = true;
}

macro_rules! operator {
    ($name:ident, ints: |$a:ident, $b:ident| $ints:expr, doubles: |$x:ident, $y:ident| $doubles:expr
     $(, integer_with_double: $iwd:expr)?) => {
        struct $name;
        impl Operator for $name {
            #[inline(always)]
            fn on_ints($a: i64, $b: i64) -> Option<Value> {
                $ints
            }
            #[inline(always)]
            #[allow(unused_variables)]
            fn on_doubles($x: f64, $y: f64) -> Option<Value> {
                $doubles
            }
            $(const INTEGER_WITH_DOUBLE: bool = $iwd;)?
        }
    };
}

operator!(Sum, ints: |a, b| Value::small_int(a + b), doubles: |a, b| Some(Value::double(a + b)));
operator!(Difference, ints: |a, b| Value::small_int(a - b),
          doubles: |a, b| Some(Value::double(a - b)));
operator!(Product, ints: |a, b| a.checked_mul(b).and_then(Value::small_int),
          doubles: |a, b| Some(Value::double(a * b)));
operator!(Quotient, ints: |a, b| if b != 0 { Value::small_int(a / b) } else { None },
          doubles: |a, b| None, integer_with_double: false);
operator!(FlooredModulo, ints: |a, b| if b != 0 { Value::small_int(floored_modulo(a, b)) } else { None },
          doubles: |a, b| None, integer_with_double: false);
operator!(Less, ints: |a, b| Some(Value::boolean(a < b)),
          doubles: |a, b| Some(Value::boolean(a < b)));
// The library derives `>` and `>=` from `<` and `=`, so with a NaN operand they do not answer
// what IEEE comparisons answer (`nan >= 1` is true); the double cases follow the library.
operator!(Greater, ints: |a, b| Some(Value::boolean(a > b)),
          doubles: |a, b| Some(Value::boolean(matches!(a.partial_cmp(&b), Some(Ordering::Greater) | None))));
operator!(AtMost, ints: |a, b| Some(Value::boolean(a <= b)),
          doubles: |a, b| Some(Value::boolean(a <= b)));
operator!(AtLeast, ints: |a, b| Some(Value::boolean(a >= b)),
          doubles: |a, b| Some(Value::boolean(a.partial_cmp(&b) != Some(Ordering::Less))));
operator!(Same, ints: |a, b| Some(Value::boolean(a == b)),
          doubles: |a, b| Some(Value::boolean(a == b)));
operator!(Different, ints: |a, b| Some(Value::boolean(a != b)), doubles: |a, b| None);

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

/// The node's current specialisation; rewriting the node replaces it.
type ExecuteFn = fn(&BinaryOp, &mut Universe, &mut Frame) -> Exec;

pub struct BinaryOp {
    pub operator: BinaryOperator,
    pub selector: Value,
    pub left: Node,
    pub right: Node,
    pub pos: Pos,
    specialisation: Cell<ExecuteFn>,
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
            specialisation: Cell::new(operator.numeric_execute()),
            chain: DispatchChain::default(),
        }
    }

    #[inline(always)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        (self.specialisation.get())(self, u, frame)
    }

    /// The operation on evaluated operands, as the interpreter's numeric specialisation does
    /// it: native code calls this where its own fast paths do not apply.
    pub fn complete(&self, u: &mut Universe, left: Value, right: Value) -> Exec {
        use BinaryOperator::*;
        match self.operator {
            Add => numeric::<Sum>(self, u, left, right),
            Subtract => numeric::<Difference>(self, u, left, right),
            Multiply => numeric::<Product>(self, u, left, right),
            Divide => numeric::<Quotient>(self, u, left, right),
            Modulo => numeric::<FlooredModulo>(self, u, left, right),
            LessThan => numeric::<Less>(self, u, left, right),
            GreaterThan => numeric::<Greater>(self, u, left, right),
            LessOrEqual => numeric::<AtMost>(self, u, left, right),
            GreaterOrEqual => numeric::<AtLeast>(self, u, left, right),
            Equal => numeric::<Same>(self, u, left, right),
            NotEqual => numeric::<Different>(self, u, left, right),
        }
    }

    #[inline(never)]
    fn send(&self, u: &mut Universe, left: Value, right: Value) -> Exec {
        let is_number = |v: Value| v.is_small_int() || v.is_double();
        if !is_number(left) {
            self.specialisation.set(execute_generic);
        }
        self.dispatch(u, left, right)
    }

    #[inline(always)]
    fn dispatch(&self, u: &mut Universe, left: Value, right: Value) -> Exec {
        let result = self.chain.dispatch(u, self.selector, &[left, right]);
        self.finish(u, result)
    }

    /// What the send does with its callee's outcome: notes its position in an error.
    pub fn finish(&self, u: &mut Universe, result: Exec) -> Exec {
        if result == Err(Unwind::Error) {
            u.note_error_position(self.pos);
        }
        result
    }

    /// The chain the operator's real send goes through.
    pub fn chain(&self) -> &DispatchChain {
        &self.chain
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.selector);
        self.left.trace(tracer);
        self.right.trace(tracer);
        self.chain.trace(tracer);
    }
}

/// Specialised for numbers: small integers first, then doubles; anything else sends. It also
/// sends while numbers may not run the methods it stands for (see the module's comment).
fn execute_numeric<O: Operator>(node: &BinaryOp, u: &mut Universe, frame: &mut Frame) -> Exec {
    let left = node.left.execute(u, frame)?;
    let right = node.right.execute(u, frame)?;
    numeric::<O>(node, u, left, right)
}

#[inline(always)]
fn numeric<O: Operator>(node: &BinaryOp, u: &mut Universe, left: Value, right: Value) -> Exec {
    if u.reflection.numeric_operators_send() {
        return node.dispatch(u, left, right);
    }
    let result = if left.is_small_int() && right.is_small_int() {
        O::on_ints(left.small_int_unchecked(), right.small_int_unchecked())
    } else {
        on_doubles::<O>(left, right)
    };
    match result {
        Some(value) => Ok(value),
        None => node.send(u, left, right),
    }
}

#[inline(always)]
fn on_doubles<O: Operator>(left: Value, right: Value) -> Option<Value> {
    let as_double = |v: Value| v.as_double().or_else(|| v.as_small_int().map(|i| i as f64));
    match (left.is_double(), right.is_double()) {
        (true, _) => O::on_doubles(left.as_double()?, as_double(right)?),
        (false, true) if O::INTEGER_WITH_DOUBLE && left.is_small_int() => {
            O::on_doubles(left.small_int_unchecked() as f64, right.as_double()?)
        }
        _ => None,
    }
}

/// After a non-number receiver: always the real send through the site's chain.
fn execute_generic(node: &BinaryOp, u: &mut Universe, frame: &mut Frame) -> Exec {
    let left = node.left.execute(u, frame)?;
    let right = node.right.execute(u, frame)?;
    node.dispatch(u, left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_modulo_takes_the_sign_of_the_divisor() {
        assert_eq!(
            FlooredModulo::on_ints(-10, 3).unwrap().as_small_int(),
            Some(2)
        );
        assert_eq!(
            FlooredModulo::on_ints(10, -3).unwrap().as_small_int(),
            Some(-2)
        );
        assert_eq!(
            FlooredModulo::on_ints(-9, 3).unwrap().as_small_int(),
            Some(0)
        );
        assert_eq!(
            FlooredModulo::on_ints(7, 3).unwrap().as_small_int(),
            Some(1)
        );
    }

    #[test]
    fn division_truncates_and_zero_is_left_to_the_primitive() {
        assert_eq!(Quotient::on_ints(-7, 2).unwrap().as_small_int(), Some(-3));
        assert!(Quotient::on_ints(1, 0).is_none());
        assert!(FlooredModulo::on_ints(1, 0).is_none());
    }

    #[test]
    fn overflow_is_left_to_the_primitive() {
        assert!(Sum::on_ints(yerba_mop::Value::MAX_SMALL_INT, 1).is_none());
        assert!(Product::on_ints(1 << 40, 1 << 40).is_none());
    }
}
