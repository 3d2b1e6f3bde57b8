//! The append-only log C API (`ray_aof_*`, storage.md 8) over
//! `store::aof`: argument checks, error codes and the handle's lifetime.
//! Independent of the runtime. Failures also set `ray_error_msg`.

use crate::abi::*;
use crate::core::error::set_last_message;
use crate::ffi::{byte_slice, cstr_bytes};
use crate::ffi_guard;
use crate::store::aof::{Aof, AofError, scan};
use core::ffi::{c_char, c_void};
use std::path::PathBuf;

/// An open log (`struct ray_aof_s`): opaque to C.
#[allow(non_camel_case_types)]
pub struct ray_aof_t {
    log: Aof,
}

/// `ray_aof_scan`'s callback: `false` stops the scan.
#[allow(non_camel_case_types)]
pub type ray_aof_scan_cb_t = Option<unsafe extern "C" fn(lsn: i64, payload: *const c_void, len: i64, ctx: *mut c_void) -> bool>;

/// Longest directory name accepted (bytes).
const MAX_DIR: usize = 4095;

fn code(e: &AofError) -> ray_err_t {
    set_last_message(Some(e.message()));
    match e {
        AofError::Domain(_) => RAY_ERR_DOMAIN,
        AofError::Limit(_) => RAY_ERR_LIMIT,
        AofError::Io(_) => RAY_ERR_IO,
        AofError::Corrupt(_) => RAY_ERR_CORRUPT,
    }
}

fn report(out_err: *mut ray_err_t, err: ray_err_t) {
    if !out_err.is_null() {
        // SAFETY: the caller passes NULL or a writable ray_err_t.
        unsafe { *out_err = err };
    }
}

fn domain(what: &str) -> AofError {
    AofError::Domain(format!("aof: {what}"))
}

/// The directory named by `dir`, or `domain` for NULL, empty or too long.
///
/// # Safety
/// `dir` is NULL or a NUL-terminated string.
unsafe fn dir_path(dir: *const c_char) -> Result<PathBuf, AofError> {
    // SAFETY: caller contract.
    let bytes = unsafe { cstr_bytes(dir) }.ok_or_else(|| domain("NULL directory"))?;
    if bytes.is_empty() || bytes.len() > MAX_DIR {
        return Err(domain("directory name empty or too long"));
    }
    use std::os::unix::ffi::OsStrExt;
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

/// Opens or creates the log in `dir` (created with its parents);
/// `segment_limit <= 0` means 256 MiB per segment. Every segment is
/// checked; records after the last commit frame are dropped (their LSNs
/// are reused). NULL on failure with `*out_err` (if not NULL) set:
/// RAY_ERR_DOMAIN (NULL or too long `dir`), RAY_ERR_IO, RAY_ERR_CORRUPT
/// (damaged committed data, including a damaged commit frame followed by
/// committed records, which RayforceDB silently truncates).
///
/// # Safety
/// `dir` is NULL or a NUL-terminated string; `out_err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_aof_open(dir: *const c_char, segment_limit: i64, out_err: *mut ray_err_t) -> *mut ray_aof_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let opened = unsafe { dir_path(dir) }.and_then(|d| Aof::open(&d, segment_limit));
        match opened {
            Ok(log) => {
                report(out_err, RAY_OK);
                Box::into_raw(Box::new(ray_aof_t { log }))
            }
            Err(e) => {
                report(out_err, code(&e));
                core::ptr::null_mut()
            }
        }
    })
}

