//! One inbound connection: its state (`Conn`: phase, receive buffer,
//! inbox, flags) and the state machine that advances it: greeting ->
//! (credentials -> auth hook) -> frames; flow control (a connection over
//! its high-water marks is not read), the urgent byte, closing. Must not:
//! evaluate anything (it queues work items for `exec`).

use super::dispatch::hook;
use super::event_loop::Core;
use super::exec::{Job, JobKind};
use super::shared::{Out, Shared};
use crate::core::{RayError, Result, Value};
use crate::net::conn::RxBuf;
use crate::net::handler::Hook;
use crate::net::handles::{self, Endpoint};
use crate::net::sys;
use crate::proto::frame::{self, Compression, FrameError};
use crate::proto::handshake::{self, AUTH_ACCEPTED, AUTH_REJECTED};
use crate::proto::header::{HEADER_LEN, Header, MSG_RESPONSE, MSG_SYNC};
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;

/// Frames buffered per connection before we stop reading it.
pub(super) const MAX_INBOX: usize = 256;
/// Payload bytes buffered per connection before we stop reading it.
pub(super) const MAX_INBOX_BYTES: usize = 64 << 20;
/// Consecutive frames handed to the evaluator as one job (all async but
/// possibly the last): amortizes the hand-off for streams of async messages.
pub(super) const MAX_BATCH: usize = 64;
/// Unsent bytes per connection before we stop reading it.
pub(super) const TX_HIGH_WATER: usize = 64 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for the 2-byte greeting.
    Greeting,
    /// Waiting for the credential length byte.
    CredLen,
    /// Waiting for this many credential bytes.
    Cred(usize),
    /// The `.ipc.on.auth` hook is deciding.
    AuthWait,
    /// Frames flow.
    Ready,
}

pub(super) enum Work {
    /// Run `.ipc.on.open` (first item of every ready connection with the hook).
    Open,
    Frame(Header, Vec<u8>),
}

pub(super) struct Conn {
    pub(super) handle: i64,
    pub(super) serial: u64,
    /// The client's address (for the connection log).
    pub(super) peer: SocketAddr,
    pub(super) phase: Phase,
    pub(super) rx: RxBuf,
    pub(super) out: Arc<Out>,
    pub(super) inbox: VecDeque<Work>,
    /// Payload bytes held in `inbox`.
    pub(super) inbox_bytes: usize,
    /// A work item of this connection is with the evaluator.
    pub(super) busy: bool,
    pub(super) restricted: bool,
    pub(super) compression: Compression,
    /// Server-side `.ipc.send` calls waiting for the client's responses.
    pub(super) waiters: VecDeque<SyncSender<Result<Value>>>,
    /// The peer closed its sending side: finish pending work, then close.
    pub(super) eof: bool,
    /// Close as soon as the output is written (rejected credentials).
    pub(super) closing: bool,
    /// `.ipc.on.open` was due (so `.ipc.on.close` is too).
    pub(super) opened: bool,
    /// Set by the client's urgent byte while a request of it is pending:
    /// that request stops (or never starts) with `cancel`. Cleared when
    /// the job ends.
    pub(super) cancel: Arc<AtomicBool>,
}

impl Conn {
    pub(super) fn wants_read(&self) -> bool {
        !self.eof
            && !self.closing
            && self.phase != Phase::AuthWait
            && self.inbox.len() < MAX_INBOX
            && self.inbox_bytes < MAX_INBOX_BYTES
            && self.out.tx().pending_bytes() < TX_HIGH_WATER
    }

    /// A work item of this connection (in `slot`) for the evaluator.
    pub(super) fn job(&self, shared: &Arc<Shared>, slot: usize, kind: JobKind) -> Job {
        Job {
            shared: shared.clone(),
            slot,
            serial: self.serial,
            handle: self.handle,
            restricted: self.restricted,
            compression: self.compression,
            out: self.out.clone(),
            cancel: self.cancel.clone(),
            kind,
        }
    }

    /// Bytes the current phase still needs (a read-size hint).
    pub(super) fn want(&self) -> usize {
        match self.phase {
            Phase::Greeting => 2,
            Phase::CredLen => 1,
            Phase::Cred(n) => n,
            Phase::AuthWait => 0,
            Phase::Ready => match self.rx.data().first_chunk::<HEADER_LEN>().map(Header::parse) {
                Some(Ok(h)) => (HEADER_LEN + h.size).saturating_sub(self.rx.len()),
                _ => 64 << 10,
            },
        }
    }
}

impl Core {
    /// The client sent an urgent byte (wire.md section 7): the request it
    /// waits for, running or queued, is cancelled; with none pending the
    /// byte is lost, as in the reference.
    pub(super) fn urgent(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_ref() else { return };
        sys::recv_urgent(&c.out.sock);
        let pending = c.busy || c.inbox.iter().any(|w| matches!(w, Work::Frame(..)));
        if pending {
            c.cancel.store(true, Ordering::SeqCst);
        }
    }

    pub(super) fn read(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        let want = c.want();
        match c.rx.read_from(&mut &c.out.sock, want) {
            Ok(0) => c.eof = true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {}
            Err(_) => {
                self.close_conn(slot);
                return;
            }
        }
        self.process_input(slot);
        self.after_change(slot);
    }

