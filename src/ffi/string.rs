//! STR vectors (16-byte cells: up to 12 bytes inline, longer strings in a
//! shared byte pool) and STR atoms.

use crate::abi::*;
use crate::core::vec_ops::{self, Cell};
use crate::core::{RayError, rc, value::Value};
use crate::ffi::{borrow, byte_slice, give, mutate, null_arg};
use crate::ffi_guard;
use core::ffi::{c_char, c_int};
use core::ptr;

fn require_str_vec(v: &ray_t, what: &str) -> crate::core::Result<()> {
    if v.type_ != RAY_STR {
        return Err(RayError::type_err(format!("{what}: not a STR vector")));
    }
    Ok(())
}

/// The string argument of the mutators, checked.
///
/// # Safety
/// `s` holds `len` readable bytes (or is NULL with len 0).
unsafe fn string_arg<'a>(s: *const c_char, len: usize, what: &str) -> crate::core::Result<&'a [u8]> {
    if len > u32::MAX as usize {
        return Err(RayError::range(format!("{what}: string over 4 GiB")));
    }
    // SAFETY: caller contract.
    unsafe { byte_slice(s as *const u8, len) }.ok_or_else(|| RayError::domain(format!("{what}: NULL bytes")))
}

/// Appends the `len` bytes at `s` to a STR vector (inline when <= 12
/// bytes, else in the pool). `vec` is consumed (use the result). Errors:
/// the input error itself; "type" (not a STR vector); "range" (len over
/// 4 GiB or pool overflow); "domain" (NULL `s` with len > 0); "oom".
///
/// # Safety
/// `vec` is NULL or a live object handed over by the caller; `s` holds
/// `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_vec_append(vec: *mut ray_t, s: *const c_char, len: usize) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                vec,
                "ray_str_vec_append",
                |v| {
                    require_str_vec(v, "ray_str_vec_append")?;
                    string_arg(s, len, "ray_str_vec_append")
                },
                |v, bytes| v.str_vec_push(bytes),
            )
        }
    })
}

/// A new STR vector of `n` strings: string i is `lens[i]` bytes at
/// `ptrs[i]` (NULL allowed when lens[i] == 0); when `nulls` is non-NULL a
/// nonzero nulls[i] makes string i empty. Errors: "range" (n < 0),
/// "domain" (NULL arrays with n > 0, or a NULL string with a length), "oom".
///
/// # Safety
/// `ptrs` and `lens` (and `nulls` when non-NULL) hold `n` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_vec_from_parts(
    ptrs: *const *const c_char,
    lens: *const u32,
    nulls: *const u8,
    n: i64,
) -> *mut ray_t {
    ffi_guard!({
        if n < 0 {
            return RayError::range("ray_str_vec_from_parts: negative count").into_raw();
        }
        let count = n as usize;
        if count > 0 && (ptrs.is_null() || lens.is_null()) {
            return RayError::domain("ray_str_vec_from_parts: NULL arrays").into_raw();
        }
        let result = (|| {
            let mut out = Value::vec_with_capacity(RAY_STR, n)?;
            for i in 0..count {
                // SAFETY: the arrays hold n entries (caller contract).
                let (p, l, null) = unsafe { (*ptrs.add(i), *lens.add(i) as usize, !nulls.is_null() && *nulls.add(i) != 0) };
                let bytes = if null {
                    &[][..]
                } else {
                    // SAFETY: ptrs[i] holds lens[i] bytes (caller contract).
                    unsafe { byte_slice(p as *const u8, l) }
                        .ok_or_else(|| RayError::domain("ray_str_vec_from_parts: NULL string with a length"))?
                };
                out.str_vec_push(bytes)?;
            }
            Ok(out)
        })();
        give(result)
    })
}

/// The bytes of element `idx` (NOT NUL-terminated; "" for an empty
/// string), valid until the vector is changed or freed; `*out_len` (when
/// non-NULL) receives the length, 0 on failure. Slices allowed. NULL for
/// NULL, errors, non-STR vectors and out-of-range indexes. `vec` borrowed.
///
/// # Safety
/// `vec` is NULL or a live object; `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_vec_get(vec: *mut ray_t, idx: i64, out_len: *mut usize) -> *const c_char {
    ffi_guard!({
        let set_len = |n: usize| {
            if !out_len.is_null() {
                // SAFETY: caller contract.
                unsafe { *out_len = n };
            }
        };
        set_len(0);
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return ptr::null() };
        if v.type_ != RAY_STR || idx < 0 || idx >= v.len() {
            return ptr::null();
        }
        let s = v.str_at(idx as usize);
        set_len(s.len());
        if s.is_empty() { c"".as_ptr() } else { s.as_ptr() as *const c_char }
    })
}

