//! A normal message send: evaluate the receiver and arguments, then dispatch through the
//! site's chain.
//!
//! The node specialises itself through its `specialisation` function: it starts
//! uninitialised, runs its first send through the chain, and then becomes either the general
//! send for its arity or, when the only target seen is a trivial getter or setter, a direct
//! field access guarded by the receiver's layout (and the dispatch epoch). A failing guard
//! turns it into the general send for good. Arities up to three keep their values in a fixed
//! array on the native stack; more arguments are evaluated onto the VM stack.

use super::{DispatchChain, FieldOperation};
use crate::invokable::Frame;
use crate::nodes::{answer_escaped_block, Node};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

type SendFn = fn(&Send, &mut Universe, &mut Frame) -> Exec;

pub struct Send {
    pub selector: Value,
    pub receiver: Node,
    pub args: Box<[Node]>,
    pub chain: DispatchChain,
    pub pos: Pos,
    specialisation: Cell<SendFn>,
}

impl Send {
    pub fn new(selector: Value, receiver: Node, args: Vec<Node>, pos: Pos) -> Send {
        Send {
            selector,
            receiver,
            args: args.into_boxed_slice(),
            chain: DispatchChain::default(),
            pos,
            specialisation: Cell::new(uninitialised),
        }
    }

    #[inline(always)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        (self.specialisation.get())(self, u, frame)
    }

    /// The general send for this site's arity.
    fn general(&self) -> SendFn {
        match self.args.len() {
            0 => send0,
            1 => send1,
            2 => send2,
            3 => send3,
            _ => send_many,
        }
    }

    /// Sends to evaluated arguments (`args[0]` the receiver) through the site's chain.
    #[inline(always)]
    pub fn dispatch(&self, u: &mut Universe, frame: &Frame, args: &[Value]) -> Exec {
        let result = self.chain.dispatch(u, self.selector, args);
        self.finish(u, frame, result)
    }

    /// Records where an error raised by the send happened, for the traceback; answers for an
    /// evaluated block that escaped.
    #[inline(always)]
    /// What the send does with its callee's outcome: notes its position in an error, answers
    /// `escapedBlock:` for an escaped block.
    pub fn finish(&self, u: &mut Universe, frame: &Frame, result: Exec) -> Exec {
        match result {
            Err(Unwind::Error) => u.note_error_position(self.pos),
            Err(Unwind::Escaped) => return answer_escaped_block(u, frame.receiver),
            _ => {}
        }
        result
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.selector);
        self.receiver.trace(tracer);
        self.args.iter().for_each(|a| a.trace(tracer));
        self.chain.trace(tracer);
    }
}

/// The first execution: a general send, then the specialisation the chain suggests.
fn uninitialised(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let result = (node.general())(node, u, frame);
    // The chain's entry says what the target does; the site's arity, what the node can pass
    // it: a getter may take arguments (`at: i = ( ^field )`), which the node must evaluate.
    let specialised: SendFn = match (node.args.len(), node.chain.monomorphic_field_operation()) {
        (0, Some(FieldOperation::Read)) => getter,
        (1, Some(FieldOperation::Write)) => setter,
        _ => node.general(),
    };
    node.specialisation.set(specialised);
    result
}

/// A monomorphic site whose target is `^field`.
fn getter(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    match node.chain.getter_slot_of(u, receiver) {
        Some(slot) => Ok(slot.get()),
        None => dispatch_after_receiver(node, u, frame, receiver),
    }
}

/// Whether a failed guard of a field specialisation means the site has met other receivers;
/// while sends are intercepted (MOP), the guard fails without saying anything about them.
fn despecialise_after_guard(u: &Universe) -> bool {
    !u.reflection.intercepting()
}

/// A monomorphic site whose target is `field := argument` (answering self or the argument).
fn setter(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    let argument = node.args[0].execute(u, frame)?;
    match node.chain.setter_slot_of(u, receiver) {
        Some((slot, answers_argument)) => {
            slot.set(argument);
            Ok(if answers_argument { argument } else { receiver })
        }
        None => {
            if despecialise_after_guard(u) {
                node.specialisation.set(send1);
            }
            node.dispatch(u, frame, &[receiver, argument])
        }
    }
}

/// The getter guard failed after the receiver was evaluated (which must not happen twice).
#[inline(never)]
fn dispatch_after_receiver(
    node: &Send,
    u: &mut Universe,
    frame: &mut Frame,
    receiver: Value,
) -> Exec {
    if despecialise_after_guard(u) {
        node.specialisation.set(send0);
    }
    node.dispatch(u, frame, &[receiver])
}

fn send0(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    node.dispatch(u, frame, &[receiver])
}

fn send1(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    let a = node.args[0].execute(u, frame)?;
    node.dispatch(u, frame, &[receiver, a])
}

fn send2(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    let a = node.args[0].execute(u, frame)?;
    let b = node.args[1].execute(u, frame)?;
    node.dispatch(u, frame, &[receiver, a, b])
}

fn send3(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    let a = node.args[0].execute(u, frame)?;
    let b = node.args[1].execute(u, frame)?;
    let c = node.args[2].execute(u, frame)?;
    node.dispatch(u, frame, &[receiver, a, b, c])
}

fn send_many(node: &Send, u: &mut Universe, frame: &mut Frame) -> Exec {
    let receiver = node.receiver.execute(u, frame)?;
    let result = super::with_evaluated_args(u, frame, receiver, &node.args, |u, values| {
        node.chain.dispatch(u, node.selector, values)
    });
    node.finish(u, frame, result)
}
