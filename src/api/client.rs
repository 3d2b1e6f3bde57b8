//! `TcpClient`: a blocking connection to a RayforceDB server (ours or the
//! reference), and `ConnectionPool`, which lends out connections and
//! replaces broken ones.

use crate::core::{RayError, Result, Value};
use crate::net::client::{self, Client, ConnectFailure};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// A connection; closed on drop. Methods take `&self` (calls on one
/// connection are serialised by an internal lock).
pub struct TcpClient {
    host: String,
    port: u16,
    inner: Mutex<Option<Client>>,
    /// The socket again, for `cancel` and `close` while a request waits
    /// (holding `inner`).
    side: Option<std::net::TcpStream>,
}

fn non_empty(s: &str) -> Option<&[u8]> {
    (!s.is_empty()).then_some(s.as_bytes())
}

impl TcpClient {
    /// Connects with the default 5 s connect budget (`""` = no user / password).
    pub fn connect(host: &str, port: u16, user: &str, password: &str) -> Result<TcpClient> {
        Self::open(host, port, user, password, 0)
    }

    /// Connects; `timeout` bounds the connect, the handshake and each wait for a reply.
    pub fn connect_timeout(host: &str, port: u16, user: &str, password: &str, timeout: Duration) -> Result<TcpClient> {
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX).max(1);
        Self::open(host, port, user, password, ms)
    }

    fn open(host: &str, port: u16, user: &str, password: &str, timeout_ms: i32) -> Result<TcpClient> {
        Self::open_detailed(host, port, user, password, timeout_ms).map_err(|f| {
            let e = f.code;
            RayError::new(if e.to_ray_error().code_str() == "access" { "access" } else { "io" }, format!("{host}:{port}: {e:?} ({})", e.code()))
        })
    }

    /// `connect_timeout` (`timeout: None` = the default budget) that tells a
    /// timed-out handshake from a refused one (for `ipc::hopen_timeout`).
    pub(crate) fn connect_detailed(
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> std::result::Result<TcpClient, ConnectFailure> {
        let ms = timeout.map_or(0, |t| i32::try_from(t.as_millis()).unwrap_or(i32::MAX).max(1));
        Self::open_detailed(host, port, "", "", ms)
    }

    fn open_detailed(host: &str, port: u16, user: &str, password: &str, timeout_ms: i32) -> std::result::Result<TcpClient, ConnectFailure> {
        // Frames the server pushes on this connection are evaluated here.
        crate::ipc::install();
        let c = client::connect_detailed(host, port, non_empty(user), non_empty(password), timeout_ms)?;
        let side = c.socket_clone().ok();
        Ok(TcpClient { host: host.to_string(), port, inner: Mutex::new(Some(c)), side })
    }

    fn client(&self) -> Result<MutexGuard<'_, Option<Client>>> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.as_ref().is_none_or(|c| c.is_broken()) {
            return Err(RayError::io("connection closed"));
        }
        Ok(g)
    }

    /// Sends Rayfall source; the server's value, or `Err` for its error.
    pub fn execute(&self, query: &str) -> Result<Value> {
        self.send(&Value::str(query.as_bytes()))
    }

    /// Sends any value (a string is source, a list with a function head is a call).
    pub fn send(&self, msg: &Value) -> Result<Value> {
        let mut g = self.client()?;
        g.as_mut().expect("checked").request(msg, false)
    }

    /// Sends without waiting for an answer.
    pub fn send_async(&self, msg: &Value) -> Result<()> {
        let mut g = self.client()?;
        g.as_mut().expect("checked").post(msg)
    }

    /// Compresses large outgoing frames (`true`, the reference's rule:
    /// over 2000 bytes, when that saves bytes) or never (`false`). Connections
    /// to a loopback address start with it off, others with it on; the
    /// server compresses its replies by its own rule either way.
    pub fn set_compression(&self, on: bool) -> Result<()> {
        let mut g = self.client()?;
        g.as_mut().expect("checked").set_compression(on);
        Ok(())
    }

    /// True until `close`, or until the connection broke.
    pub fn is_connected(&self) -> bool {
        self.client().is_ok()
    }

    /// Asks the server to cancel the request this connection is waiting
    /// for (from another thread: the waiting `send`/`execute` then returns
    /// the error `cancel`). With no request pending the server ignores it.
    pub fn cancel(&self) -> Result<()> {
        let side = self.side.as_ref().ok_or_else(|| RayError::io("connection closed"))?;
        crate::net::sys::send_urgent(side).map_err(|e| RayError::io(format!("cancel: {e}")))
    }

    /// Closes the connection (idempotent); a request waiting on another
    /// thread ends with an `io` error.
    pub fn close(&self) {
        if let Some(s) = &self.side {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *g = None;
    }

    pub fn host(&self) -> &str {
        &self.host
    }
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl std::fmt::Debug for TcpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TcpClient({}:{}) - alive: {}", self.host, self.port, self.is_connected())
    }
}

/// A fixed-size pool of connections to one server.
pub struct ConnectionPool {
    host: String,
    port: u16,
    user: String,
    password: String,
    size: usize,
    idle: Mutex<Vec<TcpClient>>,
    out: Mutex<usize>,
    returned: std::sync::Condvar,
}

impl ConnectionPool {
    /// A pool of at most `size` connections (opened lazily).
    pub fn new(host: &str, port: u16, size: usize) -> Result<ConnectionPool> {
        Self::with_credentials(host, port, "", "", size)
    }

    pub fn with_credentials(host: &str, port: u16, user: &str, password: &str, size: usize) -> Result<ConnectionPool> {
        if size == 0 {
            return Err(RayError::domain("pool size must be at least 1"));
        }
        Ok(ConnectionPool {
            host: host.into(),
            port,
            user: user.into(),
            password: password.into(),
            size,
            idle: Mutex::new(Vec::new()),
            out: Mutex::new(0),
            returned: std::sync::Condvar::new(),
        })
    }

    /// Lends a live connection, waiting while all `size` are lent out.
    /// Broken idle connections are dropped and replaced by fresh ones.
    pub fn get(&self) -> Result<PooledConnection<'_>> {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        while *out >= self.size {
            out = self.returned.wait(out).unwrap_or_else(|e| e.into_inner());
        }
        *out += 1;
        drop(out);
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            idle.retain(|c| c.is_connected());
            idle.pop()
        };
        let conn = match reused {
            Some(c) => Ok(c),
            None => TcpClient::connect(&self.host, self.port, &self.user, &self.password),
        };
        match conn {
            Ok(c) => Ok(PooledConnection { pool: self, conn: Some(c) }),
            Err(e) => {
                self.give_back(None);
                Err(e)
            }
        }
    }

    fn give_back(&self, c: Option<TcpClient>) {
        if let Some(c) = c.filter(|c| c.is_connected()) {
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
        *self.out.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.returned.notify_one();
    }

    /// Connections currently idle in the pool.
    pub fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A connection lent by a pool; goes back when dropped.
pub struct PooledConnection<'a> {
    pool: &'a ConnectionPool,
    conn: Option<TcpClient>,
}

impl std::ops::Deref for PooledConnection<'_> {
    type Target = TcpClient;
    fn deref(&self) -> &TcpClient {
        self.conn.as_ref().expect("present until drop")
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        self.pool.give_back(self.conn.take());
    }
}
