//! The indexes a splayed save builds by itself (storage.md §1.6), so that
//! our column files are the reference's byte for byte also for large
//! columns. A column of at least [`MIN_ROWS`] rows that carries no index
//! of its own gets:
//!
//! * numeric and temporal columns (BOOL, U8, I16, I32, I64, F32, F64,
//!   DATE, TIME, TIMESTAMP): a chunk-zone index (kind 5), per chunk of
//!   2^16 rows the minimum and maximum of its non-null values (I64 children,
//!   F64 for float columns; an all-null chunk has min = the type's largest
//!   and max = its smallest value, `i64::MAX`/`i64::MIN` or +inf/-inf) and
//!   one bit per chunk, set when it holds a null. Ties keep the first value
//!   seen (`-0.0` before `0.0` stays `-0.0`), as the reference does.
//! * STR columns: a dictionary index (kind 7), per row the code of its
//!   string (codes numbered in order of first appearance) and per code the
//!   row of its first appearance.
//!
//! GUID and SYM columns get none. What the reference records of the column
//! (payload byte 1) is its HAS_NULLS bit in memory at save time, not a
//! fresh scan: a column read from CSV or loaded from a file has it, one
//! computed by most operations does not (see README "Storage").
//!
//! [`ChunkZones`] takes the values in row order in any number of pieces, so
//! the streaming `.csv.splayed` feeds it chunk by chunk; whole chunks are
//! scanned in parallel.

use super::index_region::{Child, Parent, region_bytes};
use crate::abi::*;
use crate::core::index::{Kind, MARK_FILE, WORDS};
use crate::ops::par;

/// log2 of the rows per chunk.
pub const CHUNK_LOG2: u8 = 16;
/// Rows per chunk.
pub const CHUNK_ROWS: usize = 1 << CHUNK_LOG2;
/// Fewest rows for which a save builds an index.
pub const MIN_ROWS: usize = CHUNK_ROWS;

/// One chunk's bounds (bits of an i64, or of an f64 for float columns) and
/// whether it holds a null.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Zone {
    min: u64,
    max: u64,
    nulls: bool,
}

impl Zone {
    /// This zone followed by the rows of `later`: a bound moves only for a
    /// strictly smaller (larger) value, as a scan over both would.
    fn then(self, later: Zone, float: bool) -> Zone {
        let less = |a: u64, b: u64| if float { f64::from_bits(a) < f64::from_bits(b) } else { (a as i64) < (b as i64) };
        Zone {
            min: if less(later.min, self.min) { later.min } else { self.min },
            max: if less(self.max, later.max) { later.max } else { self.max },
            nulls: self.nulls | later.nulls,
        }
    }
}

/// Bounds of integer values widened to i64, skipping `is_null` ones
/// (branch-free, so the loop vectorizes).
fn int_zone<T: Copy>(xs: &[T], widen: impl Fn(T) -> i64, is_null: impl Fn(T) -> bool) -> Zone {
    let (mut min, mut max, mut nulls) = (i64::MAX, i64::MIN, false);
    for &x in xs {
        let (v, null) = (widen(x), is_null(x));
        nulls |= null;
        min = min.min(if null { i64::MAX } else { v });
        max = max.max(if null { i64::MIN } else { v });
    }
    Zone { min: min as u64, max: max as u64, nulls }
}

