//! The native tier as a metaobject: the class-side primitives of `JIT` (docs/jit.md). The
//! statistics reach Smalltalk as a flat Array of keys and values, which `JIT.som` turns into a
//! Dictionary. The policy the tier consults is decided on in `native/policy.rs`.

use super::arguments::{binary, unary};
use super::{describe, Entry};
use crate::invokable::{CompiledBody, Method, Primitive};
use crate::native;
use crate::universe::installed_policy::PolicyKind;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::object::Gc;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("JIT", true, "statisticsArray", statistics_array),
    ("JIT", true, "recompilationsOf:", recompilations_of),
    ("JIT", true, "threshold", threshold),
    ("JIT", true, "threshold:", set_threshold),
    ("JIT", true, "installedPolicy", installed_policy),
    ("JIT", true, "policy:", set_policy),
    ("JIT", true, "installedLowering", installed_lowering),
    ("JIT", true, "lowering:", set_lowering),
];

/// `#key value #key value ...`: the tier's counters (keys documented in docs/jit.md).
fn statistics_array(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let stats = u.tier.stats.clone();
    let compile_time = u64::try_from(stats.compile_time.as_micros()).unwrap_or(u64::MAX);
    let figures: [(&str, u64); 11] = [
        ("compiled", stats.compiled),
        ("codeBytes", stats.code_bytes),
        ("compileTime", compile_time),
        ("refused", stats.refused),
        ("slowPaths", stats.slow_paths),
        ("invalidations", stats.invalidations),
        ("renewals", stats.renewals),
        ("recompilations", stats.recompilations),
        ("released", stats.released),
        ("kernels", stats.kernels),
        ("vectorKernels", stats.vector_kernels),
    ];
    let mut items = Vec::with_capacity(2 * figures.len() + 4);
    for (key, figure) in figures {
        // Symbols and integers are made before the Array; the collector sees them on the stack
        // until it holds them (the vector's buffer is not scanned, so collections wait).
        items.push(u.symbol(key));
        items.push(u.new_int(i64::try_from(figure).unwrap_or(i64::MAX)));
    }
    let threshold = threshold_value(u);
    items.push(u.symbol("threshold"));
    items.push(threshold);
    items.push(u.symbol("enabled"));
    items.push(Value::boolean(u.tier.enabled()));
    Ok(u.without_collections(|u| u.new_array_from(&items)))
}

/// How often the method's body was compiled beyond the first time (the bodies, when the
/// method also has one with intercession sites); 0 for a primitive.
fn recompilations_of(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, method) = binary(u, args)?;
    if Primitive::is_primitive(method) {
        return Ok(u.new_int(0));
    }
    if !Method::is_method(method) {
        let message = format!(
            "JIT recompilationsOf: expects a Method, not {}.",
            describe(u, method)
        );
        return Err(u.vm_error(message));
    }
    // SAFETY: kind checked.
    let method: Gc<Method> = unsafe { Gc::from_value(method) };
    let body = method.code();
    let recompilations = |body: &CompiledBody| body.native.compilations().saturating_sub(1);
    let total = recompilations(body) + body.twin.as_deref().map_or(0, recompilations);
    Ok(u.new_int(i64::from(total)))
}

/// Activations before a unit compiles: 0 under `--jit-always`, nil without a tier.
fn threshold_value(u: &mut Universe) -> Value {
    if u.tier.enabled() {
        u.new_int(i64::from(u.tier.threshold))
    } else {
        Value::NIL
    }
}

fn threshold(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(threshold_value(u))
}

/// Sets the threshold, a positive Integer (ignored under `--no-jit` and `--jit-always`, whose
/// rule the command line fixed); answers the receiver.
fn set_threshold(u: &mut Universe, args: &[Value]) -> Exec {
    let (jit, threshold) = binary(u, args)?;
    let valid = threshold
        .as_small_int()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0);
    let Some(threshold) = valid else {
        let message = format!(
            "JIT threshold: expects an Integer from 1 to {}, not {}.",
            u32::MAX,
            describe(u, threshold)
        );
        return Err(u.vm_error(message));
    };
    u.tier.set_threshold(threshold);
    Ok(jit)
}

/// The policy the program installed, or nil.
fn installed_policy(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(u.policies.installed(PolicyKind::Jit))
}

/// Installs the policy (nil: every unit compiles when due again); answers the receiver.
fn set_policy(u: &mut Universe, args: &[Value]) -> Exec {
    let (jit, policy) = binary(u, args)?;
    u.policies.install(PolicyKind::Jit, policy);
    Ok(jit)
}

/// The lowering the program installed, or nil.
fn installed_lowering(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(u.policies.installed(PolicyKind::Lowering))
}

/// Installs the lowering (nil: the VM lowers by itself again), invalidating the compiled
/// units it would lower differently; answers the receiver.
fn set_lowering(u: &mut Universe, args: &[Value]) -> Exec {
    let (jit, lowering) = binary(u, args)?;
    native::install_lowering(u, lowering);
    Ok(jit)
}
