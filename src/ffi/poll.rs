//! `rayforce.h` / `core/ipc.h`: the poll (event loop) API, the runtime's
//! attached poll, listeners, and the legacy caller-allocated server.

use crate::abi::{RAY_ERR_IO, RAY_OK, ray_err_t};
use crate::ffi_guard;
use crate::net::server::{Poll, Shared};
use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// An event loop (`ray_poll_t`, C tag `struct ray_poll`). The first 304
/// bytes mirror `core/poll.h`: C may write `auth_secret` (NUL-padded
/// password, empty = none) and `restricted` before connections arrive; the
/// loop re-reads them before every wait. `code` mirrors the exit code.
/// Behind the prefix: `shared` (what other threads touch: exit, wake) and
/// `inner` (the loop, locked by the thread running it).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct ray_poll_t {
    fd: i64,
    code: AtomicI64,
    sels: *mut c_void,
    n_sels: u32,
    sel_cap: u32,
    auth_secret: UnsafeCell<[u8; 256]>,
    restricted: UnsafeCell<u8>,
    _pad: [u8; 7],
    timers: *mut c_void,
    shared: Arc<Shared>,
    inner: Mutex<Poll>,
}

const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(ray_poll_t, code) == 8);
    assert!(offset_of!(ray_poll_t, auth_secret) == 32);
    assert!(offset_of!(ray_poll_t, restricted) == 288);
    assert!(offset_of!(ray_poll_t, timers) == 296);
    assert!(offset_of!(ray_poll_t, shared) == 304);
};

impl ray_poll_t {
    fn lock(&self) -> std::sync::MutexGuard<'_, Poll> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies what C wrote into `auth_secret` and `restricted`.
    fn sync_config(&self) {
        // SAFETY: the fields are plain bytes inside a live poll; C writes
        // them only between runs (header contract), volatile reads see them.
        let (secret, restricted) = unsafe {
            (std::ptr::read_volatile(self.auth_secret.get()), std::ptr::read_volatile(self.restricted.get()))
        };
        let n = secret.iter().position(|&b| b == 0).unwrap_or(255).min(255);
        self.shared.set_secret(&secret[..n]);
        self.shared.set_restricted(restricted != 0);
    }

    /// Runs turns until an exit code is set (or one turn when `once`).
    fn run(&self, timeout_ms: c_int, once: bool) -> i64 {
        let mut poll = self.lock();
        loop {
            let c = self.shared.exit_code();
            if c >= 0 {
                self.code.store(c, Ordering::Release);
                return c;
            }
            self.sync_config();
            if poll.turn(if once { timeout_ms } else { -1 }).is_err() {
                return -1;
            }
            if once {
                let c = self.shared.exit_code();
                self.code.store(c, Ordering::Release);
                return c.max(0);
            }
        }
    }
}

/// Creates an event loop (not running; exit code -1). NULL on failure.
/// Evaluation of requests happens on the loop's worker threads.
#[unsafe(no_mangle)]
pub extern "C" fn ray_poll_create() -> *mut ray_poll_t {
    ffi_guard!({
        crate::ipc::install();
        match Poll::new(false) {
            Ok(p) => Box::into_raw(Box::new(ray_poll_t {
                fd: -1,
                code: AtomicI64::new(-1),
                sels: std::ptr::null_mut(),
                n_sels: 0,
                sel_cap: 0,
                auth_secret: UnsafeCell::new([0; 256]),
                restricted: UnsafeCell::new(0),
                _pad: [0; 7],
                timers: std::ptr::null_mut(),
                shared: p.shared().clone(),
                inner: Mutex::new(p),
            })),
            Err(_) => std::ptr::null_mut(),
        }
    })
}

/// Closes every connection (firing `.ipc.on.close`) and listener, stops the
/// workers and frees the poll. Detaches it from the runtime if attached.
/// NULL is a no-op. Must not be called while another thread runs it.
///
/// # Safety
/// `poll` is NULL or a pointer from `ray_poll_create` not yet destroyed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_poll_destroy(poll: *mut ray_poll_t) {
    ffi_guard!({
        if poll.is_null() {
            return;
        }
        if crate::runtime::poll() == poll as usize {
            crate::runtime::set_poll(0);
        }
        // SAFETY: caller contract: a live poll created by Box::into_raw.
        drop(unsafe { Box::from_raw(poll) });
    })
}

/// Connections accepted after this call are read-only (`-U`) when
/// `restricted` is true. NULL ignored. Any thread.
///
/// # Safety
/// `poll` is NULL or a live poll.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_poll_set_restricted(poll: *mut ray_poll_t, restricted: bool) {
    ffi_guard!({
        // SAFETY: caller contract.
        if let Some(p) = unsafe { poll.as_ref() } {
            // SAFETY: a byte field of a live poll (see sync_config).
            unsafe { std::ptr::write_volatile(p.restricted.get(), restricted as u8) };
            p.shared.set_restricted(restricted);
        }
    })
}

