//! `Value`: the owned, safe handle to a `ray_t` block (retain on clone,
//! release on drop), and the read accessors every layer uses on `&ray_t`
//! (a borrowed view that never touches the count).
//!
//! `Value` is `repr(transparent)` over `NonNull<ray_t>`, so `Option<Value>`
//! has the layout of a nullable `ray_t*`. The only ways across the boundary
//! are `from_raw` (takes a +1), `from_borrowed` (retains) and `into_raw`
//! (hands a +1 over). Error objects are not refcounted in C; in Rust a Value
//! owning an error frees it on drop and deep-copies it on clone.

use crate::abi::*;
use crate::core::{alloc, error::RayError, rc, statics};
use core::ptr::NonNull;
use core::sync::atomic::Ordering;
use std::ops::Deref;

#[repr(transparent)]
pub struct Value(NonNull<ray_t>);

// SAFETY: counts are atomic; shared objects are never mutated (mutation goes
// through `make_unique`, which copies unless the count is 1).
unsafe impl Send for Value {}
// SAFETY: as above: `&Value` only allows reads and atomic count changes.
unsafe impl Sync for Value {}

impl Value {
    /// Takes over an owned (+1) pointer. None for NULL.
    ///
    /// # Safety
    /// `p` is NULL or a live object whose reference the caller gives away.
    pub unsafe fn from_raw(p: *mut ray_t) -> Option<Value> {
        NonNull::new(p).map(Value)
    }

    /// Makes a new owner of a borrowed pointer (retains; copies errors).
    ///
    /// # Safety
    /// `p` is NULL or a live object.
    pub unsafe fn from_borrowed(p: *mut ray_t) -> Option<Value> {
        let nn = NonNull::new(p)?;
        // SAFETY: p is live (caller).
        let r = unsafe { nn.as_ref() };
        Some(r.to_value())
    }

    /// Hands the reference over to the caller (C).
    pub fn into_raw(self) -> *mut ray_t {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }

    /// The raw pointer, still owned by `self`.
    pub fn as_ptr(&self) -> *mut ray_t {
        self.0.as_ptr()
    }

    /// Wraps a freshly allocated block (rc 1).
    ///
    /// # Safety
    /// `p` is a non-null block just obtained from the allocator.
    pub(crate) unsafe fn from_new_block(p: *mut ray_t) -> Value {
        // SAFETY: caller contract.
        Value(unsafe { NonNull::new_unchecked(p) })
    }

    /// The untyped null object (`RAY_NULL_OBJ`).
    pub fn null() -> Value {
        // SAFETY: the static is never freed (ARENA).
        Value(unsafe { NonNull::new_unchecked(statics::null_ptr()) })
    }

    /// An error object with `err`'s code.
    pub fn from_error(err: RayError) -> Value {
        // SAFETY: into_raw never returns NULL.
        Value(unsafe { NonNull::new_unchecked(err.into_raw()) })
    }

    /// Current reference count (diagnostics).
    pub fn rc(&self) -> u32 {
        self.rc.load(Ordering::Relaxed)
    }

    /// True when no other owner exists (safe to mutate in place). Objects
    /// inside a mapped file (`mmod` != 0) never are: they are copied first.
    pub fn is_unique(&self) -> bool {
        self.attrs & RAY_ATTR_ARENA == 0 && self.mmod == 0 && self.type_ != RAY_ERROR && self.rc() == 1
    }

    /// Ensures `self` is the only owner of a mutable, non-slice block:
    /// copies (materialising slices) when shared. Errors: `oom`.
    pub fn make_unique(&mut self) -> Result<(), RayError> {
        if let Some(copy) = self.copy_unless_unique()? {
            *self = copy;
        }
        Ok(())
    }

    /// The copy-on-write step of `make_unique` without replacing `self`:
    /// None when `self` is already the only owner of a mutable, non-slice
    /// block (change it in place), else a fresh, uniquely owned copy
    /// (slices materialised) while `self` is left as it was. Errors: `oom`.
    pub fn copy_unless_unique(&self) -> Result<Option<Value>, RayError> {
        if self.is_unique() && self.attrs & RAY_ATTR_SLICE == 0 {
            return Ok(None);
        }
        if self.attrs & RAY_ATTR_SLICE != 0 {
            return crate::core::vector::materialize(self).map(Some);
        }
        // SAFETY: self is live and not a slice.
        let q = unsafe { rc::shallow_copy(self.as_ptr()) };
        if q.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: fresh block.
        Ok(Some(unsafe { Value::from_new_block(q) }))
    }

