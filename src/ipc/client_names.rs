//! The client names of RayforceDB's documented Rust IPC API (`hopen`,
//! `hopen_timeout`, `Connection`, `ConnectionPool`, `IPCError`), so code
//! written from that documentation compiles against this crate.
//!
//! A thin naming layer only: every call goes to `api::TcpClient` /
//! `api::ConnectionPool`, which own the connection, the pool and the wire.
//! What this module adds is the documented shapes: string `send_async`,
//! `write(&Value)`, a `Result` from `close`, and `IPCError`, which tells a
//! refused connection, a timeout and a closed connection from an error the
//! server raised. It must not grow a second client.

use crate::api::{self, TcpClient};
use crate::core::{RayError, Value};
use std::time::Duration;

/// A failed IPC call.
#[derive(Debug, Clone)]
pub enum IPCError {
    /// Could not connect (refused, unreachable, credentials or wire
    /// version rejected), or the connection broke during a request.
    ConnectionFailed(String),
    /// The connect, the handshake or the wait for a reply ran out of time.
    /// The connection is closed afterwards (the reply stream is out of step).
    Timeout,
    /// The connection was closed by `close` (or broke in an earlier call).
    NotConnected,
    /// The server evaluated the request and raised this error, or a local
    /// value operation failed (`From<RayError>`, so `?` works on both).
    Ray(RayError),
}

