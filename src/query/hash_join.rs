//! Radix-partitioned hash matching for the equi-joins on many rows. The R
//! keys and the L keys are scattered, by the top bits of a seeded hash, into
//! partitions small enough that one partition's hash table stays in cache;
//! each partition then builds an open-addressing table over its R rows and
//! probes its L rows. The answer has the shape of the plain path's
//! (`join::Matches`): for every L row the first R row with its key, for
//! every R row the next R row with the same key, both in R order.
//!
//! Threads own runs of whole partitions: the scatter has each thread scan
//! every key and write only the keys of its own partitions (a contiguous
//! part of the output), and the per-partition work writes the row maps
//! through relaxed atomic stores (plain stores on x86; every slot is
//! written by exactly one thread). Knows nothing of columns: keys are
//! integer slices (a packed key tuple or one integer column).
#![forbid(unsafe_code)]

use crate::core::alloc::huge_zeroed;
use crate::ops::keys::FastBuild;
use crate::ops::par::{map_chunks, run_each, split, threads_for};
use crate::ops::{NO_ROW, Row};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// R rows at or above which matching partitions the keys.
pub const PARTITION_MIN_ROWS: usize = 1 << 16;
/// R rows aimed at per partition (its table: twice as many u32 slots).
const PART_ROWS: usize = 1 << 13;
/// At most 2^12 partitions (the top 12 bits of the hash pick one).
const MAX_PART_BITS: u32 = 12;
/// An empty table slot.
const EMPTY: u32 = u32::MAX;

