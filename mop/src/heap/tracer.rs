//! Marking: the tracer that roots and [`TypeInfo::trace`](super::TypeInfo) functions report
//! references to.
//!
//! Marking an object sets the mark bit in its header and pushes it on an explicit mark stack;
//! [`Tracer::trace_transitively`] then pops objects and runs their trace functions until the
//! stack is empty. Nothing recurses, so the depth of the object graph (a linked list of
//! millions of nodes) costs mark-stack entries on the Rust heap, never machine stack.
//!
//! References reported by roots and trace functions are precise: they must be the header
//! address of an allocated object (checked in debug builds). Words found on the machine stack
//! are ambiguous and go through [`Tracer::mark_ambiguous_word`], which looks them up first.

use std::ptr::NonNull;

use super::header::GcHeader;
use super::Heap;
use crate::value::Value;

pub struct Tracer<'h> {
    heap: &'h Heap,
    mark_stack: Vec<NonNull<GcHeader>>,
}

impl<'h> Tracer<'h> {
    /// A tracer marking objects of `heap`; `mark_stack` is an empty vector to reuse.
    pub(super) fn new(heap: &'h Heap, mark_stack: Vec<NonNull<GcHeader>>) -> Tracer<'h> {
        debug_assert!(mark_stack.is_empty());
        Tracer { heap, mark_stack }
    }

    /// Marks the object `v` refers to, if it is a pointer.
    #[inline]
    pub fn mark_value(&mut self, v: Value) {
        if let Some(addr) = v.as_pointer() {
            // `as_pointer` never yields 0, so the object is always marked.
            if let Some(object) = NonNull::new(addr as *mut GcHeader) {
                self.mark_object(object);
            }
        }
    }

    /// Marks the object `o`, the header address of an allocated object of this heap.
    #[inline]
    pub fn mark_object(&mut self, o: NonNull<GcHeader>) {
        debug_assert_eq!(
            self.heap.find_object(o.as_ptr() as usize),
            Some(o),
            "traced a reference to a free cell or to memory outside the heap"
        );
        // SAFETY: roots and trace functions report only allocated objects of this heap (see
        // the module documentation), whose first word is a header.
        if unsafe { o.as_ref() }.mark() {
            self.mark_stack.push(o);
        }
    }

    /// Marks the allocated object that `word`, read from the machine stack, points to the
    /// start or the inside of, if there is one.
    #[inline]
    pub(super) fn mark_ambiguous_word(&mut self, word: usize) {
        if let Some(object) = self.heap.find_object(word) {
            self.mark_object(object);
        }
    }

    /// Traces everything reachable from the marked objects.
    fn trace_transitively(&mut self) {
        while let Some(object) = self.mark_stack.pop() {
            // SAFETY: only allocated objects are pushed.
            let info = unsafe { object.as_ref() }.type_info();
            // SAFETY: the object is allocated and of the kind its header names.
            unsafe { (info.trace)(object, self) };
        }
    }

    /// Ends marking and hands back the (empty) mark stack for the next collection.
    pub(super) fn finish(mut self) -> Vec<NonNull<GcHeader>> {
        self.trace_transitively();
        self.mark_stack
    }
}
