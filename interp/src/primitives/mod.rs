//! Primitives: the methods the library declares `= primitive`, implemented in Rust and grouped
//! by receiver class, one file per class.
//!
//! A primitive may be reached with any receiver and any arguments: `perform:inSuperclass:` and
//! `invokeOn:with:` bypass normal lookup, and `Integer new` or `Array new`-style calls create
//! plain instances carrying the class of a built-in kind. Every primitive therefore checks the
//! kind of its receiver and arguments (see [`arguments`]) before touching them, and reports a
//! mismatch as a VM error; none of them may panic.

mod activation_records;
mod activations;
mod arguments;
mod array;
mod block;
mod double_array;

pub use arguments::{describe, selector_arity};
pub use array::{array_access, ArrayAccess};
pub use block::is_block_evaluation;
pub use double_array::double_array_access;
pub use object::is_identity;
mod class;
mod double;
mod integer;
mod jit;
mod kernels;
mod memory;
mod memory_policy;
mod method;
mod numbers;
mod object;
mod random;
mod reflection;
mod shapes;
mod string;
mod system;
mod trace_file;

pub use trace_file::close_at_exit;

pub use crate::universe::installed_policy::refuse_exit_while_answering;
pub use memory_policy::{collect_by_policy, MemoryState};
pub use system::exit_status;

use crate::invokable::PrimitiveFn;

/// One primitive: class name, whether it is on the class side, selector, implementation.
pub type Entry = (&'static str, bool, &'static str, PrimitiveFn);

/// The implementation of primitive `selector` of class `class_name` (class side if
/// `class_side`), if the VM has one.
pub fn find(class_name: &str, class_side: bool, selector: &str) -> Option<PrimitiveFn> {
    all()
        .find(|(c, side, s, _)| *c == class_name && *side == class_side && *s == selector)
        .map(|e| e.3)
}

/// The tables of all receiver classes.
static TABLES: &[&[Entry]] = &[
    object::PRIMITIVES,
    class::PRIMITIVES,
    integer::PRIMITIVES,
    double::PRIMITIVES,
    string::PRIMITIVES,
    array::PRIMITIVES,
    double_array::PRIMITIVES,
    block::PRIMITIVES,
    method::PRIMITIVES,
    system::PRIMITIVES,
    memory::PRIMITIVES,
    jit::PRIMITIVES,
    shapes::PRIMITIVES,
    reflection::PRIMITIVES,
    activations::PRIMITIVES,
    activation_records::PRIMITIVES,
    trace_file::PRIMITIVES,
    kernels::PRIMITIVES,
];

fn all() -> impl Iterator<Item = &'static Entry> {
    TABLES.iter().flat_map(|t| t.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_primitive_is_registered_twice() {
        let entries: Vec<_> = all().map(|(c, side, s, _)| (*c, *side, *s)).collect();
        for (i, entry) in entries.iter().enumerate() {
            assert!(
                !entries[i + 1..].contains(entry),
                "{entry:?} is registered twice"
            );
        }
    }

    #[test]
    fn every_library_primitive_has_an_implementation() {
        for (class_name, source) in yerba_som_lib::CLASSES {
            let mut class_side = false;
            for line in source.lines() {
                let line = line.trim();
                if line.starts_with("----") {
                    class_side = true;
                }
                let Some(pattern) = line.strip_suffix("= primitive") else {
                    continue;
                };
                let selector = selector_of_pattern(pattern);
                assert!(
                    find(class_name, class_side, &selector).is_some(),
                    "missing primitive {class_name}{}>>#{selector}",
                    if class_side { " class" } else { "" }
                );
            }
        }
    }

    /// `at: index put: value` → `at:put:`, `+ argument` → `+`, `length` → `length`.
    fn selector_of_pattern(pattern: &str) -> String {
        let words: Vec<&str> = pattern.split_whitespace().collect();
        match words.as_slice() {
            [unary] => unary.to_string(),
            [first, ..] if !first.ends_with(':') => first.to_string(),
            _ => words.iter().filter(|w| w.ends_with(':')).copied().collect(),
        }
    }
}
