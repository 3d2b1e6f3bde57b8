//! The exported static objects: `__ray_null` (the untyped null, `RAY_NULL_OBJ`),
//! `__ray_oom` (the error returned when even an error cannot be allocated)
//! and the `ray_type_sizes` table, plus the unexported "panic" error the C
//! boundary returns after catching a panic. They live in writable memory, like the
//! reference's, because C holds non-const pointers to them; nothing ever
//! writes them (they carry the ARENA bit, so retain/release skip them).
#![allow(non_upper_case_globals)]

use crate::abi::*;
use core::sync::atomic::AtomicU32;

const fn static_obj(type_: i8, val: [u8; 8]) -> ray_t {
    ray_t {
        aux: Aux { bytes: [0; 16] },
        mmod: 0,
        order: 0,
        type_,
        attrs: RAY_ATTR_ARENA,
        rc: AtomicU32::new(0),
        val: Val { bytes: val },
        data: [],
    }
}

/// The untyped null object (`RAY_NULL_OBJ`).
#[unsafe(no_mangle)]
pub static mut __ray_null: ray_t = static_obj(RAY_NULL, [0; 8]);

/// The static out-of-memory error (`RAY_OOM_OBJ`), code "oom".
#[unsafe(no_mangle)]
pub static mut __ray_oom: ray_t = static_obj(RAY_ERROR, [3, b'o', b'o', b'm', 0, 0, 0, 0]);

/// The static error handed to C when the library caught a panic, code
/// "panic". Not exported: C meets it only as a returned pointer (ARENA, so
/// retain/release/`ray_error_free` leave it alone).
static mut PANIC_ERROR: ray_t = static_obj(RAY_ERROR, [5, b'p', b'a', b'n', b'i', b'c', 0, 0]);

/// Element size per type tag (LIST = pointer size, SYM = its widest width).
#[unsafe(no_mangle)]
pub static ray_type_sizes: [u8; 256] = TYPE_SIZES;

/// Address of the null object.
#[inline]
pub fn null_ptr() -> *mut ray_t {
    &raw mut __ray_null
}

/// Address of the static OOM error.
#[inline]
pub fn oom_ptr() -> *mut ray_t {
    &raw mut __ray_oom
}

/// Address of the static "panic" error.
#[inline]
pub fn panic_ptr() -> *mut ray_t {
    &raw mut PANIC_ERROR
}
