//! Which method of a metaobject's class handles an operation. Answers are cached per
//! (metaobject layout, operation), including "not redefined", since a miss means walking the
//! class hierarchy twice. The cache is flushed when the dispatch epoch changes (a method added
//! to or changed in a class) and at every collection (a dead layout's address can be reused).
//! The last answer of `redefinition` per operation is kept here too.

use super::Operation;
use crate::invokable::Target;
use crate::universe::Universe;
use rustc_hash::FxHashMap;
use yerba_mop::object::{Class, Gc, Layout};
use yerba_mop::Value;

/// A metaobject's method for an operation, in the explicit or the compatible form.
#[derive(Clone, Copy)]
pub struct Handler {
    pub target: Target,
    pub explicit: bool,
    /// Whether the handler's last argument can only be answered back, never observed
    /// (`CompiledBody::passes_last_argument_through`).
    pub passes_last_argument_through: bool,
}

#[derive(Default)]
pub struct HandlerCache {
    entries: FxHashMap<(usize, u8), Option<Handler>>,
    /// Per operation, the last answer (by metaobject layout address): sites mostly meet the
    /// same metaobjects again, and this spares them the hash.
    last: [Option<(usize, Option<Handler>)>; OPERATIONS],
    /// Per operation, the last answer of `redefinition`: the metaobject and handler for a
    /// subject environment in the same global and frame environments and dispatch epoch
    /// (writes to installed environments bump the epoch).
    pub(super) last_redefinition: [Option<Redefinition>; OPERATIONS],
    epoch: u64,
}

#[derive(Clone, Copy)]
pub(super) struct Redefinition {
    pub environments: [Value; 3],
    pub epoch: u64,
    pub answer: Option<(Value, Handler)>,
}

/// How many operations there are (`Operation::id` is below).
const OPERATIONS: usize = 8;

impl HandlerCache {
    pub fn clear(&mut self) {
        self.entries.clear();
        self.last = [None; OPERATIONS];
        self.last_redefinition = [None; OPERATIONS];
    }
}

impl Universe {
    /// The handler of `operation` in metaobjects of `layout`, if their class redefines it.
    pub(super) fn handler_for(
        &mut self,
        layout: Gc<Layout>,
        operation: &Operation,
    ) -> Option<Handler> {
        if self.handler_cache.epoch != self.dispatch_epoch {
            self.handler_cache.clear();
            self.handler_cache.epoch = self.dispatch_epoch;
        }
        let address = layout.as_ptr() as usize;
        let last = &mut self.handler_cache.last[operation.id as usize];
        if let Some((cached, handler)) = *last {
            if cached == address {
                return handler;
            }
        }
        let key = (address, operation.id);
        if let Some(&handler) = self.handler_cache.entries.get(&key) {
            *last = Some((address, handler));
            return handler;
        }
        // SAFETY: layouts of SOM values always name a class.
        let class: Gc<Class> = unsafe { Gc::from_value(layout.class()) };
        let find = |u: &mut Universe, selector: &str| {
            let selector = u.symbol(selector);
            class.lookup(selector).and_then(Target::of)
        };
        let handler = |target: Target, explicit| Handler {
            target,
            explicit,
            passes_last_argument_through: matches!(target, Target::Method(method)
                if method.code().passes_last_argument_through),
        };
        let handler = match find(self, operation.explicit) {
            Some(target) => Some(handler(target, true)),
            None => find(self, operation.compatible).map(|target| handler(target, false)),
        };
        self.handler_cache.entries.insert(key, handler);
        self.handler_cache.last[operation.id as usize] = Some((address, handler));
        handler
    }
}
