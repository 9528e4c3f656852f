//! `to:do:`, `to:by:do:` and `downTo:do:` with a literal one-argument block: a counting loop
//! over small integers, the loop variable being a slot of the enclosing activation. Answers the
//! receiver. Other receivers, steps or limits fall back to the library's methods.

use super::fallback::{send_with_inlined_blocks, FallbackArg};
use crate::invokable::Frame;
use crate::native::{self, NativeCode};
use crate::nodes::Node;
use crate::universe::Universe;
use crate::unwind::Exec;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

pub struct ToDo {
    pub receiver: Node,
    pub limit: Node,
    /// `to:by:do:`'s step; 1 (or -1 for `downTo:do:`) otherwise.
    pub step: Option<Node>,
    pub body: Node,
    pub variable_slot: u32,
    pub downwards: bool,
    pub selector: Value,
    pub pos: Pos,
    /// The counting loop compiled on its own, once it ran long in an interpreted activation.
    pub native: NativeCode,
}

impl ToDo {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let start = self.receiver.execute(u, frame)?;
        let limit = self.limit.execute(u, frame)?;
        let step = match &self.step {
            Some(step) => Some(step.execute(u, frame)?),
            None => None,
        };
        self.run(u, frame, start, limit, step)
    }

    /// The loop from its evaluated receiver, limit and step.
    #[inline(always)]
    pub fn run(
        &self,
        u: &mut Universe,
        frame: &mut Frame,
        start: Value,
        limit: Value,
        step: Option<Value>,
    ) -> Exec {
        let step_by = match step {
            None => Some(if self.downwards { -1 } else { 1 }),
            Some(step) => step.as_small_int(),
        };
        // A Double limit is compared as its floor (`<=`) or ceiling (`>=`), which gives the same
        // iterations as comparing each integer with the Double.
        let limit_int = limit.as_small_int().or_else(|| {
            let d = limit.as_double()?;
            let bound = if self.downwards { d.ceil() } else { d.floor() };
            (bound.abs() < Value::MAX_SMALL_INT as f64).then_some(bound as i64)
        });
        match (start.as_small_int(), limit_int, step_by) {
            (Some(from), Some(to), Some(by)) => self.count(u, frame, from, to, by).map(|_| start),
            _ => self.fall_back(u, frame, start, limit, step),
        }
    }

    /// Loops while `i <= to` (`i >= to` for `downTo:do:`) whatever the sign of the step, as the
    /// library methods do: `5 to: 2 by: -1 do:` runs no iteration, `2 to: 5 by: -1 do:` and a
    /// step of 0 run until something leaves the loop.
    #[inline(always)]
    fn count(&self, u: &mut Universe, frame: &mut Frame, from: i64, to: i64, by: i64) -> Exec {
        let slot = self.variable_slot as usize;
        let downwards = self.downwards;
        let mut i = from;
        while if downwards { i >= to } else { i <= to } {
            let value = Value::small_int(i).unwrap_or_else(|| u.new_int(i));
            frame.slot(slot).set(value);
            self.body.execute(u, frame)?;
            i = match i.checked_add(by) {
                Some(next) => next,
                None => break,
            };
            if let Some(rest) = native::counting_loop_iterated(u, self, frame, i, to, by) {
                return rest;
            }
        }
        Ok(Value::NIL)
    }

    #[cold]
    fn fall_back(
        &self,
        u: &mut Universe,
        frame: &mut Frame,
        start: Value,
        limit: Value,
        step: Option<Value>,
    ) -> Exec {
        let block = FallbackArg::Block(&self.body, Some(self.variable_slot));
        match step {
            Some(step) => {
                let args = [FallbackArg::Value(limit), FallbackArg::Value(step), block];
                send_with_inlined_blocks(u, frame, self.selector, start, &args, self.pos)
            }
            None => send_with_inlined_blocks(
                u,
                frame,
                self.selector,
                start,
                &[FallbackArg::Value(limit), block],
                self.pos,
            ),
        }
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.receiver.trace(tracer);
        self.limit.trace(tracer);
        if let Some(step) = &self.step {
            step.trace(tracer);
        }
        self.body.trace(tracer);
        self.native.trace(tracer);
        tracer.mark_value(self.selector);
    }
}
