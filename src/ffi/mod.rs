//! The thin `extern "C"` layer, one file per header section. This module
//! holds the boundary plumbing: the panic guard and pointer conversions.
//! Every export has the same shape: guard, convert arguments, one call into
//! safe code, convert the result.
//!
//! The order of the `mod` lines below is the order of the prototypes in the
//! generated `include/rayforce.h`.

use crate::abi::ray_t;
use crate::core::{RayError, Value};

pub mod version;
pub mod error;
pub mod data;
pub mod sym;
pub mod runtime;
pub mod eval;
pub mod codec;

/// Runs `$body`; a panic becomes `$fallback` (never unwinds into C).
#[macro_export]
macro_rules! ffi_guard {
    ($fallback:expr, $body:block) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(v) => v,
            Err(_) => {
                $crate::ffi::note_panic();
                $fallback
            }
        }
    };
}

/// Records that a panic was caught at the boundary (printed once).
pub fn note_panic() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::Relaxed) {
        eprintln!("librayforce: internal panic caught at the C boundary");
    }
}

/// The error object returned when a panic was caught (code "panic").
pub fn panic_error() -> *mut ray_t {
    RayError::code("panic").into_raw()
}

/// Borrows a C pointer. None for NULL.
///
/// # Safety
/// `p` is NULL or a live object for the returned lifetime.
pub unsafe fn borrow<'a>(p: *mut ray_t) -> Option<&'a ray_t> {
    // SAFETY: caller contract.
    unsafe { p.as_ref() }
}

/// Takes over a consumed (+1) C pointer. None for NULL.
///
/// # Safety
/// `p` is NULL or a live object whose reference the caller gives up.
pub unsafe fn take(p: *mut ray_t) -> Option<Value> {
    // SAFETY: caller contract.
    unsafe { Value::from_raw(p) }
}

/// Hands a result to C: a value (+1) or an error object.
pub fn give(r: crate::core::Result<Value>) -> *mut ray_t {
    match r {
        Ok(v) => v.into_raw(),
        Err(e) => e.into_raw(),
    }
}

/// The bytes of a NUL-terminated C string. None for NULL.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string alive for the returned lifetime.
pub unsafe fn cstr_bytes<'a>(s: *const core::ffi::c_char) -> Option<&'a [u8]> {
    if s.is_null() {
        return None;
    }
    // SAFETY: caller contract.
    Some(unsafe { core::ffi::CStr::from_ptr(s) }.to_bytes())
}

/// `len` bytes at `p`. An empty slice for (NULL, 0); None for NULL with
/// `len > 0` or a length beyond `isize::MAX`.
///
/// # Safety
/// `p` holds `len` readable bytes for the returned lifetime (when non-NULL).
pub unsafe fn byte_slice<'a>(p: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if p.is_null() || len > isize::MAX as usize {
        return None;
    }
    // SAFETY: caller contract.
    Some(unsafe { core::slice::from_raw_parts(p, len) })
}
