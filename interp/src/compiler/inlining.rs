//! Inlining of control structures whose block arguments are literal blocks (SOM-REFERENCE 2.5):
//! the blocks' bodies are compiled into the current activation, with their parameters and
//! locals as extra slots, and the send becomes a control-flow node.

use super::expressions::Compiler;
use super::scope::VariableKind;
use super::{sequence, CompileError};
use crate::nodes::{
    AndOr, IfNil, IfTrue, IfTrueIfFalse, Node, OuterVariable, TimesRepeat, ToDo, VariableWrite,
    WhileLoop,
};
use yerba_mop::Value;
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
                Node::IfTrue(Box::new(IfTrue {
                    condition,
                    body,
                    expected,
                    selector,
                    pos,
                }))
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
                Node::IfTrueIfFalse(Box::new(IfTrueIfFalse {
                    condition,
                    if_true,
                    if_false,
                    swapped,
                    selector,
                    pos,
                }))
            }
            ("and:" | "&&" | "or:" | "||", [arg]) => {
                let Some(block) = literal_block(arg, 0) else {
                    return Ok(None);
                };
                let left = self.expression(receiver)?;
                let right = self.inline_block(block, None)?;
                let is_and = matches!(selector, "and:" | "&&");
                let selector = symbol(self);
                Node::AndOr(Box::new(AndOr {
                    left,
                    right,
                    is_and,
                    selector,
                    pos,
                }))
            }
            ("whileTrue:" | "whileFalse:", [arg]) => {
                let (Some(condition), Some(body)) =
                    (literal_block(receiver, 0), literal_block(arg, 0))
                else {
                    return Ok(None);
                };
                let first_slot = self.next_slot();
                let condition = self.inline_block(condition, None)?;
                let body = self.inline_block(body, None)?;
                if self.captures_slots_from(first_slot) {
                    return Ok(None);
                }
                Node::While(Box::new(WhileLoop {
                    condition,
                    body,
                    expected: selector == "whileTrue:",
                }))
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
                    Some(arg) => match literal_block(arg, 0).or_else(|| literal_block(arg, 1)) {
                        Some(block) => Some(block),
                        None => return Ok(None),
                    },
                    None => None,
                };
                let receiver = self.expression(receiver)?;
                let if_nil = nil_block.map(|b| self.inline_block(b, None)).transpose()?;
                let if_not_nil = match not_nil_block {
                    Some(block) => Some(self.inline_block_with_parameter(block)?),
                    None => None,
                };
                Node::IfNil(Box::new(IfNil {
                    receiver,
                    if_nil,
                    if_not_nil,
                }))
            }
            ("timesRepeat:", [arg]) => {
                let Some(block) = literal_block(arg, 0) else {
                    return Ok(None);
                };
                let receiver = self.expression(receiver)?;
                let first_slot = self.next_slot();
                let body = self.inline_block(block, None)?;
                if self.captures_slots_from(first_slot) {
                    return Ok(None);
                }
                let selector = symbol(self);
                Node::TimesRepeat(Box::new(TimesRepeat {
                    receiver,
                    body,
                    selector,
                    pos,
                }))
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
        let (body, variable_slot) = self.inline_block_with_parameter(block)?;
        let variable_slot = variable_slot.expect("a one-parameter block has a parameter slot");
        if self.captures_slots_from(first_slot) {
            return Ok(None);
        }
        let selector_symbol = self.u.symbol(selector);
        Ok(Some(Node::ToDo(Box::new(ToDo {
            receiver: receiver_node,
            limit,
            step,
            body,
            variable_slot,
            downwards: selector == "downTo:do:",
            selector: selector_symbol,
            pos,
        }))))
    }

    fn next_slot(&mut self) -> u32 {
        self.scopes.current().frame_size() as u32
    }

    /// Whether a closure captures a variable declared since `first_slot` (the loop variable or
    /// a local of a loop body). Each iteration must then give the closure its own variable,
    /// which only a real block activation per iteration does, so the loop stays a send.
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
        let result = self.inline_block_in_scope(block, parameter);
        self.scopes.pop_inlined_scope();
        result.map(|(node, _)| node)
    }

    fn inline_block_with_parameter(
        &mut self,
        block: &Block,
    ) -> Result<(Node, Option<u32>), CompileError> {
        self.scopes.push_inlined_scope();
        let result = self.inline_block_in_scope(block, block.params.first().map(String::as_str));
        self.scopes.pop_inlined_scope();
        result
    }

    fn inline_block_in_scope(
        &mut self,
        block: &Block,
        parameter: Option<&str>,
    ) -> Result<(Node, Option<u32>), CompileError> {
        let slot =
            parameter.map(|name| self.scopes.current().declare(name, VariableKind::Argument));
        let mut statements = Vec::new();
        for local in &block.body.locals {
            let slot = self.scopes.current().declare(local, VariableKind::Local);
            let variable = OuterVariable { depth: 0, slot };
            statements.push(Node::VariableWrite(Box::new(VariableWrite {
                variable,
                value: Node::Literal(Value::NIL),
            })));
        }
        let body = self.statements(&block.body)?;
        if statements.is_empty() {
            return Ok((body, slot));
        }
        statements.push(body);
        Ok((sequence(statements), slot))
    }
}
