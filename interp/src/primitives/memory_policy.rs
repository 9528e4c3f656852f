//! The program's memory policy (docs/memory.md): a Smalltalk object that the VM asks, at the
//! allocation safepoint where a collection falls due, whether to collect now
//! (`shouldCollect: statistics`) and, after a collection, how many bytes to allocate before
//! the next question (`thresholdAfter: statistics`); `statistics` is what `Memory statistics`
//! answers.
//!
//! Without an installed policy nothing here runs: the safepoint collects natively, exactly as
//! before (`Universe::collect_at_safepoint` tests one field on its cold path). With one, the
//! questions go through the guards of `universe/installed_policy.rs`, and:
//! - While the policy answers, a crossed threshold asks nothing (the policy is deciding about
//!   it right now); stress collections and the heap limit still collect natively, and
//!   collections themselves never run Smalltalk.
//! - A policy that fails or answers nonsense (not a Boolean; not an Integer between 1 and the
//!   heap limit) is uninstalled, its threshold with it: the VM decides natively from then on.

use crate::universe::installed_policy::{self, NoAnswer, PolicyKind};
use crate::universe::Universe;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

/// The VM side of `Memory` beyond the installed policy: the class the policy's statistics come
/// from, and whether an `objectsSurviving:` block runs.
pub struct MemoryState {
    /// The class that installed the policy (`Memory`), asked for the statistics given to it.
    memory: Value,
    /// Whether the heap marks the objects that were there before an `objectsSurviving:` block.
    pub(super) surveying: bool,
}

impl Default for MemoryState {
    fn default() -> MemoryState {
        MemoryState {
            memory: Value::NIL,
            surveying: false,
        }
    }
}

impl MemoryState {
    pub fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.mark_value(self.memory);
    }
}

/// Installs `policy` (nil: none, the native rule applies again), asked through `memory`'s
/// statistics from the next decision on.
pub fn install(u: &mut Universe, memory: Value, policy: Value) {
    u.policies.install(PolicyKind::Memory, policy);
    u.memory.memory = memory;
    if policy.is_nil() {
        u.heap.set_threshold(None);
    }
}

/// What to do at an allocation safepoint where a collection is due, with a policy installed.
pub fn collect_by_policy(u: &mut Universe) {
    if u.policies.is_answering(PolicyKind::Memory) {
        if u.heap.stress_due() {
            u.collect_garbage();
        }
        return;
    }
    if u.heap.allocation_budget_exhausted() && !should_collect(u) {
        u.heap.postpone_collection();
        if !u.heap.stress_due() {
            return;
        }
    }
    collect_and_ask_threshold(u);
}

/// A full collection (`Memory collect`), after which an installed policy that is not
/// answering already sets the next threshold.
pub fn collect_and_ask_threshold(u: &mut Universe) {
    u.collect_garbage();
    let asked = u.policies.installed(PolicyKind::Memory);
    let max_heap_bytes = u.heap.policy().max_heap_bytes;
    let threshold = ask(u, "thresholdAfter:", |answer| {
        match answer.as_small_int().and_then(|n| usize::try_from(n).ok()) {
            Some(bytes) if (1..=max_heap_bytes).contains(&bytes) => Ok(bytes),
            _ => Err(format!(
                "not a number of bytes from 1 to the heap limit, {max_heap_bytes}"
            )),
        }
    });
    // A policy that uninstalled itself while answering has no say any more.
    if let Ok(bytes) = threshold {
        if u.policies.installed(PolicyKind::Memory) == asked {
            u.heap.set_threshold(Some(bytes));
        }
    }
}

/// The policy's answer to `shouldCollect:`, or the native one (collect) if it misbehaves.
fn should_collect(u: &mut Universe) -> bool {
    ask(u, "shouldCollect:", installed_policy::boolean).unwrap_or(true)
}

/// Asks the installed policy `question` with the statistics; a policy given up on takes its
/// threshold with it.
fn ask<T>(
    u: &mut Universe,
    question: &str,
    check: impl FnOnce(Value) -> Result<T, String>,
) -> Result<T, NoAnswer> {
    let memory = u.memory.memory;
    let statistics = |u: &mut Universe| u.send_named("statistics", &[memory]);
    let answer = installed_policy::ask(u, PolicyKind::Memory, question, statistics, check);
    if matches!(answer, Err(NoAnswer::Misbehaved { uninstalled: true })) {
        install(u, Value::NIL, Value::NIL);
    }
    answer
}
