//! Typed vectors: construction, growth, slices, SYM (width-coded) and STR
//! (16-byte cells plus a shared byte pool) vectors. Mutators take
//! `&mut Value` and copy first when the block is shared (copy-on-write), so
//! a value seen by two owners never changes under either of them.

use crate::abi::*;
use crate::core::{alloc, error::RayError, value::{Elem, Value}};
use core::ptr;

type Result<T> = std::result::Result<T, RayError>;

/// Largest element count any vector may have (the wire limit).
pub const MAX_VEC_LEN: i64 = 1_000_000_000;

fn alloc_vec(type_: i8, attrs: u8, cap: usize) -> Result<Value> {
    let w = elem_size(type_, attrs);
    let bytes = cap.checked_mul(w).ok_or_else(RayError::oom)?;
    let p = alloc::alloc_block(bytes);
    if p.is_null() {
        return Err(RayError::oom());
    }
    // SAFETY: fresh block with zeroed header.
    unsafe {
        (*p).type_ = type_;
        (*p).attrs = attrs;
        Ok(Value::from_new_block(p))
    }
}

impl Value {
    /// An empty vector of `type_` (1..=13) with room for `cap` elements.
    /// SYM vectors are W64. Errors: `type`, `range` (cap < 0), `oom`.
    pub fn vec_with_capacity(type_: i8, cap: i64) -> Result<Value> {
        if !is_vector_type(type_) {
            return Err(RayError::type_err("not a vector type"));
        }
        if cap < 0 {
            return Err(RayError::range("negative capacity"));
        }
        let attrs = if type_ == RAY_SYM { RAY_SYM_W64 } else { 0 };
        alloc_vec(type_, attrs, cap as usize)
    }

    /// An empty SYM vector of width code `width` (0..=3).
    pub fn sym_vec_with_capacity(width: u8, cap: i64) -> Result<Value> {
        if width > 3 {
            return Err(RayError::type_err("bad SYM width"));
        }
        if cap < 0 {
            return Err(RayError::range("negative capacity"));
        }
        alloc_vec(RAY_SYM, width, cap as usize)
    }

    /// A vector of `n` zero elements of `type_` (SYM: width code
    /// `sym_width`), to be filled in place through `as_mut_slice` (for
    /// instance by several threads on disjoint parts). Large blocks come
    /// zeroed from the system, so this costs no pass over the payload.
    /// Errors: `type`, `range`, `oom`.
    pub fn vec_zeroed(type_: i8, sym_width: u8, n: i64) -> Result<Value> {
        if !is_vector_type(type_) || type_ == RAY_STR || sym_width > 3 {
            return Err(RayError::type_err("not a fixed-width vector type"));
        }
        if !(0..=MAX_VEC_LEN).contains(&n) {
            return Err(RayError::range("bad vector length"));
        }
        let attrs = if type_ == RAY_SYM { sym_width } else { 0 };
        let bytes = (n as usize).checked_mul(elem_size(type_, attrs)).ok_or_else(RayError::oom)?;
        let p = alloc::alloc_block_zeroed(bytes);
        if p.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: fresh zeroed block holding n elements; zero is a valid
        // element of every fixed-width type.
        unsafe {
            (*p).type_ = type_;
            (*p).attrs = attrs;
            (*p).val.i64_ = n;
            Ok(Value::from_new_block(p))
        }
    }

    /// A STR vector of `n` empty strings, to be filled in place: cells
    /// through `as_mut_slice::<StrCell>` (for instance by several threads on
    /// disjoint parts), strings over 12 bytes through [`Value::set_str_pool`].
    /// Errors: `range`, `oom`.
    pub fn str_vec_zeroed(n: i64) -> Result<Value> {
        if !(0..=MAX_VEC_LEN).contains(&n) {
            return Err(RayError::range("bad vector length"));
        }
        let bytes = (n as usize).checked_mul(elem_size(RAY_STR, 0)).ok_or_else(RayError::oom)?;
        let p = alloc::alloc_block_zeroed(bytes);
        if p.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: fresh zeroed block of n cells; a zero cell is "".
        unsafe {
            (*p).type_ = RAY_STR;
            (*p).val.i64_ = n;
            Ok(Value::from_new_block(p))
        }
    }

