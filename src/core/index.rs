//! Vector indexes: the `RAY_INDEX` object (type 97) a vector carries in
//! `aux` bytes 0..8 while its `RAY_ATTR_HAS_INDEX` bit is set (c-api.md §2).
//!
//! The object's 96-byte payload is the index block of storage.md §1.6, with
//! one difference: a child field holds a pointer to an owned child vector
//! (the file holds its offset). Layout of the payload:
//!
//! | off | field |
//! |---:|---|
//! | 0 | u8 kind ([`Kind`]) |
//! | 1 | u8 saved attrs (the parent's HAS_NULLS at build time) |
//! | 2 | i8 parent type |
//! | 3 | u8 markers ([`MARK_UNIQUE`], [`MARK_FILE`]) |
//! | 8 | i64 parent length at build time (a different length: stale) |
//! | 32 | eight 8-byte words, kind-specific; the words [`child_words`] lists are child pointers |
//!
//! This module owns that layout, attaching an index to a vector and taking
//! it off, and the child slots that `rc` walks. Building an index from a
//! vector's values is `ops::index`.

use crate::abi::*;
use crate::core::{RayError, Result, Value, alloc, rc};

/// Payload bytes of an index object.
pub const PAYLOAD: usize = 96;
/// Marker bit: the values are unique (`.attr.set 'unique`).
pub const MARK_UNIQUE: u8 = 0x01;
/// Marker bit: the index lives in a file (always set on disk).
pub const MARK_FILE: u8 = 0x02;
/// Kind-specific words after the fixed fields.
pub const WORDS: usize = 8;
const WORDS_AT: usize = 32;

/// What an index holds (the kind byte, storage.md §1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// No accelerator: only markers (`unique`).
    None = 0,
    /// Equal values grouped (`grouped`, `.idx.hash`): words table, gkeys, offs, rows (children), mask, n_keys, n_groups, order column.
    Hash = 1,
    /// Ascending permutation (`.idx.sort`): word perm (child).
    Sort = 2,
    /// Minimum, maximum (i64, or f64 bits for float parents), null count (`.idx.zone`).
    Zone = 3,
    /// Bloom filter (`.idx.bloom`): words bits (child), bit mask, k, key count.
    Bloom = 4,
    /// Per-chunk min/max: words mins, maxs, null bits (children), chunk count | log2 rows << 32 | is_f64 << 40.
    /// Only in files (a save builds it for large columns, `store::column::built_index`); never attached in memory.
    ChunkZone = 5,
    /// Value blocks (`parted`): words keys, starts, lens (children), n_parts, order column.
    Part = 6,
    /// Dictionary of a STR column: words codes, first rows (children), distinct count.
    /// Only in files, as [`Kind::ChunkZone`].
    Dict = 7,
}

impl Kind {
    pub fn from_byte(b: u8) -> Option<Kind> {
        Some(match b {
            0 => Kind::None,
            1 => Kind::Hash,
            2 => Kind::Sort,
            3 => Kind::Zone,
            4 => Kind::Bloom,
            5 => Kind::ChunkZone,
            6 => Kind::Part,
            7 => Kind::Dict,
            _ => return None,
        })
    }

    /// The name `.idx.info` shows.
    pub fn name(self) -> &'static str {
        match self {
            Kind::None => "none",
            Kind::Hash => "hash",
            Kind::Sort => "sort",
            Kind::Zone => "zone",
            Kind::Bloom => "bloom",
            Kind::ChunkZone => "chunk-zone",
            Kind::Part => "part",
            Kind::Dict => "dict",
        }
    }
}

/// The kind-specific words (0..8) of `kind` that hold child pointers.
pub fn child_words(kind: u8) -> &'static [usize] {
    match Kind::from_byte(kind) {
        Some(Kind::Hash) => &[0, 1, 2, 3],
        Some(Kind::Sort) | Some(Kind::Bloom) => &[0],
        Some(Kind::ChunkZone) | Some(Kind::Part) => &[0, 1, 2],
        Some(Kind::Dict) => &[0, 1],
        _ => &[],
    }
}

