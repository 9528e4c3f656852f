//! The collector's tuning knobs, readable and settable at run time (the GC metaobject exposes
//! them to Smalltalk).
//!
//! Allocation never collects by itself: the mutator asks [`Heap::collection_due`] at its
//! safepoints and then calls [`Heap::collect`]. The policy decides when that is due and how big
//! the heap may grow.
//!
//! [`Heap::collection_due`]: super::Heap::collection_due
//! [`Heap::collect`]: super::Heap::collect

#[derive(Clone, Debug, PartialEq)]
pub struct GcPolicy {
    /// A collection is due once this many bytes were allocated since the last one, at least.
    pub min_threshold_bytes: usize,
    /// ... or once `growth_factor` times the bytes that survived the last collection were
    /// allocated, when that is more.
    pub growth_factor: f64,
    /// Allocation fails with `OutOfMemory` rather than grow the heap beyond this size.
    pub max_heap_bytes: usize,
    /// Stress mode for finding missing roots: a collection is also due after every this many
    /// allocations.
    pub stress_interval: Option<u32>,
}

impl GcPolicy {
    /// How many bytes may be allocated after a collection that left `live_bytes` live before
    /// the next one is due.
    pub fn threshold_bytes(&self, live_bytes: usize) -> usize {
        let proportional = live_bytes as f64 * self.growth_factor;
        // `as` saturates, so absurd factors give usize::MAX rather than wrapping.
        self.min_threshold_bytes.max(proportional as usize)
    }
}

impl Default for GcPolicy {
    fn default() -> GcPolicy {
        GcPolicy {
            min_threshold_bytes: 8 << 20,
            growth_factor: 2.0,
            max_heap_bytes: 4 << 30,
            stress_interval: None,
        }
    }
}
