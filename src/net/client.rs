//! The blocking client: connect (resolve, TCP connect with a budget,
//! greeting, credentials), sync requests that also serve frames the peer
//! pushes meanwhile, async posts.
//!
//! Timeouts: `timeout_ms <= 0` means 5000 ms for connect + handshake (the
//! reference's budget) and `DEFAULT_REPLY_TIMEOUT` for each wait on a
//! response; a positive `timeout_ms` bounds both. A wait is a period in
//! which *no byte* arrives, so a large reply that keeps flowing never times
//! out; a dead or silent peer gives `io` after at most that long.

use super::conn::{self, Received};
use crate::core::{RayError, Result, Value};
use crate::proto::frame::{self, Compression};
use crate::proto::handshake::{self, AUTH_ACCEPTED};
use crate::proto::header::{FLAG_VERBOSE, MSG_ASYNC, MSG_RESPONSE, MSG_SYNC};
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Connect + handshake budget when the caller gives none.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(5000);
/// Longest silence tolerated while waiting for a response, by default.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// `ray_ipc_connect`'s negative results (wire.md 2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectError {
    /// -1: refused, resolution failure, bad greeting, silent peer.
    Refused = -1,
    /// -2: the server wants a password and none was given.
    AuthRequired = -2,
    /// -3: the server rejected the credentials.
    AuthFailed = -3,
    /// -4: the peer speaks another wire version (or another protocol).
    Version = -4,
    /// -5: the TCP connect did not complete within the budget.
    Timeout = -5,
}

impl ConnectError {
    pub fn code(self) -> i64 {
        self as i64
    }

    /// The error `.ipc.open` raises for this failure.
    pub fn to_ray_error(self) -> RayError {
        match self {
            ConnectError::AuthRequired => RayError::new("access", "authentication required"),
            ConnectError::AuthFailed => RayError::new("access", "authentication failed"),
            ConnectError::Timeout => RayError::io("timed out"),
            _ => RayError::io("connection refused"),
        }
    }
}

/// Why a connect failed: the C API's code, and whether the budget ran
/// out. A peer that accepts but never answers the greeting is `Refused`
/// for the C API (wire.md 2.4) yet timed out for callers that ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectFailure {
    pub code: ConnectError,
    pub timed_out: bool,
}

impl From<ConnectError> for ConnectFailure {
    fn from(code: ConnectError) -> Self {
        ConnectFailure { code, timed_out: code == ConnectError::Timeout }
    }
}

/// A handshake read that failed: a silent peer timed out, anything else refused.
fn handshake_read_failure(e: std::io::Error, code: ConnectError) -> ConnectFailure {
    let timed_out = matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut);
    ConnectFailure { code, timed_out }
}

/// An established outbound connection.
pub struct Client {
    sock: TcpStream,
    reply_timeout: Option<Duration>,
    compression: Compression,
    /// A transport failure left the stream out of sync: every call fails.
    broken: bool,
    /// The handle this client is registered under (for pushed frames).
    pub handle: i64,
    /// Bytes received past the last frame.
    rx: conn::RxBuf,
}

fn budget(timeout_ms: i32) -> Duration {
    if timeout_ms > 0 { Duration::from_millis(timeout_ms as u64) } else { DEFAULT_CONNECT_TIMEOUT }
}

/// Connects to `host:port` (names, IPv4 and IPv6 literals; every resolved
/// address is tried in order) and completes the handshake.
pub fn connect(
    host: &str,
    port: u16,
    user: Option<&[u8]>,
    password: Option<&[u8]>,
    timeout_ms: i32,
) -> std::result::Result<Client, ConnectError> {
    connect_detailed(host, port, user, password, timeout_ms).map_err(|f| f.code)
}

/// `connect`, telling a timed-out handshake from a refused one.
pub fn connect_detailed(
    host: &str,
    port: u16,
    user: Option<&[u8]>,
    password: Option<&[u8]>,
    timeout_ms: i32,
) -> std::result::Result<Client, ConnectFailure> {
    let total = budget(timeout_ms);
    let deadline = Instant::now() + total;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(|_| ConnectError::Refused)?.collect();
    let mut last = ConnectError::Refused;
    let mut sock = None;
    let mut peer = None;
    for a in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            last = ConnectError::Timeout;
            break;
        }
        match super::sys::connect_within(&a, left) {
            Ok(s) => {
                sock = Some(s);
                peer = Some(a);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => last = ConnectError::Timeout,
            Err(_) => last = ConnectError::Refused,
        }
    }
    let mut sock = sock.ok_or(last)?;
    let _ = sock.set_nodelay(true);
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
    // The handshake's writes are a few bytes into an empty send buffer:
    // only its reads need the budget.
    let _ = sock.set_read_timeout(Some(left));
    let greet = handshake(&mut sock, user, password)?;
    debug_assert!(greet);
    let reply_timeout = if timeout_ms > 0 { Some(total) } else { Some(DEFAULT_REPLY_TIMEOUT) };
    let _ = sock.set_read_timeout(reply_timeout);
    let _ = sock.set_write_timeout(reply_timeout);
    let loopback = peer.is_some_and(|a| a.ip().is_loopback());
    let compression = if loopback { Compression::Never } else { Compression::WhenItPays };
    Ok(Client { sock, reply_timeout, compression, broken: false, handle: -1, rx: conn::RxBuf::default() })
}

