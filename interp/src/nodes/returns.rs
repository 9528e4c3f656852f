//! `^` inside a real block: return from the block's home method activation, unwinding every
//! activation in between, unless that activation has already returned (the block escaped).
//!
//! An escaped `^` ends the activation of the block that holds it (blocks inlined into it are
//! part of it) and nothing more: it unwinds as [`Unwind::Escaped`] to the send that evaluated
//! the block, which answers what `escapedBlock:` answers (SOM-REFERENCE 2.3).

use super::Node;
use crate::invokable::Frame;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::Value;

pub struct NonLocalReturn {
    pub value: Node,
    /// How many lexical levels out the home method's context is.
    pub home_depth: u32,
}

impl NonLocalReturn {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let value = self.value.execute(u, frame)?;
        let home = frame.outer_context(self.home_depth as usize);
        if home.is_active() {
            u.returning = value;
            u.return_target = home.value();
            Err(Unwind::NonLocalReturn)
        } else {
            escape(u, frame)
        }
    }
}

/// The home activation is gone: the block's activation (slot 0 holds the block) is discarded.
#[cold]
fn escape(u: &mut Universe, frame: &Frame) -> Exec {
    u.returning = frame.slot(0).get();
    Err(Unwind::Escaped)
}

/// What a send answers when the block it evaluated escaped ([`Unwind::Escaped`]):
/// `escapedBlock:` sent to `sender`, the receiver of the activation that made the send.
#[cold]
#[inline(never)]
pub fn answer_escaped_block(u: &mut Universe, sender: Value) -> Exec {
    let block = u.returning;
    u.send_named("escapedBlock:", &[sender, block])
}
