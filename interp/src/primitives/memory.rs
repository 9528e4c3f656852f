//! The collector as a metaobject: the class-side primitives of `Memory` (docs/memory.md).
//! The statistics and the heap histogram reach Smalltalk as flat Arrays of keys and values,
//! which `Memory.som` turns into Dictionaries. The policy the VM consults lives in
//! `memory_policy.rs`.
//!
//! Heap walks (`allInstancesOf:`, the histogram, `objectsSurviving:`) follow a full
//! collection, so they see the live objects (and those that words on the native stack keep
//! alive, as the collector is conservative there). They answer Smalltalk objects only: objects
//! whose layout names a class (heap contexts, say, have none). The result Array is allocated
//! without collections: the objects found are referenced only from a Rust vector until then.

use super::arguments::{binary, expect_class, unary};
use super::memory_policy::{self, collect_and_ask_threshold};
use super::Entry;
use crate::universe::installed_policy::PolicyKind;
use crate::universe::Universe;
use crate::unwind::Exec;
use rustc_hash::FxHashMap;
use std::time::Duration;
use yerba_mop::object::{header_of, Class};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("Memory", true, "statisticsArray", statistics_array),
    ("Memory", true, "collect", collect),
    ("Memory", true, "allInstancesOf:", all_instances_of),
    ("Memory", true, "instanceCountsArray", instance_counts_array),
    ("Memory", true, "objectsSurviving:", objects_surviving),
    ("Memory", true, "installedPolicy", installed_policy),
    ("Memory", true, "policy:", set_policy),
    ("Memory", true, "minimumThreshold", minimum_threshold),
    ("Memory", true, "growthFactor", growth_factor),
];

/// `#key value #key value ...`: the counters of the heap (keys documented in docs/memory.md).
fn statistics_array(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let stats = u.heap.stats();
    let figures: [(&str, u64); 10] = [
        ("collections", stats.collections),
        ("bytesAllocated", stats.bytes_allocated),
        ("objectsAllocated", stats.allocations),
        (
            "bytesAllocatedSinceCollection",
            stats.bytes_allocated_since_collection as u64,
        ),
        ("liveBytes", stats.live_bytes as u64),
        ("totalPause", micros(stats.total_time)),
        ("longestPause", micros(stats.longest_pause)),
        ("heapBytes", stats.heap_bytes as u64),
        ("heapLimit", u.heap.policy().max_heap_bytes as u64),
        ("threshold", u.heap.threshold_in_force() as u64),
    ];
    let mut items = Vec::with_capacity(2 * figures.len());
    for (key, figure) in figures {
        // Symbols and integers are made before the Array; the collector sees them on the stack
        // until it holds them (the vector's buffer is not scanned, so collections wait).
        items.push(u.symbol(key));
        items.push(u.new_int(i64::try_from(figure).unwrap_or(i64::MAX)));
    }
    Ok(u.without_collections(|u| u.new_array_from(&items)))
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// A full collection; then an installed policy sets the next threshold. Answers the receiver.
fn collect(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    collect_and_ask_threshold(u);
    Ok(receiver)
}

/// The Smalltalk objects in the heap, after a full collection, that `keep` accepts; `keep`
/// gets each object and its class.
fn live_objects(u: &mut Universe, keep: &mut dyn FnMut(Value, Value) -> bool) -> Vec<Value> {
    u.collect_garbage();
    let mut found = Vec::new();
    u.heap.for_each_object(&mut |object| {
        let value = Value::from_pointer(object.as_ptr());
        let Some(header) = header_of(value) else {
            return;
        };
        let class = header.layout().class();
        if Class::is_class(class) && keep(value, class) {
            found.push(value);
        }
    });
    found
}

/// An Array of the instances of the class (not of its subclasses).
fn all_instances_of(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, class) = binary(u, args)?;
    let class = expect_class(u, class)?.value();
    let instances = live_objects(u, &mut |_, of| of == class);
    Ok(u.without_collections(|u| u.new_array_from(&instances)))
}

/// `class count class count ...` for every class with instances in the heap.
fn instance_counts_array(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let mut counts: FxHashMap<Value, (usize, u64)> = FxHashMap::default();
    live_objects(u, &mut |_, class| {
        let order = counts.len();
        counts.entry(class).or_insert((order, 0)).1 += 1;
        false
    });
    let mut classes: Vec<(Value, (usize, u64))> = counts.into_iter().collect();
    classes.sort_by_key(|(_, (order, _))| *order);
    u.without_collections(|u| {
        let mut items = Vec::with_capacity(2 * classes.len());
        for (class, (_, count)) in classes {
            items.push(class);
            items.push(u.new_int(i64::try_from(count).unwrap_or(i64::MAX)));
        }
        Ok(u.new_array_from(&items))
    })
}

/// Evaluates the block (`value`), then answers an Array of the Smalltalk objects allocated
/// meanwhile that survive a full collection. However the block ends, the heap forgets which
/// objects were there before; an error or a non-local return out of it goes on unwinding.
/// Calls do not nest: the heap has one mark for the objects that were there before.
fn objects_surviving(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, block) = binary(u, args)?;
    if u.memory.surveying {
        return Err(u.vm_error(
            "Memory objectsSurviving: cannot run inside another objectsSurviving: block.",
        ));
    }
    u.collect_garbage();
    u.heap.mark_preexisting(true);
    u.memory.surveying = true;
    let outcome = u.send_named("value", &[block]).map(|_| ());
    let survivors = match outcome {
        Ok(()) => live_objects(u, &mut |object, _| {
            header_of(object).is_some_and(|header| !header.gc.is_preexisting())
        }),
        Err(_) => Vec::new(),
    };
    u.heap.mark_preexisting(false);
    u.memory.surveying = false;
    outcome?;
    Ok(u.without_collections(|u| u.new_array_from(&survivors)))
}

/// The policy the program installed, or nil.
fn installed_policy(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(u.policies.installed(PolicyKind::Memory))
}

/// Installs the policy (nil: the VM decides natively again); answers the receiver.
fn set_policy(u: &mut Universe, args: &[Value]) -> Exec {
    let (memory, policy) = binary(u, args)?;
    memory_policy::install(u, memory, policy);
    Ok(memory)
}

/// The VM's native rule: bytes allocated between collections at least...
fn minimum_threshold(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let bytes = u.heap.policy().min_threshold_bytes;
    Ok(u.new_int(i64::try_from(bytes).unwrap_or(i64::MAX)))
}

/// ... or this factor times the bytes live after the last collection, when more.
fn growth_factor(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(Value::double(u.heap.policy().growth_factor))
}
