//! Inlining of control structures whose block arguments are literal blocks (SOM-REFERENCE 2.5):
//! the blocks' bodies are compiled into the current activation, with their parameters and
//! locals as extra slots, and the send becomes a control-flow node.
//!
//! An inlined form answers what the library method answers for the same blocks. A block is
//! inlined only where its parameters get a value that does not depend on the library: the
//! loop variable of `to:do:`, or nil for a block the library sends `value` to only for its
//! effect (loop bodies). `ifNotNil:` with a one-parameter block stays a send, since what
//! `value` answers for it is the library's choice. A loop whose variables a closure captures
//! keeps its native loop, but its blocks stay real blocks evaluated once per iteration, so that
//! every iteration has variables of its own.

use super::expressions::Compiler;
use super::scope::VariableKind;
use super::{sequence, CompileError};
use crate::nodes::{
    AndOr, IfNil, IfTrue, IfTrueIfFalse, Node, NodeKind, Send, TimesRepeat, ToDo, VariableWrite,
    WhileLoop,
};
use yerba_parser::syntax::{Block, Expr, Pos};

/// A literal block argument with exactly `params` parameters (or `None`).
fn literal_block(expr: &Expr, params: usize) -> Option<&Block> {
    match expr {
        Expr::Block(block) if block.params.len() == params => Some(block),
        _ => None,
    }
}

