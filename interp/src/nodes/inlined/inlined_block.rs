//! The stand-in for an inlined literal block when a control structure falls back to a real
//! send. It executes the inlined body in the frame that is waiting for the send, so it is only
//! valid during that send: afterwards it is marked dead and evaluating it is an error.
//!
//! When that frame runs with intercession sites (MOP), its record is the innermost of
//! `reflection.frames` while the send starts, but no longer while the body runs inside the
//! callee: the body runs with a copy of the record on top, so that its intercession sites see
//! their own activation.

use crate::invokable::Frame;
use crate::nodes::Node;
use crate::universe::{fatal_out_of_memory, ReflectiveFrame, Universe};
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use std::ptr::NonNull;
use yerba_mop::heap::{GcHeader, Tracer, TypeInfo};
use yerba_mop::object::{allocate_object, is_kind, Gc, ObjHeader};
use yerba_mop::Value;

#[repr(C)]
pub struct InlinedBlock {
    header: ObjHeader,
    body: *const Node,
    frame: *mut Frame,
    /// The slot receiving the block's argument, for a one-argument block.
    parameter: Option<u32>,
    alive: Cell<bool>,
    /// The index of the frame's record in `reflection.frames`, if it runs with intercession.
    record: Option<usize>,
    /// How the body left the enclosing activation (`^`, an escape, `restart`) while the send
    /// was running: carried to the fallback site, which resumes it there.
    carried: Cell<Unwind>,
}

pub static INLINED_BLOCK_TYPE: TypeInfo = TypeInfo {
    name: "InlinedBlock",
    trace: trace_inlined_block,
    finalize: None,
};

unsafe fn trace_inlined_block(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with INLINED_BLOCK_TYPE. The
    // frame it refers to is on the native stack, which the collector scans anyway.
    let block: Gc<InlinedBlock> = Gc::from_header(obj);
    tracer.mark_value(block.header.layout().value());
}

impl InlinedBlock {
    pub fn allocate(
        u: &mut Universe,
        body: &Node,
        frame: &mut Frame,
        parameter: Option<u32>,
    ) -> Gc<InlinedBlock> {
        let layout = u.layouts.inlined_blocks[usize::from(parameter.is_some())];
        let block: Gc<InlinedBlock> = allocate_object(
            u,
            std::mem::size_of::<InlinedBlock>(),
            &INLINED_BLOCK_TYPE,
            Some(layout),
        )
        .unwrap_or_else(|e| fatal_out_of_memory(e));
        // SAFETY: fresh, unshared memory.
        unsafe {
            let raw = block.as_ptr();
            (*raw).body = body;
            (*raw).frame = frame;
            (*raw).parameter = parameter;
        }
        let record = u.reflection.frames.len().checked_sub(1);
        let record = record.filter(|&i| u.reflection.frames[i].slots == frame.slots_ptr());
        // SAFETY: fresh, unshared memory.
        unsafe { (*block.as_ptr()).record = record };
        block.alive.set(true);
        block.carried.set(Unwind::LocalReturn);
        block
    }

    /// Called when the send it was passed to has returned.
    pub fn kill(&self) {
        self.alive.set(false)
    }

    /// How the body's activation was left, when the send unwound to this block.
    pub fn carried(&self) -> Unwind {
        self.carried.get()
    }
}

/// The number of parameters of `value` if it is an inlined block, `None` if it is not one.
pub fn inlined_block_arity(value: Value) -> Option<usize> {
    if !is_kind(value, &INLINED_BLOCK_TYPE) {
        return None;
    }
    // SAFETY: kind checked.
    let block: Gc<InlinedBlock> = unsafe { Gc::from_value(value) };
    Some(usize::from(block.parameter.is_some()))
}

/// Evaluates `args[0]` if it is an inlined block (with `args[1..]` as its arguments); `None`
/// if it is not one.
pub fn call_inlined_block(u: &mut Universe, args: &[Value]) -> Option<Exec> {
    if !is_kind(args[0], &INLINED_BLOCK_TYPE) {
        return None;
    }
    // SAFETY: kind checked.
    let block: Gc<InlinedBlock> = unsafe { Gc::from_value(args[0]) };
    if !block.alive.get() {
        return Some(Err(u.vm_error("A block inlined into a control structure was used after the send it was passed to returned.")));
    }
    let expected = usize::from(block.parameter.is_some());
    if args.len() - 1 != expected {
        let text = format!(
            "Tried passing {} arguments to a function that requires {}.",
            args.len() - 1,
            expected
        );
        return Some(Err(u.vm_error(text)));
    }
    // SAFETY: while the block is alive, the send that received it has not returned, so the
    // frame and the AST it points to are live.
    let (frame, body) = unsafe { (&mut *block.frame, &*block.body) };
    if let Some(slot) = block.parameter {
        frame.slot(slot as usize).set(args[1]);
    }
    let result = match block.record {
        Some(index) => execute_with_record(u, body, frame, index),
        None => body.execute(u, frame),
    };
    Some(match result {
        // A `^` of the method body, an escape or a `restart` of the enclosing activation must
        // not be taken by the activations the fallback send runs through: carry it to the
        // fallback site as a non-local return.
        Err(unwind @ (Unwind::LocalReturn | Unwind::Escaped | Unwind::Restart)) => {
            block.carried.set(unwind);
            u.return_target = block.value();
            Err(Unwind::NonLocalReturn)
        }
        other => other,
    })
}

/// Runs the body with a copy of the record `index` of `reflection.frames` (its frame's) as the
/// innermost record; a `Context` view made for the copy becomes the record's own, which is
/// deactivated when the frame's activation ends.
#[cold]
fn execute_with_record(u: &mut Universe, body: &Node, frame: &mut Frame, index: usize) -> Exec {
    let record = &u.reflection.frames[index];
    let copy = ReflectiveFrame {
        frame: record.frame,
        slots: record.slots,
        names: record.names,
        receiver: record.receiver,
        method: record.method,
        context: record.context,
        view: record.view,
    };
    u.reflection.frames.push(copy);
    let result = body.execute(u, frame);
    if let Some(copy) = u.reflection.frames.pop() {
        u.reflection.frames[index].view = copy.view;
    }
    result
}
