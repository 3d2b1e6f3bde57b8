//! `rayforce.h` / `core/ipc.h`: the IPC client functions and the current
//! handle. Handles live in one process-wide table (see `net::handles`), so
//! `ray_ipc_connect` works without an attached poll, unlike the reference.

use crate::abi::{RAY_ERR_IO, RAY_OK, ray_err_t, ray_t};
use crate::core::RayError;
use crate::ffi::{borrow, give};
use crate::ffi_guard;
use crate::net;
use std::ffi::{CStr, c_char, c_int};

/// Reads an optional C string as bytes.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn opt_bytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: caller contract.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// Connects to a RayforceDB server and completes the handshake.
///
/// `host`: a host name, IPv4 or IPv6 literal (every resolved address is
/// tried). `user`/`password`: NULL when the server needs none (`user` may be
/// NULL with a password). `timeout_ms <= 0` means 5000 ms for connect and
/// handshake and 60 s for each later response wait; a positive value bounds
/// both. The four-argument form `ray_ipc_connect(host, port, user, password)`
/// is a header macro passing 0.
///
/// Returns a handle >= 0 (0 is valid), or -1 refused/error, -2 password
/// required but NULL, -3 credentials rejected, -4 wire-version mismatch,
/// -5 connect timeout. No poll needs to be attached. Thread-safe.
///
/// # Safety
/// `host` is NULL or a NUL-terminated string; so are `user` and `password`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_connect(
    host: *const c_char,
    port: u16,
    user: *const c_char,
    password: *const c_char,
    timeout_ms: c_int,
) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract on each string.
        let (host, user, password) = unsafe { (opt_bytes(host), opt_bytes(user), opt_bytes(password)) };
        let Some(host) = host.and_then(|h| std::str::from_utf8(h).ok()) else { return -1 };
        // A caller bypassing the header's macro passes a garbage timeout: clamp it.
        let timeout_ms = if timeout_ms > 24 * 3600 * 1000 { 0 } else { timeout_ms };
        net::connect(host, port, user, password, timeout_ms)
    })
}

/// Closes a connection (outbound or inbound). Unknown handles and second
/// closes are harmless no-ops.
#[unsafe(no_mangle)]
pub extern "C" fn ray_ipc_close(handle: i64) {
    ffi_guard!({ net::close(handle) })
}

/// Sends `msg` as a sync request and returns the answer (owned, +1).
///
/// `msg`: borrowed (a STR atom is source text the server evaluates; any
/// other value is sent as data/expression). A remote error arrives as an
/// error object carrying only its code; a closed, dead or silent peer, a
/// nested sync request on the same handle, or an undecodable reply give an
/// `io` error object (bounded by the connection's timeout, never a hang).
/// Frames the peer pushes while this waits are evaluated (async) or
/// evaluated and answered (sync).
///
/// # Safety
/// `msg` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_send(handle: i64, msg: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(m) = (unsafe { borrow(msg) }) else { return RayError::type_err("NULL message").into_raw() };
        give(net::send(handle, &m.to_value(), false))
    })
}

/// As `ray_ipc_send` with the verbose flag: the answer is a 2-element LIST
/// `[captured stdout+stderr STR, result]` (a remote error result makes the
/// whole answer that error, as in the reference).
///
/// # Safety
/// `msg` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_send_verbose(handle: i64, msg: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(m) = (unsafe { borrow(msg) }) else { return RayError::type_err("NULL message").into_raw() };
        give(net::send(handle, &m.to_value(), true))
    })
}

/// Sends `msg` (borrowed) as an async message; returns once written.
/// `RAY_ERR_IO` for an unknown/closed handle, NULL `msg` or a write failure.
///
/// # Safety
/// `msg` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_send_async(handle: i64, msg: *mut ray_t) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        let Some(m) = (unsafe { borrow(msg) }) else { return RAY_ERR_IO };
        match net::post(handle, &m.to_value()) {
            Ok(()) => RAY_OK,
            Err(e) if e.code_str() == "io" => RAY_ERR_IO,
            Err(e) => crate::core::error::err_from_code(e.code_str()),
        }
    })
}

/// Extension: bounds each response wait on an outbound handle to
/// `timeout_ms` (<= 0: wait forever). `RAY_ERR_IO` for unknown handles.
#[unsafe(no_mangle)]
pub extern "C" fn ray_ipc_set_timeout(handle: i64, timeout_ms: i64) -> ray_err_t {
    ffi_guard!(ray_err_t, { if net::set_timeout(handle, timeout_ms) { RAY_OK } else { RAY_ERR_IO } })
}

/// Extension: asks the server to cancel the request waiting on `handle`
/// (TCP urgent byte, wire.md section 7), from any thread: the
/// `ray_ipc_send` waiting on it returns the error `cancel`. With no request
/// pending the server ignores it. `RAY_ERR_IO` for unknown handles or a
/// dead connection.
#[unsafe(no_mangle)]
pub extern "C" fn ray_ipc_cancel(handle: i64) -> ray_err_t {
    ffi_guard!(ray_err_t, { if net::cancel(handle) { RAY_OK } else { RAY_ERR_IO } })
}

/// The handle of the connection whose request or hook is being evaluated
/// on this thread, else -1.
#[unsafe(no_mangle)]
pub extern "C" fn ray_ipc_current_handle() -> i64 {
    ffi_guard!({ net::current_handle() })
}
