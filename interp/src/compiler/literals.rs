//! Literals become values once, at compile time: the same string or array object is answered
//! by every evaluation of the literal.

use super::expressions::Compiler;
use super::CompileError;
use crate::nodes::Node;
use num_bigint::BigInt;
use yerba_mop::Value;
use yerba_parser::syntax::{Literal, Pos};

impl Compiler<'_> {
    pub fn literal(&mut self, literal: &Literal, pos: Pos) -> Result<Node, CompileError> {
        Ok(Node::Literal(self.literal_value(literal, pos)?))
    }

    fn literal_value(&mut self, literal: &Literal, pos: Pos) -> Result<Value, CompileError> {
        Ok(match literal {
            Literal::Integer(i) => self.u.new_int(*i),
            Literal::BigInteger(digits) => match digits.parse::<BigInt>() {
                Ok(value) => self.u.new_integer(value),
                Err(_) => return Err(self.error(pos, format!("Invalid integer literal {digits}."))),
            },
            Literal::Double(d) => Value::double(*d),
            Literal::String(text) => self.u.new_string(text),
            Literal::Symbol(text) => self.u.symbol(text),
            Literal::Nil => Value::NIL,
            Literal::True => Value::TRUE,
            Literal::False => Value::FALSE,
            Literal::Array(items) => {
                let array = self.u.new_array(items.len());
                for (slot, item) in array.items().iter().zip(items) {
                    slot.set(self.literal_value(item, pos)?);
                }
                array.value()
            }
        })
    }
}
