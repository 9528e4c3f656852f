//! Integers beyond the small-integer range. Arithmetic normalises results that fit back into
//! small integers, so a `BigIntObject` always holds a value outside that range.

use super::{Allocator, Gc, Layout, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use num_bigint::BigInt;
use std::ptr::NonNull;

#[repr(C)]
pub struct BigIntObject {
    header: ObjHeader,
    value: BigInt,
}

pub static BIGINT_TYPE: TypeInfo = TypeInfo {
    name: "BigInteger",
    trace: trace_bigint,
    finalize: Some(finalize_bigint),
};

unsafe fn trace_bigint(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with BIGINT_TYPE.
    let big: Gc<BigIntObject> = Gc::from_header(obj);
    tracer.mark_value(big.header.layout().value());
}

unsafe fn finalize_bigint(obj: NonNull<GcHeader>) {
    // SAFETY: the object is dead and was initialised by `allocate`; its BigInt is dropped once.
    let big: Gc<BigIntObject> = Gc::from_header(obj);
    std::ptr::drop_in_place(&mut (*big.as_ptr()).value);
}

/// The memory a big integer's digits take outside the heap, which the heap counts as the
/// object's: the length of its digit vector (the capacity is not visible, but the big integer
/// library keeps it within about twice the length).
fn digit_bytes(value: &BigInt) -> usize {
    value.iter_u64_digits().len() * std::mem::size_of::<u64>()
}

impl BigIntObject {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        value: BigInt,
    ) -> Result<Gc<BigIntObject>, OutOfMemory> {
        let header = alloc.allocate_owning(
            std::mem::size_of::<BigIntObject>(),
            digit_bytes(&value),
            &BIGINT_TYPE,
        )?;
        // SAFETY: fresh zeroed memory of the size of a BigIntObject.
        let big: Gc<BigIntObject> = unsafe { Gc::from_header(header) };
        big.header().set_layout(layout);
        // SAFETY: fresh memory: write the BigInt without dropping the zeroed bytes.
        unsafe { std::ptr::write(&mut (*big.as_ptr()).value, value) };
        Ok(big)
    }

    pub fn is_bigint(v: crate::Value) -> bool {
        super::is_kind(v, &BIGINT_TYPE)
    }

    pub fn value(&self) -> &BigInt {
        &self.value
    }
}