    /// Makes the U8 vector `pool` the byte pool of this STR vector (its
    /// cells of more than 12 bytes hold offsets into it), replacing any.
    pub fn set_str_pool(&mut self, pool: Value) -> Result<()> {
        if self.type_ != RAY_STR || pool.type_ != RAY_U8 {
            return Err(RayError::type_err("a STR vector and a U8 pool"));
        }
        self.make_unique()?;
        let h = self.header_mut();
        // SAFETY: the slot holds the vector's reference to its pool (or
        // NULL); the block is unique, so nobody else reads the slot.
        unsafe {
            crate::core::rc::release(h.aux.ptrs[1]);
            h.aux.ptrs[1] = pool.into_raw();
        }
        Ok(())
    }

    /// A vector of `type_` holding a copy of `items` (element size must match).
    pub fn vec_from_slice<T: Elem>(type_: i8, items: &[T]) -> Result<Value> {
        let mut v = Value::vec_with_capacity(type_, items.len() as i64)?;
        assert_eq!(core::mem::size_of::<T>(), elem_size(type_, v.attrs), "element size");
        // SAFETY: v has room for items.len() elements of T.
        unsafe {
            ptr::copy_nonoverlapping(items.as_ptr(), v.data_ptr() as *mut T, items.len());
            v.header_mut().val.i64_ = items.len() as i64;
        }
        Ok(v)
    }

    /// A W64 SYM vector of intern ids.
    pub fn sym_vec(ids: &[i64]) -> Result<Value> {
        Value::vec_from_slice(RAY_SYM, ids)
    }

    /// A STR vector of the given strings.
    pub fn str_vec<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Result<Value> {
        let it = items.into_iter();
        let mut v = Value::vec_with_capacity(RAY_STR, it.size_hint().0 as i64)?;
        for s in it {
            v.str_vec_push(s)?;
        }
        Ok(v)
    }

    /// Ensures room for `extra` more elements (or slots), copying if shared.
    /// A vector's index is taken off (its values are about to change).
    pub fn reserve(&mut self, extra: usize) -> Result<()> {
        self.make_unique()?;
        crate::core::index::drop_in_place(self.header_mut());
        let w = if is_container_type(self.type_) { 8 } else { elem_size(self.type_, self.attrs) };
        let need = (self.len().max(0) as usize)
            .checked_add(extra)
            .and_then(|n| n.checked_mul(w))
            .ok_or_else(RayError::oom)?;
        if need <= self.capacity_bytes() {
            return Ok(());
        }
        let target = need.max(self.capacity_bytes().saturating_mul(2));
        // SAFETY: unique, non-slice heap block.
        let q = unsafe { alloc::realloc_block(self.as_ptr(), target) };
        if q.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: the old block moved into q; forget the old handle.
        unsafe {
            let old = core::mem::replace(self, Value::from_new_block(q));
            core::mem::forget(old);
        }
        Ok(())
    }

    /// Appends one element of a typed vector.
    pub fn push<T: Elem>(&mut self, x: T) -> Result<()> {
        if !self.is_vec() || self.type_ == RAY_STR {
            return Err(RayError::type_err("push on a non-vector"));
        }
        assert_eq!(core::mem::size_of::<T>(), elem_size(self.type_, self.attrs), "element size");
        self.reserve(1)?;
        let n = self.len() as usize;
        // SAFETY: reserve made room for n + 1 elements in a unique block.
        unsafe {
            ptr::write((self.data_ptr() as *mut T).add(n), x);
            self.header_mut().val.i64_ = n as i64 + 1;
        }
        Ok(())
    }

