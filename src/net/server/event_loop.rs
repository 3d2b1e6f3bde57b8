//! `Core`, the state of one loop: the listeners, the connection slab, the
//! poll set, the events other threads send, and the jobs connections
//! produced. Owned by whichever thread drives the loop at the moment (the
//! caller of `Poll::turn`, or the watcher). Must not: evaluate requests
//! (the inline executor hands them straight to `dispatch`).

use super::conn::{Conn, Phase};
use super::dispatch::{call_hook, hook, run_job};
use super::exec::Watch;
use super::exec::{Executor, Job, JobKind, Outcome, Pool, WORKERS};
use super::shared::{Event, InboundRef, Out, Shared};
use crate::core::{RayError, Value};
use crate::net::conn::{RxBuf, TxQueue};
use crate::net::handler::{Caller, Hook};
use crate::net::handles::{self, Endpoint};
use crate::net::sys::{self, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, pollfd};
use crate::proto::frame::Compression;
use crate::proto::handshake::AUTH_ACCEPTED;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, RwLock};

/// Listen backlog (the reference uses 128; bursts of 1000 connects need more).
pub(super) const BACKLOG: i32 = 1024;

#[derive(Clone, Copy)]
pub(super) enum Token {
    Waker,
    Listener(usize),
    Conn(usize),
}

/// The loop's state: listeners, connections, and the jobs they produced.
/// Owned by whichever thread currently drives the loop (see `Poll`).
pub(super) struct Core {
    pub(super) shared: Arc<Shared>,
    pub(super) events: Receiver<Event>,
    pub(super) waker_rx: UnixStream,
    pub(super) listeners: Vec<(i64, TcpListener)>,
    pub(super) conns: Vec<Option<Conn>>,
    pub(super) live: usize,
    pub(super) next_serial: u64,
    pub(super) executor: Executor,
    /// Outcomes of inline jobs, handled on the next turn.
    pub(super) local: VecDeque<Event>,
    /// Jobs ready to run (worker executor): the driving thread runs the
    /// first itself and hands the rest to the pool.
    pub(super) ready: VecDeque<Job>,
    pub(super) fds: Vec<pollfd>,
    pub(super) tokens: Vec<Token>,
}

impl Core {
    pub(super) fn new(inline: bool) -> io::Result<Core> {
        let (waker_rx, waker) = UnixStream::pair()?;
        waker_rx.set_nonblocking(true)?;
        waker.set_nonblocking(true)?;
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(Shared {
            exit_code: AtomicI64::new(-1),
            waker,
            events: Mutex::new(tx),
            restricted: AtomicBool::new(false),
            secret: Mutex::new(None),
            gate: RwLock::new(()),
            inline,
            watch: Watch::default(),
            conn_log: AtomicBool::new(false),
            log_sink: Mutex::new(None),
        });
        let executor = if inline { Executor::Inline } else { Executor::Workers(Pool::start(WORKERS)) };
        Ok(Core {
            shared,
            events: rx,
            waker_rx,
            listeners: Vec::new(),
            conns: Vec::new(),
            live: 0,
            next_serial: 1,
            executor,
            local: VecDeque::new(),
            ready: VecDeque::new(),
            fds: Vec::new(),
            tokens: Vec::new(),
        })
    }

    /// Listens on `0.0.0.0:port` (0 = ephemeral); returns the listener's handle.
    pub fn listen(&mut self, port: u16) -> io::Result<i64> {
        sys::raise_fd_limit();
        let l = sys::listen(port, BACKLOG)?;
        Ok(self.add_listener(l))
    }

    /// Listens on `HOST:PORT` or a bare `PORT` (see [`listen_addrs`]);
    /// every address the host resolves to is tried in order, the first
    /// that binds is kept. Returns the listener's handle.
    pub fn listen_addr(&mut self, addr: &str) -> io::Result<i64> {
        sys::raise_fd_limit();
        let mut last = None;
        for a in listen_addrs(addr)? {
            match sys::listen_on(&a, BACKLOG) {
                Ok(l) => return Ok(self.add_listener(l)),
                Err(e) => last = Some(io::Error::new(e.kind(), format!("{a}: {e}"))),
            }
        }
        Err(last.unwrap_or_else(|| bad_listen_addr(addr)))
    }

    fn add_listener(&mut self, l: TcpListener) -> i64 {
        let h = handles::insert(Endpoint::Listener);
        self.listeners.push((h, l));
        h
    }

    /// The address a listener (by handle) is bound to.
    pub fn listen_local_addr(&self, id: i64) -> Option<SocketAddr> {
        let (_, l) = self.listeners.iter().find(|(h, _)| *h == id)?;
        l.local_addr().ok()
    }

    /// The port a listener (by handle) is bound to.
    pub fn listen_port(&self, id: i64) -> Option<u16> {
        self.listen_local_addr(id).map(|a| a.port())
    }

    /// The socket fd of a listener (by handle).
    pub fn listener_fd(&self, id: i64) -> Option<i32> {
        self.listeners.iter().find(|(h, _)| *h == id).map(|(_, l)| l.as_raw_fd())
    }

