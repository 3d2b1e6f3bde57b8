//! Hashing and equality keys: the seeded fast hasher, key columns for the
//! membership and grouping kernels (`find`, `in`, `except`, `sect`,
//! `union`, `group`, `distinct` on SYM/STR/LIST), first-appearance group
//! ids, and structural keys of whole values (LIST items, table rows).
//!
//! Integer-like columns (bool, u8, i16, i32, i64 and the temporal types)
//! become i64 keys with every null mapped to `NULL_I64`, floats become
//! canonical bit patterns (all NaNs alike), so nulls match across widths
//! and `1` matches `1.0` once both sides are floats.
#![forbid(unsafe_code)]

use super::access::widen_ints;
use super::build::atom_elem;
use super::prim::{Prim, sym_ids, with_prim};
use crate::abi::*;
use crate::core::{RayError, Result};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

/// A fast multiplicative hasher for the key columns (ints hash in one
/// multiply). Seeded once per process from std's random state, so crafted
/// keys cannot be precomputed to collide.
#[derive(Clone, Copy)]
pub struct FastBuild(u64);

impl Default for FastBuild {
    fn default() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        FastBuild(*SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64) | 1))
    }
}

pub struct FastHasher(u64);

impl BuildHasher for FastBuild {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

/// A HashMap with the fast hasher.
pub type HashMap<K, V> = std::collections::HashMap<K, V, FastBuild>;

/// Hay columns at most this long are searched by a linear scan.
const SCAN_MAX: usize = 8;

/// A column of equality keys.
pub enum Keys<'a> {
    Int(Cow<'a, [i64]>),
    Float(Cow<'a, [f64]>),
    Sym(Cow<'a, [i64]>),
    Str(Vec<&'a [u8]>),
    Guid(&'a [[u8; 16]]),
    Any(Vec<Vec<u8>>),
}

/// The key column of a vector or LIST (`type` error for other values).
pub fn keys(v: &ray_t) -> Result<Keys<'_>> {
    Ok(match v.type_ {
        RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_DATE | RAY_TIME | RAY_I64 | RAY_TIMESTAMP => {
            Keys::Int(widen_ints(v).unwrap_or_default())
        }
        RAY_F32 => Keys::Float(Cow::Owned(v.elems::<f32>().iter().map(|&x| x as f64).collect())),
        RAY_F64 => Keys::Float(Cow::Borrowed(v.elems::<f64>())),
        RAY_SYM => Keys::Sym(sym_ids(v)),
        RAY_STR => Keys::Str((0..v.len().max(0) as usize).map(|i| v.str_at(i)).collect()),
        RAY_GUID => Keys::Guid(v.elems::<[u8; 16]>()),
        RAY_LIST => Keys::Any(
            v.items()
                .iter()
                .map(|x| {
                    let mut k = Vec::new();
                    match x {
                        Some(x) => write_key(x, &mut k),
                        None => k.push(RAY_NULL as u8),
                    }
                    k
                })
                .collect(),
        ),
        _ => return Err(RayError::type_err("expected a vector or list")),
    })
}

impl Keys<'_> {
    pub fn len(&self) -> usize {
        match self {
            Keys::Int(x) | Keys::Sym(x) => x.len(),
            Keys::Float(x) => x.len(),
            Keys::Str(x) => x.len(),
            Keys::Guid(x) => x.len(),
            Keys::Any(x) => x.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn to_float(&self) -> Option<Keys<'static>> {
        match self {
            Keys::Int(x) => Some(Keys::Float(Cow::Owned(
                x.iter().map(|&i| if i == NULL_I64 { f64::NAN } else { i as f64 }).collect(),
            ))),
            _ => None,
        }
    }
}

fn float_keys(x: &[f64]) -> Vec<u64> {
    x.iter().map(|f| f.key()).collect()
}

/// Positions in `hay` of the first occurrence of each needle (NULL_I64
/// when absent or when the kinds cannot be compared).
pub fn positions(hay: &Keys, needles: &Keys) -> Vec<i64> {
    fn run<K: Hash + Eq + Copy>(hay: impl Iterator<Item = K>, needles: impl Iterator<Item = K>) -> Vec<i64> {
        let hay: Vec<K> = hay.collect();
        if hay.len() <= SCAN_MAX {
            return needles.map(|k| hay.iter().position(|h| *h == k).map_or(NULL_I64, |p| p as i64)).collect();
        }
        let mut first: HashMap<K, i64> = HashMap::default();
        for (i, k) in hay.into_iter().enumerate() {
            first.entry(k).or_insert(i as i64);
        }
        needles.map(|k| first.get(&k).copied().unwrap_or(NULL_I64)).collect()
    }
    match (hay, needles) {
        (Keys::Int(a), Keys::Int(b)) => run(a.iter().copied(), b.iter().copied()),
        (Keys::Float(a), Keys::Float(b)) => run(a.iter().map(|f| f.key()), b.iter().map(|f| f.key())),
        (Keys::Int(_), Keys::Float(_)) => positions(&hay.to_float().unwrap_or(Keys::Any(vec![])), needles),
        (Keys::Float(_), Keys::Int(_)) => positions(hay, &needles.to_float().unwrap_or(Keys::Any(vec![]))),
        (Keys::Sym(a), Keys::Sym(b)) => run(a.iter().copied(), b.iter().copied()),
        (Keys::Str(a), Keys::Str(b)) => run(a.iter().copied(), b.iter().copied()),
        (Keys::Guid(a), Keys::Guid(b)) => run(a.iter().copied(), b.iter().copied()),
        (Keys::Any(a), Keys::Any(b)) => run(a.iter().map(|k| k.as_slice()), b.iter().map(|k| k.as_slice())),
        _ => vec![NULL_I64; needles.len()],
    }
}

/// Membership mask: 1 where a needle occurs in `hay` (integer columns take
/// a direct path; other kinds go through `positions`).
pub fn contains_mask(hay: &Keys, needles: &Keys) -> Vec<u8> {
    if let (Keys::Int(h), Keys::Int(n)) = (hay, needles) {
        if h.len() <= SCAN_MAX {
            return n.iter().map(|x| h.contains(x) as u8).collect();
        }
        let set: std::collections::HashSet<i64, FastBuild> = h.iter().copied().collect();
        return n.iter().map(|x| set.contains(x) as u8).collect();
    }
    positions(hay, needles).into_iter().map(|p| (p != NULL_I64) as u8).collect()
}

/// Groups equal keys in first-appearance order: returns, for each group,
/// the index of its first element, and for each element its group number.
pub fn groups(k: &Keys) -> (Vec<usize>, Vec<usize>) {
    fn run<K: Hash + Eq>(it: impl Iterator<Item = K>, n: usize) -> (Vec<usize>, Vec<usize>) {
        let mut map: HashMap<K, usize> = HashMap::default();
        let mut firsts = Vec::new();
        let mut ids = Vec::with_capacity(n);
        for (i, key) in it.enumerate() {
            let g = match map.entry(key) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    firsts.push(i);
                    *e.insert(firsts.len() - 1)
                }
            };
            ids.push(g);
        }
        (firsts, ids)
    }
    let n = k.len();
    match k {
        Keys::Int(a) | Keys::Sym(a) => run(a.iter().copied(), n),
        Keys::Float(a) => run(float_keys(a).into_iter(), n),
        Keys::Str(a) => run(a.iter().copied(), n),
        Keys::Guid(a) => run(a.iter().copied(), n),
        Keys::Any(a) => run(a.iter().map(|k| k.as_slice()), n),
    }
}


/// Appends a structural equality key of `x` to `out`: equal values (same
/// type and content) give equal keys. Used to hash LIST items and rows.
pub fn write_key(x: &ray_t, out: &mut Vec<u8>) {
    // Pre-order walk with an explicit stack: nesting depth never reaches
    // the thread's stack. Containers write their length first, so the
    // encoding stays unambiguous.
    let mut stack: Vec<Option<&ray_t>> = vec![Some(x)];
    while let Some(node) = stack.pop() {
        let Some(x) = node else {
            out.push(RAY_NULL as u8);
            continue;
        };
        write_node(x, out);
        stack.extend(identity_items(x).iter().rev().copied());
    }
}

/// The items that make a container what it is: all of them, except that a
/// lambda is its parameters and body (its third item, the source it was
/// written in, kept for error traces, is not part of its identity).
fn identity_items(x: &ray_t) -> &[Option<&ray_t>] {
    let items = x.items();
    if x.type_ == RAY_LAMBDA { &items[..items.len().min(2)] } else { items }
}

/// Writes one node's key bytes (a container's children are written by
/// the caller's walk).
fn write_node(x: &ray_t, out: &mut Vec<u8>) {
    out.push(x.type_ as u8);
    let t = x.type_;
    if t < 0 {
        match -t {
            RAY_STR => {
                let b = x.str_bytes();
                out.extend_from_slice(&(b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }
            RAY_GUID => out.extend_from_slice(&atom_elem::<[u8; 16]>(x)),
            RAY_F64 | RAY_F32 => out.extend_from_slice(&x.f64_val().key().to_le_bytes()),
            RAY_BOOL | RAY_U8 => out.push(x.u8_val()),
            RAY_I16 => out.extend_from_slice(&x.i16_val().to_le_bytes()),
            RAY_I32 | RAY_DATE | RAY_TIME => out.extend_from_slice(&x.i32_val().to_le_bytes()),
            _ => out.extend_from_slice(&x.i64_val().to_le_bytes()),
        }
        return;
    }
    let n = if is_container_type(t) { identity_items(x).len() } else { x.len().max(0) as usize };
    out.extend_from_slice(&(n as u64).to_le_bytes());
    if x.is_vec() {
        with_prim!(t, T => {
            for e in x.elems::<T>() {
                e.put_key(out);
            }
        }, _ => match t {
            RAY_SYM => (0..n).for_each(|i| out.extend_from_slice(&x.sym_at(i).to_le_bytes())),
            _ => (0..n).for_each(|i| {
                let b = x.str_at(i);
                out.extend_from_slice(&(b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }),
        });
    } else if !is_container_type(t) {
        out.extend_from_slice(&x.i64_val().to_le_bytes());
    }
}

/// The key of one item for membership against or within a LIST (`in`,
/// `except`, `sect`, `union` when a LIST is involved), as the reference
/// compares there: every null number or temporal is one key, integers of
/// any width and integral floats are keys by value (`1`, `1i`, `1.0`
/// alike), anything else (dates included) is its structural key.
pub fn loose_key(x: &ray_t) -> Vec<u8> {
    const NULL_KEY: u8 = 0xFF;
    const NUM_KEY: u8 = 0xFE;
    let t = -x.type_;
    if x.type_ < 0 && matches!(t, RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_F32 | RAY_F64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP) {
        if x.is_null_atom() {
            return vec![NULL_KEY];
        }
        let int = match t {
            RAY_BOOL | RAY_U8 => Some(x.u8_val() as i64),
            RAY_I16 => Some(x.i16_val() as i64),
            RAY_I32 => Some(x.i32_val() as i64),
            RAY_I64 => Some(x.i64_val()),
            RAY_F32 | RAY_F64 => Some(x.f64_val()).filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64),
            _ => None,
        };
        if let Some(i) = int {
            let mut k = vec![NUM_KEY];
            k.extend_from_slice(&i.to_le_bytes());
            return k;
        }
    }
    key_of(x)
}

/// [`loose_key`] of every item of a vector or LIST.
pub fn loose_keys(v: &ray_t) -> Result<Vec<Vec<u8>>> {
    Ok(super::build::to_list(v)?.items().iter().map(|i| i.map_or_else(|| vec![RAY_NULL as u8], loose_key)).collect())
}

/// The structural key of `x` as a fresh byte string.
pub fn key_of(x: &ray_t) -> Vec<u8> {
    let mut k = Vec::new();
    write_key(x, &mut k);
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;

    #[test]
    fn nulls_and_numbers_match_across_widths() {
        let hay = Value::vec_from_slice(RAY_I64, &[5i64, NULL_I64, 7]).unwrap();
        let nee = Value::vec_from_slice(RAY_I32, &[7i32, NULL_I32, 1]).unwrap();
        let p = positions(&keys(&hay).unwrap(), &keys(&nee).unwrap());
        assert_eq!(p, vec![2, 1, NULL_I64]);
        let fl = Value::vec_from_slice(RAY_F64, &[5.0f64]).unwrap();
        assert_eq!(positions(&keys(&hay).unwrap(), &keys(&fl).unwrap()), vec![0]);
    }

    #[test]
    fn membership_masks_agree_for_small_and_large_sets() {
        let small = Value::vec_from_slice(RAY_I64, &[1i64, 500]).unwrap();
        let large = Value::vec_from_slice(RAY_I64, &(0..100i64).map(|i| i * 5).collect::<Vec<_>>()).unwrap();
        let nee = Value::vec_from_slice(RAY_I32, &[500i32, 5, NULL_I32]).unwrap();
        assert_eq!(contains_mask(&keys(&small).unwrap(), &keys(&nee).unwrap()), vec![1, 0, 0]);
        assert_eq!(contains_mask(&keys(&large).unwrap(), &keys(&nee).unwrap()), vec![0, 1, 0]);
        let fl = Value::vec_from_slice(RAY_F64, &[5.0f64]).unwrap();
        assert_eq!(contains_mask(&keys(&fl).unwrap(), &keys(&nee).unwrap()), vec![0, 1, 0]);
    }

    #[test]
    fn groups_keep_first_appearance_order() {
        let v = Value::str_vec([&b"b"[..], b"a", b"b"]).unwrap();
        let (firsts, ids) = groups(&keys(&v).unwrap());
        assert_eq!(firsts, vec![0, 1]);
        assert_eq!(ids, vec![0, 1, 0]);
    }

    #[test]
    fn keys_of_deeply_nested_lists_need_no_recursion() {
        let mut v = Value::i64(0);
        for _ in 0..200_000 {
            v = Value::list(vec![v]);
        }
        let k = key_of(&v);
        assert!(k.len() > 200_000 * 9);
        let w = Value::list(vec![Value::i64(1), Value::list(vec![])]);
        let u = Value::list(vec![Value::list(vec![Value::i64(1)])]);
        assert_ne!(key_of(&w), key_of(&u));
    }

}
