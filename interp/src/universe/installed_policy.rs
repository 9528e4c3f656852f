//! Installed policies: Smalltalk objects the VM asks at its decision points (docs/memory.md,
//! docs/jit.md), and the guards every question goes through. Each kind of policy keeps its
//! questions, the check of their answers and its decision points in its own module; this one
//! keeps what they share:
//! - Installed or not, as one field: without a policy the caller takes the VM's own decision
//!   and no Smalltalk runs.
//! - No reentrancy. A policy is never asked while it answers, nor while a policy of a kind
//!   listed by [`PolicyKind::not_asked_during`] answers; the caller then decides by itself.
//! - What the interrupted computation had pending (a return value on its way, an error) is kept
//!   aside while the policy runs, as ordinary Smalltalk code on the interpreter's stacks.
//! - A policy that misbehaves — a VM error, `error:`, a non-local return out of its method, or
//!   an answer its caller's check rejects — is named once on stderr with the question and the
//!   problem, and uninstalled if it still is the installed one; the caller then decides by
//!   itself. `system exit:` sent by an `error:` method while a policy answers ends only the
//!   answer; sent otherwise it ends the program, as everywhere.

use super::Universe;
use crate::primitives::describe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

/// What a policy decides on; each kind has one slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyKind {
    /// Whether to collect now, and the threshold after a collection (`Memory policy:`).
    Memory,
    /// Whether to compile a unit that fell due (`JIT policy:`).
    Jit,
    /// How to emit the element-wise loops of a unit being compiled (`JIT lowering:`).
    Lowering,
}

impl PolicyKind {
    /// How many kinds there are (a new kind adds one).
    const COUNT: usize = 3;

    /// How the VM's messages name a policy of this kind.
    fn name(self) -> &'static str {
        match self {
            PolicyKind::Memory => "memory policy",
            PolicyKind::Jit => "JIT policy",
            PolicyKind::Lowering => "JIT lowering",
        }
    }

    /// What decides once a misbehaving policy of this kind is uninstalled.
    fn fallback(self) -> &'static str {
        match self {
            PolicyKind::Memory | PolicyKind::Jit => "the VM's default policy",
            PolicyKind::Lowering => "the VM's default lowering",
        }
    }

    /// The other kinds whose answers a question of this kind must not interrupt.
    fn not_asked_during(self) -> &'static [PolicyKind] {
        match self {
            PolicyKind::Memory => &[],
            PolicyKind::Jit | PolicyKind::Lowering => &[PolicyKind::Memory],
        }
    }
}

/// One kind's installed policy.
#[derive(Clone, Copy)]
struct Slot {
    /// The installed policy, or nil (the VM decides by itself).
    object: Value,
    /// Whether the policy is answering a question now.
    answering: bool,
}

/// The policies a program installed, one slot per kind.
pub struct InstalledPolicies {
    slots: [Slot; PolicyKind::COUNT],
    /// The status of a `system exit:` sent while a policy answers, for the innermost answer,
    /// which the exit unwinds to.
    exit_requested: Option<u8>,
}

impl Default for InstalledPolicies {
    fn default() -> InstalledPolicies {
        let empty = Slot {
            object: Value::NIL,
            answering: false,
        };
        InstalledPolicies {
            slots: [empty; PolicyKind::COUNT],
            exit_requested: None,
        }
    }
}

impl InstalledPolicies {
    /// Whether a program installed a policy of `kind` (else the VM decides by itself).
    #[inline(always)]
    pub fn is_installed(&self, kind: PolicyKind) -> bool {
        !self.slots[kind as usize].object.is_nil()
    }

    /// The installed policy of `kind`, or nil.
    pub fn installed(&self, kind: PolicyKind) -> Value {
        self.slots[kind as usize].object
    }

    /// Installs `policy` (nil: none), asked from the next question of its kind on.
    pub fn install(&mut self, kind: PolicyKind, policy: Value) {
        self.slots[kind as usize].object = policy;
    }

    /// Whether the policy of `kind` is answering a question now.
    pub fn is_answering(&self, kind: PolicyKind) -> bool {
        self.slots[kind as usize].answering
    }

    /// Whether a question of `kind` would be put to a policy now.
    fn may_ask(&self, kind: PolicyKind) -> bool {
        self.is_installed(kind)
            && !self.is_answering(kind)
            && !kind
                .not_asked_during()
                .iter()
                .any(|&k| self.is_answering(k))
    }

    pub fn trace(&self, tracer: &mut Tracer<'_>) {
        for slot in &self.slots {
            tracer.mark_value(slot.object);
        }
    }
}

/// Why a question has no answer to take; the caller takes the VM's own decision.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NoAnswer {
    /// No policy of the kind is installed, or one is answering that it must not interrupt.
    NotAsked,
    /// The policy misbehaved and the VM said so; `uninstalled` unless it had been replaced
    /// while it answered.
    Misbehaved { uninstalled: bool },
}

