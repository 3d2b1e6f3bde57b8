//! What threads other than the loop's hold: `Shared` (the exit code, the
//! waker, the events channel, the auth and read-only settings, the
//! evaluation gate), a connection's output side `Out`, and `InboundRef`,
//! which the handle of an inbound connection resolves to (server-side
//! `.ipc.send/post/close`). Must not: read a connection's input or
//! evaluate anything.

use super::exec::{Outcome, Watch};
use crate::core::{RayError, Result, Value};
use crate::net::conn::TxQueue;
use crate::net::handles;
use crate::proto::frame::{self, Compression, OutFrame};
use crate::proto::handshake::Secret;
use crate::proto::header::MSG_SYNC;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// How long a server-side `.ipc.send` waits for the client's answer.
pub(super) const ASK_TIMEOUT: Duration = crate::net::client::DEFAULT_REPLY_TIMEOUT;

/// Messages to the I/O loop from workers and other threads.
pub(super) enum Event {
    /// A work item finished.
    Done { slot: usize, serial: u64, outcome: Outcome },
    /// The close hook of a finished connection ran: free its handle.
    Closed { handle: i64 },
    /// Write a sync frame and route the next response to `reply` (`.ipc.send h`).
    Ask { slot: usize, serial: u64, frame: OutFrame, reply: SyncSender<Result<Value>> },
    /// Close a connection (`.ipc.close h`).
    Kick { slot: usize, serial: u64 },
}

/// State shared between the loop, its workers and other threads.
pub struct Shared {
    /// -1 while running; the first exit code set wins and sticks.
    pub(super) exit_code: AtomicI64,
    /// Write end of the wake-up socket pair.
    pub(super) waker: UnixStream,
    pub(super) events: Mutex<Sender<Event>>,
    pub(super) restricted: AtomicBool,
    pub(super) secret: Mutex<Option<Secret>>,
    /// Evaluation gate: exclusive for normal requests, shared for read-only.
    pub(super) gate: RwLock<()>,
    /// Inline evaluation (legacy server): no worker, no nested `.ipc.send`.
    pub(super) inline: bool,
    /// The driving thread and the watcher (worker-based loops).
    pub watch: Watch,
    /// One line per connection open / close / failed login (off by default).
    pub(super) conn_log: AtomicBool,
    /// Where those lines go instead of stderr (tests, embedding programs).
    pub(super) log_sink: Mutex<Option<LogSink>>,
}

/// A receiver of connection log lines (without the trailing newline).
pub type LogSink = Arc<dyn Fn(&str) + Send + Sync>;

impl Shared {
    /// Interrupts the loop's wait (any thread).
    pub fn wake(&self) {
        let _ = (&self.waker).write(&[1]);
    }

    /// Asks the loop to stop with `code` (sticky; any thread).
    pub fn exit(&self, code: i64) {
        let code = code.max(0);
        let _ = self.exit_code.compare_exchange(-1, code, Ordering::AcqRel, Ordering::Acquire);
        self.wake();
    }

    pub fn exit_code(&self) -> i64 {
        self.exit_code.load(Ordering::Acquire)
    }

    /// Connections accepted from now on are read-only (or not).
    pub fn set_restricted(&self, on: bool) {
        self.restricted.store(on, Ordering::Release);
    }

    /// Sets (or clears, with an empty password) the server password.
    pub fn set_secret(&self, password: &[u8]) {
        *self.secret.lock().unwrap_or_else(|e| e.into_inner()) = Secret::new(password);
    }

    /// The configured secret, if any.
    pub fn secret(&self) -> Option<Secret> {
        self.secret.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Turns the connection log on or off: one line on stderr (or the sink)
    /// per connection opened, closed, or refused at login, naming the
    /// handle and the peer address.
    pub fn set_conn_log(&self, on: bool) {
        self.conn_log.store(on, Ordering::Release);
    }

    /// Sends connection log lines to `sink` instead of stderr (`None`:
    /// stderr again). Does not turn the log on.
    pub fn set_conn_log_sink(&self, sink: Option<LogSink>) {
        *self.log_sink.lock().unwrap_or_else(|e| e.into_inner()) = sink;
    }

    /// Writes one connection log line, when the log is on: `ipc: <event>
    /// handle=<h> peer=<address>`.
    pub(super) fn log_conn(&self, event: &str, handle: i64, peer: &SocketAddr) {
        if !self.conn_log.load(Ordering::Acquire) {
            return;
        }
        let line = format!("ipc: {event} handle={handle} peer={peer}");
        let sink = self.log_sink.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match sink {
            Some(f) => f(&line),
            None => eprintln!("{line}"),
        }
    }

    pub(super) fn send(&self, e: Event) {
        let _ = self.events.lock().unwrap_or_else(|e| e.into_inner()).send(e);
        self.wake();
    }
}

/// A connection's output side, shared by the loop, the worker evaluating
/// its request (which writes the response itself: no hop back through the
/// loop) and `.ipc.post` callers. The lock orders every frame.
pub struct Out {
    pub(super) sock: TcpStream,
    pub(super) tx: Mutex<TxQueue>,
}

impl Out {
    pub(super) fn tx(&self) -> std::sync::MutexGuard<'_, TxQueue> {
        self.tx.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `frames` and writes what the socket takes now; the loop
    /// writes the rest when the socket is writable.
    pub(super) fn send(&self, frames: Vec<OutFrame>) -> io::Result<()> {
        let mut tx = self.tx();
        for f in frames {
            tx.push(f);
        }
        tx.flush(&self.sock)
    }
}

/// What a handle of an inbound connection resolves to.
#[derive(Clone)]
pub struct InboundRef {
    pub(super) shared: Arc<Shared>,
    pub(super) out: Arc<Out>,
    pub(super) slot: usize,
    pub(super) serial: u64,
    pub(super) handle: i64,
    pub(super) compression: Compression,
}

impl InboundRef {
    /// Pushes an async frame to the client.
    pub fn post(&self, msg: &Value) -> Result<()> {
        let frame = frame::build(msg, 0, 0, self.compression)?;
        let r = self.out.send(vec![frame]);
        // The loop polls for writability if bytes are left.
        self.shared.wake();
        r.map_err(|e| RayError::io(format!("send failed: {e}")))
    }

    /// Sends a sync request to the client and waits for its answer.
    pub fn send(&self, msg: &Value, verbose: bool) -> Result<Value> {
        if self.shared.inline {
            return Err(RayError::io("nested sync requests need the worker-based poll"));
        }
        if handles::in_request(self.handle) {
            return Err(RayError::io("a sync request is already waiting on this handle"));
        }
        let _mark = handles::RequestMark::enter(self.handle);
        let flags = if verbose { crate::proto::header::FLAG_VERBOSE } else { 0 };
        let frame = frame::build(msg, MSG_SYNC, flags, self.compression)?;
        let (tx, rx) = mpsc::sync_channel(1);
        self.shared.send(Event::Ask { slot: self.slot, serial: self.serial, frame, reply: tx });
        // When this runs on the loop's own thread, someone else must read
        // the answer.
        self.shared.watch.urgent();
        match rx.recv_timeout(ASK_TIMEOUT) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(RayError::io("timed out waiting for the peer")),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(RayError::io("connection closed")),
        }
    }

    /// Closes the connection (handled by the loop).
    pub fn close(&self) {
        self.shared.send(Event::Kick { slot: self.slot, serial: self.serial });
    }
}
