//! Block allocator: every `ray_t` lives in a block of `2^order` bytes
//! (header included), at least 64 bytes and 16-byte aligned (malloc), so the
//! short-string discrimination of STR atoms (a pointer's low byte is never
//! 1..=7) holds. Blocks come from the system allocator; large blocks are
//! mmap-backed by it, so untouched capacity costs no resident memory, and
//! blocks of 4 MiB or more ask for transparent huge pages and are kept for
//! reuse when freed (a few of them: see `Kept`).
//!
//! Every block handed out is charged to the memory budget (`budget`: one
//! relaxed atomic add per allocation and per free; kept blocks count as
//! free) and an allocation past the budget returns NULL like any OOM.
//!
//! This module knows block sizes only; ownership and children live in `rc`.

use crate::abi::ray_t;
use core::ptr;
use core::sync::atomic::AtomicU32;

pub use crate::core::budget::{
    OutOfMemory, budget, bytes_in_use, catch_out_of_memory, check_room, out_of_memory, parse_size, set_budget,
    try_vec_with_capacity,
};
use crate::core::budget::{charge, count_block, credit, note_failure};

/// Smallest block order (64 bytes: header + 32 payload bytes).
pub const MIN_ORDER: u8 = 6;
/// Largest payload we ever allocate (2^40 bytes); beyond is an OOM.
const MAX_ORDER: u8 = 40;
const HEADER: usize = core::mem::size_of::<ray_t>();

/// Order of the smallest block that holds `data_size` payload bytes.
pub fn order_for(data_size: usize) -> Option<u8> {
    let total = data_size.checked_add(HEADER)?;
    let order = (usize::BITS - (total - 1).leading_zeros()) as u8;
    let order = order.max(MIN_ORDER);
    (order <= MAX_ORDER).then_some(order)
}

/// Payload capacity (bytes) of a block of `order`.
#[inline]
pub fn capacity_bytes(order: u8) -> usize {
    if order == 0 { 0 } else { (1usize << order) - HEADER }
}

/// Blocks of at least this order (4 MiB) ask for transparent huge pages.
const HUGE_ORDER: u8 = 22;
const HUGE_PAGE: usize = 2 << 20;

/// Asks the kernel to back the 2 MiB-aligned interior of a large block with
/// transparent huge pages (where THP is in `madvise` mode), so filling a
/// fresh multi-megabyte vector takes one page fault per 2 MiB instead of
/// one per 4 KiB. Purely advisory: failures are ignored.
fn advise_huge_pages(p: *mut ray_t, order: u8) {
    if order >= HUGE_ORDER {
        advise_huge_range(p as usize, 1usize << order);
    }
}

