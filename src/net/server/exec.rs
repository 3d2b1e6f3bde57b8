//! Who evaluates: work items (`Job`) and their outcomes, the worker pool,
//! and the watcher (`Watch`) that drives the loop while its own thread
//! evaluates a long request inline. Must not: decide what a job does
//! (`dispatch`) or touch a connection's state (`conn`).

use super::dispatch::run_job;
use super::event_loop::Core;
use super::shared::{Event, Out, Shared};
use crate::proto::frame::{Compression, OutFrame};
use crate::proto::handshake::Credentials;
use crate::proto::header::Header;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Evaluation worker threads per poll.
pub(super) const WORKERS: usize = 2;

pub(super) struct Job {
    pub(super) shared: Arc<Shared>,
    pub(super) slot: usize,
    pub(super) serial: u64,
    pub(super) handle: i64,
    pub(super) restricted: bool,
    pub(super) compression: Compression,
    pub(super) out: Arc<Out>,
    pub(super) cancel: Arc<AtomicBool>,
    pub(super) kind: JobKind,
}

pub(super) enum JobKind {
    /// Frames in arrival order; only the last may be sync.
    Requests(Vec<(Header, Vec<u8>)>),
    Open,
    Auth(Credentials),
    Close,
}

pub(super) enum Outcome {
    Reply(Vec<OutFrame>),
    Auth(bool),
    Opened,
    Closed(i64),
}

/// The evaluation workers of one poll.
pub(super) struct Pool {
    pub(super) queue: Mutex<VecDeque<Job>>,
    pub(super) ready: Condvar,
    pub(super) stop: AtomicBool,
}

impl Pool {
    pub(super) fn start(n: usize) -> Arc<Pool> {
        let pool =
            Arc::new(Pool { queue: Mutex::new(VecDeque::new()), ready: Condvar::new(), stop: AtomicBool::new(false) });
        for i in 0..n {
            let p = pool.clone();
            let _ = std::thread::Builder::new().name(format!("rayforce-eval-{i}")).spawn(move || p.work());
        }
        pool
    }

    pub(super) fn push(&self, job: Job) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).push_back(job);
        self.ready.notify_one();
    }

    pub(super) fn work(&self) {
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

    pub(super) fn shutdown(&self) {
        self.stop.store(true, Ordering::Release);
        self.ready.notify_all();
    }
}

pub(super) enum Executor {
    Inline,
    Workers(Arc<Pool>),
}

/// How long an inline job may keep the loop to itself before the watcher
/// takes the loop over (at most about two of these).
pub(super) const TAKEOVER_TICK: Duration = Duration::from_millis(1);
/// Idle ticks after which the watcher sleeps until the next inline job.
pub(super) const WATCHER_IDLE_TICKS: u32 = 100;

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
    pub(super) busy: AtomicBool,
    /// Inline jobs started so far.
    pub(super) seq: AtomicU64,
    /// The watcher is asleep until notified.
    pub(super) parked: AtomicBool,
    /// The watcher drives the loop now.
    pub(super) takeover: AtomicBool,
    /// Take over at once (an inline job waits for the loop: `.ipc.send`).
    pub(super) urgent: AtomicBool,
    pub(super) stop: AtomicBool,
    pub(super) lock: Mutex<()>,
    pub(super) cv: Condvar,
}

impl Watch {
    pub(super) fn notify(&self) {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.cv.notify_all();
    }

    pub(super) fn begin_inline(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        self.busy.store(true, Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) {
            self.notify();
        }
    }

    /// Ends an inline job; true when the watcher holds the loop (so the
    /// caller should interrupt its wait).
    pub(super) fn end_inline(&self) -> bool {
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

    pub(super) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// Sleeps one tick (or until notified); parks when long idle.
    pub(super) fn tick(&self, idle: &mut u32) {
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
pub(super) fn watcher(core: std::sync::Weak<Mutex<Core>>, shared: Arc<Shared>, pool: Arc<Pool>) {
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
