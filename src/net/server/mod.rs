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
//!
//! | module | owns |
//! |---|---|
//! | `shared` | what other threads hold: `Shared` (exit code, waker, settings), a connection's output `Out`, `InboundRef` |
//! | `conn` | one connection's state machine: handshake, credentials, inbox, flow control, close |
//! | `event_loop` | `Core`: the listener set, `poll(2)`, accept, events from other threads |
//! | `exec` | who evaluates: jobs, the worker pool, the watcher that takes the loop over |
//! | `dispatch` | running a job: hooks, requests, responses, through `net::Handler` |
//!
//! This file: `Poll`, the public face of one loop.

mod conn;
mod dispatch;
mod event_loop;
mod exec;
mod shared;

pub use exec::Watch;
pub use event_loop::listen_addrs;
pub use shared::{InboundRef, LogSink, Out, Shared};

use dispatch::run_job;
use event_loop::Core;
use exec::{Executor, Outcome, Pool, watcher};
use shared::Event;
use std::io;
use std::sync::{Arc, Mutex};

/// Most jobs the driving thread runs itself per turn before polling again.
const INLINE_JOBS_PER_TURN: usize = 8;

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

    /// Listens on `HOST:PORT` (`127.0.0.1:5000`, `[::1]:5000`,
    /// `localhost:5000`) or a bare `PORT` (all IPv4 interfaces, as
    /// `listen`); returns the listener's handle.
    pub fn listen_addr(&mut self, addr: &str) -> io::Result<i64> {
        self.core().listen_addr(addr)
    }

    /// The port a listener (by handle) is bound to.
    pub fn listen_port(&self, id: i64) -> Option<u16> {
        self.core().listen_port(id)
    }

    /// The address a listener (by handle) is bound to.
    pub fn listen_local_addr(&self, id: i64) -> Option<std::net::SocketAddr> {
        self.core().listen_local_addr(id)
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
