//! The runtime functions compiled code calls: each performs one operation as the interpreter
//! does it (the node's own code), for the cases native code leaves to the interpreter, and
//! answers a [`NativeExec`] pair so that an unwind leaves the compiled code as it would leave
//! the node.
//!
//! Compiled code gets the universe and the frame as raw pointers from the activation that
//! entered it (`enter`), which holds the only other references and does not use them while
//! the native code runs; each function here reborrows them for the length of the call.

use crate::invokable::{activate_method, Block, Frame, Method, PrimitiveFn};
use crate::nodes::{
    BinaryOp, DispatchChain, FieldRead, FieldWrite, Node, NodeKind, Send, ToDo, VariableWrite,
    WhileLoop,
};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_jit::NativeExec;
use yerba_mop::object::Gc;
use yerba_mop::Value;

#[inline(always)]
pub fn pack(result: Exec) -> NativeExec {
    match result {
        Ok(value) => NativeExec {
            value: value.bits(),
            unwind: 0,
        },
        Err(unwind) => NativeExec {
            value: 0,
            unwind: unwind as u64 + 1,
        },
    }
}

#[inline(always)]
pub fn unpack(result: NativeExec) -> Exec {
    match result.unwind {
        // SAFETY: native code answers only words it got as values.
        0 => Ok(unsafe { Value::from_bits(result.value) }),
        1 => Err(Unwind::LocalReturn),
        2 => Err(Unwind::NonLocalReturn),
        3 => Err(Unwind::Error),
        4 => Err(Unwind::Escaped),
        _ => Err(Unwind::Restart),
    }
}

/// Reborrows what compiled code passes.
///
/// # Safety
/// The pointers come from [`enter`] (or from a runtime function's own arguments), whose
/// references are not used while native code runs.
macro_rules! reborrow {
    ($($p:ident),*) => {
        // SAFETY: see the module comment: the caller's references are idle during the call.
        $(let $p = unsafe { &mut *$p };)*
    };
}

fn value(bits: u64) -> Value {
    // SAFETY: native code passes only words it got as values.
    unsafe { Value::from_bits(bits) }
}

/// Runs `node` (a whole subtree) in the interpreter.
pub extern "C" fn execute_node(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const Node,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: the node is part of the tree the unit was compiled from, which outlives its code.
    let node = unsafe { &*node };
    pack(node.execute(u, frame))
}

/// Sends through a send site's chain to evaluated arguments (`args[0]` the receiver).
pub extern "C" fn send(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const Send,
    args: *const Value,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `execute_node`; `args` holds the receiver and every argument, on the
    // unit's stack frame (scanned by the collector).
    let node = unsafe { &*node };
    // SAFETY: see above.
    let args = unsafe { std::slice::from_raw_parts(args, node.args.len() + 1) };
    pack(node.dispatch(u, frame, args))
}

/// A binary operator whose operands native code did not handle.
pub extern "C" fn binary_op(
    u: *mut Universe,
    node: *const BinaryOp,
    left: u64,
    right: u64,
) -> NativeExec {
    reborrow!(u);
    u.tier.stats.slow_paths += 1;
    // SAFETY: as in `execute_node`.
    let node = unsafe { &*node };
    pack(node.complete(u, value(left), value(right)))
}

/// A field read whose layout guard failed.
pub extern "C" fn read_field(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const FieldRead,
) -> NativeExec {
    reborrow!(u, frame);
    u.tier.stats.slow_paths += 1;
    // SAFETY: as in `execute_node`.
    pack(unsafe { &*node }.execute(u, frame))
}

/// A field write whose layout guard failed.
pub extern "C" fn write_field(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const FieldWrite,
    written: u64,
) -> NativeExec {
    reborrow!(u, frame);
    u.tier.stats.slow_paths += 1;
    // SAFETY: as in `execute_node`.
    pack(unsafe { &*node }.store(u, frame, value(written)))
}

