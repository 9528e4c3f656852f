//! `system exit:` in a session. SOM has no exceptions: the library's `error:` reports an error by
//! printing it and sending `system exit: 1`, which ends a program. At the prompt an error should
//! end only the evaluation, while `system exit: n` typed or called still ends the session with
//! status n. So the session replaces `System>>exit:` by a primitive that unwinds to the prompt
//! with the requested status, and the prompt tells the two apart by who sent it: an exit sent
//! by a method named `error:` (the library's or an override) is an error report.

use crate::invokable::Primitive;
use crate::primitives::exit_status;
use crate::universe::Universe;
use crate::unwind::Exec;
use crate::vm_error::VmError;
use std::cell::Cell;
use yerba_mop::object::Array;
use yerba_mop::Value;

thread_local! {
    /// The status of the `system exit:` the current evaluation is unwinding for.
    static REQUESTED_STATUS: Cell<Option<u8>> = const { Cell::new(None) };
}

/// How an evaluation that failed with a VM error ended.
pub enum Failure {
    /// `system exit: status` outside an `error:` method: the session ends.
    Exit(u8),
    /// `error:` reported the error on stdout already.
    Reported,
    /// Any other VM error, to be shown with its traceback.
    Error(Box<VmError>),
}

/// Installs the session's `System>>exit:` in place of the library's, at the same position in
/// `System methods`.
pub fn end_evaluations_on_error(u: &mut Universe) {
    let system = u.core.system;
    let signature = u.symbol("exit:");
    let layout = u.layouts.primitive;
    let primitive = Primitive::allocate(u, layout, signature, Some(request_exit));
    primitive.set_holder(system.value());
    if let Some(methods) = Array::of(system.methods()) {
        let own = methods
            .items()
            .iter()
            .find(|slot| u.method_signature(slot.get()) == Some(signature));
        if let Some(slot) = own {
            slot.set(primitive.value());
        }
    }
    system.define(signature, primitive.value());
    u.method_installed(signature, primitive.value());
}

/// `System>>exit:` in a session: unwinds to the prompt, which decides.
fn request_exit(u: &mut Universe, args: &[Value]) -> Exec {
    let status = exit_status(u, args)?;
    if let Some(refusal) = crate::primitives::refuse_exit_while_answering(u, status) {
        return Err(refusal);
    }
    REQUESTED_STATUS.with(|requested| requested.set(Some(status)));
    Err(u.vm_error(format!("system exit: {status}")))
}

/// How the evaluation that unwound with `Unwind::Error` ended; clears the error.
pub fn failure(u: &mut Universe) -> Failure {
    let requested = REQUESTED_STATUS.with(Cell::take);
    let error = u.error.take();
    match (requested, error) {
        (Some(status), Some(error)) => {
            let from_error_method = error
                .innermost_activation()
                .is_some_and(|activation| activation.ends_with(">>#error:"));
            if from_error_method {
                Failure::Reported
            } else {
                Failure::Exit(status)
            }
        }
        (Some(status), None) => Failure::Exit(status),
        (None, Some(error)) => Failure::Error(error),
        (None, None) => Failure::Error(Box::new(VmError::new(String::from(
            "The evaluation failed without saying why.",
        )))),
    }
}