/// Overwrites element `idx` with the `len` bytes at `s` (old pooled bytes
/// become dead space; see ray_str_vec_compact). `vec` is consumed.
/// Errors: the input error itself; "type"; "range" (idx out of bounds or
/// len over 4 GiB); "domain"; "oom".
///
/// # Safety
/// As `ray_str_vec_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_vec_set(vec: *mut ray_t, idx: i64, s: *const c_char, len: usize) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                vec,
                "ray_str_vec_set",
                |v| {
                    require_str_vec(v, "ray_str_vec_set")?;
                    if idx < 0 || idx >= v.len() {
                        return Err(RayError::range("ray_str_vec_set: index out of range"));
                    }
                    string_arg(s, len, "ray_str_vec_set")
                },
                |v, bytes| {
                    let cell = v.make_str_cell(bytes)?;
                    v.as_mut_slice::<StrCell>()?[idx as usize] = cell;
                    Ok(())
                },
            )
        }
    })
}

/// A NEW STR vector: `vec` with the `len` bytes at `s` inserted before
/// index `idx` (0..len). `vec` is BORROWED (unlike ray_vec_insert_at).
/// Errors: the input error itself; "type"; "range"; "domain".
///
/// # Safety
/// `vec` is NULL or a live object; `s` holds `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_vec_insert_at(vec: *mut ray_t, idx: i64, s: *const c_char, len: usize) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return null_arg("ray_str_vec_insert_at").into_raw() };
        if v.is_error() {
            return vec;
        }
        let result = (|| {
            require_str_vec(v, "ray_str_vec_insert_at")?;
            if idx < 0 || idx > v.len() {
                return Err(RayError::range("ray_str_vec_insert_at: index out of range"));
            }
            // SAFETY: caller contract.
            let bytes = unsafe { string_arg(s, len, "ray_str_vec_insert_at")? };
            vec_ops::splice(v, &[(idx as usize, 0)], &[Cell::Str(bytes)])
        })();
        give(result)
    })
}

/// Rebuilds the string pool without dead bytes. Returns `vec` itself when
/// there is nothing to reclaim, else a new vector (the old reference is
/// released). `vec` is consumed. Errors: the input error itself; "type"; "oom".
///
/// # Safety
/// `vec` is NULL or a live object handed over by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_vec_compact(vec: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return null_arg("ray_str_vec_compact").into_raw() };
        if v.is_error() {
            return vec;
        }
        if let Err(e) = require_str_vec(v, "ray_str_vec_compact") {
            return e.into_raw();
        }
        let n = v.len().max(0) as usize;
        let live: usize = (0..n).map(|i| v.str_at(i).len()).filter(|&l| l > STR_INLINE_MAX).sum();
        let pool_len = v.str_pool().map_or(0, |p| p.len().max(0) as usize);
        if pool_len == live && !v.is_slice() {
            return vec;
        }
        match vec_ops::concat(v, &Value::vec_with_capacity(RAY_STR, 0).expect("empty STR vector")) {
            Ok(fresh) => {
                // SAFETY: success consumes the caller's reference.
                unsafe { rc::release(vec) };
                fresh.into_raw()
            }
            Err(e) => e.into_raw(),
        }
    })
}

/// The bytes of a STR atom, NUL-terminated (short strings live in the
/// header, longer ones in a child block), valid while the atom lives. NULL
/// for NULL, errors and non-STR objects. `s` borrowed.
///
/// # Safety
/// `s` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_ptr(s: *mut ray_t) -> *const c_char {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { borrow(s) } {
            Some(a) if a.type_ == -RAY_STR => a.str_bytes().as_ptr() as *const c_char,
            _ => ptr::null(),
        }
    })
}

/// The byte length of a STR atom; 0 for NULL, errors and non-STR objects.
///
/// # Safety
/// `s` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_len(s: *mut ray_t) -> usize {
    // SAFETY: caller contract.
    ffi_guard!({ unsafe { borrow(s) }.map_or(0, |a| a.str_bytes().len()) })
}

/// Compares two STR atoms bytewise (a shorter prefix sorts first): < 0,
/// 0 or > 0 (only the sign is meaningful). 0 when either is NULL or an error.
///
/// # Safety
/// Each pointer is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str_cmp(a: *mut ray_t, b: *mut ray_t) -> c_int {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(x), Some(y)) = (unsafe { borrow(a) }, unsafe { borrow(b) }) else { return 0 };
        if x.is_error() || y.is_error() {
            return 0;
        }
        match x.str_bytes().cmp(y.str_bytes()) {
            core::cmp::Ordering::Less => -1,
            core::cmp::Ordering::Equal => 0,
            core::cmp::Ordering::Greater => 1,
        }
    })
}
