//! `super selector...`: the receiver is `self`, the lookup starts at the superclass of the
//! class holding the method (known when compiling). The target is cached per site and
//! re-resolved when the dispatch epoch changes. Like any send, it is an intercession site.

use crate::intercession;
use crate::invokable::{Frame, Target};
use crate::nodes::{answer_escaped_block, Node};
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{Class, Gc};
use yerba_mop::Value;
use yerba_parser::syntax::Pos;

pub struct SuperSend {
    pub selector: Value,
    /// The holder's superclass, or nil for a root class.
    pub lookup_class: Value,
    pub args: Box<[Node]>,
    pub pos: Pos,
    cached: Cell<Option<(u64, Option<Target>)>>,
}

impl SuperSend {
    pub fn new(selector: Value, lookup_class: Value, args: Vec<Node>, pos: Pos) -> SuperSend {
        SuperSend {
            selector,
            lookup_class,
            args: args.into_boxed_slice(),
            pos,
            cached: Cell::new(None),
        }
    }

    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let result =
            super::with_evaluated_args(u, frame, frame.receiver, &self.args, |u, values| {
                if u.intercepts_send(u.layout_of(values[0])) && Class::is_class(self.lookup_class) {
                    // SAFETY: kind checked just above.
                    let class: Gc<Class> = unsafe { Gc::from_value(self.lookup_class) };
                    return intercession::send_from_class(u, class, self.selector, values);
                }
                let target = match self.cached.get() {
                    Some((epoch, target)) if epoch == u.dispatch_epoch => target,
                    _ => self.resolve(u),
                };
                match target {
                    Some(target) => target.invoke(u, values),
                    None => u.send_does_not_understand(self.selector, values),
                }
            });
        match result {
            Err(Unwind::Error) => u.note_error_position(self.pos),
            Err(Unwind::Escaped) => return answer_escaped_block(u, frame.receiver),
            _ => {}
        }
        result
    }

    #[cold]
    fn resolve(&self, u: &mut Universe) -> Option<Target> {
        let target = if Class::is_class(self.lookup_class) {
            // SAFETY: kind checked.
            let class: Gc<Class> = unsafe { Gc::from_value(self.lookup_class) };
            class.lookup(self.selector).and_then(Target::of)
        } else {
            None
        };
        self.cached.set(Some((u.dispatch_epoch, target)));
        target
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.selector);
        tracer.mark_value(self.lookup_class);
        self.args.iter().for_each(|a| a.trace(tracer));
        if let Some((_, Some(target))) = self.cached.get() {
            tracer.mark_value(target.value());
        }
    }
}
