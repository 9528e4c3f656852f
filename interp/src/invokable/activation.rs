//! Running a compiled body: setting up its slots, catching the returns aimed at it, and adding
//! its frame to the traceback of an error that leaves it.

use super::{Block, CompiledBody, Context, Frame, Method};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::Gc;
use yerba_mop::Value;

/// Activates `method` with `args[0]` as receiver and the rest as arguments. Inlined into the
/// send sites, which saves a call layer on every send.
#[inline(always)]
pub fn activate_method(u: &mut Universe, method: Gc<Method>, args: &[Value]) -> Exec {
    let code = method.code();
    debug_assert_eq!(args.len(), code.arity + 1);
    match run(u, code, args, args[0], Value::NIL, method.value()) {
        Ok(value) => Ok(value),
        Err(Unwind::LocalReturn) => Ok(u.returning),
        Err(Unwind::Error) => Err(u.leave_activation_with_error(code, method.value())),
        Err(Unwind::NonLocalReturn) => Err(Unwind::NonLocalReturn),
    }
}

/// Activates `block` with `args[0]` being the block itself and the rest its arguments.
#[inline]
pub fn activate_block(u: &mut Universe, block: Gc<Block>, args: &[Value]) -> Exec {
    let code = block.code();
    debug_assert_eq!(args.len(), code.arity + 1);
    match run(
        u,
        code,
        args,
        block.receiver(),
        block.outer(),
        block.home_method(),
    ) {
        Err(Unwind::Error) => Err(u.leave_activation_with_error(code, block.home_method())),
        other => other,
    }
}

#[inline(always)]
fn run(
    u: &mut Universe,
    code: &CompiledBody,
    args: &[Value],
    receiver: Value,
    outer: Value,
    method: Value,
) -> Exec {
    u.check_native_stack()?;
    if code.needs_context {
        run_in_context(u, code, args, receiver, outer, method)
    } else {
        let base = u
            .stack
            .push_frame(args, code.frame_size)
            .ok_or_else(|| u.stack_overflow())?;
        let mut frame = Frame::new(u.stack.slots_at(base), receiver, outer, Value::NIL, method);
        let result = code.body.execute(u, &mut frame);
        u.stack.pop_frame(base);
        result
    }
}

/// Runs an activation whose variables live in a fresh heap context. For a method (no outer
/// context) this is also where a non-local return aimed at the activation ends.
fn run_in_context(
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
    let result = code.body.execute(u, &mut frame);
    context.deactivate();
    match result {
        Err(Unwind::NonLocalReturn) if outer.is_nil() && u.return_target == context.value() => {
            u.return_target = Value::NIL;
            Ok(u.returning)
        }
        other => other,
    }
}
