//! Field reads and writes on `self`, specialised on the receiver's layout: the first layout
//! seen is cached with its field offset; a second one turns the node generic (offset read from
//! the layout each time), which is always correct. Layouts carrying an environment and watched
//! layouts (installed environments, whose writes are reported) are never cached, nor layouts
//! that do not store the field in place (objects moved to a shape with fewer fields).

use super::Node;
use crate::intercession;
use crate::invokable::Frame;
use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{header_of, Gc, Layout};
use yerba_mop::Value;

/// Where a field access goes.
enum Located {
    Slot(&'static Cell<Value>),
    /// A field of an installed environment, whose writes must be reported (never cached).
    Watched(&'static Cell<Value>),
    /// A metaobject may redefine the access: the receiver carries an environment, or a global
    /// or frame environment is in effect. Also a field the receiver does not store in place
    /// (MOP shapes), which only `intercession` can serve.
    Intercepted,
}

/// The per-node layout cache shared by reads and writes.
#[derive(Default)]
pub struct FieldAccess {
    pub index: u32,
    /// Whether this site intercepts for global and frame environments (in bodies with
    /// intercession sites, and in plain bodies made intercepting while they ran,
    /// `intercession/patching.rs`); receivers' environments are always honoured.
    pub ambient: Cell<bool>,
    cached: Cell<Option<Gc<Layout>>>,
    generic: Cell<bool>,
}

impl FieldAccess {
    pub fn new(index: u32, ambient: bool) -> FieldAccess {
        FieldAccess {
            index,
            ambient: Cell::new(ambient),
            ..FieldAccess::default()
        }
    }

    /// The slot of the field in `receiver`, or whether the access is intercepted, or an error
    /// if it has no fields. Layouts carrying an environment are never cached, so the fast
    /// path is the layout check alone.
    #[inline(always)]
    fn locate(&self, u: &mut Universe, receiver: Value) -> Result<Located, crate::unwind::Unwind> {
        let Some(header) = header_of(receiver) else {
            return Err(self.no_field(u, receiver));
        };
        let layout = header.layout();
        if self.cached.get() != Some(layout) || (self.ambient.get() && u.reflection.intercepting())
        {
            return self.locate_uncached(u, receiver, layout);
        }
        // SAFETY: the cached layout was checked to store field `index` in place.
        Ok(Located::Slot(unsafe {
            layout.field_slot(receiver, self.index as usize)
        }))
    }

    #[inline(never)]
    fn locate_uncached(
        &self,
        u: &mut Universe,
        receiver: Value,
        layout: Gc<Layout>,
    ) -> Result<Located, crate::unwind::Unwind> {
        let subject_redefines = !layout.environment().is_nil() && u.at_base_level();
        if subject_redefines
            || (self.ambient.get() && u.reflection.intercepting())
            || !self.respecialize(layout)
        {
            return Ok(Located::Intercepted);
        }
        // SAFETY: `respecialize` established that the layout stores field `index` in place.
        let slot = unsafe { layout.field_slot(receiver, self.index as usize) };
        Ok(if layout.watched() {
            Located::Watched(slot)
        } else {
            Located::Slot(slot)
        })
    }

    /// Handles a layout other than the cached one; answers whether the layout stores the field
    /// in place.
    /// The layout the access is specialised on, if any.
    pub fn cached_layout(&self) -> Option<Gc<Layout>> {
        self.cached.get()
    }

    fn respecialize(&self, layout: Gc<Layout>) -> bool {
        if (self.index as usize) >= layout.field_count() {
            return false;
        }
        if self.generic.get() || !layout.environment().is_nil() || layout.watched() {
            return true;
        }
        if self.cached.get().is_some() {
            self.generic.set(true);
            self.cached.set(None);
        } else {
            self.cached.set(Some(layout));
        }
        true
    }

    #[cold]
    fn no_field(&self, u: &mut Universe, receiver: Value) -> crate::unwind::Unwind {
        intercession::missing_field(u, receiver, self.index)
    }

    fn trace(&self, tracer: &mut Tracer) {
        if let Some(layout) = self.cached.get() {
            tracer.mark_value(layout.value());
        }
    }
}

pub struct FieldRead {
    pub access: FieldAccess,
}

impl FieldRead {
    /// The cached case alone, so that it needs no stack frame; the rest is a tail call.
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let access = &self.access;
        if let Some(header) = header_of(frame.receiver) {
            let layout = header.layout();
            if access.cached.get() == Some(layout)
                && !(access.ambient.get() && u.reflection.intercepting())
            {
                // SAFETY: the cached layout was checked to store field `index` in place.
                return Ok(
                    unsafe { layout.field_slot(frame.receiver, access.index as usize) }.get(),
                );
            }
        }
        self.execute_uncached(u, frame)
    }

    #[inline(never)]
    fn execute_uncached(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        match self.access.locate(u, frame.receiver)? {
            Located::Slot(slot) | Located::Watched(slot) => Ok(slot.get()),
            Located::Intercepted => self.intercepted(u, frame.receiver),
        }
    }

    /// Out of line, so that the fast path needs no stack frame.
    #[inline(never)]
    fn intercepted(&self, u: &mut Universe, receiver: Value) -> Exec {
        intercession::read_field(u, receiver, self.access.index)
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.access.trace(tracer)
    }
}

pub struct FieldWrite {
    pub access: FieldAccess,
    pub value: Node,
}

impl FieldWrite {
    #[inline(never)]
    pub fn execute(&self, u: &mut Universe, frame: &mut Frame) -> Exec {
        let value = self.value.execute(u, frame)?;
        self.store(u, frame, value)
    }

    /// Writes the evaluated `value` to the field.
    #[inline(always)]
    pub fn store(&self, u: &mut Universe, frame: &mut Frame, value: Value) -> Exec {
        match self.access.locate(u, frame.receiver)? {
            Located::Slot(slot) => {
                slot.set(value);
                Ok(value)
            }
            Located::Watched(slot) => {
                slot.set(value);
                u.field_written(frame.receiver);
                Ok(value)
            }
            Located::Intercepted => self.intercepted(u, frame.receiver, value),
        }
    }

    /// Out of line, so that the fast path needs no stack frame.
    #[inline(never)]
    fn intercepted(&self, u: &mut Universe, receiver: Value, value: Value) -> Exec {
        intercession::write_field(u, receiver, self.access.index, value)
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        self.access.trace(tracer);
        self.value.trace(tracer);
    }
}
