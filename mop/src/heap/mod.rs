//! The garbage-collected heap: a non-moving mark-sweep collector with precise heap tracing and
//! conservative stack roots.
//!
//! **Objects.** Every heap object starts with a one-word [`GcHeader`] naming its [`TypeInfo`];
//! objects are 16-byte aligned, zero-filled when allocated, and never move. Objects of up to
//! 8 KiB live in cells of size-class blocks (`block.rs`), bigger ones are allocated one by one
//! (`large.rs`). Memory an object owns outside the heap (a big integer's digits) is counted as
//! heap memory while the object lives (`external.rs`).
//!
//! **References.** Inside the heap and in the precise roots, a reference is a [`Value`] (or a
//! `NonNull<GcHeader>`) holding the address of an object's header, and every one of them is
//! reported by the object's `trace` function or by the roots closure passed to
//! [`Heap::collect`]. On the machine stack of the mutator, any word pointing to the start or
//! the inside of an allocated object is a reference (`stack_scan.rs`).
//!
//! **Collection.** Allocation never collects; the mutator polls [`Heap::collection_due`] at
//! points where its references are all either rooted or on its stack, and calls
//! [`Heap::collect`]: mark from the roots (`tracer.rs`), then sweep. The sweep calls the
//! finalizer of every unmarked object; its memory is reused by later allocations of the same
//! size class (large objects go back to the system allocator). Blocks left empty are kept for
//! reuse as long as the next collection may need them and returned to the system beyond that.
//!
//! The heap is single-threaded: it is neither `Send` nor `Sync`, and `collect` must run on the
//! thread whose stack base was registered.

mod block;
mod external;
mod header;
mod large;
mod policy;
mod size_class;
mod stack_scan;
mod stats;
mod tracer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::ptr::NonNull;
use std::time::Instant;

pub use header::{GcHeader, TypeInfo};
pub use policy::GcPolicy;
pub use stats::GcStats;
pub use tracer::Tracer;

use crate::value::Value;
use block::{BlockSpace, BLOCK_SIZE};
use external::ExternalSpace;
use large::LargeSpace;
use size_class::SizeClass;

/// Allocation would grow the heap beyond [`GcPolicy::max_heap_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    pub max_heap_bytes: usize,
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "out of memory: heap limit of {} MiB exceeded",
            self.max_heap_bytes >> 20
        )
    }
}

impl std::error::Error for OutOfMemory {}

/// Tells, between marking and sweeping, whether a value survives the collection.
pub type Survives = dyn Fn(Value) -> bool;

pub struct Heap {
    blocks: BlockSpace,
    large: LargeSpace,
    external: ExternalSpace,
    policy: GcPolicy,
    /// The bytes to allocate between collections set from outside (the VM's Smalltalk
    /// memory policy), or `None` for the native rule ([`GcPolicy::threshold_bytes`]).
    threshold_override: Option<usize>,
    /// The bytes allocated since the last collection beyond which a collection is due, kept
    /// so that the per-allocation check is one comparison.
    allocation_budget: usize,
    stats: GcStats,
    /// The highest stack address scanned conservatively; without one only precise roots count.
    stack_base: Option<usize>,
    /// Kept between collections to avoid growing it again each time.
    mark_stack: Vec<NonNull<GcHeader>>,
}

impl Heap {
    pub fn new(policy: GcPolicy) -> Heap {
        Heap {
            blocks: BlockSpace::new(),
            large: LargeSpace::new(),
            external: ExternalSpace::new(),
            allocation_budget: policy.threshold_bytes(0),
            threshold_override: None,
            policy,
            stats: GcStats::default(),
            stack_base: None,
            mark_stack: Vec::new(),
        }
    }

    /// Allocates a zero-filled, 16-byte aligned object of `size` bytes (header included) whose
    /// header names `info`. Never collects.
    ///
    /// # Safety
    /// `size` must cover the object layout that `info.trace` and `info.finalize` assume, and
    /// an all-zero object must be valid for both of them: the caller may fill in the object
    /// at leisure, but must do so before the next collection if zero is not a valid state.
    #[inline]
    pub unsafe fn allocate(
        &mut self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        debug_assert!(size >= std::mem::size_of::<GcHeader>());
        let (object, bytes) = match SizeClass::for_size(size) {
            Some(class) => {
                let object = match self.blocks.try_allocate(class) {
                    Some(object) => object,
                    None => self.allocate_block(class)?,
                };
                (object, class.cell_size())
            }
            None => self.allocate_large(size)?,
        };
        debug_assert!(Value::word_may_be_pointer(object.as_ptr() as usize));
        // SAFETY: `object` is a fresh zero-filled cell at least a header long.
        unsafe { object.as_ref() }.init(info);
        self.stats.bytes_allocated += bytes as u64;
        self.stats.allocations += 1;
        self.stats.bytes_allocated_since_collection += bytes;
        self.stats.allocations_since_collection += 1;
        Ok(object)
    }

