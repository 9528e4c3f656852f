//! Compiling expressions: names, assignments, literals, blocks, returns and sends.

use super::scope::{Activation, Resolved, Scopes, VariableKind};
use super::{sequence, ClassContext, CompileError};
use crate::intercession::{InterceptedRead, InterceptedVariable, InterceptedWrite, Variable};
use crate::invokable::CompiledBody;
use crate::nodes::{
    BinaryOp, BinaryOperator, BlockLiteral, FieldRead, FieldWrite, GlobalRead, Node, NodeKind,
    NonLocalReturn, OuterVariable, Send, SuperSend, VariableWrite,
};
use crate::universe::Universe;
use yerba_parser::syntax::{Block, Body, Expr, Pos};

pub struct Compiler<'a> {
    pub u: &'a mut Universe,
    pub class: &'a ClassContext<'a>,
    pub scopes: Scopes,
    /// Whether the body being compiled accesses its variables, fields and return through
    /// intercession sites (the twin of a plain body, MOP).
    pub intercession: bool,
}

impl Compiler<'_> {
    pub fn error(&self, pos: Pos, message: impl Into<String>) -> CompileError {
        CompileError {
            file: self.class.file.path.clone(),
            pos,
            message: message.into(),
            source_line: self.class.file.line(pos.line).to_string(),
        }
    }

    pub fn declare_parameters(&mut self, names: &[String], _pos: Pos) -> Result<(), CompileError> {
        self.scopes.current().parameters = names.len() as u32;
        for name in names {
            self.scopes.current().declare(name, VariableKind::Argument);
        }
        Ok(())
    }

    pub fn declare_locals(&mut self, names: &[String], _pos: Pos) -> Result<(), CompileError> {
        for name in names {
            self.scopes.current().declare(name, VariableKind::Local);
        }
        Ok(())
    }

    pub fn expression(&mut self, expr: &Expr) -> Result<Node, CompileError> {
        match expr {
            Expr::Variable { name, pos } => self.read(name, *pos),
            Expr::Assign { name, value, pos } => {
                let value = self.expression(value)?;
                self.write(name, value, *pos)
            }
            Expr::Literal { value, pos } => self.literal(value, *pos),
            Expr::Block(block) => self.block_literal(block),
            Expr::Return { value, .. } => {
                let value = self.expression(value)?;
                Ok(self.return_node(value))
            }
            Expr::Send {
                receiver,
                selector,
                args,
                pos,
            } => self.send(receiver, selector, args, *pos),
        }
    }

    /// `^ value` anywhere but as the last statement of a method body.
    fn return_node(&mut self, value: Node) -> Node {
        if self.scopes.block_depth() == 0 {
            Node::new(NodeKind::LocalReturn(Box::new(value)))
        } else {
            self.scopes.require_contexts_for_return();
            Node::new(NodeKind::NonLocalReturn(Box::new(NonLocalReturn {
                value,
                home_depth: self.scopes.block_depth(),
            })))
        }
    }

    fn read(&mut self, name: &str, _pos: Pos) -> Result<Node, CompileError> {
        match name {
            "self" | "super" if self.intercession && self.scopes.block_depth() == 0 => {
                let receiver = Resolved {
                    depth: 0,
                    slot: 0,
                    kind: VariableKind::Argument,
                };
                let variable = self.intercepted_variable("self", &receiver);
                return Ok(Node::new(NodeKind::InterceptedRead(Box::new(
                    InterceptedRead(variable),
                ))));
            }
            "self" | "super" => return Ok(Node::new(NodeKind::SelfRead)),
            "nil" => return Ok(Node::new(NodeKind::Literal(yerba_mop::Value::NIL))),
            "true" => return Ok(Node::new(NodeKind::Literal(yerba_mop::Value::TRUE))),
            "false" => return Ok(Node::new(NodeKind::Literal(yerba_mop::Value::FALSE))),
            _ => {}
        }
        if let Some(var) = self.scopes.resolve(name) {
            if self.intercession {
                let variable = self.intercepted_variable(name, &var);
                return Ok(Node::new(NodeKind::InterceptedRead(Box::new(
                    InterceptedRead(variable),
                ))));
            }
            let outer = OuterVariable {
                depth: var.depth,
                slot: var.slot,
            };
            return Ok(match (var.depth, var.kind) {
                (0, VariableKind::Argument) => Node::new(NodeKind::ArgumentRead(var.slot)),
                (0, VariableKind::Local) => Node::new(NodeKind::LocalRead(var.slot)),
                (_, VariableKind::Argument) => Node::new(NodeKind::OuterArgumentRead(outer)),
                (_, VariableKind::Local) => Node::new(NodeKind::OuterLocalRead(outer)),
            });
        }
        if let Some(index) = self.field_index(name) {
            return Ok(Node::new(NodeKind::FieldRead(FieldRead {
                access: crate::nodes::FieldAccess::new(index, self.intercession),
            })));
        }
        let symbol = self.u.symbol(name);
        Ok(Node::new(NodeKind::GlobalRead(Box::new(GlobalRead::new(
            symbol,
        )))))
    }

    fn write(&mut self, name: &str, value: Node, pos: Pos) -> Result<Node, CompileError> {
        if matches!(name, "self" | "super" | "nil" | "true" | "false") {
            return Err(self.error(pos, format!("Cannot assign to '{name}'.")));
        }
        if let Some(var) = self.scopes.resolve(name) {
            if var.depth == 0 && var.slot <= self.scopes.parameters_at(0) {
                self.scopes.current().assigns_parameters = true;
            }
            if self.intercession {
                let target = self.intercepted_variable(name, &var);
                return Ok(Node::new(NodeKind::InterceptedWrite(Box::new(
                    InterceptedWrite { target, value },
                ))));
            }
            let variable = OuterVariable {
                depth: var.depth,
                slot: var.slot,
            };
            return Ok(Node::new(NodeKind::VariableWrite(Box::new(
                VariableWrite::new(variable, value),
            ))));
        }
        if let Some(index) = self.field_index(name) {
            return Ok(Node::new(NodeKind::FieldWrite(Box::new(FieldWrite {
                access: crate::nodes::FieldAccess::new(index, self.intercession),
                value,
            }))));
        }
        let class = self.u.class_name(self.class.holder.value());
        Err(self.error(
            pos,
            format!(
                "No such field '{name}' in class {class}: cannot assign to an undeclared variable."
            ),
        ))
    }

    /// A variable as an intercession site sees it: parameters of its activation are arguments,
    /// everything else (including parameters of inlined blocks) is a local.
    fn intercepted_variable(&mut self, name: &str, var: &Resolved) -> InterceptedVariable {
        let names = self.scopes.names_at(var.depth);
        let argument = (var.kind == VariableKind::Argument
            && var.slot <= self.scopes.parameters_at(var.depth))
        .then_some(var.slot);
        InterceptedVariable {
            variable: OuterVariable {
                depth: var.depth,
                slot: var.slot,
            },
            name: self.u.symbol(name),
            argument,
            names,
        }
    }

    fn field_index(&self, name: &str) -> Option<u32> {
        self.class.field_index(name)
    }

    /// A real (not inlined) block: a nested activation compiled into its own body. In a plain
    /// body with the MOP on, the block also gets its twin with intercession sites.
    fn block_literal(&mut self, block: &Block) -> Result<Node, CompileError> {
        let mut code = self.block_body(block)?;
        if !self.intercession && self.u.reflection.enabled {
            self.intercession = true;
            let twin = self.block_body(block);
            self.intercession = false;
            code.twin = Some(Box::new(twin?));
        }
        Ok(Node::new(NodeKind::Block(Box::new(BlockLiteral { code }))))
    }

    fn block_body(&mut self, block: &Block) -> Result<CompiledBody, CompileError> {
        self.scopes.push_activation(Activation::new());
        let result = self
            .declare_parameters(&block.params, block.pos)
            .and_then(|_| {
                self.declare_locals(&block.body.locals, block.pos)?;
                self.statements(&block.body)
            });
        match result {
            Ok(body) => Ok(self.finish_activation(body, block.params.len(), block.pos)),
            Err(error) => {
                self.scopes.pop_activation();
                Err(error)
            }
        }
    }

    /// Ends the current activation: its compiled body, with the table of its variables.
    pub fn finish_activation(&mut self, body: Node, arity: usize, pos: Pos) -> CompiledBody {
        let activation = self.scopes.pop_activation();
        let variables = activation
            .declared
            .iter()
            .map(|(name, slot, _)| Variable {
                name: self.u.symbol(name),
                slot: *slot,
                argument: *slot <= activation.parameters,
            })
            .collect();
        activation.names.fill(variables, activation.frame_size());
        CompiledBody {
            body,
            arity,
            frame_size: activation.frame_size(),
            needs_context: activation.needs_context,
            assigns_parameters: activation.assigns_parameters,
            file: self.class.file.clone(),
            pos,
            variables: activation.names,
            intercepts: self.intercession,
            patched: std::cell::Cell::new(false),
            twin: None,
            passes_last_argument_through: false,
            native: Default::default(),
        }
    }

    /// The statements of a block body; answers the last one's value, nil when empty.
    pub fn statements(&mut self, body: &Body) -> Result<Node, CompileError> {
        let statements = body
            .statements
            .iter()
            .map(|s| self.expression(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(sequence(statements))
    }

    fn expressions(&mut self, exprs: &[Expr]) -> Result<Vec<Node>, CompileError> {
        exprs.iter().map(|e| self.expression(e)).collect()
    }

    fn send(
        &mut self,
        receiver: &Expr,
        selector: &str,
        args: &[Expr],
        pos: Pos,
    ) -> Result<Node, CompileError> {
        if matches!(receiver, Expr::Variable { name, .. } if name == "super") {
            let args = self.expressions(args)?;
            let symbol = self.u.symbol(selector);
            let lookup_class = self.class.holder.superclass();
            return Ok(Node::new(NodeKind::SuperSend(Box::new(SuperSend::new(
                symbol,
                lookup_class,
                args,
                pos,
            )))));
        }
        if let Some(node) = self.inlined(receiver, selector, args, pos)? {
            return Ok(node);
        }
        self.plain_send(receiver, selector, args, pos)
    }

    fn plain_send(
        &mut self,
        receiver: &Expr,
        selector: &str,
        args: &[Expr],
        pos: Pos,
    ) -> Result<Node, CompileError> {
        let receiver = self.expression(receiver)?;
        let mut args = self.expressions(args)?;
        let symbol = self.u.symbol(selector);
        if args.len() == 1 {
            if let Some(operator) = BinaryOperator::from_selector(selector) {
                let right = args.pop().expect("one argument");
                return Ok(Node::new(NodeKind::BinaryOp(Box::new(BinaryOp::new(
                    operator, symbol, receiver, right, pos,
                )))));
            }
        }
        Ok(Node::new(NodeKind::Send(Box::new(Send::new(
            symbol, receiver, args, pos,
        )))))
    }
}
