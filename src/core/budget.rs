//! The process-wide memory budget: the bytes of live blocks (two relaxed
//! atomic counters that only grow, bytes charged by `alloc` when a block is
//! handed out and credited when it is freed or kept for reuse, so `.mem.ts`
//! can also tell what was allocated and freed) and the ceiling they may not
//! pass. Past the ceiling an allocation is refused, so hostile or careless
//! queries get the "oom" error instead of exhausting the machine; the
//! refusal is remembered per thread so `RayError::oom()` can say why.
//!
//! The default ceiling is 80% of the physical memory (or of the cgroup
//! memory limit when one is set and smaller); `set_budget(0)` lifts it.
//! Unlike the reference's `-m`, nothing spills to disk: past the budget
//! the query fails.
//!
//! This module owns the counter and the ceiling only; it allocates nothing
//! itself (`alloc` calls it), and `try_vec_with_capacity` is the checked
//! path for large Rust vectors in kernels.

use crate::core::{RayError, Result};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::cell::Cell;

/// Bytes of blocks handed out, and given back, since the process started
/// (both only grow; their difference is the bytes in use).
static CHARGED: AtomicUsize = AtomicUsize::new(0);
static CREDITED: AtomicUsize = AtomicUsize::new(0);
/// The most bytes in use since [`reset_peak`].
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The ceiling in bytes; 0 = unlimited; `UNSET` until first asked.
static BUDGET: AtomicUsize = AtomicUsize::new(UNSET);
const UNSET: usize = usize::MAX;

thread_local! {
    /// The last refusal on this thread: (bytes asked, budget, bytes in use).
    static REFUSED: Cell<Option<(usize, usize, usize)>> = const { Cell::new(None) };
    /// Blocks allocated and freed by this thread.
    static BLOCKS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Bytes of live blocks (kept blocks count as free).
pub fn bytes_in_use() -> usize {
    // Read the credits first: a concurrent free then never shows as a
    // negative count.
    let credited = CREDITED.load(Relaxed);
    CHARGED.load(Relaxed).saturating_sub(credited)
}

/// What the allocator has done so far, for `.mem.ts`: bytes charged and
/// credited (process-wide, only growing), the peak in use since
/// [`reset_peak`], and this thread's blocks allocated and freed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub charged: usize,
    pub credited: usize,
    pub peak: usize,
    pub blocks_allocated: u64,
    pub blocks_freed: u64,
}

pub fn counters() -> Counters {
    let (blocks_allocated, blocks_freed) = BLOCKS.with(|b| b.get());
    Counters {
        charged: CHARGED.load(Relaxed),
        credited: CREDITED.load(Relaxed),
        peak: PEAK.load(Relaxed),
        blocks_allocated,
        blocks_freed,
    }
}

/// Starts a new peak: the bytes in use now.
pub fn reset_peak() {
    PEAK.store(bytes_in_use(), Relaxed);
}

/// Counts a block allocated (`freed` false) or freed by this thread.
#[inline]
pub(crate) fn count_block(freed: bool) {
    BLOCKS.with(|b| {
        let (a, f) = b.get();
        b.set(if freed { (a, f + 1) } else { (a + 1, f) });
    });
}

/// The budget in bytes (0 = unlimited).
pub fn budget() -> usize {
    match BUDGET.load(Relaxed) {
        UNSET => {
            let b = default_budget();
            // Another thread may have set one meanwhile: keep theirs.
            match BUDGET.compare_exchange(UNSET, b, Relaxed, Relaxed) {
                Ok(_) => b,
                Err(set) => set,
            }
        }
        b => b,
    }
}

/// Sets the budget in bytes (0 = unlimited). Blocks already live stay;
/// only later allocations are checked against it.
pub fn set_budget(bytes: usize) {
    BUDGET.store(bytes, Relaxed);
}

/// Blocks smaller than this may pass the budget by an eighth of it: atoms
/// and small vectors near the ceiling still get built (many constructors
/// cannot report failure), while any large request is refused first.
const SMALL_BLOCK: usize = 64 << 10;

/// Charges `bytes` to the counter if they fit in the budget; false (and
/// nothing charged, the refusal recorded for this thread) when they do not.
#[inline]
pub(crate) fn charge(bytes: usize) -> bool {
    let credited = CREDITED.load(Relaxed);
    let before = CHARGED.fetch_add(bytes, Relaxed).saturating_sub(credited);
    let limit = budget();
    let after = before.saturating_add(bytes);
    if limit != 0 && after > limit && (bytes >= SMALL_BLOCK || after - limit > limit / 8) {
        CHARGED.fetch_sub(bytes, Relaxed);
        REFUSED.with(|r| r.set(Some((bytes, limit, before))));
        return false;
    }
    if after > PEAK.load(Relaxed) {
        PEAK.fetch_max(after, Relaxed);
    }
    true
}

/// Credits `bytes` back (a block freed or kept for reuse).
#[inline]
pub(crate) fn credit(bytes: usize) {
    CREDITED.fetch_add(bytes, Relaxed);
}

