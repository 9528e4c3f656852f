//! The program's memory policy (docs/memory.md): a Smalltalk object that the VM asks, at the
//! allocation safepoint where a collection falls due, whether to collect now
//! (`shouldCollect: statistics`) and, after a collection, how many bytes to allocate before
//! the next question (`thresholdAfter: statistics`); `statistics` is what `Memory statistics`
//! answers.
//!
//! Without an installed policy nothing here runs: the safepoint collects natively, exactly as
//! before (`Universe::collect_at_safepoint` tests one field on its cold path). With one:
//! - The policy never runs reentrantly. While it answers, a crossed threshold asks nothing
//!   (the policy is deciding about it right now); stress collections and the heap limit still
//!   collect natively, and collections themselves never run Smalltalk.
//! - A policy that fails (a VM error, `error:`, a non-local return out of its method) or
//!   answers nonsense (not a Boolean; not an Integer between 1 and the heap limit) is
//!   uninstalled: the VM says so once on stderr, naming the policy and the problem, and
//!   decides natively from then on. `system exit:` sent by an `error:` method while the
//!   policy answers ends only the answer; sent otherwise it ends the program, as everywhere.
//! - What the interrupted computation had pending (a return value on its way, an error) is
//!   kept aside while the policy runs; the values the policy holds are rooted as usual (it runs
//!   as ordinary Smalltalk code on the interpreter's stacks).

use super::arguments::class_name_of;
use crate::universe::Universe;
use crate::unwind::Unwind;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{BigIntObject, Class, Gc};
use yerba_mop::Value;

/// The VM side of `Memory`: the installed policy, the question being asked, and whether an
/// `objectsSurviving:` block runs.
pub struct MemoryState {
    /// The installed policy, or nil (the VM decides natively).
    policy: Value,
    /// The class that installed it (`Memory`), asked for the statistics given to the policy.
    memory: Value,
    /// Whether the policy is answering a question now.
    answering: bool,
    /// The status of a `system exit:` sent while the policy answers.
    exit_requested: Option<u8>,
    /// Whether the heap marks the objects that were there before an `objectsSurviving:` block.
    pub(super) surveying: bool,
}

impl Default for MemoryState {
    fn default() -> MemoryState {
        MemoryState {
            policy: Value::NIL,
            memory: Value::NIL,
            answering: false,
            exit_requested: None,
            surveying: false,
        }
    }
}

impl MemoryState {
    /// Whether a program installed a policy (else the VM decides natively).
    #[inline(always)]
    pub fn is_installed(&self) -> bool {
        !self.policy.is_nil()
    }

    pub fn policy(&self) -> Value {
        self.policy
    }

    /// Whether the policy is answering a question now (no other policy is asked meanwhile).
    pub fn is_answering(&self) -> bool {
        self.answering
    }

    pub fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.mark_value(self.policy);
        tracer.mark_value(self.memory);
    }
}

/// Installs `policy` (nil: none, the native rule applies again), asked through `memory`'s
/// statistics from the next decision on.
pub fn install(u: &mut Universe, memory: Value, policy: Value) {
    u.memory.policy = policy;
    u.memory.memory = memory;
    if policy.is_nil() {
        u.heap.set_threshold(None);
    }
}

/// What to do at an allocation safepoint where a collection is due, with a policy installed.
pub fn collect_by_policy(u: &mut Universe) {
    if u.memory.answering {
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
    if !u.memory.is_installed() || u.memory.answering {
        return;
    }
    let asked = u.memory.policy;
    let max_heap_bytes = u.heap.policy().max_heap_bytes;
    let threshold = ask(u, "thresholdAfter:").and_then(|answer| {
        match answer.as_small_int().and_then(|n| usize::try_from(n).ok()) {
            Some(bytes) if (1..=max_heap_bytes).contains(&bytes) => Ok(bytes),
            _ => Err(Problem::NotAThreshold(answer, max_heap_bytes)),
        }
    });
    match threshold {
        // A policy that uninstalled itself while answering has no say any more.
        Ok(bytes) if u.memory.policy == asked => u.heap.set_threshold(Some(bytes)),
        Ok(_) => {}
        Err(problem) => give_up(u, asked, "thresholdAfter:", problem),
    }
}

/// The policy's answer to `shouldCollect:`, or the native one (collect) if it misbehaves.
fn should_collect(u: &mut Universe) -> bool {
    let asked = u.memory.policy;
    let decision = ask(u, "shouldCollect:").and_then(|answer| {
        if answer.is_true() || answer.is_false() {
            Ok(answer.is_true())
        } else {
            Err(Problem::NotABoolean(answer))
        }
    });
    decision.unwrap_or_else(|problem| {
        give_up(u, asked, "shouldCollect:", problem);
        true
    })
}

/// How a policy misbehaved.
enum Problem {
    NotABoolean(Value),
    NotAThreshold(Value, usize),
    /// A VM error, with its message.
    Failed(String),
    /// `error:` reported an error (on stdout, as it does).
    SentError,
    NonLocalReturn,
}

/// Sends `question` with the statistics to the installed policy, its pending state kept aside.
fn ask(u: &mut Universe, question: &str) -> Result<Value, Problem> {
    let (policy, memory) = (u.memory.policy, u.memory.memory);
    let pending = (u.returning, u.return_target, u.error.take());
    u.memory.answering = true;
    let answer = u
        .send_named("statistics", &[memory])
        .and_then(|statistics| u.send_named(question, &[policy, statistics]));
    u.memory.answering = false;
    let exit_requested = u.memory.exit_requested.take();
    let outcome = match answer {
        Ok(answer) => Ok(answer),
        Err(Unwind::Error) => {
            let error = u.error.take();
            let message = error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let from_error_method = error
                .as_ref()
                .and_then(|e| e.innermost_activation())
                .is_some_and(|activation| activation.ends_with(">>#error:"));
            match exit_requested {
                Some(_) if from_error_method => Err(Problem::SentError),
                Some(status) => u.exit(i32::from(status)),
                None => Err(Problem::Failed(message)),
            }
        }
        Err(_) => Err(Problem::NonLocalReturn),
    };
    (u.returning, u.return_target, u.error) = pending;
    outcome
}

/// Uninstalls `policy`, which misbehaved answering `question`, and says so on stderr (once:
/// it is not asked again).
fn give_up(u: &mut Universe, policy: Value, question: &str, problem: Problem) {
    let what = match problem {
        Problem::NotABoolean(answer) => {
            format!("answered {}, not a Boolean", describe(u, answer))
        }
        Problem::NotAThreshold(answer, limit) => format!(
            "answered {}, not a number of bytes from 1 to the heap limit, {limit}",
            describe(u, answer)
        ),
        Problem::Failed(message) => format!("error: {}", message.trim_end_matches('.')),
        Problem::SentError => String::from("the error reported above"),
        Problem::NonLocalReturn => String::from("a non-local return out of it"),
    };
    let name = describe(u, policy);
    u.out.print_error(&format!(
        "yerba: memory policy {name} misbehaved in {question} ({what}); \
         the VM's default policy is in force from now on.\n"
    ));
    if u.memory.policy == policy {
        install(u, Value::NIL, Value::NIL);
    }
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

/// Called by `System>>exit:`: while the policy answers, the exit only unwinds out of the
/// answer (which then decides whether the program ends, see [`ask`]).
pub fn refuse_exit_while_answering(u: &mut Universe, status: u8) -> Option<Unwind> {
    if !u.memory.answering {
        return None;
    }
    u.memory.exit_requested = Some(status);
    Some(u.vm_error(format!("system exit: {status}")))
}
