//! Progress reporting for long operations (CSV loading, storage, long
//! queries). Engine code reports counters here with [`report`] and friends;
//! whoever shows progress registers a [`Sink`] (the C API's
//! `ray_progress_set_callback` does). The sink sees a [`Tick`] once an
//! operation has run for `min`, at most once per `tick` interval, plus a
//! final tick at the [`end`] of an operation that showed progress.
//!
//! The state is process-wide. The sink runs on the reporting thread, never
//! while this module's lock is held. This module knows no C types.

use std::ffi::{CStr, CString};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What the sink is shown of the current operation.
#[derive(Debug)]
pub struct Tick<'a> {
    /// The operation's label ("" until one is given).
    pub op: &'a CStr,
    /// The phase's label ("" until one is given).
    pub phase: &'a CStr,
    pub rows_done: u64,
    pub rows_total: u64,
    /// Time since the operation's first report.
    pub elapsed: Duration,
    /// True for the last tick, at the end of the operation.
    pub is_final: bool,
}

/// Shows progress; called on the reporting thread.
pub type Sink = Arc<dyn Fn(&Tick<'_>) + Send + Sync>;

struct State {
    sink: Option<Sink>,
    min: Duration,
    tick: Duration,
    op: Option<CString>,
    phase: Option<CString>,
    done: u64,
    total: u64,
    started: Option<Instant>,
    last_fire: Option<Instant>,
}

static STATE: Mutex<State> = Mutex::new(State {
    sink: None,
    min: Duration::ZERO,
    tick: Duration::ZERO,
    op: None,
    phase: None,
    done: 0,
    total: 0,
    started: None,
    last_fire: None,
});

fn lock() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers `sink` (None stops showing progress): it sees operations that
/// run at least `min`, at most once every `tick`.
pub fn set_sink(sink: Option<Sink>, min: Duration, tick: Duration) {
    let mut s = lock();
    s.sink = sink;
    s.min = min;
    s.tick = tick;
}

/// True while a sink is registered (reporting is wasted work otherwise).
pub fn active() -> bool {
    lock().sink.is_some()
}

/// Updates the current operation's counters (None keeps a label; the first
/// report starts the clock) and shows a tick when one is due.
pub fn report(op: Option<&[u8]>, phase: Option<&[u8]>, rows_done: u64, rows_total: u64) {
    {
        let mut s = lock();
        relabel(&mut s, op, phase);
        s.done = rows_done;
        s.total = rows_total;
        s.started.get_or_insert_with(Instant::now);
    }
    fire_if_due(false);
}

/// Changes the labels only (None keeps a label).
pub fn label(op: Option<&[u8]>, phase: Option<&[u8]>) {
    relabel(&mut lock(), op, phase);
}

/// Starts a phase of `rows_total` rows (rows done back to 0; the clock
/// starts if it has not).
pub fn begin_phase(rows_total: u64) {
    let mut s = lock();
    s.done = 0;
    s.total = rows_total;
    s.started.get_or_insert_with(Instant::now);
}

/// Samples the clock and shows a tick when one is due.
pub fn pump() {
    fire_if_due(false);
}

/// Ends the current operation: a final tick if progress was shown, then
/// the counters and the clock reset.
pub fn end() {
    fire_if_due(true);
    let mut s = lock();
    s.started = None;
    s.last_fire = None;
    s.done = 0;
    s.total = 0;
}

fn relabel(s: &mut State, op: Option<&[u8]>, phase: Option<&[u8]>) {
    if let Some(b) = op {
        s.op = Some(CString::new(b).unwrap_or_default());
    }
    if let Some(b) = phase {
        s.phase = Some(CString::new(b).unwrap_or_default());
    }
}

/// Decides under the lock whether a tick is due; shows it after releasing.
fn fire_if_due(is_final: bool) {
    let (sink, op, phase, rows_done, rows_total, elapsed) = {
        let mut s = lock();
        let (Some(sink), Some(start)) = (s.sink.clone(), s.started) else { return };
        let now = Instant::now();
        let elapsed = now.duration_since(start);
        let due = if is_final {
            s.last_fire.is_some()
        } else {
            elapsed >= s.min && s.last_fire.is_none_or(|t| now.duration_since(t) >= s.tick)
        };
        if !due {
            return;
        }
        s.last_fire = Some(now);
        (sink, s.op.clone().unwrap_or_default(), s.phase.clone().unwrap_or_default(), s.done, s.total, elapsed)
    };
    sink(&Tick { op: &op, phase: &phase, rows_done, rows_total, elapsed, is_final });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only test touching the process-wide state (the C test
    /// c-tests/test_progress.c covers the exported wrappers).
    #[test]
    fn ticks_come_after_min_once_per_interval_and_at_the_end() {
        let seen: Arc<Mutex<Vec<(String, u64, bool)>>> = Arc::default();
        let log = seen.clone();
        let sink: Sink = Arc::new(move |t: &Tick<'_>| {
            log.lock().unwrap().push((t.op.to_string_lossy().into_owned(), t.rows_done, t.is_final));
        });
        set_sink(Some(sink), Duration::from_millis(20), Duration::from_secs(60));
        assert!(active());
        report(Some(b"load"), Some(b"parse"), 1, 10);
        assert!(seen.lock().unwrap().is_empty(), "shown before min");
        std::thread::sleep(Duration::from_millis(30));
        report(None, None, 5, 10);
        report(None, None, 6, 10);
        pump();
        label(Some(b"load2"), None);
        end();
        begin_phase(100);
        end();
        set_sink(None, Duration::ZERO, Duration::ZERO);
        assert!(!active());
        report(Some(b"x"), None, 1, 1);
        end();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen, vec![("load".to_string(), 5, false), ("load2".to_string(), 6, true)]);
    }
}