/// Extension: sets the password clients must send (NULL or "" = none).
/// Truncated to 255 bytes; compared in constant time. Any thread.
///
/// # Safety
/// `poll` is NULL or a live poll; `password` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_poll_set_auth(poll: *mut ray_poll_t, password: *const c_char) {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(p) = (unsafe { poll.as_ref() }) else { return };
        // SAFETY: caller contract.
        let pw = if password.is_null() { &[][..] } else { unsafe { CStr::from_ptr(password) }.to_bytes() };
        let n = pw.len().min(255);
        let mut padded = [0u8; 256];
        padded[..n].copy_from_slice(&pw[..n]);
        // SAFETY: the secret field of a live poll (see sync_config).
        unsafe { std::ptr::write_volatile(p.auth_secret.get(), padded) };
        p.shared.set_secret(&pw[..n]);
    })
}

/// Runs the loop until `ray_poll_exit` sets a code; returns it (-1 for
/// NULL or a wait failure).
///
/// # Safety
/// `poll` is NULL or a live poll.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_poll_run(poll: *mut ray_poll_t) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { poll.as_ref() } {
            Some(p) => p.run(-1, false),
            None => -1,
        }
    })
}

/// One wait of at most `timeout_ms` (0 = just drain; < 0 = `ray_poll_run`),
/// then dispatch. Returns 0, or the exit code once set; -1 for NULL/failure.
///
/// # Safety
/// `poll` is NULL or a live poll.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_poll_run_for(poll: *mut ray_poll_t, timeout_ms: c_int) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { poll.as_ref() } {
            Some(p) if timeout_ms < 0 => p.run(-1, false),
            Some(p) => p.run(timeout_ms, true),
            None => -1,
        }
    })
}

/// Asks the loop to stop with `code` (sticky: later runs return at once).
/// Callable from any thread; wakes a blocked `ray_poll_run` immediately.
///
/// # Safety
/// `poll` is NULL or a live poll.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_poll_exit(poll: *mut ray_poll_t, code: i64) {
    ffi_guard!({
        // SAFETY: caller contract.
        if let Some(p) = unsafe { poll.as_ref() } {
            p.shared.exit(code);
        }
    })
}

/// Attaches (NULL detaches) the runtime's poll; ignored without a live
/// runtime. Borrowed: the caller still destroys it. IPC handles do not depend on it (process-wide table).
#[unsafe(no_mangle)]
pub extern "C" fn ray_runtime_set_poll(poll: *mut c_void) {
    ffi_guard!({ crate::runtime::set_poll(poll as usize) })
}

/// The attached poll, or NULL.
#[unsafe(no_mangle)]
pub extern "C" fn ray_runtime_get_poll() -> *mut c_void {
    ffi_guard!({ crate::runtime::poll() as *mut c_void })
}

/// Listens on `0.0.0.0:port` (0 = an ephemeral port, see
/// `ray_ipc_listen_port`) and serves it from `poll`. Returns the listener's
/// id (>= 0), or -1 for NULL or a bind/listen failure.
///
/// # Safety
/// `poll` is NULL or a live poll not being run by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_listen(poll: *mut ray_poll_t, port: u16) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { poll.as_ref() } {
            Some(p) => p.lock().listen(port).unwrap_or(-1),
            None => -1,
        }
    })
}

/// Extension: the TCP port listener `id` of `poll` is bound to, or -1.
///
/// # Safety
/// `poll` is NULL or a live poll not being run by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_listen_port(poll: *mut ray_poll_t, id: i64) -> c_int {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { poll.as_ref() } {
            Some(p) => p.lock().listen_port(id).map_or(-1, c_int::from),
            None => -1,
        }
    })
}

/// `ray_ipc_header_t`: the 16-byte frame header as C sees it.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct ray_ipc_header_t {
    pub prefix: u32,
    pub version: u8,
    pub flags: u8,
    pub endian: u8,
    pub msgtype: u8,
    pub size: i64,
}

/// `ray_ipc_conn_t` (56 bytes): kept for layout; our legacy server keeps its
/// connection state elsewhere and leaves these slots zeroed.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct ray_ipc_conn_t {
    pub fd: c_int,
    pub rx_buf: *mut u8,
    pub rx_len: usize,
    pub rx_need: usize,
    pub phase: u8,
    pub hdr: ray_ipc_header_t,
}

