//! Local and argument access and return (MOP.md section 4). Bodies compiled with intercession
//! sites read and write their variables through the nodes here; the activation runs the
//! return operation on its answer (`invokable/activation.rs`). Handlers get a `Context` view
//! of the activation owning the variable.

use super::{redefinition, run_handler, Operation, ARGUMENT_READ, LOCAL_READ, LOCAL_WRITE, RETURN};
use crate::invokable::{Frame, ViewOf};
use crate::nodes::{Node, OuterVariable};
use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::OnceCell;
use std::rc::Rc;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

/// One variable of an activation.
pub struct Variable {
    /// The variable's name, a Symbol.
    pub name: Value,
    pub slot: u32,
    pub argument: bool,
}

/// The variables of one activation (its parameters, locals, and those of blocks inlined into
/// it), filled in when the compiler has seen the whole body.
#[derive(Default)]
pub struct VariableNames {
    table: OnceCell<NameTable>,
}

struct NameTable {
    variables: Box<[Variable]>,
    frame_size: usize,
    parameters: u32,
}

impl VariableNames {
    pub fn fill(&self, variables: Vec<Variable>, frame_size: usize) {
        let parameters = variables.iter().filter(|v| v.argument).count() as u32;
        let table = NameTable {
            variables: variables.into_boxed_slice(),
            frame_size,
            parameters,
        };
        // A table is filled once, when its activation is complete.
        let _ = self.table.set(table);
    }

    fn variables(&self) -> &[Variable] {
        self.table.get().map_or(&[], |table| &table.variables)
    }

    pub fn frame_size(&self) -> usize {
        self.table.get().map_or(0, |table| table.frame_size)
    }

    /// How many parameters the activation has.
    pub fn parameters(&self) -> u32 {
        self.table.get().map_or(0, |table| table.parameters)
    }

    /// The variable in slot `slot`.
    pub fn variable_at(&self, slot: u32) -> Option<&Variable> {
        self.variables().iter().find(|v| v.slot == slot)
    }

    /// The slot of the local named `name` (the innermost declaration of that name).
    pub fn local_named(&self, name: Value) -> Option<u32> {
        let variables = self.variables().iter().rev();
        variables
            .filter(|v| !v.argument && v.name == name)
            .map(|v| v.slot)
            .next()
    }

    /// The slot of the `position`th local (1-based, in declaration order).
    pub fn local_at(&self, position: usize) -> Option<u32> {
        let mut locals = self.variables().iter().filter(|v| !v.argument);
        position
            .checked_sub(1)
            .and_then(|index| locals.nth(index))
            .map(|v| v.slot)
    }
}

/// A variable of this activation or an enclosing one, as seen by an intercession site.
pub struct InterceptedVariable {
    pub variable: OuterVariable,
    /// The variable's name (a Symbol).
    pub name: Value,
    /// For an argument, its index (1 = the first parameter); `None` for a local.
    pub argument: Option<u32>,
    /// The variables of the activation owning this one.
    pub names: Rc<VariableNames>,
}

impl InterceptedVariable {
    /// The slot of the variable in the running activation or the enclosing one it belongs to.
    fn slot<'f>(&self, frame: &'f Frame) -> &'f std::cell::Cell<Value> {
        let slot = self.variable.slot as usize;
        if self.variable.depth == 0 {
            frame.slot(slot)
        } else {
            let context = frame.outer_context(self.variable.depth as usize);
            // SAFETY: the context outlives the frame that reaches it through its outer chain.
            unsafe { &*(context.slots().as_ptr().add(slot)) }
        }
    }

    /// The redefinition of `operation` for this frame's receiver, with the handler's key for
    /// the variable (its argument index or name) and a view of the owning activation.
    #[inline(always)]
    fn intercept(
        &self,
        u: &mut Universe,
        frame: &Frame,
        operation: &Operation,
        run: impl FnOnce(&mut Universe, Value, super::Handler, [Value; 2]) -> Exec,
    ) -> Option<Exec> {
        let environment = u.layout_of(frame.receiver).environment();
        let (metaobject, handler) = redefinition(u, operation, environment)?;
        let key = match self.argument {
            Some(index) => Value::small_int(i64::from(index)).unwrap_or(Value::NIL),
            None => self.name,
        };
        let view = match self.view(u, frame) {
            Ok(view) => view,
            Err(unwind) => return Some(Err(unwind)),
        };
        Some(run(u, metaobject, handler, [key, view]))
    }

    /// The `Context` of the activation owning the variable.
    fn view(&self, u: &mut Universe, frame: &Frame) -> Result<Value, crate::unwind::Unwind> {
        if self.variable.depth == 0 {
            return u.frame_view(frame, &self.names);
        }
        let context = frame.outer_context(self.variable.depth as usize);
        let of = ViewOf {
            slots: context.slots().as_ptr(),
            names: Rc::as_ptr(&self.names),
            receiver: frame.receiver,
            method: frame.method,
            context: context.value(),
        };
        u.new_frame_view(of)
    }

    /// Reads the variable through intercession.
    pub fn read(&self, u: &mut Universe, frame: &Frame) -> Exec {
        let operation = if self.argument.is_some() {
            &ARGUMENT_READ
        } else {
            &LOCAL_READ
        };
        let receiver = frame.receiver;
        self.intercept(u, frame, operation, |u, metaobject, handler, args| {
            run_handler(u, metaobject, handler, receiver, args)
        })
        .unwrap_or_else(|| Ok(self.slot(frame).get()))
    }

    /// Assigns `value` to the variable through intercession; answers the assignment's value.
    pub fn write(&self, u: &mut Universe, frame: &Frame, value: Value) -> Exec {
        let receiver = frame.receiver;
        self.intercept(
            u,
            frame,
            &LOCAL_WRITE,
            |u, metaobject, handler, [name, view]| {
                run_handler(u, metaobject, handler, receiver, [name, view, value])
            },
        )
        .unwrap_or_else(|| {
            self.slot(frame).set(value);
            Ok(value)
        })
    }
}

/// Reading an argument or a local through intercession.
pub struct InterceptedRead(pub InterceptedVariable);

impl InterceptedRead {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        self.0.read(u, frame)
    }
}

/// `local := value` through intercession.
pub struct InterceptedWrite {
    pub target: InterceptedVariable,
    pub value: Node,
}

impl InterceptedWrite {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let value = self.value.execute(u, frame)?;
        self.target.write(u, frame, value)
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.value.trace(tracer);
    }
}

/// The return operation: what an activation of `receiver` that answered `result` answers.
pub fn intercept_return(u: &mut Universe, receiver: Value, result: Exec) -> Exec {
    let value = result?;
    let environment = u.layout_of(receiver).environment();
    match redefinition(u, &RETURN, environment) {
        Some((metaobject, handler)) => run_handler(u, metaobject, handler, receiver, [value]),
        None => Ok(value),
    }
}