/// A variable write that is not to the unit's own slots, or goes through intercession.
pub extern "C" fn write_variable(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const VariableWrite,
    written: u64,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `execute_node`.
    pack(unsafe { &*node }.store(u, frame, value(written)))
}

/// An inlined control structure whose receiver is not what it inlines: the real send.
pub extern "C" fn inlined_fallback(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const Node,
    receiver: u64,
) -> NativeExec {
    reborrow!(u, frame);
    u.tier.stats.slow_paths += 1;
    let receiver = value(receiver);
    // SAFETY: as in `execute_node`.
    let result = match unsafe { &*node }.kind() {
        NodeKind::IfTrue(node) => node.fall_back(u, frame, receiver),
        NodeKind::IfTrueIfFalse(node) => node.fall_back(u, frame, receiver),
        NodeKind::AndOr(node) => node.fall_back(u, frame, receiver),
        NodeKind::TimesRepeat(node) => node.fall_back(u, frame, receiver),
        _ => unreachable!("only inlined control structures fall back"),
    };
    pack(result)
}

/// The condition of an inlined `whileTrue:` or `whileFalse:` answered a non-Boolean.
pub extern "C" fn while_not_boolean(
    u: *mut Universe,
    _frame: *mut Frame,
    node: *const WhileLoop,
    _condition: u64,
) -> NativeExec {
    reborrow!(u);
    // SAFETY: as in `execute_node`.
    pack(Err(unsafe { &*node }.not_boolean(u)))
}

/// A counting loop whose receiver, limit or step is not a small integer.
pub extern "C" fn to_do(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const ToDo,
    start: u64,
    limit: u64,
    step: u64,
) -> NativeExec {
    reborrow!(u, frame);
    u.tier.stats.slow_paths += 1;
    // SAFETY: as in `execute_node`.
    let node = unsafe { &*node };
    let step = node.step.as_ref().map(|_| value(step));
    pack(node.run(u, frame, value(start), value(limit), step))
}

/// `^value` from a block inlined into the method.
pub extern "C" fn local_return(u: *mut Universe, answer: u64) -> NativeExec {
    reborrow!(u);
    u.returning = value(answer);
    pack(Err(Unwind::LocalReturn))
}

/// A send site whose chain native code inlines: a send, or a binary operator's real send.
pub trait Site {
    /// Arguments besides the receiver.
    fn arguments(&self) -> usize;
    fn chain(&self) -> &DispatchChain;
    fn selector(&self) -> Value;
    /// What the site does with its callee's outcome.
    fn finish(&self, u: &mut Universe, frame: &Frame, result: Exec) -> Exec;
}

impl Site for Send {
    fn arguments(&self) -> usize {
        self.args.len()
    }
    fn chain(&self) -> &DispatchChain {
        &self.chain
    }
    fn selector(&self) -> Value {
        self.selector
    }
    fn finish(&self, u: &mut Universe, frame: &Frame, result: Exec) -> Exec {
        Send::finish(self, u, frame, result)
    }
}

impl Site for BinaryOp {
    fn arguments(&self) -> usize {
        1
    }
    fn chain(&self) -> &DispatchChain {
        BinaryOp::chain(self)
    }
    fn selector(&self) -> Value {
        self.selector
    }
    fn finish(&self, u: &mut Universe, _frame: &Frame, result: Exec) -> Exec {
        BinaryOp::finish(self, u, result)
    }
}

/// The runtime functions of one kind of site, as native code calls them.
pub struct SiteFunctions {
    pub activate: *const u8,
    pub call_primitive: *const u8,
    pub finish_activation: *const u8,
    pub activate_block: *const u8,
    pub finish_block: *const u8,
}

