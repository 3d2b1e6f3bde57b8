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
pub mod alloc;
pub mod rc;
pub mod atom;
pub mod vector;
pub mod string;
pub mod list;
pub mod sym;
pub mod env;
pub mod table;
pub mod dict;
pub mod runtime;
pub mod progress;
pub mod eval;
pub mod codec;
pub mod ipc;
pub mod poll;

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

/// The error for a NULL object argument.
pub fn null_arg(what: &str) -> RayError {
    RayError::type_err(format!("{what}: NULL argument"))
}

/// A consuming mutator ("C" in the spec): applies `f` to the object the
/// caller hands over and returns the result pointer.
///
/// * NULL: error `type`. An error object is returned unchanged (E↑).
/// * `validate` runs first; its error leaves the input untouched and still
///   owned by the caller.
/// * A uniquely owned, non-slice object is changed in place; a shared one
///   or a slice is copied first (the copy is changed, the caller's
///   reference is released only on success). On failure the caller keeps
///   its reference: never consumed on error.
///
/// # Safety
/// `p` is NULL or a live object whose reference the caller hands over.
pub unsafe fn mutate<T>(
    p: *mut ray_t,
    what: &str,
    validate: impl FnOnce(&ray_t) -> crate::core::Result<T>,
    f: impl FnOnce(&mut Value, T) -> crate::core::Result<()>,
) -> *mut ray_t {
    // SAFETY: caller contract.
    let Some(r) = (unsafe { borrow(p) }) else { return null_arg(what).into_raw() };
    if r.is_error() {
        return p;
    }
    let checked = match validate(r) {
        Ok(t) => t,
        Err(e) => return e.into_raw(),
    };
    let unique = r.rc.load(core::sync::atomic::Ordering::Acquire) == 1
        && !r.is_slice()
        && r.attrs & crate::abi::RAY_ATTR_ARENA == 0;
    if unique {
        // SAFETY: the caller hands over its (only) reference. ManuallyDrop:
        // should `f` panic, the object leaks instead of being freed under
        // the caller.
        let mut v = core::mem::ManuallyDrop::new(unsafe { take(p) }.expect("non-null"));
        return match f(&mut v, checked) {
            Ok(()) => core::mem::ManuallyDrop::into_inner(v).into_raw(),
            // The block is intact (fallible steps precede writes): the
            // caller keeps it (v is never dropped).
            Err(e) => e.into_raw(),
        };
    }
    let copy = if r.is_slice() {
        crate::core::vector::materialize(r)
    } else {
        // SAFETY: r is live, not an error and not a slice.
        let q = unsafe { crate::core::rc::shallow_copy(p) };
        // SAFETY: q is NULL or a fresh block with rc 1.
        unsafe { Value::from_raw(q) }.ok_or_else(RayError::oom)
    };
    let mut w = match copy {
        Ok(w) => w,
        Err(e) => return e.into_raw(),
    };
    match f(&mut w, checked) {
        Ok(()) => {
            // SAFETY: success consumes the caller's reference.
            drop(unsafe { take(p) });
            w.into_raw()
        }
        Err(e) => e.into_raw(),
    }
}

/// Takes child `i` out of the container at `c` in place (the slot becomes
/// NULL) and returns its reference.
///
/// # Safety
/// `c` is a live container with more than `i` slots, owned by the caller.
pub unsafe fn slot_take(c: *mut ray_t, i: usize) -> Option<Value> {
    // SAFETY: slot i is within the payload of a live container.
    unsafe {
        let slot = ((c as *mut u8).add(32) as *mut *mut ray_t).add(i);
        let old = core::ptr::replace(slot, core::ptr::null_mut());
        Value::from_raw(old)
    }
}

/// Stores `v` into slot `i` of the container at `c`, releasing what was there.
///
/// # Safety
/// As `slot_take`.
pub unsafe fn slot_put(c: *mut ray_t, i: usize, v: Option<Value>) {
    // SAFETY: slot i is within the payload of a live container.
    unsafe {
        let slot = ((c as *mut u8).add(32) as *mut *mut ray_t).add(i);
        let old = core::ptr::replace(slot, v.map_or(core::ptr::null_mut(), Value::into_raw));
        // Containers never free error children (they are not counted).
        crate::core::rc::release(old);
    }
}
