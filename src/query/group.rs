//! Grouping: key columns hashed once into dense group ids (groups numbered
//! in order of first appearance). The grouped aggregate kernels that the
//! grouping pass can feed block by block live in `agg`.
//!
//! Large inputs are split into row chunks processed on scoped threads. Each
//! chunk numbers its groups locally; merging the chunks in row order gives
//! the global first-appearance order and a local-to-global remap per chunk.
//! Aggregates then run per chunk into local partials that are folded into
//! the global result through the remap, so row ids are never rewritten.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result};
use crate::ops::par::{split, threads_for};
use super::agg::{Job, Partial, accumulate, take_sizes};
use super::dense::group_dense;
use crate::ops::keys::key_of;
use crate::ops::pack::pack_keys;
use crate::ops::{Prim, Row};
use std::hash::Hash;

/// Largest key range (max - min) grouped through a direct-index table.
const DENSE_MAX_RANGE: u64 = 1 << 22;

/// A HashMap with the kernels' fast seeded hasher.
pub type FastMap<K, V> = crate::ops::keys::HashMap<K, V>;

/// One row range with its own group numbering.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub start: usize,
    /// Number of local group ids used in this chunk.
    pub nlocal: usize,
    /// Local id -> global id (None: local ids are global).
    pub remap: Option<Vec<u32>>,
    /// Per row of the chunk: its local group id.
    pub gid: Vec<u32>,
}

/// The result of grouping `n` rows.
#[derive(Clone, Debug)]
pub struct Groups {
    pub ngroups: usize,
    /// Rows grouped.
    pub nrows: usize,
    /// False when the per-row ids were dropped after the aggregates
    /// consumed them (see [`group_and_aggregate`]): chunks' `gid` are empty.
    pub rows_kept: bool,
    pub chunks: Vec<Chunk>,
    /// The first row of each (global) group.
    pub first_row: Vec<Row>,
}

impl Groups {
    /// Per-row global group ids.
    pub fn global_gid(&self) -> Vec<u32> {
        assert!(self.rows_kept, "group ids were not kept");
        let mut out = Vec::with_capacity(self.nrows);
        for c in &self.chunks {
            match &c.remap {
                Some(r) => out.extend(c.gid.iter().map(|&g| r[g as usize])),
                None => out.extend_from_slice(&c.gid),
            }
        }
        out
    }

    /// Row ids of every group, each in row order (a counting sort).
    pub fn rows_per_group(&self) -> Vec<Vec<Row>> {
        let gid = self.global_gid();
        let mut sizes = vec![0usize; self.ngroups];
        for &g in &gid {
            sizes[g as usize] += 1;
        }
        let mut out: Vec<Vec<Row>> = sizes.iter().map(|&s| Vec::with_capacity(s)).collect();
        for (r, &g) in gid.iter().enumerate() {
            out[g as usize].push(r as Row);
        }
        out
    }
}

/// Runs `f` on every chunk (on threads when there are several) and returns
/// the per-chunk results in chunk order.
pub(super) fn per_chunk<T: Send>(g: &Groups, f: impl Fn(&Chunk, &[u32]) -> T + Sync) -> Vec<T> {
    assert!(g.rows_kept, "group ids were not kept");
    if g.chunks.len() == 1 {
        let c = &g.chunks[0];
        return vec![f(c, &c.gid)];
    }
    std::thread::scope(|s| {
        let hs: Vec<_> = g.chunks.iter().map(|c| {
            let f = &f;
            s.spawn(move || crate::ops::par::worker(|| f(c, &c.gid)))
        }).collect();
        hs.into_iter().map(|h| crate::ops::par::join(h)).collect()
    })
}

/// Folds per-chunk local partials into one global vector through the remaps.
pub(super) fn merge<T: Copy>(g: &Groups, parts: Vec<Vec<T>>, init: Vec<T>, fold: impl Fn(&mut T, T)) -> Vec<T> {
    let mut parts = parts.into_iter();
    let mut out = init;
    for c in &g.chunks {
        let p = parts.next().expect("one partial per chunk");
        match &c.remap {
            None if g.chunks.len() == 1 && p.len() == out.len() => return p,
            None => {
                for (l, x) in p.into_iter().enumerate() {
                    fold(&mut out[l], x);
                }
            }
            Some(r) => {
                for (l, x) in p.into_iter().enumerate() {
                    fold(&mut out[r[l] as usize], x);
                }
            }
        }
    }
    out
}

// ----- key maps -----