/// Calls `f` on each child pointer (maybe NULL) of index object `p`.
///
/// # Safety
/// `p` points to a live `RAY_INDEX` object made by [`new_index`].
pub unsafe fn for_each_index_child(p: *mut ray_t, mut f: impl FnMut(*mut ray_t)) {
    // SAFETY: the object's payload holds PAYLOAD bytes (new_index allocates
    // them); child words are pointer-sized and 8-byte aligned at 32 + 8*i.
    unsafe {
        let payload = (p as *mut u8).add(32);
        for &w in child_words(*payload) {
            f(*(payload.add(WORDS_AT + 8 * w) as *const *mut ray_t));
        }
    }
}

/// The fixed fields of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    pub saved_attrs: u8,
    pub parent_type: i8,
    pub markers: u8,
    pub parent_len: i64,
}

/// A new index object: `words` are the kind-specific words; each word that
/// [`child_words`] names takes the next of `children` (ownership moves in).
/// Errors: `oom`; `domain` when `children` does not fit the kind.
pub fn new_index(h: Header, words: [i64; WORDS], children: Vec<Value>) -> Result<Value> {
    let slots = child_words(h.kind as u8);
    if children.len() != slots.len() {
        return Err(RayError::domain("index: wrong number of child vectors"));
    }
    let p = alloc::alloc_block_zeroed(PAYLOAD);
    if p.is_null() {
        return Err(RayError::oom());
    }
    let mut payload = [0u8; PAYLOAD];
    payload[0] = h.kind as u8;
    payload[1] = h.saved_attrs;
    payload[2] = h.parent_type as u8;
    payload[3] = h.markers;
    payload[8..16].copy_from_slice(&h.parent_len.to_le_bytes());
    for (i, w) in words.iter().enumerate() {
        payload[WORDS_AT + 8 * i..WORDS_AT + 8 * i + 8].copy_from_slice(&w.to_ne_bytes());
    }
    for (&slot, child) in slots.iter().zip(children) {
        let ptr = child.into_raw() as usize as u64;
        payload[WORDS_AT + 8 * slot..WORDS_AT + 8 * slot + 8].copy_from_slice(&ptr.to_ne_bytes());
    }
    // SAFETY: a fresh block with room for PAYLOAD bytes; the child pointers
    // written above are owned by the new object from here on.
    unsafe {
        (*p).type_ = RAY_INDEX;
        (*p).val.i64_ = PAYLOAD as i64;
        core::ptr::copy_nonoverlapping(payload.as_ptr(), (p as *mut u8).add(32), PAYLOAD);
        Ok(Value::from_new_block(p))
    }
}

/// A read view of an index object.
#[derive(Clone, Copy)]
pub struct IndexRef<'a>(&'a ray_t);

impl<'a> IndexRef<'a> {
    /// A view of `obj` when it is an index object.
    pub fn of(obj: &'a ray_t) -> Option<IndexRef<'a>> {
        (obj.type_ == RAY_INDEX).then_some(IndexRef(obj))
    }

    fn payload(&self) -> &'a [u8] {
        // SAFETY: an index object's payload holds PAYLOAD initialised bytes.
        unsafe { core::slice::from_raw_parts((self.0 as *const ray_t as *const u8).add(32), PAYLOAD) }
    }

    pub fn header(&self) -> Header {
        let p = self.payload();
        Header {
            kind: Kind::from_byte(p[0]).unwrap_or(Kind::None),
            saved_attrs: p[1],
            parent_type: p[2] as i8,
            markers: p[3],
            parent_len: i64::from_le_bytes(p[8..16].try_into().unwrap_or([0; 8])),
        }
    }

    /// Kind-specific word `i` (0..8).
    pub fn word(&self, i: usize) -> i64 {
        let at = WORDS_AT + 8 * i.min(WORDS - 1);
        i64::from_ne_bytes(self.payload()[at..at + 8].try_into().unwrap_or([0; 8]))
    }

    /// The child vector in word `i`, if that word is a present child.
    pub fn child(&self, i: usize) -> Option<&'a ray_t> {
        if !child_words(self.payload()[0]).contains(&i) {
            return None;
        }
        let p = self.word(i) as usize as *const ray_t;
        // SAFETY: a child word of a live index holds NULL or an owned child,
        // alive as long as the index (and so as long as 'a).
        unsafe { p.as_ref() }
    }

    /// The present child vectors, in word order.
    pub fn children(&self) -> impl Iterator<Item = &'a ray_t> + '_ {
        child_words(self.payload()[0]).iter().filter_map(|&w| self.child(w))
    }

    /// The same index with other markers: a new object sharing the children.
    pub fn with_markers(&self, markers: u8) -> Result<Value> {
        // SAFETY: a live index object (not a slice, not an error).
        let q = unsafe { rc::shallow_copy(self.0 as *const ray_t as *mut ray_t) };
        if q.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: q is a fresh copy with the PAYLOAD bytes of the original.
        unsafe {
            *(q as *mut u8).add(32 + 3) = markers;
            Ok(Value::from_new_block(q))
        }
    }
}

