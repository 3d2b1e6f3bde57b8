//! Building vector indexes from values (the object itself is
//! `core::index`): hash (equal values grouped), sort (ascending
//! permutation), zone (min, max, null count), bloom, part (value blocks),
//! and the `unique` and `parted` checks, with the reference's errors.
//! Nulls are never keys: a hash index groups the non-null rows, a bloom
//! filter holds the non-null values, a zone's min/max skip nulls.
#![forbid(unsafe_code)]

use super::keys::{HashMap, Keys, keys};
use super::prim::{Prim, has_sentinel};
use super::sort::grade;
use crate::abi::*;
use crate::core::index::{Header, Kind, WORDS, new_index};
use crate::core::{RayError, Result, Value};

/// Bits a bloom filter sets per key.
const BLOOM_HASHES: i64 = 3;
/// Mixed into a key's hash to give the bloom filter's stride (MurmurHash2's
/// multiplier; matched against the reference's saved filters).
const BLOOM_STRIDE_SALT: u64 = 0xc6a4_a793_5bd1_e995;
/// Smallest hash table and bloom filter sizes (slots, bits).
const MIN_TABLE_SLOTS: usize = 8;
const MIN_BLOOM_BITS: usize = 64;

/// The name the reference's messages give each kind.
fn who(kind: Kind) -> &'static str {
    match kind {
        Kind::Part => "part",
        k => k.name(),
    }
}

/// Checks that `v` can carry an index of `kind`: a vector (else `type`) of
/// a numeric or temporal type, or SYM for hash and part (else `nyi`).
fn check_indexable(kind: Kind, v: &ray_t) -> Result<()> {
    let name = who(kind);
    if !is_vector_type(v.type_) {
        return Err(RayError::type_err(format!("{name}: index can only attach to a vector")));
    }
    let sym_ok = matches!(kind, Kind::Hash | Kind::Part);
    if matches!(v.type_, RAY_GUID | RAY_STR) || (v.type_ == RAY_SYM && !sym_ok) {
        return Err(RayError::new("nyi", format!("{name}: only numeric/sym vectors supported (got type {})", v.type_)));
    }
    Ok(())
}

/// Equality key of each element (floats by value: -0.0 is 0.0), None for a null.
fn key_bits(v: &ray_t) -> Result<Vec<Option<u64>>> {
    let sentinel = has_sentinel(v.type_);
    Ok(match keys(v)? {
        Keys::Int(x) => x.iter().map(|&i| (!(sentinel && i == NULL_I64)).then_some(i as u64)).collect(),
        Keys::Float(x) => x.iter().map(|&f| (!f.is_nan()).then(|| f.key())).collect(),
        Keys::Sym(x) => x.iter().map(|&i| Some(i as u64)).collect(),
        _ => return Err(RayError::new("nyi", format!("index: unsupported type {}", v.type_))),
    })
}

/// The hash of a key, the reference's for both hash and bloom indexes
/// (splitmix64's finaliser; found by matching the slots of known keys in
/// the reference's saved indexes, storage.md §1.6).
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// 0x40 (HAS_NULLS) when some key is null.
fn saved_attrs(bits: &[Option<u64>]) -> u8 {
    if bits.iter().any(Option::is_none) { RAY_ATTR_HAS_NULLS } else { 0 }
}

fn i64_vec(xs: &[i64]) -> Result<Value> {
    Value::vec_from_slice(RAY_I64, xs)
}

/// The index of `kind` (hash, sort, zone, bloom or part) over `v`'s values,
/// with `markers`. Errors as the reference: `type` for a non-vector, `nyi`
/// for STR, GUID (and SYM except hash/part), `domain` when values are not
/// in blocks (part).
pub fn build(kind: Kind, v: &ray_t, markers: u8) -> Result<Value> {
    check_indexable(kind, v)?;
    let bits = key_bits(v)?;
    let header = Header { kind, saved_attrs: saved_attrs(&bits), parent_type: v.type_, markers, parent_len: v.len() };
    let mut words = [0i64; WORDS];
    let children = match kind {
        Kind::Hash => return hash_index(&bits, v.type_, markers),
        Kind::Sort => {
            let perm: Vec<i64> = grade(v, false)?.into_iter().map(|i| i as i64).collect();
            vec![i64_vec(&perm)?]
        }
        Kind::Zone => {
            let (min, max) = zone_bounds(v, &bits);
            words[0] = min;
            words[1] = max;
            words[2] = bits.iter().filter(|b| b.is_none()).count() as i64;
            Vec::new()
        }
        Kind::Bloom => {
            let present: Vec<u64> = bits.iter().flatten().copied().collect();
            let m_bits = present.len().saturating_mul(8).next_power_of_two().max(MIN_BLOOM_BITS);
            let mut filter = vec![0u8; m_bits / 8];
            for &k in &present {
                for pos in bloom_positions(k, m_bits as u64 - 1) {
                    filter[(pos / 8) as usize] |= 1 << (pos % 8);
                }
            }
            words[1] = m_bits as i64 - 1;
            words[2] = BLOOM_HASHES;
            words[3] = present.len() as i64;
            vec![Value::vec_from_slice(RAY_U8, &filter)?]
        }
        Kind::Part => {
            let (starts, lens) = part_blocks(v, &bits)?;
            words[3] = starts.len() as i64;
            words[4] = -1;
            vec![super::gather::gather(v, &starts)?, i64_vec(&starts)?, i64_vec(&lens)?]
        }
        Kind::None | Kind::ChunkZone | Kind::Dict => {
            return Err(RayError::domain(format!("index: cannot build a {} index", kind.name())));
        }
    };
    new_index(header, words, children)
}

