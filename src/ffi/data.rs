//! Data access, sym-domain helpers and introspection: the functions the
//! header's inline helpers call (`ray_data_slice_path`,
//! `ray_sym_runtime_domain`) and the typed element readers.
//!
//! Only one symbol domain exists (the runtime's global intern table), so
//! every SYM vector resolves over `ray_sym_runtime_domain()`.

use crate::abi::*;
use crate::core::sym;
use crate::ffi::{borrow, byte_slice};
use crate::ffi_guard;
use core::ffi::c_char;
use core::ptr;

/// Opaque symbol domain (`struct ray_sym_domain_s`).
#[repr(C)]
pub struct ray_sym_domain_s {
    _private: [u8; 0],
}

/// The one domain object: its address is all that matters.
static RUNTIME_DOMAIN: u8 = 0;

fn runtime_domain() -> *mut ray_sym_domain_s {
    (&raw const RUNTIME_DOMAIN) as *mut ray_sym_domain_s
}

/// Payload address of a vector or list, following slice views into their
/// parent. Called by the inline `ray_data()`; width-aware for SYM slices.
/// `v` is borrowed; NULL gives NULL.
///
/// # Safety
/// `v` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_data_slice_path(v: *mut ray_t) -> *mut core::ffi::c_void {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { borrow(v) } {
            Some(v) => v.data_ptr() as *mut core::ffi::c_void,
            None => ptr::null_mut(),
        }
    })
}

/// The runtime symbol domain (immortal; the domain of every SYM vector).
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_runtime_domain() -> *mut ray_sym_domain_s {
    ffi_guard!({ runtime_domain() })
}

/// String atom of the symbol at position `pos` of `dom` (borrowed, valid
/// while the symbol table lives; releasing it is a no-op). NULL for an
/// unknown domain or position.
///
/// # Safety
/// `dom` is NULL or a domain returned by this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_domain_str(dom: *mut ray_sym_domain_s, pos: i64) -> *mut ray_t {
    ffi_guard!({
        if dom != runtime_domain() {
            return ptr::null_mut();
        }
        crate::ffi::sym::sym_str_atom(pos)
    })
}

/// Position of `str` (`len` bytes) in `dom`, or -1 when absent.
///
/// # Safety
/// `dom` is NULL or a domain of this library; `str` holds `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_domain_find(dom: *mut ray_sym_domain_s, str: *const c_char, len: usize) -> i64 {
    ffi_guard!({
        if dom != runtime_domain() {
            return -1;
        }
        // SAFETY: caller contract.
        match unsafe { byte_slice(str as *const u8, len) } {
            Some(b) => sym::find(b).unwrap_or(-1),
            None => -1,
        }
    })
}

/// Number of entries of `dom` (0 for an unknown domain).
///
/// # Safety
/// `dom` is NULL or a domain of this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_domain_count(dom: *mut ray_sym_domain_s) -> i64 {
    ffi_guard!({ if dom == runtime_domain() { sym::count() as i64 } else { 0 } })
}

/// Position -> runtime id table of `dom`: always NULL here, since the
/// runtime domain maps positions to ids by identity.
///
/// # Safety
/// `dom` is NULL or a domain of this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_domain_runtime_lut(dom: *mut ray_sym_domain_s) -> *const i64 {
    ffi_guard!({
        let _ = dom;
        ptr::null()
    })
}

/// Makes SYM vector `out` resolve over `in`'s domain. Both borrowed; no-op
/// unless both are non-slice SYM vectors (with a single domain, this only
/// copies the domain field).
///
/// # Safety
/// Each pointer is NULL or a live object; `out` is owned uniquely.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_vec_adopt_domain(out: *mut ray_t, in_: *mut ray_t) {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(o), Some(i)) = (unsafe { borrow(out) }, unsafe { borrow(in_) }) else { return };
        let is_plain_sym = |v: &ray_t| v.type_ == RAY_SYM && !v.is_slice();
        if is_plain_sym(o) && is_plain_sym(i) && !ptr::eq(o, i) {
            // SAFETY: both are live SYM vectors; aux.ptrs[1] is their domain slot.
            unsafe { (*out).aux.ptrs[1] = (*in_).aux.ptrs[1] };
        }
    })
}

/// The type tag of `v` (0 for NULL). `v` is borrowed.
///
/// # Safety
/// `v` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_obj_type(v: *mut ray_t) -> i8 {
    // SAFETY: caller contract.
    ffi_guard!({ unsafe { borrow(v) }.map_or(0, |v| v.type_) })
}

/// The attribute bits of `v` (0 for NULL). `v` is borrowed.
///
/// # Safety
/// `v` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_obj_attrs(v: *mut ray_t) -> u8 {
    // SAFETY: caller contract.
    ffi_guard!({ unsafe { borrow(v) }.map_or(0, |v| v.attrs) })
}

/// The vector behind `vec` and `idx` as a checked index.
///
/// # Safety
/// `vec` is NULL or a live object for the returned lifetime.
unsafe fn index<'a>(vec: *mut ray_t, idx: i64) -> Option<(&'a ray_t, usize)> {
    // SAFETY: caller contract.
    let v = unsafe { borrow(vec) }?;
    if !v.is_vec() || idx < 0 || idx >= v.len() {
        return None;
    }
    Some((v, idx as usize))
}

/// Element `idx` of an I64/TIMESTAMP, I32/DATE/TIME, I16, U8 or BOOL vector,
/// widened to int64. 0 for NULL, out-of-range indexes and other types.
/// `vec` is borrowed (slices allowed).
///
/// # Safety
/// `vec` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_get_i64(vec: *mut ray_t, idx: i64) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some((v, i)) = (unsafe { index(vec, idx) }) else { return 0 };
        match v.type_ {
            RAY_I64 | RAY_TIMESTAMP => v.elems::<i64>()[i],
            RAY_I32 | RAY_DATE | RAY_TIME => v.elems::<i32>()[i] as i64,
            RAY_I16 => v.elems::<i16>()[i] as i64,
            RAY_U8 | RAY_BOOL => v.elems::<u8>()[i] as i64,
            _ => 0,
        }
    })
}

/// Element `idx` of an F64 or F32 vector as a double (no integer
/// coercion); 0.0 otherwise. `vec` is borrowed.
///
/// # Safety
/// `vec` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_get_f64(vec: *mut ray_t, idx: i64) -> f64 {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some((v, i)) = (unsafe { index(vec, idx) }) else { return 0.0 };
        match v.type_ {
            RAY_F64 => v.elems::<f64>()[i],
            RAY_F32 => v.elems::<f32>()[i] as f64,
            _ => 0.0,
        }
    })
}

/// Symbol id at `idx` of a SYM vector of any width (slices included);
/// 0 otherwise. `vec` is borrowed.
///
/// # Safety
/// `vec` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_get_sym_id(vec: *mut ray_t, idx: i64) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { index(vec, idx) } {
            Some((v, i)) if v.type_ == RAY_SYM => v.sym_at(i),
            _ => 0,
        }
    })
}

