//! The poll server: one I/O thread runs `poll(2)` over a listener set and a
//! slab of connections; evaluation happens on worker threads fed by the
//! loop, so a long query never stops it from accepting, reading and
//! writing for everyone else.
//!
//! Per connection: greeting -> (credentials -> auth hook) -> frames. Frames
//! are checked as they arrive (an invalid header closes that connection
//! only, silently) and queued in the connection's inbox. At most one work
//! item per connection is with the evaluator at any time, so a connection's
//! requests are evaluated and answered strictly in order (FIFO), and a
//! flooding client cannot get ahead of others: the shared job queue holds
//! at most one item per connection. A connection whose inbox or unsent
//! output is over its high-water mark is not read until it drains, leaving
//! the backlog in the kernel (TCP flow control), not in our memory.
//!
//! Evaluation gate: requests of normal connections run one at a time (the
//! reference's atomicity: a request sees no interleaved writes); requests of
//! read-only (`-U`) connections share the gate and run in parallel.

use super::conn::{RxBuf, TxQueue};
use super::handles::{self, Endpoint};
use super::sys::{self, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, pollfd};
use super::handler::{self, Caller, Hook};
use crate::abi;
use crate::core::{RayError, Result, Value};
use crate::proto::frame::{self, Compression, FrameError, OutFrame};
use crate::proto::handshake::{self, AUTH_ACCEPTED, AUTH_REJECTED, Credentials, Secret};
use crate::proto::header::{HEADER_LEN, Header, MSG_RESPONSE, MSG_SYNC};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

/// Listen backlog (the reference uses 128; bursts of 1000 connects need more).
const BACKLOG: i32 = 1024;
/// Frames buffered per connection before we stop reading it.
const MAX_INBOX: usize = 256;
/// Payload bytes buffered per connection before we stop reading it.
const MAX_INBOX_BYTES: usize = 64 << 20;
/// Consecutive frames handed to the evaluator as one job (all async but
/// possibly the last): amortizes the hand-off for streams of async messages.
const MAX_BATCH: usize = 64;
/// Unsent bytes per connection before we stop reading it.
const TX_HIGH_WATER: usize = 64 << 20;
/// Evaluation worker threads per poll.
const WORKERS: usize = 2;
/// How long a server-side `.ipc.send` waits for the client's answer.
const ASK_TIMEOUT: Duration = super::client::DEFAULT_REPLY_TIMEOUT;

/// Serializes stdout/stderr capture (verbose requests redirect fds 1 and 2
/// of the whole process).
static CAPTURE_LOCK: Mutex<()> = Mutex::new(());

/// Messages to the I/O loop from workers and other threads.
enum Event {
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
    exit_code: AtomicI64,
    /// Write end of the wake-up socket pair.
    waker: UnixStream,
    events: Mutex<Sender<Event>>,
    restricted: AtomicBool,
    secret: Mutex<Option<Secret>>,
    /// Evaluation gate: exclusive for normal requests, shared for read-only.
    gate: RwLock<()>,
    /// Inline evaluation (legacy server): no worker, no nested `.ipc.send`.
    inline: bool,
    /// The driving thread and the watcher (worker-based loops).
    pub watch: Watch,
}

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

    fn send(&self, e: Event) {
        let _ = self.events.lock().unwrap_or_else(|e| e.into_inner()).send(e);
        self.wake();
    }
}

/// A connection's output side, shared by the loop, the worker evaluating
/// its request (which writes the response itself: no hop back through the
/// loop) and `.ipc.post` callers. The lock orders every frame.
pub struct Out {
    sock: TcpStream,
    tx: Mutex<TxQueue>,
}

