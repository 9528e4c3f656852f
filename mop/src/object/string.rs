//! Immutable UTF-8 text, used for both Strings and Symbols (they differ only by layout).
//! Indices at the language level count code points; ASCII-only text indexes bytes directly.

use super::{allocate_object, size_with_tail, tail, Allocator, Gc, Layout, ObjHeader};
use crate::heap::{GcHeader, OutOfMemory, Tracer, TypeInfo};
use crate::Value;
use std::ptr::NonNull;

#[repr(C)]
pub struct VmString {
    header: ObjHeader,
    byte_len: usize,
    char_len: usize,
}

pub static STRING_TYPE: TypeInfo = TypeInfo {
    name: "String",
    trace: trace_string,
    finalize: None,
};

unsafe fn trace_string(obj: NonNull<GcHeader>, tracer: &mut Tracer) {
    // SAFETY: called by the collector for objects allocated with STRING_TYPE.
    let string: Gc<VmString> = Gc::from_header(obj);
    tracer.mark_value(string.header.layout().value());
}

impl VmString {
    pub fn allocate(
        alloc: &mut dyn Allocator,
        layout: Gc<Layout>,
        text: &str,
    ) -> Result<Gc<VmString>, OutOfMemory> {
        let size = size_with_tail::<VmString, u8>(text.len());
        let string: Gc<VmString> = allocate_object(alloc, size, &STRING_TYPE, Some(layout))?;
        // SAFETY: freshly allocated with room for `text.len()` trailing bytes, not yet shared.
        unsafe {
            let raw = string.as_ptr();
            (*raw).byte_len = text.len();
            (*raw).char_len = text.chars().count();
            let dest = (raw as *mut u8).add(std::mem::size_of::<VmString>());
            std::ptr::copy_nonoverlapping(text.as_ptr(), dest, text.len());
        }
        Ok(string)
    }

    /// Whether `v` is a String or a Symbol.
    pub fn is_string(v: Value) -> bool {
        super::is_kind(v, &STRING_TYPE)
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: the bytes were copied from a `&str` in `allocate` and are never modified.
        unsafe { std::str::from_utf8_unchecked(tail(self, self.byte_len)) }
    }

    /// Length in code points.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// The text of code points `from..to` (0-based, end exclusive); `None` when out of range.
    pub fn char_range(&self, from: usize, to: usize) -> Option<&str> {
        if from > to || to > self.char_len {
            return None;
        }
        let text = self.as_str();
        if self.char_len == self.byte_len {
            return Some(&text[from..to]);
        }
        let mut indices = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()));
        let start = indices.nth(from)?;
        let end = if to == from {
            start
        } else {
            indices.nth(to - from - 1)?
        };
        Some(&text[start..end])
    }
}