trait KeyMap<K> {
    /// The id of `k`, inserting `next` when absent; returns (id, inserted).
    fn id(&mut self, k: K, next: u32) -> (u32, bool);
}

/// Direct-index table over a small key range (keys outside it, which only
/// malformed input produces, spill into a hash map).
struct Dense {
    min: u64,
    slots: Vec<u32>,
    spill: FastMap<u64, u32>,
}
impl Dense {
    fn new(min: u64, size: usize) -> Dense {
        Dense { min, slots: vec![u32::MAX; size], spill: FastMap::default() }
    }
}
impl KeyMap<u64> for Dense {
    #[inline(always)]
    fn id(&mut self, k: u64, next: u32) -> (u32, bool) {
        match self.slots.get_mut(k.wrapping_sub(self.min) as usize) {
            Some(s) if *s == u32::MAX => {
                *s = next;
                (next, true)
            }
            Some(s) => (*s, false),
            None => self.spill.id(k, next),
        }
    }
}
impl<K: Hash + Eq> KeyMap<K> for FastMap<K, u32> {
    #[inline(always)]
    fn id(&mut self, k: K, next: u32) -> (u32, bool) {
        let mut ins = false;
        let v = *self.entry(k).or_insert_with(|| {
            ins = true;
            next
        });
        (v, ins)
    }
}

/// Groups rows `start..start + out.len()` into local ids written to `out`,
/// appending the keys seen for the first time (with their first rows) to
/// `order`, and counting rows per group into `sizes` when `SIZES`.
#[inline(always)]
fn group_range<K: Copy, M: KeyMap<K>, const SIZES: bool>(
    key: &(impl Fn(usize) -> K + Sync + ?Sized),
    start: usize,
    out: &mut [u32],
    map: &mut M,
    order: &mut Vec<(K, Row)>,
    sizes: &mut Vec<i64>,
) {
    for (j, o) in out.iter_mut().enumerate() {
        let r = start + j;
        let k = key(r);
        let (id, ins) = map.id(k, order.len() as u32);
        if ins {
            order.push((k, r as Row));
            if SIZES {
                sizes.push(0);
            }
        }
        if SIZES {
            sizes[id as usize] += 1;
        }
        *o = id;
    }
}

/// Rows grouped at a time before the aggregate kernels consume their ids
/// (the ids of a block stay in L1 between the grouping and the kernels).
pub(super) const BLOCK: usize = 2048;

/// What the grouping pass feeds: aggregate jobs run block by block, and
/// whether the per-row group ids are kept (for expressions without kernel).
#[derive(Clone, Copy)]
pub struct Feed<'f> {
    pub jobs: &'f [Job<'f>],
    pub keep_rows: bool,
}

const NO_FEED: Feed<'static> = Feed { jobs: &[], keep_rows: true };

/// Groups `n` rows by `key`, chunked over threads when `n` is large; each
/// chunk feeds its rows' local ids to the aggregate jobs block by block.
fn group_by_key<K: Copy + Send + Sync, M: KeyMap<K> + Send>(
    n: usize,
    key: impl Fn(usize) -> K + Sync,
    new_map: impl Fn() -> M + Sync,
    feed: Feed,
) -> (Groups, Vec<Vec<Partial>>) {
    let ranges = split(n, threads_for(n));
    let work = |(s, e): (usize, usize)| {
        let mut map = new_map();
        let mut order = Vec::new();
        let mut parts: Vec<Partial> = feed.jobs.iter().map(Partial::empty).collect();
        let mut rows = Vec::new();
        if feed.jobs.is_empty() && feed.keep_rows {
            rows = vec![0u32; e - s];
            group_range::<_, _, false>(&key, s, &mut rows, &mut map, &mut order, &mut Vec::new());
            return (order, parts, rows);
        }
        if feed.keep_rows {
            rows.reserve_exact(e - s);
        }
        let mut buf = [0u32; BLOCK];
        let mut sizes = Vec::new();
        for b in (s..e).step_by(BLOCK) {
            let ids = &mut buf[..(e - b).min(BLOCK)];
            group_range::<_, _, true>(&key, b, ids, &mut map, &mut order, &mut sizes);
            for (job, part) in feed.jobs.iter().zip(&mut parts) {
                accumulate(job, part, b, ids, order.len(), true);
            }
            if feed.keep_rows {
                rows.extend_from_slice(ids);
            }
        }
        for (job, part) in feed.jobs.iter().zip(&mut parts) {
            take_sizes(job, part, &sizes);
        }
        (order, parts, rows)
    };
    let results: Vec<(Vec<(K, Row)>, Vec<Partial>, Vec<u32>)> = if ranges.len() == 1 {
        vec![work(ranges[0])]
    } else {
        std::thread::scope(|sc| {
            let hs: Vec<_> = ranges.iter().map(|&r| {
                let work = &work;
                sc.spawn(move || crate::ops::par::worker(|| work(r)))
            }).collect();
            hs.into_iter().map(|h| crate::ops::par::join(h)).collect()
        })
    };
    let mut locals = Vec::with_capacity(results.len());
    let mut partials = Vec::with_capacity(results.len());
    let mut gids = Vec::with_capacity(results.len());
    for (o, p, g) in results {
        locals.push(o);
        partials.push(p);
        gids.push(g);
    }
    let mut global = new_map();
    let mut first_row = Vec::new();
    let mut chunks = Vec::new();
    for ((&(s, _), local), gid) in ranges.iter().zip(&locals).zip(gids) {
        let mut remap = Vec::with_capacity(local.len());
        let mut identity = true;
        for (l, &(k, r)) in local.iter().enumerate() {
            let (g, ins) = global.id(k, first_row.len() as u32);
            if ins {
                first_row.push(r);
            }
            identity &= g as usize == l;
            remap.push(g);
        }
        chunks.push(Chunk { start: s, nlocal: local.len(), remap: (!identity).then_some(remap), gid });
    }
    (Groups { ngroups: first_row.len(), nrows: n, rows_kept: feed.keep_rows, chunks, first_row }, partials)
}

