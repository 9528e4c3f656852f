//! Object primitives: identity and hashing, reflective sends (`perform:` and friends), and
//! reflective field access (`instVarAt:` and friends, 1-based over all fields, inherited first).
//!
//! Fields are reached through the object's own layout, which says how many there are and where
//! they start; objects without fields (immediates, arrays, strings...) have a count of zero.

use super::arguments::{
    arity_mismatch, binary, call_arguments, class_name_of, expect_array, expect_class,
    expect_symbol, quaternary, selector_arity, ternary, unary,
};
use super::numbers::{expect_int, format_double, Int};
use super::Entry;
use crate::intercession::{self, FieldPlace};
use crate::invokable::{Block, Method, Primitive, PrimitiveFn};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::{header_of, Array, BigIntObject, Class, Gc, Instance, VmString};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Object", false, "class", class),
    ("Object", false, "objectSize", object_size),
    ("Object", false, "==", identical),
    ("Object", false, "hashcode", hashcode),
    ("Object", false, "inspect", inspect),
    ("Object", false, "halt", halt),
    ("Object", false, "perform:", perform),
    (
        "Object",
        false,
        "perform:withArguments:",
        perform_with_arguments,
    ),
    (
        "Object",
        false,
        "perform:inSuperclass:",
        perform_in_superclass,
    ),
    (
        "Object",
        false,
        "perform:withArguments:inSuperclass:",
        perform_with_arguments_in_superclass,
    ),
    ("Object", false, "instVarAt:", inst_var_at),
    ("Object", false, "instVarAt:put:", inst_var_at_put),
    ("Object", false, "instVarNamed:", inst_var_named),
    ("Object", false, "instVarNamed:put:", inst_var_named_put),
];

// ---- identity ----------------------------------------------------------------------------

fn class(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(u.class_of(receiver).value())
}

/// Bytes the object occupies: one word for immediates, else the heap object's size.
fn object_size(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(u.new_int(size_in_bytes(receiver) as i64))
}

fn size_in_bytes(v: Value) -> usize {
    const WORD: usize = std::mem::size_of::<Value>();
    let Some(header) = header_of(v) else {
        return WORD;
    };
    if Array::is_array(v) {
        // SAFETY: kind checked.
        let array: Gc<Array> = unsafe { Gc::from_value(v) };
        std::mem::size_of::<Array>() + array.len() * WORD
    } else if VmString::is_string(v) {
        // SAFETY: kind checked.
        let string: Gc<VmString> = unsafe { Gc::from_value(v) };
        std::mem::size_of::<VmString>() + string.as_str().len()
    } else if BigIntObject::is_bigint(v) {
        // SAFETY: kind checked.
        let big: Gc<BigIntObject> = unsafe { Gc::from_value(v) };
        std::mem::size_of::<BigIntObject>() + BigIntObject::value(&big).bits().div_ceil(8) as usize
    } else if Method::is_method(v) {
        std::mem::size_of::<Method>()
    } else if Primitive::is_primitive(v) {
        std::mem::size_of::<Primitive>()
    } else if Block::is_block(v) {
        std::mem::size_of::<Block>()
    } else if Class::is_class(v) {
        Class::FIELDS_OFFSET + header.layout().storage() * WORD
    } else {
        Instance::FIELDS_OFFSET + header.layout().storage() * WORD
    }
}

/// Identity; Doubles are identical when they are equal (`0.0 == -0.0`), NaN to itself, and at
/// base level a read-only reference is its target (see [`same_through_handles`]).
/// Whether `function` is `==`, which native code answers itself when the bits decide.
pub fn is_identity(function: PrimitiveFn) -> bool {
    std::ptr::fn_addr_eq(function, identical as PrimitiveFn)
}

fn identical(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, other) = binary(u, args)?;
    // The bits first: only `0.0 == -0.0` and two heap objects, one carrying an environment,
    // need more.
    let identical = receiver == other
        || if other.is_pointer() {
            receiver.is_pointer()
                && (carries_environment(receiver) || carries_environment(other))
                && same_through_handles(u, receiver, other)
        } else {
            matches!((receiver.as_double(), other.as_double()), (Some(x), Some(y)) if x == y)
        };
    Ok(Value::boolean(identical))
}

/// Whether `v` is a heap object whose layout carries an environment, as every read-only
/// reference does (and its target is a heap object): two loads and a test, on the path of `==`
/// that answers false for two heap objects.
#[inline(always)]
fn carries_environment(v: Value) -> bool {
    header_of(v).is_some_and(|header| !header.layout().environment().is_nil())
}

