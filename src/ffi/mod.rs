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
pub mod query;
pub mod codec;
pub mod ipc;
pub mod poll;
pub mod aof;
/// Not in rayforce.h: declared in rayforce_internal.h.
pub mod internal;

/// Runs `$body` under the panic boundary: a caught panic becomes the
/// export's return type's [`PanicFallback`] (never unwinds into C). Exports
/// returning `ray_err_t` write `ffi_guard!(ray_err_t, { ... })`: in Rust
/// that type is `c_int`, so it cannot have a value of its own by type.
#[macro_export]
macro_rules! ffi_guard {
    (ray_err_t, $body:block) => {
        $crate::ffi::guard_status(|| $body)
    };
    ($body:block) => {
        $crate::ffi::guard(|| $body)
    };
}

/// The value an export returns when it caught a panic, chosen once per C
/// return type (as rustls-ffi's `PanicOrDefault`), so that no export picks
/// its own and none can read as an ordinary answer where the type has a
/// spare value:
///
/// | C type | after a panic |
/// | --- | --- |
/// | `ray_t*` | a static error object with code "panic" (never NULL, which getters use for "absent"; retain/release/`ray_error_free` ignore it) |
/// | `ray_err_t` | [`PANIC_STATUS`] (`RAY_ERR_DOMAIN`, what `ray_err_from_obj` gives for the "panic" object) |
/// | `int64_t`, `int` | -1 (handles, ids, counts and sizes are never negative) |
/// | `int8_t` (a type tag) | `RAY_ERROR` |
/// | `double` | NaN (the F64 null) |
/// | `bool` | false |
/// | `uint8_t`, `uint32_t`, `size_t` | 0 |
/// | other pointers | NULL |
///
/// The thread's `ray_error_msg` then says a panic was caught.
pub trait PanicFallback {
    fn panic_value() -> Self;
    /// What an allocation refused inside the export returns (an
    /// [`OutOfMemory`](crate::core::alloc::OutOfMemory) unwinding out of an
    /// infallible constructor): the static "oom" error for objects, the
    /// panic value for the rest.
    fn oom_value() -> Self
    where
        Self: Sized,
    {
        Self::panic_value()
    }
}

/// The `ray_err_t` returned after a caught panic.
pub const PANIC_STATUS: crate::abi::ray_err_t = crate::abi::RAY_ERR_DOMAIN;

macro_rules! panic_fallback {
    ($($t:ty => $v:expr),* $(,)?) => {
        $(impl PanicFallback for $t {
            fn panic_value() -> Self {
                $v
            }
        })*
    };
}

impl PanicFallback for *mut ray_t {
    fn panic_value() -> Self {
        crate::core::statics::panic_ptr()
    }
    fn oom_value() -> Self {
        crate::core::statics::oom_ptr()
    }
}

panic_fallback! {
    () => (),
    i64 => -1,
    core::ffi::c_int => -1,
    i8 => crate::abi::RAY_ERROR,
    f64 => f64::NAN,
    bool => false,
    u8 => 0,
    u32 => 0,
    usize => 0,
    *mut core::ffi::c_void => core::ptr::null_mut(),
    *const core::ffi::c_char => core::ptr::null(),
    *const i64 => core::ptr::null(),
    *mut runtime::ray_runtime_t => core::ptr::null_mut(),
    *mut poll::ray_poll_t => core::ptr::null_mut(),
    *mut aof::ray_aof_t => core::ptr::null_mut(),
    *mut data::ray_sym_domain_s => core::ptr::null_mut(),
}

/// Runs `body`; a panic becomes `R::panic_value()` (see [`ffi_guard!`]).
pub fn guard<R: PanicFallback>(body: impl FnOnce() -> R) -> R {
    guard_or(body, |out_of_memory| if out_of_memory { R::oom_value() } else { R::panic_value() })
}

