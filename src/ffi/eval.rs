//! Evaluation and formatting: thin wrappers over `lang::eval_str` and
//! `lang::format`.

use crate::abi::*;
use crate::core::{RayError, Value};
use crate::ffi::{borrow, cstr_bytes, give};
use crate::ffi_guard;
use crate::lang::{self, RequestCtx};
use crate::runtime;
use core::ffi::{c_char, c_int};

/// Parses and evaluates Rayfall `source` (NUL-terminated) against the
/// global environment. Returns a new reference (RAY_NULL_OBJ for results
/// without a value), or an error object: "parse", "name", "type", ...
/// ("domain" for NULL or non-UTF-8 source, "nyi" without a runtime,
/// "cancel" while ray_request_interrupt's flag is set); the
/// message is readable with ray_error_msg(). Any thread may call it.
///
/// # Safety
/// `source` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_eval_str(source: *const c_char) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(src) = (unsafe { cstr_bytes(source) }) else {
            return give(Err(RayError::domain("ray_eval_str: NULL source")));
        };
        let Ok(src) = std::str::from_utf8(src) else {
            return give(Err(RayError::domain("ray_eval_str: source is not UTF-8")));
        };
        if !runtime::is_live() {
            return give(Err(RayError::new("nyi", "ray_eval_str: no runtime")));
        }
        if runtime::interrupted() {
            return give(Err(RayError::new("cancel", "interrupted")));
        }
        give(lang::eval_str(src, RequestCtx { restricted: false, handle: -1 }))
    })
}

/// Renders `obj` (borrowed) as text in a new STR atom. `mode`: 0 compact,
/// 1 REPL, 2 unlimited. Error "type" for NULL.
///
/// # Safety
/// `obj` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_fmt(obj: *mut ray_t, mode: c_int) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(obj) }) else {
            return give(Err(RayError::type_err("ray_fmt: NULL object")));
        };
        let text = lang::format(v, mode);
        give(Value::try_str(text.as_bytes()))
    })
}
