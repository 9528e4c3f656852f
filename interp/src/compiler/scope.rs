//! Lexical scopes during compilation. An activation (method or real block) owns slots; each
//! inlined block adds a nested scope whose names map to further slots of the same activation.

use crate::intercession::VariableNames;
use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariableKind {
    Argument,
    Local,
}

pub struct Activation {
    /// Innermost scope last; each lists the names it declares.
    scopes: Vec<Vec<String>>,
    /// For each name in scope, its (slot, kind) per scope declaring it, innermost last: a hash
    /// lookup, so that resolving names stays linear in the size of the method.
    visible: FxHashMap<String, Vec<(u32, VariableKind)>>,
    next_slot: u32,
    pub needs_context: bool,
    /// Slots read or written by inner real blocks.
    pub captured: FxHashSet<u32>,
    /// How many of the first slots after the receiver hold the parameters.
    pub parameters: u32,
    /// Whether the activation's own code assigns to one of its parameters.
    pub assigns_parameters: bool,
    /// Every variable declared, in order, for the name table.
    pub declared: Vec<(String, u32, VariableKind)>,
    /// The name table, shared with intercession sites before the activation is complete.
    pub names: Rc<VariableNames>,
}

impl Activation {
    pub fn new() -> Activation {
        // Slot 0 holds the receiver (or the block itself).
        Activation {
            scopes: vec![Vec::new()],
            visible: FxHashMap::default(),
            next_slot: 1,
            needs_context: false,
            captured: FxHashSet::default(),
            parameters: 0,
            assigns_parameters: false,
            declared: Vec::new(),
            names: Rc::default(),
        }
    }

    pub fn frame_size(&self) -> usize {
        self.next_slot as usize
    }

    pub fn declare(&mut self, name: &str, kind: VariableKind) -> u32 {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.scopes
            .last_mut()
            .expect("an activation always has a scope")
            .push(name.to_string());
        self.visible
            .entry(name.to_string())
            .or_default()
            .push((slot, kind));
        self.declared.push((name.to_string(), slot, kind));
        slot
    }

    fn find(&self, name: &str) -> Option<(u32, VariableKind)> {
        self.visible.get(name)?.last().copied()
    }

    fn pop_scope(&mut self) {
        for name in self.scopes.pop().expect("balanced scopes") {
            if let Some(declarations) = self.visible.get_mut(&name) {
                declarations.pop();
                if declarations.is_empty() {
                    self.visible.remove(&name);
                }
            }
        }
    }
}

/// A variable found in an activation `depth` levels out (0 = the current one).
pub struct Resolved {
    pub depth: u32,
    pub slot: u32,
    pub kind: VariableKind,
}

#[derive(Default)]
pub struct Scopes {
    activations: Vec<Activation>,
}

impl Scopes {
    pub fn push_activation(&mut self, activation: Activation) {
        self.activations.push(activation);
    }

    pub fn pop_activation(&mut self) -> Activation {
        self.activations.pop().expect("balanced activations")
    }

    pub fn current(&mut self) -> &mut Activation {
        self.activations.last_mut().expect("inside an activation")
    }

    /// The name table of the activation `depth` levels out (0 = the current one).
    pub fn names_at(&self, depth: u32) -> Rc<VariableNames> {
        let index = self.activations.len() - 1 - depth as usize;
        self.activations[index].names.clone()
    }

    /// How many parameters the activation `depth` levels out has.
    pub fn parameters_at(&self, depth: u32) -> u32 {
        self.activations[self.activations.len() - 1 - depth as usize].parameters
    }

    /// How many real blocks enclose the current position inside its method.
    pub fn block_depth(&self) -> u32 {
        self.activations.len() as u32 - 1
    }

    pub fn push_inlined_scope(&mut self) {
        self.current().scopes.push(Vec::new());
    }

    pub fn pop_inlined_scope(&mut self) {
        self.current().pop_scope();
    }

    /// Resolves a variable name. A variable of an enclosing activation forces that activation
    /// and every one in between into heap contexts, so the chain of outer links reaches it.
    pub fn resolve(&mut self, name: &str) -> Option<Resolved> {
        let count = self.activations.len();
        for (depth, index) in (0..count).rev().enumerate() {
            if let Some((slot, kind)) = self.activations[index].find(name) {
                if depth > 0 {
                    self.activations[index].captured.insert(slot);
                    self.require_contexts_from(index);
                }
                return Some(Resolved {
                    depth: depth as u32,
                    slot,
                    kind,
                });
            }
        }
        None
    }

    /// A non-local return reaches through every enclosing activation up to the method.
    pub fn require_contexts_for_return(&mut self) {
        self.require_contexts_from(0);
    }

    fn require_contexts_from(&mut self, index: usize) {
        let count = self.activations.len();
        for activation in &mut self.activations[index..count - 1] {
            activation.needs_context = true;
        }
    }
}