    /// Appends a slice of elements of a typed vector.
    pub fn extend_from_slice<T: Elem>(&mut self, xs: &[T]) -> Result<()> {
        assert_eq!(core::mem::size_of::<T>(), elem_size(self.type_, self.attrs), "element size");
        self.reserve(xs.len())?;
        let n = self.len() as usize;
        // SAFETY: room for n + xs.len() elements.
        unsafe {
            ptr::copy_nonoverlapping(xs.as_ptr(), (self.data_ptr() as *mut T).add(n), xs.len());
            self.header_mut().val.i64_ = (n + xs.len()) as i64;
        }
        Ok(())
    }

    /// Appends raw element bytes (native order, a whole number of elements)
    /// to a fixed-width vector (types 1..=12; SYM at its own width): one
    /// memcpy, for decoders. Errors: `type` for STR and non-vectors,
    /// `length` when `bytes` is not a whole number of elements, `oom`.
    pub fn extend_from_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        if !self.is_vec() || self.type_ == RAY_STR {
            return Err(RayError::type_err("raw bytes into a non fixed-width vector"));
        }
        let w = elem_size(self.type_, self.attrs);
        if bytes.len() % w != 0 {
            return Err(RayError::length("not a whole number of elements"));
        }
        let extra = bytes.len() / w;
        self.reserve(extra)?;
        let n = self.len() as usize;
        // SAFETY: reserve made room for n + extra elements of width w in a
        // unique, non-slice block; the source is a separate byte slice.
        unsafe {
            ptr::copy_nonoverlapping(bytes.as_ptr(), (self.data_ptr() as *mut u8).add(n * w), bytes.len());
            self.header_mut().val.i64_ = (n + extra) as i64;
        }
        Ok(())
    }

    /// Appends to a U8 vector by writing straight into its spare capacity
    /// (`reserve` first): `f` gets a `ByteWriter` that never writes past
    /// the capacity, and the vector's length grows by what it wrote. So a
    /// large byte image (a `ser` frame) is written once, into its final
    /// memory, with no clearing pass. Errors: `type` for a non-U8 value,
    /// `oom` when it cannot be made unique.
    pub fn fill_bytes<R>(&mut self, f: impl FnOnce(&mut ByteWriter<'_>) -> R) -> Result<R> {
        if self.type_ != RAY_U8 {
            return Err(RayError::type_err("bytes into a non-U8 value"));
        }
        self.make_unique()?;
        let n = self.len() as usize;
        let cap = self.capacity_bytes();
        let start = self.data_ptr() as *mut u8;
        // SAFETY: a unique, non-slice U8 block (capacity_bytes is 0 for a
        // slice) whose capacity is cap bytes; the writer stays within
        // start + n .. start + cap and lives only during `f`.
        let mut w = ByteWriter { at: unsafe { start.add(n) }, room: cap.saturating_sub(n), len: 0, overflow: false, _block: core::marker::PhantomData };
        let r = f(&mut w);
        // SAFETY: the writer initialised exactly w.len bytes after the n
        // existing ones, contiguously, within the capacity.
        unsafe { self.set_len(n + w.len) };
        Ok(r)
    }

    /// Mutable elements of a typed vector (copies first when shared; an
    /// attached index is taken off).
    pub fn as_mut_slice<T: Elem>(&mut self) -> Result<&mut [T]> {
        self.make_unique()?;
        crate::core::index::drop_in_place(self.header_mut());
        let s = self.elems::<T>();
        let (p, n) = (s.as_ptr() as *mut T, s.len());
        // SAFETY: unique owner; the slice covers the vector's elements.
        Ok(unsafe { core::slice::from_raw_parts_mut(p, n) })
    }

    /// Sets the length of a vector/container after filling its payload.
    ///
    /// # Safety
    /// `n` elements must be initialised and fit the capacity; `self` unique.
    pub unsafe fn set_len(&mut self, n: usize) {
        debug_assert!(n * elem_size(self.type_, self.attrs).max(1) <= self.capacity_bytes() || n == 0);
        self.header_mut().val.i64_ = n as i64;
    }

    /// Sets or clears attribute bits (e.g. `RAY_ATTR_HAS_NULLS`).
    pub fn set_attr(&mut self, bits: u8, on: bool) -> Result<()> {
        self.make_unique()?;
        let h = self.header_mut();
        if on { h.attrs |= bits } else { h.attrs &= !bits }
        Ok(())
    }

    /// Links an I32/I64 column to the table named by symbol `target`, or
    /// drops its link (None); copies first when shared. Other types: `type`.
    pub fn set_link_target(&mut self, target: Option<i64>) -> Result<()> {
        if !matches!(self.type_, RAY_I32 | RAY_I64) {
            return Err(RayError::type_err(format!("link: column must be RAY_I32 or RAY_I64 (got {})", self.type_)));
        }
        self.make_unique()?;
        let h = self.header_mut();
        if target.is_some() { h.attrs |= RAY_ATTR_HAS_LINK } else { h.attrs &= !RAY_ATTR_HAS_LINK }
        // SAFETY: integer arm of the aux union of a unique, non-slice
        // I32/I64 vector (make_unique materializes slices): bytes 8..16
        // hold nothing else for these types.
        unsafe { h.aux.i64s[1] = target.unwrap_or(0) };
        Ok(())
    }

    /// Appends one string to a STR vector (inline when <= 12 bytes, else pooled).
    pub fn str_vec_push(&mut self, s: &[u8]) -> Result<()> {
        if self.type_ != RAY_STR {
            return Err(RayError::type_err("not a STR vector"));
        }
        let cell = self.make_str_cell(s)?;
        self.reserve(1)?;
        let n = self.len() as usize;
        // SAFETY: room for n + 1 cells in a unique block.
        unsafe {
            ptr::write((self.data_ptr() as *mut StrCell).add(n), cell);
            self.header_mut().val.i64_ = n as i64 + 1;
        }
        Ok(())
    }

    /// Builds the cell for `s`, appending long strings to this vector's pool.
    pub(crate) fn make_str_cell(&mut self, s: &[u8]) -> Result<StrCell> {
        let len = u32::try_from(s.len()).map_err(|_| RayError::range("string over 4 GiB"))?;
        let mut cell = StrCell { len, bytes: [0; 12] };
        if s.len() <= STR_INLINE_MAX {
            cell.bytes[..s.len()].copy_from_slice(s);
            return Ok(cell);
        }
        self.make_unique()?;
        let mut pool = match self.str_pool() {
            Some(p) => p.to_value(),
            None => Value::vec_with_capacity(RAY_U8, s.len() as i64)?,
        };
        let off = u32::try_from(pool.len()).map_err(|_| RayError::range("string pool over 4 GiB"))?;
        if (off as u64) + (s.len() as u64) > u32::MAX as u64 {
            return Err(RayError::range("string pool over 4 GiB"));
        }
        // The vector holds one reference and `pool` another: drop the
        // vector's first so the pool can be grown in place when unshared.
        let h = self.header_mut();
        // SAFETY: the slot holds the vector's reference (or NULL).
        unsafe {
            crate::core::rc::release(h.aux.ptrs[1]);
            h.aux.ptrs[1] = ptr::null_mut();
        }
        pool.extend_from_slice::<u8>(s)?;
        // SAFETY: writing a pointer arm of the aux union of a unique block.
        unsafe { self.header_mut().aux.ptrs[1] = pool.into_raw() };
        cell.bytes[..4].copy_from_slice(&s[..4]);
        cell.bytes[4..8].copy_from_slice(&off.to_le_bytes());
        Ok(cell)
    }

    /// A zero-copy view of `len` elements from `offset` (retains the parent).
    pub fn slice(&self, offset: i64, len: i64) -> Result<Value> {
        if !self.is_vec() {
            return Err(RayError::type_err("slice of a non-vector"));
        }
        if offset < 0 || len < 0 || offset.checked_add(len).is_none_or(|e| e > self.len()) {
            return Err(RayError::range("slice out of range"));
        }
        let (parent, base) = if self.is_slice() {
            // SAFETY: slices point at a live non-slice parent.
            (unsafe { &*self.aux.ptrs[0] }, unsafe { self.aux.i64s[1] })
        } else {
            (&**self, 0)
        };
        let parent = parent.to_value();
        let p = alloc::alloc_block(0);
        if p.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: fresh block; the parent reference moves into it.
        unsafe {
            (*p).type_ = self.type_;
            (*p).attrs = RAY_ATTR_SLICE | (parent.attrs & (RAY_SYM_WIDTH_MASK | RAY_ATTR_HAS_NULLS));
            (*p).val.i64_ = len;
            (*p).aux.i64s[1] = base + offset;
            (*p).aux.ptrs[0] = parent.into_raw();
            Ok(Value::from_new_block(p))
        }
    }
}

