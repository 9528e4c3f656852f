//! Running a compiled body: setting up its slots, catching the returns aimed at it, and adding
//! its frame to the traceback of an error that leaves it.
//!
//! Which body runs is decided here: the plain one, or while intercession applies its twin with
//! intercession sites (MOP), whose activation is recorded for `Context` views and whose answer
//! goes through the return operation.

use super::{Block, CompiledBody, Context, Frame, Method};
use crate::intercession::{self, intercept_return};
use crate::native;
use crate::universe::{ReflectiveFrame, Universe};
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::object::Gc;
use yerba_mop::Value;

/// The `KNOWN_PLAIN` argument of the functions running a body: whether the body is known to be a
/// plain one.
const PLAIN: bool = true;
const ANY: bool = false;

/// Activates `method` with `args[0]` as receiver and the rest as arguments, running its plain
/// body. Inlined into the send sites, which saves a call layer on every send; they only get
/// here when nothing is intercepted.
#[inline(always)]
pub fn activate_method(u: &mut Universe, method: Gc<Method>, args: &[Value]) -> Exec {
    run_method::<PLAIN>(u, method, method.code(), args)
}

/// Activates `method` at base level where metaobjects may redefine its operations: if one may
/// redefine a variable, field or return operation, the body with intercession sites runs, and
/// its answer goes through the return operation.
pub fn activate_method_reflectively(u: &mut Universe, method: Gc<Method>, args: &[Value]) -> Exec {
    let intercession = intercepts_frame(u, args[0]);
    activate_method_with(u, method, args, intercession)
}

/// Whether a metaobject may redefine a variable, field or return operation of an activation
/// whose receiver is `receiver`.
fn intercepts_frame(u: &Universe, receiver: Value) -> bool {
    intercession::redefines_frame_operations(u, u.layout_of(receiver).environment())
}

/// Activates `method` at base level, running its body with intercession sites if
/// `intercession` (as [`activate_method_reflectively`] decides it, or a cache of its decision).
#[inline(always)]
pub fn activate_method_with(
    u: &mut Universe,
    method: Gc<Method>,
    args: &[Value],
    intercession: bool,
) -> Exec {
    let code = if intercession {
        method.code().with_intercession()
    } else {
        method.code()
    };
    let result = run_method::<ANY>(u, method, code, args);
    if code.intercepts {
        intercept_return(u, args[0], result)
    } else {
        result
    }
}

#[inline(always)]
fn run_method<const KNOWN_PLAIN: bool>(
    u: &mut Universe,
    method: Gc<Method>,
    code: &CompiledBody,
    args: &[Value],
) -> Exec {
    debug_assert_eq!(args.len(), code.arity + 1);
    debug_assert!(!(KNOWN_PLAIN && code.intercepts));
    let result = run::<KNOWN_PLAIN>(u, code, args, args[0], Value::NIL, method.value());
    match result {
        Ok(_) => result,
        Err(Unwind::LocalReturn) => Ok(u.returning),
        Err(Unwind::Restart) => restart_method::<KNOWN_PLAIN>(u, method, code, args),
        Err(unwind) => leave_method(u, method, code, unwind),
    }
}

/// A method activation left by an unwind that goes on to its caller.
fn leave_method(u: &mut Universe, method: Gc<Method>, code: &CompiledBody, unwind: Unwind) -> Exec {
    match unwind {
        Unwind::Error => Err(u.leave_activation_with_error(code, method.value())),
        other => Err(other),
    }
}

/// `restart` was sent from the method's activation: it runs again from its beginning, with the
/// arguments it was activated with and fresh locals, in a loop, so a loop written with
/// `restart` (the standard library's `Block>>whileTrue:`) runs in constant stack space.
#[cold]
#[inline(never)]
fn restart_method<const KNOWN_PLAIN: bool>(
    u: &mut Universe,
    method: Gc<Method>,
    code: &CompiledBody,
    args: &[Value],
) -> Exec {
    loop {
        match run::<KNOWN_PLAIN>(u, code, args, args[0], Value::NIL, method.value()) {
            Err(Unwind::Restart) => {}
            Err(Unwind::LocalReturn) => return Ok(u.returning),
            Err(unwind) => return leave_method(u, method, code, unwind),
            result => return result,
        }
    }
}

/// Activates `block` with `args[0]` being the block itself and the rest its arguments. While
/// a metaobject may redefine its operations, the body with intercession sites runs: a block
/// made by a plain body before an environment was installed on its receiver gets intercepted
/// like the method's own code.
#[inline]
pub fn activate_block(u: &mut Universe, block: Gc<Block>, args: &[Value]) -> Exec {
    let mut code = block.code();
    if u.reflection.blocks_consult_environments() && intercepts_frame(u, block.receiver()) {
        code = code.with_intercession();
    }
    debug_assert_eq!(args.len(), code.arity + 1);
    let result = match run_block(u, block, code, args) {
        Err(Unwind::Error) => Err(u.leave_activation_with_error(code, block.home_method())),
        Err(Unwind::Restart) => restart_block(u, block, code, args),
        other => other,
    };
    if code.intercepts {
        intercept_return(u, block.receiver(), result)
    } else {
        result
    }
}

#[inline(always)]
fn run_block(u: &mut Universe, block: Gc<Block>, code: &CompiledBody, args: &[Value]) -> Exec {
    run::<ANY>(
        u,
        code,
        args,
        block.receiver(),
        block.outer(),
        block.home_method(),
    )
}

