//! `^` inside a real block: return from the block's home method activation, unwinding every
//! activation in between, unless that activation has already returned (the block escaped).

use super::Node;
use crate::invokable::Frame;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};

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
            self.escaped(u, frame)
        }
    }

    /// The home activation is gone: `escapedBlock:` goes to the block's receiver, and its
    /// answer becomes the value of the block.
    #[cold]
    fn escaped(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let block = frame.slot(0).get();
        u.send_named("escapedBlock:", &[frame.receiver, block])
    }
}