    /// Mutable header access; the caller must have called `make_unique`.
    pub(crate) fn header_mut(&mut self) -> &mut ray_t {
        debug_assert!(self.is_unique());
        // SAFETY: unique owner (checked by callers via make_unique).
        unsafe { &mut *self.0.as_ptr() }
    }
}

impl Deref for Value {
    type Target = ray_t;
    fn deref(&self) -> &ray_t {
        // SAFETY: a Value always points to a live object.
        unsafe { self.0.as_ref() }
    }
}

impl Clone for Value {
    fn clone(&self) -> Value {
        (**self).to_value()
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        let p = self.0.as_ptr();
        // SAFETY: we own one reference (or the whole error object).
        unsafe {
            if (*p).type_ == RAY_ERROR {
                rc::free_error(p);
            } else {
                rc::release(p);
            }
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Value(type={}, len/val={})", self.type_, self.i64_val())
    }
}

/// A type that can be an element of a typed vector.
///
/// # Safety
/// Implementors are plain-old-data with no invalid bit patterns.
pub unsafe trait Elem: Copy + Send + Sync + 'static {}
// SAFETY: all are POD with every bit pattern valid.
unsafe impl Elem for u8 {}
// SAFETY: as above.
unsafe impl Elem for i16 {}
// SAFETY: as above.
unsafe impl Elem for u16 {}
// SAFETY: as above.
unsafe impl Elem for i32 {}
// SAFETY: as above.
unsafe impl Elem for u32 {}
// SAFETY: as above.
unsafe impl Elem for i64 {}
// SAFETY: as above.
unsafe impl Elem for f32 {}
// SAFETY: as above.
unsafe impl Elem for f64 {}
// SAFETY: as above.
unsafe impl Elem for [u8; 16] {}
// SAFETY: as above (repr(C), u32 + bytes).
unsafe impl Elem for StrCell {}

/// Read accessors, available on `Value` (through Deref) and on borrowed
/// `&ray_t` children alike.
impl ray_t {
    #[inline]
    pub fn type_(&self) -> i8 {
        self.type_
    }
    #[inline]
    pub fn attrs(&self) -> u8 {
        self.attrs
    }
    /// Element count of a vector or container (`v->len`).
    #[inline]
    pub fn len(&self) -> i64 {
        // SAFETY: every arm of the value union is 8 plain bytes.
        unsafe { self.val.i64_ }
    }
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    #[inline]
    pub fn is_atom(&self) -> bool {
        self.type_ < 0 || self.type_ >= RAY_LAMBDA
    }
    #[inline]
    pub fn is_vec(&self) -> bool {
        is_vector_type(self.type_)
    }
    #[inline]
    pub fn is_error(&self) -> bool {
        self.type_ == RAY_ERROR
    }
    #[inline]
    pub fn is_null_obj(&self) -> bool {
        core::ptr::eq(self, statics::null_ptr())
    }
    #[inline]
    pub fn is_slice(&self) -> bool {
        self.attrs & RAY_ATTR_SLICE != 0
    }

    /// New owner of this object (retain; errors are copied).
    pub fn to_value(&self) -> Value {
        let p = self as *const ray_t as *mut ray_t;
        if self.type_ == RAY_ERROR && self.attrs & RAY_ATTR_ARENA == 0 {
            // SAFETY: self is a live error.
            return Value::from_error(unsafe { RayError::from_raw_code(p) });
        }
        // SAFETY: self is live.
        unsafe {
            rc::retain(p);
            Value(NonNull::new_unchecked(p))
        }
    }

