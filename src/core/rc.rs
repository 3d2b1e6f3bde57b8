//! Reference counting: the only code that changes `rc` or frees objects.
//!
//! Rules (the reference's contract): NULL, error objects and ARENA objects
//! are never counted (retain/release are no-ops on them); only
//! `free_error` reclaims an error. Increments are `Relaxed`; the decrement
//! that frees is `Release` followed by an `Acquire` fence, as `Arc` does, so
//! values may be released on any thread. Freeing walks children with an
//! explicit work list, so a deeply nested value never overflows the stack.

use crate::abi::*;
use crate::core::alloc;
use core::ptr;
use core::sync::atomic::{Ordering, fence};

/// True when `p` is a counted heap object (not NULL, error or arena).
///
/// # Safety
/// `p` is NULL or points to a live `ray_t`.
#[inline]
unsafe fn is_counted(p: *const ray_t) -> bool {
    // SAFETY: caller contract; p non-null checked first.
    !p.is_null() && unsafe { (*p).type_ != RAY_ERROR && (*p).attrs & RAY_ATTR_ARENA == 0 }
}

/// `rc += 1`. No-op for NULL, errors and arena objects.
///
/// # Safety
/// `p` is NULL or a live object.
#[inline]
pub unsafe fn retain(p: *mut ray_t) {
    // SAFETY: caller contract.
    if unsafe { is_counted(p) } {
        // SAFETY: p is live.
        unsafe { (*p).rc.fetch_add(1, Ordering::Relaxed) };
    }
}

/// `rc -= 1`; frees the object and releases its children at zero.
/// No-op for NULL, errors and arena objects.
///
/// # Safety
/// `p` is NULL or a live object whose reference the caller gives up.
#[inline]
pub unsafe fn release(p: *mut ray_t) {
    // SAFETY: caller contract.
    if unsafe { !is_counted(p) } {
        return;
    }
    // SAFETY: p is live and counted.
    if unsafe { (*p).rc.fetch_sub(1, Ordering::Release) } == 1 {
        fence(Ordering::Acquire);
        // SAFETY: we held the last reference.
        unsafe { free_tree(p) };
    }
}

/// Frees `p` regardless of its count, releasing owned children
/// (`ray_free`). No-op for NULL, errors and arena objects.
///
/// # Safety
/// `p` is NULL or a live object that nobody will use again.
pub unsafe fn free_now(p: *mut ray_t) {
    // SAFETY: caller contract.
    if unsafe { is_counted(p) } {
        // SAFETY: caller gives the object up.
        unsafe { free_tree(p) };
    }
}

/// Frees an error object (`ray_error_free`). No-op for NULL, non-errors and
/// arena errors (`RAY_OOM_OBJ`).
///
/// # Safety
/// `p` is NULL or a live object.
pub unsafe fn free_error(p: *mut ray_t) {
    // SAFETY: caller contract.
    unsafe {
        if !p.is_null() && (*p).type_ == RAY_ERROR && (*p).attrs & RAY_ATTR_ARENA == 0 {
            alloc::free_block(p);
        }
    }
}

/// True when a STR atom keeps its bytes inline (length <= 6 or empty).
///
/// # Safety
/// `p` points to a live STR atom.
#[inline]
pub unsafe fn str_atom_is_short(p: *const ray_t) -> bool {
    // SAFETY: reading the 8 value bytes of a live header.
    let b = unsafe { (*p).val.bytes };
    (1..=7).contains(&b[0]) || b == [0u8; 8]
}

/// Calls `f` on every owned child pointer of `p` (may be NULL or errors).
///
/// # Safety
/// `p` points to a live object.
pub unsafe fn for_each_child(p: *mut ray_t, mut f: impl FnMut(*mut ray_t)) {
    // SAFETY: p is live; payload reads stay within `len` slots.
    unsafe {
        let t = (*p).type_;
        let attrs = (*p).attrs;
        if is_container_type(t) {
            let n = (*p).val.i64_.max(0) as usize;
            let slots = (p as *mut u8).add(32) as *mut *mut ray_t;
            for i in 0..n {
                f(*slots.add(i));
            }
        } else if is_vector_type(t) {
            if attrs & RAY_ATTR_SLICE != 0 {
                f((*p).aux.ptrs[0]);
            } else {
                if attrs & RAY_ATTR_HAS_INDEX != 0 {
                    f((*p).aux.ptrs[0]);
                }
                if t == RAY_STR {
                    f((*p).aux.ptrs[1]);
                }
            }
        } else if t == -RAY_GUID || (t == -RAY_STR && !str_atom_is_short(p)) {
            f((*p).val.obj);
        } else if t == RAY_INDEX {
            crate::core::index::for_each_index_child(p, f);
        }
    }
}

/// Frees `root` and every child whose count drops to zero, iteratively.
///
/// # Safety
/// `root` is a counted object whose last reference is being dropped.
unsafe fn free_tree(root: *mut ray_t) {
    let mut pending: Vec<*mut ray_t> = vec![root];
    while let Some(p) = pending.pop() {
        // SAFETY: every pointer on the list is an object we just gave up.
        unsafe {
            for_each_child(p, |c| {
                if is_counted(c) && (*c).rc.fetch_sub(1, Ordering::Release) == 1 {
                    fence(Ordering::Acquire);
                    pending.push(c);
                }
            });
            if (*p).mmod == 0 {
                alloc::free_block(p);
            } else {
                crate::core::mapped::object_freed(p);
            }
        }
    }
}

/// Shallow copy of a non-slice object with rc 1: header and payload copied,
/// children retained. Returns NULL on OOM.
///
/// # Safety
/// `p` points to a live, non-error object that is not a slice.
pub unsafe fn shallow_copy(p: *mut ray_t) -> *mut ray_t {
    // SAFETY: p is live; we copy only the bytes the block holds.
    unsafe {
        let used = payload_bytes(p);
        let q = alloc::alloc_block(used);
        if q.is_null() {
            return ptr::null_mut();
        }
        let order = (*q).order;
        ptr::copy_nonoverlapping(p as *const u8, q as *mut u8, 32 + used);
        (*q).order = order;
        (*q).mmod = 0;
        (*q).attrs &= !RAY_ATTR_ARENA;
        (*q).rc.store(1, Ordering::Relaxed);
        for_each_child(q, |c| retain(c));
        q
    }
}

/// Bytes of payload an object actually uses (vectors: len * width;
/// containers: len pointers; atoms: 0).
///
/// # Safety
/// `p` points to a live object.
pub unsafe fn payload_bytes(p: *const ray_t) -> usize {
    // SAFETY: header read of a live object.
    unsafe {
        let t = (*p).type_;
        if is_container_type(t) || (is_vector_type(t) && (*p).attrs & RAY_ATTR_SLICE == 0) {
            let n = (*p).val.i64_.max(0) as usize;
            let w = if is_container_type(t) { 8 } else { elem_size(t, (*p).attrs) };
            if (*p).mmod != 0 {
                // A mapped object has no block: its payload is exactly len elements.
                return n.saturating_mul(w);
            }
            n.saturating_mul(w).min(alloc::capacity_bytes((*p).order))
        } else if t == RAY_INDEX {
            crate::core::index::PAYLOAD
        } else {
            0
        }
    }
}