/// Records a refusal of `bytes` that no budget explains (the size is past
/// any block or the system allocator said no), so the next `oom` error on
/// this thread names the size.
pub(crate) fn note_failure(bytes: usize) {
    REFUSED.with(|r| r.set(Some((bytes, 0, bytes_in_use()))));
}

/// The message of this thread's last refusal, if any.
pub(crate) fn refusal_message() -> Option<String> {
    let (asked, limit, used) = REFUSED.with(|r| r.get())?;
    Some(if limit == 0 {
        format!("allocation of {} failed", human(asked))
    } else {
        format!("allocation of {} exceeds the memory budget ({}, {} in use)", human(asked), human(limit), human(used))
    })
}

/// What unwinds out of an infallible constructor (`Value::list`, atoms)
/// whose allocation failed: `catch_out_of_memory` at the request boundary
/// turns it into the "oom" error. Raised with `resume_unwind`, so no panic
/// message is printed.
pub struct OutOfMemory;

/// Unwinds with [`OutOfMemory`]: for constructors that cannot return an
/// error.
pub fn out_of_memory() -> ! {
    std::panic::resume_unwind(Box::new(OutOfMemory))
}

/// Runs `body`; an [`OutOfMemory`] unwinding out of it becomes the "oom"
/// error (its message from this thread's last refusal). Any other panic
/// goes on unwinding.
pub fn catch_out_of_memory<T>(body: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).map_err(|payload| {
        if payload.is::<OutOfMemory>() { RayError::oom() } else { std::panic::resume_unwind(payload) }
    })
}

/// Checks that `bytes` more would fit in the budget, without charging
/// them: for transient Rust buffers that live outside the block allocator.
pub fn check_room(bytes: usize) -> Result<()> {
    let limit = budget();
    let used = bytes_in_use();
    if limit != 0 && used.saturating_add(bytes) > limit {
        REFUSED.with(|r| r.set(Some((bytes, limit, used))));
        return Err(RayError::oom());
    }
    Ok(())
}

/// An empty `Vec` with room for `n` elements, or the "oom" error when that
/// room does not fit in the budget or the system has none: for kernel
/// buffers proportional to a request's input (sort indexes, group ids,
/// hash tables).
pub fn try_vec_with_capacity<T>(n: usize) -> Result<Vec<T>> {
    let bytes = n.checked_mul(size_of::<T>()).ok_or_else(|| {
        note_failure(usize::MAX);
        RayError::oom()
    })?;
    check_room(bytes)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        note_failure(bytes);
        RayError::oom()
    })?;
    Ok(v)
}

/// Parses a size as `-m` takes it: plain bytes, or a number with a suffix
/// K, M, G or T (powers of 1024, case-insensitive, an optional trailing B).
pub fn parse_size(s: &str) -> Option<usize> {
    let t = s.trim();
    let t = t.strip_suffix(['b', 'B']).filter(|r| r.ends_with(|c: char| c.is_ascii_alphabetic())).unwrap_or(t);
    let (num, shift) = match t.char_indices().last()? {
        (i, 'k' | 'K') => (&t[..i], 10),
        (i, 'm' | 'M') => (&t[..i], 20),
        (i, 'g' | 'G') => (&t[..i], 30),
        (i, 't' | 'T') => (&t[..i], 40),
        _ => (t, 0),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<usize>().ok()?.checked_mul(1usize << shift)
}

/// `bytes` for people: "6.1 GiB", "512.0 MiB", "100 B".
pub fn human(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// 80% of the memory this process may use: the physical RAM, or the
/// cgroup limit when one is set and smaller. 0 (unlimited) when neither
/// can be read.
fn default_budget() -> usize {
    let ram = physical_ram();
    let limit = match cgroup_limit() {
        Some(c) if ram == 0 || c < ram => c,
        _ => ram,
    };
    limit / 5 * 4
}

/// Physical memory in bytes (0 when unknown): the one place that asks.
pub fn physical_ram() -> usize {
    // SAFETY: sysconf only reads system constants.
    let (pages, page) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    if pages <= 0 || page <= 0 { 0 } else { (pages as usize).saturating_mul(page as usize) }
}

/// The memory limit of this process's cgroup (v2 `memory.max`, else v1
/// `memory.limit_in_bytes`), when one is set.
fn cgroup_limit() -> Option<usize> {
    ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find_map(|s| s.trim().parse::<usize>().ok())
        .filter(|&b| b > 0 && b < 1 << 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_like_the_flag_says() {
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("512mb"), Some(512 << 20));
        assert_eq!(parse_size("1024K"), Some(1 << 20));
        assert_eq!(parse_size("123456"), Some(123456));
        assert_eq!(parse_size("0"), Some(0));
        for bad in ["", "G", "-1G", "1.5G", "4X", "99999999999999999999", "4GG"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn human_sizes_read_well() {
        assert_eq!(human(100), "100 B");
        assert_eq!(human(4 << 30), "4.0 GiB");
        assert_eq!(human(6_549_825_126), "6.1 GiB");
    }

    #[test]
    fn the_default_budget_is_a_fraction_of_the_machine() {
        let b = default_budget();
        assert!(b == 0 || (b < physical_ram().max(b + 1) && b > 1 << 20), "{b}");
    }
}
