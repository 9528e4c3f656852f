//! Memory that heap objects own outside the heap, such as the digits of a big integer.
//!
//! It counts as heap memory while its owner lives: it is allocated bytes (so it brings the next
//! collection closer), part of the heap's size (so it counts against the limit) and, for owners
//! that survive a collection, live bytes. The owner's finalizer frees the memory itself; this
//! space only keeps the account, so the sweep must look at it before marks are cleared.

use std::ptr::NonNull;

use super::header::GcHeader;

pub(super) struct ExternalSpace {
    /// Every object owning external memory and how many bytes it owns, in no order.
    owners: Vec<(NonNull<GcHeader>, usize)>,
}

impl ExternalSpace {
    pub(super) fn new() -> ExternalSpace {
        ExternalSpace { owners: Vec::new() }
    }

    /// Records that the freshly allocated `owner` holds `bytes` of external memory.
    pub(super) fn adopt(&mut self, owner: NonNull<GcHeader>, bytes: usize) {
        self.owners.push((owner, bytes));
    }

    /// Forgets the owners left unmarked, whose memory their finalizers are about to free.
    /// Returns the external bytes of the live owners and the bytes released.
    ///
    /// # Safety
    /// Marking must be complete and the sweep must not have cleared any mark yet.
    pub(super) unsafe fn sweep(&mut self) -> (usize, usize) {
        let mut live_bytes = 0;
        let mut released = 0;
        self.owners.retain(|&(owner, bytes)| {
            // SAFETY: owners stay allocated until the sweep after the marking that leaves them
            // unmarked, which is this one, and it has not freed them yet.
            if unsafe { owner.as_ref() }.is_marked() {
                live_bytes += bytes;
                true
            } else {
                released += bytes;
                false
            }
        });
        (live_bytes, released)
    }
}
