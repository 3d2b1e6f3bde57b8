//! Parallel helpers: how many scoped threads a row count is worth and how
//! rows are split between them. Kernels call these around their own
//! monomorphic loops; nothing here knows about values.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Rows below which a single thread does the work.
pub const PAR_MIN_ROWS: usize = 1 << 17;

/// Cores set by the user (`rayforce -c N`); 0: as many as the machine has.
static CORES: AtomicUsize = AtomicUsize::new(0);

/// Most threads one kernel runs on, whatever `-c` says.
pub const MAX_CORES: usize = 256;

/// Sets the cores parallel kernels may use (0: the machine's, at most 8).
pub fn set_cores(n: usize) {
    CORES.store(n.min(MAX_CORES), Ordering::Relaxed);
}

/// The cores parallel kernels may use.
pub fn cores() -> usize {
    match CORES.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |p| p.get()).clamp(1, 8),
        n => n,
    }
}

/// Number of worker threads worth using for `n` rows.
pub fn threads_for(n: usize) -> usize {
    if n < PAR_MIN_ROWS {
        return 1;
    }
    cores().min(n / (PAR_MIN_ROWS / 2)).max(1)
}

/// Worker accounting for the profiler (`.sys.timeit`, `.mem.ts`): the
/// time worker threads spent in kernels, and the most workers that ran at
/// once since the last [`take_peak_workers`]. Process-wide counters: a
/// concurrent request's workers count too.
static BUSY_NS: AtomicU64 = AtomicU64::new(0);
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK_WORKERS: AtomicUsize = AtomicUsize::new(0);

/// Runs `f` as one parallel worker, counting its time and concurrency.
/// Every scoped worker a kernel spawns runs its body through this.
pub fn worker<R>(f: impl FnOnce() -> R) -> R {
    let now = RUNNING.fetch_add(1, Ordering::Relaxed) + 1;
    PEAK_WORKERS.fetch_max(now, Ordering::Relaxed);
    let t0 = std::time::Instant::now();
    struct Done(std::time::Instant);
    impl Drop for Done {
        fn drop(&mut self) {
            BUSY_NS.fetch_add(self.0.elapsed().as_nanos() as u64, Ordering::Relaxed);
            RUNNING.fetch_sub(1, Ordering::Relaxed);
        }
    }
    let _done = Done(t0);
    f()
}

/// Nanoseconds worker threads have spent in kernels since the process started.
pub fn busy_ns() -> u64 {
    BUSY_NS.load(Ordering::Relaxed)
}

/// The most workers that ran at once since the previous call; restarts the count.
pub fn take_peak_workers() -> usize {
    PEAK_WORKERS.swap(0, Ordering::Relaxed)
}

/// Puts back a peak taken by [`take_peak_workers`] (an enclosing span's),
/// keeping the larger of it and the peak since.
pub fn restore_peak_workers(peak: usize) {
    PEAK_WORKERS.fetch_max(peak, Ordering::Relaxed);
}

/// The result of a scoped worker; a panic in it goes on unwinding in the
/// caller with its own payload, so a refused allocation in a worker
/// ([`OutOfMemory`](crate::core::alloc::OutOfMemory)) still becomes the
/// request's "oom" error at the request boundary.
pub fn join<R>(h: std::thread::ScopedJoinHandle<'_, R>) -> R {
    h.join().unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

/// Splits `0..n` into `k` nearly equal ranges.
pub fn split(n: usize, k: usize) -> Vec<(usize, usize)> {
    let k = k.max(1);
    (0..k).map(|i| (n * i / k, n * (i + 1) / k)).collect()
}

/// Runs `f(dst part, src range)` over `dst` split into `k` nearly equal
/// parts (on scoped threads when `k > 1`); true when any call returned true.
pub fn par_parts<T: Send>(dst: &mut [T], k: usize, f: impl Fn(&mut [T], usize, usize) -> bool + Sync) -> bool {
    let n = dst.len();
    if k <= 1 {
        return f(dst, 0, n);
    }
    std::thread::scope(|s| {
        let mut rest = dst;
        let mut hs = Vec::with_capacity(k);
        for (a, b) in split(n, k) {
            let (part, tail) = rest.split_at_mut(b - a);
            rest = tail;
            let f = &f;
            hs.push(s.spawn(move || worker(|| f(part, a, b))));
        }
        hs.into_iter().fold(false, |any, h| join(h) | any)
    })
}

/// `f` over every item on up to `k` scoped threads (each takes a
/// contiguous run of items); the results in item order.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], k: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let k = k.clamp(1, items.len().max(1));
    if k == 1 {
        return items.iter().map(f).collect();
    }
    std::thread::scope(|s| {
        let f = &f;
        let hs: Vec<_> = split(items.len(), k)
            .into_iter()
            .map(|(a, b)| s.spawn(move || worker(|| items[a..b].iter().map(f).collect::<Vec<R>>())))
            .collect();
        hs.into_iter().flat_map(|h| join(h)).collect()
    })
}

/// Runs `f(i, item)` for each owned item on its own scoped thread (the
/// caller's thread takes the first); the results in order.
pub fn run_each<T: Send, R: Send>(items: Vec<T>, f: impl Fn(usize, T) -> R + Sync) -> Vec<R> {
    let mut items = items.into_iter();
    let Some(first) = items.next() else { return Vec::new() };
    std::thread::scope(|s| {
        let f = &f;
        let hs: Vec<_> = items.enumerate().map(|(i, t)| s.spawn(move || worker(|| f(i + 1, t)))).collect();
        let mut out = vec![worker(|| f(0, first))];
        out.extend(hs.into_iter().map(|h| join(h)));
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_allocation_in_a_worker_is_the_callers_oom() {
        let r = crate::core::alloc::catch_out_of_memory(|| {
            map_chunks(&[1, 2, 3, 4], 2, |&x| if x == 4 { crate::core::alloc::out_of_memory() } else { x })
        });
        assert_eq!(r.unwrap_err().code_str(), "oom");
        let ok = crate::core::alloc::catch_out_of_memory(|| map_chunks(&[1, 2, 3, 4], 2, |&x| x * 2));
        assert_eq!(ok.unwrap(), vec![2, 4, 6, 8]);
    }

    #[test]
    fn splits_cover_every_row_once() {
        let parts = split(10, 3);
        assert_eq!(parts, vec![(0, 3), (3, 6), (6, 10)]);
        assert_eq!(threads_for(10), 1);
        let mut v = vec![0usize; 1000];
        par_parts(&mut v, 4, |d, a, _| {
            d.iter_mut().enumerate().for_each(|(j, x)| *x = a + j);
            false
        });
        assert!(v.iter().enumerate().all(|(i, &x)| i == x));
    }
}
