//! The dispatch chain of one send site.
//!
//! States: uninitialised (no entries) → polymorphic (up to `MAX_ENTRIES` layouts, each with
//! what receivers of that layout run) → megamorphic (the universe's global lookup cache). A
//! change of the dispatch epoch (a method added or changed after loading) flushes the entries,
//! so a stale target never runs.
//!
//! The chain is also the send's intercession site (MOP): layouts carrying an environment are
//! never cached, and while a global or frame environment is in effect the chain's key does not
//! match, so such sends fall through the entries to the site's `intercession::SendCache`.
//!
//! An entry is specialised on its target: a method is activated, a primitive called directly,
//! and a trivial method (a getter, a setter, a constant) is inlined into the entry and runs
//! without an activation, since the entry's layout already fixes where the field lives.

use crate::intercession;
use crate::invokable::{
    activate_block, activate_method, Block, Method, Primitive, PrimitiveFn, Target, Trivial,
};
use crate::primitives::is_block_evaluation;
use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{header_of, Gc, Layout};
use yerba_mop::Value;

const MAX_ENTRIES: usize = 6;

/// What receivers of one layout run at this site.
#[derive(Clone, Copy)]
enum Cached {
    Method(Gc<Method>),
    Primitive(PrimitiveFn),
    /// The evaluation primitive of blocks, for receivers with a real block's layout:
    /// activates the block directly when the number of arguments fits.
    Block(PrimitiveFn),
    /// A primitive the VM does not implement: calling it reports the error.
    MissingPrimitive(Gc<Primitive>),
    /// `^field`: reads the slot at this byte offset from the receiver.
    Getter(u32),
    /// `field := arg` (answering self) or `^field := arg` (answering arg).
    Setter {
        offset: u32,
        answers_argument: bool,
    },
    /// `^literal` or an empty method (answers self).
    Constant(Value),
    SelfReturn,
    DoesNotUnderstand,
}

impl Cached {
    /// How a receiver with `layout` runs `target`.
    fn specialise(u: &Universe, layout: Gc<Layout>, target: Option<Target>) -> Cached {
        let method = match target {
            None => return Cached::DoesNotUnderstand,
            Some(Target::Primitive(primitive)) => {
                return match primitive.function() {
                    Some(function)
                        if is_block_evaluation(function) && u.layouts.blocks.contains(&layout) =>
                    {
                        Cached::Block(function)
                    }
                    Some(function) => Cached::Primitive(function),
                    None => Cached::MissingPrimitive(primitive),
                }
            }
            Some(Target::Method(method)) => method,
        };
        // Objects carrying an environment run their accessors for real: their field accesses
        // are intercession sites. Writes to watched objects must be reported.
        let field_offset = |index: u32| {
            ((index as usize) < layout.field_count() && layout.environment().is_nil())
                .then(|| (layout.fields_offset() + index as usize * 8) as u32)
        };
        match method.code().trivial() {
            Some(Trivial::Getter(index)) => field_offset(index).map(Cached::Getter),
            Some(Trivial::Setter {
                index,
                answers_argument,
            }) if !layout.watched() => field_offset(index).map(|offset| Cached::Setter {
                offset,
                answers_argument,
            }),
            Some(Trivial::Constant(value)) => Some(Cached::Constant(value)),
            Some(Trivial::SelfReturn) => Some(Cached::SelfReturn),
            Some(Trivial::Setter { .. }) | None => None,
        }
        .unwrap_or(Cached::Method(method))
    }

    #[inline(always)]
    fn invoke(self, u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
        match self {
            Cached::Method(method) => activate_method(u, method, args),
            Cached::Primitive(function) => function(u, args),
            Cached::Block(evaluate) => {
                // SAFETY: only receivers with a real block's layout reach this entry.
                let block: Gc<Block> = unsafe { Gc::from_value(args[0]) };
                if block.code().arity + 1 == args.len() {
                    activate_block(u, block, args)
                } else {
                    evaluate(u, args)
                }
            }
            Cached::Getter(offset) => Ok(field_at(args[0], offset).get()),
            Cached::Setter {
                offset,
                answers_argument,
            } => {
                field_at(args[0], offset).set(args[1]);
                Ok(if answers_argument { args[1] } else { args[0] })
            }
            Cached::Constant(value) => Ok(value),
            Cached::SelfReturn => Ok(args[0]),
            Cached::MissingPrimitive(primitive) => primitive.call(u, args),
            Cached::DoesNotUnderstand => u.send_does_not_understand(selector, args),
        }
    }