impl SiteFunctions {
    pub fn of<S: Site>() -> SiteFunctions {
        SiteFunctions {
            activate: activate::<S> as *const u8,
            call_primitive: call_primitive::<S> as *const u8,
            finish_activation: finish_activation::<S> as *const u8,
            activate_block: activate_block::<S> as *const u8,
            finish_block: finish_block::<S> as *const u8,
        }
    }
}

/// A send whose chain entry is `method`, activated by the interpreter's activation code (the
/// callee is not compiled yet, needs a heap context, or the native stack is short).
pub extern "C" fn activate<S: Site>(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const S,
    method: u64,
    args: *const Value,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `send`; `method` is the entry's method, kept alive by the compiled code.
    let (node, method) = unsafe { (&*node, Gc::<Method>::from_value(value(method))) };
    // SAFETY: as in `send`.
    let args = unsafe { std::slice::from_raw_parts(args, node.arguments() + 1) };
    let result = activate_method(u, method, args);
    pack(node.finish(u, frame, result))
}

/// A send whose chain entry is a primitive.
pub extern "C" fn call_primitive<S: Site>(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const S,
    function: usize,
    args: *const Value,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `send`; `function` is the entry's `PrimitiveFn`, passed as its address.
    let (node, function) = unsafe { (&*node, std::mem::transmute::<usize, PrimitiveFn>(function)) };
    // SAFETY: as in `send`.
    let args = unsafe { std::slice::from_raw_parts(args, node.arguments() + 1) };
    let result = function(u, args);
    pack(node.finish(u, frame, result))
}

/// A method activated by native code ended with an unwind other than a local return: what
/// the interpreter's activation and send do with it (rerun for `restart`, a traceback frame
/// and the send's position for an error, `escapedBlock:` for an escaped block).
pub extern "C" fn finish_activation<S: Site>(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const S,
    method: u64,
    args: *const Value,
    unwind: u64,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `activate`.
    let (node, method) = unsafe { (&*node, Gc::<Method>::from_value(value(method))) };
    // SAFETY: as in `send`.
    let args = unsafe { std::slice::from_raw_parts(args, node.arguments() + 1) };
    let result = match unpack(NativeExec { value: 0, unwind }) {
        Err(Unwind::Restart) => activate_method(u, method, args),
        Err(Unwind::Error) => Err(u.leave_activation_with_error(method.code(), method.value())),
        other => other,
    };
    pack(node.finish(u, frame, result))
}

/// A block evaluation at a send whose chain entry is the block's layout, run by the
/// interpreter's activation (the block's code is not compiled, needs a heap context, ...).
pub extern "C" fn activate_block<S: Site>(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const S,
    args: *const Value,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `send`.
    let node = unsafe { &*node };
    // SAFETY: as in `send`.
    let args = unsafe { std::slice::from_raw_parts(args, node.arguments() + 1) };
    let result = node.chain().dispatch(u, node.selector(), args);
    pack(node.finish(u, frame, result))
}

/// A block activated by native code ended with an unwind: what the interpreter's block
/// activation and send do with it (rerun for `restart`, a traceback frame and the send's
/// position for an error, `escapedBlock:` for an escaped block).
pub extern "C" fn finish_block<S: Site>(
    u: *mut Universe,
    frame: *mut Frame,
    node: *const S,
    args: *const Value,
    unwind: u64,
) -> NativeExec {
    reborrow!(u, frame);
    // SAFETY: as in `send`.
    let node = unsafe { &*node };
    // SAFETY: as in `send`.
    let args = unsafe { std::slice::from_raw_parts(args, node.arguments() + 1) };
    // SAFETY: native code calls this only for receivers with a real block's layout.
    let block: Gc<Block> = unsafe { Gc::from_value(args[0]) };
    let result = match unpack(NativeExec { value: 0, unwind }) {
        Err(Unwind::Restart) => crate::invokable::activate_block(u, block, args),
        Err(Unwind::Error) => Err(u.leave_activation_with_error(block.code(), block.home_method())),
        other => other,
    };
    pack(node.finish(u, frame, result))
}
