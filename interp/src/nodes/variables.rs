//! Access to arguments and locals. Variables of the current activation are plain slot
//! accesses (`NodeKind::ArgumentRead`/`LocalRead`); variables of enclosing activations walk the
//! chain of heap contexts a fixed number of levels.

use super::{Node, NodeKind};
use crate::intercession::InterceptedVariable;
use crate::invokable::Frame;
use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::{Cell, OnceCell};
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

/// `name := value` for an argument or local of a plain body.
///
/// When an environment is installed while the body runs, the write becomes an intercession
/// site in place (`intercession/patching.rs`): `depth` then holds [`INTERCEPTED`], which the
/// test for the current activation's slots, made anyway, sends to the slower path.
pub struct VariableWrite {
    pub value: Node,
    slot: u32,
    /// How many activations out the variable is (0 = the current one), or [`INTERCEPTED`].
    depth: Cell<u32>,
    /// The variable as an intercession site sees it, once the write is one.
    intercepted: OnceCell<InterceptedVariable>,
    /// Whether the program wrote this assignment (not the VM, clearing the locals of an inlined
    /// block for each of its runs): only those are local writes of the MOP.
    pub written_by_program: bool,
}

/// The `depth` of a variable write that goes through intercession.
const INTERCEPTED: u32 = u32::MAX;

impl VariableWrite {
    pub fn new(variable: OuterVariable, value: Node) -> VariableWrite {
        VariableWrite {
            value,
            slot: variable.slot,
            depth: Cell::new(variable.depth),
            intercepted: OnceCell::new(),
            written_by_program: true,
        }
    }

    /// Sets local `slot` of the current activation to nil, as the VM does for the locals of an
    /// inlined block before each of its runs.
    pub fn clearing(slot: u32) -> VariableWrite {
        let variable = OuterVariable { depth: 0, slot };
        VariableWrite {
            written_by_program: false,
            ..VariableWrite::new(variable, Node::new(NodeKind::Literal(Value::NIL)))
        }
    }

    /// The variable written, unless the write goes through intercession.
    pub fn variable(&self) -> Option<OuterVariable> {
        let depth = self.depth.get();
        (depth != INTERCEPTED).then_some(OuterVariable {
            depth,
            slot: self.slot,
        })
    }

    /// Makes the write an intercession site for `variable` (this write's variable).
    pub fn intercept(&self, variable: InterceptedVariable) {
        if self.intercepted.set(variable).is_ok() {
            self.depth.set(INTERCEPTED);
        }
    }

    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let value = self.value.execute(u, frame)?;
        self.store(u, frame, value)
    }

    /// Writes the evaluated `value` to the variable.
    #[inline(always)]
    pub fn store(&self, u: &mut Universe, frame: &mut Frame, value: Value) -> Exec {
        let depth = self.depth.get();
        if depth == 0 {
            frame.slot(self.slot as usize).set(value);
            Ok(value)
        } else {
            self.write_further(u, frame, depth, value)
        }
    }

    /// A variable of an enclosing activation, or a write through intercession.
    #[inline(always)]
    fn write_further(&self, u: &mut Universe, frame: &mut Frame, depth: u32, value: Value) -> Exec {
        if depth == INTERCEPTED {
            return self.write_intercepted(u, frame, value);
        }
        let variable = OuterVariable {
            depth,
            slot: self.slot,
        };
        variable.write(frame, value);
        Ok(value)
    }

    /// Out of line, so that the plain write keeps a small prologue.
    #[cold]
    #[inline(never)]
    fn write_intercepted(&self, u: &mut Universe, frame: &mut Frame, value: Value) -> Exec {
        let variable = self.intercepted.get();
        variable
            .expect("the variable is set before the depth")
            .write(u, frame, value)
    }
}