    /// Allocates like [`Heap::allocate`] an object that owns `external_bytes` of memory outside
    /// the heap, which its finalizer frees: they count as allocated and as part of the heap
    /// (within its limit) until a collection finds the object dead.
    ///
    /// # Safety
    /// As for [`Heap::allocate`]; and the object's finalizer must free the external memory.
    pub unsafe fn allocate_owning(
        &mut self,
        size: usize,
        external_bytes: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory> {
        self.grow(external_bytes)?;
        // SAFETY: per this function's contract.
        match unsafe { self.allocate(size, info) } {
            Ok(object) => {
                self.external.adopt(object, external_bytes);
                self.stats.bytes_allocated += external_bytes as u64;
                self.stats.bytes_allocated_since_collection += external_bytes;
                Ok(object)
            }
            Err(error) => {
                self.stats.heap_bytes -= external_bytes;
                Err(error)
            }
        }
    }

    #[cold]
    fn allocate_block(&mut self, class: SizeClass) -> Result<NonNull<GcHeader>, OutOfMemory> {
        if self.blocks.needs_new_block() {
            self.grow(BLOCK_SIZE)?;
        }
        Ok(self.blocks.refill(class))
    }

    #[cold]
    fn allocate_large(&mut self, size: usize) -> Result<(NonNull<GcHeader>, usize), OutOfMemory> {
        let bytes = LargeSpace::rounded_size(size).ok_or_else(|| self.out_of_memory())?;
        self.grow(bytes)?;
        Ok((self.large.allocate(bytes), bytes))
    }

    /// Accounts for `bytes` more heap memory, unless that exceeds the limit.
    fn grow(&mut self, bytes: usize) -> Result<(), OutOfMemory> {
        match self.stats.heap_bytes.checked_add(bytes) {
            Some(total) if total <= self.policy.max_heap_bytes => {
                self.stats.heap_bytes = total;
                Ok(())
            }
            _ => Err(self.out_of_memory()),
        }
    }

    fn out_of_memory(&self) -> OutOfMemory {
        OutOfMemory {
            max_heap_bytes: self.policy.max_heap_bytes,
        }
    }

    /// Whether the mutator should call [`Heap::collect`] at its next safepoint.
    pub fn collection_due(&self) -> bool {
        self.allocation_budget_exhausted() || self.stress_due()
    }

    /// Whether more bytes were allocated since the last collection than the threshold in force
    /// allows (or a postponement granted).
    #[inline]
    pub fn allocation_budget_exhausted(&self) -> bool {
        self.stats.bytes_allocated_since_collection > self.allocation_budget
    }

    /// Whether stress mode asks for a collection now.
    pub fn stress_due(&self) -> bool {
        self.policy.stress_interval.is_some_and(|interval| {
            self.stats.allocations_since_collection >= u64::from(interval.max(1))
        })
    }

    /// The bytes to allocate between collections: the override, or the native rule applied
    /// to the bytes live after the last collection.
    pub fn threshold_in_force(&self) -> usize {
        self.threshold_after(self.stats.live_bytes)
    }

    fn threshold_after(&self, live_bytes: usize) -> usize {
        self.threshold_override
            .unwrap_or_else(|| self.policy.threshold_bytes(live_bytes))
    }

    /// Sets (or with `None` gives back to the native rule) the bytes to allocate between
    /// collections, counting from the last collection, and for every later one.
    pub fn set_threshold(&mut self, threshold: Option<usize>) {
        self.threshold_override = threshold;
        self.allocation_budget = self.threshold_in_force();
    }

    /// Makes the next collection due only after the threshold in force is allocated again,
    /// counting from now (a collection was declined).
    pub fn postpone_collection(&mut self) {
        self.allocation_budget = self
            .stats
            .bytes_allocated_since_collection
            .saturating_add(self.threshold_in_force());
    }

    /// A full collection. The roots are what `roots` reports to the tracer plus, once a stack
    /// base is set, every word of the calling thread's stack that points into an object.
    pub fn collect(&mut self, roots: &mut dyn FnMut(&mut Tracer<'_>)) {
        self.collect_with_weak(roots, &mut |_| {});
    }

    /// A full collection that also lets the caller clear weak references: after marking and
    /// before sweeping, `weak` gets a predicate telling whether a value survives.
    pub fn collect_with_weak(
        &mut self,
        roots: &mut dyn FnMut(&mut Tracer<'_>),
        weak: &mut dyn FnMut(&Survives),
    ) {
        let start = Instant::now();
        let stack_base = self.stack_base;
        let mark_stack = std::mem::take(&mut self.mark_stack);
        let mut tracer = Tracer::new(self, mark_stack);
        roots(&mut tracer);
        if let Some(stack_base) = stack_base {
            stack_scan::scan_machine_stack(stack_base, &mut tracer);
        }
        self.mark_stack = tracer.finish();
        weak(&|value| match value.as_pointer() {
            // SAFETY: heap pointers in values point at allocated objects, whose first word is
            // the GC header.
            Some(pointer) => unsafe { &*(pointer as *const GcHeader) }.is_marked(),
            None => true,
        });

        // SAFETY: `finish` traced everything reachable from the roots, so all live objects are
        // marked; the external space is swept while the marks are still there.
        let (external_live, external_released) = unsafe { self.external.sweep() };
        // SAFETY: as above.
        let (small_live, (large_live, large_released)) =
            unsafe { (self.blocks.sweep(), self.large.sweep()) };
        let live_bytes = small_live + large_live + external_live;
        let spare_bytes = self.threshold_after(live_bytes);
        self.allocation_budget = spare_bytes;
        let released =
            large_released + external_released + self.blocks.release_empty_blocks(spare_bytes);

        let stats = &mut self.stats;
        stats.heap_bytes -= released;
        stats.live_bytes = live_bytes;
        stats.bytes_allocated_since_collection = 0;
        stats.allocations_since_collection = 0;
        stats.collections += 1;
        let pause = start.elapsed();
        stats.total_time += pause;
        stats.longest_pause = stats.longest_pause.max(pause);
    }

    /// Calls `visit` with every allocated object: after a collection, the live ones and those
    /// that words on the stack kept alive. `visit` must not allocate.
    pub fn for_each_object(&self, visit: &mut dyn FnMut(NonNull<GcHeader>)) {
        self.blocks.for_each_object(visit);
        self.large.for_each_object(visit);
    }

    /// Marks every object allocated now as preexisting (or, with `false`, clears the mark), so
    /// that [`GcHeader::is_preexisting`] tells the objects allocated later from them.
    pub fn mark_preexisting(&mut self, preexisting: bool) {
        self.for_each_object(&mut |object| {
            // SAFETY: `for_each_object` visits allocated objects only.
            unsafe { object.as_ref() }.set_preexisting(preexisting)
        });
    }

    /// Sets the highest address of the mutator's stack scanned by [`Heap::collect`] (the VM
    /// passes the address of a local in its outermost interpreter function; references held
    /// in that function's own frame must also be rooted precisely).
    pub fn set_stack_base(&mut self, addr: usize) {
        self.stack_base = Some(addr);
    }

    /// The allocated object whose memory contains `addr`, if any.
    pub fn find_object(&self, addr: usize) -> Option<NonNull<GcHeader>> {
        self.blocks.find(addr).or_else(|| self.large.find(addr))
    }

    pub fn stats(&self) -> GcStats {
        self.stats
    }

    pub fn policy(&self) -> &GcPolicy {
        &self.policy
    }

    pub fn set_policy(&mut self, policy: GcPolicy) {
        self.policy = policy;
        self.allocation_budget = self.threshold_in_force();
    }
}

/// The lowest and highest address of a space, a cheap first filter for ambiguous words.
#[derive(Clone, Copy)]
struct AddressRange {
    start: usize,
    end: usize,
}

impl AddressRange {
    const EMPTY: AddressRange = AddressRange {
        start: usize::MAX,
        end: 0,
    };

    fn include(&mut self, start: usize, bytes: usize) {
        self.start = self.start.min(start);
        self.end = self.end.max(start + bytes);
    }

    #[inline(always)]
    fn contains(&self, addr: usize) -> bool {
        self.start <= addr && addr < self.end
    }
}