/// `advise_huge_pages` for the `len` bytes at address `start`, which the
/// caller owns.
#[cfg(target_os = "linux")]
fn advise_huge_range(start: usize, len: usize) {
    let (from, to) = (start.next_multiple_of(HUGE_PAGE), (start + len) & !(HUGE_PAGE - 1));
    if to > from {
        // SAFETY: the range lies inside memory the caller owns (a block or
        // buffer just allocated); MADV_HUGEPAGE changes no contents and no
        // mapping.
        unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_range(_: usize, _: usize) {}

/// A zero-filled byte buffer (through calloc: a large one costs no memset)
/// whose pages, when it is 4 MiB or more, are asked to be huge, like large
/// blocks: for buffers filled once and sent (compressed frames).
pub fn zeroed_bytes(len: usize) -> Vec<u8> {
    huge_zeroed(len)
}

/// `n` default (zero) elements whose pages, when they take 4 MiB or more,
/// are asked to be huge: for the large scratch vectors of the kernels (row
/// maps, partitioned keys), which otherwise take a page fault per 4 KiB.
/// For primitive numbers the zeros come from calloc, untouched until
/// written, so threads filling parts of the vector fault in their own pages.
pub fn huge_zeroed<T: Clone + Default>(n: usize) -> Vec<T> {
    let mut v = vec![T::default(); n];
    let bytes = n.saturating_mul(size_of::<T>());
    if bytes >= 1 << HUGE_ORDER {
        advise_huge_range(v.as_mut_ptr() as usize, bytes);
    }
    v
}

/// Large blocks kept after they are freed, for the next allocation of the
/// same order: filling fresh memory costs a page fault and a kernel clear
/// per page (a 80 MB vector decoded twice a second would map and unmap
/// 160 MB a second), a kept block is warm. Bounded: at most
/// `KEPT_BLOCKS` blocks and `KEPT_BYTES` of address space; `release_kept`
/// returns them (runtime destroy).
struct Kept {
    blocks: Vec<(u8, usize)>,
    bytes: usize,
}

const KEPT_BLOCKS: usize = 4;
const KEPT_BYTES: usize = 512 << 20;

static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Kept { blocks: Vec::new(), bytes: 0 });

impl Kept {
    /// Keeps a freed block of `order` at `addr`; false when full.
    fn keep(&mut self, order: u8, addr: usize) -> bool {
        if !(HUGE_ORDER..=MAX_ORDER).contains(&order) {
            return false;
        }
        let size = 1usize << order;
        if self.blocks.len() >= KEPT_BLOCKS || self.bytes + size > KEPT_BYTES {
            return false;
        }
        self.blocks.push((order, addr));
        self.bytes += size;
        true
    }

    /// A kept block of exactly `order`, if any.
    fn take(&mut self, order: u8) -> Option<usize> {
        let i = self.blocks.iter().position(|&(o, _)| o == order)?;
        let (_, addr) = self.blocks.swap_remove(i);
        self.bytes -= 1usize << order;
        Some(addr)
    }
}

fn kept() -> std::sync::MutexGuard<'static, Kept> {
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// A kept block of `order` (only large orders are ever kept).
fn take_kept(order: u8) -> *mut ray_t {
    if order < HUGE_ORDER {
        return ptr::null_mut();
    }
    kept().take(order).map_or(ptr::null_mut(), |a| a as *mut ray_t)
}

/// Returns every kept block to the system.
pub fn release_kept() {
    let blocks = {
        let mut k = kept();
        k.bytes = 0;
        std::mem::take(&mut k.blocks)
    };
    for (_, addr) in blocks {
        // SAFETY: kept blocks are malloc'd blocks nobody uses (see free_block).
        unsafe { libc::free(addr as *mut libc::c_void) };
    }
}

/// Allocates a block with at least `data_size` payload bytes. The header is
/// zeroed except `order` (set) and `rc` (1); the payload is uninitialised.
/// Returns NULL on OOM.
pub fn alloc_block(data_size: usize) -> *mut ray_t {
    let Some(order) = charged_order(data_size) else {
        return ptr::null_mut();
    };
    let mut p = take_kept(order);
    if p.is_null() {
        // SAFETY: malloc with a non-zero size; the result is checked for
        // NULL and is aligned to at least 16 bytes, more than ray_t's 8.
        p = unsafe { libc::malloc(1usize << order) } as *mut ray_t;
        if p.is_null() {
            return refund(order);
        }
        advise_huge_pages(p, order);
    }
    // SAFETY: p points to at least 64 writable bytes; we initialise the header.
    unsafe {
        ptr::write_bytes(p as *mut u8, 0, HEADER);
        (*p).order = order;
        ptr::write(&raw mut (*p).rc, AtomicU32::new(1));
    }
    p
}

/// Allocates a block whose header and first `data_size` payload bytes are
/// zero (a fresh block: its whole payload). Through calloc, so a fresh
/// large (mmap-backed) block costs no memset: its pages are zero until
/// first written; a kept block is cleared up to `data_size`. Returns NULL
/// on OOM.
pub fn alloc_block_zeroed(data_size: usize) -> *mut ray_t {
    let Some(order) = charged_order(data_size) else {
        return ptr::null_mut();
    };
    let mut p = take_kept(order);
    if p.is_null() {
        // SAFETY: calloc with non-zero sizes; the result is checked for NULL
        // and is aligned to at least 16 bytes, more than ray_t's 8.
        p = unsafe { libc::calloc(1, 1usize << order) } as *mut ray_t;
        if p.is_null() {
            return refund(order);
        }
        advise_huge_pages(p, order);
    } else {
        // SAFETY: a kept block of this order holds the header and
        // data_size payload bytes.
        unsafe { ptr::write_bytes(p as *mut u8, 0, HEADER + data_size) };
    }
    // SAFETY: p points to a block of at least 64 bytes whose header is
    // zero; we set the header fields that are not zero.
    unsafe {
        (*p).order = order;
        ptr::write(&raw mut (*p).rc, AtomicU32::new(1));
    }
    p
}

/// Grows (or shrinks) a block so that it holds `data_size` payload bytes,
/// keeping header and payload. Returns NULL on OOM (the old block is intact).
///
/// # Safety
/// `p` must be a live heap block from this allocator (order != 0), not shared.
pub unsafe fn realloc_block(p: *mut ray_t, data_size: usize) -> *mut ray_t {
    let Some(order) = order_for(data_size) else {
        note_failure(data_size);
        return ptr::null_mut();
    };
    // SAFETY: caller guarantees p is a live block: its header is readable.
    let old = unsafe { (*p).order };
    let (new_size, old_size) = (1usize << order, 1usize << old);
    if new_size > old_size && !charge(new_size - old_size) {
        return ptr::null_mut();
    }
    // SAFETY: caller guarantees p came from malloc via alloc_block.
    let q = unsafe { libc::realloc(p as *mut libc::c_void, new_size) } as *mut ray_t;
    if q.is_null() {
        if new_size > old_size {
            credit(new_size - old_size);
            note_failure(new_size);
        }
        return q;
    }
    if new_size < old_size {
        credit(old_size - new_size);
    }
    // SAFETY: q is the (possibly moved) block; its header is intact.
    unsafe { (*q).order = order };
    advise_huge_pages(q, order);
    q
}

/// The order of a block of `data_size` payload bytes, charged to the
/// budget; None (nothing charged) past the largest block or the budget.
fn charged_order(data_size: usize) -> Option<u8> {
    let Some(order) = order_for(data_size) else {
        note_failure(data_size);
        return None;
    };
    let charged = charge(1usize << order);
    if charged {
        count_block(false);
    }
    charged.then_some(order)
}

/// Undoes the charge of a block of `order` the system would not give;
/// NULL for the caller to return.
fn refund(order: u8) -> *mut ray_t {
    credit(1usize << order);
    count_block(true);
    note_failure(1usize << order);
    ptr::null_mut()
}

/// Returns a block's memory to the system. Children are not touched.
///
/// # Safety
/// `p` must be a heap block from this allocator that nobody uses any more.
pub unsafe fn free_block(p: *mut ray_t) {
    // SAFETY: forwarded contract: p is a live block, its header readable.
    let order = unsafe { (*p).order };
    credit(1usize << order);
    count_block(true);
    if order >= HUGE_ORDER && kept().keep(order, p as usize) {
        return;
    }
    // SAFETY: forwarded contract.
    unsafe { libc::free(p as *mut libc::c_void) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::RAY_I64;

    #[test]
    fn orders_match_the_reference_block_sizes() {
        assert_eq!(order_for(0), Some(6));
        assert_eq!(order_for(32), Some(6));
        assert_eq!(order_for(33), Some(7));
        assert_eq!(capacity_bytes(6), 32);
        assert_eq!(order_for(usize::MAX), None);
    }

    #[test]
    fn only_large_blocks_are_kept_within_the_bounds() {
        let mut k = Kept { blocks: Vec::new(), bytes: 0 };
        assert!(!k.keep(HUGE_ORDER - 1, 64), "small blocks go back to malloc");
        assert!(!k.keep(171, 64), "a nonsense order is never kept");
        assert!(k.keep(27, 1 << 20));
        assert!(k.keep(27, 2 << 20));
        assert!(k.keep(28, 3 << 20));
        assert!(!k.keep(27, 4 << 20), "512 MiB of address space at most");
        assert_eq!(k.take(26), None);
        assert_eq!(k.take(28), Some(3 << 20));
        assert!(k.keep(22, 5 << 20));
        assert!(k.keep(22, 6 << 20));
        assert!(!k.keep(22, 7 << 20), "four blocks at most");
        assert_eq!((k.take(27), k.take(27), k.take(27)), (Some(1 << 20), Some(2 << 20), None));
        assert_eq!(k.bytes, 2 << 22);
    }

    #[test]
    fn a_reused_large_block_is_zeroed_where_asked_and_headed_afresh() {
        let size = 5 << 20;
        let p = alloc_block(size);
        assert!(!p.is_null());
        unsafe {
            ptr::write_bytes((p as *mut u8).add(HEADER), 0xab, size);
            (*p).type_ = RAY_I64;
            free_block(p);
            // Whether or not this gets the same block, the contract holds.
            let q = alloc_block_zeroed(size);
            assert!(!q.is_null());
            assert_eq!((*q).rc.load(core::sync::atomic::Ordering::Relaxed), 1);
            assert_eq!((*q).type_, 0);
            let payload = core::slice::from_raw_parts((q as *const u8).add(HEADER), size);
            assert!(payload.iter().all(|&b| b == 0));
            free_block(q);
            let r = alloc_block(size);
            assert_eq!(((*r).type_, (*r).attrs, (*r).rc.load(core::sync::atomic::Ordering::Relaxed)), (0, 0, 1));
            free_block(r);
        }
    }

    #[test]
    fn alloc_sets_header_and_realloc_keeps_payload() {
        let p = alloc_block(8);
        assert!(!p.is_null());
        unsafe {
            assert_eq!((*p).rc.load(core::sync::atomic::Ordering::Relaxed), 1);
            assert_eq!((*p).type_, 0);
            *((p as *mut u8).add(32)) = 42;
            let q = realloc_block(p, 4096);
            assert!(!q.is_null());
            assert_eq!(*((q as *mut u8).add(32)), 42);
            assert!(capacity_bytes((*q).order) >= 4096);
            free_block(q);
        }
    }
}
