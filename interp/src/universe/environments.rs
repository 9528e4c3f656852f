//! Sibling layouts (MOP.md section 2): layouts like a plain layout (same class and shape) that
//! carry an environment, are watched, or are fitted to objects with another storage.
//!
//! Installing an environment on an object moves it to a sibling of its plain layout: same
//! class, same field storage, plus the environment. Siblings are shared, one per (plain layout,
//! environment, watched, storage), so all objects of a class with one environment have one
//! layout and the nodes' layout caches cover them. The table holds its siblings weakly: one that
//! no object, cache or shape uses dies.
//!
//! Environments themselves get watched siblings when installed: writes to their slots flush
//! the caches that depend on them, so caches need not re-read the slots (MOP.md section 5).
//!
//! `changeShape:` moves an object to a shape with any number of fields, but objects never grow
//! or shrink: the object takes the sibling of the shape fitted to its own storage, which stores
//! in place only the fields both have (see `Layout::field_count`). Smalltalk never sees fitted
//! layouts: `shape` answers the shape they were fitted from.

use super::{fatal_out_of_memory, Universe};
use crate::intercession::{self, FIELD_OPERATIONS, VARIABLE_OPERATIONS};
use crate::unwind::{Exec, Unwind};
use rustc_hash::FxHashMap;
use std::cell::Cell;
use yerba_mop::object::{header_of, Class, Gc, Layout};
use yerba_mop::Value;

#[derive(Default)]
pub struct EnvironmentLayouts {
    /// (plain layout, environment, watched, storage) → the sibling layout.
    siblings: FxHashMap<(Value, Value, bool, u32), Gc<Layout>>,
}

impl EnvironmentLayouts {
    /// Forgets the siblings that did not survive a collection.
    pub fn drop_dead(&mut self, survives: &dyn Fn(Value) -> bool) {
        self.siblings.retain(|_, sibling| survives(sibling.value()));
    }
}

impl Universe {
    /// The layout like `layout` (same class, shape and storage, watched if it is) with
    /// `environment`; nil gives the layout without one.
    pub fn layout_with_environment(
        &mut self,
        layout: Gc<Layout>,
        environment: Value,
    ) -> Gc<Layout> {
        self.sibling(layout, environment, layout.watched(), layout.storage())
    }

    /// The shape of the objects with `layout`, as Smalltalk sees it: `layout` itself, or the
    /// layout it was fitted from, with storage for all the shape's fields.
    pub fn shape_of(&mut self, layout: Gc<Layout>) -> Gc<Layout> {
        let full = layout.plain().unwrap_or(layout).storage();
        self.sibling(layout, layout.environment(), layout.watched(), full)
    }

    /// The layout an object with layout `current` takes when it moves to `shape`: the shape
    /// fitted to the object's storage, and watched if the object is.
    pub fn layout_for_move(&mut self, current: Gc<Layout>, shape: Gc<Layout>) -> Gc<Layout> {
        let watched = current.watched() || shape.watched();
        self.sibling(shape, shape.environment(), watched, current.storage())
    }

    /// Checks that `environment` can be installed by `selector` (on `receiver`): nil or an
    /// environment, an instance of `EnvironmentMO` or of a subclass. Otherwise `error:` is sent
    /// to the receiver at once, rather than letting the metaobject lookups fail later.
    pub fn check_environment(
        &mut self,
        receiver: Value,
        selector: &str,
        environment: Value,
    ) -> Result<(), Unwind> {
        if environment.is_nil() || self.is_environment(environment)? {
            return Ok(());
        }
        Err(self.not_an_environment(receiver, selector, environment))
    }

    fn is_environment(&mut self, value: Value) -> Result<bool, Unwind> {
        let name = self.symbol("EnvironmentMO");
        let Some(environment_class) = self.load_class(name)? else {
            return Ok(false);
        };
        let mut class = self.class_of(value).value();
        while Class::is_class(class) {
            if class == environment_class {
                return Ok(true);
            }
            // SAFETY: kind checked by the loop condition.
            class = unsafe { Gc::<Class>::from_value(class) }.superclass();
        }
        Ok(false)
    }

    #[cold]
    fn not_an_environment(
        &mut self,
        receiver: Value,
        selector: &str,
        environment: Value,
    ) -> Unwind {
        let text = format!(
            "{selector} needs an EnvironmentMO (or nil, for none), not an instance of {}.",
            self.class_name(self.class_of(environment).value())
        );
        let text = self.new_string(&text);
        let error = self.symbol("error:");
        let answer: Exec = self.send(error, &[receiver, text]);
        match answer {
            Err(unwind) => unwind,
            Ok(_) => self.vm_error(format!("error: returned after a bad {selector}")),
        }
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
            let watched = self.sibling(layout, layout.environment(), true, layout.storage());
            header.set_layout(watched);
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
        if !layout.reserved() {
            return None;
        }
        let plain = layout.plain().unwrap_or(layout);
        self.layouts.all().into_iter().find(|core| *core == plain)
    }

    /// The sibling of `layout`'s plain layout with `environment`, `watched` and `storage`.
    fn sibling(
        &mut self,
        layout: Gc<Layout>,
        environment: Value,
        watched: bool,
        storage: usize,
    ) -> Gc<Layout> {
        let plain = layout.plain().unwrap_or(layout);
        if environment.is_nil() && !watched && storage == plain.storage() {
            return plain;
        }
        let key = (plain.value(), environment, watched, storage as u32);
        if let Some(&sibling) = self.environment_layouts.siblings.get(&key) {
            return sibling;
        }
        // No memory policy may run between the lookup and the insertion and make the sibling.
        let sibling = self
            .without_collections(|u| {
                Layout::allocate_sibling(u, plain, environment, watched, storage)
            })
            .unwrap_or_else(|e| fatal_out_of_memory(e));
        self.environment_layouts.siblings.insert(key, sibling);
        sibling
    }
}
