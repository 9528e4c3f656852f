//! Sends issued from Rust (primitives like `perform:`, the program entry, the DNU path) and the
//! global lookup cache that also serves megamorphic send sites.

use super::Universe;
use crate::intercession;
use crate::invokable::Target;
use crate::unwind::Exec;
use yerba_mop::object::{Class, Gc, Layout};
use yerba_mop::Value;

const CACHE_SIZE: usize = 1024;

/// The selectors of the methods that the numeric fast paths of binary operators stand for,
/// looked up from Integer, Double, True and False: the operators, and what the library's
/// definitions of some of them send (`~=` sends `==` and `not`, `==` sends `class`, the
/// standard library's `>` sends `<>`).
const NUMERIC_FAST_PATH_SELECTORS: &[&str] = &[
    "+", "-", "*", "/", "%", "<", ">", "<=", ">=", "=", "~=", "==", "<>", "not", "class",
];

/// A direct-mapped cache of (layout, selector) → target. Cleared on every collection and
/// whenever the dispatch epoch changes, so it never holds a stale or dead entry.
/// (receiver layout, selector, target).
type CacheEntry = Option<(Gc<Layout>, Value, Target)>;

pub struct LookupCache {
    entries: Box<[CacheEntry]>,
    epoch: u64,
}

impl Default for LookupCache {
    fn default() -> LookupCache {
        LookupCache {
            entries: vec![None; CACHE_SIZE].into_boxed_slice(),
            epoch: 0,
        }
    }
}

impl LookupCache {
    pub fn clear(&mut self) {
        self.entries.iter_mut().for_each(|e| *e = None);
    }

    fn index(layout: Gc<Layout>, selector: Value) -> usize {
        let mixed =
            (layout.as_ptr() as u64 >> 4) ^ (selector.bits() >> 4).wrapping_mul(0x9E37_79B9);
        (mixed as usize) % CACHE_SIZE
    }
}

impl Universe {
    /// The method a receiver with `layout` runs for `selector`, or `None` if it has none.
    #[inline]
    pub fn lookup(&mut self, layout: Gc<Layout>, selector: Value) -> Option<Target> {
        if self.lookup_cache.epoch != self.dispatch_epoch {
            self.lookup_cache.clear();
            self.lookup_cache.epoch = self.dispatch_epoch;
        }
        let index = LookupCache::index(layout, selector);
        if let Some((l, s, target)) = self.lookup_cache.entries[index] {
            if l == layout && s == selector {
                return Some(target);
            }
        }
        // SAFETY: layouts of SOM values always name a class.
        let class: Gc<Class> = unsafe { Gc::from_value(layout.class()) };
        let target = class.lookup(selector).and_then(Target::of)?;
        self.lookup_cache.entries[index] = Some((layout, selector, target));
        Some(target)
    }

    /// `method` was added to a class or replaced one after loading, for `selector`: every
    /// dispatch cache is flushed, and if numbers or booleans now run it for a selector the
    /// numeric fast paths stand for, binary operators on numbers send their messages from now
    /// on. The cost lies on this rare event: the fast paths test one flag they test anyway.
    pub fn method_installed(&mut self, selector: Value, method: Value) {
        self.invalidate_dispatch_caches();
        if !NUMERIC_FAST_PATH_SELECTORS.contains(&self.text_of(selector)) {
            return;
        }
        let core = &self.core;
        let receivers = [core.integer, core.double, core.true_class, core.false_class];
        if receivers
            .iter()
            .any(|class| class.lookup(selector) == Some(method))
        {
            self.reflection.numeric_methods_redefined();
        }
    }

    /// Whether a send to a receiver with `layout` goes through intercession (MOP): the
    /// receiver carries an environment, or a global or frame environment is in effect.
    #[inline(always)]
    pub fn intercepts_send(&self, layout: Gc<Layout>) -> bool {
        self.reflection.intercepting() || (!layout.environment().is_nil() && self.at_base_level())
    }

    /// Sends `selector` to `args[0]` with the other arguments, as a normal send.
    pub fn send(&mut self, selector: Value, args: &[Value]) -> Exec {
        let layout = self.layout_of(args[0]);
        if self.intercepts_send(layout) {
            return intercession::send(self, selector, args);
        }
        match self.lookup(layout, selector) {
            Some(target) => target.invoke(self, args),
            None => self.send_does_not_understand(selector, args),
        }
    }

    /// Sends `selector` with `args` looked up from `class` (super sends, `perform:inSuperclass:`).
    pub fn send_from_class(&mut self, class: Gc<Class>, selector: Value, args: &[Value]) -> Exec {
        if self.intercepts_send(self.layout_of(args[0])) {
            return intercession::send_from_class(self, class, selector, args);
        }
        match class.lookup(selector).and_then(Target::of) {
            Some(target) => target.invoke(self, args),
            None => self.send_does_not_understand(selector, args),
        }
    }

    /// `doesNotUnderstand: selector arguments: anArray` to the receiver `args[0]`.
    #[cold]
    pub fn send_does_not_understand(&mut self, selector: Value, args: &[Value]) -> Exec {
        let arguments = self.new_array_from(&args[1..]);
        let dnu = self.symbol("doesNotUnderstand:arguments:");
        let layout = self.layout_of(args[0]);
        if self.intercepts_send(layout) {
            return intercession::send(self, dnu, &[args[0], selector, arguments]);
        }
        match self.lookup(layout, dnu) {
            Some(target) => target.invoke(self, &[args[0], selector, arguments]),
            None => {
                let text = format!(
                    "Method {} not found in class {}, and it has no doesNotUnderstand:arguments:",
                    self.text_of(selector),
                    self.class_name(layout.class())
                );
                Err(self.vm_error(text))
            }
        }
    }

    /// Sends a unary message by name; for the VM's own calls into the library.
    pub fn send_named(&mut self, selector: &str, args: &[Value]) -> Exec {
        let selector = self.symbol(selector);
        self.send(selector, args)
    }
}
