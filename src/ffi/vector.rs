//! Typed vectors: construction, element access and the mutators. Mutators
//! marked "consumed" return the pointer to use afterwards (possibly a new
//! block); on a validation error (type, range) the input is left untouched
//! and still owned by the caller. Slices are copied into their own vector
//! before any change, so a slice's parent never changes.

use crate::abi::*;
use crate::core::vec_ops::{self, Cell};
use crate::core::{RayError, value::Value};
use crate::ffi::{borrow, byte_slice, give, mutate, null_arg};
use crate::ffi_guard;
use core::ffi::c_void;
use core::ptr;

/// An empty vector of `type_` (RAY_BOOL..RAY_STR) with room for at least
/// `capacity` elements; RAY_SYM gives a W64 SYM vector. The payload is not
/// zeroed: fill up to `capacity` elements through ray_data() and set `len`.
/// Errors: "type" (not a vector type, e.g. RAY_LIST), "range" (capacity < 0), "oom".
#[unsafe(no_mangle)]
pub extern "C" fn ray_vec_new(type_: i8, capacity: i64) -> *mut ray_t {
    ffi_guard!({ give(Value::vec_with_capacity(type_, capacity)) })
}

/// An empty SYM vector with width code `sym_width` (RAY_SYM_W8..W64) and
/// room for `capacity` elements. Errors: "type" (bad width), "range", "oom".
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_vec_new(sym_width: u8, capacity: i64) -> *mut ray_t {
    ffi_guard!({ give(Value::sym_vec_with_capacity(sym_width, capacity)) })
}

/// The element width of a vector (width-aware for SYM).
fn width(v: &ray_t) -> usize {
    elem_size(v.type_, v.attrs)
}

fn require_fixed_vec(v: &ray_t, what: &str) -> crate::core::Result<()> {
    if !v.is_vec() || v.type_ == RAY_STR {
        return Err(RayError::type_err(format!("{what}: not a fixed-width vector (STR: use ray_str_vec_*)")));
    }
    Ok(())
}

/// Reads one element of `v`'s width from `elem`.
///
/// # Safety
/// `elem` is NULL or points to `width(v)` readable bytes.
unsafe fn elem_bytes<'a>(v: &ray_t, elem: *const c_void) -> Option<&'a [u8]> {
    // SAFETY: caller contract.
    unsafe { byte_slice(elem as *const u8, width(v)) }.filter(|_| !elem.is_null())
}

/// Appends one element (copies the vector's element width from `elem`;
/// for narrow SYM vectors that is the low bytes of an int64_t on this
/// little-endian target). `vec` is consumed (use the result: the block may
/// move), `elem` borrowed. Errors: the input error itself; "type" for
/// NULL, LIST, STR (use ray_str_vec_append) and non-vectors; "domain" for
/// NULL `elem`; "oom".
///
/// # Safety
/// `vec` is NULL or a live object handed over by the caller; `elem` points
/// to one element.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_append(vec: *mut ray_t, elem: *const c_void) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                vec,
                "ray_vec_append",
                |v| {
                    require_fixed_vec(v, "ray_vec_append")?;
                    elem_bytes(v, elem).ok_or_else(|| RayError::domain("ray_vec_append: NULL element"))
                },
                |v, bytes| v.extend_from_bytes(bytes),
            )
        }
    })
}

/// Overwrites element `idx` with the element at `elem`. `vec` is consumed
/// (copied first when shared). Errors: the input error itself; "type" for
/// STR (use ray_str_vec_set) and non-vectors; "range" when `idx` is out of
/// bounds; "domain" for NULL `elem`.
///
/// # Safety
/// As `ray_vec_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_set(vec: *mut ray_t, idx: i64, elem: *const c_void) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                vec,
                "ray_vec_set",
                |v| {
                    require_fixed_vec(v, "ray_vec_set")?;
                    if idx < 0 || idx >= v.len() {
                        return Err(RayError::range("ray_vec_set: index out of range"));
                    }
                    elem_bytes(v, elem).ok_or_else(|| RayError::domain("ray_vec_set: NULL element"))
                },
                |v, bytes| {
                    let w = width(v);
                    let i = idx as usize;
                    write_elem(v, i, w, bytes);
                    Ok(())
                },
            )
        }
    })
}

