//! Global variables. Each global is a cell that never moves, so a global-read node can cache
//! the cell and still see every later `global:put:`.

use rustc_hash::FxHashMap;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct GlobalCell {
    value: Cell<Value>,
    defined: Cell<bool>,
}

impl GlobalCell {
    /// The value, or `None` while the global is undefined.
    #[inline(always)]
    pub fn get(&self) -> Option<Value> {
        if self.defined.get() {
            Some(self.value.get())
        } else {
            None
        }
    }
}

#[derive(Default)]
pub struct Globals {
    cells: FxHashMap<Value, Box<GlobalCell>>,
}

impl Globals {
    /// The cell for the global named by symbol `name`, created undefined if need be. The
    /// returned pointer stays valid for the lifetime of the `Globals`.
    pub fn cell(&mut self, name: Value) -> *const GlobalCell {
        &**self.cells.entry(name).or_insert_with(|| {
            Box::new(GlobalCell {
                value: Cell::new(Value::NIL),
                defined: Cell::new(false),
            })
        })
    }

    pub fn get(&self, name: Value) -> Option<Value> {
        self.cells.get(&name).and_then(|c| c.get())
    }

    pub fn put(&mut self, name: Value, value: Value) {
        let cell = self.cell(name);
        // SAFETY: cells are boxed and never removed, so the pointer is valid.
        unsafe {
            (*cell).value.set(value);
            (*cell).defined.set(true);
        }
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        for (name, cell) in &self.cells {
            tracer.mark_value(*name);
            tracer.mark_value(cell.value.get());
        }
    }
}
