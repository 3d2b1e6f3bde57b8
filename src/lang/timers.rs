//! Timers (`.time.timer.set` / `.time.timer.del`): a lambda called every
//! `ms` milliseconds, `n` times (0: until deleted), with the monotonic
//! clock's milliseconds (`.time.now`) as its argument. One timer thread,
//! started with the first timer, sleeps until the next one is due and runs
//! the calls one at a time, as an unrestricted local evaluation beside the
//! REPL and the server's workers. An error in a call is printed on stderr
//! (`timer ID: error: ...`) and the timer goes on, as in RayforceDB.
//!
//! Owns the schedule only; argument checks belong to the builtins.

use super::{Evaluator, RequestCtx};
use crate::core::{Value, budget};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

struct Timer {
    id: i64,
    every: Duration,
    /// Calls still to make; None: until deleted.
    left: Option<u64>,
    next: Instant,
    f: Value,
}

#[derive(Default)]
struct Schedule {
    timers: Vec<Timer>,
    next_id: i64,
    thread_started: bool,
}

static SCHEDULE: Mutex<Option<Schedule>> = Mutex::new(None);
static CHANGED: Condvar = Condvar::new();

fn locked() -> std::sync::MutexGuard<'static, Option<Schedule>> {
    SCHEDULE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Schedules `f` every `ms` milliseconds, `n` times (0: until deleted);
/// returns the timer's id (0 for the first of the process). Fails only
/// when the timer thread cannot be started.
pub fn set(ms: u64, n: u64, f: Value) -> std::io::Result<i64> {
    let mut g = locked();
    let s = g.get_or_insert_with(Schedule::default);
    if !s.thread_started {
        std::thread::Builder::new().name("rayforce-timers".into()).spawn(run)?;
        s.thread_started = true;
    }
    let id = s.next_id;
    s.next_id += 1;
    let every = Duration::from_millis(ms);
    s.timers.push(Timer { id, every, left: (n > 0).then_some(n), next: Instant::now() + every, f });
    CHANGED.notify_all();
    Ok(id)
}

/// Cancels timer `id` if it is scheduled.
pub fn del(id: i64) {
    if let Some(s) = locked().as_mut() {
        s.timers.retain(|t| t.id != id);
    }
    CHANGED.notify_all();
}

/// The timer thread: waits for the earliest timer, then calls it.
fn run() {
    let mut g = locked();
    loop {
        let now = Instant::now();
        let earliest = g.as_ref().and_then(|s| s.timers.iter().map(|t| t.next).min());
        match earliest {
            None => g = CHANGED.wait(g).unwrap_or_else(|e| e.into_inner()),
            Some(due) if due > now => {
                g = CHANGED.wait_timeout(g, due - now).unwrap_or_else(|e| e.into_inner()).0;
            }
            Some(_) => {
                let Some((id, f)) = g.as_mut().and_then(|s| take_due(s, now)) else { continue };
                drop(g);
                call(id, &f);
                g = locked();
            }
        }
    }
}

/// The due timer's id and lambda, its next call scheduled (or the timer
/// removed after its last call).
fn take_due(s: &mut Schedule, now: Instant) -> Option<(i64, Value)> {
    let i = s.timers.iter().enumerate().filter(|(_, t)| t.next <= now).min_by_key(|(_, t)| t.next)?.0;
    let t = &mut s.timers[i];
    let out = (t.id, t.f.clone());
    // The next call keeps the period from this one's due time; a call
    // late by more than a period is not repeated to catch up.
    t.next = (t.next + t.every).max(now);
    if let Some(left) = t.left.as_mut() {
        *left -= 1;
        if *left == 0 {
            s.timers.remove(i);
        }
    }
    Some(out)
}

fn call(id: i64, f: &Value) {
    let arg = Value::i64(crate::runtime::os::monotonic_ms());
    let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        budget::catch_out_of_memory(|| Evaluator::new(RequestCtx { restricted: false, handle: -1 }).apply(f, vec![arg]))
    }));
    // A panic is a bug, but it must not end the timer thread.
    let r = guarded.unwrap_or_else(|_| Err(crate::core::RayError::new("panic", "timer call panicked"))).and_then(|r| r);
    if let Err(e) = r {
        eprintln!("timer {id}: {}", super::fmt::format_error(e.code_str(), e.message()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_timer_is_taken_and_rescheduled_until_its_count_runs_out() {
        let now = Instant::now();
        let mut s = Schedule::default();
        let every = Duration::from_millis(10);
        s.timers.push(Timer { id: 7, every, left: Some(2), next: now, f: Value::i64(0) });
        s.timers.push(Timer { id: 8, every, left: None, next: now + every * 5, f: Value::i64(0) });
        assert_eq!(take_due(&mut s, now).map(|(id, _)| id), Some(7));
        assert_eq!(s.timers[0].next, now + every);
        assert!(take_due(&mut s, now).is_none(), "not due again before its period");
        assert_eq!(take_due(&mut s, now + every).map(|(id, _)| id), Some(7));
        assert_eq!(s.timers.len(), 1, "removed after its last call");
        assert_eq!(take_due(&mut s, now + every * 6).map(|(id, _)| id), Some(8));
        assert_eq!(s.timers[0].next, now + every * 6, "a late call does not repeat to catch up");
    }
}