impl ray_t {
    /// The symbol id of the table a linked I32/I64 column points into
    /// (`.col.link`), None for every other value.
    pub fn link_target(&self) -> Option<i64> {
        let linked = matches!(self.type_, RAY_I32 | RAY_I64) && self.attrs & RAY_ATTR_HAS_LINK != 0;
        // SAFETY: integer arm of the aux union; I32/I64 vectors keep
        // nothing else in bytes 8..16 (slices do, and never carry the bit).
        linked.then(|| unsafe { self.aux.i64s[1] })
    }

    /// The payload of a fixed-width vector (types 1..=12) as raw bytes,
    /// `len × element size` (slice-aware); empty for STR and non-vectors.
    pub fn vec_bytes(&self) -> &[u8] {
        if !self.is_vec() || self.type_ == RAY_STR {
            return &[];
        }
        let n = (self.len().max(0) as usize).saturating_mul(elem_size(self.type_, self.attrs));
        // SAFETY: the payload (own or the slice parent's) holds len elements.
        unsafe { core::slice::from_raw_parts(self.data_ptr(), n) }
    }
}

/// Copies a slice view into a fresh, non-slice vector.
pub fn materialize(v: &ray_t) -> Result<Value> {
    let n = v.len().max(0) as usize;
    let width = v.attrs & RAY_SYM_WIDTH_MASK;
    if v.type_ == RAY_STR {
        let mut out = Value::vec_with_capacity(RAY_STR, n as i64)?;
        for i in 0..n {
            out.str_vec_push(v.str_at(i))?;
        }
        out.set_attr(v.attrs & RAY_ATTR_HAS_NULLS, true)?;
        return Ok(out);
    }
    let attrs = if v.type_ == RAY_SYM { width } else { 0 };
    let mut out = alloc_vec(v.type_, attrs, n)?;
    let w = elem_size(v.type_, attrs);
    // SAFETY: out has room for n elements of width w; v's payload holds them.
    unsafe {
        ptr::copy_nonoverlapping(v.data_ptr(), out.data_ptr() as *mut u8, n * w);
        let h = out.header_mut();
        h.val.i64_ = n as i64;
        h.attrs |= v.attrs & RAY_ATTR_HAS_NULLS;
    }
    Ok(out)
}

