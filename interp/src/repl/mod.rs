//! The interactive session (`yerba` without a program): reads inputs, evaluates them, shows
//! their results, and goes on after errors. docs/repl.md describes it for users.
//!
//! - `input.rs` reads whole inputs: line editing and history on a terminal, plain lines from
//!   a pipe, continuation lines while a bracket, string or comment is open.
//! - `session.rs` evaluates statements as a method of a hidden class whose fields are the
//!   workspace variables, and shows results.
//! - `exit.rs` makes `system exit:` end the session, and `error:` only the evaluation.
//!
//! A class definition typed at the prompt goes to the loader
//! (`Universe::define_class_from_text`).

mod exit;
mod input;
mod session;

use crate::universe::Universe;
use input::Input;
use session::Session;

/// Runs a session on `u` until its input ends (status 0) or `system exit:` (its status);
/// never returns.
pub fn run(u: &mut Universe) -> ! {
    exit::end_evaluations_on_error(u);
    let mut input = Input::open();
    let mut session = Session::new(u);
    while let Some(text) = input.read(&u.out) {
        if let Some(status) = session.evaluate(u, &text) {
            u.exit(i32::from(status));
        }
    }
    u.exit(0)
}
