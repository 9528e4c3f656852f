//! The program's compilation policy (docs/jit.md): a Smalltalk object that the tier asks,
//! when a unit has run `threshold` times in the interpreter, whether to compile it now
//! (`shouldCompile: aMethod`) or, for a unit compiled before and retired since, whether to
//! compile it again (`shouldRecompile: aMethod`). The method is the one the unit belongs to
//! (a block's or a loop's home method). An answer of false leaves the unit to the interpreter
//! for another `threshold` runs, after which the question comes again.
//!
//! Without an installed policy nothing here runs: the decision is taken in `compile`, which is
//! on the cold path already, and tests one field. With one, the question goes through the
//! guards of `universe/installed_policy.rs`: units that fall due while the policy or the
//! memory policy answers compile as without a policy, and so does the unit whose question the
//! policy fails or answers with something else than a Boolean; such a policy is uninstalled.

use super::NativeCode;
use crate::universe::installed_policy::{self, PolicyKind};
use crate::universe::Universe;
use yerba_mop::Value;

/// Whether the installed policy lets `native`, a unit of `method` that fell due, be compiled
/// now. Without an answer to take (no policy, one answering already, or one misbehaving) it
/// may.
pub(super) fn permits(u: &mut Universe, native: &NativeCode, method: Value) -> bool {
    let question = if native.compilations() > 0 {
        "shouldRecompile:"
    } else {
        "shouldCompile:"
    };
    installed_policy::ask(
        u,
        PolicyKind::Jit,
        question,
        |_| Ok(method),
        installed_policy::boolean,
    )
    .unwrap_or(true)
}