/// A key's hash: two multiply-xorshift rounds over the seeded key, so the
/// top bits (the partition) and the low bits (the slot) both depend on
/// every key bit.
#[inline(always)]
fn mix(k: u64, seed: u64) -> u64 {
    let x = (k ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let x = (x ^ (x >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    x ^ (x >> 32)
}

#[inline(always)]
fn part_of(h: u64, nparts: usize) -> usize {
    (h >> (64 - MAX_PART_BITS)) as usize & (nparts - 1)
}

/// Keys (as u64) and their row numbers, grouped by partition: partition
/// `p` holds `bounds[p]..bounds[p] + size` (the runs of different threads
/// are apart by a spare slot), its rows ascending.
struct Parts {
    keys: Vec<u64>,
    rows: Vec<Row>,
    bounds: Vec<usize>,
    sizes: Vec<usize>,
}

impl Parts {
    fn part(&self, p: usize) -> (&[u64], &[Row]) {
        let (a, b) = (self.bounds[p], self.bounds[p] + self.sizes[p]);
        (&self.keys[a..b], &self.rows[a..b])
    }
}

/// Scatters `keys` into `nparts` partitions (stable within each).
fn partition<T: Copy + Into<i64> + Sync>(keys: &[T], nparts: usize, seed: u64) -> Parts {
    let n = keys.len();
    let threads = threads_for(n);
    let counts: Vec<Vec<usize>> = map_chunks(&split(n, threads), threads, |&(a, b)| {
        let mut c = vec![0usize; nparts];
        for &k in &keys[a..b] {
            c[part_of(mix(k.into() as u64, seed), nparts)] += 1;
        }
        c
    });
    // Each thread owns a run of partitions holding about n / threads keys,
    // laid out in order, each run followed by one spare slot.
    let mut sizes = vec![0usize; nparts];
    for c in &counts {
        sizes.iter_mut().zip(c).for_each(|(s, c)| *s += c);
    }
    let mut owned = vec![0usize];
    let mut acc = 0;
    for (p, size) in sizes.iter().enumerate() {
        if acc >= n * owned.len() / threads && owned.len() < threads && p > 0 {
            owned.push(p);
        }
        acc += size;
    }
    owned.push(nparts);
    let mut bounds = Vec::with_capacity(nparts);
    let mut at = 0;
    for w in owned.windows(2) {
        for size in &sizes[w[0]..w[1]] {
            bounds.push(at);
            at += size;
        }
        at += 1;
    }
    let (mut out_keys, mut out_rows) = (huge_zeroed::<u64>(at), huge_zeroed::<Row>(at));
    let mut jobs = Vec::with_capacity(threads);
    let (mut rest_k, mut rest_r) = (out_keys.as_mut_slice(), out_rows.as_mut_slice());
    for w in owned.windows(2) {
        let len = sizes[w[0]..w[1]].iter().sum::<usize>() + 1;
        let (k, tk) = rest_k.split_at_mut(len);
        let (r, tr) = rest_r.split_at_mut(len);
        (rest_k, rest_r) = (tk, tr);
        jobs.push((w[0], w[1], k, r));
    }
    let bounds_ref = &bounds;
    run_each(jobs, |_, (pa, pb, out_k, out_r)| {
        // Branch-free: keys of other threads' partitions go to the spare
        // slot, whose cursor never moves.
        let base = bounds_ref[pa];
        let spare = out_k.len() - 1;
        let mut cursor = vec![spare; nparts];
        let mut step = vec![0usize; nparts];
        for p in pa..pb {
            cursor[p] = bounds_ref[p] - base;
            step[p] = 1;
        }
        for (i, &k) in keys.iter().enumerate() {
            let k = k.into() as u64;
            let p = part_of(mix(k, seed), nparts);
            let at = cursor[p];
            cursor[p] = at + step[p];
            out_k[at] = k;
            out_r[at] = i as Row;
        }
    });
    Parts { keys: out_keys, rows: out_rows, bounds, sizes }
}

/// Builds one partition's table over its R keys and probes its L keys,
/// storing the first match of each L row and the chain of each R row.
/// True when some R key repeats.
#[allow(clippy::too_many_arguments)]
fn match_partition(r: (&[u64], &[Row]), l: (&[u64], &[Row]), seed: u64, table: &mut Vec<u32>, first: &[AtomicU32], next: &[AtomicU32]) -> bool {
    let ((rk, rr), (lk, lr)) = (r, l);
    let cap = (rk.len() * 2).next_power_of_two().max(16);
    let mask = cap - 1;
    table.clear();
    table.resize(cap, EMPTY);
    let mut dup = false;
    // Inserting from the last R row makes each slot end on the first one
    // and each chain run in R order.
    for j in (0..rk.len()).rev() {
        let k = rk[j];
        let mut s = mix(k, seed) as usize & mask;
        loop {
            let t = table[s];
            if t == EMPTY {
                table[s] = j as u32;
                next[rr[j] as usize].store(NO_ROW, Relaxed);
                break;
            }
            if rk[t as usize] == k {
                next[rr[j] as usize].store(rr[t as usize], Relaxed);
                table[s] = j as u32;
                dup = true;
                break;
            }
            s = (s + 1) & mask;
        }
    }
    for (&k, &row) in lk.iter().zip(lr) {
        let mut s = mix(k, seed) as usize & mask;
        let hit = loop {
            let t = table[s];
            if t == EMPTY {
                break NO_ROW;
            }
            if rk[t as usize] == k {
                break rr[t as usize];
            }
            s = (s + 1) & mask;
        };
        first[row as usize].store(hit, Relaxed);
    }
    dup
}

/// For every L key the first R row with an equal key (NO_ROW when none),
/// for every R row the next R row with its key, and whether any R key
/// repeats. Both sides must hold fewer than `Row::MAX` rows.
pub fn partitioned_match<L, R>(l: &[L], r: &[R]) -> (Vec<Row>, Vec<Row>, bool)
where
    L: Copy + Into<i64> + Sync,
    R: Copy + Into<i64> + Sync,
{
    let seed = FastBuild::default().hash_one(0x6a6f_696e_u64);
    let part_bits = crate::ops::radix::bits_for((r.len() / PART_ROWS) as u64).min(MAX_PART_BITS);
    let nparts = 1usize << part_bits;
    let (rp, lp) = (partition(r, nparts, seed), partition(l, nparts, seed));
    // Every slot is stored by the partition holding its row.
    let atomic = |n: usize| huge_zeroed::<Row>(n).into_iter().map(AtomicU32::new).collect::<Vec<_>>();
    let (first, next) = (atomic(l.len()), atomic(r.len()));
    let threads = threads_for(l.len() + r.len()).min(nparts);
    let dups = run_each(split(nparts, threads), |_, (pa, pb)| {
        let mut table = Vec::new();
        let mut dup = false;
        for p in pa..pb {
            dup |= match_partition(rp.part(p), lp.part(p), seed, &mut table, &first, &next);
        }
        dup
    });
    let plain = |v: Vec<AtomicU32>| v.into_iter().map(AtomicU32::into_inner).collect::<Vec<Row>>();
    (plain(first), plain(next), dups.into_iter().any(|d| d))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain path: the first R row and the chain by linear search.
    fn plain(l: &[i64], r: &[i64]) -> (Vec<Row>, Vec<Row>, bool) {
        let first = l.iter().map(|k| r.iter().position(|x| x == k).map_or(NO_ROW, |p| p as Row)).collect();
        let next = (0..r.len()).map(|i| r[i + 1..].iter().position(|x| *x == r[i]).map_or(NO_ROW, |p| (i + 1 + p) as Row)).collect();
        let mut seen = std::collections::HashSet::new();
        let dup = !r.iter().all(|x| seen.insert(*x));
        (first, next, dup)
    }

    #[test]
    fn partitioned_matches_equal_the_plain_search() {
        let h = |i: u64, m: u64| ((i.wrapping_mul(2654435761) ^ (i >> 3)) % m) as i64;
        let cases: Vec<(Vec<i64>, Vec<i64>)> = vec![
            (vec![], vec![]),
            (vec![1, 2, 3], vec![]),
            (vec![], vec![4, 4]),
            (vec![i64::MIN, 0, -1, i64::MAX], vec![-1, i64::MIN, i64::MIN, 7, i64::MAX]),
            ((0..3000).map(|i| h(i, 500)).collect(), (0..1000).map(|i| h(i * 7, 700)).collect()),
            ((0..3000).map(|i| h(i, 1 << 40)).collect(), (0..2000).map(|i| h(i, 1 << 40)).collect()),
        ];
        for (l, r) in &cases {
            assert_eq!(partitioned_match(l, r), plain(l, r), "l {} r {}", l.len(), r.len());
        }
    }

    #[test]
    fn many_partitions_and_threads_keep_r_order_in_chains() {
        // Enough R rows for several partitions and both threads.
        let r: Vec<i64> = (0..200_000).map(|i| (i * 7919) % 150_001).collect();
        let l: Vec<i32> = (0..300_000).map(|i| ((i * 31) % 200_000) as i32 - 1).collect();
        let (first, next, dup) = partitioned_match(&l, &r);
        let mut head = std::collections::HashMap::new();
        for (i, &k) in r.iter().enumerate().rev() {
            let prev = head.insert(k, i as Row);
            assert_eq!(next[i], prev.unwrap_or(NO_ROW));
        }
        assert!(dup);
        for (i, &k) in l.iter().enumerate() {
            assert_eq!(first[i], head.get(&(k as i64)).copied().unwrap_or(NO_ROW));
        }
    }
}
