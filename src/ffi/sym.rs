//! Symbols: the global intern table (`core::sym`) seen from C. Ids are
//! stable until `ray_sym_destroy` (or runtime destroy); id 0 is "".

use crate::abi::*;
use crate::core::{sym, value::Value};
use crate::ffi::byte_slice;
use crate::ffi_guard;
use core::ffi::c_char;
use core::ptr;

/// Creates the global intern table (idempotent; id 0 is ""). RAY_OK.
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_init() -> ray_err_t {
    ffi_guard!(ray_err_t, {
        sym::init();
        RAY_OK
    })
}

/// Forgets every symbol. Ids and sym strings obtained before are invalid
/// afterwards (their bytes stay readable, so stale pointers never dangle).
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_destroy() {
    ffi_guard!({ sym::destroy() })
}

/// Interns `len` bytes at `str` (need not be NUL-terminated): a dotted name
/// ("a.b") also interns each segment. Returns the id (>= 0), or -1 when the
/// table does not exist (no runtime) or `str` is NULL with `len > 0`.
///
/// # Safety
/// `str` holds `len` readable bytes (or is NULL with len 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_intern(str: *const c_char, len: usize) -> i64 {
    ffi_guard!({
        if !sym::is_initialised() {
            return -1;
        }
        // SAFETY: caller contract.
        let Some(name) = (unsafe { byte_slice(str as *const u8, len) }) else { return -1 };
        let id = sym::intern(name);
        if name.contains(&b'.') {
            for seg in name.split(|&b| b == b'.').filter(|s| !s.is_empty()) {
                sym::intern(seg);
            }
        }
        id
    })
}

/// Same as `ray_sym_intern` (there is no lazily mapped sym file to skip).
///
/// # Safety
/// As `ray_sym_intern`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_intern_runtime(str: *const c_char, len: usize) -> i64 {
    // SAFETY: forwarded contract.
    ffi_guard!({ unsafe { ray_sym_intern(str, len) } })
}

/// The id of `len` bytes at `str`, or -1 when not interned (or no table).
///
/// # Safety
/// `str` holds `len` readable bytes (or is NULL with len 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_find(str: *const c_char, len: usize) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { byte_slice(str as *const u8, len) } {
            Some(name) => sym::find(name).unwrap_or(-1),
            None => -1,
        }
    })
}

/// The arena STR atom of a symbol (created once per id, flagged
/// RAY_ATTR_ARENA), or NULL for an unknown id.
pub(crate) fn sym_str_atom(id: i64) -> *mut ray_t {
    let addr = sym::str_atom(id, |name| {
        let mut v = Value::str(name);
        // SAFETY: fresh atom we own uniquely; the ARENA bit makes
        // retain/release no-ops, so it lives as long as the process.
        unsafe { (*v.as_ptr()).attrs |= RAY_ATTR_ARENA };
        let _ = &mut v;
        v.into_raw() as usize
    });
    addr.map_or(ptr::null_mut(), |a| a as *mut ray_t)
}

/// The name of symbol `id` as a STR atom owned by the symbol table (static:
/// releasing it is a no-op), valid until `ray_sym_destroy`/runtime destroy.
/// NULL for an unknown id.
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_str(id: i64) -> *mut ray_t {
    ffi_guard!({ sym_str_atom(id) })
}

/// Number of interned symbols (0 when the table does not exist).
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_count() -> u32 {
    ffi_guard!({ sym::count() })
}

/// Pre-grows the table; true when the table exists.
#[unsafe(no_mangle)]
pub extern "C" fn ray_sym_ensure_cap(needed: u32) -> bool {
    let _ = needed;
    ffi_guard!({ sym::is_initialised() })
}


/// The id -> string snapshot handed out by `ray_sym_strings_borrow`.
static SNAPSHOT: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

/// Writes a snapshot of the id -> STR atom table: `*out_strings[id]` is the
/// (static) string of symbol `id`, `*out_count` the number of symbols. The
/// array is valid until the next call or the next interning. Either out
/// pointer may be NULL; without a symbol table the count is 0.
///
/// # Safety
/// `out_strings` and `out_count` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_strings_borrow(out_strings: *mut *mut *mut ray_t, out_count: *mut u32) {
    ffi_guard!({
        let n = sym::count();
        let mut snap = SNAPSHOT.lock().unwrap_or_else(|e| e.into_inner());
        *snap = (0..n as i64).map(|id| sym_str_atom(id) as usize).collect();
        // SAFETY: caller contract; the Vec's buffer holds n pointer-sized slots.
        unsafe {
            if !out_strings.is_null() {
                *out_strings = if n == 0 { ptr::null_mut() } else { snap.as_mut_ptr() as *mut *mut ray_t };
            }
            if !out_count.is_null() {
                *out_count = n;
            }
        }
    })
}

/// The path of a NUL-terminated C string, or None for NULL.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
unsafe fn c_path(path: *const c_char) -> Option<std::path::PathBuf> {
    // SAFETY: caller contract.
    let bytes = unsafe { crate::ffi::cstr_bytes(path) }?;
    Some(std::path::PathBuf::from(String::from_utf8_lossy(bytes).into_owned()))
}

/// Writes the whole symbol table to `path` (entry `i` = symbol id `i`):
/// exclusive lock on `<path>.lk`, temporary file, fsync, rename, directory
/// fsync. RAY_OK; RAY_ERR_IO for a NULL path, no runtime, or a file error.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_save(path: *const c_char) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        let Some(path) = (unsafe { c_path(path) }) else { return RAY_ERR_IO };
        if !crate::runtime::is_live() {
            return RAY_ERR_IO;
        }
        match crate::store::sym_file::save(&path) {
            Ok(()) => RAY_OK,
            Err(_) => RAY_ERR_IO,
        }
    })
}

/// Loads a snapshot written by `ray_sym_save`: entry `i` must get (or
/// already have) id `i`. RAY_OK; RAY_ERR_IO for a NULL path or a missing
/// or unreadable file; RAY_ERR_CORRUPT for a file that is not a snapshot
/// or whose entries cannot keep their ids (symbols interned before the
/// failure stay interned, as in the reference).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_sym_load(path: *const c_char) -> ray_err_t {
    use crate::store::sym_file::{SymLoad, load};
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        let Some(path) = (unsafe { c_path(path) }) else { return RAY_ERR_IO };
        sym::init();
        match load(&path) {
            SymLoad::Loaded | SymLoad::Absent => RAY_OK,
            SymLoad::Corrupt => RAY_ERR_CORRUPT,
            SymLoad::Unreadable | SymLoad::TooLarge => RAY_ERR_IO,
        }
    })
}
