//! Atom constructors. Each returns a new reference (rc 1), or an error
//! object with code "oom" when memory runs out.

use crate::abi::*;
use crate::core::{RayError, value::Value};
use crate::ffi::{byte_slice, give};
use crate::ffi_guard;
use core::ffi::c_char;

/// A BOOL atom (b8 = 0 or 1).
#[unsafe(no_mangle)]
pub extern "C" fn ray_bool(val: bool) -> *mut ray_t {
    ffi_guard!({ Value::bool(val).into_raw() })
}

/// A U8 atom.
#[unsafe(no_mangle)]
pub extern "C" fn ray_u8(val: u8) -> *mut ray_t {
    ffi_guard!({ Value::u8(val).into_raw() })
}

/// An I16 atom (NULL_I16 is the null).
#[unsafe(no_mangle)]
pub extern "C" fn ray_i16(val: i16) -> *mut ray_t {
    ffi_guard!({ Value::i16(val).into_raw() })
}

/// An I32 atom (NULL_I32 is the null).
#[unsafe(no_mangle)]
pub extern "C" fn ray_i32(val: i32) -> *mut ray_t {
    ffi_guard!({ Value::i32(val).into_raw() })
}

/// An I64 atom (NULL_I64 is the null).
#[unsafe(no_mangle)]
pub extern "C" fn ray_i64(val: i64) -> *mut ray_t {
    ffi_guard!({ Value::i64(val).into_raw() })
}

/// An F32 atom; the value is stored widened to double in `f64`.
#[unsafe(no_mangle)]
pub extern "C" fn ray_f32(val: f32) -> *mut ray_t {
    ffi_guard!({ Value::f32(val).into_raw() })
}

/// An F64 atom (NaN is the null).
#[unsafe(no_mangle)]
pub extern "C" fn ray_f64(val: f64) -> *mut ray_t {
    ffi_guard!({ Value::f64(val).into_raw() })
}

/// A STR atom holding a copy of the `len` bytes at `s` (need not be
/// NUL-terminated). Up to 6 bytes live in the header (`slen`/`sdata`),
/// longer strings in a child block. Error "domain" for NULL `s` with
/// `len > 0`.
///
/// # Safety
/// `s` holds `len` readable bytes (or is NULL with len 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_str(s: *const c_char, len: usize) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { byte_slice(s as *const u8, len) } {
            Some(b) => give(Value::try_str(b)),
            None => RayError::domain("ray_str: NULL bytes").into_raw(),
        }
    })
}

/// A SYM atom with intern id `id` (not validated).
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym(id: i64) -> *mut ray_t {
    ffi_guard!({ Value::sym_id(id).into_raw() })
}

/// A DATE atom: days since 2000-01-01 (stored in `i64`; the null is NULL_I32).
#[unsafe(no_mangle)]
pub extern "C" fn ray_date(val: i64) -> *mut ray_t {
    ffi_guard!({ Value::date(val).into_raw() })
}

/// A TIME atom: milliseconds since midnight (stored in `i64`).
#[unsafe(no_mangle)]
pub extern "C" fn ray_time(val: i64) -> *mut ray_t {
    ffi_guard!({ Value::time(val).into_raw() })
}

/// A TIMESTAMP atom: nanoseconds since 2000-01-01T00:00:00.
#[unsafe(no_mangle)]
pub extern "C" fn ray_timestamp(val: i64) -> *mut ray_t {
    ffi_guard!({ Value::timestamp(val).into_raw() })
}

/// The current UTC time as nanoseconds since 2000-01-01 (full resolution).
#[unsafe(no_mangle)]
pub extern "C" fn ray_timestamp_now_ns() -> i64 {
    ffi_guard!({
        const EPOCH_2000_NS: i128 = 946_684_800 * 1_000_000_000;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
        (now - EPOCH_2000_NS) as i64
    })
}

/// A GUID atom holding a copy of the 16 bytes at `bytes` (kept in a child
/// block: `obj`, payload at offset 32). Error "domain" for NULL.
///
/// # Safety
/// `bytes` is NULL or points to 16 readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_guid(bytes: *const u8) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { byte_slice(bytes, 16) } {
            Some(b) => Value::guid(b.try_into().expect("16 bytes")).into_raw(),
            None => RayError::domain("ray_guid: NULL bytes").into_raw(),
        }
    })
}

/// The typed null atom of atom type `type` (< 0): the null sentinel or NaN
/// with bit 0 of aux[0] set; GUID: 16 zero bytes; SYM: id 0 (not null);
/// STR: the empty string (flag set, RAY_ATOM_IS_NULL still false).
/// Error "type" for `type >= 0` or an unknown type.
#[unsafe(no_mangle)]
pub extern "C" fn ray_typed_null(type_: i8) -> *mut ray_t {
    ffi_guard!({ give(Value::typed_null(type_)) })
}
