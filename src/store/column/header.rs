//! The 32-byte header every raw column file starts with (the in-memory
//! `ray_t` header, with on-disk meanings): reading it from file bytes and
//! writing it for a column. It knows field offsets and the rules about
//! them, nothing about payloads.

use crate::abi::*;

/// Header size, and the alignment of everything after a payload.
pub const HEADER_LEN: usize = 32;
/// Bytes 0..3 of a column that carries an index region.
pub const INDEX_MARKER: &[u8; 4] = b"XIDX";
/// Attribute bits a column file may carry: SYM width, sorted, has-nulls.
pub const KEPT_ATTRS: u8 = RAY_SYM_WIDTH_MASK | RAY_ATTR_SORTED | RAY_ATTR_HAS_NULLS;

/// A column file's header fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Bytes 0..3 are "XIDX": an index region follows the payload.
    pub indexed: bool,
    /// Byte 17: format generation, 0 for every file we can read.
    pub generation: u8,
    pub type_: i8,
    pub attrs: u8,
    /// SYM columns: symbol file count at write time; else 0.
    pub sym_count: u32,
    pub len: i64,
}

impl Header {
    /// The header at the start of `bytes` (at least 32 of them).
    pub fn parse(bytes: &[u8]) -> Header {
        Header {
            indexed: &bytes[0..4] == INDEX_MARKER,
            generation: bytes[17],
            type_: bytes[18] as i8,
            attrs: bytes[19],
            sym_count: u32::from_le_bytes(bytes[20..24].try_into().unwrap()),
            len: i64::from_le_bytes(bytes[24..32].try_into().unwrap()),
        }
    }

    /// A plain (unindexed, generation 0) header.
    pub fn new(type_: i8, attrs: u8, sym_count: u32, len: i64) -> Header {
        Header { indexed: false, generation: 0, type_, attrs: attrs & KEPT_ATTRS, sym_count, len }
    }

    /// The 32 bytes as written: aux zero (or the marker), mmod 0.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        if self.indexed {
            b[0..4].copy_from_slice(INDEX_MARKER);
        }
        b[17] = self.generation;
        b[18] = self.type_ as u8;
        b[19] = self.attrs;
        b[20..24].copy_from_slice(&self.sym_count.to_le_bytes());
        b[24..32].copy_from_slice(&self.len.to_le_bytes());
        b
    }
}

/// Element width of a raw column type (1..=12, SYM by its width bits).
pub fn width(type_: i8, attrs: u8) -> usize {
    elem_size(type_, attrs)
}

/// True for the types a raw column file holds (BOOL..STR).
pub fn is_raw_type(type_: i8) -> bool {
    (RAY_BOOL..=RAY_STR).contains(&type_)
}

/// The SYM width code for a symbol file of `count` entries.
pub fn sym_width_for_count(count: u64) -> u8 {
    match count {
        0..=0xff => RAY_SYM_W8,
        0x100..=0xffff => RAY_SYM_W16,
        0x1_0000..=0xffff_ffff => RAY_SYM_W32,
        _ => RAY_SYM_W64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_round_trips_and_matches_the_captured_bytes() {
        let h = Header::new(RAY_F64, RAY_ATTR_HAS_NULLS | RAY_ATTR_SLICE, 0, 3);
        let b = h.to_bytes();
        assert_eq!(&b[16..32], &[0, 0, 7, 0x40, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(Header::parse(&b), h);
        assert_eq!((sym_width_for_count(255), sym_width_for_count(256), sym_width_for_count(301)), (0, 1, 1));
        assert_eq!(sym_width_for_count(1 << 32), RAY_SYM_W64);
    }
}
