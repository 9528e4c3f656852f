//! Block closures (classes `Block1`..`Block3`): compiled code plus what it closes over.

use super::CompiledBody;
use std::ptr::NonNull;
use yerba_mop::heap::{GcHeader, Tracer, TypeInfo};
use yerba_mop::object::{allocate_object, is_kind, Allocator, Gc, Layout, ObjHeader};
use yerba_mop::Value;

#[repr(C)]
pub struct Block {
    header: ObjHeader,
    /// Owned by the AST of `home_method`, which this block keeps alive.
    code: *const CompiledBody,
    home_method: Value,
    /// The context of the activation the block was created in (nil if it captures nothing).
    outer: Value,
    receiver: Value,
}

pub static BLOCK_TYPE: TypeInfo = TypeInfo {
    name: "Block",
    trace: trace_block,
    finalize: None,
};

unsafe fn trace_block(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with BLOCK_TYPE.
    let block: Gc<Block> = Gc::from_header(obj);
    tracer.mark_value(block.header.layout().value());
    tracer.mark_value(block.home_method);
    tracer.mark_value(block.outer);
    tracer.mark_value(block.receiver);
}

impl Block {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        code: &CompiledBody,
        home_method: Value,
        outer: Value,
        receiver: Value,
    ) -> Gc<Block> {
        let block: Gc<Block> = allocate_object(
            alloc,
            std::mem::size_of::<Block>(),
            &BLOCK_TYPE,
            Some(layout),
        )
        .unwrap_or_else(|e| crate::universe::fatal_out_of_memory(e));
        // SAFETY: fresh, unshared memory.
        unsafe {
            let raw = block.as_ptr();
            (*raw).code = code;
            (*raw).home_method = home_method;
            (*raw).outer = outer;
            (*raw).receiver = receiver;
        }
        block
    }

    /// Where a block keeps its code, home method, outer context and receiver, for native
    /// code that activates blocks itself.
    pub const CODE_OFFSET: usize = std::mem::offset_of!(Block, code);
    pub const HOME_METHOD_OFFSET: usize = std::mem::offset_of!(Block, home_method);
    pub const OUTER_OFFSET: usize = std::mem::offset_of!(Block, outer);
    pub const RECEIVER_OFFSET: usize = std::mem::offset_of!(Block, receiver);

    pub fn is_block(v: Value) -> bool {
        is_kind(v, &BLOCK_TYPE)
    }

    #[inline(always)]
    pub fn code(&self) -> &CompiledBody {
        // SAFETY: the code is owned by `home_method`'s AST, which this block marks as live.
        unsafe { &*self.code }
    }

    #[inline(always)]
    pub fn outer(&self) -> Value {
        self.outer
    }

    #[inline(always)]
    pub fn receiver(&self) -> Value {
        self.receiver
    }

    pub fn home_method(&self) -> Value {
        self.home_method
    }
}