/// Writes bytes into the spare capacity of a U8 vector (`Value::fill_bytes`),
/// one after another, never past the capacity: a write that does not fit is
/// dropped and marks the writer `overflowed`.
pub struct ByteWriter<'a> {
    at: *mut u8,
    room: usize,
    len: usize,
    overflow: bool,
    _block: core::marker::PhantomData<&'a mut [u8]>,
}

impl ByteWriter<'_> {
    #[inline(always)]
    pub fn push(&mut self, b: u8) {
        if self.len < self.room {
            // SAFETY: at + len is inside the spare capacity (len < room).
            unsafe { self.at.add(self.len).write(b) };
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }

    #[inline(always)]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        if bytes.len() <= self.room - self.len {
            // SAFETY: at + len .. + bytes.len() is inside the spare capacity
            // (checked); the source is a separate slice.
            unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.at.add(self.len), bytes.len()) };
            self.len += bytes.len();
        } else {
            self.overflow = true;
        }
    }

    /// Appends `block[..keep]` by writing all 16 bytes (one fixed-size
    /// copy); needs 16 bytes of room.
    #[inline(always)]
    pub fn put_block(&mut self, block: &[u8; 16], keep: usize) {
        if 16 <= self.room - self.len && keep <= 16 {
            // SAFETY: 16 bytes at at + len are inside the spare capacity.
            unsafe { ptr::copy_nonoverlapping(block.as_ptr(), self.at.add(self.len), 16) };
            self.len += keep;
        } else {
            self.overflow = true;
        }
    }

    /// Bytes that can still be written.
    #[inline(always)]
    pub fn spare(&self) -> usize {
        self.room - self.len
    }

    /// Bytes written so far.
    pub fn written(&self) -> usize {
        self.len
    }

    /// True when a write did not fit (and was dropped).
    pub fn overflowed(&self) -> bool {
        self.overflow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_grows_and_copy_on_write_protects_sharers() {
        let mut v = Value::vec_with_capacity(RAY_I64, 0).unwrap();
        for i in 0..100i64 {
            v.push(i).unwrap();
        }
        let shared = v.clone();
        v.push(100i64).unwrap();
        assert_eq!(shared.len(), 100);
        assert_eq!(v.len(), 101);
        assert_eq!(v.elems::<i64>()[100], 100);
        assert_eq!(shared.elems::<i64>()[99], 99);
    }

    #[test]
    fn slices_read_through_and_materialise_on_write() {
        let v = Value::vec_from_slice(RAY_I64, &[1i64, 2, 3, 4, 5]).unwrap();
        let s = v.slice(1, 3).unwrap();
        assert_eq!(s.elems::<i64>(), &[2, 3, 4]);
        let s2 = s.slice(1, 2).unwrap();
        assert_eq!(s2.elems::<i64>(), &[3, 4]);
        let mut m = s.clone();
        m.push(9i64).unwrap();
        assert_eq!(m.elems::<i64>(), &[2, 3, 4, 9]);
        assert_eq!(v.elems::<i64>(), &[1, 2, 3, 4, 5]);
        assert!(v.slice(4, 2).is_err());
    }

    #[test]
    fn narrow_sym_slices_use_their_width() {
        let mut v = Value::sym_vec_with_capacity(RAY_SYM_W8, 8).unwrap();
        for i in 0..8u8 {
            v.push(i).unwrap();
        }
        let s = v.slice(3, 2).unwrap();
        assert_eq!(s.sym_at(0), 3);
        assert_eq!(s.sym_at(1), 4);
    }

    #[test]
    fn str_vectors_inline_and_pool() {
        let long = b"a string longer than twelve bytes";
        let v = Value::str_vec([&b"short"[..], &long[..], b""]).unwrap();
        assert_eq!(v.str_at(0), b"short");
        assert_eq!(v.str_at(1), &long[..]);
        assert_eq!(v.str_at(2), b"");
        let mut w = v.clone();
        w.str_vec_push(b"another long string here").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(w.str_at(3), b"another long string here");
        assert_eq!(v.str_at(1), &long[..]);
        let s = w.slice(1, 3).unwrap();
        assert_eq!(s.str_at(2), b"another long string here");
    }

    #[test]
    fn fill_bytes_appends_within_the_capacity_and_drops_what_does_not_fit() {
        let mut v = Value::vec_with_capacity(RAY_U8, 0).unwrap();
        v.extend_from_bytes(b"ab").unwrap();
        let cap = v.capacity_bytes();
        let (written, overflow) = v
            .fill_bytes(|w| {
                w.push(b'c');
                w.put_block(b"defghijklmnopqrs", 3);
                w.extend_from_slice(&vec![b'x'; cap]);
                w.push(b'z');
                (w.written(), w.overflowed())
            })
            .unwrap();
        assert!(overflow, "the slice longer than the room is dropped");
        assert_eq!(written, 5);
        assert_eq!(v.elems::<u8>(), b"abcdefz");
        assert!(Value::vec_with_capacity(RAY_I64, 4).unwrap().fill_bytes(|_| ()).is_err(), "U8 only");
    }
}