/// Whether two different values stand for the same object: a read-only reference (an instance
/// of the library's `Handle`, made by `readOnly`) stands for its target, the object in its one
/// field, so `original == original readOnly` agrees with `original readOnly == original`, and
/// the `=` and searches built on `==` find an object through its reference. Metaobjects, at
/// meta level, see a reference as the distinct object it is.
#[cold]
#[inline(never)]
fn same_through_handles(u: &mut Universe, a: Value, b: Value) -> bool {
    if !u.at_base_level() {
        return false;
    }
    let name = u.symbol("Handle");
    let Some(handle_class) = u.globals.get(name) else {
        return false;
    };
    let target = |v: Value| -> Value {
        match header_of(v) {
            Some(header)
                if header.layout().class() == handle_class && header.layout().field_count() > 0 =>
            {
                // SAFETY: the layout has the field.
                unsafe { header.layout().field_slot(v, 0) }.get()
            }
            _ => v,
        }
    };
    target(a) == target(b)
}

/// A stable hash: the value itself for immediates (Doubles hash as equal Doubles compare),
/// the address for heap objects, which never move.
fn hashcode(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(u.new_int(identity_hash(receiver)))
}

fn identity_hash(v: Value) -> i64 {
    if let Some(i) = v.as_small_int() {
        i
    } else if let Some(d) = v.as_double() {
        double_hash(d)
    } else if let Some(address) = v.as_pointer() {
        (address >> 4) as i64
    } else {
        v.bits() as i64
    }
}

/// Equal for `0.0` and `-0.0`; a non-negative small integer.
fn double_hash(d: f64) -> i64 {
    let d = if d == 0.0 { 0.0 } else { d };
    let bits = d.to_bits();
    ((bits ^ (bits >> 29)) & ((1 << 47) - 1)) as i64
}

// ---- debugging ---------------------------------------------------------------------------

/// Prints the receiver's class and fields on stderr; answers the receiver.
fn inspect(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let mut text = format!("{}\n", describe(u, receiver));
    let names = field_names(u, receiver);
    for (i, name) in names.iter().enumerate() {
        // Fields the object does not store in place (MOP shapes) are left out.
        if let FieldPlace::Stored(slot) = place(u, receiver, i + 1) {
            text.push_str(&format!("  {name}: {}\n", describe(u, slot.get())));
        }
    }
    u.out.print_error(&text);
    Ok(receiver)
}

/// Reports the breakpoint on stderr and continues; answers the receiver.
fn halt(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let text = format!("BREAKPOINT: halt sent to {}\n", describe(u, receiver));
    u.out.print_error(&text);
    Ok(receiver)
}

/// A short description of a value for debugging output.
fn describe(u: &Universe, v: Value) -> String {
    if let Some(i) = v.as_small_int() {
        i.to_string()
    } else if let Some(d) = v.as_double() {
        format_double(d)
    } else if VmString::is_string(v) {
        format!("'{}'", u.text_of(v))
    } else if Class::is_class(v) {
        u.class_name(v)
    } else {
        format!("instance of {}", class_name_of(u, v))
    }
}

// ---- reflective sends --------------------------------------------------------------------

fn perform(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, selector) = binary(u, args)?;
    let selector = selector_for(u, selector, 0)?;
    u.send(selector, &[receiver])
}

fn perform_with_arguments(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, selector, arguments) = ternary(u, args)?;
    let arguments = expect_array(u, arguments)?;
    let selector = selector_for(u, selector, arguments.len())?;
    u.send(selector, &call_arguments(receiver, arguments))
}

/// Looks the method up starting at the given class; the receiver stays the same.
fn perform_in_superclass(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, selector, class) = ternary(u, args)?;
    let class = expect_class(u, class)?;
    let selector = selector_for(u, selector, 0)?;
    u.send_from_class(class, selector, &[receiver])
}

fn perform_with_arguments_in_superclass(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, selector, arguments, class) = quaternary(u, args)?;
    let arguments = expect_array(u, arguments)?;
    let class = expect_class(u, class)?;
    let selector = selector_for(u, selector, arguments.len())?;
    u.send_from_class(class, selector, &call_arguments(receiver, arguments))
}

/// The selector Symbol, checked to take `passed` arguments.
fn selector_for(u: &mut Universe, selector: Value, passed: usize) -> Result<Value, Unwind> {
    let selector = expect_symbol(u, selector)?;
    let required = selector_arity(u.text_of(selector));
    if required == passed {
        Ok(selector)
    } else {
        Err(arity_mismatch(u, passed, required))
    }
}

