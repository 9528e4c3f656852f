//! The heap's counters, readable at run time (`system gcStats` and the GC metaobject).

use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GcStats {
    /// Collections since the heap was created.
    pub collections: u64,
    /// Total time spent collecting.
    pub total_time: Duration,
    /// The longest single collection.
    pub longest_pause: Duration,
    /// Bytes allocated since the heap was created (cell sizes, so including rounding, plus the
    /// external memory of the objects owning some).
    pub bytes_allocated: u64,
    /// Objects allocated since the heap was created.
    pub allocations: u64,
    /// Bytes allocated since the last collection.
    pub bytes_allocated_since_collection: usize,
    /// Objects allocated since the last collection.
    pub allocations_since_collection: u64,
    /// Bytes of the objects that survived the last collection, with their external memory.
    pub live_bytes: usize,
    /// Memory the heap holds now: its blocks (in use or kept empty), large objects and the
    /// external memory of live objects (and of dead ones not yet collected).
    pub heap_bytes: usize,
}
