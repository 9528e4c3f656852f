//! Layouts carrying environments (MOP.md section 2). Installing an environment on an object
//! moves it to a sibling of its plain layout: same class, same field storage, plus the
//! environment. Siblings are shared, one per (plain layout, environment), so all objects of a
//! class with one environment have one layout and the nodes' layout caches cover them. The
//! table holds its siblings weakly: one that no object, cache or shape uses dies.
//!
//! Environments themselves get watched siblings when installed: writes to their slots flush
//! the caches that depend on them, so caches need not re-read the slots (MOP.md section 5).

use super::{fatal_out_of_memory, Universe};
use crate::intercession::{self, FIELD_OPERATIONS, VARIABLE_OPERATIONS};
use rustc_hash::FxHashMap;
use std::cell::Cell;
use yerba_mop::object::{header_of, Gc, Layout};
use yerba_mop::Value;

#[derive(Default)]
pub struct EnvironmentLayouts {
    /// (plain layout, environment, watched) → the sibling layout.
    siblings: FxHashMap<(Value, Value, bool), Gc<Layout>>,
}

impl EnvironmentLayouts {
    /// Forgets the siblings that did not survive a collection.
    pub fn drop_dead(&mut self, survives: &dyn Fn(Value) -> bool) {
        self.siblings.retain(|_, sibling| survives(sibling.value()));
    }
}

impl Universe {
    /// The layout like `layout` (same class and storage, watched if it is) with `environment`;
    /// nil gives the layout without one.
    pub fn layout_with_environment(
        &mut self,
        layout: Gc<Layout>,
        environment: Value,
    ) -> Gc<Layout> {
        self.sibling(layout, environment, layout.watched())
    }

    /// `environment` is about to be installed on an object, a shape or globally: it becomes
    /// watched, and if it may redefine a variable or return operation, the activations running
    /// already intercept them from now on (`intercession/patching.rs`), as do the blocks made
    /// before.
    pub fn watch_environment(&mut self, environment: Value) {
        self.watch(environment);
        self.environment_reaches_objects(environment);
    }

    /// `environment`, already watched, is about to apply to objects that may be the receivers of
    /// running activations (installed on one, or given to one with its shape by
    /// `changeShape:`): if it may redefine a variable or return operation, those activations
    /// intercept them from now on (`intercession/patching.rs`), as do the blocks made before.
    pub fn environment_reaches_objects(&mut self, environment: Value) {
        let this_epoch = (environment, self.dispatch_epoch);
        if self.reflection.last_without_variables == this_epoch {
            return;
        }
        if intercession::environment_redefines(self, environment, VARIABLE_OPERATIONS) {
            self.intercept_running_activations();
            self.reflection.receivers_redefine_variables();
        } else {
            self.reflection.last_without_variables = this_epoch;
        }
    }

    /// Makes `environment`, about to be installed somewhere, report the writes to its slots:
    /// it moves to the watched sibling of its layout, so that no node's layout cache covers it
    /// and every write reaches [`Universe::field_written`]. Environments are watched from their
    /// first installation on, so that filling a new one costs nothing.
    pub fn watch(&mut self, environment: Value) {
        let Some(header) = header_of(environment) else {
            return;
        };
        let layout = header.layout();
        if !layout.watched() {
            let watched = self.sibling(layout, layout.environment(), true);
            header.set_layout(watched);
        }
    }

    /// The layout `layout` must take instead of `shape` to keep being watched.
    pub fn keep_watched(&mut self, layout: Gc<Layout>, shape: Gc<Layout>) -> Gc<Layout> {
        if layout.watched() && !shape.watched() {
            self.sibling(shape, shape.environment(), true)
        } else {
            shape
        }
    }

    /// Stores `value` in `slot`, a field of `object`, reporting the write if `object` is
    /// watched (for the paths that do not know in advance, such as `instVarAt:put:`).
    pub fn store_field(&mut self, object: Value, slot: &Cell<Value>, value: Value) {
        slot.set(value);
        if header_of(object).is_some_and(|header| header.layout().watched()) {
            self.field_written(object);
        }
    }

    /// A write to a field of `environment`, an object with a watched layout (an installed
    /// environment), changes what metaobjects apply: every cache built on the old slots is
    /// flushed, and if the environment may now redefine an operation that plain bodies do not
    /// intercept, the running activations intercept it from now on, as if it had just been
    /// installed (wherever it is installed: on objects, on frames or globally).
    #[cold]
    pub fn field_written(&mut self, environment: Value) {
        self.invalidate_dispatch_caches();
        let variables = intercession::environment_redefines(self, environment, VARIABLE_OPERATIONS);
        if variables || intercession::environment_redefines(self, environment, FIELD_OPERATIONS) {
            self.intercept_running_activations();
        }
        if variables {
            self.reflection.receivers_redefine_variables();
        }
    }

    /// The core layout that `layout` (itself or a sibling of it) is, if it is one: such a layout
    /// belongs to one kind of object the VM represents in its own way (blocks, strings,
    /// methods, ...), and the VM relies on it (a send site evaluates a receiver with a block's
    /// layout as a block). `None` for the layouts of plain instances and of classes.
    pub fn reserved_layout(&self, layout: Gc<Layout>) -> Option<Gc<Layout>> {
        let plain = layout.plain().unwrap_or(layout);
        self.layouts.all().into_iter().find(|core| *core == plain)
    }

    fn sibling(&mut self, layout: Gc<Layout>, environment: Value, watched: bool) -> Gc<Layout> {
        let plain = layout.plain().unwrap_or(layout);
        if environment.is_nil() && !watched {
            return plain;
        }
        let key = (plain.value(), environment, watched);
        if let Some(&sibling) = self.environment_layouts.siblings.get(&key) {
            return sibling;
        }
        let sibling = Layout::allocate_sibling(self, plain, environment, watched)
            .unwrap_or_else(|e| fatal_out_of_memory(e));
        self.environment_layouts.siblings.insert(key, sibling);
        sibling
    }
}