/// Writes `bytes` (one element) at index `i` of a uniquely owned vector,
/// which loses its index (c-api.md: `ray_vec_set` drops it).
fn write_elem(v: &mut Value, i: usize, w: usize, bytes: &[u8]) {
    debug_assert!(v.is_unique() && !v.is_slice());
    crate::core::index::drop_in_place(v.header_mut());
    let p = v.data_ptr() as *mut u8;
    // SAFETY: v is unique and not a slice (mutate's contract); i < len.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(i * w), w) };
}

/// Address of element `idx` (slice- and width-aware), valid until the
/// vector is changed or freed. NULL for NULL, errors, STR vectors (use
/// ray_str_vec_get), non-vectors and out-of-range indexes. `vec` borrowed.
///
/// # Safety
/// `vec` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_get(vec: *mut ray_t, idx: i64) -> *mut c_void {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return ptr::null_mut() };
        if !v.is_vec() || v.type_ == RAY_STR || idx < 0 || idx >= v.len() {
            return ptr::null_mut();
        }
        // SAFETY: idx < len, inside the (parent's) payload.
        unsafe { (v.data_ptr() as *mut u8).add(idx as usize * width(v)) as *mut c_void }
    })
}

/// A zero-copy view of `len` elements of `vec` from `offset` (new
/// reference; retains the underlying vector; `vec` borrowed). Errors: the
/// input error itself; "type" for non-vectors; "range" out of bounds.
///
/// # Safety
/// `vec` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_slice(vec: *mut ray_t, offset: i64, len: i64) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return null_arg("ray_vec_slice").into_raw() };
        if v.is_error() {
            return vec;
        }
        let owner = v.to_value();
        give(owner.slice(offset, len))
    })
}

/// A new vector `a ++ b` (both borrowed, same type). SYM takes the wider
/// width; STR strings are copied; HAS_NULLS is kept. Errors: an input error
/// itself (a first); "type" for NULL, non-vectors or different types.
///
/// # Safety
/// Each pointer is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_concat(a: *mut ray_t, b: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(x), Some(y)) = (unsafe { borrow(a) }, unsafe { borrow(b) }) else {
            return null_arg("ray_vec_concat").into_raw();
        };
        if x.is_error() {
            return a;
        }
        if y.is_error() {
            return b;
        }
        give(vec_ops::concat(x, y))
    })
}

/// A new vector of `type_` holding a copy of `count` elements read from
/// `data`; RAY_SYM gives W64 (int64_t ids). Errors: "type" for LIST, STR
/// and non-vector types; "range" for count < 0; "domain" for NULL `data`
/// with count > 0.
///
/// # Safety
/// `data` holds `count` elements of the type's width.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_from_raw(type_: i8, data: *const c_void, count: i64) -> *mut ray_t {
    ffi_guard!({
        if !is_vector_type(type_) || type_ == RAY_STR {
            return RayError::type_err("ray_vec_from_raw: not a fixed-width vector type").into_raw();
        }
        if count < 0 {
            return RayError::range("ray_vec_from_raw: negative count").into_raw();
        }
        let w = elem_size(type_, RAY_SYM_W64);
        let Some(n) = (count as usize).checked_mul(w) else { return RayError::oom().into_raw() };
        // SAFETY: caller contract.
        let Some(bytes) = (unsafe { byte_slice(data as *const u8, n) }) else {
            return RayError::domain("ray_vec_from_raw: NULL data").into_raw();
        };
        give(Value::vec_with_capacity(type_, count).and_then(|mut v| v.extend_from_bytes(bytes).map(|_| v)))
    })
}