    fn trace(self, tracer: &mut Tracer) {
        match self {
            Cached::Method(method) => tracer.mark_value(method.value()),
            Cached::MissingPrimitive(primitive) => tracer.mark_value(primitive.value()),
            Cached::Constant(value) => tracer.mark_value(value),
            Cached::Primitive(_)
            | Cached::Block(_)
            | Cached::Getter(_)
            | Cached::Setter { .. }
            | Cached::SelfReturn
            | Cached::DoesNotUnderstand => {}
        }
    }
}

/// A chain's entries in order: receivers with the layout run the target.
pub type ChainEntries = Vec<(Gc<Layout>, ChainTarget)>;

/// What an entry of a chain runs, as native code sees it ([`DispatchChain::snapshot`]).
#[derive(Clone, Copy)]
pub enum ChainTarget {
    Method(Gc<Method>),
    Primitive(PrimitiveFn),
    Getter(u32),
    Setter {
        offset: u32,
        answers_argument: bool,
    },
    Constant(Value),
    SelfReturn,
    /// A real block receiving its evaluation message (`value`, `value:`, ...).
    Block,
    /// Anything else: native code sends through the chain.
    Other,
}

impl Cached {
    fn as_target(self) -> ChainTarget {
        match self {
            Cached::Method(method) => ChainTarget::Method(method),
            Cached::Primitive(function) => ChainTarget::Primitive(function),
            Cached::Getter(offset) => ChainTarget::Getter(offset),
            Cached::Setter {
                offset,
                answers_argument,
            } => ChainTarget::Setter {
                offset,
                answers_argument,
            },
            Cached::Constant(value) => ChainTarget::Constant(value),
            Cached::SelfReturn => ChainTarget::SelfReturn,
            Cached::Block(_) => ChainTarget::Block,
            Cached::MissingPrimitive(_) | Cached::DoesNotUnderstand => ChainTarget::Other,
        }
    }
}

/// A trivial method (`^field`, `field := arg`, `^literal`, empty) specialised for receivers of
/// one layout, run without an activation: what intercepted sends use when no metaobject may
/// redefine the callee's operations.
#[derive(Clone, Copy)]
pub struct Inlined(Cached);

impl Inlined {
    pub fn of(u: &Universe, layout: Gc<Layout>, target: Target) -> Option<Inlined> {
        match Cached::specialise(u, layout, Some(target)) {
            cached @ (Cached::Getter(_)
            | Cached::Setter { .. }
            | Cached::Constant(_)
            | Cached::SelfReturn) => Some(Inlined(cached)),
            _ => None,
        }
    }

    /// Runs the method for `args` (`args[0]` of the layout it was specialised for).
    #[inline(always)]
    pub fn run(self, u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
        self.0.invoke(u, selector, args)
    }

    pub fn trace(self, tracer: &mut Tracer) {
        self.0.trace(tracer)
    }
}

/// The field slot `offset` bytes into `object`.
#[inline(always)]
fn field_at(object: Value, offset: u32) -> &'static Cell<Value> {
    // SAFETY: entries with a field offset are only reached for receivers of the layout the
    // offset was computed from, which has the field.
    unsafe { &*((object.bits() as usize + offset as usize) as *const Cell<Value>) }
}

/// The field slot `offset` bytes into `receiver`, if `receiver` has `layout`.
#[inline(always)]
fn slot_if_of_layout(
    receiver: Value,
    layout: Gc<Layout>,
    offset: u32,
) -> Option<&'static Cell<Value>> {
    (header_of(receiver)?.layout() == layout).then(|| field_at(receiver, offset))
}

/// What a monomorphic getter or setter entry does with its field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldOperation {
    Read,
    Write,
}

/// One specialisation: receivers with this layout run this.
type ChainEntry = Cell<Option<(Gc<Layout>, Cached)>>;

#[derive(Default)]
pub struct DispatchChain {
    entries: [ChainEntry; MAX_ENTRIES],
    megamorphic: Cell<bool>,
    epoch: Cell<u64>,
    /// The sends that go through intercession.
    reflective: intercession::SendCache,
}