    /// Open connections (handshaking ones included).
    pub fn connection_count(&self) -> usize {
        self.live
    }

    /// One wait + dispatch (jobs collect in `ready`, or run at once for the
    /// inline executor). Returns how many fds had events.
    pub(super) fn poll_and_dispatch(&mut self, timeout_ms: i32) -> io::Result<usize> {
        self.handle_events();
        self.fds.clear();
        self.tokens.clear();
        self.fds.push(sys::pollfd_for(self.waker_rx.as_raw_fd(), POLLIN));
        self.tokens.push(Token::Waker);
        for (i, (_, l)) in self.listeners.iter().enumerate() {
            self.fds.push(sys::pollfd_for(l.as_raw_fd(), POLLIN));
            self.tokens.push(Token::Listener(i));
        }
        for (slot, c) in self.conns.iter().enumerate() {
            let Some(c) = c else { continue };
            let mut ev = 0;
            if c.wants_read() {
                ev |= POLLIN;
            }
            if c.phase == Phase::Ready {
                ev |= POLLPRI;
            }
            if !c.out.tx().is_empty() {
                ev |= POLLOUT;
            }
            self.fds.push(sys::pollfd_for(c.out.sock.as_raw_fd(), ev));
            self.tokens.push(Token::Conn(slot));
        }
        let timeout = if self.local.is_empty() && self.ready.is_empty() { timeout_ms } else { 0 };
        let n = sys::poll(&mut self.fds, timeout)?;
        for i in 0..self.fds.len() {
            let rev = self.fds[i].revents;
            if rev == 0 {
                continue;
            }
            match self.tokens[i] {
                Token::Waker => {
                    let mut b = [0u8; 256];
                    while matches!((&self.waker_rx).read(&mut b), Ok(n) if n > 0) {}
                }
                Token::Listener(li) => self.accept(li),
                Token::Conn(slot) => {
                    if rev & (POLLERR | POLLNVAL) != 0 {
                        self.close_conn(slot);
                        continue;
                    }
                    if rev & POLLOUT != 0 {
                        self.flush(slot);
                    }
                    if rev & (POLLIN | POLLHUP) != 0 {
                        let reading = self.conns[slot].as_ref().is_some_and(Conn::wants_read);
                        if reading {
                            self.read(slot);
                        } else if rev & POLLHUP != 0 {
                            self.close_conn(slot);
                        }
                    }
                    // After reading: the request sent before the byte is
                    // then pending.
                    if rev & POLLPRI != 0 {
                        self.urgent(slot);
                    }
                }
            }
        }
        self.handle_events();
        Ok(n)
    }

    pub(super) fn accept(&mut self, li: usize) {
        loop {
            let (sock, peer) = match self.listeners[li].1.accept() {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            };
            if sock.set_nonblocking(true).is_err() {
                continue;
            }
            let _ = sock.set_nodelay(true);
            let serial = self.next_serial;
            self.next_serial += 1;
            let slot = match self.conns.iter().position(Option::is_none) {
                Some(s) => s,
                None => {
                    self.conns.push(None);
                    self.conns.len() - 1
                }
            };
            let compression = if peer.ip().is_loopback() { Compression::Never } else { Compression::WhenItPays };
            // One socket, shared by the loop (reads) and writers (`Out`).
            let out = Arc::new(Out { sock, tx: Mutex::new(TxQueue::default()) });
            let handle = handles::insert(Endpoint::Listener);
            handles::set(
                handle,
                Endpoint::Inbound(InboundRef {
                    shared: self.shared.clone(),
                    out: out.clone(),
                    slot,
                    serial,
                    handle,
                    compression,
                }),
            );
            self.shared.log_conn("open", handle, &peer);
            self.conns[slot] = Some(Conn {
                handle,
                serial,
                peer,
                phase: Phase::Greeting,
                rx: RxBuf::default(),
                out,
                inbox: VecDeque::new(),
                inbox_bytes: 0,
                busy: false,
                restricted: self.shared.restricted.load(Ordering::Acquire),
                compression,
                waiters: VecDeque::new(),
                eof: false,
                closing: false,
                opened: false,
                cancel: Arc::new(AtomicBool::new(false)),
            });
            self.live += 1;
        }
    }

    pub(super) fn job(&self, slot: usize, kind: JobKind) -> Job {
        let c = self.conns[slot].as_ref().expect("live connection");
        c.job(&self.shared, slot, kind)
    }

    pub(super) fn submit(&mut self, job: Job) {
        match &self.executor {
            Executor::Workers(_) => self.ready.push_back(job),
            Executor::Inline => {
                let (slot, serial) = (job.slot, job.serial);
                match run_job(job) {
                    Outcome::Closed(handle) => self.local.push_back(Event::Closed { handle }),
                    outcome => self.local.push_back(Event::Done { slot, serial, outcome }),
                }
            }
        }
    }