/// The marker-only index (kind none) for a vector of `parent_type` and
/// `parent_len` elements.
pub fn markers_only(v: &ray_t, markers: u8) -> Result<Value> {
    let bits = key_bits(v)?;
    let header =
        Header { kind: Kind::None, saved_attrs: saved_attrs(&bits), parent_type: v.type_, markers, parent_len: v.len() };
    new_index(header, [0; WORDS], Vec::new())
}

/// The bloom filter bit positions of key `k` (`mask` = bits - 1), as the
/// reference sets them: double hashing from [`mix`] of the key and an odd
/// stride mixed from that hash and [`BLOOM_STRIDE_SALT`].
pub fn bloom_positions(k: u64, mask: u64) -> impl Iterator<Item = u64> {
    let h1 = mix(k);
    let h2 = mix(h1 ^ BLOOM_STRIDE_SALT) | 1;
    (0..BLOOM_HASHES as u64).map(move |j| h1.wrapping_add(j.wrapping_mul(h2)) & mask)
}

/// The parts of a hash index, as the reference lays them out (storage.md
/// §1.6): groups numbered in order of first appearance; `table` is an
/// open-addressing table of `max(8, 2 * groups rounded up to a power of
/// two)` slots holding group + 1 (0 = empty), a key's home slot being
/// [`mix`] of its key and collisions taking the next slot (linear probing,
/// groups inserted in order); `gkeys` each group's key; `offs` the group
/// starts in `rows` (groups + 1 entries); `rows` the non-null rows, group
/// by group, ascending within a group.
pub struct HashParts {
    pub table: Vec<i64>,
    pub gkeys: Vec<i64>,
    pub offs: Vec<i64>,
    pub rows: Vec<i64>,
}

/// Groups the non-null rows of `bits` (one key per row, None for a null)
/// into [`HashParts`].
pub fn hash_parts(bits: &[Option<u64>]) -> HashParts {
    let mut group_of: HashMap<u64, usize> = HashMap::default();
    let mut gkeys: Vec<i64> = Vec::new();
    let mut ids: Vec<(usize, usize)> = Vec::new();
    for (row, b) in bits.iter().enumerate() {
        let Some(k) = *b else { continue };
        let g = *group_of.entry(k).or_insert_with(|| {
            gkeys.push(k as i64);
            gkeys.len() - 1
        });
        ids.push((row, g));
    }
    let n_groups = gkeys.len();
    let mut offs = vec![0i64; n_groups + 1];
    for &(_, g) in &ids {
        offs[g + 1] += 1;
    }
    for g in 0..n_groups {
        offs[g + 1] += offs[g];
    }
    let mut fill: Vec<i64> = offs[..n_groups].to_vec();
    let mut rows = vec![0i64; ids.len()];
    for &(row, g) in &ids {
        rows[fill[g] as usize] = row as i64;
        fill[g] += 1;
    }
    let slots = n_groups.saturating_mul(2).next_power_of_two().max(MIN_TABLE_SLOTS);
    let mask = slots - 1;
    let mut table = vec![0i64; slots];
    for (g, &k) in gkeys.iter().enumerate() {
        let mut at = mix(k as u64) as usize & mask;
        while table[at] != 0 {
            at = (at + 1) & mask;
        }
        table[at] = g as i64 + 1;
    }
    HashParts { table, gkeys, offs, rows }
}

/// The hash index over keys `bits` (one per row of a vector of
/// `parent_type`; None for a null) with `markers`. Used for a vector's own
/// values and, when a SYM column is saved, for its symbol-file positions.
pub fn hash_index(bits: &[Option<u64>], parent_type: i8, markers: u8) -> Result<Value> {
    let header =
        Header { kind: Kind::Hash, saved_attrs: saved_attrs(bits), parent_type, markers, parent_len: bits.len() as i64 };
    let HashParts { table, gkeys, offs, rows } = hash_parts(bits);
    let mut words = [0i64; WORDS];
    words[4] = table.len() as i64 - 1;
    words[5] = rows.len() as i64;
    words[6] = gkeys.len() as i64;
    words[7] = -1;
    new_index(header, words, vec![i64_vec(&table)?, i64_vec(&gkeys)?, i64_vec(&offs)?, i64_vec(&rows)?])
}

