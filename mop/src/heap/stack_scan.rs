//! Conservative roots: the machine stack of the mutator thread.
//!
//! The interpreter keeps references in Rust locals that the collector cannot enumerate
//! precisely, so a collection also treats every word of the mutator's stack, from the current
//! stack pointer up to the stack base the VM registered, as a possible reference. A word counts
//! if it points to the start or the inside of an allocated object (optimised code may hold only
//! a pointer into an object's fields); words pointing to free cells or outside the heap are
//! ignored. Objects never move, so a word that merely looks like a pointer only keeps some
//! garbage alive until the word changes.
//!
//! Assumptions:
//! - the collection runs on the mutator thread, and every frame holding references lies between
//!   the scanning frame and the stack base (the stack grows downwards);
//! - references are stored as whole, 8-byte aligned words (never split, xor-ed or offset
//!   outside their object);
//! - references held only in callee-saved registers are spilled to the scanning frame first;
//!   caller-saved registers were already saved on the stack by the calls leading here.

use std::hint::black_box;
use std::ptr;

use super::tracer::Tracer;
use crate::value::Value;

const WORD: usize = std::mem::size_of::<usize>();

#[cfg(target_arch = "x86_64")]
const CALLEE_SAVED_REGISTERS: usize = 8;

/// Writes rbx, rbp, r12-r15 (and rdi, rsi, callee-saved on Windows) into `spill`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn spill_callee_saved_registers(spill: &mut [usize; CALLEE_SAVED_REGISTERS]) {
    // SAFETY: the asm only stores eight registers into the eight words of `spill`.
    unsafe {
        std::arch::asm!(
            "mov [{spill}], rbx",
            "mov [{spill} + 8], rbp",
            "mov [{spill} + 16], r12",
            "mov [{spill} + 24], r13",
            "mov [{spill} + 32], r14",
            "mov [{spill} + 40], r15",
            "mov [{spill} + 48], rdi",
            "mov [{spill} + 56], rsi",
            spill = in(reg) spill.as_mut_ptr(),
            options(nostack, preserves_flags),
        );
    }
}

#[cfg(target_arch = "aarch64")]
const CALLEE_SAVED_REGISTERS: usize = 20;

/// Writes x19-x30 and d8-d15 into `spill`.
#[cfg(target_arch = "aarch64")]
#[inline(always)]
fn spill_callee_saved_registers(spill: &mut [usize; CALLEE_SAVED_REGISTERS]) {
    // SAFETY: the asm only stores twenty registers into the twenty words of `spill`.
    unsafe {
        std::arch::asm!(
            "stp x19, x20, [{spill}]",
            "stp x21, x22, [{spill}, #16]",
            "stp x23, x24, [{spill}, #32]",
            "stp x25, x26, [{spill}, #48]",
            "stp x27, x28, [{spill}, #64]",
            "stp x29, x30, [{spill}, #80]",
            "stp d8, d9, [{spill}, #96]",
            "stp d10, d11, [{spill}, #112]",
            "stp d12, d13, [{spill}, #128]",
            "stp d14, d15, [{spill}, #144]",
            spill = in(reg) spill.as_mut_ptr(),
            options(nostack, preserves_flags),
        );
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("the conservative stack scan spills registers only on x86_64 and aarch64");

/// Marks every object that a word of the current thread's stack, between this frame and
/// `stack_base` (inclusive), points into.
///
/// Never inlined, so that its frame (holding the spilled registers) lies below every frame of
/// its callers.
#[inline(never)]
pub(super) fn scan_machine_stack(stack_base: usize, tracer: &mut Tracer<'_>) {
    let mut spill = [0; CALLEE_SAVED_REGISTERS];
    spill_callee_saved_registers(&mut spill);
    let lowest = spill.as_ptr() as usize & !(WORD - 1);
    debug_assert!(
        lowest <= stack_base,
        "the stack base must be an address of the collecting thread's stack, above this frame"
    );
    let mut addr = lowest;
    while addr <= stack_base {
        // SAFETY: `addr` is an aligned address between this frame's `spill` and the stack
        // base, all of it the live, mapped stack of the current thread.
        let word = unsafe { ptr::read_volatile(addr as *const usize) };
        if Value::word_may_be_pointer(word) {
            tracer.mark_ambiguous_word(word);
        }
        addr += WORD;
    }
    black_box(&spill);
}