// ---- reflective field access -------------------------------------------------------------

fn inst_var_at(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index) = binary(u, args)?;
    let index = field_index(u, index)?;
    read_field_at(u, receiver, index)
}

/// Stores the value and answers the receiver.
fn inst_var_at_put(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, index, value) = ternary(u, args)?;
    let index = field_index(u, index)?;
    write_field_at(u, receiver, index, value)?;
    Ok(receiver)
}

fn inst_var_named(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, name) = binary(u, args)?;
    let index = named_field(u, receiver, name)?;
    read_field_at(u, receiver, index)
}

fn inst_var_named_put(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, name, value) = ternary(u, args)?;
    let index = named_field(u, receiver, name)?;
    write_field_at(u, receiver, index, value)?;
    Ok(value)
}

/// The 1-based index of the field of `receiver` named by the Symbol `name` (the last one, if a
/// subclass repeats a name).
fn named_field(u: &mut Universe, receiver: Value, name: Value) -> Result<usize, Unwind> {
    let name = expect_symbol(u, name)?;
    let text = u.text_of(name);
    match field_names(u, receiver)
        .iter()
        .rposition(|field| field == text)
    {
        Some(i) => Ok(i + 1),
        None => {
            let message = format!("{} has no field named '{text}'.", describe(u, receiver));
            Err(u.vm_error(message))
        }
    }
}

/// A 1-based field index; anything but a positive machine integer is out of range anyway.
fn field_index(u: &mut Universe, index: Value) -> Result<usize, Unwind> {
    match expect_int(u, index)? {
        Int::Small(i) if i > 0 => Ok(usize::try_from(i).unwrap_or(usize::MAX)),
        _ => Ok(0),
    }
}

/// Where field `index` (1-based) of `object` is.
fn place(u: &Universe, object: Value, index: usize) -> FieldPlace {
    match index.checked_sub(1) {
        Some(index) => intercession::field_place(u, object, index),
        None => FieldPlace::Missing,
    }
}

/// Field `index` (1-based) of `object`. A field the object does not store in place (it moved
/// to a shape with fewer fields than its class declares) is read as its own methods would read
/// it: through a metaobject that redefines field reads, else as nil.
fn read_field_at(u: &mut Universe, object: Value, index: usize) -> Exec {
    match place(u, object, index) {
        FieldPlace::Stored(slot) => Ok(slot.get()),
        FieldPlace::Unstored => intercession::read_field(u, object, (index - 1) as u32),
        FieldPlace::Missing => Err(bad_index(u, object, index)),
    }
}

/// Assigns field `index` (1-based) of `object`, as `read_field_at` reads it.
fn write_field_at(
    u: &mut Universe,
    object: Value,
    index: usize,
    value: Value,
) -> Result<(), Unwind> {
    match place(u, object, index) {
        FieldPlace::Stored(slot) => {
            u.store_field(object, slot, value);
            Ok(())
        }
        FieldPlace::Unstored => {
            intercession::write_field(u, object, (index - 1) as u32, value).map(|_| ())
        }
        FieldPlace::Missing => Err(bad_index(u, object, index)),
    }
}

#[cold]
fn bad_index(u: &mut Universe, object: Value, index: usize) -> Unwind {
    let message = format!(
        "Index {index} not valid for {} with {} fields.",
        describe(u, object),
        intercession::declared_field_count(u, object)
    );
    u.vm_error(message)
}

/// The field names of `object`'s class (for a class object, its class-side fields).
fn field_names(u: &Universe, object: Value) -> Vec<String> {
    let names = u.class_of(object).instance_fields();
    if !Array::is_array(names) {
        return Vec::new();
    }
    // SAFETY: kind checked just above.
    let names: Gc<Array> = unsafe { Gc::from_value(names) };
    names
        .items()
        .iter()
        .map(|name| u.text_of(name.get()).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_hashes_follow_double_equality() {
        assert_eq!(double_hash(0.0), double_hash(-0.0));
        assert_ne!(double_hash(1.0), double_hash(2.0));
        for d in [0.5, -1e300, f64::INFINITY, f64::NAN] {
            let hash = double_hash(d);
            assert!(hash >= 0 && Value::small_int(hash).is_some());
        }
    }

    #[test]
    fn immediates_hash_by_value() {
        assert_eq!(identity_hash(Value::small_int(42).unwrap()), 42);
        assert_eq!(
            identity_hash(Value::double(1.5)),
            identity_hash(Value::double(1.5))
        );
        assert_ne!(identity_hash(Value::TRUE), identity_hash(Value::FALSE));
    }
}