fn handshake(sock: &mut TcpStream, user: Option<&[u8]>, password: Option<&[u8]>) -> std::result::Result<bool, ConnectFailure> {
    use std::io::Read;
    sock.write_all(&handshake::client_greeting()).map_err(|_| ConnectError::Refused)?;
    let mut g = [0u8; 2];
    sock.read_exact(&mut g).map_err(|e| handshake_read_failure(e, ConnectError::Refused))?;
    if g[0] != crate::proto::header::WIRE_VERSION {
        return Err(ConnectError::Version.into());
    }
    match g[1] {
        0 => Ok(true),
        1 => {
            let pw = password.ok_or(ConnectError::AuthRequired)?;
            let msg = handshake::credential_message(user, pw).ok_or(ConnectError::Refused)?;
            sock.write_all(&msg).map_err(|_| ConnectError::AuthFailed)?;
            let mut r = [0u8; 1];
            sock.read_exact(&mut r).map_err(|e| handshake_read_failure(e, ConnectError::AuthFailed))?;
            if r[0] == AUTH_ACCEPTED { Ok(true) } else { Err(ConnectError::AuthFailed.into()) }
        }
        _ => Err(ConnectError::Refused.into()),
    }
}

impl Client {
    /// A second descriptor of the socket, for another thread to send the
    /// cancel byte or shut the connection down while a request waits.
    pub fn socket_clone(&self) -> std::io::Result<TcpStream> {
        self.sock.try_clone()
    }

    /// The socket's descriptor (to shut it down from another thread).
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.sock.as_raw_fd()
    }

    /// Changes the response wait bound (`None` = wait forever).
    pub fn set_reply_timeout(&mut self, t: Option<Duration>) {
        self.reply_timeout = t;
        let _ = self.sock.set_read_timeout(t);
        let _ = self.sock.set_write_timeout(t);
    }

    /// Compresses outgoing frames by the reference's rule (payloads over
    /// 2000 bytes, when that saves bytes), or never. Loopback connections
    /// start with it off; replies are compressed as the server decides.
    pub fn set_compression(&mut self, on: bool) {
        self.compression = if on { Compression::WhenItPays } else { Compression::Never };
    }

    pub fn is_broken(&self) -> bool {
        self.broken
    }

    fn fail<T>(&mut self, e: RayError) -> Result<T> {
        self.broken = true;
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
        Err(e)
    }

    fn send_frame(&mut self, msg: &Value, msgtype: u8, flags: u8) -> Result<()> {
        if self.broken {
            return Err(RayError::io("connection closed"));
        }
        let f = frame::build(msg, msgtype, flags, self.compression)?;
        if let Err(e) = conn::write_frame(&self.sock, &f) {
            return self.fail(RayError::io(format!("send failed: {e}")));
        }
        Ok(())
    }

    /// Sends `msg` without waiting for anything.
    pub fn post(&mut self, msg: &Value) -> Result<()> {
        self.send_frame(msg, MSG_ASYNC, 0)
    }

    /// Sends a sync request and returns the response (the server's error
    /// objects come back as `Err`). Frames the peer pushes meanwhile are
    /// evaluated here (async) or evaluated and answered (sync).
    pub fn request(&mut self, msg: &Value, verbose: bool) -> Result<Value> {
        self.send_frame(msg, MSG_SYNC, if verbose { FLAG_VERBOSE } else { 0 })?;
        loop {
            let Received { header, value } = match conn::read_frame(&mut self.sock, &mut self.rx) {
                Ok(r) => r,
                Err(e) => return self.fail(e),
            };
            match header.msgtype {
                MSG_RESPONSE => {
                    return value.map_err(|_| RayError::io("undecodable response")).and_then(error_to_err);
                }
                MSG_SYNC => {
                    let answer = match value {
                        Ok(v) => self.serve(&v),
                        Err(_) => Ok(Value::null()),
                    };
                    let v = answer.unwrap_or_else(Value::from_error);
                    let f = frame::build_or_type_error(&v, MSG_RESPONSE, 0, self.compression);
                    if let Err(e) = conn::write_frame(&self.sock, &f) {
                        return self.fail(RayError::io(format!("send failed: {e}")));
                    }
                }
                _ => {
                    if let Ok(v) = value {
                        let _ = self.serve(&v);
                    }
                }
            }
        }
    }

    /// Evaluates a frame the peer pushed, as the handle's own request.
    fn serve(&self, payload: &Value) -> Result<Value> {
        let caller = super::Caller { restricted: false, handle: self.handle };
        super::with_current_handle(self.handle, || super::handler::handler().evaluate(payload, caller))
    }
}

/// A decoded error object becomes `Err` with its code.
pub fn error_to_err(v: Value) -> Result<Value> {
    if v.is_error() { Err(v.err_code()) } else { Ok(v) }
}
