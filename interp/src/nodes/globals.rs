//! Global variable reads. The node caches the global's cell, so reads after `global:put:`
//! see the new value without any invalidation; an undefined global sends `unknownGlobal:`.

use crate::invokable::Frame;
use crate::universe::{GlobalCell, Universe};
use crate::unwind::Exec;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::Value;

pub struct GlobalRead {
    pub name: Value,
    cell: Cell<*const GlobalCell>,
}

impl GlobalRead {
    pub fn new(name: Value) -> GlobalRead {
        GlobalRead {
            name,
            cell: Cell::new(std::ptr::null()),
        }
    }

    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let mut cell = self.cell.get();
        if cell.is_null() {
            cell = u.globals.cell(self.name);
            self.cell.set(cell);
        }
        // SAFETY: global cells are never freed while the universe lives.
        match unsafe { (*cell).get() } {
            Some(value) => Ok(value),
            None => self.unknown(u, frame),
        }
    }

    #[cold]
    fn unknown(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        u.send_named("unknownGlobal:", &[frame.receiver, self.name])
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        tracer.mark_value(self.name);
    }
}
