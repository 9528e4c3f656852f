//! The dispatch chain of one send site.
//!
//! States: uninitialised (no entries) → polymorphic (up to `MAX_ENTRIES` layouts, each with
//! its resolved target or a doesNotUnderstand marker) → megamorphic (the universe's global
//! lookup cache). A change of the dispatch epoch (a method added or changed after loading)
//! flushes the entries, so a stale target never runs.

use crate::invokable::Target;
use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{Gc, Layout};
use yerba_mop::Value;

const MAX_ENTRIES: usize = 6;

#[derive(Clone, Copy)]
enum ChainTarget {
    Invoke(Target),
    DoesNotUnderstand,
}

/// One specialisation: receivers with this layout run this target.
type ChainEntry = Cell<Option<(Gc<Layout>, ChainTarget)>>;

#[derive(Default)]
pub struct DispatchChain {
    entries: [ChainEntry; MAX_ENTRIES],
    megamorphic: Cell<bool>,
    epoch: Cell<u64>,
}

impl DispatchChain {
    /// Sends `selector` to `args[0]`.
    #[inline(always)]
    pub fn dispatch(&self, u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
        let layout = u.layout_of(args[0]);
        if self.epoch.get() == u.dispatch_epoch {
            for entry in &self.entries {
                match entry.get() {
                    Some((cached, target)) if cached == layout => {
                        return invoke(target, u, selector, args)
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        self.miss(u, selector, layout, args)
    }

    /// Extends the chain with the receiver's layout, or goes megamorphic when it is full.
    #[cold]
    #[inline(never)]
    fn miss(&self, u: &mut Universe, selector: Value, layout: Gc<Layout>, args: &[Value]) -> Exec {
        if self.epoch.get() != u.dispatch_epoch {
            self.entries.iter().for_each(|e| e.set(None));
            self.megamorphic.set(false);
            self.epoch.set(u.dispatch_epoch);
        }
        let target = match u.lookup(layout, selector) {
            Some(target) => ChainTarget::Invoke(target),
            None => ChainTarget::DoesNotUnderstand,
        };
        if !self.megamorphic.get() {
            match self.entries.iter().find(|e| e.get().is_none()) {
                Some(free) => free.set(Some((layout, target))),
                None => self.megamorphic.set(true),
            }
        }
        invoke(target, u, selector, args)
    }

    /// How many layouts the chain has specialised on, and whether it went megamorphic.
    pub fn state(&self) -> (usize, bool) {
        (
            self.entries.iter().filter(|e| e.get().is_some()).count(),
            self.megamorphic.get(),
        )
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        for entry in &self.entries {
            if let Some((layout, target)) = entry.get() {
                tracer.mark_value(layout.value());
                if let ChainTarget::Invoke(target) = target {
                    tracer.mark_value(target.value());
                }
            }
        }
    }
}

#[inline(always)]
fn invoke(target: ChainTarget, u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
    match target {
        ChainTarget::Invoke(target) => target.invoke(u, args),
        ChainTarget::DoesNotUnderstand => u.send_does_not_understand(selector, args),
    }
}
