//! Arithmetic and comparison sends specialised for small integers and doubles.

mod binary_op;

pub use binary_op::{BinaryOp, BinaryOperator};
