//! Size classes of small objects: the cell sizes that size-class blocks are cut into.
//!
//! Classes step by 16 bytes up to 256 bytes (where almost all objects are), then by 64 up to
//! 1 KiB, by 256 up to 4 KiB and by 1 KiB up to [`MAX_SMALL_SIZE`], so rounding a request up to
//! its class wastes at most 25% (and usually much less). Every class size is a multiple of 16,
//! which keeps all cells 16-byte aligned. Requests above `MAX_SMALL_SIZE` are large objects.

/// The largest request served from size-class blocks.
pub(super) const MAX_SMALL_SIZE: usize = 8192;

/// Allocation granularity and object alignment.
pub(super) const GRANULE: usize = 16;

const fn step_after(size: usize) -> usize {
    if size < 256 {
        16
    } else if size < 1024 {
        64
    } else if size < 4096 {
        256
    } else {
        1024
    }
}

const fn count_classes() -> usize {
    let mut count = 0;
    let mut size = 0;
    while size < MAX_SMALL_SIZE {
        size += step_after(size);
        count += 1;
    }
    count
}

pub(super) const CLASS_COUNT: usize = count_classes();

const CELL_SIZES: [usize; CLASS_COUNT] = {
    let mut sizes = [0; CLASS_COUNT];
    let mut size = 0;
    let mut class = 0;
    while class < CLASS_COUNT {
        size += step_after(size);
        sizes[class] = size;
        class += 1;
    }
    sizes
};

/// The class serving each request size, indexed by the size in granules (rounded up).
const CLASS_OF_GRANULES: [u8; MAX_SMALL_SIZE / GRANULE + 1] = {
    let mut table = [0; MAX_SMALL_SIZE / GRANULE + 1];
    let mut granules = 0;
    let mut class = 0;
    while granules < table.len() {
        if granules * GRANULE > CELL_SIZES[class] {
            class += 1;
        }
        table[granules] = class as u8;
        granules += 1;
    }
    table
};

/// One size class (an index into the class table).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct SizeClass(u8);

impl SizeClass {
    /// The class for a request of `size` bytes, or `None` for a large object.
    #[inline(always)]
    pub(super) fn for_size(size: usize) -> Option<SizeClass> {
        CLASS_OF_GRANULES
            .get(size.div_ceil(GRANULE))
            .map(|&class| SizeClass(class))
    }

    #[inline(always)]
    pub(super) fn index(self) -> usize {
        usize::from(self.0)
    }

    #[inline(always)]
    pub(super) fn cell_size(self) -> usize {
        CELL_SIZES[self.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_small_size_fits_its_class_with_bounded_waste() {
        for size in 1..=MAX_SMALL_SIZE {
            let cell = SizeClass::for_size(size).unwrap().cell_size();
            assert!(
                cell >= size && cell.is_multiple_of(GRANULE),
                "size {size} -> cell {cell}"
            );
            assert!(
                cell <= size.max(GRANULE) * 5 / 4 + GRANULE,
                "size {size} -> cell {cell}"
            );
        }
        assert!(SizeClass::for_size(MAX_SMALL_SIZE + 1).is_none());
    }

    #[test]
    fn classes_grow_strictly() {
        assert!(CELL_SIZES.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(CELL_SIZES.first(), Some(&GRANULE));
        assert_eq!(CELL_SIZES.last(), Some(&MAX_SMALL_SIZE));
    }
}