/// Runs `body` of an export returning `ray_err_t`; a panic becomes
/// [`PANIC_STATUS`].
pub fn guard_status(body: impl FnOnce() -> crate::abi::ray_err_t) -> crate::abi::ray_err_t {
    guard_or(body, |out_of_memory| if out_of_memory { crate::abi::RAY_ERR_OOM } else { PANIC_STATUS })
}

/// `fallback(true)` after a refused allocation unwound out of `body` (the
/// thread's message names the refusal, nothing is printed), `fallback(false)`
/// after any other panic.
fn guard_or<R>(body: impl FnOnce() -> R, fallback: impl FnOnce(bool) -> R) -> R {
    let run = || {
        #[cfg(test)]
        panic_tests::fire_if_armed();
        body()
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(v) => v,
        Err(payload) if payload.is::<crate::core::alloc::OutOfMemory>() => {
            let why = crate::core::budget::refusal_message().unwrap_or_else(|| "out of memory".into());
            crate::core::error::set_last_message(Some(&format!("oom: {why}")));
            fallback(true)
        }
        Err(payload) => {
            note_panic(payload.as_ref());
            fallback(false)
        }
    }
}

/// Records a panic caught at the boundary: printed to stderr once per
/// process, and kept as this thread's `ray_error_msg`.
fn note_panic(payload: &(dyn std::any::Any + Send)) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static SAID: AtomicBool = AtomicBool::new(false);
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown cause");
    crate::core::error::set_last_message(Some(&format!("panic: {what}")));
    if !SAID.swap(true, Ordering::Relaxed) {
        eprintln!("librayforce: internal panic caught at the C boundary: {what}");
    }
}

#[cfg(test)]
mod panic_tests;

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
    // SAFETY: the caller hands over its reference. ManuallyDrop: it is
    // released only on success; on failure, or should `f` panic, the caller
    // keeps it.
    let mut v = core::mem::ManuallyDrop::new(unsafe { take(p) }.expect("non-null"));
    match v.copy_unless_unique() {
        Err(e) => e.into_raw(),
        // The only owner: changed in place. On failure the block is intact
        // (fallible steps precede writes) and still the caller's.
        Ok(None) => match f(&mut v, checked) {
            Ok(()) => core::mem::ManuallyDrop::into_inner(v).into_raw(),
            Err(e) => e.into_raw(),
        },
        // Shared or a slice: the copy is changed.
        Ok(Some(mut copy)) => match f(&mut copy, checked) {
            Ok(()) => {
                drop(core::mem::ManuallyDrop::into_inner(v));
                copy.into_raw()
            }
            Err(e) => e.into_raw(),
        },
    }
}

/// Slot `i` of the container at `c`: the payload (`ray_t::data`) holds
/// `len` child pointers.
///
/// # Safety
/// `c` is a live container with more than `i` slots.
unsafe fn slot(c: *mut ray_t, i: usize) -> *mut *mut ray_t {
    // SAFETY: caller contract; `data` is the payload's first byte.
    unsafe { ((&raw mut (*c).data) as *mut *mut ray_t).add(i) }
}

/// Takes child `i` out of the container at `c` in place (the slot becomes
/// NULL) and returns its reference.
///
/// # Safety
/// `c` is a live container with more than `i` slots, owned by the caller.
pub unsafe fn slot_take(c: *mut ray_t, i: usize) -> Option<Value> {
    // SAFETY: caller contract; the slot's reference moves to the result.
    unsafe { Value::from_raw(core::ptr::replace(slot(c, i), core::ptr::null_mut())) }
}

/// Stores `v` into slot `i` of the container at `c`, releasing what was there.
///
/// # Safety
/// As `slot_take`.
pub unsafe fn slot_put(c: *mut ray_t, i: usize, v: Option<Value>) {
    // SAFETY: caller contract.
    unsafe {
        let old = core::ptr::replace(slot(c, i), v.map_or(core::ptr::null_mut(), Value::into_raw));
        // Containers never free error children (they are not counted).
        crate::core::rc::release(old);
    }
}