impl DispatchChain {
    /// Sends `selector` to `args[0]`.
    #[inline(always)]
    pub fn dispatch(&self, u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
        let layout = u.layout_of(args[0]);
        if self.epoch.get() == u.dispatch_key() {
            for entry in &self.entries {
                match entry.get() {
                    Some((cached, target)) if cached == layout => {
                        return target.invoke(u, selector, args)
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        if u.intercepts_send(layout) {
            return self.reflective.send(u, selector, layout, args);
        }
        self.miss(u, selector, layout, args)
    }

    /// Extends the chain with the receiver's layout, or goes megamorphic when it is full.
    #[cold]
    #[inline(never)]
    fn miss(&self, u: &mut Universe, selector: Value, layout: Gc<Layout>, args: &[Value]) -> Exec {
        if self.epoch.get() != u.dispatch_key() {
            self.entries.iter().for_each(|e| e.set(None));
            self.megamorphic.set(false);
            self.epoch.set(u.dispatch_key());
        }
        let target = u.lookup(layout, selector);
        if self.megamorphic.get() {
            return match target {
                Some(target) => target.invoke(u, args),
                None => u.send_does_not_understand(selector, args),
            };
        }
        let cached = Cached::specialise(u, layout, target);
        match self.entries.iter().find(|e| e.get().is_none()) {
            Some(free) => free.set(Some((layout, cached))),
            None => self.megamorphic.set(true),
        }
        cached.invoke(u, selector, args)
    }

    /// The chain as it is now, for native code that treats it as a constant: the dispatch key
    /// its entries are valid for, and the entries in order; `None` when megamorphic or empty.
    pub fn snapshot(&self) -> Option<(u64, ChainEntries)> {
        if self.megamorphic.get() {
            return None;
        }
        let entries: Vec<_> = self
            .entries
            .iter()
            .map_while(|e| e.get())
            .map(|(layout, cached)| (layout, cached.as_target()))
            .collect();
        (!entries.is_empty()).then(|| (self.epoch.get(), entries))
    }

    /// The field access of the chain's only entry, if that entry is a getter or a setter.
    pub fn monomorphic_field_operation(&self) -> Option<FieldOperation> {
        if self.entries[1].get().is_some() || self.megamorphic.get() {
            return None;
        }
        match self.entries[0].get()? {
            (_, Cached::Getter(_)) => Some(FieldOperation::Read),
            (_, Cached::Setter { .. }) => Some(FieldOperation::Write),
            _ => None,
        }
    }

    /// For a chain whose first entry is a getter: the field slot of `receiver`, if `receiver`
    /// has that entry's layout and the entry is still a valid getter.
    #[inline(always)]
    pub fn getter_slot_of(&self, u: &Universe, receiver: Value) -> Option<&'static Cell<Value>> {
        match self.valid_first_entry(u)? {
            (layout, Cached::Getter(offset)) => slot_if_of_layout(receiver, layout, offset),
            _ => None,
        }
    }

    /// For a chain whose first entry is a setter: the field slot of `receiver` and whether the
    /// setter answers its argument, if `receiver` has that entry's layout and the entry is
    /// still a valid setter.
    #[inline(always)]
    pub fn setter_slot_of(
        &self,
        u: &Universe,
        receiver: Value,
    ) -> Option<(&'static Cell<Value>, bool)> {
        match self.valid_first_entry(u)? {
            (
                layout,
                Cached::Setter {
                    offset,
                    answers_argument,
                },
            ) => slot_if_of_layout(receiver, layout, offset).map(|slot| (slot, answers_argument)),
            _ => None,
        }
    }

    /// The first entry, if the chain is valid for the current dispatch key. The epoch first:
    /// while sends are intercepted, it is what fails.
    #[inline(always)]
    fn valid_first_entry(&self, u: &Universe) -> Option<(Gc<Layout>, Cached)> {
        if self.epoch.get() != u.dispatch_key() {
            return None;
        }
        self.entries[0].get()
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        for entry in &self.entries {
            if let Some((layout, cached)) = entry.get() {
                tracer.mark_value(layout.value());
                cached.trace(tracer);
            }
        }
        self.reflective.trace(tracer);
    }
}
