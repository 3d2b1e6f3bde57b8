//! Grouped aggregates (`sum avg min max count first last` under `by:`),
//! computed column at a time over group ids, one pass over the value column
//! per aggregate. A job either runs after grouping (`aggregate`) or is fed
//! block by block by the grouping pass itself (`group_and_aggregate`), on
//! each row chunk into local partials folded through the chunk's remap.
#![forbid(unsafe_code)]

use super::group::{Feed, Groups, group_column_with, group_columns, group_packed_with, merge, per_chunk};
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::{NO_ROW, Prim, Row, gather_ix, has_sentinel, mark_nulls};

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
    /// A variance or standard deviation, from moments per group
    /// (`super::moments`; never fed by the grouping pass).
    Spread(super::moments::Spread),
}

/// Numeric element access used by the aggregate kernels; the null test
/// is the kernels' one (`ops::Prim::is_null`).
trait Num: Prim + Send + Sync + PartialOrd + 'static {
    fn to_i64(self) -> i64;
    fn to_f64(self) -> f64;
}
macro_rules! num {
    ($($t:ty),*) => {$(
        impl Num for $t {
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
num!(u8, i16, i32, i64, f64);

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
            RAY_I64 | RAY_TIMESTAMP => Some(Slice::I64(col.elems())),
            RAY_I32 | RAY_DATE | RAY_TIME => Some(Slice::I32(col.elems())),
            RAY_I16 => Some(Slice::I16(col.elems())),
            RAY_U8 | RAY_BOOL => Some(Slice::U8(col.elems())),
            RAY_F64 => Some(Slice::F64(col.elems())),
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
    pub(super) fn empty(job: &Job) -> Partial {
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
pub(super) fn take_sizes(job: &Job, part: &mut Partial, sizes: &[i64]) {
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
pub(super) fn accumulate(job: &Job, part: &mut Partial, start: usize, gid: &[u32], n: usize, sized: bool) {
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
pub(super) fn finish_jobs(jobs: &[Job], cols: &[&ray_t], g: &Groups, per_chunk: Vec<Vec<Partial>>) -> Result<Vec<Value>> {
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
    if let Some((g, per)) = group_packed_with(keys, Feed { jobs: &jobs, keep_rows }) {
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
    if let Agg::Spread(kind) = agg {
        return super::moments::spread_per_group(kind, col, g);
    }
    let Some(job) = Job::new(agg, col) else { return Ok(None) };
    Ok(run_jobs(&[job], &[col], g)?.pop())
}


#[cfg(test)]
mod tests {
    use super::*;
    use super::super::group::{FastMap, group_column};

    fn i64v(xs: &[i64]) -> Value {
        Value::vec_from_slice(RAY_I64, xs).unwrap()
    }

    #[test]
    fn aggregates_skip_nulls_and_flag_empty_groups() {
        let g = group_column(&i64v(&[1, 1, 2])).unwrap();
        let v = i64v(&[5, NULL_I64, NULL_I64]);
        assert_eq!(aggregate(Agg::Sum, &v, &g).unwrap().unwrap().elems::<i64>(), &[5, 0]);
        let mx = aggregate(Agg::Max, &v, &g).unwrap().unwrap();
        assert_eq!(mx.elems::<i64>(), &[5, NULL_I64]);
        assert!(mx.attrs() & RAY_ATTR_HAS_NULLS != 0);
        let av = aggregate(Agg::Avg, &v, &g).unwrap().unwrap();
        assert_eq!(av.elems::<f64>()[0], 5.0);
        assert!(av.elems::<f64>()[1].is_nan());
        assert_eq!(aggregate(Agg::Count, &v, &g).unwrap().unwrap().elems::<i64>(), &[2, 1]);
    }


    #[test]
    fn first_and_last_skip_nulls() {
        let g = group_column(&i64v(&[1, 1, 1])).unwrap();
        let mut v = i64v(&[NULL_I64, 7, NULL_I64]);
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        assert_eq!(aggregate(Agg::First, &v, &g).unwrap().unwrap().elems::<i64>(), &[7]);
        assert_eq!(aggregate(Agg::Last, &v, &g).unwrap().unwrap().elems::<i64>(), &[7]);
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
        let col = |i: usize| out[i].elems::<i64>().to_vec();
        assert_eq!(col(0), acc.iter().map(|a| a.0).collect::<Vec<_>>());
        let avg: Vec<f64> = acc.iter().map(|a| a.1 / a.2 as f64).collect();
        assert_eq!(out[1].elems::<f64>(), &avg[..]);
        assert_eq!(col(2), acc.iter().map(|a| a.3).collect::<Vec<_>>());
        assert_eq!(col(3), acc.iter().map(|a| a.4).collect::<Vec<_>>());
        assert_eq!(col(4), acc.iter().map(|a| a.5).collect::<Vec<_>>());
        assert_eq!(col(5), acc.iter().map(|a| a.6).collect::<Vec<_>>());
        assert_eq!(col(6), acc.iter().map(|a| a.7).collect::<Vec<_>>());
        // A null-free column: its average takes the counts from the group sizes.
        let (_, out) = group_and_aggregate(&[&k], &[(Agg::Avg, &*k), (Agg::Count, &*k)], true).unwrap();
        assert_eq!(out[0].elems::<f64>(), &order.iter().map(|&x| x as f64).collect::<Vec<_>>()[..]);
        assert_eq!(out[1].elems::<i64>(), &acc.iter().map(|a| a.5).collect::<Vec<_>>()[..]);
    }
}
