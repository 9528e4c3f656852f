//! The pseudo-random numbers behind `Integer>>atRandom`: xorshift64*, seeded from the clock
//! once per thread. Not for cryptography; SOM programs only need varied values.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

thread_local! {
    static STATE: Cell<u64> = Cell::new(initial_seed());
}

fn initial_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // The state must never be zero; mixing in an odd constant makes that vanishingly unlikely,
    // and `| 1` makes it impossible.
    (nanos ^ 0x9E37_79B9_7F4A_7C15) | 1
}

/// The next pseudo-random 64-bit number.
pub fn next_u64() -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

#[cfg(test)]
mod tests {
    use super::next_u64;

    #[test]
    fn numbers_vary() {
        let first = next_u64();
        assert!((0..10).map(|_| next_u64()).any(|n| n != first));
    }
}
