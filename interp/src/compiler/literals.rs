//! Literals become values once, at compile time: the same string or array object is answered
//! by every evaluation of the literal.

use super::expressions::Compiler;
use super::CompileError;
use crate::nodes::{Node, NodeKind};
use num_bigint::{BigInt, BigUint, Sign};
use yerba_mop::Value;
use yerba_parser::syntax::{Literal, Pos};

impl Compiler<'_> {
    pub fn literal(&mut self, literal: &Literal, pos: Pos) -> Result<Node, CompileError> {
        Ok(Node::new(NodeKind::Literal(
            self.literal_value(literal, pos)?,
        )))
    }

    fn literal_value(&mut self, literal: &Literal, pos: Pos) -> Result<Value, CompileError> {
        Ok(match literal {
            Literal::Integer(i) => self.u.new_int(*i),
            Literal::BigInteger(text) => match big_integer(text) {
                Some(value) => self.u.new_integer(value),
                None => return Err(self.error(pos, format!("Invalid integer literal {text}."))),
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

/// Digits below which num-bigint's own conversion, quadratic in the digits, is fastest.
const DIRECT_DIGITS: usize = 1024;

/// The value of a big integer literal: decimal digits, possibly after a `-`. num-bigint converts
/// decimal text in quadratic time (a 3-million-digit literal took 16 s), so long literals are
/// split in halves combined with one multiplication each: the time is that of a few
/// multiplications of the result's size (Karatsuba and Toom-3 in num-bigint).
fn big_integer(text: &str) -> Option<BigInt> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => (Sign::Minus, digits),
        None => (Sign::Plus, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // powers[j] is 10^(DIRECT_DIGITS * 2^j), up to the largest a split of `digits` needs.
    let mut powers = vec![BigUint::from(10u32).pow(DIRECT_DIGITS as u32)];
    while DIRECT_DIGITS << powers.len() < digits.len() {
        let last = &powers[powers.len() - 1];
        powers.push(last * last);
    }
    Some(BigInt::from_biguint(
        sign,
        decimal(digits.as_bytes(), &powers),
    ))
}

/// The value of ASCII decimal digits: the high part times a power of ten plus the low part,
/// whose length is the largest `DIRECT_DIGITS * 2^j` below the whole's, so the halves stay
/// balanced and each power of ten is computed once.
fn decimal(digits: &[u8], powers: &[BigUint]) -> BigUint {
    if digits.len() <= DIRECT_DIGITS {
        return BigUint::parse_bytes(digits, 10).unwrap_or_default();
    }
    let j = (0..powers.len())
        .rev()
        .find(|j| DIRECT_DIGITS << j < digits.len())
        .unwrap_or(0);
    let (high, low) = digits.split_at(digits.len() - (DIRECT_DIGITS << j));
    decimal(high, powers) * &powers[j] + decimal(low, powers)
}

#[cfg(test)]
mod tests {
    use super::big_integer;
    use num_bigint::BigInt;

    #[test]
    fn big_literals_convert_like_num_bigint_at_every_length() {
        let digits: String = (0..20_000)
            .map(|i| char::from(b'0' + (i * 7 % 10) as u8))
            .collect();
        for length in [1, 19, 20, 1023, 1024, 1025, 2048, 2049, 5000, 20_000] {
            let text = &digits[..length];
            let expected: BigInt = text.parse().expect("digits");
            assert_eq!(big_integer(text), Some(expected.clone()), "{length} digits");
            assert_eq!(
                big_integer(&format!("-{text}")),
                Some(-expected),
                "-{length} digits"
            );
        }
        assert_eq!(big_integer("-"), None);
        assert_eq!(big_integer("12a"), None);
    }
}
