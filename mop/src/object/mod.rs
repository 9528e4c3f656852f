//! The heap objects of the object model and the typed pointer [`Gc`] used to reach them.
//!
//! Every object starts with an [`ObjHeader`]: the collector's [`GcHeader`] and a pointer to the
//! object's [`Layout`], which names its class, where its fields are stored, and (for the MOP) the
//! environment attached to it. Mutable state lives in `Cell`s, so objects are only ever reached
//! through shared references and a [`Gc`] can be copied freely like a [`Value`].

mod array;
mod bigint;
mod class;
mod double_array;
mod instance;
mod layout;
mod string;
mod symbol_table;

pub use array::Array;
pub use bigint::BigIntObject;
pub use class::Class;
pub use double_array::DoubleArray;
pub use instance::Instance;
pub use layout::{Layout, LAYOUT_TYPE};
pub use string::VmString;
pub use symbol_table::SymbolTable;

use crate::heap::{GcHeader, OutOfMemory, TypeInfo};
use crate::Value;
use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

/// Where the object model gets memory from. The VM implements it on top of the
/// [`Heap`](crate::heap::Heap), collecting first when a collection is due.
pub trait Allocator {
    /// Zero-filled memory of `size` bytes (header included) for an object of kind `info`.
    fn allocate(
        &mut self,
        size: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory>;

    /// The same for an object owning `external_bytes` of memory outside the heap, which its
    /// finalizer frees; the heap counts them while the object lives
    /// ([`Heap::allocate_owning`](crate::heap::Heap::allocate_owning)).
    fn allocate_owning(
        &mut self,
        size: usize,
        external_bytes: usize,
        info: &'static TypeInfo,
    ) -> Result<NonNull<GcHeader>, OutOfMemory>;
}

/// The first two words of every object.
#[repr(C)]
pub struct ObjHeader {
    pub gc: GcHeader,
    layout: Cell<Option<Gc<Layout>>>,
}

impl ObjHeader {
    /// The layout of the object; `None` only for layouts created before the class `Shape` exists.
    #[inline(always)]
    pub fn layout(&self) -> Gc<Layout> {
        // SAFETY: every object gets its layout right after allocation (see `Allocated::init`),
        // before any VM code can observe it; only the boot layouts are patched later.
        unsafe { self.layout.get().unwrap_unchecked() }
    }

    pub fn set_layout(&self, layout: Gc<Layout>) {
        self.layout.set(Some(layout));
    }
}

/// A typed pointer to a live heap object of type `T` (which starts with an [`ObjHeader`]).
#[repr(transparent)]
pub struct Gc<T> {
    ptr: NonNull<T>,
    _marker: PhantomData<*const T>,
}

impl<T> Clone for Gc<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gc<T> {}
impl<T> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<T> Eq for Gc<T> {}
impl<T> std::fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gc({:p})", self.ptr)
    }
}
impl<T> std::hash::Hash for Gc<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.ptr.hash(state)
    }
}

impl<T> Gc<T> {
    /// # Safety
    /// `v` must point to a live object of type `T`.
    #[inline(always)]
    pub unsafe fn from_value(v: Value) -> Gc<T> {
        Gc {
            ptr: NonNull::new_unchecked(v.bits() as usize as *mut T),
            _marker: PhantomData,
        }
    }

    /// # Safety
    /// `header` must be the header of a live object of type `T`.
    #[inline(always)]
    pub unsafe fn from_header(header: NonNull<GcHeader>) -> Gc<T> {
        Gc {
            ptr: header.cast(),
            _marker: PhantomData,
        }
    }

    #[inline(always)]
    pub fn value(self) -> Value {
        Value::from_pointer(self.ptr.as_ptr())
    }

    #[inline(always)]
    pub fn as_ptr(self) -> *mut T {
        self.ptr.as_ptr()
    }

    #[inline(always)]
    pub fn header(self) -> &'static ObjHeader {
        // SAFETY: every `T` used with `Gc` is `#[repr(C)]` and starts with an `ObjHeader`.
        unsafe { &*(self.ptr.as_ptr() as *const ObjHeader) }
    }

    /// Reinterprets the pointer; the caller has checked the object's kind.
    ///
    /// # Safety
    /// The object must really be a `U`.
    #[inline(always)]
    pub unsafe fn cast<U>(self) -> Gc<U> {
        Gc {
            ptr: self.ptr.cast(),
            _marker: PhantomData,
        }
    }
}

impl<T> Deref for Gc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: a `Gc` only exists for live objects; the collector never frees an object
        // that is reachable from the VM's roots or the machine stack.
        unsafe { self.ptr.as_ref() }
    }
}

/// The header of the heap object `v` points to, if it is a pointer.
#[inline(always)]
pub fn header_of(v: Value) -> Option<&'static ObjHeader> {
    // SAFETY: pointer values always refer to live objects, all of which start with ObjHeader.
    v.as_pointer().map(|p| unsafe { &*(p as *const ObjHeader) })
}

/// Whether `v` is a heap object of the kind described by `info`.
#[inline(always)]
pub fn is_kind(v: Value, info: &'static TypeInfo) -> bool {
    header_of(v).is_some_and(|h| std::ptr::eq(h.gc.type_info(), info))
}

/// Allocates an object of `size` bytes of kind `info` and gives it `layout`.
pub fn allocate_object<T>(
    alloc: &mut dyn Allocator,
    size: usize,
    info: &'static TypeInfo,
    layout: Option<Gc<Layout>>,
) -> Result<Gc<T>, OutOfMemory> {
    let header = alloc.allocate(size, info)?;
    // SAFETY: fresh zeroed memory of at least `size >= size_of::<ObjHeader>()` bytes.
    let obj: Gc<T> = unsafe { Gc::from_header(header) };
    obj.header().layout.set(layout);
    Ok(obj)
}

/// Byte size of an object whose fixed part is `T` followed by `n` items of type `U`.
pub const fn size_with_tail<T, U>(n: usize) -> usize {
    std::mem::size_of::<T>() + n * std::mem::size_of::<U>()
}

/// The `n` trailing items of type `U` stored right after the fixed part `T` of an object.
///
/// # Safety
/// The object must have been allocated with at least `size_with_tail::<T, U>(n)` bytes.
#[inline(always)]
pub unsafe fn tail<T, U>(obj: &T, n: usize) -> &[U] {
    let start = (obj as *const T as *const u8).add(std::mem::size_of::<T>()) as *const U;
    std::slice::from_raw_parts(start, n)
}