/// Asks the installed policy of `kind` `question` (a one-argument selector) with the argument
/// that `argument` computes — itself as part of the answer, under the same guards — and
/// answers what `check` makes of the answer. `check` rejects an answer with what it should
/// have been ("not a Boolean"), which the VM reports as the policy's misbehaviour.
pub fn ask<T>(
    u: &mut Universe,
    kind: PolicyKind,
    question: &str,
    argument: impl FnOnce(&mut Universe) -> Exec,
    check: impl FnOnce(Value) -> Result<T, String>,
) -> Result<T, NoAnswer> {
    if !u.policies.may_ask(kind) {
        return Err(NoAnswer::NotAsked);
    }
    let policy = u.policies.installed(kind);
    let checked = answer(u, kind, policy, question, argument)
        .and_then(|answer| check(answer).map_err(|wrong| Problem::Answered(answer, wrong)));
    checked.map_err(|problem| NoAnswer::Misbehaved {
        uninstalled: give_up(u, kind, policy, question, problem),
    })
}

/// The answer to a question whose answer must be a Boolean.
pub fn boolean(answer: Value) -> Result<bool, String> {
    if answer.is_true() || answer.is_false() {
        Ok(answer.is_true())
    } else {
        Err(String::from("not a Boolean"))
    }
}

/// How a policy misbehaved.
enum Problem {
    /// It answered something its caller's check rejected, for this reason.
    Answered(Value, String),
    /// A VM error, with its message.
    Failed(String),
    /// `error:` reported an error (on stdout, as it does).
    SentError,
    NonLocalReturn,
}

/// Sends `question` to `policy`, the pending state kept aside, and classifies how it ended.
fn answer(
    u: &mut Universe,
    kind: PolicyKind,
    policy: Value,
    question: &str,
    argument: impl FnOnce(&mut Universe) -> Exec,
) -> Result<Value, Problem> {
    let pending = (u.returning, u.return_target, u.error.take());
    u.policies.slots[kind as usize].answering = true;
    let answer = argument(u).and_then(|argument| u.send_named(question, &[policy, argument]));
    u.policies.slots[kind as usize].answering = false;
    let exit_requested = u.policies.exit_requested.take();
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

/// Says on stderr that `policy` misbehaved answering `question` (once: it is not asked again)
/// and uninstalls it if it still is the installed one; answers whether it was.
fn give_up(
    u: &mut Universe,
    kind: PolicyKind,
    policy: Value,
    question: &str,
    problem: Problem,
) -> bool {
    let what = match problem {
        Problem::Answered(answer, wrong) => format!("answered {}, {wrong}", describe(u, answer)),
        Problem::Failed(message) => format!("error: {}", message.trim_end_matches('.')),
        Problem::SentError => String::from("the error reported above"),
        Problem::NonLocalReturn => String::from("a non-local return out of it"),
    };
    let name = describe(u, policy);
    u.out.print_error(&format!(
        "yerba: {} {name} misbehaved in {question} ({what}); {} is in force from now on.\n",
        kind.name(),
        kind.fallback()
    ));
    let still_installed = u.policies.installed(kind) == policy;
    if still_installed {
        u.policies.install(kind, Value::NIL);
    }
    still_installed
}

/// Called by `System>>exit:`: while a policy answers, the exit only unwinds out of the
/// innermost answer (which then decides whether the program ends, see [`answer`]).
pub fn refuse_exit_while_answering(u: &mut Universe, status: u8) -> Option<Unwind> {
    if !u.policies.slots.iter().any(|slot| slot.answering) {
        return None;
    }
    u.policies.exit_requested = Some(status);
    Some(u.vm_error(format!("system exit: {status}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Policies of both kinds installed (any non-nil object stands for one).
    fn both_installed() -> InstalledPolicies {
        let mut policies = InstalledPolicies::default();
        policies.install(PolicyKind::Memory, Value::TRUE);
        policies.install(PolicyKind::Jit, Value::FALSE);
        policies
    }

    #[test]
    fn no_policy_is_asked_while_it_answers() {
        for kind in [PolicyKind::Memory, PolicyKind::Jit] {
            let mut policies = both_installed();
            assert!(policies.may_ask(kind));
            policies.slots[kind as usize].answering = true;
            assert!(!policies.may_ask(kind));
        }
    }

    #[test]
    fn the_jit_policy_waits_for_the_memory_policy_but_not_the_other_way() {
        let mut policies = both_installed();
        policies.slots[PolicyKind::Memory as usize].answering = true;
        assert!(!policies.may_ask(PolicyKind::Jit));
        let mut policies = both_installed();
        policies.slots[PolicyKind::Jit as usize].answering = true;
        assert!(policies.may_ask(PolicyKind::Memory));
    }

    #[test]
    fn an_uninstalled_policy_is_not_asked() {
        let mut policies = both_installed();
        policies.install(PolicyKind::Jit, Value::NIL);
        assert!(!policies.is_installed(PolicyKind::Jit));
        assert!(!policies.may_ask(PolicyKind::Jit));
        assert!(policies.may_ask(PolicyKind::Memory));
    }

    #[test]
    fn a_boolean_question_takes_only_booleans() {
        assert_eq!(boolean(Value::TRUE), Ok(true));
        assert_eq!(boolean(Value::FALSE), Ok(false));
        assert_eq!(boolean(Value::NIL), Err(String::from("not a Boolean")));
    }
}
