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
pub use dispatch::{ChainTarget, DispatchChain, Inlined, Send, SuperSend};
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
use std::cell::UnsafeCell;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

/// A node of the tree. Its kind sits in an `UnsafeCell` because installing an environment
/// while an activation runs turns the variable reads of the running plain bodies into
/// intercession sites in place (`intercession/patching.rs`): the only mutation of a node's kind,
/// done on leaves, never while a reference into the replaced kind is live.
pub struct Node(UnsafeCell<NodeKind>);

pub enum NodeKind {
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
    pub fn new(kind: NodeKind) -> Node {
        Node(UnsafeCell::new(kind))
    }

    /// What the node is.
    #[inline(always)]
    pub fn kind(&self) -> &NodeKind {
        // SAFETY: kinds are only replaced by `replace`, whose callers guarantee that no
        // reference into the replaced kind is in use.
        unsafe { &*self.0.get() }
    }

    /// Replaces the node's kind in place.
    ///
    /// # Safety
    /// No reference into the current kind may be used afterwards: the caller replaces only
    /// leaves, which hold no reference into themselves while they run (they call nothing), and
    /// runs on the interpreter's thread between the executions of nodes.
    pub unsafe fn replace(&self, kind: NodeKind) {
        *self.0.get() = kind;
    }

