//! The optional index region after a column's payload (storage.md §1.6):
//! the header's "XIDX" marker says it is there; after the payload, zero
//! bytes up to a multiple of 32, then a 32-byte block header (mmod 1,
//! generation 1, type 97, rc 1, len 96) and the 96-byte index payload,
//! then the index's child vectors (each a 32-byte header, mmod 1, byte 17
//! the power of two of the reference's allocation, rc 1, then its data,
//! padded to 32).
//!
//! This module owns that layout ([`region_bytes`]) and reading a region's
//! kind and markers back ([`read_region`]). We write only regions that are
//! byte for byte the reference's own: [`region_for`] those of the indexes
//! a column carries (for a `parted` numeric column the part index (keys,
//! starts, lengths), the hash index of a `grouped` (or `.idx.hash`)
//! column, over symbol-file positions for SYM ([`sym_hash_region`]), the
//! `.idx.sort`, `.idx.zone` and `.idx.bloom` indexes, and for any other
//! column marked `unique` a block of kind none with markers
//! unique|file-resident and no children), and `built_index` the
//! chunk-zone and dictionary indexes a save builds by itself for columns
//! of 65,536 rows or more that carry none. (Only the 16-byte parent aux
//! snapshot differs: the reference leaves a heap address there for SYM
//! columns, we write zeros; readers ignore it.) We read the kind and
//! markers of any region, and the loader rebuilds what they stand for from
//! the values (`unique`, `grouped`, `parted`, the sort, zone and bloom
//! indexes); the reference's hash tables and other children are never
//! trusted, and chunk-zone and dictionary regions are skipped.

use super::header::HEADER_LEN;
use crate::abi::*;
use crate::core::index::{self, Kind, MARK_FILE, MARK_UNIQUE};

/// Block header plus payload.
pub const BLOCK_LEN: usize = HEADER_LEN + index::PAYLOAD;
/// Byte 17 of the block header: the index layout generation.
const BLOCK_GENERATION: u8 = 1;

/// What a region holds, as far as we use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// The kind byte (0..=7 in the reference's files).
    pub kind: u8,
    pub markers: u8,
}

impl Region {
    pub fn unique(&self) -> bool {
        self.markers & MARK_UNIQUE != 0
    }

    pub fn kind(&self) -> Option<Kind> {
        Kind::from_byte(self.kind)
    }
}

/// The region that follows a payload ending at file offset `payload_end`:
/// padding to a multiple of 32, then the block (and its children). Only for
/// a column whose current index is one the reference writes the same way:
/// a part index over numeric values (`parted`, kind 6, its keys, starts and
/// lengths as children), a hash index (`grouped`, `.idx.hash`), a sort
/// index (its permutation), a zone index (min, max, null count), a bloom
/// filter or, for any other index with the `unique` marker, the
/// marker-only block (kind none). None otherwise: no region. SYM columns
/// take [`sym_hash_region`] instead (their on-disk keys are positions).
pub fn region_for(col: &ray_t, payload_end: usize) -> Option<Vec<u8>> {
    let idx = index::attached(col)?;
    let h = idx.header();
    let markers = (h.markers & MARK_UNIQUE) | MARK_FILE;
    let saved_attrs = h.saved_attrs & RAY_ATTR_HAS_NULLS;
    let mut words = [0i64; index::WORDS];
    let sized = |alloc: &[i64]| -> Vec<(&ray_t, i64)> { idx.children().zip(alloc.iter().copied()).collect() };
    // (F32 hash, zone and bloom indexes are left out: their on-disk keys
    // and bounds could not be checked against the reference, which makes
    // no F32 vectors.)
    let keyed = !matches!(col.type_, RAY_SYM | RAY_F32);
    let parent = Parent { type_: col.type_, len: col.len(), saved_attrs };
    let region = match h.kind {
        Kind::Part if col.type_ != RAY_SYM => {
            words[3] = idx.word(3);
            words[4] = -1;
            let children = sized(&[-1, -1, -1]);
            block_bytes(payload_end, Kind::Part, parent, markers, words, &children)?
        }
        Kind::Hash if keyed => {
            words[4..8].copy_from_slice(&[idx.word(4), idx.word(5), idx.word(6), idx.word(7)]);
            // The reference sizes the group keys for every row.
            let children = sized(&[-1, col.len(), -1, -1]);
            block_bytes(payload_end, Kind::Hash, parent, markers, words, &children)?
        }
        Kind::Sort => block_bytes(payload_end, Kind::Sort, parent, markers, words, &sized(&[-1]))?,
        Kind::Zone if keyed => {
            words[..3].copy_from_slice(&[idx.word(0), idx.word(1), idx.word(2)]);
            block_bytes(payload_end, Kind::Zone, parent, markers, words, &[])?
        }
        Kind::Bloom if keyed => {
            words[1..4].copy_from_slice(&[idx.word(1), idx.word(2), idx.word(3)]);
            block_bytes(payload_end, Kind::Bloom, parent, markers, words, &sized(&[-1]))?
        }
        _ if h.markers & MARK_UNIQUE != 0 => {
            block_bytes(payload_end, Kind::None, parent, markers, [0; index::WORDS], &[])?
        }
        _ => return None,
    };
    Some(region)
}