/// Inserts the element at `elem` before index `idx` (0..len). `vec` is
/// consumed (changed in place, or copied when shared). Errors: the input
/// error itself; "type" for STR (use ray_str_vec_insert_at) and
/// non-vectors; "range" for idx outside 0..len; "domain" for NULL `elem`.
///
/// # Safety
/// As `ray_vec_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_insert_at(vec: *mut ray_t, idx: i64, elem: *const c_void) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                vec,
                "ray_vec_insert_at",
                |v| {
                    require_fixed_vec(v, "ray_vec_insert_at")?;
                    if idx < 0 || idx > v.len() {
                        return Err(RayError::range("ray_vec_insert_at: index out of range"));
                    }
                    elem_bytes(v, elem).ok_or_else(|| RayError::domain("ray_vec_insert_at: NULL element"))
                },
                |v, bytes| {
                    let w = width(v);
                    let n = v.len() as usize;
                    let i = idx as usize;
                    v.reserve(1)?;
                    let p = v.data_ptr() as *mut u8;
                    // SAFETY: unique non-slice vector with room for n + 1
                    // elements; the tail moves up one element.
                    ptr::copy(p.add(i * w), p.add((i + 1) * w), (n - i) * w);
                    ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(i * w), w);
                    (*v.as_ptr()).val.i64_ = n as i64 + 1;
                    Ok(())
                },
            )
        }
    })
}

/// A NEW vector: `vec` with all of `src` spliced in before index `idx`
/// (0..len). Both borrowed (unlike ray_vec_insert_at). Errors: an input
/// error itself; "type" for different types or non-vectors; "range".
///
/// # Safety
/// Each pointer is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_insert_vec_at(vec: *mut ray_t, idx: i64, src: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(v), Some(s)) = (unsafe { borrow(vec) }, unsafe { borrow(src) }) else {
            return null_arg("ray_vec_insert_vec_at").into_raw();
        };
        if v.is_error() {
            return vec;
        }
        if s.is_error() {
            return src;
        }
        if !v.is_vec() || v.type_ != s.type_ {
            return RayError::type_err("ray_vec_insert_vec_at: type mismatch").into_raw();
        }
        if idx < 0 || idx > v.len() {
            return RayError::range("ray_vec_insert_vec_at: index out of range").into_raw();
        }
        let cells: Vec<Cell<'_>> = (0..s.len().max(0) as usize).map(|i| vec_ops::vec_cell(s, i)).collect();
        let plan: Vec<(usize, usize)> = (0..cells.len()).map(|k| (idx as usize, k)).collect();
        let mut out = vec_ops::splice(v, &plan, &cells);
        if let Ok(o) = &mut out {
            if s.attrs & RAY_ATTR_HAS_NULLS != 0 {
                let _ = o.set_attr(RAY_ATTR_HAS_NULLS, true);
            }
        }
        give(out)
    })
}

/// A NEW vector with N values inserted at N pre-insertion positions
/// (`idxs`: an I64 vector or atom, each in 0..len; `vals`: an atom of the
/// vector's type, or a vector of that type with 1 or N elements). Equal
/// positions keep their order. All arguments borrowed; with N == 0 the
/// result is `vec` itself with a new reference. Errors: an input error
/// itself; "type"; "range"; "length" (vals count).
///
/// # Safety
/// Each pointer is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_insert_many(vec: *mut ray_t, idxs: *mut ray_t, vals: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(v), Some(ix), Some(vs)) = (unsafe { borrow(vec) }, unsafe { borrow(idxs) }, unsafe { borrow(vals) })
        else {
            return null_arg("ray_vec_insert_many").into_raw();
        };
        for (r, p) in [(v, vec), (ix, idxs), (vs, vals)] {
            if r.is_error() {
                return p;
            }
        }
        if !v.is_vec() {
            return RayError::type_err("ray_vec_insert_many: not a vector").into_raw();
        }
        let result = (|| {
            let positions = vec_ops::positions(ix)?;
            if positions.is_empty() {
                return Ok(v.to_value());
            }
            let cells = vec_ops::value_cells(vs, v.type_)?;
            let plan = vec_ops::insertion_plan(&positions, v.len().max(0) as usize, cells.len())?;
            vec_ops::splice(v, &plan, &cells)
        })();
        give(result)
    })
}

