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

use super::column::{NO_ROW, Row, gather_ix, mark_nulls};
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Rows below which a single thread does the work.
const PAR_MIN_ROWS: usize = 1 << 17;
/// Largest key range (max - min) grouped through a direct-index table.
const DENSE_MAX_RANGE: u64 = 1 << 22;

/// A multiply-shift hasher for integer keys (std's SipHash is needlessly slow here).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    #[inline]
    fn write_u32(&mut self, x: u32) {
        self.write_u64(x as u64)
    }
    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64)
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Number of worker threads worth using for `n` rows.
pub fn threads_for(n: usize) -> usize {
    if n < PAR_MIN_ROWS {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |p| p.get()).clamp(1, 8).min(n / (PAR_MIN_ROWS / 2)).max(1)
}

/// Splits `0..n` into `k` nearly equal ranges.
pub fn split(n: usize, k: usize) -> Vec<(usize, usize)> {
    let k = k.max(1);
    (0..k).map(|i| (n * i / k, n * (i + 1) / k)).collect()
}

/// One row range with its own group numbering.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    /// Number of local group ids used in this chunk.
    pub nlocal: usize,
    /// Local id -> global id (None: local ids are global).
    pub remap: Option<Vec<u32>>,
}

/// The result of grouping `n` rows.
#[derive(Clone, Debug)]
pub struct Groups {
    pub ngroups: usize,
    /// Per row: the group id, local to the row's chunk.
    pub gid: Vec<u32>,
    pub chunks: Vec<Chunk>,
    /// The first row of each (global) group.
    pub first_row: Vec<Row>,
}