/// The region of a SYM column saved as symbol-file `positions` (one per
/// row), its payload ending at `payload_end`: when the column carries a
/// hash index (`grouped`, `.idx.hash`), the reference rebuilds it over the
/// positions, and so do we. None for any other column.
pub fn sym_hash_region(col: &ray_t, positions: &[u64], payload_end: usize) -> Option<Vec<u8>> {
    let idx = index::attached(col)?;
    let h = idx.header();
    if h.kind != Kind::Hash || col.type_ != RAY_SYM || positions.len() as i64 != col.len() {
        return None;
    }
    let keys: Vec<Option<u64>> = positions.iter().map(|&p| Some(p)).collect();
    let markers = (h.markers & MARK_UNIQUE) | MARK_FILE;
    let over = crate::ops::index::hash_index(&keys, RAY_SYM, markers).ok()?;
    let over = index::IndexRef::of(&over)?;
    let mut words = [0i64; index::WORDS];
    words[4..8].copy_from_slice(&[over.word(4), over.word(5), over.word(6), over.word(7)]);
    let children: Vec<(&ray_t, i64)> = over.children().zip([-1, col.len(), -1, -1]).collect();
    let parent = Parent { type_: RAY_SYM, len: col.len(), saved_attrs: 0 };
    block_bytes(payload_end, Kind::Hash, parent, markers, words, &children)
}

/// What an index block records of the column it was built over.
#[derive(Clone, Copy, Debug)]
pub struct Parent {
    pub type_: i8,
    pub len: i64,
    /// The column's HAS_NULLS bit (in memory) when the index was built.
    pub saved_attrs: u8,
}

/// A child vector of an index as it goes into a region.
pub struct Child<'a> {
    pub type_: i8,
    pub len: i64,
    /// The elements' bytes.
    pub data: &'a [u8],
    /// The bytes the reference allocated for the elements (its header's
    /// byte 17 tells that size); usually `data.len()`.
    pub alloc_bytes: usize,
}

