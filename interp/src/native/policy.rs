//! The program's compilation policy (docs/jit.md): a Smalltalk object that the tier asks,
//! when a unit has run `threshold` times in the interpreter, whether to compile it now
//! (`shouldCompile: aMethod`) or, for a unit compiled before and retired since, whether to
//! compile it again (`shouldRecompile: aMethod`). The method is the one the unit belongs to
//! (a block's or a loop's home method). An answer of false leaves the unit to the interpreter
//! for another `threshold` runs, after which the question comes again.
//!
//! Without an installed policy nothing here runs: the decision is taken in `compile`, which is
//! on the cold path already, and tests one field. With one:
//! - The policy never runs reentrantly, nor while the memory policy answers: units that fall
//!   due meanwhile are compiled, as without a policy.
//! - A policy that fails (a VM error, `error:`, a non-local return out of its method) or
//!   answers something else than a Boolean is uninstalled: the VM says so once on stderr,
//!   naming the policy and the problem, and compiles as without a policy from then on.
//!   `system exit:` sent by an `error:` method while the policy answers ends only the answer;
//!   sent otherwise it ends the program, as everywhere.
//! - What the interrupted computation had pending (a return value on its way, an error) is
//!   kept aside while the policy runs.

use super::NativeCode;
use crate::primitives::describe;
use crate::universe::Universe;
use crate::unwind::Unwind;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

/// The VM side of `JIT policy`.
pub struct PolicyState {
    /// The installed policy, or nil (the tier decides by itself).
    policy: Value,
    /// Whether the policy is answering a question now.
    answering: bool,
    /// The status of a `system exit:` sent while the policy answers.
    exit_requested: Option<u8>,
}

impl Default for PolicyState {
    fn default() -> PolicyState {
        PolicyState {
            policy: Value::NIL,
            answering: false,
            exit_requested: None,
        }
    }
}

impl PolicyState {
    /// Whether a program installed a policy (else every unit compiles when due).
    #[inline(always)]
    pub fn is_installed(&self) -> bool {
        !self.policy.is_nil()
    }

    pub fn policy(&self) -> Value {
        self.policy
    }

    pub fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.mark_value(self.policy);
    }
}

/// Installs `policy` (nil: none), asked from the next unit that falls due on.
pub fn install(u: &mut Universe, policy: Value) {
    u.jit_policy.policy = policy;
}

/// Whether the installed policy lets `native`, a unit of `method` that fell due, be compiled
/// now. Without an answer to take (no policy, or one answering already) it may.
pub(super) fn permits(u: &mut Universe, native: &NativeCode, method: Value) -> bool {
    if !u.jit_policy.is_installed() || u.jit_policy.answering || u.memory.is_answering() {
        return true;
    }
    let question = if native.compilations() > 0 {
        "shouldRecompile:"
    } else {
        "shouldCompile:"
    };
    let asked = u.jit_policy.policy;
    let decision = ask(u, question, method).and_then(|answer| {
        if answer.is_true() || answer.is_false() {
            Ok(answer.is_true())
        } else {
            Err(Problem::NotABoolean(answer))
        }
    });
    decision.unwrap_or_else(|problem| {
        give_up(u, asked, question, problem);
        true
    })
}

/// How a policy misbehaved.
enum Problem {
    NotABoolean(Value),
    /// A VM error, with its message.
    Failed(String),
    /// `error:` reported an error (on stdout, as it does).
    SentError,
    NonLocalReturn,
}

/// Sends `question` with `method` to the installed policy, the pending state kept aside.
fn ask(u: &mut Universe, question: &str, method: Value) -> Result<Value, Problem> {
    let policy = u.jit_policy.policy;
    let pending = (u.returning, u.return_target, u.error.take());
    u.jit_policy.answering = true;
    let answer = u.send_named(question, &[policy, method]);
    u.jit_policy.answering = false;
    let exit_requested = u.jit_policy.exit_requested.take();
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
        Problem::Failed(message) => format!("error: {}", message.trim_end_matches('.')),
        Problem::SentError => String::from("the error reported above"),
        Problem::NonLocalReturn => String::from("a non-local return out of it"),
    };
    let name = describe(u, policy);
    u.out.print_error(&format!(
        "yerba: JIT policy {name} misbehaved in {question} ({what}); \
         the VM's default policy is in force from now on.\n"
    ));
    if u.jit_policy.policy == policy {
        install(u, Value::NIL);
    }
}

/// Called by `System>>exit:`: while the policy answers, the exit only unwinds out of the
/// answer (which then decides whether the program ends, see [`ask`]).
pub fn refuse_exit_while_answering(u: &mut Universe, status: u8) -> Option<Unwind> {
    if !u.jit_policy.answering {
        return None;
    }
    u.jit_policy.exit_requested = Some(status);
    Some(u.vm_error(format!("system exit: {status}")))
}
