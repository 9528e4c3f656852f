//! Which method of a metaobject's class handles an operation. Answers are cached per
//! (metaobject layout, operation), including "not redefined", since a miss means walking the
//! class hierarchy twice. The cache is flushed when the dispatch epoch changes (a method added
//! to or changed in a class) and at every collection (a dead layout's address can be reused).

use super::Operation;
use crate::invokable::Target;
use crate::universe::Universe;
use rustc_hash::FxHashMap;
use yerba_mop::object::{Class, Gc, Layout};

/// A metaobject's method for an operation, in the explicit or the compatible form.
#[derive(Clone, Copy)]
pub struct Handler {
    pub target: Target,
    pub explicit: bool,
}

#[derive(Default)]
pub struct HandlerCache {
    entries: FxHashMap<(usize, u8), Option<Handler>>,
    epoch: u64,
}

impl HandlerCache {
    pub fn clear(&mut self) {
        self.entries.clear();
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
        let key = (layout.as_ptr() as usize, operation.id);
        if let Some(&handler) = self.handler_cache.entries.get(&key) {
            return handler;
        }
        // SAFETY: layouts of SOM values always name a class.
        let class: Gc<Class> = unsafe { Gc::from_value(layout.class()) };
        let find = |u: &mut Universe, selector: &str| {
            let selector = u.symbol(selector);
            class.lookup(selector).and_then(Target::of)
        };
        let handler = match find(self, operation.explicit) {
            Some(target) => Some(Handler {
                target,
                explicit: true,
            }),
            None => find(self, operation.compatible).map(|target| Handler {
                target,
                explicit: false,
            }),
        };
        self.handler_cache.entries.insert(key, handler);
        handler
    }
}
