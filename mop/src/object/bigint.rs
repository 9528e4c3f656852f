//! Integers beyond the small-integer range. Arithmetic normalises results that fit back into
//! small integers, so a `BigIntObject` always holds a value outside that range.

use super::{allocate_object, Allocator, Gc, Layout, ObjHeader};
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

impl BigIntObject {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        value: BigInt,
    ) -> Result<Gc<BigIntObject>, OutOfMemory> {
        let big: Gc<BigIntObject> = allocate_object(
            alloc,
            std::mem::size_of::<BigIntObject>(),
            &BIGINT_TYPE,
            Some(layout),
        )?;
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
