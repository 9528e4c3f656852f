//! The one-word header at the start of every heap object, and the per-kind [`TypeInfo`] it
//! points to.
//!
//! The header word of a cell is read by both the mutator (to find an object's kind) and the
//! collector (mark bit, free cells). Its encoding:
//!
//! | header word                         | meaning                                            |
//! |-------------------------------------|----------------------------------------------------|
//! | `0`                                 | a never-used cell of a size-class block            |
//! | `next_free_cell \| FREE_BIT`        | a free cell on its size class's free list          |
//! | `&'static TypeInfo \| mark bit \| preexisting bit` | an allocated object; the mark bit is set only while a collection runs, the preexisting bit only while the heap tells new objects from old ([`Heap::mark_preexisting`](super::Heap::mark_preexisting)) |
//!
//! `TypeInfo` is 8-byte aligned, so its address leaves the three low bits for `MARK_BIT`,
//! `FREE_BIT` and `PREEXISTING_BIT`. A cell therefore holds an allocated object exactly when its header word is
//! non-zero with `FREE_BIT` clear; this is what the conservative stack scan relies on to ignore
//! words pointing at free memory.

use std::cell::Cell;
use std::ptr::NonNull;

use super::tracer::Tracer;

/// What the collector needs to know about one kind of object. The VM defines one `static`
/// per kind (instance, array, string, class, method, ...).
pub struct TypeInfo {
    /// For diagnostics.
    pub name: &'static str,
    /// Reports every reference the object holds to the tracer
    /// ([`Tracer::mark_value`], [`Tracer::mark_object`]).
    pub trace: unsafe fn(NonNull<GcHeader>, &mut Tracer<'_>),
    /// Drops the Rust-owned resources (a `Vec`, a big integer, a boxed AST) of a dead object.
    /// It runs during the sweep or when the heap is dropped, in no particular order, so it must
    /// not touch any other heap object.
    pub finalize: Option<unsafe fn(NonNull<GcHeader>)>,
}

/// The first word of every heap object.
#[repr(C)]
pub struct GcHeader {
    word: Cell<usize>,
}

const _: () = assert!(
    std::mem::align_of::<TypeInfo>() >= 8,
    "the header keeps three tag bits below the TypeInfo address"
);

const MARK_BIT: usize = 0b001;
const FREE_BIT: usize = 0b010;
const PREEXISTING_BIT: usize = 0b100;
const TAG_BITS: usize = MARK_BIT | FREE_BIT | PREEXISTING_BIT;

impl GcHeader {
    /// The kind of this (allocated) object.
    #[inline(always)]
    pub fn type_info(&self) -> &'static TypeInfo {
        debug_assert!(self.is_allocated(), "type_info of a free cell");
        // SAFETY: the header of an allocated object holds the address of a `&'static TypeInfo`
        // (set by `init`) plus tag bits, which are masked off here.
        unsafe { &*((self.word.get() & !TAG_BITS) as *const TypeInfo) }
    }

    /// Turns a zero-filled cell into an unmarked object of kind `info`.
    #[inline(always)]
    pub(super) fn init(&self, info: &'static TypeInfo) {
        let word = info as *const TypeInfo as usize;
        debug_assert_eq!(
            word & TAG_BITS,
            0,
            "TypeInfo must be at least 8-byte aligned"
        );
        self.word.set(word);
    }

    /// Whether the cell starting with this header holds an object (rather than being free or
    /// never used).
    #[inline(always)]
    pub(super) fn is_allocated(&self) -> bool {
        let word = self.word.get();
        word != 0 && word & FREE_BIT == 0
    }

    #[inline(always)]
    pub(super) fn is_marked(&self) -> bool {
        self.word.get() & MARK_BIT != 0
    }

    /// Sets the mark bit; returns whether it was clear before (the object is newly reached).
    #[inline(always)]
    pub(super) fn mark(&self) -> bool {
        let word = self.word.get();
        self.word.set(word | MARK_BIT);
        word & MARK_BIT == 0
    }

    #[inline(always)]
    pub(super) fn clear_mark(&self) {
        self.word.set(self.word.get() & !MARK_BIT);
    }

    /// Whether the object existed when the heap last marked its objects as preexisting (a fresh
    /// object never has the bit: `init` writes the whole word).
    #[inline(always)]
    pub fn is_preexisting(&self) -> bool {
        self.word.get() & PREEXISTING_BIT != 0
    }

    #[inline(always)]
    pub(super) fn set_preexisting(&self, preexisting: bool) {
        let word = self.word.get() & !PREEXISTING_BIT;
        self.word
            .set(word | if preexisting { PREEXISTING_BIT } else { 0 });
    }

    /// Turns the cell into a free cell whose successor on the free list is `next`
    /// (a cell address, or 0 at the end of the list).
    #[inline(always)]
    pub(super) fn make_free(&self, next: usize) {
        self.word.set(next | FREE_BIT);
    }

    /// The successor of this free cell on its free list (0 at the end).
    #[inline(always)]
    pub(super) fn next_free(&self) -> usize {
        debug_assert!(
            self.word.get() & FREE_BIT != 0,
            "next_free of an allocated cell"
        );
        self.word.get() & !TAG_BITS
    }
}
