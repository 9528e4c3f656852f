//! The program's lowering (docs/jit.md): a Smalltalk object that the tier asks, when a unit it
//! compiles contains element-wise DoubleArray loops (`lower/kernel.rs`), how to emit them:
//! `lanesFor: aMethod`, the floats one step computes (1: scalar code, 2: a 128-bit vector),
//! and `unrollFor: aMethod`, the steps one iteration of the loop does (1 to 8). Without one,
//! nothing is asked and the loops are emitted as scalar code.
//!
//! Installing or removing a lowering retires the code of every unit that contains such loops,
//! so that each is compiled again, with the new lowering, once it runs hot again.

use super::NativeCode;
use crate::invokable::{CompiledBody, Method};
use crate::nodes::NodeKind;
use crate::universe::installed_policy::{self, NoAnswer, PolicyKind};
use crate::universe::Universe;
use std::ops::RangeInclusive;
use yerba_mop::object::Gc;
use yerba_mop::Value;

/// How the loops of a unit are emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorShape {
    /// Floats computed by one instruction: 1 or 2 (F64X2).
    pub lanes: u32,
    /// Steps of `lanes` floats per iteration.
    pub unroll: u32,
}

impl VectorShape {
    pub const SCALAR: VectorShape = VectorShape {
        lanes: 1,
        unroll: 1,
    };
    pub const MAX_UNROLL: u32 = 8;
}

/// Installs `lowering` (nil: none) and retires the code it would emit differently.
pub fn install(u: &mut Universe, lowering: Value) {
    if u.policies.installed(PolicyKind::Lowering) != lowering {
        u.policies.install(PolicyKind::Lowering, lowering);
        retire_lowered_units(u);
    }
}

/// Retires the code of every unit whose compilation asked how to lower its loops: the units
/// of live methods' bodies, of their blocks and of their loops compiled on their own.
fn retire_lowered_units(u: &mut Universe) {
    let mut methods = Vec::new();
    u.heap.for_each_object(&mut |object| {
        let value = Value::from_pointer(object.as_ptr());
        if Method::is_method(value) {
            methods.push(value);
        }
    });
    for method in methods {
        // SAFETY: kind checked above; nothing is allocated meanwhile, so it is still there.
        let method: Gc<Method> = unsafe { Gc::from_value(method) };
        for_each_unit(method.code(), &mut |native| {
            if native.lowered() {
                super::invalidate(u, native);
            }
        });
    }
}

/// Calls `visit` with the native code of `body`, of its twin, and of the blocks and loops in
/// their trees.
fn for_each_unit(body: &CompiledBody, visit: &mut dyn FnMut(&NativeCode)) {
    visit(&body.native);
    body.body.visit(&mut |node| match node.kind() {
        NodeKind::ToDo(inlined) => visit(&inlined.native),
        NodeKind::While(inlined) => visit(&inlined.native),
        NodeKind::Block(block) => for_each_unit(&block.code, visit),
        _ => {}
    });
    if let Some(twin) = body.twin.as_deref() {
        for_each_unit(twin, visit);
    }
}

/// How the installed lowering says to emit the loops of a unit of `method`: scalar without
/// one, or when it cannot be asked now (it is answering) or misbehaves (then it is
/// uninstalled).
pub(super) fn shape_for(u: &mut Universe, method: Value) -> VectorShape {
    let lanes = ask(u, "lanesFor:", method, 1..=2);
    let unroll = lanes.and_then(|_| ask(u, "unrollFor:", method, 1..=VectorShape::MAX_UNROLL));
    match (lanes, unroll) {
        (Some(lanes), Some(unroll)) => VectorShape { lanes, unroll },
        _ => VectorShape::SCALAR,
    }
}

/// The lowering's answer to `question` about `method`, if it is an Integer within `range`. A
/// lowering uninstalled for misbehaving is removed as `JIT lowering: nil` removes one: the code
/// compiled asking it is retired.
fn ask(u: &mut Universe, question: &str, method: Value, range: RangeInclusive<u32>) -> Option<u32> {
    let check = |answer: Value| {
        answer
            .as_small_int()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| range.contains(n))
            .ok_or_else(|| format!("not an Integer from {} to {}", range.start(), range.end()))
    };
    let answer = installed_policy::ask(u, PolicyKind::Lowering, question, |_| Ok(method), check);
    if answer == Err(NoAnswer::Misbehaved { uninstalled: true }) {
        retire_lowered_units(u);
    }
    answer.ok()
}
