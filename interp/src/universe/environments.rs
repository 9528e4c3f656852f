//! Layouts carrying environments (MOP.md section 2). Installing an environment on an object
//! moves it to a sibling of its plain layout: same class, same field storage, plus the
//! environment. Siblings are shared, one per (plain layout, environment), so all objects of a
//! class with one environment have one layout and the nodes' layout caches cover them. The
//! table holds its siblings weakly: one that no object, cache or shape uses dies.

use super::{fatal_out_of_memory, Universe};
use rustc_hash::FxHashMap;
use yerba_mop::object::{Gc, Layout};
use yerba_mop::Value;

#[derive(Default)]
pub struct EnvironmentLayouts {
    /// (plain layout, environment) → the sibling layout.
    siblings: FxHashMap<(Value, Value), Gc<Layout>>,
}

impl EnvironmentLayouts {
    /// Forgets the siblings that did not survive a collection.
    pub fn drop_dead(&mut self, survives: &dyn Fn(Value) -> bool) {
        self.siblings.retain(|_, sibling| survives(sibling.value()));
    }
}

impl Universe {
    /// The layout like `layout` (same class and storage) with `environment`; nil gives the
    /// plain layout.
    pub fn layout_with_environment(
        &mut self,
        layout: Gc<Layout>,
        environment: Value,
    ) -> Gc<Layout> {
        let plain = layout.plain().unwrap_or(layout);
        if environment.is_nil() {
            return plain;
        }
        let key = (plain.value(), environment);
        if let Some(&sibling) = self.environment_layouts.siblings.get(&key) {
            return sibling;
        }
        let sibling = Layout::allocate_sibling(self, plain, environment)
            .unwrap_or_else(|e| fatal_out_of_memory(e));
        self.environment_layouts.siblings.insert(key, sibling);
        sibling
    }
}