/// Marks element `idx` null (writes the type's null sentinel and sets
/// RAY_ATTR_HAS_NULLS), as ray_vec_set_null_checked, ignoring the result.
///
/// # Safety
/// As `ray_vec_set_null_checked`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_set_null(vec: *mut ray_t, idx: i64, is_null: bool) {
    // SAFETY: forwarded contract.
    ffi_guard!({
        let _ = unsafe { ray_vec_set_null_checked(vec, idx, is_null) };
    })
}

/// Writes the null sentinel of the vector's type at `idx` IN PLACE (the
/// caller must own `vec` uniquely) and sets RAY_ATTR_HAS_NULLS. STR
/// elements become "" (without HAS_NULLS). `is_null == false` is a no-op.
/// Returns RAY_OK, RAY_ERR_TYPE (NULL, errors, slices, SYM, BOOL, U8,
/// non-vectors) or RAY_ERR_RANGE (idx out of bounds).
///
/// # Safety
/// `vec` is NULL or a live object owned uniquely by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_set_null_checked(vec: *mut ray_t, idx: i64, is_null: bool) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return RAY_ERR_TYPE };
        if !v.is_vec() || v.is_slice() || matches!(v.type_, RAY_SYM | RAY_BOOL | RAY_U8) {
            return RAY_ERR_TYPE;
        }
        if idx < 0 || idx >= v.len() {
            return RAY_ERR_RANGE;
        }
        if !is_null {
            return RAY_OK;
        }
        let i = idx as usize;
        let mut sentinel = [0u8; 16];
        let w = width(v);
        match v.type_ {
            RAY_I16 => sentinel[..2].copy_from_slice(&NULL_I16.to_ne_bytes()),
            RAY_I32 | RAY_DATE | RAY_TIME => sentinel[..4].copy_from_slice(&NULL_I32.to_ne_bytes()),
            RAY_I64 | RAY_TIMESTAMP => sentinel[..8].copy_from_slice(&NULL_I64.to_ne_bytes()),
            RAY_F32 => sentinel[..4].copy_from_slice(&f32::NAN.to_ne_bytes()),
            RAY_F64 => sentinel[..8].copy_from_slice(&f64::NAN.to_ne_bytes()),
            _ => {} // GUID: 16 zero bytes; STR: an empty cell
        }
        // SAFETY: in-place write of one element of a vector the caller owns
        // uniquely (contract); i < len; not a slice.
        unsafe {
            ptr::copy_nonoverlapping(sentinel.as_ptr(), (vec as *mut u8).add(32 + i * w), w);
            if v.type_ != RAY_STR {
                (*vec).attrs |= RAY_ATTR_HAS_NULLS;
            }
        }
        RAY_OK
    })
}

/// True when element `idx` holds the type's null sentinel (NaN for floats,
/// 16 zero bytes for GUID). Only vectors flagged RAY_ATTR_HAS_NULLS can
/// hold nulls; SYM, STR, BOOL and U8 never do. False for bad input.
/// `vec` borrowed (slices allowed).
///
/// # Safety
/// `vec` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_vec_is_null(vec: *mut ray_t, idx: i64) -> bool {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(vec) }) else { return false };
        if !v.is_vec() || idx < 0 || idx >= v.len() {
            return false;
        }
        // A slice follows its parent's flag (it may be set after slicing).
        // SAFETY: slices point to a live parent.
        let owner = if v.is_slice() { unsafe { &*v.aux.ptrs[0] } } else { v };
        if (v.attrs | owner.attrs) & RAY_ATTR_HAS_NULLS == 0 {
            return false;
        }
        let i = idx as usize;
        match v.type_ {
            RAY_I16 => v.elems::<i16>()[i] == NULL_I16,
            RAY_I32 | RAY_DATE | RAY_TIME => v.elems::<i32>()[i] == NULL_I32,
            RAY_I64 | RAY_TIMESTAMP => v.elems::<i64>()[i] == NULL_I64,
            RAY_F32 => v.elems::<f32>()[i].is_nan(),
            RAY_F64 => v.elems::<f64>()[i].is_nan(),
            RAY_GUID => v.elems::<[u8; 16]>()[i] == [0; 16],
            _ => false,
        }
    })
}