/// `ray_ipc_server_t` (14608 bytes, caller-allocated). Callers read
/// `listen_fd`, write `running`, `auth_secret` (NUL-terminated) and
/// `restricted`; both are re-read on every `ray_ipc_poll`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct ray_ipc_server_t {
    pub listen_fd: c_int,
    pub poll_fd: c_int,
    pub conns: [ray_ipc_conn_t; 256],
    pub n_conns: u32,
    pub running: u8,
    pub auth_secret: [u8; 256],
    pub restricted: u8,
}

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<ray_ipc_header_t>() == 16);
    assert!(size_of::<ray_ipc_conn_t>() == 56);
    assert!(offset_of!(ray_ipc_conn_t, phase) == 32 && offset_of!(ray_ipc_conn_t, hdr) == 40);
    assert!(size_of::<ray_ipc_server_t>() == 14608 && align_of::<ray_ipc_server_t>() == 8);
    assert!(offset_of!(ray_ipc_server_t, poll_fd) == 4 && offset_of!(ray_ipc_server_t, conns) == 8);
    assert!(offset_of!(ray_ipc_server_t, n_conns) == 14344);
    assert!(offset_of!(ray_ipc_server_t, running) == 14348);
    assert!(offset_of!(ray_ipc_server_t, auth_secret) == 14349);
    assert!(offset_of!(ray_ipc_server_t, restricted) == 14605);
};

type LegacyMap = HashMap<usize, Arc<Mutex<Poll>>>;
/// Legacy servers by the address of their caller-owned struct.
static LEGACY: Mutex<Option<LegacyMap>> = Mutex::new(None);

fn legacy(srv: *mut ray_ipc_server_t) -> Option<Arc<Mutex<Poll>>> {
    LEGACY.lock().unwrap_or_else(|e| e.into_inner()).as_ref()?.get(&(srv as usize)).cloned()
}

/// Legacy server: zeroes `*srv`, listens on `port` (0 = ephemeral; read it
/// with `getsockname(srv->listen_fd)`), sets `running`. Requests are
/// evaluated synchronously inside `ray_ipc_poll`. `RAY_ERR_IO` on failure.
///
/// # Safety
/// `srv` is NULL or points to a writable `ray_ipc_server_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_server_init(srv: *mut ray_ipc_server_t, port: u16) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        if srv.is_null() {
            return RAY_ERR_IO;
        }
        // SAFETY: caller contract: writable struct; all-zero is a valid value.
        unsafe { std::ptr::write_bytes(srv, 0, 1) };
        crate::ipc::install();
        let Ok(mut poll) = Poll::new(true) else { return RAY_ERR_IO };
        let Ok(id) = poll.listen(port) else { return RAY_ERR_IO };
        let fd = poll.listener_fd(id).unwrap_or(-1);
        // SAFETY: caller contract.
        let s = unsafe { &mut *srv };
        s.listen_fd = fd;
        s.poll_fd = -1;
        s.running = 1;
        LEGACY.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).insert(srv as usize, Arc::new(Mutex::new(poll)));
        RAY_OK
    })
}

/// One wait of at most `timeout_ms`: accept, drive handshakes and frames,
/// evaluate requests on this thread, reply. Returns the number of ready
/// descriptors (>= 0), or -1 for NULL/unknown servers and wait failures.
///
/// # Safety
/// `srv` is NULL or a struct initialised by `ray_ipc_server_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_poll(srv: *mut ray_ipc_server_t, timeout_ms: c_int) -> c_int {
    ffi_guard!({
        let Some(poll) = legacy(srv) else { return -1 };
        // SAFETY: caller contract: an initialised struct.
        let (secret, restricted) = unsafe {
            let s = &*srv;
            let n = s.auth_secret.iter().position(|&b| b == 0).unwrap_or(255);
            (s.auth_secret[..n].to_vec(), s.restricted != 0)
        };
        let mut p = poll.lock().unwrap_or_else(|e| e.into_inner());
        p.shared().set_secret(&secret);
        p.shared().set_restricted(restricted);
        let r = p.turn(timeout_ms.max(0));
        // SAFETY: caller contract.
        unsafe { (*srv).n_conns = p.connection_count() as u32 };
        match r {
            Ok(n) => n.min(c_int::MAX as usize) as c_int,
            Err(_) => -1,
        }
    })
}

/// Closes every connection and the listener; `running` = false. NULL and
/// unknown servers are ignored.
///
/// # Safety
/// `srv` is NULL or a struct initialised by `ray_ipc_server_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_server_destroy(srv: *mut ray_ipc_server_t) {
    ffi_guard!({
        if srv.is_null() {
            return;
        }
        let poll = LEGACY.lock().unwrap_or_else(|e| e.into_inner()).as_mut().and_then(|m| m.remove(&(srv as usize)));
        drop(poll);
        // SAFETY: caller contract.
        unsafe {
            (*srv).running = 0;
            (*srv).listen_fd = -1;
            (*srv).n_conns = 0;
        }
    })
}
