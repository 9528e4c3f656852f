//! Size-class blocks: where small objects (up to [`MAX_SMALL_SIZE`] bytes) live.
//!
//! A block is [`BLOCK_SIZE`] bytes aligned to its size, cut into equal cells of one size class,
//! so the block and cell containing any address are found with a mask, a hash lookup and a
//! division. Block metadata (its class) lives in a side table, not in the block.
//!
//! Each size class allocates from its free list first, then by bumping a pointer through the
//! block it is currently filling, then from a new block.
//!
//! Invariants:
//! - Every cell of a block in `blocks` is allocated, free (on its class's free list) or never
//!   used; see [`super::header`] for how the header word tells them apart.
//! - The bump region `bump..end` of a class is all zero, and free-list cells are zero past
//!   their header (the sweep clears dead cells), so allocation only writes the header.
//! - Blocks emptied by a sweep move to `empty` all zero (the sweep also clears their headers)
//!   and leave the side table; any class can take them again as they are, or they are
//!   returned to the system allocator when there are more than the next collection can use.

use std::alloc::{self, Layout};
use std::ptr::{self, NonNull};

use rustc_hash::FxHashMap;

use super::header::GcHeader;
use super::size_class::{SizeClass, CLASS_COUNT, MAX_SMALL_SIZE};
use super::AddressRange;

const HEADER_BYTES: usize = std::mem::size_of::<GcHeader>();

/// Size and alignment of a block.
pub(super) const BLOCK_SIZE: usize = 256 * 1024;

/// The allocation state of one size class.
#[derive(Clone, Copy)]
struct ClassAllocator {
    /// First free cell, or 0.
    free: usize,
    /// Next never-used cell of the block being filled, and the end of its last cell.
    bump: usize,
    end: usize,
}

impl ClassAllocator {
    const EXHAUSTED: ClassAllocator = ClassAllocator {
        free: 0,
        bump: 0,
        end: 0,
    };
}

pub(super) struct BlockSpace {
    /// The class of every block holding cells, by block address.
    blocks: FxHashMap<usize, SizeClass>,
    /// Addresses of blocks a sweep found without live objects, kept for reuse.
    empty: Vec<usize>,
    allocators: [ClassAllocator; CLASS_COUNT],
    range: AddressRange,
}

fn block_layout() -> Layout {
    // Cannot fail: BLOCK_SIZE is a power of two far below isize::MAX.
    Layout::from_size_align(BLOCK_SIZE, BLOCK_SIZE).expect("valid block layout")
}

fn cells_per_block(class: SizeClass) -> usize {
    BLOCK_SIZE / class.cell_size()
}

/// The header of the cell at `cell`.
///
/// # Safety
/// `cell` must be the address of a cell of a block owned by the space.
#[inline(always)]
unsafe fn header<'a>(cell: usize) -> &'a GcHeader {
    // SAFETY: per the contract the cell is owned, 16-byte aligned memory whose first word is
    // a header.
    unsafe { &*(cell as *const GcHeader) }
}

impl BlockSpace {
    pub(super) fn new() -> BlockSpace {
        BlockSpace {
            blocks: FxHashMap::default(),
            empty: Vec::new(),
            allocators: [ClassAllocator::EXHAUSTED; CLASS_COUNT],
            range: AddressRange::EMPTY,
        }
    }

    /// A zero-filled cell of `class` from the free list or the bump region, or `None` when the
    /// class needs another block ([`BlockSpace::refill`]).
    #[inline(always)]
    pub(super) fn try_allocate(&mut self, class: SizeClass) -> Option<NonNull<GcHeader>> {
        let allocator = &mut self.allocators[class.index()];
        let cell = if allocator.free != 0 {
            let cell = allocator.free;
            // SAFETY: free-list cells are cells of owned blocks; apart from their header they
            // are zero already (see `sweep`).
            allocator.free = unsafe { header(cell) }.next_free();
            cell
        } else if allocator.bump < allocator.end {
            let cell = allocator.bump;
            allocator.bump += class.cell_size();
            cell
        } else {
            return None;
        };
        NonNull::new(cell as *mut GcHeader)
    }

    /// Whether [`BlockSpace::refill`] would take a block from the system allocator (and so
    /// grow the heap by [`BLOCK_SIZE`]).
    pub(super) fn needs_new_block(&self) -> bool {
        self.empty.is_empty()
    }

    /// Gives `class` a fresh block to fill and allocates its first cell.
    #[cold]
    pub(super) fn refill(&mut self, class: SizeClass) -> NonNull<GcHeader> {
        let base = match self.empty.pop() {
            Some(base) => base,
            None => {
                // SAFETY: the layout has a non-zero size.
                let block = unsafe { alloc::alloc_zeroed(block_layout()) };
                if block.is_null() {
                    alloc::handle_alloc_error(block_layout());
                }
                block as usize
            }
        };
        self.blocks.insert(base, class);
        self.range.include(base, BLOCK_SIZE);
        self.allocators[class.index()] = ClassAllocator {
            free: 0,
            bump: base,
            end: base + cells_per_block(class) * class.cell_size(),
        };
        self.try_allocate(class)
            .expect("a fresh block has free cells")
    }

