//! Grouping: key columns hashed once into dense group ids (groups numbered
//! in order of first appearance), then grouped aggregates computed column at
//! a time, one pass over the value column per aggregate.
//!
//! Large inputs are split into row chunks processed on scoped threads. Each
//! chunk numbers its groups locally; merging the chunks in row order gives
//! the global first-appearance order and a local-to-global remap per chunk.
//! Aggregates then run per chunk into local partials that are folded into
//! the global result through the remap, so row ids are never rewritten.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::par::{split, threads_for};
use crate::ops::{NO_ROW, Row, gather_ix, has_sentinel, mark_nulls};
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
fn per_chunk<T: Send>(g: &Groups, f: impl Fn(&Chunk, &[u32]) -> T + Sync) -> Vec<T> {
    assert!(g.rows_kept, "group ids were not kept");
    if g.chunks.len() == 1 {
        let c = &g.chunks[0];
        return vec![f(c, &c.gid)];
    }
    std::thread::scope(|s| {
        let hs: Vec<_> = g.chunks.iter().map(|c| {
            let f = &f;
            s.spawn(move || f(c, &c.gid))
        }).collect();
        hs.into_iter().map(|h| h.join().expect("worker panicked")).collect()
    })
}

/// Folds per-chunk local partials into one global vector through the remaps.
fn merge<T: Copy>(g: &Groups, parts: Vec<Vec<T>>, init: Vec<T>, fold: impl Fn(&mut T, T)) -> Vec<T> {
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
const BLOCK: usize = 2048;

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
                sc.spawn(move || work(r))
            }).collect();
            hs.into_iter().map(|h| h.join().expect("worker panicked")).collect()
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
            let s = col.as_slice::<f64>();
            Box::new(move |i| norm_f64(s[i]))
        }
        RAY_F32 => {
            let s = col.as_slice::<f32>();
            Box::new(move |i| norm_f64(s[i] as f64))
        }
        RAY_SYM | RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP => {
            match elem_size(col.type_(), col.attrs()) {
                1 => {
                    let s = col.as_slice::<u8>();
                    Box::new(move |i| s[i] as u64)
                }
                2 if col.type_() == RAY_SYM => {
                    let s = col.as_slice::<u16>();
                    Box::new(move |i| s[i] as u64)
                }
                2 => {
                    let s = col.as_slice::<i16>();
                    Box::new(move |i| s[i] as i64 as u64)
                }
                4 if col.type_() == RAY_SYM => {
                    let s = col.as_slice::<u32>();
                    Box::new(move |i| s[i] as u64)
                }
                4 => {
                    let s = col.as_slice::<i32>();
                    Box::new(move |i| s[i] as i64 as u64)
                }
                _ => {
                    let s = col.as_slice::<i64>();
                    Box::new(move |i| s[i] as u64)
                }
            }
        }
        _ => return None,
    })
}