impl Groups {
    /// Per-row global group ids.
    pub fn global_gid(&self) -> Vec<u32> {
        let mut out = self.gid.clone();
        for c in &self.chunks {
            if let Some(r) = &c.remap {
                for g in &mut out[c.start..c.end] {
                    *g = r[*g as usize];
                }
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

    /// Rows per group as i64 counts.
    pub fn counts(&self) -> Vec<i64> {
        let parts = per_chunk(self, |c, gid| {
            let mut cnt = vec![0i64; c.nlocal];
            for &g in gid {
                cnt[g as usize] += 1;
            }
            cnt
        });
        merge(self, parts, vec![0i64; self.ngroups], |acc, x| *acc += x)
    }
}

/// Runs `f` on every chunk (on threads when there are several) and returns
/// the per-chunk results in chunk order.
fn per_chunk<T: Send>(g: &Groups, f: impl Fn(&Chunk, &[u32]) -> T + Sync) -> Vec<T> {
    if g.chunks.len() == 1 {
        let c = &g.chunks[0];
        return vec![f(c, &g.gid[c.start..c.end])];
    }
    std::thread::scope(|s| {
        let hs: Vec<_> = g.chunks.iter().map(|c| {
            let f = &f;
            let gid = &g.gid[c.start..c.end];
            s.spawn(move || f(c, gid))
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

/// Groups rows `start..end` into local ids written to `out`; returns the
/// local keys (with their first rows) in order of first appearance.
fn group_range<K: Copy, M: KeyMap<K>>(key: &(impl Fn(usize) -> K + Sync), start: usize, out: &mut [u32], map: &mut M) -> Vec<(K, Row)> {
    let mut order = Vec::new();
    for (j, o) in out.iter_mut().enumerate() {
        let r = start + j;
        let k = key(r);
        let (id, ins) = map.id(k, order.len() as u32);
        if ins {
            order.push((k, r as Row));
        }
        *o = id;
    }
    order
}

/// Groups `n` rows by `key`, chunked over threads when `n` is large.
fn group_by_key<K: Copy + Send + Sync, M: KeyMap<K> + Send>(n: usize, key: impl Fn(usize) -> K + Sync, new_map: impl Fn() -> M + Sync) -> Groups {
    let ranges = split(n, threads_for(n));
    let mut gid = vec![0u32; n];
    let locals: Vec<Vec<(K, Row)>> = if ranges.len() == 1 {
        vec![group_range(&key, 0, &mut gid, &mut new_map())]
    } else {
        let mut rest = gid.as_mut_slice();
        let mut parts = Vec::new();
        for &(s, e) in &ranges {
            let (a, b) = rest.split_at_mut(e - s);
            parts.push((s, a));
            rest = b;
        }
        std::thread::scope(|sc| {
            let hs: Vec<_> = parts.into_iter().map(|(s, out)| {
                let (key, new_map) = (&key, &new_map);
                sc.spawn(move || group_range(key, s, out, &mut new_map()))
            }).collect();
            hs.into_iter().map(|h| h.join().expect("worker panicked")).collect()
        })
    };
    let mut global = new_map();
    let mut first_row = Vec::new();
    let mut chunks = Vec::new();
    for (ci, (&(s, e), local)) in ranges.iter().zip(&locals).enumerate() {
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
        let _ = ci;
        chunks.push(Chunk { start: s, end: e, nlocal: local.len(), remap: (!identity).then_some(remap) });
    }
    Groups { ngroups: first_row.len(), gid, chunks, first_row }
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
fn group_fixed<T: Copy + Send + Sync + Into<i64>>(s: &[T]) -> Groups {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &x in s {
        let x: i64 = x.into();
        lo = lo.min(x);
        hi = hi.max(x);
    }
    group_in_range(s, lo, hi)
}

/// Groups values known to lie in `lo..=hi` (direct-index table when the range is small).
fn group_in_range<T: Copy + Send + Sync + Into<i64>>(s: &[T], lo: i64, hi: i64) -> Groups {
    let n = s.len();
    let range = (hi as i128 - lo as i128) as u128;
    if n > 0 && range < DENSE_MAX_RANGE as u128 && range <= (4 * n as u128).max(1 << 16) {
        let size = range as usize + 1;
        let min = lo as u64;
        group_by_key(n, |i| s[i].into() as u64, || Dense::new(min, size))
    } else {
        group_by_key(n, |i| s[i].into() as u64, FastMap::<u64, u32>::default)
    }
}

/// Groups the rows of one column by value.
pub fn group_column(col: &ray_t) -> Result<Groups> {
    let n = col.len().max(0) as usize;
    match col.type_() {
        RAY_SYM => {
            // Symbol ids are below the intern table's size: no min/max pass.
            let hi = crate::core::sym::count() as i64;
            Ok(match col.attrs() & RAY_SYM_WIDTH_MASK {
                RAY_SYM_W8 => group_fixed(col.as_slice::<u8>()),
                RAY_SYM_W16 => group_in_range(col.as_slice::<u16>(), 0, hi),
                RAY_SYM_W32 => group_in_range(col.as_slice::<u32>(), 0, hi),
                _ => group_in_range(col.as_slice::<i64>(), 0, hi),
            })
        }
        RAY_BOOL | RAY_U8 => Ok(group_fixed(col.as_slice::<u8>())),
        RAY_I16 => Ok(group_fixed(col.as_slice::<i16>())),
        RAY_I32 | RAY_DATE | RAY_TIME => Ok(group_fixed(col.as_slice::<i32>())),
        RAY_I64 | RAY_TIMESTAMP => Ok(group_fixed(col.as_slice::<i64>())),
        RAY_F64 | RAY_F32 => {
            let k = int_key(col).expect("float key");
            Ok(group_by_key(n, k, FastMap::<u64, u32>::default))
        }
        RAY_STR => {
            let strs: Vec<&[u8]> = (0..n).map(|i| col.str_at(i)).collect();
            Ok(group_by_key(n, |i| strs[i], FastMap::<&[u8], u32>::default))
        }
        RAY_GUID => {
            let s = col.as_slice::<[u8; 16]>();
            Ok(group_by_key(n, |i| s[i], FastMap::<[u8; 16], u32>::default))
        }
        RAY_LIST => {
            // Group LIST items by their printed identity: atoms by type and value.
            let keys: Vec<Vec<u8>> = (0..n).map(|i| item_key(col.item(i))).collect();
            Ok(group_by_key(n, |i| keys[i].as_slice(), FastMap::<&[u8], u32>::default))
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
            group_by_key(n, |i| combined[i], || Dense::new(0, range as usize))
        } else {
            group_by_key(n, |i| combined[i], FastMap::<u64, u32>::default)
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

fn sum_int<T: Num>(g: &Groups, s: &[T]) -> Vec<i64> {
    let parts = per_chunk(g, |c, gid| {
        let mut acc = vec![0i64; c.nlocal];
        for (&k, &x) in gid.iter().zip(&s[c.start..c.end]) {
            if !x.is_null() {
                let a = &mut acc[k as usize];
                *a = a.wrapping_add(x.to_i64());
            }
        }
        acc
    });
    merge(g, parts, vec![0i64; g.ngroups], |a, x| *a = a.wrapping_add(x))
}

fn sum_f64(g: &Groups, s: &[f64]) -> Vec<f64> {
    let parts = per_chunk(g, |c, gid| {
        let mut acc = vec![0f64; c.nlocal];
        for (&k, &x) in gid.iter().zip(&s[c.start..c.end]) {
            if !x.is_nan() {
                acc[k as usize] += x;
            }
        }
        acc
    });
    merge(g, parts, vec![0f64; g.ngroups], |a, x| *a += x)
}

/// (sum, non-null count) per group for averages.
fn sum_count<T: Num>(g: &Groups, s: &[T]) -> Vec<(f64, i64)> {
    let parts = per_chunk(g, |c, gid| {
        let mut acc = vec![(0f64, 0i64); c.nlocal];
        for (&k, &x) in gid.iter().zip(&s[c.start..c.end]) {
            if !x.is_null() {
                let a = &mut acc[k as usize];
                a.0 += x.to_f64();
                a.1 += 1;
            }
        }
        acc
    });
    merge(g, parts, vec![(0f64, 0i64); g.ngroups], |a, x| {
        a.0 += x.0;
        a.1 += x.1
    })
}

/// Min or max per group, skipping nulls; a group of nulls only gets `null`.
fn extreme<T: Num>(g: &Groups, s: &[T], null: T, want_max: bool) -> Vec<T> {
    let better = move |x: T, cur: T| cur.is_null() || if want_max { x > cur } else { x < cur };
    let parts = per_chunk(g, |c, gid| {
        let mut acc = vec![null; c.nlocal];
        for (&k, &x) in gid.iter().zip(&s[c.start..c.end]) {
            if !x.is_null() {
                let a = &mut acc[k as usize];
                if better(x, *a) {
                    *a = x;
                }
            }
        }
        acc
    });
    merge(g, parts, vec![null; g.ngroups], |a, x| {
        if !x.is_null() && better(x, *a) {
            *a = x
        }
    })
}

/// Row of the first (or last) non-null element per group.
fn pick_row(g: &Groups, col: &ray_t, last: bool) -> Vec<Row> {
    let nullable = super::column::has_null_sentinel(col.type_()) && col.attrs() & RAY_ATTR_HAS_NULLS != 0;
    if !nullable && !last {
        return g.first_row.clone();
    }
    let is_null = null_test(col);
    let parts = per_chunk(g, |c, gid| {
        let mut acc = vec![NO_ROW; c.nlocal];
        for (j, &k) in gid.iter().enumerate() {
            let r = c.start + j;
            if nullable && is_null(r) {
                continue;
            }
            let a = &mut acc[k as usize];
            if last || *a == NO_ROW {
                *a = r as Row;
            }
        }
        acc
    });
    merge(g, parts, vec![NO_ROW; g.ngroups], |a, x| {
        if x != NO_ROW && (last || *a == NO_ROW) {
            *a = x
        }
    })
}

/// A thread-shareable null test over a column's elements.
fn null_test(col: &ray_t) -> Box<dyn Fn(usize) -> bool + Sync + '_> {
    match col.type_() {
        RAY_I16 => {
            let s = col.as_slice::<i16>();
            Box::new(move |i| s[i] == NULL_I16)
        }
        RAY_I32 | RAY_DATE | RAY_TIME => {
            let s = col.as_slice::<i32>();
            Box::new(move |i| s[i] == NULL_I32)
        }
        RAY_I64 | RAY_TIMESTAMP => {
            let s = col.as_slice::<i64>();
            Box::new(move |i| s[i] == NULL_I64)
        }
        RAY_F64 => {
            let s = col.as_slice::<f64>();
            Box::new(move |i| s[i].is_nan())
        }
        RAY_F32 => {
            let s = col.as_slice::<f32>();
            Box::new(move |i| s[i].is_nan())
        }
        RAY_GUID => {
            let s = col.as_slice::<[u8; 16]>();
            Box::new(move |i| s[i] == [0; 16])
        }
        _ => Box::new(|_| false),
    }
}

fn vec_of<T: crate::core::Elem>(t: i8, xs: &[T]) -> Result<Value> {
    mark_nulls(Value::vec_from_slice(t, xs)?)
}

fn typed_extreme(g: &Groups, col: &ray_t, want_max: bool) -> Result<Option<Value>> {
    let t = col.type_();
    Ok(Some(match t {
        RAY_I64 | RAY_TIMESTAMP => vec_of(t, &extreme(g, col.as_slice::<i64>(), NULL_I64, want_max))?,
        RAY_I32 | RAY_DATE | RAY_TIME => vec_of(t, &extreme(g, col.as_slice::<i32>(), NULL_I32, want_max))?,
        RAY_I16 => vec_of(t, &extreme(g, col.as_slice::<i16>(), NULL_I16, want_max))?,
        RAY_F64 => vec_of(t, &extreme(g, col.as_slice::<f64>(), f64::NAN, want_max))?,
        RAY_U8 => {
            // u8 has no null; an empty group cannot occur, so 0 never leaks.
            Value::vec_from_slice(t, &extreme(g, col.as_slice::<u8>(), 0, want_max))?
        }
        _ => return Ok(None),
    }))
}

/// `agg` of `col` per group, or None when this column type has no direct
/// kernel (the caller then evaluates the expression group by group).
/// Results follow rayfall.md 8: nulls skipped, `sum` i64 for integers and
/// f64 for floats, `avg` f64 (`0Nf` when empty), `min`/`max` keep the type,
/// `count` counts every row, `first`/`last` skip nulls.
pub fn aggregate(agg: Agg, col: &ray_t, g: &Groups) -> Result<Option<Value>> {
    let t = col.type_();
    if !super::column::is_column(col) || col.len().max(0) as usize != g.gid.len() {
        return Ok(None);
    }
    Ok(Some(match agg {
        Agg::Count => Value::vec_from_slice(RAY_I64, &g.counts())?,
        Agg::First | Agg::Last => {
            if t == RAY_LIST {
                return Ok(None);
            }
            gather_ix(col, &pick_row(g, col, agg == Agg::Last))?
        }
        Agg::Sum => match t {
            RAY_I64 => Value::vec_from_slice(RAY_I64, &sum_int(g, col.as_slice::<i64>()))?,
            RAY_I32 => Value::vec_from_slice(RAY_I64, &sum_int(g, col.as_slice::<i32>()))?,
            RAY_I16 => Value::vec_from_slice(RAY_I64, &sum_int(g, col.as_slice::<i16>()))?,
            RAY_U8 | RAY_BOOL => Value::vec_from_slice(RAY_I64, &sum_int(g, col.as_slice::<u8>()))?,
            RAY_F64 => Value::vec_from_slice(RAY_F64, &sum_f64(g, col.as_slice::<f64>()))?,
            _ => return Ok(None),
        },
        Agg::Avg => {
            let sc = match t {
                RAY_I64 => sum_count(g, col.as_slice::<i64>()),
                RAY_I32 => sum_count(g, col.as_slice::<i32>()),
                RAY_I16 => sum_count(g, col.as_slice::<i16>()),
                RAY_U8 | RAY_BOOL => sum_count(g, col.as_slice::<u8>()),
                RAY_F64 => sum_count(g, col.as_slice::<f64>()),
                _ => return Ok(None),
            };
            let avg: Vec<f64> = sc.iter().map(|&(s, c)| if c == 0 { f64::NAN } else { s / c as f64 }).collect();
            vec_of(RAY_F64, &avg)?
        }
        Agg::Min | Agg::Max => return typed_extreme(g, col, agg == Agg::Max),
    }))
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
}
