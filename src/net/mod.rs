//! IPC transport: buffered frame I/O, the blocking client, the poll server.
//!
//! Layout:
//! - `sys`: the only `unsafe`/`libc` (poll, listen, sendmsg, capture, signals).
//! - `conn`: receive buffer, transmit queue, whole-frame blocking I/O.
//! - `client`: outbound connections (`ray_ipc_connect`, `.ipc.open`).
//! - `server`: the poll loop, its connection slab and evaluation workers
//!   (one file per job: see `server/mod.rs`).
//! - `handles`: the process-wide handle table shared by both directions.
//! - `handler`: the trait through which requests and hooks reach the
//!   evaluator; the layer above (`crate::ipc`) installs it.
//!
//! This module's free functions are what `ffi` and the `.ipc.*` builtins
//! call: they resolve a handle and act on whichever side it names. `net`
//! knows no language: it never imports `lang`.

pub mod client;
pub mod conn;
pub mod handler;
pub mod handles;
pub mod server;
pub mod sys;

use crate::core::{RayError, Result, Value};
pub use handler::{Caller, Handler, Hook};
use handles::Endpoint;
use std::cell::Cell;

thread_local! {
    static CURRENT_HANDLE: Cell<i64> = const { Cell::new(-1) };
}

/// The connection whose request or hook this thread is evaluating, else -1
/// (`(.ipc.handle)`, `ray_ipc_current_handle`).
pub fn current_handle() -> i64 {
    CURRENT_HANDLE.with(|c| c.get())
}

/// Runs `f` with `(.ipc.handle)` = `h`, restoring the previous value.
pub fn with_current_handle<R>(h: i64, f: impl FnOnce() -> R) -> R {
    struct Restore(i64);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT_HANDLE.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT_HANDLE.with(|c| c.replace(h)));
    f()
}

/// Opens an outbound connection and registers it; returns its handle or
/// the negative code of wire.md 2.4.
pub fn connect(host: &str, port: u16, user: Option<&[u8]>, password: Option<&[u8]>, timeout_ms: i32) -> i64 {
    match client::connect(host, port, user, password, timeout_ms) {
        Ok(c) => {
            crate::runtime::on_destroy(close_all_outbound);
            handles::insert_client(c)
        }
        Err(e) => e.code(),
    }
}

/// Sync request on any handle: the peer's value, its error, or `io`.
pub fn send(h: i64, msg: &Value, verbose: bool) -> Result<Value> {
    match handles::get(h) {
        Some(Endpoint::Outbound(o)) => {
            if handles::in_request(h) {
                return Err(RayError::io("a sync request is already waiting on this handle"));
            }
            let _mark = handles::RequestMark::enter(h);
            let mut c = o.client.lock().unwrap_or_else(|e| e.into_inner());
            c.request(msg, verbose)
        }
        Some(Endpoint::Inbound(i)) => i.send(msg, verbose),
        _ => Err(RayError::io("connection closed")),
    }
}

/// Async message on any handle.
pub fn post(h: i64, msg: &Value) -> Result<()> {
    match handles::get(h) {
        Some(Endpoint::Outbound(o)) => {
            let mut c = o.client.lock().unwrap_or_else(|e| e.into_inner());
            c.post(msg)
        }
        Some(Endpoint::Inbound(i)) => i.post(msg),
        _ => Err(RayError::io("connection closed")),
    }
}

/// Closes any handle; unknown or already closed handles are ignored.
pub fn close(h: i64) {
    match handles::get(h) {
        Some(Endpoint::Outbound(o)) => {
            handles::remove(h);
            o.shutdown();
        }
        Some(Endpoint::Inbound(i)) => i.close(),
        _ => {}
    }
}

/// Asks the server to cancel the request waiting on outbound handle `h`
/// (wire.md 7: one urgent byte; the waiting call then gets `cancel`, and
/// with no request pending the server ignores it). Callable from any
/// thread. False for unknown handles or a dead connection.
pub fn cancel(h: i64) -> bool {
    match handles::get(h) {
        Some(Endpoint::Outbound(o)) => o.send_urgent().is_ok(),
        _ => false,
    }
}

/// Changes the response wait bound of an outbound handle (`ms <= 0`:
/// wait forever). False for unknown handles.
pub fn set_timeout(h: i64, ms: i64) -> bool {
    match handles::get(h) {
        Some(Endpoint::Outbound(o)) => {
            let t = (ms > 0).then(|| std::time::Duration::from_millis(ms as u64));
            o.client.lock().unwrap_or_else(|e| e.into_inner()).set_reply_timeout(t);
            true
        }
        _ => false,
    }
}

/// Closes every outbound connection (runtime teardown).
pub fn close_all_outbound() {
    for h in handles::outbound_handles() {
        close(h);
    }
}