impl Out {
    fn tx(&self) -> std::sync::MutexGuard<'_, TxQueue> {
        self.tx.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `frames` and writes what the socket takes now; the loop
    /// writes the rest when the socket is writable.
    fn send(&self, frames: Vec<OutFrame>) -> io::Result<()> {
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
    shared: Arc<Shared>,
    out: Arc<Out>,
    slot: usize,
    serial: u64,
    handle: i64,
    compression: Compression,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
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

enum Work {
    /// Run `.ipc.on.open` (first item of every ready connection with the hook).
    Open,
    Frame(Header, Vec<u8>),
}

struct Conn {
    handle: i64,
    serial: u64,
    phase: Phase,
    rx: RxBuf,
    out: Arc<Out>,
    inbox: VecDeque<Work>,
    /// Payload bytes held in `inbox`.
    inbox_bytes: usize,
    /// A work item of this connection is with the evaluator.
    busy: bool,
    restricted: bool,
    compression: Compression,
    /// Server-side `.ipc.send` calls waiting for the client's responses.
    waiters: VecDeque<SyncSender<Result<Value>>>,
    /// The peer closed its sending side: finish pending work, then close.
    eof: bool,
    /// Close as soon as the output is written (rejected credentials).
    closing: bool,
    /// `.ipc.on.open` was due (so `.ipc.on.close` is too).
    opened: bool,
    /// Set by the client's urgent byte while a request of it is pending:
    /// that request stops (or never starts) with `cancel`. Cleared when
    /// the job ends.
    cancel: Arc<AtomicBool>,
}

impl Conn {
    fn wants_read(&self) -> bool {
        !self.eof
            && !self.closing
            && self.phase != Phase::AuthWait
            && self.inbox.len() < MAX_INBOX
            && self.inbox_bytes < MAX_INBOX_BYTES
            && self.out.tx().pending_bytes() < TX_HIGH_WATER
    }

    /// A work item of this connection (in `slot`) for the evaluator.
    fn job(&self, shared: &Arc<Shared>, slot: usize, kind: JobKind) -> Job {
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
    fn want(&self) -> usize {
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

struct Job {
    shared: Arc<Shared>,
    slot: usize,
    serial: u64,
    handle: i64,
    restricted: bool,
    compression: Compression,
    out: Arc<Out>,
    cancel: Arc<AtomicBool>,
    kind: JobKind,
}

enum JobKind {
    /// Frames in arrival order; only the last may be sync.
    Requests(Vec<(Header, Vec<u8>)>),
    Open,
    Auth(Credentials),
    Close,
}

enum Outcome {
    Reply(Vec<OutFrame>),
    Auth(bool),
    Opened,
    Closed(i64),
}

/// The evaluation workers of one poll.
struct Pool {
    queue: Mutex<VecDeque<Job>>,
    ready: Condvar,
    stop: AtomicBool,
}

impl Pool {
    fn start(n: usize) -> Arc<Pool> {
        let pool = Arc::new(Pool { queue: Mutex::new(VecDeque::new()), ready: Condvar::new(), stop: AtomicBool::new(false) });
        for i in 0..n {
            let p = pool.clone();
            let _ = std::thread::Builder::new().name(format!("rayforce-eval-{i}")).spawn(move || p.work());
        }
        pool
    }

    fn push(&self, job: Job) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).push_back(job);
        self.ready.notify_one();
    }

    fn work(&self) {
        loop {
            let job = {
                let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(j) = q.pop_front() {
                        break j;
                    }
                    if self.stop.load(Ordering::Acquire) {
                        return;
                    }
                    q = self.ready.wait(q).unwrap_or_else(|e| e.into_inner());
                }
            };
            let (slot, serial, shared) = (job.slot, job.serial, job.shared.clone());
            let outcome = run_job(job);
            match outcome {
                Outcome::Closed(handle) => shared.send(Event::Closed { handle }),
                outcome => shared.send(Event::Done { slot, serial, outcome }),
            }
        }
    }

    fn shutdown(&self) {
        self.stop.store(true, Ordering::Release);
        self.ready.notify_all();
    }
}

enum Executor {
    Inline,
    Workers(Arc<Pool>),
}

#[derive(Clone, Copy)]
enum Token {
    Waker,
    Listener(usize),
    Conn(usize),
}

/// Most jobs the driving thread runs itself per turn before polling again.
const INLINE_JOBS_PER_TURN: usize = 8;
/// How long an inline job may keep the loop to itself before the watcher
/// takes the loop over (at most about two of these).
const TAKEOVER_TICK: Duration = Duration::from_millis(1);
/// Idle ticks after which the watcher sleeps until the next inline job.
const WATCHER_IDLE_TICKS: u32 = 100;

/// Coordination between the thread driving the loop and the watcher.
///
/// The driving thread evaluates a request itself (no hand-off, so a round
/// trip costs what a raw echo costs plus the evaluation). While it does,
/// nobody polls: the watcher notices an inline job that spans a whole tick
/// and drives the loop itself, handing new jobs to the pool, until the job
/// ends. So a long evaluation delays other connections by about a
/// millisecond, never by the evaluation.
#[derive(Default)]
pub struct Watch {
    /// An inline job is running (the loop is not being polled by its owner).
    busy: AtomicBool,
    /// Inline jobs started so far.
    seq: AtomicU64,
    /// The watcher is asleep until notified.
    parked: AtomicBool,
    /// The watcher drives the loop now.
    takeover: AtomicBool,
    /// Take over at once (an inline job waits for the loop: `.ipc.send`).
    urgent: AtomicBool,
    stop: AtomicBool,
    lock: Mutex<()>,
    cv: Condvar,
}

impl Watch {
    fn notify(&self) {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.cv.notify_all();
    }

    fn begin_inline(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        self.busy.store(true, Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) {
            self.notify();
        }
    }

    /// Ends an inline job; true when the watcher holds the loop (so the
    /// caller should interrupt its wait).
    fn end_inline(&self) -> bool {
        self.busy.store(false, Ordering::SeqCst);
        self.urgent.store(false, Ordering::SeqCst);
        self.takeover.load(Ordering::SeqCst)
    }

    /// Asks the watcher to drive the loop now (the inline job is about to
    /// wait for something the loop delivers).
    pub fn urgent(&self) {
        if self.busy.load(Ordering::SeqCst) {
            self.urgent.store(true, Ordering::SeqCst);
            self.notify();
        }
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// Sleeps one tick (or until notified); parks when long idle.
    fn tick(&self, idle: &mut u32) {
        let g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.stop.load(Ordering::SeqCst) || self.urgent.load(Ordering::SeqCst) {
            return;
        }
        if !self.busy.load(Ordering::SeqCst) && *idle >= WATCHER_IDLE_TICKS {
            self.parked.store(true, Ordering::SeqCst);
            let mut g = g;
            while !self.busy.load(Ordering::SeqCst) && !self.stop.load(Ordering::SeqCst) {
                g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner());
            }
            self.parked.store(false, Ordering::SeqCst);
            *idle = 0;
            return;
        }
        let _ = self.cv.wait_timeout(g, TAKEOVER_TICK).unwrap_or_else(|e| e.into_inner());
    }
}

/// The watcher thread of one loop (see `Watch`).
fn watcher(core: std::sync::Weak<Mutex<Core>>, shared: Arc<Shared>, pool: Arc<Pool>) {
    let watch = &shared.watch;
    let mut idle = 0u32;
    loop {
        if watch.stop.load(Ordering::SeqCst) {
            return;
        }
        let seq = watch.seq.load(Ordering::SeqCst);
        let was_busy = watch.busy.load(Ordering::SeqCst);
        idle = if was_busy { 0 } else { idle.saturating_add(1) };
        watch.tick(&mut idle);
        let stuck = watch.busy.load(Ordering::SeqCst)
            && (watch.urgent.load(Ordering::SeqCst) || (was_busy && watch.seq.load(Ordering::SeqCst) == seq));
        if !stuck {
            continue;
        }
        let Some(core) = core.upgrade() else { return };
        // The owner released the loop to run its job; if it is back already
        // (try_lock fails), there is nothing to take over.
        let Ok(mut c) = core.try_lock() else { continue };
        watch.takeover.store(true, Ordering::SeqCst);
        while watch.busy.load(Ordering::SeqCst) && !watch.stop.load(Ordering::SeqCst) && shared.exit_code() < 0 {
            if c.poll_and_dispatch(TAKEOVER_TICK.as_millis() as i32).is_err() {
                break;
            }
            for job in c.ready.drain(..) {
                pool.push(job);
            }
        }
        watch.takeover.store(false, Ordering::SeqCst);
    }
}

/// One event loop: listeners, connections, evaluation.
///
/// The thread that calls `run`/`run_for` drives the loop and evaluates the
/// requests it reads itself; a watcher thread drives the loop while such an
/// evaluation takes long, and a small pool evaluates what arrives meanwhile
/// (and read-only requests in parallel). The legacy server (`inline`)
/// evaluates everything on the calling thread.
pub struct Poll {
    core: Arc<Mutex<Core>>,
    shared: Arc<Shared>,
    pool: Option<Arc<Pool>>,
}

impl Poll {
    /// A new loop. `inline` evaluates on the loop's own thread only (the
    /// legacy `ray_ipc_server_*` API).
    pub fn new(inline: bool) -> io::Result<Poll> {
        let core = Core::new(inline)?;
        let shared = core.shared.clone();
        let pool = match &core.executor {
            Executor::Workers(p) => Some(p.clone()),
            Executor::Inline => None,
        };
        let core = Arc::new(Mutex::new(core));
        if let Some(p) = &pool {
            let (weak, sh, p) = (Arc::downgrade(&core), shared.clone(), p.clone());
            std::thread::Builder::new().name("rayforce-watch".into()).spawn(move || watcher(weak, sh, p))?;
        }
        Ok(Poll { core, shared, pool })
    }

    fn core(&self) -> std::sync::MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Listens on `0.0.0.0:port` (0 = ephemeral); returns the listener's handle.
    pub fn listen(&mut self, port: u16) -> io::Result<i64> {
        self.core().listen(port)
    }

    /// The port a listener (by handle) is bound to.
    pub fn listen_port(&self, id: i64) -> Option<u16> {
        self.core().listen_port(id)
    }

    /// The socket fd of a listener (by handle).
    pub fn listener_fd(&self, id: i64) -> Option<i32> {
        self.core().listener_fd(id)
    }

    /// Open connections (handshaking ones included).
    pub fn connection_count(&self) -> usize {
        self.core().connection_count()
    }

    /// Runs until an exit code is set; returns it.
    pub fn run(&mut self) -> i64 {
        loop {
            let c = self.shared.exit_code();
            if c >= 0 {
                return c;
            }
            if self.turn(-1).is_err() {
                return -1;
            }
        }
    }

    /// One bounded wait and dispatch (`timeout_ms < 0`: same as `run`).
    /// Returns the exit code once set, else 0; -1 on failure.
    pub fn run_for(&mut self, timeout_ms: i32) -> i64 {
        if timeout_ms < 0 {
            return self.run();
        }
        let c = self.shared.exit_code();
        if c >= 0 {
            return c;
        }
        match self.turn(timeout_ms) {
            Ok(_) => self.shared.exit_code().max(0),
            Err(_) => -1,
        }
    }

    /// One wait + dispatch, then the jobs it produced: up to
    /// `INLINE_JOBS_PER_TURN` on this thread, the rest on the pool.
    /// Returns how many fds had events.
    pub fn turn(&mut self, timeout_ms: i32) -> io::Result<usize> {
        let mut core = self.core();
        let n = core.poll_and_dispatch(timeout_ms)?;
        let Some(pool) = &self.pool else { return Ok(n) };
        for _ in 0..INLINE_JOBS_PER_TURN {
            let Some(job) = core.ready.pop_front() else { break };
            // Other connections' jobs run in parallel on the pool.
            for other in core.ready.drain(..) {
                pool.push(other);
            }
            drop(core);
            let (slot, serial) = (job.slot, job.serial);
            self.shared.watch.begin_inline();
            let outcome = run_job(job);
            if self.shared.watch.end_inline() {
                self.shared.wake();
            }
            core = self.core();
            core.local.push_back(match outcome {
                Outcome::Closed(handle) => Event::Closed { handle },
                outcome => Event::Done { slot, serial, outcome },
            });
            core.handle_events();
        }
        Ok(n)
    }

    /// Closes every connection and listener (close hooks run inline).
    pub fn shutdown(&mut self) {
        self.core().shutdown();
    }
}

impl Drop for Poll {
    fn drop(&mut self) {
        self.shared.watch.stop();
    }
}

/// The loop's state: listeners, connections, and the jobs they produced.
/// Owned by whichever thread currently drives the loop (see `Poll`).
struct Core {
    shared: Arc<Shared>,
    events: Receiver<Event>,
    waker_rx: UnixStream,
    listeners: Vec<(i64, TcpListener)>,
    conns: Vec<Option<Conn>>,
    live: usize,
    next_serial: u64,
    executor: Executor,
    /// Outcomes of inline jobs, handled on the next turn.
    local: VecDeque<Event>,
    /// Jobs ready to run (worker executor): the driving thread runs the
    /// first itself and hands the rest to the pool.
    ready: VecDeque<Job>,
    fds: Vec<pollfd>,
    tokens: Vec<Token>,
}

impl Core {
    fn new(inline: bool) -> io::Result<Core> {
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
        let h = handles::insert(Endpoint::Listener);
        self.listeners.push((h, l));
        Ok(h)
    }

    /// The port a listener (by handle) is bound to.
    pub fn listen_port(&self, id: i64) -> Option<u16> {
        let (_, l) = self.listeners.iter().find(|(h, _)| *h == id)?;
        l.local_addr().ok().map(|a| a.port())
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
    fn poll_and_dispatch(&mut self, timeout_ms: i32) -> io::Result<usize> {
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

    fn accept(&mut self, li: usize) {
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
            self.conns[slot] = Some(Conn {
                handle,
                serial,
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

    /// The client sent an urgent byte (wire.md section 7): the request it
    /// waits for, running or queued, is cancelled; with none pending the
    /// byte is lost, as in the reference.
    fn urgent(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_ref() else { return };
        sys::recv_urgent(&c.out.sock);
        let pending = c.busy || c.inbox.iter().any(|w| matches!(w, Work::Frame(..)));
        if pending {
            c.cancel.store(true, Ordering::SeqCst);
        }
    }

    fn read(&mut self, slot: usize) {
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
    fn process_input(&mut self, slot: usize) {
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

    fn deliver_response(&mut self, slot: usize, h: &Header, payload: &[u8]) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        match c.waiters.pop_front() {
            Some(w) => {
                let v = frame::decode_payload(h, payload)
                    .map_err(|_| RayError::io("undecodable response"))
                    .and_then(super::client::error_to_err);
                let _ = w.send(v);
            }
            None => eprintln!("ipc: dropping unexpected response frame (handle={})", c.handle),
        }
    }

    fn reject(&mut self, slot: usize) {
        if let Some(c) = self.conns[slot].as_mut() {
            c.out.tx().push_bytes(vec![AUTH_REJECTED]);
            c.closing = true;
        }
        self.flush(slot);
    }

    fn become_ready(&mut self, slot: usize) {
        let has_open = hook(Hook::Open).is_some();
        let Some(c) = self.conns[slot].as_mut() else { return };
        c.phase = Phase::Ready;
        c.opened = true;
        if has_open {
            c.inbox.push_front(Work::Open);
        }
    }

    fn job(&self, slot: usize, kind: JobKind) -> Job {
        let c = self.conns[slot].as_ref().expect("live connection");
        c.job(&self.shared, slot, kind)
    }

    fn submit(&mut self, job: Job) {
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

    /// Starts the next work item of an idle connection; closes finished ones.
    fn after_change(&mut self, slot: usize) {
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
                        while !last_sync && batch.len() < MAX_BATCH && matches!(c.inbox.front(), Some(Work::Frame(..))) {
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

    fn flush(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_mut() else { return };
        let r = c.out.tx().flush(&c.out.sock);
        if r.is_err() {
            self.close_conn(slot);
            return;
        }
        self.after_change(slot);
    }

    fn close_conn(&mut self, slot: usize) {
        let Some(mut c) = self.conns[slot].take() else { return };
        self.live -= 1;
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

    fn handle_events(&mut self) {
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

    fn conn_mut(&mut self, slot: usize, serial: u64) -> Option<&mut Conn> {
        self.conns.get_mut(slot)?.as_mut().filter(|c| c.serial == serial)
    }

    fn handle_event(&mut self, e: Event) {
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
                for w in c.waiters {
                    let _ = w.send(Err(RayError::io("connection closed")));
                }
                if c.opened && let Some(h) = hook(Hook::Close) {
                    let ctx = Caller { restricted: c.restricted, handle: c.handle };
                    let _ = super::with_current_handle(c.handle, || call_hook(h, vec![Value::i64(c.handle)], ctx));
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

/// The function installed for `kind`, if any.
fn hook(kind: Hook) -> Option<Value> {
    handler::handler().hook(kind)
}

/// Calls a hook with argument values (never evaluated: a hook sees the raw
/// payload).
fn call_hook(f: Value, args: Vec<Value>, caller: Caller) -> Result<Value> {
    handler::handler().call(&f, args, caller)
}

fn run_job(job: Job) -> Outcome {
    let ctx = Caller { restricted: job.restricted, handle: job.handle };
    let shared = job.shared.clone();
    let _read;
    let _write;
    if job.restricted {
        _read = shared.gate.read().unwrap_or_else(|e| e.into_inner());
    } else {
        _write = shared.gate.write().unwrap_or_else(|e| e.into_inner());
    }
    super::with_current_handle(job.handle, || match job.kind {
        JobKind::Open => {
            if let Some(h) = hook(Hook::Open)
                && let Err(e) = call_hook(h, vec![Value::i64(job.handle)], ctx)
            {
                eprintln!("ipc: .ipc.on.open hook raised an error: {}", e.code_str());
            }
            Outcome::Opened
        }
        JobKind::Close => {
            if let Some(h) = hook(Hook::Close)
                && let Err(e) = call_hook(h, vec![Value::i64(job.handle)], ctx)
            {
                eprintln!("ipc: .ipc.on.close hook raised an error: {}", e.code_str());
            }
            Outcome::Closed(job.handle)
        }
        JobKind::Auth(creds) => {
            let ok = match hook(Hook::Auth) {
                Some(h) => call_hook(h, vec![Value::str(&creds.user), Value::str(&creds.password)], ctx)
                    .is_ok_and(|v| handler::handler().truthy(&v)),
                None => true,
            };
            Outcome::Auth(ok)
        }
        JobKind::Requests(frames) => {
            let mut replies: Vec<OutFrame> = Vec::new();
            handler::handler().with_cancel(&job.cancel, &mut || {
                replies.extend(frames.iter().filter_map(|(h, payload)| run_request(h, payload, ctx, job.compression)));
            });
            if !replies.is_empty() {
                // Written here; on failure the loop sees the dead socket itself.
                let _ = job.out.send(replies);
            }
            Outcome::Reply(Vec::new())
        }
    })
}

/// Decodes and evaluates one request; the response frame for sync ones.
fn run_request(h: &Header, payload: &[u8], ctx: Caller, compression: Compression) -> Option<OutFrame> {
    let sync = h.msgtype == MSG_SYNC;
    if handler::handler().cancel_requested() {
        // Cancelled before it started: nothing is evaluated.
        return sync.then(|| frame::error_frame("cancel", MSG_RESPONSE));
    }
    let Ok(value) = frame::decode_payload(h, payload) else {
        // The reference answers an undecodable request with the untyped null.
        return sync.then(|| frame::null_frame(MSG_RESPONSE));
    };
    if !sync {
        if let Some(hk) = hook(Hook::Async) {
            if call_hook(hk, vec![value], ctx).is_err() {
                eprintln!("ipc: .ipc.on.async hook raised an error");
            }
        } else {
            let _ = evaluate(&value, ctx);
        }
        return None;
    }
    let answer = if h.is_verbose() {
        let _one_at_a_time = CAPTURE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let cap = sys::capture_begin();
        let r = evaluate_sync(&value, ctx);
        let text = cap.map(sys::capture_end).unwrap_or_default();
        Value::list(vec![Value::str(&text), r.unwrap_or_else(Value::from_error)])
    } else {
        evaluate_sync(&value, ctx).unwrap_or_else(Value::from_error)
    };
    Some(frame::build_or_type_error(&answer, MSG_RESPONSE, 0, compression))
}

fn evaluate_sync(v: &Value, ctx: Caller) -> Result<Value> {
    match hook(Hook::Sync) {
        Some(hk) => call_hook(hk, vec![v.clone()], ctx),
        None => evaluate(v, ctx),
    }
}

/// Default evaluation (wire.md 6.2): an empty string is the null object.
fn evaluate(v: &Value, ctx: Caller) -> Result<Value> {
    if v.type_() == -abi::RAY_STR && v.str_bytes().is_empty() {
        return Ok(Value::null());
    }
    handler::handler().evaluate(v, ctx)
}
