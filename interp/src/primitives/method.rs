//! Reflection on methods: `signature`, `holder` and `invokeOn:with:`, shared by `Method`
//! (compiled SOM code) and `Primitive` (Rust code).

use super::arguments::{
    arity_mismatch, call_arguments, expect_array, selector_arity, ternary, unary, wrong_kind,
};
use super::Entry;
use crate::invokable::{Method, Primitive, Target};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::Gc;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Method", false, "signature", signature),
    ("Method", false, "holder", holder),
    ("Method", false, "invokeOn:with:", invoke_on_with),
    ("Primitive", false, "signature", signature),
    ("Primitive", false, "holder", holder),
    ("Primitive", false, "invokeOn:with:", invoke_on_with),
];

/// What reflection needs to know of a Method or Primitive object.
struct Invokable {
    target: Target,
    signature: Value,
    holder: Value,
    arity: usize,
}

fn expect_invokable(u: &mut Universe, v: Value) -> Result<Invokable, Unwind> {
    if Method::is_method(v) {
        // SAFETY: kind checked just above.
        let method: Gc<Method> = unsafe { Gc::from_value(v) };
        let arity = method.code().arity;
        Ok(Invokable {
            target: Target::Method(method),
            signature: method.signature(),
            holder: method.holder(),
            arity,
        })
    } else if Primitive::is_primitive(v) {
        // SAFETY: kind checked just above.
        let primitive: Gc<Primitive> = unsafe { Gc::from_value(v) };
        let arity = selector_arity(u.text_of(primitive.signature()));
        Ok(Invokable {
            target: Target::Primitive(primitive),
            signature: primitive.signature(),
            holder: primitive.holder(),
            arity,
        })
    } else {
        Err(wrong_kind(u, "Method", v))
    }
}

fn signature(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_invokable(u, receiver)?.signature)
}

fn holder(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    Ok(expect_invokable(u, receiver)?.holder)
}

/// Runs the method on `receiver` with the elements of `arguments`, without any lookup.
fn invoke_on_with(u: &mut Universe, args: &[Value]) -> Exec {
    let (method, receiver, arguments) = ternary(u, args)?;
    let invokable = expect_invokable(u, method)?;
    let arguments = expect_array(u, arguments)?;
    if arguments.len() != invokable.arity {
        return Err(arity_mismatch(u, arguments.len(), invokable.arity));
    }
    invokable
        .target
        .invoke(u, &call_arguments(receiver, arguments))
}