    /// Advances the handshake and queues complete frames.
    pub(super) fn process_input(&mut self, slot: usize) {
        loop {
            let Some(c) = self.conns[slot].as_mut() else { return };
            match c.phase {
                Phase::Greeting => {
                    if c.rx.len() < 2 {
                        return;
                    }
                    let g = c.rx.take(2);
                    if !handshake::client_greeting_ok(&g) {
                        self.close_conn(slot);
                        return;
                    }
                    let auth = self.shared.secret().is_some();
                    c.out.tx().push_bytes(handshake::server_greeting(auth).to_vec());
                    if auth {
                        c.phase = Phase::CredLen;
                    } else {
                        self.become_ready(slot);
                    }
                }
                Phase::CredLen => {
                    if c.rx.is_empty() {
                        return;
                    }
                    let n = c.rx.take(1)[0] as usize;
                    if n == 0 {
                        self.reject(slot);
                        return;
                    }
                    c.phase = Phase::Cred(n);
                }
                Phase::Cred(n) => {
                    if c.rx.len() < n {
                        return;
                    }
                    let body = c.rx.take(n);
                    let creds = handshake::parse_credentials(&body);
                    let ok = self.shared.secret().is_none_or(|s| s.matches(&creds.password));
                    if !ok {
                        self.reject(slot);
                        return;
                    }
                    if hook(Hook::Auth).is_some() {
                        c.phase = Phase::AuthWait;
                        c.busy = true;
                        let job = self.job(slot, JobKind::Auth(creds));
                        self.submit(job);
                        return;
                    }
                    c.out.tx().push_bytes(vec![AUTH_ACCEPTED]);
                    self.become_ready(slot);
                }
                Phase::AuthWait => return,
                Phase::Ready => {
                    if c.inbox.len() >= MAX_INBOX || c.inbox_bytes >= MAX_INBOX_BYTES {
                        return;
                    }
                    match frame::check(c.rx.data()) {
                        Ok((h, total)) => {
                            let bytes = c.rx.take_after(HEADER_LEN, total);
                            if h.msgtype == MSG_RESPONSE {
                                self.deliver_response(slot, &h, &bytes);
                            } else {
                                c.inbox_bytes += bytes.len();
                                c.inbox.push_back(Work::Frame(h, bytes));
                            }
                        }
                        Err(FrameError::Incomplete) => return,
                        Err(FrameError::Invalid(_)) => {
                            self.close_conn(slot);
                            return;
                        }
                    }
                }
            }
        }
    }

    pub(super) fn deliver_response(&mut self, slot: usize, h: &Header, payload: &[u8]) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        match c.waiters.pop_front() {
            Some(w) => {
                let v = frame::decode_payload(h, payload)
                    .map_err(|_| RayError::io("undecodable response"))
                    .and_then(crate::net::client::error_to_err);
                let _ = w.send(v);
            }
            None => eprintln!("ipc: dropping unexpected response frame (handle={})", c.handle),
        }
    }

    pub(super) fn reject(&mut self, slot: usize) {
        if let Some(c) = self.conns[slot].as_mut() {
            self.shared.log_conn("auth-failed", c.handle, &c.peer);
            c.out.tx().push_bytes(vec![AUTH_REJECTED]);
            c.closing = true;
        }
        self.flush(slot);
    }

    pub(super) fn become_ready(&mut self, slot: usize) {
        let has_open = hook(Hook::Open).is_some();
        let Some(c) = self.conns[slot].as_mut() else { return };
        c.phase = Phase::Ready;
        c.opened = true;
        if has_open {
            c.inbox.push_front(Work::Open);
        }
    }

    /// Starts the next work item of an idle connection; closes finished ones.
    pub(super) fn after_change(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        if !c.busy && c.phase == Phase::Ready {
            if let Some(work) = c.inbox.pop_front() {
                c.busy = true;
                let kind = match work {
                    Work::Open => JobKind::Open,
                    Work::Frame(h, p) => {
                        let mut last_sync = h.msgtype == MSG_SYNC;
                        c.inbox_bytes -= p.len();
                        let mut batch = vec![(h, p)];
                        while !last_sync && batch.len() < MAX_BATCH && matches!(c.inbox.front(), Some(Work::Frame(..)))
                        {
                            let Some(Work::Frame(h, p)) = c.inbox.pop_front() else { break };
                            last_sync = h.msgtype == MSG_SYNC;
                            c.inbox_bytes -= p.len();
                            batch.push((h, p));
                        }
                        JobKind::Requests(batch)
                    }
                };
                let job = self.job(slot, kind);
                self.submit(job);
                // More frames may now fit in the inbox.
                self.process_input(slot);
                return;
            }
        }
        let Some(c) = self.conns[slot].as_ref() else { return };
        let drained = !c.busy && c.inbox.is_empty() && c.out.tx().is_empty();
        if drained && (c.eof || c.closing) {
            self.close_conn(slot);
        }
    }

    pub(super) fn flush(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        let r = c.out.tx().flush(&c.out.sock);
        if r.is_err() {
            self.close_conn(slot);
            return;
        }
        self.after_change(slot);
    }

    pub(super) fn close_conn(&mut self, slot: usize) {
        let Some(mut c) = self.conns[slot].take() else { return };
        self.live -= 1;
        self.shared.log_conn("close", c.handle, &c.peer);
        for w in std::mem::take(&mut c.waiters) {
            let _ = w.send(Err(RayError::io("connection closed")));
        }
        let _ = c.out.sock.shutdown(std::net::Shutdown::Both);
        if c.opened && hook(Hook::Close).is_some() {
            handles::set(c.handle, Endpoint::Listener);
            let job = c.job(&self.shared, slot, JobKind::Close);
            self.submit(job);
        } else {
            handles::remove(c.handle);
        }
    }
}
