//! Dense grouping: when every key column is integer-like and the tuple of
//! each row's offsets from the columns' minima numbers into a small range,
//! that number (the row's slot) is its local group id: no hash and no
//! lookup table. Each chunk of rows (one per thread) counts rows per slot,
//! notes the slots it meets first, and feeds blocks of slots to the
//! aggregate jobs; the merge numbers the slots globally in order of first
//! appearance. Anything else is left to the hashing paths of `group`.
#![forbid(unsafe_code)]

use super::agg::{Partial, accumulate, take_sizes};
use super::group::{BLOCK, Chunk, Feed, Groups};
use crate::abi::*;
use crate::ops::Row;
use crate::ops::pack::{Ints, int_range, ints, with_ints};
use crate::ops::par::{split, threads_for};

/// Most slots a dense grouping may use (each thread keeps a row count and
/// an accumulator per slot and per aggregate).
const MAX_SLOTS: usize = 1 << 21;

/// One key column's part of the slot: `(x - lo) * stride`.
struct Digit<'a> {
    ints: Ints<'a>,
    lo: i64,
    stride: u32,
}

/// The digits of `cols` and the number of slots, when every column is
/// integer-like and the product of the ranges stays small beside `n`.
fn layout<'a>(cols: &[&'a ray_t], n: usize) -> Option<(Vec<Digit<'a>>, usize)> {
    let limit = MAX_SLOTS.min((n / 2).max(1 << 10));
    let mut digits = Vec::with_capacity(cols.len());
    let mut slots = 1usize;
    for c in cols.iter().rev() {
        let (lo, hi) = int_range(c)?;
        let width = usize::try_from(hi as i128 - lo as i128 + 1).ok()?;
        digits.push(Digit { ints: ints(c)?, lo, stride: slots as u32 });
        slots = slots.checked_mul(width).filter(|&s| s <= limit)?;
    }
    digits.reverse();
    Some((digits, slots))
}

/// The slots of rows `start..start + out.len()`.
fn fill_slots(digits: &[Digit], start: usize, out: &mut [u32]) {
    out.fill(0);
    let end = start + out.len();
    for d in digits {
        let (lo, stride) = (d.lo, d.stride);
        with_ints!(&d.ints, s => {
            for (o, &x) in out.iter_mut().zip(&s[start..end]) {
                *o += (i64::from(x) - lo) as u32 * stride;
            }
        });
    }
}

/// What one chunk hands to the merge: the slots in order of first
/// appearance with their first rows, the aggregate partials (indexed by
/// slot) and, when kept, each row's slot.
type ChunkOut = (Vec<(u32, Row)>, Vec<Partial>, Vec<u32>);

/// Groups rows `start..end` by slot, feeding the jobs block by block.
fn group_chunk(digits: &[Digit], slots: usize, (start, end): (usize, usize), feed: Feed) -> ChunkOut {
    let mut sizes = vec![0i64; slots];
    let mut order = Vec::new();
    let mut parts: Vec<Partial> = feed.jobs.iter().map(Partial::empty).collect();
    let mut rows = Vec::with_capacity(if feed.keep_rows { end - start } else { 0 });
    let mut buf = [0u32; BLOCK];
    for b in (start..end).step_by(BLOCK) {
        let ids = &mut buf[..(end - b).min(BLOCK)];
        fill_slots(digits, b, ids);
        for (j, &slot) in ids.iter().enumerate() {
            let count = &mut sizes[slot as usize];
            if *count == 0 {
                order.push((slot, (b + j) as Row));
            }
            *count += 1;
        }
        for (job, part) in feed.jobs.iter().zip(&mut parts) {
            accumulate(job, part, b, ids, slots, true);
        }
        if feed.keep_rows {
            rows.extend_from_slice(ids);
        }
    }
    for (job, part) in feed.jobs.iter().zip(&mut parts) {
        take_sizes(job, part, &sizes);
    }
    (order, parts, rows)
}

