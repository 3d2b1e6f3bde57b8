//! Reference counting: `ray_retain`, `ray_release`, `ray_cow`. Counts are
//! atomic, so objects may be retained and released on any thread. Error
//! objects and static objects are never counted.

use crate::abi::*;
use crate::core::{RayError, rc, value::Value};
use crate::ffi::{borrow, take};
use crate::ffi_guard;

/// Adds a reference to `v`. No-op for NULL, error objects and static
/// objects (RAY_NULL_OBJ, symbol strings).
///
/// # Safety
/// `v` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_retain(v: *mut ray_t) {
    // SAFETY: caller contract.
    ffi_guard!({ unsafe { rc::retain(v) } })
}

/// Drops a reference to `v` (consumed); at zero the object is freed and
/// what it owns is released. No-op for NULL, static objects and ERROR
/// objects: an error must be freed with ray_error_free (releasing one
/// leaks it).
///
/// # Safety
/// `v` is NULL or a live object whose reference the caller gives up.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_release(v: *mut ray_t) {
    // SAFETY: caller contract.
    ffi_guard!({ unsafe { rc::release(v) } })
}

/// Copy-on-write (consumes `v`): returns `v` itself when the caller holds
/// the only reference, else a copy with rc 1 (children retained) after
/// releasing one reference of `v`. Slices are always copied into their own
/// vector. NULL, errors and static objects are returned unchanged; on OOM
/// an error is returned and `v` is left to the caller.
///
/// # Safety
/// `v` is NULL or a live object whose reference the caller hands over.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_cow(v: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(r) = (unsafe { borrow(v) }) else { return v };
        if r.is_error() || r.attrs & RAY_ATTR_ARENA != 0 {
            return v;
        }
        if r.rc.load(core::sync::atomic::Ordering::Acquire) == 1 && !r.is_slice() {
            return v;
        }
        let copy = if r.is_slice() {
            crate::core::vector::materialize(r)
        } else {
            // SAFETY: live, not an error, not a slice.
            unsafe { Value::from_raw(rc::shallow_copy(v)) }.ok_or_else(RayError::oom)
        };
        match copy {
            Ok(c) => {
                // SAFETY: the caller's reference is consumed on success.
                drop(unsafe { take(v) });
                c.into_raw()
            }
            Err(e) => e.into_raw(),
        }
    })
}
