//! Access to arguments and locals. Variables of the current activation are plain slot
//! accesses (`Node::ArgumentRead`/`LocalRead`); variables of enclosing activations walk the
//! chain of heap contexts a fixed number of levels.

use super::Node;
use crate::invokable::Frame;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::Value;

/// A variable `depth` activations out (1 = the enclosing one), in slot `slot`.
#[derive(Clone, Copy)]
pub struct OuterVariable {
    pub depth: u32,
    pub slot: u32,
}

impl OuterVariable {
    /// Inlined for the common case of the directly enclosing activation.
    #[inline(always)]
    pub fn read(self, frame: &Frame) -> Value {
        if self.depth == 1 {
            frame.outer_context(1).slots()[self.slot as usize].get()
        } else {
            self.read_far(frame)
        }
    }

    #[inline(never)]
    fn read_far(self, frame: &Frame) -> Value {
        frame.outer_context(self.depth as usize).slots()[self.slot as usize].get()
    }

    #[inline(always)]
    fn write(self, frame: &Frame, value: Value) {
        frame.outer_context(self.depth as usize).slots()[self.slot as usize].set(value)
    }
}

/// `name := value` for an argument or local; `depth` 0 is the current activation.
pub struct VariableWrite {
    pub variable: OuterVariable,
    pub value: Node,
}

impl VariableWrite {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let value = self.value.execute(u, frame)?;
        if self.variable.depth == 0 {
            frame.slot(self.variable.slot as usize).set(value);
        } else {
            self.variable.write(frame, value);
        }
        Ok(value)
    }
}