/// A fixed-width column's elements as integer keys (f64 normalised so that
/// equal values, including every NaN and both zeros, share one key).
fn int_key(col: &ray_t) -> Option<Box<dyn Fn(usize) -> u64 + Sync + '_>> {
    Some(match col.type_() {
        RAY_F64 => {
            let s = col.elems::<f64>();
            Box::new(move |i| Prim::key(s[i]))
        }
        RAY_F32 => {
            let s = col.elems::<f32>();
            Box::new(move |i| Prim::key(s[i] as f64))
        }
        RAY_SYM | RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP => {
            match elem_size(col.type_(), col.attrs()) {
                1 => {
                    let s = col.elems::<u8>();
                    Box::new(move |i| s[i] as u64)
                }
                2 if col.type_() == RAY_SYM => {
                    let s = col.elems::<u16>();
                    Box::new(move |i| s[i] as u64)
                }
                2 => {
                    let s = col.elems::<i16>();
                    Box::new(move |i| s[i] as i64 as u64)
                }
                4 if col.type_() == RAY_SYM => {
                    let s = col.elems::<u32>();
                    Box::new(move |i| s[i] as u64)
                }
                4 => {
                    let s = col.elems::<i32>();
                    Box::new(move |i| s[i] as i64 as u64)
                }
                _ => {
                    let s = col.elems::<i64>();
                    Box::new(move |i| s[i] as u64)
                }
            }
        }
        _ => return None,
    })
}

/// Groups by one fixed-width column through a typed slice (monomorphic fast path).
fn group_fixed<T: Copy + Send + Sync + Into<i64>>(s: &[T], feed: Feed) -> (Groups, Vec<Vec<Partial>>) {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &x in s {
        let x: i64 = x.into();
        lo = lo.min(x);
        hi = hi.max(x);
    }
    group_in_range(s, lo, hi, feed)
}

/// Groups values known to lie in `lo..=hi` (direct-index table when the range is small).
fn group_in_range<T: Copy + Send + Sync + Into<i64>>(s: &[T], lo: i64, hi: i64, feed: Feed) -> (Groups, Vec<Vec<Partial>>) {
    let n = s.len();
    let range = (hi as i128 - lo as i128) as u128;
    if n > 0 && range < DENSE_MAX_RANGE as u128 && range <= (4 * n as u128).max(1 << 16) {
        let size = range as usize + 1;
        let min = lo as u64;
        group_by_key(n, |i| s[i].into() as u64, || Dense::new(min, size), feed)
    } else {
        group_by_key(n, |i| s[i].into() as u64, FastMap::<u64, u32>::default, feed)
    }
}

/// Groups the rows of one column by value.
pub fn group_column(col: &ray_t) -> Result<Groups> {
    Ok(group_column_with(col, NO_FEED)?.0)
}