    // ----- atom values -----
    #[inline]
    pub fn i64_val(&self) -> i64 {
        // SAFETY: plain bytes.
        unsafe { self.val.i64_ }
    }
    #[inline]
    pub fn f64_val(&self) -> f64 {
        // SAFETY: plain bytes.
        unsafe { self.val.f64_ }
    }
    #[inline]
    pub fn i32_val(&self) -> i32 {
        // SAFETY: plain bytes.
        let b = unsafe { self.val.bytes };
        i32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
    #[inline]
    pub fn i16_val(&self) -> i16 {
        // SAFETY: plain bytes.
        let b = unsafe { self.val.bytes };
        i16::from_le_bytes([b[0], b[1]])
    }
    #[inline]
    pub fn u8_val(&self) -> u8 {
        // SAFETY: plain bytes.
        unsafe { self.val.bytes[0] }
    }
    #[inline]
    pub fn bool_val(&self) -> bool {
        self.u8_val() != 0
    }
    /// The typed-null flag bit (`aux[0] & 1`).
    #[inline]
    pub fn null_flag(&self) -> bool {
        // SAFETY: plain bytes.
        unsafe { self.aux.bytes[0] & 1 != 0 }
    }
    /// For SYM atoms: the quoted-literal marker.
    #[inline]
    pub fn is_quoted(&self) -> bool {
        self.type_ == -RAY_SYM && self.attrs & RAY_ATTR_QUOTED != 0
    }

    /// `RAY_ATOM_IS_NULL`: typed-null test by the reference's rules.
    pub fn is_null_atom(&self) -> bool {
        if self.is_null_obj() || self.type_ == RAY_NULL {
            return true;
        }
        match -self.type_ {
            t if t <= 0 => false,
            RAY_F64 => self.f64_val().is_nan(),
            RAY_F32 => (self.f64_val() as f32).is_nan(),
            RAY_I64 | RAY_TIMESTAMP => self.i64_val() == NULL_I64,
            RAY_I32 | RAY_DATE | RAY_TIME => self.i32_val() == NULL_I32,
            RAY_I16 => self.i16_val() == NULL_I16,
            RAY_SYM | RAY_STR => false,
            RAY_GUID => self.guid_bytes().is_none_or(|g| g == &[0u8; 16]),
            _ => self.null_flag(),
        }
    }

    /// Bytes of a STR atom (empty for other types).
    pub fn str_bytes(&self) -> &[u8] {
        if self.type_ != -RAY_STR {
            return &[];
        }
        // SAFETY: self is a live STR atom; short bytes live in the header,
        // long ones in a child U8 block owned by self.
        unsafe {
            if rc::str_atom_is_short(self) {
                let n = self.val.bytes[0] as usize;
                let base = (&raw const self.val.bytes) as *const u8;
                core::slice::from_raw_parts(base.add(1), n.min(6))
            } else {
                let c = &*self.val.obj;
                core::slice::from_raw_parts(c.data_ptr(), c.len().max(0) as usize)
            }
        }
    }

    /// The 16 bytes of a GUID atom (None if it has no payload block).
    pub fn guid_bytes(&self) -> Option<&[u8; 16]> {
        if self.type_ != -RAY_GUID {
            return None;
        }
        // SAFETY: GUID atoms own a U8 child block of 16 bytes (or NULL).
        unsafe {
            let c = self.val.obj;
            if c.is_null() { None } else { Some(&*((*c).data_ptr() as *const [u8; 16])) }
        }
    }

    /// The code of an error object ("" for non-errors).
    pub fn err_code(&self) -> RayError {
        if self.type_ != RAY_ERROR {
            return RayError::code("");
        }
        // SAFETY: self is a live error.
        unsafe { RayError::from_raw_code(self) }
    }

    // ----- payload -----

    /// Address of the first element (slice-aware; a lazily filled vector,
    /// `core::lazy`, is filled first).
    pub fn data_ptr(&self) -> *const u8 {
        let own = (&raw const self.data) as *const u8;
        if self.attrs & RAY_ATTR_SLICE == 0 {
            if self.mmod == crate::core::lazy::MMOD_LAZY {
                // SAFETY: only `lazy::adopt` makes objects with this mmod.
                unsafe { crate::core::lazy::ensure(self) };
            }
            return own;
        }
        // SAFETY: slices store a live parent (non-slice) and an in-range offset.
        unsafe {
            let parent = &*self.aux.ptrs[0];
            let off = self.aux.i64s[1].max(0) as usize;
            (parent.data_ptr()).add(off * elem_size(parent.type_, parent.attrs))
        }
    }

    /// The elements of a typed vector as a slice of `T`.
    /// Panics if `T`'s size is not the vector's element size.
    pub fn elems<T: Elem>(&self) -> &[T] {
        if !self.is_vec() {
            return &[];
        }
        assert_eq!(core::mem::size_of::<T>(), elem_size(self.type_, self.attrs), "element size");
        // SAFETY: the payload holds len elements of this size, suitably aligned
        // (32-byte header on a 16-aligned block; slice offsets are whole elements).
        unsafe { core::slice::from_raw_parts(self.data_ptr() as *const T, self.len().max(0) as usize) }
    }

    /// SYM id at `i` (width-aware). Panics on out-of-range `i`.
    pub fn sym_at(&self, i: usize) -> i64 {
        match self.attrs & RAY_SYM_WIDTH_MASK {
            RAY_SYM_W8 => self.elems::<u8>()[i] as i64,
            RAY_SYM_W16 => self.elems::<u16>()[i] as i64,
            RAY_SYM_W32 => self.elems::<u32>()[i] as i64,
            _ => self.elems::<i64>()[i],
        }
    }

    /// Bytes of element `i` of a STR vector. Panics on out-of-range `i`.
    pub fn str_at(&self, i: usize) -> &[u8] {
        let c = &self.elems::<StrCell>()[i];
        if c.len as usize <= STR_INLINE_MAX {
            // (No pool lookup for the inline strings.)
            return &c.bytes[..c.len as usize];
        }
        c.bytes_in(self.str_pool_bytes())
    }

    /// The bytes of a STR vector's string pool (slice-aware; empty without one).
    pub fn str_pool_bytes(&self) -> &[u8] {
        match self.str_pool() {
            // SAFETY: the pool is a live U8 vector owned by the (parent) vector.
            Some(p) => unsafe { core::slice::from_raw_parts(p.data_ptr(), p.len().max(0) as usize) },
            None => &[],
        }
    }

    /// The string pool of a STR vector (slice-aware).
    pub fn str_pool(&self) -> Option<&ray_t> {
        // SAFETY: aux arms are plain pointers; slices refer to a live parent.
        unsafe {
            let owner = if self.is_slice() { &*self.aux.ptrs[0] } else { self };
            owner.aux.ptrs[1].as_ref()
        }
    }

    /// Child slots of a LIST/DICT/TABLE/LAMBDA (NULL slots are None).
    pub fn items(&self) -> &[Option<&ray_t>] {
        if !is_container_type(self.type_) {
            return &[];
        }
        // SAFETY: containers hold len pointer slots; Option<&ray_t> has the
        // layout of a nullable pointer; children live as long as self.
        unsafe {
            core::slice::from_raw_parts(
                (&raw const self.data) as *const Option<&ray_t>,
                self.len().max(0) as usize,
            )
        }
    }

    /// Child `i` of a container, if present.
    pub fn item(&self, i: usize) -> Option<&ray_t> {
        self.items().get(i).copied().flatten()
    }

    /// Keys of a DICT (slot 0).
    pub fn dict_keys(&self) -> Option<&ray_t> {
        if self.type_ == RAY_DICT { self.item(0) } else { None }
    }
    /// Values of a DICT (slot 1).
    pub fn dict_vals(&self) -> Option<&ray_t> {
        if self.type_ == RAY_DICT { self.item(1) } else { None }
    }
    /// Column-name ids of a TABLE (an I64 vector).
    pub fn table_schema(&self) -> Option<&ray_t> {
        if self.type_ == RAY_TABLE { self.item(0) } else { None }
    }
    /// Column LIST of a TABLE.
    pub fn table_cols(&self) -> Option<&ray_t> {
        if self.type_ == RAY_TABLE { self.item(1) } else { None }
    }
    /// Row count of a TABLE (first column's length, 0 without columns).
    pub fn table_nrows(&self) -> i64 {
        self.table_cols().and_then(|c| c.item(0)).map_or(0, |c| c.len())
    }

    /// Block capacity in payload bytes (0 for slices, static and mapped objects).
    pub fn capacity_bytes(&self) -> usize {
        if self.is_slice() || self.mmod != 0 { 0 } else { alloc::capacity_bytes(self.order) }
    }
}