/// Bounds of float values as f64, skipping NaN (the float null: it
/// compares false); ties keep the first value seen.
fn float_zone<T: Copy>(xs: &[T], widen: impl Fn(T) -> f64) -> Zone {
    let (mut min, mut max, mut nulls) = (f64::INFINITY, f64::NEG_INFINITY, false);
    for &x in xs {
        let v = widen(x);
        nulls |= v.is_nan();
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    Zone { min: min.to_bits(), max: max.to_bits(), nulls }
}

/// A column's values by element type (what the scans read; slices can
/// go to worker threads, the column object cannot).
#[derive(Clone, Copy)]
enum Values<'a> {
    Unsigned(&'a [u8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    F32(&'a [f32]),
    F64(&'a [f64]),
}

impl<'a> Values<'a> {
    /// The values of `col` (a type [`ChunkZones::for_type`] accepts).
    fn of(col: &'a ray_t) -> Values<'a> {
        match col.type_ {
            RAY_BOOL | RAY_U8 => Values::Unsigned(col.elems()),
            RAY_I16 => Values::I16(col.elems()),
            RAY_I32 | RAY_DATE | RAY_TIME => Values::I32(col.elems()),
            RAY_I64 | RAY_TIMESTAMP => Values::I64(col.elems()),
            RAY_F32 => Values::F32(col.elems()),
            _ => Values::F64(col.elems()),
        }
    }

    /// The zone of rows `a..b`.
    fn zone(self, a: usize, b: usize) -> Zone {
        match self {
            Values::Unsigned(x) => int_zone(&x[a..b], i64::from, |_| false),
            Values::I16(x) => int_zone(&x[a..b], i64::from, |x| x == i16::MIN),
            Values::I32(x) => int_zone(&x[a..b], i64::from, |x| x == i32::MIN),
            Values::I64(x) => int_zone(&x[a..b], |x| x, |x| x == i64::MIN),
            Values::F32(x) => float_zone(&x[a..b], f64::from),
            Values::F64(x) => float_zone(&x[a..b], |x| x),
        }
    }
}

/// A chunk-zone index being built over a column's values in row order.
#[derive(Clone, Debug)]
pub struct ChunkZones {
    type_: i8,
    float: bool,
    zones: Vec<Zone>,
    rows: usize,
}

impl ChunkZones {
    /// An empty index for a column of type `t`; None for types that get
    /// no chunk-zone index (GUID, SYM, STR, lists).
    pub fn for_type(t: i8) -> Option<ChunkZones> {
        let float = match t {
            RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP => false,
            RAY_F32 | RAY_F64 => true,
            _ => return None,
        };
        Some(ChunkZones { type_: t, float, zones: Vec::new(), rows: 0 })
    }

    /// Takes the next rows, the values of `col` (a vector of this type).
    pub fn feed(&mut self, col: &ray_t) {
        debug_assert_eq!(col.type_, self.type_);
        let values = Values::of(col);
        let n = col.len().max(0) as usize;
        let mut at = 0;
        let open = self.rows % CHUNK_ROWS;
        if open != 0 && n > 0 {
            at = (CHUNK_ROWS - open).min(n);
            let last = self.zones.last_mut().expect("an open chunk has a zone");
            *last = last.then(values.zone(0, at), self.float);
        }
        let starts: Vec<usize> = (at..n).step_by(CHUNK_ROWS).collect();
        let zones = par::map_chunks(&starts, par::threads_for(n - at), |&a| values.zone(a, (a + CHUNK_ROWS).min(n)));
        self.zones.extend(zones);
        self.rows += n;
    }

    /// The index region for the rows fed so far, placed after a payload
    /// ending at `payload_end`; None below [`MIN_ROWS`] rows.
    /// `has_nulls` is the column's in-memory HAS_NULLS bit.
    pub fn region(&self, has_nulls: bool, payload_end: usize) -> Option<Vec<u8>> {
        if self.rows < MIN_ROWS {
            return None;
        }
        let n = self.zones.len();
        let mins: Vec<u8> = self.zones.iter().flat_map(|z| z.min.to_le_bytes()).collect();
        let maxs: Vec<u8> = self.zones.iter().flat_map(|z| z.max.to_le_bytes()).collect();
        let mut null_bits = vec![0u8; n.div_ceil(8)];
        for (i, z) in self.zones.iter().enumerate() {
            null_bits[i / 8] |= (z.nulls as u8) << (i % 8);
        }
        let bound_type = if self.float { RAY_F64 } else { RAY_I64 };
        let children = [
            Child::new(bound_type, n as i64, &mins),
            Child::new(bound_type, n as i64, &maxs),
            Child::new(RAY_U8, null_bits.len() as i64, &null_bits),
        ];
        let mut words = [0i64; WORDS];
        // u32 chunk count, u8 log2 of the chunk rows, u8 "bounds are f64".
        words[3] = n as i64 | i64::from(CHUNK_LOG2) << 32 | i64::from(self.float) << 40;
        let parent = Parent { type_: self.type_, len: self.rows as i64, saved_attrs: saved_attrs(has_nulls) };
        Some(region_bytes(payload_end, Kind::ChunkZone, parent, MARK_FILE, words, &children))
    }
}

fn saved_attrs(has_nulls: bool) -> u8 {
    if has_nulls { RAY_ATTR_HAS_NULLS } else { 0 }
}

/// The chunk-zone region of a whole column `col` whose payload ends at
/// `payload_end`; None for other types and below [`MIN_ROWS`] rows.
pub fn chunk_zone_region(col: &ray_t, payload_end: usize) -> Option<Vec<u8>> {
    if (col.len().max(0) as usize) < MIN_ROWS {
        return None;
    }
    let mut zones = ChunkZones::for_type(col.type_)?;
    zones.feed(col);
    zones.region(col.attrs & RAY_ATTR_HAS_NULLS != 0, payload_end)
}

/// The dictionary region of STR column `col` whose payload (descriptors,
/// pool header and pool) ends at `payload_end`; None below [`MIN_ROWS`]
/// rows or past 2^31 rows (codes and rows are I32).
pub fn dict_region(col: &ray_t, payload_end: usize) -> Option<Vec<u8>> {
    let n = col.len().max(0) as usize;
    if col.type_ != RAY_STR || n < MIN_ROWS || i32::try_from(n).is_err() {
        return None;
    }
    let (codes, first_rows) = dictionary(col.elems::<StrCell>(), col.str_pool_bytes(), HASH_BLOCK);
    let distinct = first_rows.len();
    let first_rows: Vec<u8> = first_rows.iter().flat_map(|x| x.to_le_bytes()).collect();
    let children = [
        Child::new(RAY_I32, n as i64, &codes),
        Child::new(RAY_I32, distinct as i64, &first_rows),
    ];
    let mut words = [0i64; WORDS];
    words[2] = distinct as i64;
    let parent = Parent { type_: RAY_STR, len: n as i64, saved_attrs: 0 };
    Some(region_bytes(payload_end, Kind::Dict, parent, MARK_FILE, words, &children))
}

/// Per row the code of its string (little-endian u32 bytes), codes
/// numbered in order of first appearance, and per code the row where it
/// first appears. The strings are hashed in parallel, `block_rows` rows at a
/// time; then one pass over the block's rows looks each up in an
/// open-addressing table of codes (slot = code + 1, 0 empty), which grows
/// at half full from the codes' stored hashes, never rehashing a string.
fn dictionary(cells: &[StrCell], pool: &[u8], block_rows: usize) -> (Vec<u8>, Vec<u32>) {
    use std::hash::BuildHasher;
    let n = cells.len();
    let state = foldhash::fast::FixedState::with_seed(0x0d1c_7a11);
    let mut slots = vec![0u32; 1 << 10];
    let (mut first_rows, mut code_hashes) = (Vec::<u32>::new(), Vec::<u64>::new());
    let mut codes = Vec::with_capacity(n * 4);
    // The hashes of a block of rows at a time (bounded memory).
    let block_rows = block_rows.max(1);
    let mut hashes = vec![0u64; n.min(block_rows)];
    for start in (0..n).step_by(block_rows) {
        let block = &mut hashes[..(n - start).min(block_rows)];
        let threads = par::threads_for(block.len());
        par::par_parts(block, threads, |part, a, _| {
            for (h, c) in part.iter_mut().zip(&cells[start + a..]) {
                *h = state.hash_one(c.bytes_in(pool));
            }
            false
        });
        for (row, &h) in (start..).zip(block.iter()) {
            let mask = slots.len() - 1;
            let mut at = slot_of(h, mask);
            let code = loop {
                match slots[at] {
                    0 => {
                        let code = first_rows.len() as u32;
                        first_rows.push(row as u32);
                        code_hashes.push(h);
                        slots[at] = code + 1;
                        if first_rows.len() * 2 > slots.len() {
                            slots = grown(&code_hashes, slots.len() * 2);
                        }
                        break code;
                    }
                    e => {
                        let code = e - 1;
                        let first = first_rows[code as usize] as usize;
                        if code_hashes[code as usize] == h && cells[first].bytes_in(pool) == cells[row].bytes_in(pool) {
                            break code;
                        }
                    }
                }
                at = (at + 1) & mask;
            };
            codes.extend_from_slice(&code.to_le_bytes());
        }
    }
    (codes, first_rows)
}

/// Rows hashed at a time by [`dictionary`] (bounds the hashes' memory).
const HASH_BLOCK: usize = 1 << 20;

/// The slot a hash starts probing at (its high bits: foldhash mixes them best).
#[inline]
fn slot_of(h: u64, mask: usize) -> usize {
    (h >> (64 - mask.count_ones())) as usize & mask
}

/// A table of `size` slots holding the codes whose hashes are `hashes`.
fn grown(hashes: &[u64], size: usize) -> Vec<u32> {
    let mut slots = vec![0u32; size];
    let mask = size - 1;
    for (code, &h) in hashes.iter().enumerate() {
        let mut at = slot_of(h, mask);
        while slots[at] != 0 {
            at = (at + 1) & mask;
        }
        slots[at] = code as u32 + 1;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;

    fn zones_of(v: &Value) -> Vec<Zone> {
        let mut z = ChunkZones::for_type(v.type_).unwrap();
        z.feed(v);
        z.zones
    }

    #[test]
    fn chunk_bounds_skip_nulls_and_mark_the_chunks_that_hold_them() {
        let mut xs: Vec<i64> = (0..(CHUNK_ROWS as i64 * 2 + 3)).collect();
        xs[5] = NULL_I64;
        xs[CHUNK_ROWS..2 * CHUNK_ROWS].fill(NULL_I64);
        let v = Value::vec_from_slice(RAY_I64, &xs).unwrap();
        let z = zones_of(&v);
        assert_eq!(z.len(), 3);
        assert_eq!((z[0].min as i64, z[0].max as i64, z[0].nulls), (0, CHUNK_ROWS as i64 - 1, true));
        assert_eq!((z[1].min as i64, z[1].max as i64, z[1].nulls), (i64::MAX, i64::MIN, true), "all null");
        assert_eq!((z[2].min as i64, z[2].max as i64, z[2].nulls), (2 * CHUNK_ROWS as i64, 2 * CHUNK_ROWS as i64 + 2, false));
    }

    #[test]
    fn float_ties_keep_the_first_zero_and_pieces_give_the_whole_scan() {
        let mut xs = vec![0.0f64; CHUNK_ROWS + 10];
        xs[0] = -0.0;
        xs[CHUNK_ROWS + 3] = f64::NAN;
        xs[CHUNK_ROWS + 4] = -0.0;
        let v = Value::vec_from_slice(RAY_F64, &xs).unwrap();
        let whole = zones_of(&v);
        assert_eq!((whole[0].min, whole[0].max), ((-0.0f64).to_bits(), (-0.0f64).to_bits()));
        assert_eq!((whole[1].min, whole[1].max, whole[1].nulls), (0, 0, true));
        // Fed in uneven pieces, the zones are the same.
        let mut z = ChunkZones::for_type(RAY_F64).unwrap();
        for (a, b) in [(0, 1), (1, 7), (7, CHUNK_ROWS + 4), (CHUNK_ROWS + 4, CHUNK_ROWS + 10)] {
            z.feed(&Value::vec_from_slice(RAY_F64, &xs[a..b]).unwrap());
        }
        assert_eq!(z.zones, whole);
    }

    #[test]
    fn no_region_below_a_chunk_or_for_other_types() {
        let short = Value::vec_from_slice(RAY_I64, &vec![1i64; CHUNK_ROWS - 1]).unwrap();
        assert_eq!(chunk_zone_region(&short, 32), None);
        assert!(ChunkZones::for_type(RAY_GUID).is_none() && ChunkZones::for_type(RAY_SYM).is_none());
        let s = Value::str_vec((0..CHUNK_ROWS - 1).map(|_| &b"x"[..])).unwrap();
        assert_eq!(dict_region(&s, 32), None);
    }

    #[test]
    fn dictionary_codes_count_in_order_of_first_appearance() {
        let words: [&[u8]; 4] = [b"b", b"a long string here", b"b", b""];
        let s = Value::str_vec((0..CHUNK_ROWS).map(|i| words[i % 4])).unwrap();
        let r = dict_region(&s, 64).unwrap();
        let block = 0;
        assert_eq!(&r[block + 32..block + 36], &[7, 0, RAY_STR as u8, MARK_FILE]);
        let at = |w: usize| i64::from_le_bytes(r[64 + 8 * w..72 + 8 * w].try_into().unwrap()) as usize;
        assert_eq!(at(2), 3, "distinct");
        let codes = &r[at(0) + 32..at(0) + 32 + 16];
        assert_eq!(codes, &[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!(&r[at(1) + 32..at(1) + 44], &[0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0]);
    }

    #[test]
    fn dictionary_codes_do_not_depend_on_the_hash_blocks() {
        let texts: Vec<String> = (0..5000u64).map(|i| format!("value number {}", i * 7919 % 1201)).collect();
        let s = Value::str_vec(texts.iter().map(|t| t.as_bytes())).unwrap();
        let (cells, pool) = (s.elems::<StrCell>(), s.str_pool_bytes());
        let whole = dictionary(cells, pool, HASH_BLOCK);
        assert_eq!(whole.1.len(), 1201, "distinct");
        assert_eq!(dictionary(cells, pool, 7), whole);
        assert_eq!(dictionary(cells, pool, 1), whole);
    }
}