/// Groups one column, feeding each block of ids to `feed`'s jobs.
pub(super) fn group_column_with(col: &ray_t, feed: Feed) -> Result<(Groups, Vec<Vec<Partial>>)> {
    let n = col.len().max(0) as usize;
    crate::core::alloc::check_room(n.saturating_mul(16))?; // ids, first rows, hash slots
    if let Some(done) = group_dense(&[col], feed) {
        return Ok(done);
    }
    match col.type_() {
        RAY_SYM => {
            // Symbol ids are below the intern table's size: no min/max pass.
            let hi = crate::core::sym::count() as i64;
            Ok(match col.attrs() & RAY_SYM_WIDTH_MASK {
                RAY_SYM_W8 => group_fixed(col.elems::<u8>(), feed),
                RAY_SYM_W16 => group_in_range(col.elems::<u16>(), 0, hi, feed),
                RAY_SYM_W32 => group_in_range(col.elems::<u32>(), 0, hi, feed),
                _ => group_in_range(col.elems::<i64>(), 0, hi, feed),
            })
        }
        RAY_BOOL | RAY_U8 => Ok(group_fixed(col.elems::<u8>(), feed)),
        RAY_I16 => Ok(group_fixed(col.elems::<i16>(), feed)),
        RAY_I32 | RAY_DATE | RAY_TIME => Ok(group_fixed(col.elems::<i32>(), feed)),
        RAY_I64 | RAY_TIMESTAMP => Ok(group_fixed(col.elems::<i64>(), feed)),
        RAY_F64 | RAY_F32 => {
            let k = int_key(col).expect("float key");
            Ok(group_by_key(n, k, FastMap::<u64, u32>::default, feed))
        }
        RAY_STR => {
            let strs: Vec<&[u8]> = (0..n).map(|i| col.str_at(i)).collect();
            Ok(group_by_key(n, |i| strs[i], FastMap::<&[u8], u32>::default, feed))
        }
        RAY_GUID => {
            let s = col.elems::<[u8; 16]>();
            Ok(group_by_key(n, |i| s[i], FastMap::<[u8; 16], u32>::default, feed))
        }
        RAY_LIST => {
            // Group LIST items by their printed identity: atoms by type and value.
            let keys: Vec<Vec<u8>> = (0..n).map(|i| item_key(col.item(i))).collect();
            Ok(group_by_key(n, |i| keys[i].as_slice(), FastMap::<&[u8], u32>::default, feed))
        }
        _ => Err(RayError::type_err("by: cannot group this column type")),
    }
}

/// The structural key of a LIST item (the null object for an empty slot).
fn item_key(item: Option<&ray_t>) -> Vec<u8> {
    item.map_or_else(|| vec![RAY_NULL as u8], key_of)
}

/// Groups by several integer-like key columns whose ranges pack into one
/// u64 per row (`ops::pack`), feeding `feed`'s jobs; None when they do not.
pub(super) fn group_packed_with(cols: &[&ray_t], feed: Feed) -> Option<(Groups, Vec<Vec<Partial>>)> {
    if let Some(done) = group_dense(cols, feed) {
        return Some(done);
    }
    let (mut packed, _) = pack_keys(&[cols])?;
    Some(group_fixed(&packed.pop()?, feed))
}

/// The hashing path over packed keys, whatever their range: the plain
/// path the dense one is tested against.
#[cfg(test)]
pub(super) fn group_hashed(cols: &[&ray_t], feed: Feed) -> (Groups, Vec<Vec<Partial>>) {
    let (mut packed, _) = pack_keys(&[cols]).expect("packable keys");
    let k = packed.pop().expect("one side");
    group_by_key(k.len(), |i| k[i] as u64, FastMap::<u64, u32>::default, feed)
}