    pub(super) fn handle_events(&mut self) {
        loop {
            let e = match self.local.pop_front() {
                Some(e) => e,
                None => match self.events.try_recv() {
                    Ok(e) => e,
                    Err(_) => return,
                },
            };
            self.handle_event(e);
        }
    }

    pub(super) fn conn_mut(&mut self, slot: usize, serial: u64) -> Option<&mut Conn> {
        self.conns.get_mut(slot)?.as_mut().filter(|c| c.serial == serial)
    }

    pub(super) fn handle_event(&mut self, e: Event) {
        match e {
            Event::Closed { handle } => {
                handles::remove(handle);
            }
            Event::Done { slot, serial, outcome } => {
                let Some(c) = self.conn_mut(slot, serial) else { return };
                c.busy = false;
                c.cancel.store(false, Ordering::SeqCst);
                match outcome {
                    Outcome::Reply(frames) => {
                        let mut tx = c.out.tx();
                        for f in frames {
                            tx.push(f);
                        }
                    }
                    Outcome::Opened | Outcome::Closed(_) => {}
                    Outcome::Auth(true) => {
                        c.out.tx().push_bytes(vec![AUTH_ACCEPTED]);
                        self.become_ready(slot);
                        self.flush(slot);
                        self.process_input(slot);
                        self.after_change(slot);
                        return;
                    }
                    Outcome::Auth(false) => {
                        self.reject(slot);
                        return;
                    }
                }
                self.flush(slot);
            }
            Event::Ask { slot, serial, frame, reply } => {
                let Some(c) = self.conn_mut(slot, serial) else {
                    let _ = reply.send(Err(RayError::io("connection closed")));
                    return;
                };
                c.out.tx().push(frame);
                c.waiters.push_back(reply);
                self.flush(slot);
            }
            Event::Kick { slot, serial } => {
                if self.conn_mut(slot, serial).is_some() {
                    self.close_conn(slot);
                }
            }
        }
    }

    /// Closes every connection and listener (close hooks run inline).
    pub fn shutdown(&mut self) {
        for slot in 0..self.conns.len() {
            if let Some(c) = self.conns[slot].take() {
                self.live -= 1;
                self.shared.log_conn("close", c.handle, &c.peer);
                for w in c.waiters {
                    let _ = w.send(Err(RayError::io("connection closed")));
                }
                if c.opened
                    && let Some(h) = hook(Hook::Close)
                {
                    let ctx = Caller { restricted: c.restricted, handle: c.handle };
                    let _ = crate::net::with_current_handle(c.handle, || call_hook(h, vec![Value::i64(c.handle)], ctx));
                }
                handles::remove(c.handle);
            }
        }
        for (h, _) in self.listeners.drain(..) {
            handles::remove(h);
        }
        self.handle_events();
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        self.shutdown();
        if let Executor::Workers(p) = &self.executor {
            for job in self.ready.drain(..) {
                p.push(job);
            }
            p.shutdown();
        }
    }
}

fn bad_listen_addr(addr: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("listen address {addr:?}: expected PORT or HOST:PORT"))
}

/// The addresses a listen argument names: a bare `PORT` is every IPv4
/// interface (`0.0.0.0`, as `listen`); `HOST:PORT` names the host by IPv4
/// or bracketed IPv6 literal (`[::1]:5000`) or by name (`localhost:5000`);
/// an empty host or `*` is every IPv4 interface.
pub fn listen_addrs(addr: &str) -> io::Result<Vec<SocketAddr>> {
    let text = addr.trim();
    let port = |p: &str| p.parse::<u16>().map_err(|_| bad_listen_addr(addr));
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(vec![SocketAddr::from(([0, 0, 0, 0], port(text)?))]);
    }
    let Some((host, p)) = text.rsplit_once(':') else { return Err(bad_listen_addr(addr)) };
    if host.is_empty() || host == "*" {
        return Ok(vec![SocketAddr::from(([0, 0, 0, 0], port(p)?))]);
    }
    let port = port(p)?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let found: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| io::Error::new(e.kind(), format!("listen address {addr:?}: {e}")))?
        .collect();
    if found.is_empty() { Err(bad_listen_addr(addr)) } else { Ok(found) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_arguments_name_a_port_or_a_host_and_port() {
        let all = |p| vec![SocketAddr::from(([0, 0, 0, 0], p))];
        assert_eq!(listen_addrs("5000").unwrap(), all(5000));
        assert_eq!(listen_addrs(" 0 ").unwrap(), all(0));
        assert_eq!(listen_addrs(":5001").unwrap(), all(5001));
        assert_eq!(listen_addrs("*:5002").unwrap(), all(5002));
        assert_eq!(listen_addrs("127.0.0.1:5003").unwrap(), vec![SocketAddr::from(([127, 0, 0, 1], 5003))]);
        assert_eq!(listen_addrs("[::1]:5004").unwrap(), vec!["[::1]:5004".parse().unwrap()]);
        assert!(listen_addrs("localhost:5005").unwrap().iter().all(|a| a.ip().is_loopback() && a.port() == 5005));
        for bad in ["", "99999", "host", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:70000", "[::1]"] {
            let e = listen_addrs(bad).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }
}
