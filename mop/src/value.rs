//! One-word values: NaN-boxed doubles, small integers, `nil`/`true`/`false` and heap pointers.
//!
//! Encoding of the 64-bit word `w`:
//!
//! | range of `w`                               | meaning                                     |
//! |--------------------------------------------|---------------------------------------------|
//! | `0`, `FALSE_BITS`, `TRUE_BITS`              | `nil`, `false`, `true`                      |
//! | `4096 ..= 2^49 - 1`                         | pointer to a heap object (16-byte aligned)  |
//! | `2^49 ..= SMALL_INT_TAG - 1`                | a double, stored as its IEEE bits + 2^49    |
//! | `SMALL_INT_TAG ..`                          | a 49-bit two's-complement small integer     |
//!
//! Pointers decode for free (the most frequent case), `nil` is the all-zero word so zero-filled
//! objects start out with nil fields, and doubles need no allocation. NaNs are canonicalised so
//! that every double fits below the integer tag.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(u64);

/// The encoding's constants, for code that builds or tests values itself (the native tier).
pub mod encoding {
    pub const DOUBLE_OFFSET: u64 = 1 << 49;
    pub const SMALL_INT_TAG: u64 = 0xFFFE_0000_0000_0000;
    pub const SMALL_INT_BITS: u32 = 49;
    pub const FALSE_BITS: u64 = 0x10;
    pub const TRUE_BITS: u64 = 0x20;
    /// Words below this are immediate constants, never pointers.
    pub const FIRST_POINTER: u64 = 4096;
    pub const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;
}
use encoding::*;

impl Value {
    pub const NIL: Value = Value(0);
    pub const FALSE: Value = Value(FALSE_BITS);
    pub const TRUE: Value = Value(TRUE_BITS);
    /// Smallest and largest integer that is stored unboxed.
    pub const MIN_SMALL_INT: i64 = -(1 << (SMALL_INT_BITS - 1));
    pub const MAX_SMALL_INT: i64 = (1 << (SMALL_INT_BITS - 1)) - 1;

    #[inline(always)]
    pub fn bits(self) -> u64 {
        self.0
    }

    /// # Safety
    /// `bits` must have been produced by [`Value::bits`].
    #[inline(always)]
    pub unsafe fn from_bits(bits: u64) -> Value {
        Value(bits)
    }

    #[inline(always)]
    pub fn boolean(b: bool) -> Value {
        if b {
            Value::TRUE
        } else {
            Value::FALSE
        }
    }

    #[inline(always)]
    pub fn is_nil(self) -> bool {
        self.0 == 0
    }

    #[inline(always)]
    pub fn is_true(self) -> bool {
        self.0 == TRUE_BITS
    }

    #[inline(always)]
    pub fn is_false(self) -> bool {
        self.0 == FALSE_BITS
    }

    /// The unboxed integer `i`, or `None` when it needs a big integer.
    #[inline(always)]
    pub fn small_int(i: i64) -> Option<Value> {
        if (Value::MIN_SMALL_INT..=Value::MAX_SMALL_INT).contains(&i) {
            Some(Value(
                SMALL_INT_TAG | (i as u64 & ((1 << SMALL_INT_BITS) - 1)),
            ))
        } else {
            None
        }
    }

    #[inline(always)]
    pub fn is_small_int(self) -> bool {
        self.0 >= SMALL_INT_TAG
    }

    #[inline(always)]
    pub fn as_small_int(self) -> Option<i64> {
        if self.is_small_int() {
            Some(self.small_int_unchecked())
        } else {
            None
        }
    }

    /// The payload of a value already known to be a small integer.
    #[inline(always)]
    pub fn small_int_unchecked(self) -> i64 {
        ((self.0 << (64 - SMALL_INT_BITS)) as i64) >> (64 - SMALL_INT_BITS)
    }

    #[inline(always)]
    pub fn double(d: f64) -> Value {
        let bits = if d.is_nan() {
            CANONICAL_NAN
        } else {
            d.to_bits()
        };
        Value(bits + DOUBLE_OFFSET)
    }

    #[inline(always)]
    pub fn is_double(self) -> bool {
        self.0 >= DOUBLE_OFFSET && self.0 < SMALL_INT_TAG
    }

    #[inline(always)]
    pub fn as_double(self) -> Option<f64> {
        if self.is_double() {
            Some(f64::from_bits(self.0 - DOUBLE_OFFSET))
        } else {
            None
        }
    }

    /// Whether the value points to a heap object.
    #[inline(always)]
    pub fn is_pointer(self) -> bool {
        self.0 >= FIRST_POINTER && self.0 < DOUBLE_OFFSET
    }

    /// The address of the heap object, if the value is a pointer.
    #[inline(always)]
    pub fn as_pointer(self) -> Option<usize> {
        if self.is_pointer() {
            Some(self.0 as usize)
        } else {
            None
        }
    }

    /// A value referring to the heap object at `addr`.
    #[inline(always)]
    pub fn from_pointer<T>(addr: *const T) -> Value {
        let bits = addr as u64;
        debug_assert!((FIRST_POINTER..DOUBLE_OFFSET).contains(&bits) && bits.is_multiple_of(16));
        Value(bits)
    }

    /// Whether a raw machine word could be a value pointing into the heap; used when
    /// scanning the machine stack conservatively.
    #[inline(always)]
    pub fn word_may_be_pointer(word: usize) -> bool {
        (word as u64) >= FIRST_POINTER && (word as u64) < DOUBLE_OFFSET
    }
}

impl Default for Value {
    fn default() -> Value {
        Value::NIL
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_nil() {
            write!(f, "nil")
        } else if self.is_true() {
            write!(f, "true")
        } else if self.is_false() {
            write!(f, "false")
        } else if let Some(i) = self.as_small_int() {
            write!(f, "{i}")
        } else if let Some(d) = self.as_double() {
            write!(f, "{d:?}")
        } else {
            write!(f, "@{:#x}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_ints_round_trip_at_the_borders() {
        for i in [0, 1, -1, 42, Value::MIN_SMALL_INT, Value::MAX_SMALL_INT] {
            let v = Value::small_int(i).unwrap();
            assert!(v.is_small_int() && !v.is_double() && !v.is_pointer());
            assert_eq!(v.as_small_int(), Some(i));
        }
        assert!(Value::small_int(Value::MAX_SMALL_INT + 1).is_none());
        assert!(Value::small_int(Value::MIN_SMALL_INT - 1).is_none());
    }

    #[test]
    fn doubles_round_trip_including_specials() {
        for d in [
            0.0,
            -0.0,
            1.5,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ] {
            let v = Value::double(d);
            assert!(v.is_double() && !v.is_small_int() && !v.is_pointer());
            assert_eq!(v.as_double().unwrap().to_bits(), d.to_bits());
        }
        let nan = Value::double(-f64::NAN);
        assert!(nan.is_double() && nan.as_double().unwrap().is_nan());
    }

    #[test]
    fn constants_are_neither_numbers_nor_pointers() {
        for v in [Value::NIL, Value::TRUE, Value::FALSE] {
            assert!(!v.is_pointer() && !v.is_double() && !v.is_small_int());
        }
        assert!(Value::NIL.is_nil() && Value::TRUE.is_true() && Value::FALSE.is_false());
    }
}