/// The index attached to vector `v`, if any and still current (built for
/// `v`'s length).
pub fn attached(v: &ray_t) -> Option<IndexRef<'_>> {
    if !is_vector_type(v.type_) || v.attrs & RAY_ATTR_SLICE != 0 || v.attrs & RAY_ATTR_HAS_INDEX == 0 {
        return None;
    }
    // SAFETY: with HAS_INDEX on a non-slice vector, aux bytes 0..8 hold the
    // index pointer (or NULL when a decoder set the bit without one).
    let p = unsafe { v.aux.ptrs[0] };
    // SAFETY: a non-NULL pointer there is a live object owned by `v`.
    let obj = unsafe { p.as_ref() }?;
    if obj.type_ != RAY_INDEX {
        return None;
    }
    let idx = IndexRef(obj);
    (idx.header().parent_len == v.len()).then_some(idx)
}

/// `v` with index `idx` attached (None: with no index). `v` itself is not
/// changed when shared: the answer is then a copy. Errors: `type` when `v`
/// is not a vector, `oom`.
pub fn with_index(v: &Value, idx: Option<Value>) -> Result<Value> {
    if !is_vector_type(v.type_) {
        return Err(RayError::type_err("index: not a vector"));
    }
    if idx.is_none() && v.attrs & RAY_ATTR_HAS_INDEX == 0 {
        return Ok(v.clone());
    }
    let mut out = v.clone();
    out.make_unique()?;
    let h = out.header_mut();
    drop_in_place(h);
    if let Some(idx) = idx {
        // SAFETY: a unique, non-slice vector (make_unique materialises
        // slices): aux bytes 0..8 are free for the index pointer, whose
        // ownership moves into the vector.
        unsafe { h.aux.ptrs[0] = idx.into_raw() };
        h.attrs |= RAY_ATTR_HAS_INDEX;
    }
    Ok(out)
}

/// Takes the index off a uniquely owned vector header (mutators call this
/// before they change values: the index would be stale).
pub(crate) fn drop_in_place(h: &mut ray_t) {
    if !is_vector_type(h.type_) || h.attrs & RAY_ATTR_SLICE != 0 || h.attrs & RAY_ATTR_HAS_INDEX == 0 {
        return;
    }
    // SAFETY: HAS_INDEX on a non-slice vector: aux bytes 0..8 hold NULL or
    // the owned index, released here exactly once.
    unsafe {
        let p = h.aux.ptrs[0];
        h.aux.ptrs[0] = core::ptr::null_mut();
        rc::release(p);
    }
    h.attrs &= !RAY_ATTR_HAS_INDEX;
}

/// `v` with `idx` attached, in place when `v` has no other owner, also when
/// `v` lives in a private file mapping (a column just loaded: copying it to
/// the heap would defeat the mapping); otherwise as [`with_index`] (a copy).
///
/// # Safety
/// `v`'s header is writable memory: a heap block, or a private writable
/// mapping (`store::column::read` maps columns copy-on-write).
pub unsafe fn attach_in_place(v: Value, idx: Value) -> Result<Value> {
    let alone = v.rc() == 1 && v.attrs & (RAY_ATTR_ARENA | RAY_ATTR_SLICE) == 0 && v.type_ != RAY_ERROR;
    if !alone || !is_vector_type(v.type_) {
        return with_index(&v, Some(idx));
    }
    // SAFETY: the only owner of a non-slice vector whose header is writable
    // (caller contract): nothing else reads the header while we change it;
    // aux bytes 0..8 are free for the index pointer, whose ownership moves
    // into the vector (an earlier index is released once).
    unsafe {
        let h = &mut *v.as_ptr();
        drop_in_place(h);
        h.aux.ptrs[0] = idx.into_raw();
        h.attrs |= RAY_ATTR_HAS_INDEX;
    }
    Ok(v)
}
