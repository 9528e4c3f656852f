//! Taking a primitive's arguments apart: the arity check and the kind checks every primitive
//! does before it looks inside an object, with the VM errors they raise.
//!
//! A kind check looks at the object's heap type, never at its class: `Array new`, `String new`
//! and their like make plain instances that claim a built-in class but have none of its
//! storage. Only after the check passes is a `Value` cast to the typed pointer.

use crate::invokable::Block;
use crate::universe::Universe;
use crate::unwind::Unwind;
use smallvec::SmallVec;
use yerba_mop::object::{Array, BigIntObject, Class, Gc, VmString};
use yerba_mop::Value;

/// The receiver, for a primitive without arguments.
pub fn unary(u: &mut Universe, args: &[Value]) -> Result<Value, Unwind> {
    match *args {
        [receiver] => Ok(receiver),
        _ => Err(wrong_arity(u, args.len(), 0)),
    }
}

/// The receiver and the argument of a one-argument primitive.
pub fn binary(u: &mut Universe, args: &[Value]) -> Result<(Value, Value), Unwind> {
    match *args {
        [receiver, argument] => Ok((receiver, argument)),
        _ => Err(wrong_arity(u, args.len(), 1)),
    }
}

/// The receiver and the two arguments of a two-argument primitive.
pub fn ternary(u: &mut Universe, args: &[Value]) -> Result<(Value, Value, Value), Unwind> {
    match *args {
        [receiver, first, second] => Ok((receiver, first, second)),
        _ => Err(wrong_arity(u, args.len(), 2)),
    }
}

/// The receiver and the three arguments of a three-argument primitive.
pub fn quaternary(
    u: &mut Universe,
    args: &[Value],
) -> Result<(Value, Value, Value, Value), Unwind> {
    match *args {
        [receiver, first, second, third] => Ok((receiver, first, second, third)),
        _ => Err(wrong_arity(u, args.len(), 3)),
    }
}

/// `args_with_receiver` values (receiver included) were passed where `required` arguments
/// (receiver excluded) are expected.
#[cold]
fn wrong_arity(u: &mut Universe, args_with_receiver: usize, required: usize) -> Unwind {
    arity_mismatch(u, args_with_receiver.saturating_sub(1), required)
}

#[cold]
pub fn arity_mismatch(u: &mut Universe, passed: usize, required: usize) -> Unwind {
    u.vm_error(format!(
        "Tried passing {passed} arguments to a function that requires {required}."
    ))
}

/// The argument list of a reflective call: `receiver` followed by the elements of `arguments`.
/// The elements stay reachable through the Array (held by the caller), and the first few also
/// sit on the native stack, which the collector scans.
pub fn call_arguments(receiver: Value, arguments: Gc<Array>) -> SmallVec<[Value; 8]> {
    std::iter::once(receiver)
        .chain(arguments.items().iter().map(|item| item.get()))
        .collect()
}

/// The number of arguments a message with this selector takes: the number of colons of a
/// keyword selector, one for a binary operator, none for a unary selector.
pub fn selector_arity(selector: &str) -> usize {
    const OPERATOR_CHARS: &str = "~&|*/\\+=><,@%-";
    let colons = selector.chars().filter(|&c| c == ':').count();
    if colons > 0 {
        colons
    } else if !selector.is_empty() && selector.chars().all(|c| OPERATOR_CHARS.contains(c)) {
        1
    } else {
        0
    }
}

/// The name of the class of `v`, for error messages.
pub fn class_name_of(u: &Universe, v: Value) -> String {
    u.class_name(u.class_of(v).value())
}

/// A value as a message names it: nil and numbers by value, anything else by its class.
pub fn describe(u: &Universe, value: Value) -> String {
    if let Some(n) = value.as_small_int() {
        return n.to_string();
    }
    if let Some(d) = value.as_double() {
        return d.to_string();
    }
    if value.is_nil() {
        return String::from("nil");
    }
    if BigIntObject::is_bigint(value) {
        // SAFETY: kind checked.
        let big: Gc<BigIntObject> = unsafe { Gc::from_value(value) };
        return BigIntObject::value(&big).to_string();
    }
    if Class::is_class(value) {
        return format!("the class {}", u.class_name(value));
    }
    let class = class_name_of(u, value);
    let article = match class.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    };
    format!("{article} {class}")
}

/// `v` is not of the kind `expected` (a class name) that a primitive needs.
#[cold]
pub fn wrong_kind(u: &mut Universe, expected: &str, v: Value) -> Unwind {
    let actual = class_name_of(u, v);
    let message = if actual == expected {
        // A plain instance made by `new` for a class whose real instances have other storage.
        format!(
            "Expected object of type '{expected}' but got an instance of {actual} made with new."
        )
    } else {
        format!("Expected object of type '{expected}' but got type '{actual}'.")
    };
    u.vm_error(message)
}

/// A String or Symbol.
pub fn expect_string(u: &mut Universe, v: Value) -> Result<Gc<VmString>, Unwind> {
    if VmString::is_string(v) {
        // SAFETY: kind checked just above.
        Ok(unsafe { Gc::from_value(v) })
    } else {
        Err(wrong_kind(u, "String", v))
    }
}

/// A Symbol; a String is interned into one, as reflection accepts both.
pub fn expect_symbol(u: &mut Universe, v: Value) -> Result<Value, Unwind> {
    if u.is_symbol(v) {
        return Ok(v);
    }
    if VmString::is_string(v) {
        // SAFETY: kind checked just above.
        let string: Gc<VmString> = unsafe { Gc::from_value(v) };
        return Ok(u.symbol(string.as_str()));
    }
    let actual = class_name_of(u, v);
    Err(u.vm_error(format!(
        "Expected instance of 'Symbol' but got instance of '{actual}'."
    )))
}

pub fn expect_array(u: &mut Universe, v: Value) -> Result<Gc<Array>, Unwind> {
    Array::of(v).ok_or_else(|| wrong_kind(u, "Array", v))
}

/// A class or metaclass object.
pub fn expect_class(u: &mut Universe, v: Value) -> Result<Gc<Class>, Unwind> {
    if Class::is_class(v) {
        // SAFETY: kind checked just above.
        Ok(unsafe { Gc::from_value(v) })
    } else {
        Err(wrong_kind(u, "Class", v))
    }
}

pub fn expect_block(u: &mut Universe, v: Value) -> Result<Gc<Block>, Unwind> {
    if Block::is_block(v) {
        // SAFETY: kind checked just above.
        Ok(unsafe { Gc::from_value(v) })
    } else {
        Err(wrong_kind(u, "Block", v))
    }
}

#[cfg(test)]
mod tests {
    use super::selector_arity;

    #[test]
    fn arity_follows_the_selector_syntax() {
        assert_eq!(selector_arity("length"), 0);
        assert_eq!(selector_arity("primitive"), 0);
        assert_eq!(selector_arity("+"), 1);
        assert_eq!(selector_arity(">>>"), 1);
        assert_eq!(selector_arity("-->"), 1);
        assert_eq!(selector_arity("at:"), 1);
        assert_eq!(selector_arity("at:put:"), 2);
        assert_eq!(selector_arity("perform:withArguments:inSuperclass:"), 3);
        assert_eq!(selector_arity(""), 0);
    }
}