impl<'a> Child<'a> {
    /// A child of `len` elements of `type_` whose bytes are `data`.
    pub fn new(type_: i8, len: i64, data: &'a [u8]) -> Child<'a> {
        Child { type_, len, data, alloc_bytes: data.len() }
    }
}

/// A 32-byte object header as the reference writes it inside a region:
/// aux zero, mmod 1 (file-resident), byte 17 `order`, rc 1.
fn object_header(order: u8, type_: i8, len: i64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[16] = 1;
    h[17] = order;
    h[18] = type_ as u8;
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[24..32].copy_from_slice(&len.to_le_bytes());
    h
}

/// [`region_bytes`] for index children given as vectors, each with the
/// element count the reference allocated it for (-1: its length). None
/// when a child is not a fixed-width vector.
fn block_bytes(
    payload_end: usize,
    kind: Kind,
    parent: Parent,
    markers: u8,
    words: [i64; index::WORDS],
    children: &[(&ray_t, i64)],
) -> Option<Vec<u8>> {
    let mut raw = Vec::with_capacity(children.len());
    for &(child, alloc) in children {
        if !is_vector_type(child.type_) || child.type_ == RAY_STR {
            return None;
        }
        let data = child.vec_bytes();
        let alloc_bytes = if alloc < 0 { data.len() } else { alloc as usize * elem_size(child.type_, child.attrs) };
        raw.push(Child { type_: child.type_, len: child.len(), data, alloc_bytes });
    }
    Some(region_bytes(payload_end, kind, parent, markers, words, &raw))
}

/// The region that follows a payload ending at file offset `payload_end`:
/// zero bytes up to a multiple of 32, the block, then each child (header
/// and data, padded to 32 bytes); the child words of `words`
/// (`index::child_words` of `kind`) get each child's offset from the block
/// start.
pub fn region_bytes(
    payload_end: usize,
    kind: Kind,
    parent: Parent,
    markers: u8,
    mut words: [i64; index::WORDS],
    children: &[Child],
) -> Vec<u8> {
    let pad = payload_end.next_multiple_of(32) - payload_end;
    let child_words = index::child_words(kind as u8);
    let children = &children[..children.len().min(child_words.len())];
    let tail_len: usize = children.iter().map(|c| (HEADER_LEN + c.data.len()).next_multiple_of(32)).sum();
    let mut out = Vec::with_capacity(pad + BLOCK_LEN + tail_len);
    out.resize(pad, 0);
    out.extend_from_slice(&object_header(BLOCK_GENERATION, RAY_INDEX, index::PAYLOAD as i64));
    let mut at = BLOCK_LEN;
    for (&word, child) in child_words.iter().zip(children) {
        words[word] = at as i64;
        at += (HEADER_LEN + child.data.len()).next_multiple_of(32);
    }
    let mut payload = [0u8; index::PAYLOAD];
    payload[0] = kind as u8;
    payload[1] = parent.saved_attrs;
    payload[2] = parent.type_ as u8;
    payload[3] = markers;
    payload[8..16].copy_from_slice(&parent.len.to_le_bytes());
    for (i, w) in words.iter().enumerate() {
        payload[32 + 8 * i..40 + 8 * i].copy_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(&payload);
    for child in children {
        out.extend_from_slice(&object_header(child_order(child.alloc_bytes), child.type_, child.len));
        out.extend_from_slice(child.data);
        // (The block starts `pad` bytes in, at a multiple of 32 in the file.)
        out.resize((out.len() - pad).next_multiple_of(32) + pad, 0);
    }
    out
}

/// Byte 17 of a child header as the reference writes it: the power of two
/// of the smallest block (64 bytes at least) holding header and data.
fn child_order(data_len: usize) -> u8 {
    (HEADER_LEN + data_len).next_power_of_two().max(64).trailing_zeros() as u8
}

/// The region of a marked file whose payload ends at `payload_end`, for a
/// column of `len` rows. None when the block is missing, of another layout
/// generation or size, or built for another length (the reference ignores
/// such regions too).
pub fn read_region(bytes: &[u8], payload_end: u64, len: i64) -> Option<Region> {
    let at = usize::try_from(payload_end.next_multiple_of(32)).ok()?;
    let block = bytes.get(at..at.checked_add(BLOCK_LEN)?)?;
    let block_len = i64::from_le_bytes(block[24..32].try_into().ok()?);
    if block[17] != BLOCK_GENERATION || block_len != index::PAYLOAD as i64 {
        return None;
    }
    let payload = &block[HEADER_LEN..];
    let parent_len = i64::from_le_bytes(payload[8..16].try_into().ok()?);
    (parent_len == len).then_some(Region { kind: payload[0], markers: payload[3] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;

    #[test]
    fn a_unique_region_reads_back_and_matches_the_reference_block() {
        let v = Value::vec_from_slice(RAY_I64, &[5i64, 3, 9, NULL_I64]).unwrap();
        let idx = crate::ops::index::markers_only(&v, MARK_UNIQUE).unwrap();
        let v = index::with_index(&v, Some(idx)).unwrap();
        let region = region_for(&v, 64).unwrap();
        // Captured from the reference (`.attr.set 'unique [5 3 9 0N]`, saved).
        let mut want = vec![0u8; BLOCK_LEN];
        want[16..32].copy_from_slice(&[1, 1, 0x61, 0, 1, 0, 0, 0, 0x60, 0, 0, 0, 0, 0, 0, 0]);
        want[32..48].copy_from_slice(&[0, 0x40, 5, 3, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(region, want);
        let mut file = vec![0u8; 64];
        file.extend_from_slice(&region);
        assert_eq!(read_region(&file, 64, 4), Some(Region { kind: 0, markers: 3 }));
        assert_eq!(read_region(&file, 64, 5), None, "built for another length");
        assert_eq!(read_region(&file[..100], 64, 4), None, "too short");
        assert_eq!(region_for(&v, 40).unwrap().len(), 24 + BLOCK_LEN, "padded to 32");
        let plain = Value::vec_from_slice(RAY_I64, &[1i64, 1, 2]).unwrap();
        assert_eq!(region_for(&plain, 56), None);
        let five = Value::vec_from_slice(RAY_I64, &[1i64, 1, 2, 2, 1]).unwrap();
        let grouped = index::with_index(&five, Some(crate::ops::index::build(Kind::Hash, &five, 0).unwrap())).unwrap();
        let region = region_for(&grouped, 72).unwrap();
        // Block, table (8 slots), keys [1 2], offsets [0 3 5], rows [0 1 4 2 3].
        assert_eq!(region.len(), 24 + BLOCK_LEN + 96 + 64 + 64 + 96);
        assert_eq!(&region[24 + 32..24 + 36], &[1, 0, 5, 2], "kind hash, parent I64, file-resident");
        let gkeys = &region[24 + BLOCK_LEN + 96..];
        assert_eq!((gkeys[17], gkeys[24], gkeys[32]), (7, 2, 1), "sized for 5 rows, length 2, key 1");
    }
}