    /// The allocated object whose cell contains `addr`, if any.
    #[inline]
    pub(super) fn find(&self, addr: usize) -> Option<NonNull<GcHeader>> {
        if !self.range.contains(addr) {
            return None;
        }
        let base = addr & !(BLOCK_SIZE - 1);
        let class = *self.blocks.get(&base)?;
        let index = (addr - base) / class.cell_size();
        if index >= cells_per_block(class) {
            return None;
        }
        let cell = base + index * class.cell_size();
        // SAFETY: `cell` is a cell of a block in the side table.
        let allocated = unsafe { header(cell) }.is_allocated();
        allocated.then(|| NonNull::new(cell as *mut GcHeader))?
    }

    /// Calls `visit` with every allocated object.
    pub(super) fn for_each_object(&self, visit: &mut dyn FnMut(NonNull<GcHeader>)) {
        for (&base, &class) in &self.blocks {
            for index in 0..cells_per_block(class) {
                let cell = base + index * class.cell_size();
                // SAFETY: `cell` is a cell of a block in the side table.
                let header = unsafe { header(cell) };
                if header.is_allocated() {
                    visit(NonNull::from(header));
                }
            }
        }
    }

    /// Frees every unmarked object (calling its finalizer), clears the marks of the others and
    /// rebuilds the free lists; blocks left without live objects move to the empty pool.
    /// Returns the bytes of the live cells.
    ///
    /// # Safety
    /// Marking must be complete: every object reachable by the mutator is marked.
    pub(super) unsafe fn sweep(&mut self) -> usize {
        self.allocators = [ClassAllocator::EXHAUSTED; CLASS_COUNT];
        let mut live_bytes = 0;
        let mut emptied = Vec::new();
        for (&base, &class) in &self.blocks {
            let allocator = &mut self.allocators[class.index()];
            let list_before = allocator.free;
            let size = class.cell_size();
            let mut live_cells = 0;
            // Walking backwards and pushing to the front leaves the list in address order.
            for index in (0..cells_per_block(class)).rev() {
                let cell = base + index * size;
                // SAFETY: `cell` is a cell of a block in the side table.
                let header = unsafe { header(cell) };
                if header.is_allocated() {
                    if header.is_marked() {
                        header.clear_mark();
                        live_cells += 1;
                        continue;
                    }
                    if let Some(finalize) = header.type_info().finalize {
                        // SAFETY: the object is allocated and unreachable (unmarked after a
                        // complete marking), so nothing uses it after its finalizer.
                        unsafe { finalize(NonNull::from(header)) };
                    }
                    // Free cells are kept zero past their header, so that allocating one
                    // only writes its header.
                    // SAFETY: the dead cell is owned and `size` bytes long.
                    unsafe {
                        ptr::write_bytes((cell + HEADER_BYTES) as *mut u8, 0, size - HEADER_BYTES)
                    };
                }
                header.make_free(allocator.free);
                allocator.free = cell;
            }
            if live_cells == 0 {
                allocator.free = list_before;
                for index in 0..cells_per_block(class) {
                    // SAFETY: a cell of this block, which holds no live object.
                    unsafe { ptr::write((base + index * size) as *mut usize, 0) };
                }
                emptied.push(base);
            }
            live_bytes += live_cells * size;
        }
        for base in emptied {
            self.blocks.remove(&base);
            self.empty.push(base);
        }
        live_bytes
    }

    /// Returns empty blocks to the system allocator until at most `keep_bytes` worth remain.
    /// Returns the number of bytes released.
    pub(super) fn release_empty_blocks(&mut self, keep_bytes: usize) -> usize {
        let keep = (keep_bytes / BLOCK_SIZE).min(self.empty.len());
        let released = self.empty.len() - keep;
        for base in self.empty.drain(keep..) {
            // SAFETY: the block was allocated with `block_layout` and holds no live object.
            unsafe { alloc::dealloc(base as *mut u8, block_layout()) };
        }
        released * BLOCK_SIZE
    }
}

impl Drop for BlockSpace {
    fn drop(&mut self) {
        for (&base, &class) in &self.blocks {
            for index in 0..cells_per_block(class) {
                // SAFETY: the cell belongs to a block in the side table.
                let header = unsafe { header(base + index * class.cell_size()) };
                if header.is_allocated() {
                    if let Some(finalize) = header.type_info().finalize {
                        // SAFETY: the heap is going away; the object is allocated and never
                        // used again.
                        unsafe { finalize(NonNull::from(header)) };
                    }
                }
            }
            // SAFETY: the block was allocated with `block_layout`; its objects are finalized.
            unsafe { alloc::dealloc(base as *mut u8, block_layout()) };
        }
        self.release_empty_blocks(0);
    }
}

const _: () = assert!(
    MAX_SMALL_SIZE <= BLOCK_SIZE / 8,
    "blocks hold several cells"
);