/// Minimum and maximum of the non-null values (f64 bits for F32/F64
/// parents); 0 and 0 when every value is null.
fn zone_bounds(v: &ray_t, bits: &[Option<u64>]) -> (i64, i64) {
    if matches!(v.type_, RAY_F32 | RAY_F64) {
        let xs: Vec<f64> = match keys(v) {
            Ok(Keys::Float(x)) => x.iter().copied().filter(|f| !f.is_nan()).collect(),
            _ => Vec::new(),
        };
        let min = xs.iter().copied().reduce(f64::min).unwrap_or(0.0);
        let max = xs.iter().copied().reduce(f64::max).unwrap_or(0.0);
        return (min.to_bits() as i64, max.to_bits() as i64);
    }
    let present = bits.iter().flatten().map(|&b| b as i64);
    let min = present.clone().min().unwrap_or(0);
    let max = present.max().unwrap_or(0);
    (min, max)
}

/// The value blocks of `v` (starts, lengths). Numeric values must rise
/// from block to block with no nulls; symbols only need each value in one
/// block. Errors: `domain` with the reference's wording.
fn part_blocks(v: &ray_t, bits: &[Option<u64>]) -> Result<(Vec<i64>, Vec<i64>)> {
    let not_ascending = || RayError::domain("parted: column is not laid out as ascending value-blocks");
    let floats: Option<Vec<f64>> = match keys(v)? {
        Keys::Float(x) => Some(x.into_owned()),
        _ => None,
    };
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let (mut starts, mut lens) = (Vec::new(), Vec::new());
    for (row, b) in bits.iter().enumerate() {
        let Some(k) = *b else { return Err(not_ascending()) };
        if row > 0 && bits[row - 1] == Some(k) {
            if let Some(l) = lens.last_mut() {
                *l += 1;
            }
            continue;
        }
        if row > 0 {
            let prev = bits[row - 1].unwrap_or(0);
            let descends = match (&floats, v.type_) {
                (Some(f), _) => f[row] < f[row - 1],
                (None, RAY_SYM) => false,
                _ => (k as i64) < (prev as i64),
            };
            if descends {
                return Err(not_ascending());
            }
        }
        if !seen.insert(k) {
            return Err(RayError::domain("parted: column has repeated non-contiguous blocks"));
        }
        starts.push(row as i64);
        lens.push(1);
    }
    Ok((starts, lens))
}

/// Checks `.attr.set 'unique`: a vector (else `type`) of a numeric or
/// temporal type (else `nyi`) whose non-null values are all different
/// (else `domain`).
pub fn check_unique(v: &ray_t) -> Result<()> {
    if !is_vector_type(v.type_) {
        return Err(RayError::type_err("unique: attribute applies to vectors only"));
    }
    if matches!(v.type_, RAY_GUID | RAY_SYM | RAY_STR) {
        return Err(RayError::new("nyi", format!("unique: only numeric vectors supported in v1 (type {})", v.type_)));
    }
    let mut seen: std::collections::HashSet<u64, super::keys::FastBuild> = Default::default();
    for k in key_bits(v)?.into_iter().flatten() {
        if !seen.insert(k) {
            return Err(RayError::domain("unique: column contains duplicate values"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_parts_and_bloom_positions_are_the_references() {
        // Captured from the reference: `(.attr.set 'grouped [5 3 9 3 5 5])`, saved.
        let bits: Vec<Option<u64>> = [5u64, 3, 9, 3, 5, 5].iter().map(|&k| Some(k)).collect();
        let p = hash_parts(&bits);
        assert_eq!(p.table, [2, 0, 0, 0, 1, 0, 0, 3]);
        assert_eq!((p.gkeys, p.offs, p.rows), (vec![5, 3, 9], vec![0, 3, 5, 6], vec![0, 4, 5, 1, 3, 2]));
        // Nulls are no key; five groups take 16 slots.
        let p = hash_parts(&[None, Some(1), Some(2), Some(3), Some(4), Some(5), None]);
        assert_eq!((p.table.len(), p.rows), (16, vec![1, 2, 3, 4, 5]));
        // `.idx.bloom` of 1,000,000 copies of 0 and of 1 (8,388,608 bits).
        let mask = (1 << 23) - 1;
        let mut zero: Vec<u64> = bloom_positions(0, mask).collect();
        zero.sort();
        assert_eq!(zero, [0, 865854, 4627231]);
        let mut one: Vec<u64> = bloom_positions(1, mask).collect();
        one.sort();
        assert_eq!(one, [722405, 3326291, 6218652]);
    }
}
