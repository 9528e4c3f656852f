//! The executable AST. Each operation of the language is a node of its own (variable and field
//! access, sends, returns, the inlined control structures), so that the MOP can wrap any of them
//! in an intercession node and a compiler tier can walk a specialised tree.
//!
//! Nodes specialise themselves in place: their caches and states live in `Cell`s and move from
//! uninitialised through specialised to generic states as execution observes new cases. The
//! tree's shape is fixed by the compiler (which already inlined the control structures).

mod arithmetic;
mod block_literal;
mod dispatch;
mod fields;
mod globals;
mod inlined;
mod returns;
mod variables;

pub use arithmetic::{BinaryOp, BinaryOperator};
pub use block_literal::BlockLiteral;
pub use dispatch::{DispatchChain, Inlined, Send, SuperSend};
pub use fields::{FieldAccess, FieldRead, FieldWrite};
pub use globals::GlobalRead;
pub use inlined::{
    call_inlined_block, inlined_block_arity, AndOr, IfNil, IfTrue, IfTrueIfFalse, InlinedBlock,
    TimesRepeat, ToDo, WhileLoop,
};
pub use returns::{answer_escaped_block, NonLocalReturn};
pub use variables::{OuterVariable, VariableWrite};

use crate::intercession::{InterceptedRead, InterceptedWrite};
use crate::invokable::Frame;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub enum Node {
    /// A literal: a number, `nil`, `true`, `false`, or a string, symbol or array allocated once.
    Literal(Value),
    /// `self` (and `super` used as a value).
    SelfRead,
    /// Slot `n` of the current activation, holding an argument or a local.
    ArgumentRead(u32),
    LocalRead(u32),
    /// A variable of an enclosing activation, reached through heap contexts.
    OuterArgumentRead(OuterVariable),
    OuterLocalRead(OuterVariable),
    VariableWrite(Box<VariableWrite>),
    /// Variable reads and writes of bodies compiled with intercession sites (MOP).
    InterceptedRead(Box<InterceptedRead>),
    InterceptedWrite(Box<InterceptedWrite>),
    FieldRead(FieldRead),
    FieldWrite(Box<FieldWrite>),
    GlobalRead(Box<GlobalRead>),
    Block(Box<BlockLiteral>),
    /// Statements; answers the value of the last.
    Sequence(Box<[Node]>),
    /// `^` in a block inlined into the method: leaves the method's body.
    LocalReturn(Box<Node>),
    NonLocalReturn(Box<NonLocalReturn>),
    Send(Box<Send>),
    SuperSend(Box<SuperSend>),
    BinaryOp(Box<BinaryOp>),
    IfTrue(Box<IfTrue>),
    IfTrueIfFalse(Box<IfTrueIfFalse>),
    IfNil(Box<IfNil>),
    AndOr(Box<AndOr>),
    While(Box<WhileLoop>),
    ToDo(Box<ToDo>),
    TimesRepeat(Box<TimesRepeat>),
}

impl Node {
    /// Runs the node. Leaves (literals, `self`, slot reads) are evaluated right here, inlined
    /// into the parent; every other kind runs in a function of its own, so each parent site
    /// gets its own dispatch branch and each kind a prologue sized to its needs.
    #[inline(always)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        match self {
            Node::Literal(value) => Ok(*value),
            Node::SelfRead => Ok(frame.receiver),
            Node::ArgumentRead(slot) | Node::LocalRead(slot) => {
                Ok(frame.slot(*slot as usize).get())
            }
            Node::OuterArgumentRead(var) | Node::OuterLocalRead(var) => Ok(var.read(frame)),
            Node::VariableWrite(write) => write.execute(u, frame),
            Node::InterceptedRead(read) => read.execute(u, frame),
            Node::InterceptedWrite(write) => write.execute(u, frame),
            Node::FieldRead(read) => read.execute(u, frame),
            Node::FieldWrite(write) => write.execute(u, frame),
            Node::GlobalRead(read) => read.execute(u, frame),
            Node::Block(block) => Ok(block.execute(u, frame)),
            Node::Sequence(statements) => execute_sequence(statements, u, frame),
            Node::LocalReturn(value) => execute_local_return(value, u, frame),
            Node::NonLocalReturn(ret) => ret.execute(u, frame),
            Node::Send(send) => send.execute(u, frame),
            Node::SuperSend(send) => send.execute(u, frame),
            Node::BinaryOp(op) => op.execute(u, frame),
            Node::IfTrue(node) => node.execute(u, frame),
            Node::IfTrueIfFalse(node) => node.execute(u, frame),
            Node::IfNil(node) => node.execute(u, frame),
            Node::AndOr(node) => node.execute(u, frame),
            Node::While(node) => node.execute(u, frame),
            Node::ToDo(node) => node.execute(u, frame),
            Node::TimesRepeat(node) => node.execute(u, frame),
        }
    }

    /// Reports every heap reference held by this subtree (literals, caches) to the collector.
    pub fn trace(&self, tracer: &mut Tracer) {
        match self {
            Node::Literal(value) => tracer.mark_value(*value),
            Node::SelfRead
            | Node::ArgumentRead(_)
            | Node::LocalRead(_)
            | Node::OuterArgumentRead(_)
            | Node::OuterLocalRead(_)
            | Node::InterceptedRead(_) => {}
            Node::VariableWrite(write) => write.value.trace(tracer),
            Node::InterceptedWrite(write) => write.trace(tracer),
            Node::FieldRead(read) => read.trace(tracer),
            Node::FieldWrite(write) => write.trace(tracer),
            Node::GlobalRead(read) => read.trace(tracer),
            Node::Block(block) => block.trace(tracer),
            Node::Sequence(statements) => statements.iter().for_each(|s| s.trace(tracer)),
            Node::LocalReturn(value) => value.trace(tracer),
            Node::NonLocalReturn(ret) => ret.value.trace(tracer),
            Node::Send(send) => send.trace(tracer),
            Node::SuperSend(send) => send.trace(tracer),
            Node::BinaryOp(op) => op.trace(tracer),
            Node::IfTrue(node) => node.trace(tracer),
            Node::IfTrueIfFalse(node) => node.trace(tracer),
            Node::IfNil(node) => node.trace(tracer),
            Node::AndOr(node) => node.trace(tracer),
            Node::While(node) => node.trace(tracer),
            Node::ToDo(node) => node.trace(tracer),
            Node::TimesRepeat(node) => node.trace(tracer),
        }
    }
}

#[inline(never)]
fn execute_sequence(statements: &[Node], u: &mut Universe, frame: &mut Frame) -> Exec {
    // Two statements (a statement and the answer) are the most common sequence.
    if let [first, last] = statements {
        first.execute(u, frame)?;
        return last.execute(u, frame);
    }
    let (last, rest) = statements
        .split_last()
        .expect("the compiler never emits empty sequences");
    for statement in rest {
        statement.execute(u, frame)?;
    }
    last.execute(u, frame)
}

/// `^` in a block inlined into the method: leaves the method's body.
#[inline(never)]
fn execute_local_return(value: &Node, u: &mut Universe, frame: &mut Frame) -> Exec {
    u.returning = value.execute(u, frame)?;
    Err(Unwind::LocalReturn)
}
