//! Object allocator (`ray_alloc`, `ray_free`) and the raw buffer allocator
//! (`ray_alloc_raw` family: malloc-like buffers with a hidden 32-byte
//! header that records the size).

use crate::abi::ray_t;
use crate::core::{alloc, rc};
use crate::ffi_guard;
use core::ffi::c_void;
use core::ptr;

/// A new block with at least `data_size` payload bytes: header zeroed
/// except the allocator's fields, rc 1, payload uninitialised. The caller
/// fills type/len/payload (hand-built objects) and owns the reference.
/// Works without a runtime. Returns NULL (not an error object) on OOM.
#[unsafe(no_mangle)]
pub extern "C" fn ray_alloc(data_size: usize) -> *mut ray_t {
    ffi_guard!({ alloc::alloc_block(data_size) })
}

/// Frees `v` (consumed) regardless of its reference count, first
/// releasing what it owns (list items, dict/table slots, string pools,
/// slice parents, long-string and GUID payloads). No-op for NULL, error
/// objects and static objects.
///
/// # Safety
/// `v` is NULL or a live object nobody uses afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_free(v: *mut ray_t) {
    // SAFETY: caller contract.
    ffi_guard!({ unsafe { rc::free_now(v) } })
}

const RAW_HEADER: usize = 32;

/// Allocates `n` bytes with the hidden header; NULL on OOM.
fn raw_alloc(n: usize, zeroed: bool) -> *mut c_void {
    let Some(total) = n.checked_add(RAW_HEADER) else { return ptr::null_mut() };
    // SAFETY: plain C allocation; the result is checked for NULL.
    let base = unsafe { if zeroed { libc::calloc(1, total) } else { libc::malloc(total) } } as *mut u8;
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: base holds at least 32 bytes; the size is stored in front.
    unsafe {
        (base as *mut usize).write(n);
        base.add(RAW_HEADER) as *mut c_void
    }
}

/// A malloc-like buffer of `n` bytes (uninitialised); NULL on OOM. Free
/// with `ray_free_raw`.
#[unsafe(no_mangle)]
pub extern "C" fn ray_alloc_raw(n: usize) -> *mut c_void {
    ffi_guard!({ raw_alloc(n, false) })
}

/// As `ray_alloc_raw`, zero-filled.
#[unsafe(no_mangle)]
pub extern "C" fn ray_calloc_raw(n: usize) -> *mut c_void {
    ffi_guard!({ raw_alloc(n, true) })
}

/// Resizes a raw buffer (consumed on success) to `n` bytes, keeping its
/// contents; NULL `p` allocates. Returns NULL on OOM and `p` stays valid.
///
/// # Safety
/// `p` is NULL or a live buffer from the ray_*_raw functions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_realloc_raw(p: *mut c_void, n: usize) -> *mut c_void {
    ffi_guard!({
        if p.is_null() {
            return raw_alloc(n, false);
        }
        let Some(total) = n.checked_add(RAW_HEADER) else { return ptr::null_mut() };
        // SAFETY: p came from raw_alloc, so its block starts 32 bytes earlier.
        unsafe {
            let base = (p as *mut u8).sub(RAW_HEADER);
            let q = libc::realloc(base as *mut c_void, total) as *mut u8;
            if q.is_null() {
                return ptr::null_mut();
            }
            (q as *mut usize).write(n);
            q.add(RAW_HEADER) as *mut c_void
        }
    })
}

/// Frees a raw buffer (consumed); NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a live buffer from the ray_*_raw functions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_free_raw(p: *mut c_void) {
    ffi_guard!({
        if !p.is_null() {
            // SAFETY: p came from raw_alloc.
            unsafe { libc::free((p as *mut u8).sub(RAW_HEADER) as *mut c_void) }
        }
    })
}