    /// Runs the node. Leaves (literals, `self`, slot reads) are evaluated right here, inlined
    /// into the parent; every other kind runs in a function of its own, so each parent site
    /// gets its own dispatch branch and each kind a prologue sized to its needs.
    #[inline(always)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        match self.kind() {
            NodeKind::Literal(value) => Ok(*value),
            NodeKind::SelfRead => Ok(frame.receiver),
            NodeKind::ArgumentRead(slot) | NodeKind::LocalRead(slot) => {
                Ok(frame.slot(*slot as usize).get())
            }
            NodeKind::OuterArgumentRead(var) | NodeKind::OuterLocalRead(var) => Ok(var.read(frame)),
            NodeKind::VariableWrite(write) => write.execute(u, frame),
            NodeKind::InterceptedRead(read) => read.execute(u, frame),
            NodeKind::InterceptedWrite(write) => write.execute(u, frame),
            NodeKind::FieldRead(read) => read.execute(u, frame),
            NodeKind::FieldWrite(write) => write.execute(u, frame),
            NodeKind::GlobalRead(read) => read.execute(u, frame),
            NodeKind::Block(block) => Ok(block.execute(u, frame)),
            NodeKind::Sequence(statements) => execute_sequence(statements, u, frame),
            NodeKind::LocalReturn(value) => execute_local_return(value, u, frame),
            NodeKind::NonLocalReturn(ret) => ret.execute(u, frame),
            NodeKind::Send(send) => send.execute(u, frame),
            NodeKind::SuperSend(send) => send.execute(u, frame),
            NodeKind::BinaryOp(op) => op.execute(u, frame),
            NodeKind::IfTrue(node) => node.execute(u, frame),
            NodeKind::IfTrueIfFalse(node) => node.execute(u, frame),
            NodeKind::IfNil(node) => node.execute(u, frame),
            NodeKind::AndOr(node) => node.execute(u, frame),
            NodeKind::While(node) => node.execute(u, frame),
            NodeKind::ToDo(node) => node.execute(u, frame),
            NodeKind::TimesRepeat(node) => node.execute(u, frame),
        }
    }

    /// Calls `visit` on this node and every node below it in the same body (not the bodies of
    /// real blocks, which are compiled and run on their own).
    pub fn visit(&self, visit: &mut dyn FnMut(&Node)) {
        visit(self);
        self.each_child(&mut |child| child.visit(visit));
    }

    /// Calls `each` with the node's direct children, in the order they are evaluated. The body
    /// of a block literal is not among them: it is a body of its own.
    pub fn each_child(&self, each: &mut dyn FnMut(&Node)) {
        match self.kind() {
            NodeKind::VariableWrite(write) => each(&write.value),
            NodeKind::FieldWrite(write) => each(&write.value),
            NodeKind::Sequence(statements) => statements.iter().for_each(each),
            NodeKind::LocalReturn(value) => each(value),
            NodeKind::NonLocalReturn(ret) => each(&ret.value),
            NodeKind::Send(send) => {
                each(&send.receiver);
                send.args.iter().for_each(each);
            }
            NodeKind::SuperSend(send) => send.args.iter().for_each(each),
            NodeKind::BinaryOp(op) => {
                each(&op.left);
                each(&op.right);
            }
            NodeKind::IfTrue(node) => {
                each(&node.condition);
                each(&node.body);
            }
            NodeKind::IfTrueIfFalse(node) => {
                each(&node.condition);
                each(&node.if_true);
                each(&node.if_false);
            }
            NodeKind::IfNil(node) => {
                each(&node.receiver);
                node.if_nil.iter().chain(&node.if_not_nil).for_each(each);
            }
            NodeKind::AndOr(node) => {
                each(&node.left);
                each(&node.right);
            }
            NodeKind::While(node) => {
                each(&node.condition);
                each(&node.body);
            }
            NodeKind::ToDo(node) => {
                each(&node.receiver);
                each(&node.limit);
                node.step.iter().for_each(&mut *each);
                each(&node.body);
            }
            NodeKind::TimesRepeat(node) => {
                each(&node.receiver);
                each(&node.body);
            }
            NodeKind::Literal(_)
            | NodeKind::SelfRead
            | NodeKind::ArgumentRead(_)
            | NodeKind::LocalRead(_)
            | NodeKind::OuterArgumentRead(_)
            | NodeKind::OuterLocalRead(_)
            | NodeKind::InterceptedRead(_)
            | NodeKind::InterceptedWrite(_)
            | NodeKind::FieldRead(_)
            | NodeKind::GlobalRead(_)
            | NodeKind::Block(_) => {}
        }
    }

    /// Reports every heap reference held by this subtree (literals, caches) to the collector.
    pub fn trace(&self, tracer: &mut Tracer) {
        match self.kind() {
            NodeKind::Literal(value) => tracer.mark_value(*value),
            NodeKind::SelfRead
            | NodeKind::ArgumentRead(_)
            | NodeKind::LocalRead(_)
            | NodeKind::OuterArgumentRead(_)
            | NodeKind::OuterLocalRead(_)
            | NodeKind::InterceptedRead(_) => {}
            NodeKind::VariableWrite(write) => write.value.trace(tracer),
            NodeKind::InterceptedWrite(write) => write.trace(tracer),
            NodeKind::FieldRead(read) => read.trace(tracer),
            NodeKind::FieldWrite(write) => write.trace(tracer),
            NodeKind::GlobalRead(read) => read.trace(tracer),
            NodeKind::Block(block) => block.trace(tracer),
            NodeKind::Sequence(statements) => statements.iter().for_each(|s| s.trace(tracer)),
            NodeKind::LocalReturn(value) => value.trace(tracer),
            NodeKind::NonLocalReturn(ret) => ret.value.trace(tracer),
            NodeKind::Send(send) => send.trace(tracer),
            NodeKind::SuperSend(send) => send.trace(tracer),
            NodeKind::BinaryOp(op) => op.trace(tracer),
            NodeKind::IfTrue(node) => node.trace(tracer),
            NodeKind::IfTrueIfFalse(node) => node.trace(tracer),
            NodeKind::IfNil(node) => node.trace(tracer),
            NodeKind::AndOr(node) => node.trace(tracer),
            NodeKind::While(node) => node.trace(tracer),
            NodeKind::ToDo(node) => node.trace(tracer),
            NodeKind::TimesRepeat(node) => node.trace(tracer),
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
