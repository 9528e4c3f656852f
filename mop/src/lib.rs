//! Yerba's reflective object model: one-word values, the garbage-collected heap, and the
//! objects every VM operation works on (layouts, classes, arrays, strings, symbols, big integers).

pub mod heap;
pub mod object;
pub mod value;

pub use value::Value;
