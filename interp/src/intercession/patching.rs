//! Installing an environment while activations run (docs/mop.md, "When").
//!
//! An activation chooses at its start between the plain body and its twin with intercession
//! sites. An environment installed later must still apply at once to every operation of the
//! activations already running, and of the blocks they created. They run plain bodies, whose
//! variable reads are leaves that check nothing, so the cost lands on the installation instead:
//! it finds the methods with an activation on the native stack (their own or one of their
//! blocks'), and turns their plain bodies, and those of their blocks, into bodies with
//! intercession sites in place, as Truffle nodes replace themselves:
//! - reads of `self` (in the method's own code), arguments and locals become
//!   [`InterceptedRead`] leaves; no read is running while this happens, as leaves call nothing;
//! - a variable write keeps its node (its value may be being computed right now) and switches
//!   to its intercepted path, which the test it makes for its slot anyway leads to;
//! - field accesses honour global and frame environments (`FieldAccess::ambient`), as the
//!   twin's do; receivers' own environments are honoured by every field access anyway;
//! - the body is marked `patched`: its activations, also the running ones, end as those of
//!   the twin do, with the return operation, and drop the `Context` record their first
//!   intercession site made (`Universe::frame_view`).
//!
//! A patched body stays so: later activations of it go through the intercession sites, which
//! answer at once when nothing redefines their operation. Only programs that install
//! environments redefining these operations while code runs pay for it, and only in the
//! methods that were running.

use super::{InterceptedRead, InterceptedVariable, VariableNames};
use crate::invokable::{CompiledBody, Context, Frame, Method};
use crate::nodes::{Node, NodeKind, OuterVariable};
use crate::universe::Universe;
use std::rc::Rc;
use yerba_mop::object::Gc;
use yerba_mop::Value;

impl Universe {
    /// Makes the plain bodies of every method with a running activation (also of one of its
    /// blocks) intercepting, with those of their blocks.
    pub fn intercept_running_activations(&mut self) {
        let receiver_name = self.symbol("self");
        for method in self.methods_on_native_stack() {
            self.reflection.bodies_patched = true;
            let mut patcher = Patcher {
                receiver_name,
                names: Vec::new(),
            };
            patcher.body(method.code(), true);
        }
    }
}

/// Walks the plain body of a method and its blocks, turning their operations into
/// intercession sites.
struct Patcher {
    /// The Symbol `self`, the name of argument 0.
    receiver_name: Value,
    /// The variables of the activations enclosing the node being patched, innermost last.
    names: Vec<Rc<VariableNames>>,
}

impl Patcher {
    /// Patches `code`, a plain body; `method_level` for a method's own body.
    fn body(&mut self, code: &CompiledBody, method_level: bool) {
        if code.intercepts || code.patched.get() {
            return;
        }
        code.patched.set(true);
        self.names.push(code.variables.clone());
        self.node(&code.body, method_level);
        self.names.pop();
    }

    fn node(&mut self, node: &Node, method_level: bool) {
        let read = match node.kind() {
            NodeKind::SelfRead if method_level => Some(self.receiver()),
            NodeKind::ArgumentRead(slot) | NodeKind::LocalRead(slot) => {
                self.variable(OuterVariable {
                    depth: 0,
                    slot: *slot,
                })
            }
            NodeKind::OuterArgumentRead(variable) | NodeKind::OuterLocalRead(variable) => {
                self.variable(*variable)
            }
            _ => {
                self.children(node, method_level);
                None
            }
        };
        if let Some(variable) = read {
            let read = NodeKind::InterceptedRead(Box::new(InterceptedRead(variable)));
            // SAFETY: a leaf reading a variable holds no reference into itself beyond its own
            // evaluation, which calls nothing, and none is running: this runs between nodes.
            unsafe { node.replace(read) };
        }
    }

    /// Patches the children of `node`, then what `node` itself does that reading or writing
    /// a variable or field may concern.
    fn children(&mut self, node: &Node, method_level: bool) {
        node.each_child(&mut |child| self.node(child, method_level));
        match node.kind() {
            NodeKind::VariableWrite(write) => {
                let variable = write.variable().filter(|_| write.written_by_program);
                if let Some(variable) = variable.and_then(|v| self.variable(v)) {
                    write.intercept(variable);
                }
            }
            NodeKind::FieldRead(read) => read.access.ambient.set(true),
            NodeKind::FieldWrite(write) => write.access.ambient.set(true),
            NodeKind::Block(block) => self.body(&block.code, false),
            _ => {}
        }
    }

    /// `self` in a method's own code, as the twin reads it: argument 0.
    fn receiver(&self) -> InterceptedVariable {
        InterceptedVariable {
            variable: OuterVariable { depth: 0, slot: 0 },
            name: self.receiver_name,
            argument: Some(0),
            names: self.names[0].clone(),
        }
    }

    /// The variable `variable` (relative to the innermost activation being patched) as an
    /// intercession site sees it: its name, and its index if it is a parameter of its
    /// activation.
    fn variable(&self, variable: OuterVariable) -> Option<InterceptedVariable> {
        let owner = self.names.len().checked_sub(1 + variable.depth as usize)?;
        let names = &self.names[owner];
        let declared = names.variable_at(variable.slot)?;
        Some(InterceptedVariable {
            variable,
            name: declared.name,
            argument: declared.argument.then_some(variable.slot),
            names: names.clone(),
        })
    }
}

impl Universe {
    /// The methods of the frames on the native stack: a superset of the methods with a running
    /// activation, whose frame (holding its method, for a block its home method) is in memory
    /// since the activation is calling. A group of words is taken for a frame when each could
    /// be the field it would be (a method, nil or contexts for outer and context, slots where
    /// slots live), which a frame always passes and a stale word rarely does; one too many
    /// only costs the patching of a method that did not need it.
    fn methods_on_native_stack(&self) -> Vec<Gc<Method>> {
        let object = |word: usize| {
            let starts_object = self
                .heap
                .find_object(word)
                .is_some_and(|header| header.as_ptr() as usize == word);
            // SAFETY: the word is the address of an allocated object, which is how values
            // refer to heap objects.
            starts_object.then(|| unsafe { Value::from_bits(word as u64) })
        };
        let context_or_nil =
            |word: usize| word == 0 || object(word).is_some_and(Context::is_context);
        let mut methods: Vec<Value> = Vec::new();
        for frame in self.native_stack_words().windows(Frame::WORDS) {
            let [slots, _receiver, outer, context, method] = frame else {
                continue;
            };
            let Some(method) = object(*method).filter(|v| Method::is_method(*v)) else {
                continue;
            };
            if context_or_nil(*outer)
                && context_or_nil(*context)
                && self.may_hold_slots(*slots)
                && !methods.contains(&method)
            {
                methods.push(method);
            }
        }
        methods
            .into_iter()
            // SAFETY: kind checked.
            .map(|method| unsafe { Gc::from_value(method) })
            .collect()
    }
}