/// Groups the rows of `cols` by slot when their ranges allow it (see the
/// module docs), feeding `feed`'s jobs; None when they do not.
///
/// Every chunk's local ids are slots, and all chunks share one remap from
/// slot to global group. A slot no row of the input has maps to group 0:
/// its partials hold the aggregates' starting values (zero sums and counts,
/// null extremes, no row), which fold into any group unchanged.
pub(super) fn group_dense(cols: &[&ray_t], feed: Feed) -> Option<(Groups, Vec<Vec<Partial>>)> {
    let n = cols.first()?.len().max(0) as usize;
    if n == 0 || cols.iter().any(|c| c.len().max(0) as usize != n) {
        return None;
    }
    let (digits, slots) = layout(cols, n)?;
    let ranges = split(n, threads_for(n));
    let outs: Vec<ChunkOut> = if ranges.len() == 1 {
        vec![group_chunk(&digits, slots, ranges[0], feed)]
    } else {
        std::thread::scope(|sc| {
            let hs: Vec<_> = ranges.iter().map(|&r| {
                let digits = &digits;
                sc.spawn(move || crate::ops::par::worker(|| group_chunk(digits, slots, r, feed)))
            }).collect();
            hs.into_iter().map(|h| h.join().expect("worker panicked")).collect()
        })
    };
    let mut global = vec![u32::MAX; slots];
    let mut first_row = Vec::new();
    for (order, _, _) in &outs {
        for &(slot, row) in order {
            let g = &mut global[slot as usize];
            if *g == u32::MAX {
                *g = first_row.len() as u32;
                first_row.push(row);
            }
        }
    }
    global.iter_mut().filter(|g| **g == u32::MAX).for_each(|g| *g = 0);
    let mut chunks = Vec::with_capacity(outs.len());
    let mut partials = Vec::with_capacity(outs.len());
    for (&(start, _), (_, parts, gid)) in ranges.iter().zip(outs) {
        chunks.push(Chunk { start, nlocal: slots, remap: Some(global.clone()), gid });
        partials.push(parts);
    }
    let groups = Groups { ngroups: first_row.len(), nrows: n, rows_kept: feed.keep_rows, chunks, first_row };
    Some((groups, partials))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;
    use crate::query::agg::{Agg, Job, finish_jobs};
    use crate::query::group::group_hashed;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    fn nullable<T: crate::core::Elem>(t: i8, xs: &[T]) -> Value {
        let mut v = Value::vec_from_slice(t, xs).unwrap();
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        v
    }

    /// A result column's elements as bit patterns, whatever its width.
    fn bits(v: &Value) -> Vec<u64> {
        match elem_size(v.type_, v.attrs) {
            1 => v.elems::<u8>().iter().map(|&x| x as u64).collect(),
            4 => v.elems::<u32>().iter().map(|&x| x as u64).collect(),
            _ => v.elems::<i64>().iter().map(|&x| x as u64).collect(),
        }
    }

    /// Dense grouping gives the hashed path's groups, row ids and
    /// aggregates, over random keys and values with nulls, on one thread
    /// and on several.
    #[test]
    fn dense_grouping_equals_the_hashed_path() {
        for n in [1usize, 2, 7, 3000, 300_000] {
            let mut seed = n as u64 + 1;
            let mut r = |m: u64| lcg(&mut seed) % m;
            let k16: Vec<i16> = (0..n).map(|_| if r(9) == 0 { NULL_I16 } else { r(24) as i16 - 3 }).collect();
            let k8: Vec<u8> = (0..n).map(|_| r(6) as u8).collect();
            let k64: Vec<i64> = (0..n).map(|_| r(50) as i64 + 1_000_000).collect();
            let (k16, k8, k64) = (nullable(RAY_I16, &k16), Value::vec_from_slice(RAY_U8, &k8).unwrap(), Value::vec_from_slice(RAY_I64, &k64).unwrap());
            let vi: Vec<i64> = (0..n).map(|_| if r(7) == 0 { NULL_I64 } else { r(1000) as i64 - 500 }).collect();
            let vf: Vec<f64> = (0..n).map(|_| if r(5) == 0 { f64::NAN } else { r(1000) as f64 / 8.0 }).collect();
            let v32: Vec<i32> = (0..n).map(|_| if r(4) == 0 { NULL_I32 } else { r(100) as i32 }).collect();
            let vu: Vec<u8> = (0..n).map(|_| r(256) as u8).collect();
            let (vi, vf, v32, vu) = (nullable(RAY_I64, &vi), nullable(RAY_F64, &vf), nullable(RAY_I32, &v32), Value::vec_from_slice(RAY_U8, &vu).unwrap());
            let aggs: Vec<(Agg, &ray_t)> = vec![
                (Agg::Sum, &vi), (Agg::Avg, &vf), (Agg::Min, &v32), (Agg::Max, &vf), (Agg::Count, &vi), (Agg::First, &vi),
                (Agg::Last, &v32), (Agg::Sum, &vu), (Agg::Max, &vu), (Agg::Min, &vu), (Agg::Avg, &vu), (Agg::Min, &vi),
            ];
            let jobs: Vec<Job> = aggs.iter().map(|&(a, c)| Job::new(a, c).unwrap()).collect();
            let cols: Vec<&ray_t> = aggs.iter().map(|a| a.1).collect();
            for keys in [vec![&*k16], vec![&*k8], vec![&*k64], vec![&*k16, &*k8], vec![&*k64, &*k8, &*k16]] {
                for keep_rows in [true, false] {
                    let feed = Feed { jobs: &jobs, keep_rows };
                    let Some((dense, dparts)) = group_dense(&keys, feed) else {
                        // Too many slots beside the rows (the I16 key's null
                        // widens its range to 2^15): not so for one key of many rows.
                        assert!(n < 300_000 || keys.len() > 1, "n {n}");
                        continue;
                    };
                    let (plain, pparts) = group_hashed(&keys, feed);
                    assert_eq!(dense.ngroups, plain.ngroups, "n {n}");
                    assert_eq!(dense.first_row, plain.first_row, "n {n}");
                    if keep_rows {
                        assert_eq!(dense.global_gid(), plain.global_gid(), "n {n}");
                    }
                    let d = finish_jobs(&jobs, &cols, &dense, dparts).unwrap();
                    let p = finish_jobs(&jobs, &cols, &plain, pparts).unwrap();
                    for (j, (a, b)) in d.iter().zip(&p).enumerate() {
                        assert_eq!((a.type_, a.attrs), (b.type_, b.attrs), "n {n} job {j}");
                        assert_eq!(bits(a), bits(b), "n {n} job {j}");
                    }
                }
            }
        }
    }
}
