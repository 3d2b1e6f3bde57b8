//! Runtime lifecycle and interrupts: `ray_runtime_create*`,
//! `ray_runtime_destroy`, the exported `__RUNTIME` pointer and the
//! process-wide interrupt flag.

use crate::abi::*;
use crate::ffi::cstr_bytes;
use crate::ffi_guard;
use crate::runtime::{self, SymLoad};
use core::ffi::{c_char, c_int};
use core::ptr;

/// Opaque runtime handle (`struct ray_runtime_s`).
#[repr(C)]
pub struct ray_runtime_t {
    _private: [u8; 0],
}

/// The live runtime (NULL when none): the pointer the last successful
/// `ray_runtime_create*` returned, reset by `ray_runtime_destroy`.
#[unsafe(no_mangle)]
pub static mut __RUNTIME: *mut ray_runtime_t = ptr::null_mut();

/// The handle's memory: one byte, so each runtime gets a distinct address.
fn new_handle() -> *mut ray_runtime_t {
    Box::into_raw(Box::new(0u8)) as *mut ray_runtime_t
}

fn create(sym_path: Option<&[u8]>, out_err: *mut ray_err_t) -> *mut ray_runtime_t {
    let path = sym_path.map(|b| std::path::PathBuf::from(String::from_utf8_lossy(b).into_owned()));
    let Some(load) = runtime::create(path.as_deref()) else { return ptr::null_mut() };
    let code = match load {
        SymLoad::Absent | SymLoad::Loaded => RAY_OK,
        SymLoad::Unreadable => RAY_ERR_IO,
        SymLoad::Corrupt => RAY_ERR_CORRUPT,
        SymLoad::TooLarge => RAY_ERR_OOM,
    };
    if !out_err.is_null() {
        // SAFETY: caller passes NULL or a writable ray_err_t.
        unsafe { *out_err = code };
    }
    let h = new_handle();
    // SAFETY: __RUNTIME is only written here and in destroy, on the
    // creating thread, by contract of the single-runtime rule.
    unsafe { __RUNTIME = h };
    h
}

/// Starts the runtime: symbol table, global environment and builtins.
/// `argc`/`argv` are ignored. Returns the handle (also stored in
/// `__RUNTIME`), or NULL when a runtime is already live (one per process).
/// The runtime is not bound to the calling thread.
///
/// # Safety
/// `argv` is not read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_runtime_create(argc: c_int, argv: *mut *mut c_char) -> *mut ray_runtime_t {
    let _ = (argc, argv);
    ffi_guard!({ create(None, ptr::null_mut()) })
}

/// As `ray_runtime_create`, loading the symbol snapshot at `sym_path`
/// (written by `ray_sym_save`; NUL-terminated) before the builtins are
/// registered, so its entries get ids 0..N-1. NULL or a missing file is
/// fine; other failures are ignored (the runtime is still created).
///
/// # Safety
/// `sym_path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_runtime_create_with_sym(sym_path: *const c_char) -> *mut ray_runtime_t {
    // SAFETY: caller contract.
    ffi_guard!({ create(unsafe { cstr_bytes(sym_path) }, ptr::null_mut()) })
}

/// As `ray_runtime_create_with_sym`, reporting the sym load in
/// `*out_sym_err` (when non-NULL): RAY_OK when loaded, for no path or a
/// missing file; RAY_ERR_IO for an unreadable path (a directory);
/// RAY_ERR_CORRUPT for a file that is not a snapshot or whose entries
/// cannot keep their ids; RAY_ERR_OOM for a file larger than half of
/// physical memory (not loaded).
///
/// # Safety
/// `sym_path` is NULL or a NUL-terminated string; `out_sym_err` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_runtime_create_with_sym_err(
    sym_path: *const c_char,
    out_sym_err: *mut ray_err_t,
) -> *mut ray_runtime_t {
    // SAFETY: caller contract.
    ffi_guard!({ create(unsafe { cstr_bytes(sym_path) }, out_sym_err) })
}

/// Stops the runtime `rt` (consumed): drops every global binding and
/// detaches the poll (an attached poll is not destroyed: detach and destroy
/// it first). Objects the caller still holds stay valid until released.
/// NULL, or a handle that is not the live runtime, is a no-op.
///
/// # Safety
/// `rt` is NULL or a handle from `ray_runtime_create*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_runtime_destroy(rt: *mut ray_runtime_t) {
    ffi_guard!({
        // SAFETY: read of the exported pointer (see create).
        if rt.is_null() || rt != unsafe { __RUNTIME } {
            return;
        }
        runtime::destroy();
        // SAFETY: as in create; rt came from new_handle (a Box<u8>).
        unsafe {
            __RUNTIME = ptr::null_mut();
            drop(Box::from_raw(rt as *mut u8));
        }
    })
}

/// Sets the process-wide cancel flag (async-signal-safe). Running and later
/// evaluations fail with code "cancel" until `ray_clear_interrupt`.
#[unsafe(no_mangle)]
pub extern "C" fn ray_request_interrupt() {
    ffi_guard!({ runtime::request_interrupt() })
}

/// Clears the process-wide cancel flag.
#[unsafe(no_mangle)]
pub extern "C" fn ray_clear_interrupt() {
    ffi_guard!({ runtime::clear_interrupt() })
}

/// True while the process-wide cancel flag is set.
#[unsafe(no_mangle)]
pub extern "C" fn ray_interrupted() -> bool {
    ffi_guard!({ runtime::interrupted() })
}

/// Physical memory in bytes, or 0 without a live runtime.
#[unsafe(no_mangle)]
pub extern "C" fn ray_sys_total_ram() -> i64 {
    ffi_guard!({
        if !runtime::is_live() {
            return 0;
        }
        crate::core::budget::physical_ram() as i64
    })
}
