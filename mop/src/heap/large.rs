//! Large objects: requests above [`MAX_SMALL_SIZE`](super::size_class::MAX_SMALL_SIZE) bytes,
//! each in its own zero-filled allocation from the system allocator.
//!
//! They are few and big, so an ordered map from start address to size is enough to find the
//! object containing an address. Every object in the map is allocated; a dead one is finalized
//! and returned to the system allocator by the sweep that finds it unmarked.

use std::alloc::{self, Layout};
use std::collections::BTreeMap;
use std::ptr::NonNull;

use super::header::GcHeader;
use super::size_class::GRANULE;
use super::AddressRange;

pub(super) struct LargeSpace {
    /// Size in bytes of every large object, by address.
    objects: BTreeMap<usize, usize>,
    range: AddressRange,
}

fn layout(bytes: usize) -> Layout {
    // Cannot fail: `bytes` was checked by `rounded_size`.
    Layout::from_size_align(bytes, GRANULE).expect("valid large object layout")
}

impl LargeSpace {
    pub(super) fn new() -> LargeSpace {
        LargeSpace {
            objects: BTreeMap::new(),
            range: AddressRange::EMPTY,
        }
    }

    /// The bytes a large object of `size` bytes occupies, or `None` if no allocation can be
    /// that big.
    pub(super) fn rounded_size(size: usize) -> Option<usize> {
        let bytes = size.checked_next_multiple_of(GRANULE)?;
        Layout::from_size_align(bytes, GRANULE).ok()?;
        Some(bytes)
    }

    /// A zero-filled object of `bytes` bytes, a result of [`LargeSpace::rounded_size`].
    pub(super) fn allocate(&mut self, bytes: usize) -> NonNull<GcHeader> {
        // SAFETY: `bytes` is at least a header's size, so the layout is non-zero.
        let object = unsafe { alloc::alloc_zeroed(layout(bytes)) };
        let Some(object) = NonNull::new(object) else {
            alloc::handle_alloc_error(layout(bytes))
        };
        let addr = object.as_ptr() as usize;
        self.objects.insert(addr, bytes);
        self.range.include(addr, bytes);
        object.cast()
    }

    /// The object containing `addr`, if any.
    #[inline]
    pub(super) fn find(&self, addr: usize) -> Option<NonNull<GcHeader>> {
        if !self.range.contains(addr) {
            return None;
        }
        let (&start, &bytes) = self.objects.range(..=addr).next_back()?;
        (addr < start + bytes).then(|| NonNull::new(start as *mut GcHeader))?
    }

    /// Calls `visit` with every (allocated) large object.
    pub(super) fn for_each_object(&self, visit: &mut dyn FnMut(NonNull<GcHeader>)) {
        for &start in self.objects.keys() {
            if let Some(object) = NonNull::new(start as *mut GcHeader) {
                visit(object);
            }
        }
    }

    /// Finalizes and frees every unmarked object and clears the marks of the others.
    /// Returns the bytes of the live objects and the bytes released.
    ///
    /// # Safety
    /// Marking must be complete: every object reachable by the mutator is marked.
    pub(super) unsafe fn sweep(&mut self) -> (usize, usize) {
        let mut live_bytes = 0;
        let mut released = 0;
        self.objects.retain(|&start, &mut bytes| {
            // SAFETY: every address in the map is an allocated large object.
            let header = unsafe { &*(start as *const GcHeader) };
            if header.is_marked() {
                header.clear_mark();
                live_bytes += bytes;
                return true;
            }
            // SAFETY: the object is allocated and unreachable after a complete marking.
            unsafe { free(NonNull::from(header), bytes) };
            released += bytes;
            false
        });
        (live_bytes, released)
    }
}

/// Finalizes a large object and returns its memory.
///
/// # Safety
/// `object` must be a large object of `bytes` bytes that is never used again.
unsafe fn free(object: NonNull<GcHeader>, bytes: usize) {
    // SAFETY: per the contract the object is allocated.
    if let Some(finalize) = unsafe { object.as_ref() }.type_info().finalize {
        // SAFETY: per the contract the object is dead.
        unsafe { finalize(object) };
    }
    // SAFETY: the object was allocated with `layout(bytes)`.
    unsafe { alloc::dealloc(object.as_ptr().cast(), layout(bytes)) };
}

impl Drop for LargeSpace {
    fn drop(&mut self) {
        for (&start, &bytes) in &self.objects {
            // SAFETY: every address in the map is an allocated large object, and the heap is
            // going away.
            unsafe { free(NonNull::new_unchecked(start as *mut GcHeader), bytes) };
        }
    }
}