/// Groups rows by several key columns (tuples in order of first appearance).
pub fn group_columns(cols: &[&ray_t]) -> Result<Groups> {
    let Some((first, rest)) = cols.split_first() else {
        return Err(RayError::domain("by: no key columns"));
    };
    let n = first.len().max(0) as usize;
    crate::core::alloc::check_room(n.saturating_mul(16 + 8 * cols.len()))?; // ids and tuple keys
    if rest.iter().any(|c| c.len().max(0) as usize != n) {
        return Err(RayError::length("by: key columns differ in length"));
    }
    if let Some((g, _)) = group_packed_with(cols, NO_FEED) {
        return Ok(g);
    }
    let mut g = group_column(first)?;
    for c in rest {
        let a = g.global_gid();
        let b = group_column(c)?.global_gid();
        let nb = b.iter().copied().max().map_or(0, |m| m as u64 + 1);
        let combined: Vec<u64> = a.iter().zip(&b).map(|(&x, &y)| x as u64 * nb + y as u64).collect();
        let range = (g.ngroups as u64).saturating_mul(nb);
        g = if range <= DENSE_MAX_RANGE && range <= (4 * n as u64).max(1 << 16) {
            group_by_key(n, |i| combined[i], || Dense::new(0, range as usize), NO_FEED).0
        } else {
            group_by_key(n, |i| combined[i], FastMap::<u64, u32>::default, NO_FEED).0
        };
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;
    use crate::query::agg::{Agg, aggregate};
    use crate::core::sym;

    fn i64v(xs: &[i64]) -> Value {
        Value::vec_from_slice(RAY_I64, xs).unwrap()
    }

    #[test]
    fn groups_come_in_order_of_first_appearance() {
        let g = group_column(&i64v(&[3, 1, 3, 2])).unwrap();
        assert_eq!(g.ngroups, 3);
        assert_eq!(g.global_gid(), vec![0, 1, 0, 2]);
        assert_eq!(g.first_row, vec![0, 1, 3]);
        let s = aggregate(Agg::Sum, &i64v(&[1, 2, 3, 4]), &g).unwrap().unwrap();
        assert_eq!(s.elems::<i64>(), &[4, 2, 4]);
    }


    #[test]
    fn multi_column_keys_group_by_tuple() {
        let a = Value::sym_vec(&[sym::intern(b"x"), sym::intern(b"y"), sym::intern(b"x")]).unwrap();
        let b = i64v(&[1, 1, 2]);
        let g = group_columns(&[&a, &b]).unwrap();
        assert_eq!(g.ngroups, 3);
        let g2 = group_columns(&[&a, &i64v(&[1, 1, 1])]).unwrap();
        assert_eq!(g2.global_gid(), vec![0, 1, 0]);
    }


    #[test]
    fn chunked_grouping_matches_sequential_order() {
        let n = 400_000usize;
        let keys: Vec<i64> = (0..n).map(|i| ((i * 7919) % 1000) as i64 * 1_000_003).collect();
        let vals: Vec<i64> = (0..n as i64).collect();
        let g = group_column(&i64v(&keys)).unwrap();
        let mut seen = FastMap::<i64, usize>::default();
        let mut order = Vec::new();
        let mut sums = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let id = *seen.entry(*k).or_insert_with(|| {
                order.push(*k);
                sums.push(0i64);
                order.len() - 1
            });
            sums[id] += vals[i];
        }
        assert_eq!(g.ngroups, order.len());
        let s = aggregate(Agg::Sum, &i64v(&vals), &g).unwrap().unwrap();
        assert_eq!(s.elems::<i64>(), &sums[..]);
        let firsts: Vec<i64> = g.first_row.iter().map(|&r| keys[r as usize]).collect();
        assert_eq!(firsts, order);
    }


    #[test]
    fn packed_tuple_grouping_matches_pairwise_grouping() {
        // The pairwise path: one column at a time, ids combined.
        fn pairwise(cols: &[&ray_t]) -> Vec<u32> {
            let mut ids = group_column(cols[0]).unwrap().global_gid();
            for c in &cols[1..] {
                let b = group_column(c).unwrap().global_gid();
                let mut seen = FastMap::<(u32, u32), u32>::default();
                ids = ids.iter().zip(&b).map(|(&x, &y)| { let k = seen.len() as u32; *seen.entry((x, y)).or_insert(k) }).collect();
            }
            ids
        }
        for n in [0usize, 1, 5, 1000, 300_000] {
            let a: Vec<i64> = (0..n).map(|i| if i % 17 == 3 { NULL_I64 } else { (i % 7) as i64 }).collect();
            let a_small: Vec<i32> = (0..n).map(|i| if i % 13 == 1 { NULL_I32 } else { ((i * 31) % 11) as i32 - 5 }).collect();
            let b: Vec<i64> = (0..n).map(|i| ((i * 7919) % 1000) as i64).collect();
            let (a, a_small, b) = (i64v(&a), Value::vec_from_slice(RAY_I32, &a_small).unwrap(), i64v(&b));
            // `a` holds NULL_I64, too wide to pack: the pairwise path runs.
            assert_eq!(group_columns(&[&a, &b]).unwrap().global_gid(), pairwise(&[&a, &b]));
            assert!(group_packed_with(&[&a_small, &b], NO_FEED).is_some());
            assert_eq!(group_columns(&[&a_small, &b]).unwrap().global_gid(), pairwise(&[&a_small, &b]));
            let g = group_columns(&[&b, &a_small]).unwrap();
            assert_eq!(g.global_gid(), pairwise(&[&b, &a_small]));
            assert_eq!(g.first_row.len(), g.ngroups);
        }
    }
}