impl std::fmt::Display for IPCError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IPCError::ConnectionFailed(m) => write!(f, "connection failed: {m}"),
            IPCError::Timeout => f.write_str("timed out"),
            IPCError::NotConnected => f.write_str("not connected"),
            IPCError::Ray(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for IPCError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IPCError::Ray(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RayError> for IPCError {
    fn from(e: RayError) -> Self {
        IPCError::Ray(e)
    }
}

/// Opens a connection with the default budget (5 s for connect and
/// handshake, 60 s of silence per reply).
pub fn hopen(host: &str, port: u16) -> Result<Connection, IPCError> {
    open(host, port, None)
}

/// Opens a connection; `timeout` bounds the connect, the handshake and
/// each wait for a reply (`IPCError::Timeout` when it runs out). It is a
/// count of milliseconds, as RayforceDB documents it (`hopen_timeout(host,
/// port, 5000)`), or a `Duration`; zero or less means the default budget,
/// as for the C API's `ray_ipc_connect`.
pub fn hopen_timeout(host: &str, port: u16, timeout: impl IntoTimeout) -> Result<Connection, IPCError> {
    open(host, port, timeout.into_timeout())
}

/// A timeout argument: milliseconds as an integer, or a `Duration`.
pub trait IntoTimeout {
    /// `None` for the default budget.
    fn into_timeout(self) -> Option<Duration>;
}

impl IntoTimeout for Duration {
    fn into_timeout(self) -> Option<Duration> {
        (!self.is_zero()).then_some(self)
    }
}

macro_rules! millis_timeout {
    ($($t:ty),*) => {$(
        impl IntoTimeout for $t {
            #[allow(unused_comparisons)]
            fn into_timeout(self) -> Option<Duration> {
                (self > 0).then(|| Duration::from_millis(self as u64))
            }
        }
    )*};
}
millis_timeout!(i32, i64, u32, u64);

fn open(host: &str, port: u16, timeout: Option<Duration>) -> Result<Connection, IPCError> {
    match TcpClient::connect_detailed(host, port, timeout) {
        Ok(client) => Ok(Connection { client }),
        Err(f) if f.timed_out => Err(IPCError::Timeout),
        Err(f) => Err(IPCError::ConnectionFailed(format!("{host}:{port}: {}", f.code.to_ray_error()))),
    }
}

/// Classifies a failed request: the server's error while the connection
/// stays up, otherwise the transport's failure.
fn request_error(client: &TcpClient, e: RayError) -> IPCError {
    if client.is_connected() {
        IPCError::Ray(e)
    } else if crate::net::conn::is_timeout(&e) {
        IPCError::Timeout
    } else {
        IPCError::ConnectionFailed(e.to_string())
    }
}

fn live(client: &TcpClient) -> Result<&TcpClient, IPCError> {
    if client.is_connected() { Ok(client) } else { Err(IPCError::NotConnected) }
}

/// The documented connection methods, for `Connection` and `PooledConnection` alike.
macro_rules! connection_methods {
    () => {
        /// True until `close`, or until the connection broke.
        pub fn is_connected(&self) -> bool {
            self.tcp().is_connected()
        }

        /// Evaluates Rayfall source on the server and returns its value.
        pub fn execute(&self, query: &str) -> Result<Value, IPCError> {
            let c = live(self.tcp())?;
            c.execute(query).map_err(|e| request_error(c, e))
        }

        /// Sends any value synchronously (a string is source, a list with a
        /// function head is a call) and returns the server's value.
        pub fn send<V: AsRef<Value> + ?Sized>(&self, msg: &V) -> Result<Value, IPCError> {
            let c = live(self.tcp())?;
            c.send(msg.as_ref()).map_err(|e| request_error(c, e))
        }

        /// Sends Rayfall source without waiting: the server evaluates it
        /// before any later request on this connection.
        pub fn send_async(&self, query: &str) -> Result<(), IPCError> {
            self.write(&Value::string(query))
        }

        /// Sends a value without waiting (a string is evaluated as source,
        /// a call list is applied, data is evaluated and dropped). Takes a
        /// `Value` or a `RayVector` (`conn.write(&prices)`).
        pub fn write<V: AsRef<Value> + ?Sized>(&self, msg: &V) -> Result<(), IPCError> {
            let c = live(self.tcp())?;
            c.send_async(msg.as_ref()).map_err(|e| request_error(c, e))
        }

        /// Compression of what this side sends: `true` compresses frames
        /// over 2000 bytes when that saves bytes (the reference's rule),
        /// `false` never. Loopback connections start with it off, others
        /// on. Replies are compressed as the server decides; this setting
        /// does not ask the server anything.
        pub fn set_compression(&self, on: bool) -> Result<(), IPCError> {
            let c = live(self.tcp())?;
            c.set_compression(on).map_err(|e| request_error(c, e))
        }

        /// The underlying client (for `cancel`, `host`, `port`).
        pub fn tcp_client(&self) -> &TcpClient {
            self.tcp()
        }
    };
}

/// An open connection (`hopen`); closed by `close` or on drop.
#[derive(Debug)]
pub struct Connection {
    client: TcpClient,
}

impl Connection {
    fn tcp(&self) -> &TcpClient {
        &self.client
    }

    connection_methods!();

    /// Closes the connection. Closing twice is fine (`Ok`); calls after it
    /// fail with `IPCError::NotConnected`.
    pub fn close(&self) -> Result<(), IPCError> {
        self.client.close();
        Ok(())
    }

    pub fn into_tcp_client(self) -> TcpClient {
        self.client
    }
}

/// A fixed-size pool of connections to one server (`api::ConnectionPool`).
pub struct ConnectionPool {
    pool: api::ConnectionPool,
}

impl ConnectionPool {
    /// A pool of at most `size` connections, opened as they are first lent.
    pub fn new(host: &str, port: u16, size: usize) -> Result<ConnectionPool, IPCError> {
        Ok(ConnectionPool { pool: api::ConnectionPool::new(host, port, size)? })
    }

    /// Lends a live connection, waiting while all are lent out; it goes
    /// back to the pool when dropped (not if it was closed or broke).
    pub fn get(&self) -> Result<PooledConnection<'_>, IPCError> {
        match self.pool.get() {
            Ok(conn) => Ok(PooledConnection { conn }),
            Err(e) => Err(IPCError::ConnectionFailed(e.to_string())),
        }
    }

    /// Connections currently idle in the pool.
    pub fn idle_count(&self) -> usize {
        self.pool.idle_count()
    }
}

/// A connection lent by a `ConnectionPool`, with `Connection`'s methods.
pub struct PooledConnection<'a> {
    conn: api::PooledConnection<'a>,
}

impl PooledConnection<'_> {
    fn tcp(&self) -> &TcpClient {
        &self.conn
    }

    connection_methods!();

    /// Closes this connection; the pool replaces it with a fresh one.
    pub fn close(&self) -> Result<(), IPCError> {
        self.conn.close();
        Ok(())
    }
}
