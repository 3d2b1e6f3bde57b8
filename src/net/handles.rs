//! The process-wide handle table. Handles are small integers, lowest free
//! slot first, shared by listeners, inbound (server) connections and
//! outbound (client) connections, so a handle stays valid whichever poll is
//! attached (the reference resolves handles through the active poll; ours
//! need none: a documented deviation).

use super::client::Client;
use super::server::InboundRef;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

/// An outbound connection: the client behind a lock, plus its socket's
/// descriptor so `close` can cut a request that another thread is waiting
/// on (the descriptor lives as long as this object: the client owns it).
pub struct Outbound {
    pub client: Mutex<Client>,
    fd: std::os::fd::RawFd,
}

impl Outbound {
    /// Shuts the connection down (wakes a thread waiting in a request).
    pub fn shutdown(&self) {
        // `self` owns the client that owns the socket: it is open.
        super::sys::shutdown_both(self.fd);
    }

    /// Sends the urgent byte that asks the server to cancel the request
    /// waiting on this connection (from any thread).
    pub fn send_urgent(&self) -> std::io::Result<()> {
        // `self` owns the client that owns the socket: it is open.
        super::sys::send_urgent_fd(self.fd)
    }
}

/// What a handle names.
#[derive(Clone)]
pub enum Endpoint {
    Listener,
    Outbound(Arc<Outbound>),
    Inbound(InboundRef),
}

static TABLE: Mutex<Vec<Option<Endpoint>>> = Mutex::new(Vec::new());

fn table() -> std::sync::MutexGuard<'static, Vec<Option<Endpoint>>> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers `e` in the lowest free slot; returns its handle.
pub fn insert(e: Endpoint) -> i64 {
    let mut t = table();
    match t.iter().position(Option::is_none) {
        Some(i) => {
            t[i] = Some(e);
            i as i64
        }
        None => {
            t.push(Some(e));
            (t.len() - 1) as i64
        }
    }
}

/// Registers a freshly connected client.
pub fn insert_client(mut c: Client) -> i64 {
    let fd = c.raw_fd();
    let mut t = table();
    let slot = t.iter().position(Option::is_none).unwrap_or(t.len());
    c.handle = slot as i64;
    let e = Endpoint::Outbound(Arc::new(Outbound { client: Mutex::new(c), fd }));
    if slot == t.len() {
        t.push(Some(e));
    } else {
        t[slot] = Some(e);
    }
    slot as i64
}

/// Replaces the endpoint of an existing handle.
pub fn set(h: i64, e: Endpoint) {
    let mut t = table();
    if let Some(s) = usize::try_from(h).ok().and_then(|i| t.get_mut(i)) {
        *s = Some(e);
    }
}

/// The endpoint named by `h`.
pub fn get(h: i64) -> Option<Endpoint> {
    let t = table();
    usize::try_from(h).ok().and_then(|i| t.get(i).cloned().flatten())
}

/// Frees `h`; returns what it named.
pub fn remove(h: i64) -> Option<Endpoint> {
    let mut t = table();
    let e = usize::try_from(h).ok().and_then(|i| t.get_mut(i)).and_then(Option::take);
    while matches!(t.last(), Some(None)) {
        t.pop();
    }
    e
}

/// Handles of every outbound connection.
pub fn outbound_handles() -> Vec<i64> {
    table()
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Some(Endpoint::Outbound(_))))
        .map(|(i, _)| i as i64)
        .collect()
}

thread_local! {
    static IN_REQUEST: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

/// True while this thread waits for a response on `h` (a nested sync
/// request on the same handle would deadlock: it fails with `io`).
pub fn in_request(h: i64) -> bool {
    IN_REQUEST.with(|v| v.borrow().contains(&h))
}

/// Marks this thread as waiting on a handle until dropped.
pub struct RequestMark(i64);

impl RequestMark {
    pub fn enter(h: i64) -> RequestMark {
        IN_REQUEST.with(|v| v.borrow_mut().push(h));
        RequestMark(h)
    }
}

impl Drop for RequestMark {
    fn drop(&mut self) {
        IN_REQUEST.with(|v| {
            let mut v = v.borrow_mut();
            if let Some(i) = v.iter().rposition(|&x| x == self.0) {
                v.remove(i);
            }
        });
    }
}
