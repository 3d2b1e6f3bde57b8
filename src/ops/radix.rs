//! Stable LSD radix sorts of row ids by unsigned integer keys of known bit
//! width (the order keys `sort` builds). A key and its row id are packed
//! into one u64 when both fit, else carried as pairs; each pass scatters by
//! one digit of at most `MAX_DIGIT` bits, and passes where every element
//! falls into one bucket are skipped. For many rows the first pass runs on
//! the most significant digit, then the buckets, now disjoint ranges, sort
//! their lower digits on separate threads. Knows nothing about columns.
#![forbid(unsafe_code)]

use super::gather::Row;
use super::par::{map_chunks, par_parts, run_each, split, threads_for};
use crate::core::alloc::huge_zeroed;

/// Widest digit of one pass (2048 buckets).
const MAX_DIGIT: u32 = 11;

/// Bits needed to hold `x` (0 for 0).
pub fn bits_for(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// Row ids `0..keys.len()` ordered by `keys` ascending, ties in row order.
/// Every key must be below `2^bits`.
pub fn sort_rows(keys: &[u64], bits: u32) -> Vec<Row> {
    let rows: Vec<Row> = (0..keys.len() as Row).collect();
    sort_rows_by(keys, bits, rows)
}

/// `rows` reordered (stably) by `keys[row]`: the next pass of a sort on
/// several key words, least significant word first.
pub fn sort_rows_by(keys: &[u64], bits: u32, rows: Vec<Row>) -> Vec<Row> {
    let n = rows.len();
    if bits == 0 || n < 2 {
        return rows;
    }
    let row_bits = bits_for(n as u64 - 1).max(1);
    if bits + row_bits <= 64 {
        // Rows are unique, so packing them under the key leaves ties in the
        // order they came in (stability is kept by every pass anyway).
        let mut v = huge_zeroed::<u64>(n);
        par_parts(&mut v, threads_for(n), |part, a, _| {
            for (j, x) in part.iter_mut().enumerate() {
                *x = keys[rows[a + j] as usize] << row_bits | (a + j) as u64;
            }
            false
        });
        sort_by_bits(&mut v, |x| x, row_bits, row_bits + bits);
        let mask = (1u64 << row_bits) - 1;
        let mut out = huge_zeroed::<Row>(n);
        par_parts(&mut out, threads_for(n), |part, a, b| {
            part.iter_mut().zip(&v[a..b]).for_each(|(o, &x)| *o = rows[(x & mask) as usize]);
            false
        });
        return out;
    }
    let mut v: Vec<(u64, Row)> = rows.iter().map(|&r| (keys[r as usize], r)).collect();
    sort_by_bits(&mut v, |p| p.0, 0, bits);
    v.into_iter().map(|p| p.1).collect()
}

/// Widest key [`counting_sort_rows`] takes (2^16 buckets).
pub const COUNTING_MAX_BITS: u32 = 16;

/// Row ids `0..keys.len()` ordered stably by `keys` (each below `2^bits`,
/// `bits <= COUNTING_MAX_BITS`) in one counting pass, without packing
/// keys and rows together. For many rows each thread takes a run of
/// buckets of about equal size, scans every key in row order and writes
/// the rows of its own buckets (branch-free: rows of other buckets go to a
/// spare slot), so the threads write disjoint parts of the result.
pub fn counting_sort_rows(keys: &[u64], bits: u32) -> Vec<Row> {
    assert!(bits <= COUNTING_MAX_BITS, "counting sort: key too wide");
    let n = keys.len();
    let buckets = 1usize << bits;
    let k = threads_for(n);
    let hists = map_chunks(&split(n, k), k, |&(a, b)| histogram(&keys[a..b], |x| x, 0, bits));
    let mut counts = vec![0usize; buckets];
    for h in &hists {
        counts.iter_mut().zip(h).for_each(|(c, x)| *c += x);
    }
    let mut runs = Vec::with_capacity(k);
    let (mut at, mut first) = (0, 0);
    for (end, last) in balanced_bounds(&counts, k) {
        runs.push((at, end, first, last));
        (at, first) = (end, last);
    }
    let counts = &counts;
    let parts = run_each(runs, |_, (at, end, first, last)| {
        let spare = end - at;
        let mut pos = vec![spare; buckets];
        let mut next = 0;
        for b in first..last {
            pos[b] = next;
            next += counts[b];
        }
        let mut out = vec![0 as Row; spare + 1];
        for (r, &x) in keys.iter().enumerate() {
            let p = &mut pos[x as usize];
            out[*p] = r as Row;
            *p += (*p != spare) as usize;
        }
        out.truncate(spare);
        out
    });
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut rows = Vec::with_capacity(n);
    parts.iter().for_each(|p| rows.extend_from_slice(p));
    rows
}

/// Where each row goes in the stable order of `keys` (each below `2^bits`,
/// `bits <= COUNTING_MAX_BITS`): the inverse of [`counting_sort_rows`],
/// so a column can be moved into order by writing each element to its
/// place while reading the column once in row order (the writes go to one
/// run per bucket). Each thread takes a run of rows and writes their places.
pub fn counting_dest(keys: &[u64], bits: u32) -> Vec<Row> {
    assert!(bits <= COUNTING_MAX_BITS, "counting sort: key too wide");
    let n = keys.len();
    let k = threads_for(n);
    let ranges = split(n, k);
    let hists = map_chunks(&ranges, k, |&(a, b)| histogram(&keys[a..b], |x| x, 0, bits));
    // A run's first place in bucket b: every row of a smaller bucket, then
    // the rows of b in earlier runs.
    let mut starts = vec![vec![0usize; 1 << bits]; hists.len()];
    let mut at = 0;
    for b in 0..1usize << bits {
        for (start, h) in starts.iter_mut().zip(&hists) {
            start[b] = at;
            at += h[b];
        }
    }
    let mut dest = crate::core::alloc::huge_zeroed::<Row>(n);
    let mut jobs = Vec::with_capacity(k);
    let mut rest = dest.as_mut_slice();
    for (&(a, b), start) in ranges.iter().zip(starts) {
        let (part, tail) = rest.split_at_mut(b - a);
        rest = tail;
        jobs.push((part, &keys[a..b], start));
    }
    run_each(jobs, |_, (part, keys, mut next)| {
        for (d, &x) in part.iter_mut().zip(keys) {
            let p = &mut next[x as usize];
            *d = *p as Row;
            *p += 1;
        }
    });
    dest
}

/// Digit layout of bits `lo..hi`: (number of passes, bits per pass).
fn digits(lo: u32, hi: u32) -> (u32, u32) {
    let bits = hi - lo;
    let passes = bits.div_ceil(MAX_DIGIT);
    (passes, bits.div_ceil(passes))
}

/// Sorts `v` stably by bits `lo..hi` of `key(x)` (the bits above `hi` are zero).
fn sort_by_bits<T: Copy + Default + Send + Sync>(v: &mut Vec<T>, key: impl Fn(T) -> u64 + Send + Sync + Copy, lo: u32, hi: u32) {
    let n = v.len();
    let (passes, width) = digits(lo, hi);
    let threads = threads_for(n);
    if threads < 2 || passes < 2 {
        let mut tmp = huge_zeroed::<T>(n);
        lsd(v, &mut tmp, key, lo, hi);
        return;
    }
    // Most significant digit first, then each bucket's lower digits apart.
    let top = lo + (passes - 1) * width;
    let mut out = huge_zeroed::<T>(n);
    let counts = histogram(v, key, top, hi - top);
    if scatter(v, &mut out, key, top, hi - top, &counts) {
        *v = out;
    }
    // Each thread takes a run of whole buckets and sorts bucket by bucket.
    let bounds = balanced_bounds(&counts, threads);
    let mut parts: Vec<(&mut [T], &[usize])> = Vec::with_capacity(bounds.len());
    let mut rest = v.as_mut_slice();
    let (mut at, mut bucket) = (0, 0);
    for &(end, last_bucket) in &bounds {
        let (part, tail) = rest.split_at_mut(end - at);
        parts.push((part, &counts[bucket..last_bucket]));
        rest = tail;
        (at, bucket) = (end, last_bucket);
    }
    std::thread::scope(|s| {
        for (part, sizes) in parts {
            s.spawn(move || crate::ops::par::worker(|| {
                let mut tmp = vec![T::default(); sizes.iter().copied().max().unwrap_or(0)];
                let mut at = 0;
                for &c in sizes {
                    lsd(&mut part[at..at + c], &mut tmp[..c], key, lo, top);
                    at += c;
                }
            }));
        }
    });
}

/// Cut points splitting the buckets of `counts` into `k` contiguous runs
/// of about equal size: (end row, end bucket) of each run.
fn balanced_bounds(counts: &[usize], k: usize) -> Vec<(usize, usize)> {
    let n: usize = counts.iter().sum();
    let mut bounds = Vec::with_capacity(k);
    let mut at = 0;
    for (b, &c) in counts.iter().enumerate() {
        at += c;
        if at * k >= n * (bounds.len() + 1) && bounds.len() + 1 < k {
            bounds.push((at, b + 1));
        }
    }
    bounds.push((n, counts.len()));
    bounds
}

/// Counts of each digit value of `key(x) >> shift` (width bits).
fn histogram<T: Copy>(v: &[T], key: impl Fn(T) -> u64, shift: u32, width: u32) -> Vec<usize> {
    let mask = (1u64 << width) - 1;
    let mut counts = vec![0usize; 1 << width];
    for &x in v {
        counts[(key(x) >> shift & mask) as usize] += 1;
    }
    counts
}

/// Stable scatter of `src` into `dst` by digit; false (and nothing
/// written) when every element has the same digit.
fn scatter<T: Copy>(src: &[T], dst: &mut [T], key: impl Fn(T) -> u64, shift: u32, width: u32, counts: &[usize]) -> bool {
    if counts.iter().any(|&c| c == src.len()) {
        return false;
    }
    let mask = (1u64 << width) - 1;
    let mut at = Vec::with_capacity(counts.len());
    let mut sum = 0;
    for &c in counts {
        at.push(sum);
        sum += c;
    }
    for &x in src {
        let d = (key(x) >> shift & mask) as usize;
        dst[at[d]] = x;
        at[d] += 1;
    }
    true
}

/// Least significant digit first over bits `lo..hi`, on this thread;
/// `tmp` is scratch space of `v`'s length.
fn lsd<T: Copy>(v: &mut [T], tmp: &mut [T], key: impl Fn(T) -> u64 + Copy, lo: u32, hi: u32) {
    if hi <= lo || v.len() < 2 {
        return;
    }
    let (passes, width) = digits(lo, hi);
    let mut in_tmp = false;
    for p in 0..passes {
        let shift = lo + p * width;
        let w = width.min(hi - shift);
        let (src, dst) = if in_tmp { (&*tmp, &mut *v) } else { (&*v, &mut *tmp) };
        let counts = histogram(src, key, shift, w);
        if scatter(src, dst, key, shift, w, &counts) {
            in_tmp = !in_tmp;
        }
    }
    if in_tmp {
        v.copy_from_slice(tmp);
    }
}

/// Sorts `v` (u64 values below `2^bits`) ascending in place.
pub fn sort_u64(v: &mut Vec<u64>, bits: u32) {
    if bits > 0 {
        sort_by_bits(v, |x| x, 0, bits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(keys: &[u64]) -> Vec<Row> {
        let mut rows: Vec<Row> = (0..keys.len() as Row).collect();
        rows.sort_by_key(|&r| keys[r as usize]);
        rows
    }

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 11
    }

    #[test]
    fn matches_a_stable_comparison_sort_at_every_width() {
        let mut seed = 7;
        for &(n, bits) in &[(0usize, 5u32), (1, 5), (2, 1), (1000, 3), (5000, 12), (5000, 33), (3000, 53), (3000, 64), (300_000, 20), (300_000, 45)] {
            let mask = u64::MAX >> (64 - bits);
            let keys: Vec<u64> = (0..n).map(|_| (lcg(&mut seed) << 32 ^ lcg(&mut seed)) & mask).collect();
            assert_eq!(sort_rows(&keys, bits), reference(&keys), "n {n} bits {bits}");
        }
    }

    #[test]
    fn counting_sort_matches_a_stable_comparison_sort() {
        let mut seed = 11;
        for &(n, bits) in &[(0usize, 3u32), (1, 1), (2, 0), (1000, 4), (5000, 16), (300_000, 7), (300_000, 16), (300_001, 1)] {
            let keys: Vec<u64> = (0..n).map(|_| lcg(&mut seed) & ((1u64 << bits) - 1)).collect();
            assert_eq!(counting_sort_rows(&keys, bits), reference(&keys), "n {n} bits {bits}");
            // The places are the inverse of the sorted rows.
            let dest = counting_dest(&keys, bits);
            let mut inverse = vec![0 as Row; n];
            reference(&keys).iter().enumerate().for_each(|(at, &r)| inverse[r as usize] = at as Row);
            assert_eq!(dest, inverse, "places: n {n} bits {bits}");
        }
        // Every row in one bucket, and one bucket per thread run.
        let same = vec![3u64; 300_000];
        assert_eq!(counting_sort_rows(&same, 2), (0..300_000).collect::<Vec<Row>>());
    }

    #[test]
    fn few_distinct_keys_keep_row_order_and_skip_passes() {
        let keys: Vec<u64> = (0..200_000u64).map(|i| ((i * 7) % 3) << 30).collect();
        assert_eq!(sort_rows(&keys, 32), reference(&keys));
        let same = vec![5u64; 1000];
        assert_eq!(sort_rows(&same, 3), (0..1000).collect::<Vec<Row>>());
    }

    #[test]
    fn sorting_by_a_second_word_keeps_the_first_words_order() {
        let lo: Vec<u64> = (0..5000u64).map(|i| i % 7).collect();
        let hi: Vec<u64> = (0..5000u64).map(|i| (i * 31) % 5).collect();
        let rows = sort_rows_by(&hi, 3, sort_rows(&lo, 3));
        let mut want: Vec<Row> = (0..5000).collect();
        want.sort_by_key(|&r| (hi[r as usize], lo[r as usize]));
        assert_eq!(rows, want);
        let mut v: Vec<u64> = (0..100_000u64).map(|i| (i * 2654435761) % 1_000_000).collect();
        let mut w = v.clone();
        w.sort_unstable();
        sort_u64(&mut v, 20);
        assert_eq!(v, w);
    }
}