/// `restart` was sent from the block's activation: as [`restart_method`], for a block.
#[cold]
#[inline(never)]
fn restart_block(u: &mut Universe, block: Gc<Block>, code: &CompiledBody, args: &[Value]) -> Exec {
    loop {
        match run_block(u, block, code, args) {
            Err(Unwind::Restart) => {}
            Err(Unwind::Error) => {
                return Err(u.leave_activation_with_error(code, block.home_method()))
            }
            result => return result,
        }
    }
}

#[inline(always)]
fn run<const KNOWN_PLAIN: bool>(
    u: &mut Universe,
    code: &CompiledBody,
    args: &[Value],
    receiver: Value,
    outer: Value,
    method: Value,
) -> Exec {
    u.check_native_stack()?;
    if code.needs_context {
        run_in_context::<KNOWN_PLAIN>(u, code, args, receiver, outer, method)
    } else if code.frame_size == args.len() && !code.assigns_parameters && u.values_are_rooted(args)
    {
        // Only the arguments, only read: the frame reads them where the caller put them, which
        // the collector scans and the caller keeps until the activation returns. `Cell<Value>`
        // has the layout of `Value`, and nothing writes these slots: the body has no locals and
        // never assigns a parameter (`Context` views write locals only).
        let slots = args.as_ptr() as *const Cell<Value>;
        let mut frame = Frame::new(slots, receiver, outer, Value::NIL, method);
        execute_body::<KNOWN_PLAIN>(u, code, &mut frame)
    } else {
        let base = u
            .stack
            .push_frame(args, code.frame_size)
            .ok_or_else(|| u.stack_overflow())?;
        let mut frame = Frame::new(u.stack.slots_at(base), receiver, outer, Value::NIL, method);
        let result = execute_body::<KNOWN_PLAIN>(u, code, &mut frame);
        u.stack.pop_frame(base);
        result
    }
}

/// Runs an activation whose variables live in a fresh heap context. For a method (no outer
/// context) this is also where a non-local return aimed at the activation ends.
fn run_in_context<const KNOWN_PLAIN: bool>(
    u: &mut Universe,
    code: &CompiledBody,
    args: &[Value],
    receiver: Value,
    outer: Value,
    method: Value,
) -> Exec {
    let layout = u.layouts.context;
    let context = Context::allocate(u, layout, outer, code.frame_size);
    for (slot, arg) in context.slots().iter().zip(args) {
        slot.set(*arg);
    }
    let mut frame = Frame::new(
        context.slots().as_ptr(),
        receiver,
        outer,
        context.value(),
        method,
    );
    let result = execute_body::<KNOWN_PLAIN>(u, code, &mut frame);
    context.deactivate();
    match result {
        Err(Unwind::NonLocalReturn) if outer.is_nil() && u.return_target == context.value() => {
            u.return_target = Value::NIL;
            Ok(u.returning)
        }
        other => other,
    }
}

/// `KNOWN_PLAIN`: the caller knows that `code` is a plain body (a method's own), which saves
/// the test for a twin on the most common path.
#[inline(always)]
fn execute_body<const KNOWN_PLAIN: bool>(
    u: &mut Universe,
    code: &CompiledBody,
    frame: &mut Frame,
) -> Exec {
    if !KNOWN_PLAIN && code.intercepts {
        return execute_recorded(u, code, frame);
    }
    let result = native::execute_body(u, code, frame);
    if code.patched.get() {
        return end_patched_activation(u, code, frame, result);
    }
    result
}

/// Runs a body with intercession sites, recording its activation for `Context` views; a view
/// handed out is deactivated when the activation ends.
#[inline(never)]
fn execute_recorded(u: &mut Universe, code: &CompiledBody, frame: &mut Frame) -> Exec {
    u.reflection
        .frames
        .push(ReflectiveFrame::of(frame, &code.variables));
    let result = code.body.execute(u, frame);
    if let Some(record) = u.reflection.frames.pop() {
        if let Some(view) = super::FrameView::of(record.view) {
            view.deactivate();
        }
    }
    result
}

/// The end of an activation of a plain body that became intercepting, maybe while this very
/// activation ran (`intercession/patching.rs`): what the twin's activation does at its end
/// happens here, where the body's outcome is still at hand. Its record (made by its first
/// intercession site that needed a `Context`) goes, and its answer goes through the return
/// operation: a method's at its end, at a `^` or when a `^` of one of its blocks arrives, a
/// block's when it completes.
#[cold]
#[inline(never)]
fn end_patched_activation(
    u: &mut Universe,
    code: &CompiledBody,
    frame: &Frame,
    result: Exec,
) -> Exec {
    if !u.at_base_level() {
        // The activation ran at meta level throughout, where nothing is intercepted.
        return result;
    }
    u.forget_frame(frame);
    let receiver = frame.receiver;
    if !runs_method_body(frame, code) {
        return intercept_return(u, receiver, result);
    }
    match result {
        Err(Unwind::LocalReturn) => {
            let value = u.returning;
            u.returning = intercept_return(u, receiver, Ok(value))?;
            Err(Unwind::LocalReturn)
        }
        Err(Unwind::NonLocalReturn)
            if !frame.context.is_nil() && u.return_target == frame.context =>
        {
            let (target, value) = (u.return_target, u.returning);
            u.returning = intercept_return(u, receiver, Ok(value))?;
            u.return_target = target;
            Err(Unwind::NonLocalReturn)
        }
        other => intercept_return(u, receiver, other),
    }
}

/// Whether `frame` runs the body of its method (not one of the method's blocks).
fn runs_method_body(frame: &Frame, code: &CompiledBody) -> bool {
    // SAFETY: kind checked first.
    Method::is_method(frame.method)
        && std::ptr::eq(
            unsafe { Gc::<Method>::from_value(frame.method) }.code(),
            code,
        )
}