impl Compiler<'_> {
    /// The inlined form of the send, or `None` when it must stay a real send.
    pub fn inlined(
        &mut self,
        receiver: &Expr,
        selector: &str,
        args: &[Expr],
        pos: Pos,
    ) -> Result<Option<Node>, CompileError> {
        let symbol = |c: &mut Self| c.u.symbol(selector);
        Ok(Some(match (selector, args) {
            ("ifTrue:" | "ifFalse:", [arg]) => {
                let Some(block) = literal_block(arg, 0) else {
                    return Ok(None);
                };
                let condition = self.expression(receiver)?;
                let body = self.inline_block(block, None)?;
                let expected = selector == "ifTrue:";
                let selector = symbol(self);
                Node::new(NodeKind::IfTrue(Box::new(IfTrue {
                    condition,
                    body,
                    expected,
                    selector,
                    pos,
                })))
            }
            ("ifTrue:ifFalse:" | "ifFalse:ifTrue:", [first, second]) => {
                let (Some(a), Some(b)) = (literal_block(first, 0), literal_block(second, 0)) else {
                    return Ok(None);
                };
                let condition = self.expression(receiver)?;
                let (a, b) = (self.inline_block(a, None)?, self.inline_block(b, None)?);
                let swapped = selector == "ifFalse:ifTrue:";
                let (if_true, if_false) = if swapped { (b, a) } else { (a, b) };
                let selector = symbol(self);
                Node::new(NodeKind::IfTrueIfFalse(Box::new(IfTrueIfFalse {
                    condition,
                    if_true,
                    if_false,
                    swapped,
                    selector,
                    pos,
                })))
            }
            ("and:" | "&&" | "or:" | "||", [arg]) => {
                let Some(block) = literal_block(arg, 0) else {
                    return Ok(None);
                };
                let left = self.expression(receiver)?;
                let right = self.inline_block(block, None)?;
                let is_and = matches!(selector, "and:" | "&&");
                let selector = symbol(self);
                Node::new(NodeKind::AndOr(Box::new(AndOr {
                    left,
                    right,
                    is_and,
                    selector,
                    pos,
                })))
            }
            ("whileTrue:" | "whileFalse:", [arg]) => {
                let (Some(condition), Some(body)) = (
                    literal_block(receiver, 0),
                    literal_block(arg, 0).or_else(|| literal_block(arg, 1)),
                ) else {
                    return Ok(None);
                };
                let first_slot = self.next_slot();
                let mut condition_node = self.inline_block(condition, None)?;
                let mut body_node = self.inline_block_with_nil_parameter(body)?;
                if self.captures_slots_from(first_slot) {
                    condition_node = self.evaluated_block(condition, None, pos)?;
                    body_node = self.evaluated_block(body, None, pos)?;
                }
                let (condition, body) = (condition_node, body_node);
                Node::new(NodeKind::While(Box::new(WhileLoop {
                    condition,
                    body,
                    expected: selector == "whileTrue:",
                    native: Default::default(),
                })))
            }
            ("ifNil:" | "ifNotNil:" | "ifNil:ifNotNil:" | "ifNotNil:ifNil:", _) => {
                let (nil_arg, not_nil_arg) = match (selector, args) {
                    ("ifNil:", [a]) => (Some(a), None),
                    ("ifNotNil:", [a]) => (None, Some(a)),
                    ("ifNil:ifNotNil:", [a, b]) => (Some(a), Some(b)),
                    ("ifNotNil:ifNil:", [b, a]) => (Some(a), Some(b)),
                    _ => return Ok(None),
                };
                let nil_block = match nil_arg {
                    Some(arg) => match literal_block(arg, 0) {
                        Some(block) => Some(block),
                        None => return Ok(None),
                    },
                    None => None,
                };
                let not_nil_block = match not_nil_arg {
                    Some(arg) => match literal_block(arg, 0) {
                        Some(block) => Some(block),
                        None => return Ok(None),
                    },
                    None => None,
                };
                let receiver = self.expression(receiver)?;
                let if_nil = nil_block.map(|b| self.inline_block(b, None)).transpose()?;
                let if_not_nil = not_nil_block
                    .map(|b| self.inline_block(b, None))
                    .transpose()?;
                Node::new(NodeKind::IfNil(Box::new(IfNil {
                    receiver,
                    if_nil,
                    if_not_nil,
                })))
            }
            ("timesRepeat:", [arg]) => {
                let Some(block) = literal_block(arg, 0).or_else(|| literal_block(arg, 1)) else {
                    return Ok(None);
                };
                let receiver = self.expression(receiver)?;
                let first_slot = self.next_slot();
                let (mut body, parameter) = self.inline_block_with_parameter(block)?;
                if self.captures_slots_from(first_slot) {
                    body = self.evaluated_block(block, parameter, pos)?;
                }
                let selector = symbol(self);
                Node::new(NodeKind::TimesRepeat(Box::new(TimesRepeat {
                    receiver,
                    body,
                    parameter,
                    selector,
                    pos,
                })))
            }
            ("to:do:" | "downTo:do:" | "to:by:do:", _) => {
                return self.inline_to_do(receiver, selector, args, pos)
            }
            _ => return Ok(None),
        }))
    }

    fn inline_to_do(
        &mut self,
        receiver: &Expr,
        selector: &str,
        args: &[Expr],
        pos: Pos,
    ) -> Result<Option<Node>, CompileError> {
        let (limit, step, block) = match args {
            [limit, block] => (limit, None, block),
            [limit, step, block] => (limit, Some(step), block),
            _ => return Ok(None),
        };
        let Some(block) = literal_block(block, 1) else {
            return Ok(None);
        };
        let receiver_node = self.expression(receiver)?;
        let limit = self.expression(limit)?;
        let step = step.map(|s| self.expression(s)).transpose()?;
        let first_slot = self.next_slot();
        let (mut body, variable_slot) = self.inline_block_with_parameter(block)?;
        let variable_slot = variable_slot.expect("a one-parameter block has a parameter slot");
        if self.captures_slots_from(first_slot) {
            body = self.evaluated_block(block, Some(variable_slot), pos)?;
        }
        let selector_symbol = self.u.symbol(selector);
        Ok(Some(Node::new(NodeKind::ToDo(Box::new(ToDo {
            receiver: receiver_node,
            limit,
            step,
            body,
            variable_slot,
            downwards: selector == "downTo:do:",
            selector: selector_symbol,
            pos,
            native: Default::default(),
        })))))
    }

    fn next_slot(&mut self) -> u32 {
        self.scopes.current().frame_size() as u32
    }

    /// Whether a closure captures a variable declared since `first_slot` (the loop variable or
    /// a local of a loop body). Each iteration must then give the closure its own variable,
    /// which only a real block activation per iteration does (see [`Self::evaluated_block`]).
    fn captures_slots_from(&mut self, first_slot: u32) -> bool {
        self.scopes
            .current()
            .captured
            .iter()
            .any(|slot| *slot >= first_slot)
    }

    /// Compiles a literal block's body into the current activation; its parameters (if any)
    /// and locals become new slots, the locals reset to nil on every entry.
    fn inline_block(
        &mut self,
        block: &Block,
        parameter: Option<&str>,
    ) -> Result<Node, CompileError> {
        self.scopes.push_inlined_scope();
        let result = self.inline_block_in_scope(block, parameter, &[]);
        self.scopes.pop_inlined_scope();
        result.map(|(node, _)| node)
    }

    /// Compiles a loop body the library evaluates with `value` only for its effect: a parameter
    /// it declares is nil, like its locals, on every entry.
    fn inline_block_with_nil_parameter(&mut self, block: &Block) -> Result<Node, CompileError> {
        self.scopes.push_inlined_scope();
        let result = self.inline_block_in_scope(block, None, &block.params);
        self.scopes.pop_inlined_scope();
        result.map(|(node, _)| node)
    }

    /// A literal block of a loop whose variables a closure captures: the block stays real, and
    /// each evaluation creates it and sends it `value` (or `value:` with the loop variable in
    /// slot `argument`), so each activation has variables of its own.
    fn evaluated_block(
        &mut self,
        block: &Block,
        argument: Option<u32>,
        pos: Pos,
    ) -> Result<Node, CompileError> {
        let closure = self.expression(&Expr::Block(Box::new(block.clone())))?;
        let (selector, args) = match argument {
            Some(slot) => ("value:", vec![Node::new(NodeKind::LocalRead(slot))]),
            None => ("value", Vec::new()),
        };
        let selector = self.u.symbol(selector);
        Ok(Node::new(NodeKind::Send(Box::new(Send::new(
            selector, closure, args, pos,
        )))))
    }

    fn inline_block_with_parameter(
        &mut self,
        block: &Block,
    ) -> Result<(Node, Option<u32>), CompileError> {
        self.scopes.push_inlined_scope();
        let result =
            self.inline_block_in_scope(block, block.params.first().map(String::as_str), &[]);
        self.scopes.pop_inlined_scope();
        result
    }

    /// Declares the block's `parameter` (set by the inlined form), then `nil_parameters` and
    /// its locals (nil on every entry), and compiles its body.
    fn inline_block_in_scope(
        &mut self,
        block: &Block,
        parameter: Option<&str>,
        nil_parameters: &[String],
    ) -> Result<(Node, Option<u32>), CompileError> {
        let slot =
            parameter.map(|name| self.scopes.current().declare(name, VariableKind::Argument));
        let mut statements = Vec::new();
        for local in nil_parameters.iter().chain(&block.body.locals) {
            let slot = self.scopes.current().declare(local, VariableKind::Local);
            statements.push(Node::new(NodeKind::VariableWrite(Box::new(
                VariableWrite::clearing(slot),
            ))));
        }
        let body = self.statements(&block.body)?;
        if statements.is_empty() {
            return Ok((body, slot));
        }
        statements.push(body);
        Ok((sequence(statements), slot))
    }
}