/// Appends `len` bytes (buffered: durable at the next commit); returns the
/// record's LSN, or -1 with `*out_err` set: RAY_ERR_DOMAIN (NULL log, NULL
/// payload with `len > 0`, negative `len`), RAY_ERR_LIMIT (more than
/// 0xFFFFFFFE bytes), RAY_ERR_IO.
///
/// # Safety
/// `log` is NULL or open; `payload` holds `len` bytes; `out_err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_aof_append(log: *mut ray_aof_t, payload: *const c_void, len: i64, out_err: *mut ray_err_t) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract: NULL or a live handle from ray_aof_open.
        let Some(log) = (unsafe { log.as_mut() }) else {
            report(out_err, code(&domain("NULL log")));
            return -1;
        };
        let Ok(n) = usize::try_from(len) else {
            report(out_err, code(&domain("negative length")));
            return -1;
        };
        if n as u64 > crate::store::aof::segment::MAX_PAYLOAD {
            // Refused before a slice over memory the caller may not own is formed.
            report(out_err, code(&AofError::Limit(format!("aof: a record holds at most 4294967294 bytes, got {n}"))));
            return -1;
        }
        // SAFETY: caller contract: payload holds len bytes.
        let Some(bytes) = (unsafe { byte_slice(payload as *const u8, n) }) else {
            report(out_err, code(&domain("NULL payload")));
            return -1;
        };
        match log.log.append(bytes) {
            Ok(lsn) => {
                report(out_err, RAY_OK);
                lsn
            }
            Err(e) => {
                report(out_err, code(&e));
                -1
            }
        }
    })
}

/// Writes a commit frame and fsyncs when anything was appended since the
/// last commit (else nothing): RAY_OK, RAY_ERR_DOMAIN (NULL), RAY_ERR_IO.
///
/// # Safety
/// `log` is NULL or open.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_aof_commit(log: *mut ray_aof_t) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        match unsafe { log.as_mut() } {
            None => code(&domain("NULL log")),
            Some(l) => l.log.commit().map_or_else(|e| code(&e), |()| RAY_OK),
        }
    })
}

/// The LSN the next append gets; -1 for NULL.
///
/// # Safety
/// `log` is NULL or open.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_aof_next_lsn(log: *const ray_aof_t) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe { log.as_ref() }.map_or(-1, |l| l.log.next_lsn())
    })
}

/// Calls `cb` for every committed record with LSN >= `from_lsn`, in order,
/// until it returns false (that record counts); returns the number of
/// calls. Every segment is checked before the first call: -1 with
/// RAY_ERR_CORRUPT when committed data is damaged. A missing or empty
/// directory gives 0. RAY_ERR_DOMAIN for NULL `dir` or `cb`; RAY_ERR_IO.
/// Safe while a writer appends (only committed records are read).
///
/// # Safety
/// `dir` is NULL or a NUL-terminated string; `cb` must not unwind;
/// `out_err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_aof_scan(
    dir: *const c_char,
    from_lsn: i64,
    cb: ray_aof_scan_cb_t,
    ctx: *mut c_void,
    out_err: *mut ray_err_t,
) -> i64 {
    ffi_guard!({
        let Some(cb) = cb else {
            report(out_err, code(&domain("NULL callback")));
            return -1;
        };
        // SAFETY: caller contract.
        let scanned = unsafe { dir_path(dir) }.and_then(|d| {
            scan(&d, from_lsn, |lsn, payload| {
                // SAFETY: the callback gets a live payload for the call's duration.
                unsafe { cb(lsn, payload.as_ptr() as *const c_void, payload.len() as i64, ctx) }
            })
        });
        match scanned {
            Ok(n) => {
                report(out_err, RAY_OK);
                n
            }
            Err(e) => {
                report(out_err, code(&e));
                -1
            }
        }
    })
}

/// Commits what is pending, closes and frees the handle (freed even when
/// the commit fails); returns the commit's status. RAY_ERR_DOMAIN for NULL.
///
/// # Safety
/// `log` is NULL or open; it is invalid afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_aof_close(log: *mut ray_aof_t) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        if log.is_null() {
            return code(&domain("NULL log"));
        }
        // SAFETY: caller contract: a handle from ray_aof_open, given up here.
        let log = unsafe { Box::from_raw(log) };
        log.log.close().map_or_else(|e| code(&e), |()| RAY_OK)
    })
}
