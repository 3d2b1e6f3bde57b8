//! The optional index region after a column's payload (storage.md §1.6):
//! the header's "XIDX" marker says it is there; after the payload, zero
//! bytes up to a multiple of 32, then a 32-byte block header (mmod 1,
//! generation 1, type 97, rc 1, len 96) and the 96-byte index payload,
//! then the index's child vectors.
//!
//! We write only the region the reference documents as safe to emit: for
//! a column marked `unique`, a block of kind none with markers
//! unique|file-resident and no children. We read the kind and markers of
//! any region, and the loader rebuilds what they stand for from the values
//! (`unique`, `grouped`, `parted`); the reference's hash tables and other
//! children are never trusted.

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

/// True when `col` carries a current index with the `unique` marker: its
/// file then gets a region.
pub fn wants_region(col: &ray_t) -> bool {
    index::attached(col).is_some_and(|i| i.header().markers & MARK_UNIQUE != 0)
}

/// The bytes that follow a payload ending at file offset `payload_end` for
/// a `unique` column `col`: padding to a multiple of 32, then the block.
pub fn unique_region(col: &ray_t, payload_end: usize) -> Vec<u8> {
    let saved_attrs = index::attached(col).map_or(0, |i| i.header().saved_attrs);
    let pad = payload_end.next_multiple_of(32) - payload_end;
    let mut out = vec![0u8; pad + BLOCK_LEN];
    let block = &mut out[pad..];
    block[16] = 1; // mmod: file-resident
    block[17] = BLOCK_GENERATION;
    block[18] = RAY_INDEX as u8;
    block[20..24].copy_from_slice(&1u32.to_le_bytes());
    block[24..32].copy_from_slice(&(index::PAYLOAD as i64).to_le_bytes());
    let payload = &mut block[HEADER_LEN..];
    payload[0] = Kind::None as u8;
    payload[1] = saved_attrs & RAY_ATTR_HAS_NULLS;
    payload[2] = col.type_ as u8;
    payload[3] = MARK_UNIQUE | MARK_FILE;
    payload[8..16].copy_from_slice(&col.len().to_le_bytes());
    out
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
        assert!(wants_region(&v));
        let region = unique_region(&v, 64);
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
        assert_eq!(unique_region(&v, 40).len(), 24 + BLOCK_LEN, "padded to 32");
    }
}
