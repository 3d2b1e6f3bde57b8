//! Errors: the back end of the variadic `ray_error` (the C shim
//! `csrc/ray_error.c` formats the message and calls `ray__error_impl`),
//! code/enum conversions, the per-thread code and message buffers, and
//! `ray_error_free`. Error objects are not refcounted: only
//! `ray_error_free` reclaims one.

use crate::abi::{RAY_ERR_DOMAIN, ray_err_t, ray_t};
use crate::core::error::{code_from_err, err_from_code, raw_error, set_last_message, with_last_message};
use crate::core::{RayError, rc};
use crate::ffi::{borrow, cstr_bytes};
use crate::ffi_guard;
use core::cell::Cell;
use core::ffi::{CStr, c_char};
use core::ptr;

/// Back end of `ray_error` (called by the C shim; not part of the public
/// API). `code` is copied (at most 7 bytes; NULL gives ""); `msg` becomes
/// this thread's error message (NULL clears it). Never returns NULL.
///
/// # Safety
/// `code` and `msg` are NULL or NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray__error_impl(code: *const c_char, msg: *const c_char) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let code = unsafe { cstr_bytes(code) }.unwrap_or(b"");
        // SAFETY: caller contract.
        let msg = unsafe { cstr_bytes(msg) }.map(String::from_utf8_lossy);
        set_last_message(msg.as_deref());
        raw_error(code)
    })
}

/// The code string of an error enum value ("ok", "oom", "type", ...,
/// "reserve", "version"); "error" for values out of range.
/// Static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn ray_err_code_str(e: ray_err_t) -> *const c_char {
    ffi_guard!({
        let s: &'static CStr = match code_from_err(e) {
            "ok" => c"ok",
            "oom" => c"oom",
            "type" => c"type",
            "range" => c"range",
            "length" => c"length",
            "rank" => c"rank",
            "domain" => c"domain",
            "nyi" => c"nyi",
            "io" => c"io",
            "schema" => c"schema",
            "corrupt" => c"corrupt",
            "cancel" => c"cancel",
            "parse" => c"parse",
            "name" => c"name",
            "limit" => c"limit",
            "reserve" => c"reserve",
            "version" => c"version",
            _ => c"error",
        };
        s.as_ptr()
    })
}

/// The enum value of an error object's code. `err` is borrowed. Unknown
/// codes ("arity", "access", ...), non-errors and NULL give RAY_ERR_DOMAIN.
///
/// # Safety
/// `err` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_err_from_obj(err: *mut ray_t) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        match unsafe { borrow(err) } {
            Some(e) if e.is_error() => err_from_code(e.err_code().code_str()),
            _ => RAY_ERR_DOMAIN,
        }
    })
}

thread_local! {
    static CODE_BUF: Cell<[u8; 8]> = const { Cell::new([0; 8]) };
}

/// The code of an error object as a NUL-terminated string, or NULL if `err`
/// is not an error. `err` is borrowed. The string lives in a thread-local
/// 8-byte buffer, overwritten by the next call on the same thread.
///
/// # Safety
/// `err` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_err_code(err: *mut ray_t) -> *const c_char {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(e) = (unsafe { borrow(err) }) else { return ptr::null() };
        if !e.is_error() {
            return ptr::null();
        }
        let code = e.err_code();
        let mut buf = [0u8; 8];
        buf[..code.code_str().len()].copy_from_slice(code.code_str().as_bytes());
        CODE_BUF
            .try_with(|b| {
                b.set(buf);
                b.as_ptr() as *const c_char
            })
            .unwrap_or(ptr::null())
    })
}

/// Frees an error object (consumed). No-op for NULL, non-errors and
/// RAY_OOM_OBJ.
///
/// # Safety
/// `err` is NULL or a live object that the caller gives up.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_error_free(err: *mut ray_t) {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe { rc::free_error(err) }
    })
}

/// The message of the last error raised on this thread (by `ray_error` or
/// by a library function), or NULL when there is none. Valid until the next
/// error on this thread. Extension (internal in the reference).
#[unsafe(no_mangle)]
pub extern "C" fn ray_error_msg() -> *const c_char {
    ffi_guard!({ with_last_message(|m| m.map_or(ptr::null(), |s| s.as_ptr())) })
}

/// Clears this thread's error message. Extension (internal in the reference).
#[unsafe(no_mangle)]
pub extern "C" fn ray_error_clear() {
    ffi_guard!({ set_last_message(None) })
}

/// Hands an error to C (the one RayError -> ray_t* conversion of the FFI).
pub fn to_raw(e: RayError) -> *mut ray_t {
    e.into_raw()
}