#[inline(always)]
fn norm_f64(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
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
fn group_column_with(col: &ray_t, feed: Feed) -> Result<(Groups, Vec<Vec<Partial>>)> {
    let n = col.len().max(0) as usize;
    match col.type_() {
        RAY_SYM => {
            // Symbol ids are below the intern table's size: no min/max pass.
            let hi = crate::core::sym::count() as i64;
            Ok(match col.attrs() & RAY_SYM_WIDTH_MASK {
                RAY_SYM_W8 => group_fixed(col.as_slice::<u8>(), feed),
                RAY_SYM_W16 => group_in_range(col.as_slice::<u16>(), 0, hi, feed),
                RAY_SYM_W32 => group_in_range(col.as_slice::<u32>(), 0, hi, feed),
                _ => group_in_range(col.as_slice::<i64>(), 0, hi, feed),
            })
        }
        RAY_BOOL | RAY_U8 => Ok(group_fixed(col.as_slice::<u8>(), feed)),
        RAY_I16 => Ok(group_fixed(col.as_slice::<i16>(), feed)),
        RAY_I32 | RAY_DATE | RAY_TIME => Ok(group_fixed(col.as_slice::<i32>(), feed)),
        RAY_I64 | RAY_TIMESTAMP => Ok(group_fixed(col.as_slice::<i64>(), feed)),
        RAY_F64 | RAY_F32 => {
            let k = int_key(col).expect("float key");
            Ok(group_by_key(n, k, FastMap::<u64, u32>::default, feed))
        }
        RAY_STR => {
            let strs: Vec<&[u8]> = (0..n).map(|i| col.str_at(i)).collect();
            Ok(group_by_key(n, |i| strs[i], FastMap::<&[u8], u32>::default, feed))
        }
        RAY_GUID => {
            let s = col.as_slice::<[u8; 16]>();
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

/// A byte key identifying a LIST item by type and content (atoms and vectors).
fn item_key(item: Option<&ray_t>) -> Vec<u8> {
    let Some(v) = item else { return vec![0xff] };
    let mut k = vec![v.type_() as u8];
    if v.type_() < 0 {
        match -v.type_() {
            RAY_STR => k.extend_from_slice(v.str_bytes()),
            RAY_GUID => k.extend_from_slice(v.guid_bytes().map_or(&[0u8; 16][..], |g| &g[..])),
            RAY_F64 | RAY_F32 => k.extend_from_slice(&norm_f64(v.f64_val()).to_le_bytes()),
            _ => k.extend_from_slice(&v.i64_val().to_le_bytes()),
        }
    } else if v.is_vec() {
        let n = v.len() as usize;
        for i in 0..n {
            if v.type_() == RAY_STR {
                k.extend_from_slice(&(v.str_at(i).len() as u64).to_le_bytes());
                k.extend_from_slice(v.str_at(i));
            } else if let Some(f) = int_key(v) {
                k.extend_from_slice(&f(i).to_le_bytes());
            }
        }
    } else {
        for c in v.items() {
            k.extend_from_slice(&item_key(*c));
        }
    }
    k
}

/// Groups rows by several key columns (tuples in order of first appearance).
pub fn group_columns(cols: &[&ray_t]) -> Result<Groups> {
    let Some((first, rest)) = cols.split_first() else {
        return Err(RayError::domain("by: no key columns"));
    };
    let n = first.len().max(0) as usize;
    if rest.iter().any(|c| c.len().max(0) as usize != n) {
        return Err(RayError::length("by: key columns differ in length"));
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

// ----- grouped aggregates -----

/// The aggregates computed directly over group ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    First,
    Last,
}

impl Agg {
    /// The aggregate named `name`, if it has a direct grouped form.
    pub fn from_name(name: &[u8]) -> Option<Agg> {
        Some(match name {
            b"sum" => Agg::Sum,
            b"avg" => Agg::Avg,
            b"min" => Agg::Min,
            b"max" => Agg::Max,
            b"count" => Agg::Count,
            b"first" => Agg::First,
            b"last" => Agg::Last,
            _ => return None,
        })
    }
}

/// Numeric element access used by the aggregate kernels.
trait Num: Copy + Send + Sync + PartialOrd + 'static {
    fn is_null(self) -> bool;
    fn to_i64(self) -> i64;
    fn to_f64(self) -> f64;
}
macro_rules! int_num {
    ($t:ty, $null:expr) => {
        impl Num for $t {
            #[inline(always)]
            fn is_null(self) -> bool {
                self == $null
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    };
}
int_num!(i16, NULL_I16);
int_num!(i32, NULL_I32);
int_num!(i64, NULL_I64);
impl Num for u8 {
    #[inline(always)]
    fn is_null(self) -> bool {
        false
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
}
impl Num for f64 {
    #[inline(always)]
    fn is_null(self) -> bool {
        self.is_nan()
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

/// A value column seen as a typed slice (shareable across threads).
#[derive(Clone, Copy)]
enum Slice<'a> {
    I64(&'a [i64]),
    I32(&'a [i32]),
    I16(&'a [i16]),
    U8(&'a [u8]),
    F64(&'a [f64]),
    /// Only the row count matters (`count`, or `first` on a null-free column).
    Rows,
}

/// One aggregate over one column, resolved to a kernel.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    agg: Agg,
    t: i8,
    s: Slice<'a>,
    /// The column holds no null, so non-null counts are group sizes.
    no_nulls: bool,
}

impl<'a> Job<'a> {
    /// The kernel for `agg` over `col`, or None when this type has none
    /// (the caller then evaluates the expression group by group).
    pub fn new(agg: Agg, col: &'a ray_t) -> Option<Job<'a>> {
        let t = col.type_();
        if !crate::ops::is_collection(col) {
            return None;
        }
        let typed = match t {
            RAY_I64 | RAY_TIMESTAMP => Some(Slice::I64(col.as_slice())),
            RAY_I32 | RAY_DATE | RAY_TIME => Some(Slice::I32(col.as_slice())),
            RAY_I16 => Some(Slice::I16(col.as_slice())),
            RAY_U8 | RAY_BOOL => Some(Slice::U8(col.as_slice())),
            RAY_F64 => Some(Slice::F64(col.as_slice())),
            _ => None,
        };
        let numeric = matches!(t, RAY_I64 | RAY_I32 | RAY_I16 | RAY_U8 | RAY_BOOL | RAY_F64);
        let s = match agg {
            Agg::Count => Slice::Rows,
            Agg::First | Agg::Last => {
                let nullable = has_sentinel(t) && col.attrs() & RAY_ATTR_HAS_NULLS != 0;
                match (nullable, typed) {
                    _ if t == RAY_LIST => return None,
                    (false, _) => Slice::Rows,
                    (true, Some(s)) => s,
                    (true, None) => return None,
                }
            }
            Agg::Sum | Agg::Avg if numeric => typed?,
            Agg::Min | Agg::Max if t != RAY_BOOL => typed?,
            _ => return None,
        };
        let no_nulls = !has_sentinel(t) || col.attrs() & RAY_ATTR_HAS_NULLS == 0;
        Some(Job { agg, t, s, no_nulls })
    }
}

/// A chunk's accumulators for one job, indexed by local group id (grown as
/// the chunk meets new groups).
pub enum Partial {
    I64(Vec<i64>),
    I32(Vec<i32>),
    I16(Vec<i16>),
    U8(Vec<u8>),
    F64(Vec<f64>),
    SumCount(Vec<(f64, i64)>),
    Rows(Vec<Row>),
}

impl Partial {
    /// Empty accumulators of the kind `job` folds into.
    fn empty(job: &Job) -> Partial {
        match (job.agg, job.s) {
            (Agg::Count, _) => Partial::I64(Vec::new()),
            (Agg::First | Agg::Last, _) | (_, Slice::Rows) => Partial::Rows(Vec::new()),
            (Agg::Sum, Slice::F64(_)) => Partial::F64(Vec::new()),
            (Agg::Sum, _) => Partial::I64(Vec::new()),
            (Agg::Avg, _) => Partial::SumCount(Vec::new()),
            (_, Slice::I64(_)) => Partial::I64(Vec::new()),
            (_, Slice::I32(_)) => Partial::I32(Vec::new()),
            (_, Slice::I16(_)) => Partial::I16(Vec::new()),
            (_, Slice::U8(_)) => Partial::U8(Vec::new()),
            (_, Slice::F64(_)) => Partial::F64(Vec::new()),
        }
    }
}

/// Grows `acc` to `n` groups, new ones starting at `init`.
#[inline(always)]
fn grow<T: Copy>(acc: &mut Vec<T>, n: usize, init: T) -> &mut [T] {
    if acc.len() < n {
        acc.resize(n, init);
    }
    acc
}

fn sum_int<T: Num>(acc: &mut Vec<i64>, s: &[T], gid: &[u32], n: usize) {
    let acc = grow(acc, n, 0);
    for (&k, &x) in gid.iter().zip(s) {
        if !x.is_null() {
            let a = &mut acc[k as usize];
            *a = a.wrapping_add(x.to_i64());
        }
    }
}

fn sum_f64(acc: &mut Vec<f64>, s: &[f64], gid: &[u32], n: usize) {
    let acc = grow(acc, n, 0.0);
    for (&k, &x) in gid.iter().zip(s) {
        if !x.is_nan() {
            acc[k as usize] += x;
        }
    }
}

fn sum_count<T: Num>(acc: &mut Vec<(f64, i64)>, s: &[T], gid: &[u32], n: usize) {
    let acc = grow(acc, n, (0.0, 0));
    for (&k, &x) in gid.iter().zip(s) {
        if !x.is_null() {
            let a = &mut acc[k as usize];
            a.0 += x.to_f64();
            a.1 += 1;
        }
    }
}

#[inline(always)]
fn better<T: Num>(x: T, cur: T, want_max: bool) -> bool {
    cur.is_null() || if want_max { x > cur } else { x < cur }
}

/// Min or max per group, skipping nulls; a group of nulls only keeps `null`.
fn extreme<T: Num>(acc: &mut Vec<T>, s: &[T], gid: &[u32], n: usize, null: T, want_max: bool) {
    let acc = grow(acc, n, null);
    for (&k, &x) in gid.iter().zip(s) {
        if !x.is_null() {
            let a = &mut acc[k as usize];
            if better(x, *a, want_max) {
                *a = x;
            }
        }
    }
}

fn counts(acc: &mut Vec<i64>, gid: &[u32], n: usize) {
    let acc = grow(acc, n, 0);
    for &k in gid {
        acc[k as usize] += 1;
    }
}

/// Row of the first (or last) non-null element per group.
fn pick<T: Num>(acc: &mut Vec<Row>, s: Option<&[T]>, start: usize, gid: &[u32], n: usize, last: bool) {
    let acc = grow(acc, n, NO_ROW);
    for (j, &k) in gid.iter().enumerate() {
        if s.is_some_and(|s| s[j].is_null()) {
            continue;
        }
        let a = &mut acc[k as usize];
        if last || *a == NO_ROW {
            *a = (start + j) as Row;
        }
    }
}

/// Sums for an average over a null-free column (the counts are the group
/// sizes, filled in by [`take_sizes`]).
fn sum_only<T: Num>(acc: &mut Vec<(f64, i64)>, s: &[T], gid: &[u32], n: usize) {
    let acc = grow(acc, n, (0.0, 0));
    for (&k, &x) in gid.iter().zip(s) {
        acc[k as usize].0 += x.to_f64();
    }
}

impl Job<'_> {
    /// True when the grouping pass's row counts answer this job's counts
    /// (`count`, or `avg` of a column without nulls).
    fn from_sizes(&self) -> bool {
        self.agg == Agg::Count || (self.agg == Agg::Avg && self.no_nulls && matches!(self.s, Slice::F64(_) | Slice::I64(_)))
    }
}

/// Completes a chunk's partial of `job` from the group sizes the grouping
/// pass counted, when [`Job::from_sizes`].
fn take_sizes(job: &Job, part: &mut Partial, sizes: &[i64]) {
    if !job.from_sizes() {
        return;
    }
    match part {
        Partial::I64(a) => {
            a.clear();
            a.extend_from_slice(sizes);
        }
        Partial::SumCount(a) => {
            a.resize(sizes.len(), (0.0, 0));
            for (x, &c) in a.iter_mut().zip(sizes) {
                x.1 = c;
            }
        }
        _ => {}
    }
}

/// Folds rows `start..start + gid.len()` (local ids `gid`, `n` local
/// groups so far) into `part`, the accumulators of `job`. When `sized`, the
/// caller completes the counts with [`take_sizes`] afterwards.
fn accumulate(job: &Job, part: &mut Partial, start: usize, gid: &[u32], n: usize, sized: bool) {
    let r = start..start + gid.len();
    let want_max = job.agg == Agg::Max;
    let last = job.agg == Agg::Last;
    match (job.agg, job.s, part) {
        (Agg::Count, _, Partial::I64(_)) if sized && job.from_sizes() => {}
        (Agg::Count, _, Partial::I64(a)) => counts(a, gid, n),
        (Agg::Avg, Slice::F64(s), Partial::SumCount(a)) if sized && job.from_sizes() => sum_only(a, &s[r], gid, n),
        (Agg::Avg, Slice::I64(s), Partial::SumCount(a)) if sized && job.from_sizes() => sum_only(a, &s[r], gid, n),
        (Agg::First | Agg::Last, Slice::Rows, Partial::Rows(a)) => pick::<u8>(a, None, start, gid, n, last),
        (Agg::First | Agg::Last, Slice::I64(s), Partial::Rows(a)) => pick(a, Some(&s[r]), start, gid, n, last),
        (Agg::First | Agg::Last, Slice::I32(s), Partial::Rows(a)) => pick(a, Some(&s[r]), start, gid, n, last),
        (Agg::First | Agg::Last, Slice::I16(s), Partial::Rows(a)) => pick(a, Some(&s[r]), start, gid, n, last),
        (Agg::First | Agg::Last, Slice::F64(s), Partial::Rows(a)) => pick(a, Some(&s[r]), start, gid, n, last),
        (Agg::First | Agg::Last, Slice::U8(s), Partial::Rows(a)) => pick(a, Some(&s[r]), start, gid, n, last),
        (Agg::Sum, Slice::I64(s), Partial::I64(a)) => sum_int(a, &s[r], gid, n),
        (Agg::Sum, Slice::I32(s), Partial::I64(a)) => sum_int(a, &s[r], gid, n),
        (Agg::Sum, Slice::I16(s), Partial::I64(a)) => sum_int(a, &s[r], gid, n),
        (Agg::Sum, Slice::U8(s), Partial::I64(a)) => sum_int(a, &s[r], gid, n),
        (Agg::Sum, Slice::F64(s), Partial::F64(a)) => sum_f64(a, &s[r], gid, n),
        (Agg::Avg, Slice::I64(s), Partial::SumCount(a)) => sum_count(a, &s[r], gid, n),
        (Agg::Avg, Slice::I32(s), Partial::SumCount(a)) => sum_count(a, &s[r], gid, n),
        (Agg::Avg, Slice::I16(s), Partial::SumCount(a)) => sum_count(a, &s[r], gid, n),
        (Agg::Avg, Slice::U8(s), Partial::SumCount(a)) => sum_count(a, &s[r], gid, n),
        (Agg::Avg, Slice::F64(s), Partial::SumCount(a)) => sum_count(a, &s[r], gid, n),
        (_, Slice::I64(s), Partial::I64(a)) => extreme(a, &s[r], gid, n, NULL_I64, want_max),
        (_, Slice::I32(s), Partial::I32(a)) => extreme(a, &s[r], gid, n, NULL_I32, want_max),
        (_, Slice::I16(s), Partial::I16(a)) => extreme(a, &s[r], gid, n, NULL_I16, want_max),
        (_, Slice::U8(s), Partial::U8(a)) => extreme(a, &s[r], gid, n, if want_max { 0 } else { u8::MAX }, want_max),
        (_, Slice::F64(s), Partial::F64(a)) => extreme(a, &s[r], gid, n, f64::NAN, want_max),
        (_, Slice::Rows, Partial::Rows(a)) => pick::<u8>(a, None, start, gid, n, last),
        _ => unreachable!("Partial::empty matches the job's kernel"),
    }
}

fn unwrap_parts<T>(parts: Vec<Partial>, f: impl Fn(Partial) -> Option<Vec<T>>) -> Vec<Vec<T>> {
    parts.into_iter().map(|p| f(p).expect("one partial kind per job")).collect()
}

fn vec_of<T: crate::core::Elem>(t: i8, xs: &[T]) -> Result<Value> {
    mark_nulls(Value::vec_from_slice(t, xs)?)
}

/// Folds the chunks' partials of `job` (over `col`) into the result column.
fn finish_job(job: &Job, col: &ray_t, g: &Groups, parts: Vec<Partial>) -> Result<Value> {
    let ng = g.ngroups;
    let want_max = job.agg == Agg::Max;
    let last = job.agg == Agg::Last;
    macro_rules! fold {
        ($variant:ident, $init:expr, $f:expr) => {
            merge(g, unwrap_parts(parts, |p| if let Partial::$variant(v) = p { Some(v) } else { None }), vec![$init; ng], $f)
        };
    }
    match (job.agg, job.s) {
        (Agg::Count, _) => Value::vec_from_slice(RAY_I64, &fold!(I64, 0i64, |a, x| *a += x)),
        (Agg::First | Agg::Last, _) => {
            let rows = fold!(Rows, NO_ROW, |a, x| if x != NO_ROW && (last || *a == NO_ROW) {
                *a = x
            });
            gather_ix(col, &rows)
        }
        (Agg::Sum, Slice::F64(_)) => Value::vec_from_slice(RAY_F64, &fold!(F64, 0f64, |a, x| *a += x)),
        (Agg::Sum, _) => Value::vec_from_slice(RAY_I64, &fold!(I64, 0i64, |a, x| *a = a.wrapping_add(x))),
        (Agg::Avg, _) => {
            let sc = fold!(SumCount, (0f64, 0i64), |a, x| {
                a.0 += x.0;
                a.1 += x.1
            });
            let avg: Vec<f64> = sc.iter().map(|&(s, c)| if c == 0 { f64::NAN } else { s / c as f64 }).collect();
            vec_of(RAY_F64, &avg)
        }
        (_, Slice::I64(_)) => vec_of(job.t, &fold!(I64, NULL_I64, |a, x| if !x.is_null() && better(x, *a, want_max) {
            *a = x
        })),
        (_, Slice::I32(_)) => vec_of(job.t, &fold!(I32, NULL_I32, |a, x| if !x.is_null() && better(x, *a, want_max) {
            *a = x
        })),
        (_, Slice::I16(_)) => vec_of(job.t, &fold!(I16, NULL_I16, |a, x| if !x.is_null() && better(x, *a, want_max) {
            *a = x
        })),
        (_, Slice::U8(_)) => Value::vec_from_slice(job.t, &fold!(U8, if want_max { 0u8 } else { u8::MAX }, |a, x| if better(x, *a, want_max) {
            *a = x
        })),
        (_, Slice::F64(_)) => vec_of(job.t, &fold!(F64, f64::NAN, |a, x| if !x.is_null() && better(x, *a, want_max) {
            *a = x
        })),
        (_, Slice::Rows) => Err(RayError::type_err("aggregate: no kernel")),
    }
}

/// Runs every job over already computed groups in one pass over the chunks.
fn run_jobs(jobs: &[Job], cols: &[&ray_t], g: &Groups) -> Result<Vec<Value>> {
    let per = per_chunk(g, |c, gid| {
        jobs.iter()
            .map(|j| {
                let mut p = Partial::empty(j);
                accumulate(j, &mut p, c.start, gid, c.nlocal, false);
                p
            })
            .collect::<Vec<_>>()
    });
    finish_jobs(jobs, cols, g, per)
}

/// Transposes per-chunk partial lists into per-job lists and finishes each job.
fn finish_jobs(jobs: &[Job], cols: &[&ray_t], g: &Groups, per_chunk: Vec<Vec<Partial>>) -> Result<Vec<Value>> {
    let mut by_job: Vec<Vec<Partial>> = jobs.iter().map(|_| Vec::with_capacity(per_chunk.len())).collect();
    for chunk in per_chunk {
        for (j, p) in chunk.into_iter().enumerate() {
            by_job[j].push(p);
        }
    }
    jobs.iter().zip(cols).zip(by_job).map(|((j, c), parts)| finish_job(j, c, g, parts)).collect()
}

/// Groups by `keys` and computes `aggs` (each an aggregate and its column,
/// all with kernels: see [`Job::new`]) per group. With one key column the
/// aggregates run inside the grouping pass, block by block on the thread
/// that grouped the block, so the whole query costs one fork-join. Unless
/// `keep_rows`, the per-row group ids are dropped once consumed (the
/// returned groups then carry only counts, first rows and chunk remaps).
pub fn group_and_aggregate(keys: &[&ray_t], aggs: &[(Agg, &ray_t)], keep_rows: bool) -> Result<(Groups, Vec<Value>)> {
    let jobs: Vec<Job> = aggs.iter().map(|(a, c)| Job::new(*a, c).ok_or_else(|| RayError::type_err("aggregate: no kernel"))).collect::<Result<_>>()?;
    let cols: Vec<&ray_t> = aggs.iter().map(|(_, c)| *c).collect();
    let n = keys.first().map_or(0, |k| k.len().max(0) as usize);
    if cols.iter().any(|c| c.len().max(0) as usize != n) {
        return Err(RayError::length("aggregate: column length differs from the keys"));
    }
    if let [key] = keys {
        let (g, per) = group_column_with(key, Feed { jobs: &jobs, keep_rows })?;
        let vals = finish_jobs(&jobs, &cols, &g, per)?;
        return Ok((g, vals));
    }
    let g = group_columns(keys)?;
    let vals = run_jobs(&jobs, &cols, &g)?;
    Ok((g, vals))
}

/// `agg` of `col` per group, or None when this column type has no direct
/// kernel. Results follow rayfall.md 8: nulls skipped, `sum` i64 for
/// integers and f64 for floats, `avg` f64 (`0Nf` when empty), `min`/`max`
/// keep the type, `count` counts every row, `first`/`last` skip nulls.
pub fn aggregate(agg: Agg, col: &ray_t, g: &Groups) -> Result<Option<Value>> {
    if col.len().max(0) as usize != g.nrows {
        return Ok(None);
    }
    let Some(job) = Job::new(agg, col) else { return Ok(None) };
    Ok(run_jobs(&[job], &[col], g)?.pop())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(s.as_slice::<i64>(), &[4, 2, 4]);
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
    fn aggregates_skip_nulls_and_flag_empty_groups() {
        let g = group_column(&i64v(&[1, 1, 2])).unwrap();
        let v = i64v(&[5, NULL_I64, NULL_I64]);
        assert_eq!(aggregate(Agg::Sum, &v, &g).unwrap().unwrap().as_slice::<i64>(), &[5, 0]);
        let mx = aggregate(Agg::Max, &v, &g).unwrap().unwrap();
        assert_eq!(mx.as_slice::<i64>(), &[5, NULL_I64]);
        assert!(mx.attrs() & RAY_ATTR_HAS_NULLS != 0);
        let av = aggregate(Agg::Avg, &v, &g).unwrap().unwrap();
        assert_eq!(av.as_slice::<f64>()[0], 5.0);
        assert!(av.as_slice::<f64>()[1].is_nan());
        assert_eq!(aggregate(Agg::Count, &v, &g).unwrap().unwrap().as_slice::<i64>(), &[2, 1]);
    }

    #[test]
    fn first_and_last_skip_nulls() {
        let g = group_column(&i64v(&[1, 1, 1])).unwrap();
        let mut v = i64v(&[NULL_I64, 7, NULL_I64]);
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        assert_eq!(aggregate(Agg::First, &v, &g).unwrap().unwrap().as_slice::<i64>(), &[7]);
        assert_eq!(aggregate(Agg::Last, &v, &g).unwrap().unwrap().as_slice::<i64>(), &[7]);
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
        assert_eq!(s.as_slice::<i64>(), &sums[..]);
        let firsts: Vec<i64> = g.first_row.iter().map(|&r| keys[r as usize]).collect();
        assert_eq!(firsts, order);
    }

    #[test]
    fn fused_aggregates_over_blocks_and_chunks_match_a_plain_loop() {
        let n = 300_007usize;
        let keys: Vec<i64> = (0..n).map(|i| ((i * 7919 + i / 5000) % 37) as i64).collect();
        let vals: Vec<i64> = (0..n).map(|i| if i % 11 == 0 { NULL_I64 } else { (i % 1000) as i64 - 500 }).collect();
        let mut v = i64v(&vals);
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        let k = i64v(&keys);
        let aggs = [Agg::Sum, Agg::Avg, Agg::Min, Agg::Max, Agg::Count, Agg::First, Agg::Last];
        let pairs: Vec<(Agg, &ray_t)> = aggs.iter().map(|&a| (a, &*v)).collect();
        let (g, out) = group_and_aggregate(&[&k], &pairs, false).unwrap();
        assert!(!g.rows_kept);
        let mut order: Vec<i64> = Vec::new();
        let mut slot = FastMap::<i64, usize>::default();
        let mut acc: Vec<(i64, f64, i64, i64, i64, i64, i64, i64)> = Vec::new();
        for (&key, &x) in keys.iter().zip(&vals) {
            let id = *slot.entry(key).or_insert_with(|| {
                order.push(key);
                acc.push((0, 0.0, 0, NULL_I64, NULL_I64, 0, NULL_I64, NULL_I64));
                order.len() - 1
            });
            let a = &mut acc[id];
            a.5 += 1;
            if x != NULL_I64 {
                a.0 += x;
                a.1 += x as f64;
                a.2 += 1;
                a.3 = if a.3 == NULL_I64 { x } else { a.3.min(x) };
                a.4 = if a.4 == NULL_I64 { x } else { a.4.max(x) };
                if a.6 == NULL_I64 {
                    a.6 = x;
                }
                a.7 = x;
            }
        }
        let firsts: Vec<i64> = g.first_row.iter().map(|&r| keys[r as usize]).collect();
        assert_eq!(firsts, order);
        let col = |i: usize| out[i].as_slice::<i64>().to_vec();
        assert_eq!(col(0), acc.iter().map(|a| a.0).collect::<Vec<_>>());
        let avg: Vec<f64> = acc.iter().map(|a| a.1 / a.2 as f64).collect();
        assert_eq!(out[1].as_slice::<f64>(), &avg[..]);
        assert_eq!(col(2), acc.iter().map(|a| a.3).collect::<Vec<_>>());
        assert_eq!(col(3), acc.iter().map(|a| a.4).collect::<Vec<_>>());
        assert_eq!(col(4), acc.iter().map(|a| a.5).collect::<Vec<_>>());
        assert_eq!(col(5), acc.iter().map(|a| a.6).collect::<Vec<_>>());
        assert_eq!(col(6), acc.iter().map(|a| a.7).collect::<Vec<_>>());
        // A null-free column: its average takes the counts from the group sizes.
        let (_, out) = group_and_aggregate(&[&k], &[(Agg::Avg, &*k), (Agg::Count, &*k)], true).unwrap();
        assert_eq!(out[0].as_slice::<f64>(), &order.iter().map(|&x| x as f64).collect::<Vec<_>>()[..]);
        assert_eq!(out[1].as_slice::<i64>(), &acc.iter().map(|a| a.5).collect::<Vec<_>>()[..]);
    }
}
