//! The query log (`.sys.querylog`): the most recent completed requests
//! with their time, duration, result size, memory and status, kept while
//! logging is enabled (`.sys.querylog.enable`). A bounded ring: the oldest
//! entry goes when it is full. The evaluation paths (`lang::eval_source`,
//! the IPC request path) call [`record`]; this module only keeps entries.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Entries kept at most.
pub const CAPACITY: usize = 1024;
/// Query text kept per entry, in bytes.
const MAX_QUERY_BYTES: usize = 4096;

static ENABLED: AtomicBool = AtomicBool::new(false);
static LOG: Mutex<VecDeque<Entry>> = Mutex::new(VecDeque::new());

/// One completed query.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Completion time, nanoseconds since 2000-01-01 (the TIMESTAMP epoch).
    pub time_ns: i64,
    pub duration_ms: f64,
    /// Rows (or elements) of the result; 1 for an atom, 0 for an error.
    pub result_rows: i64,
    /// Growth of the allocator's bytes in use over the query, in KiB.
    pub memory_kib: f64,
    /// Most kernel workers that ran at once (0: none ran).
    pub workers: i64,
    /// Workers' busy time over the query's wall time (0 when none ran).
    pub parallelism: f64,
    /// `ok`, or the error code.
    pub status: String,
    pub query: String,
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Turns logging on or off; turning it off keeps what was logged.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// What a query's entry is measured from: taken when it starts.
pub struct Start {
    at: std::time::Instant,
    bytes_in_use: usize,
    busy_ns: u64,
    outer_peak_workers: usize,
}

impl Start {
    pub fn now() -> Start {
        Start {
            at: std::time::Instant::now(),
            bytes_in_use: crate::core::budget::bytes_in_use(),
            busy_ns: crate::ops::par::busy_ns(),
            outer_peak_workers: crate::ops::par::take_peak_workers(),
        }
    }

    /// The entry of the query that started at `self` (its text without
    /// the trailing line break the REPL reads).
    pub fn finish(self, result_rows: i64, status: String, query: &str) -> Entry {
        use crate::ops::par;
        let wall_ns = self.at.elapsed().as_nanos() as u64;
        let workers = par::take_peak_workers();
        par::restore_peak_workers(self.outer_peak_workers.max(workers));
        let busy = par::busy_ns().saturating_sub(self.busy_ns);
        Entry {
            time_ns: now_ns(),
            duration_ms: wall_ns as f64 / 1e6,
            result_rows,
            memory_kib: crate::core::budget::bytes_in_use().saturating_sub(self.bytes_in_use) as f64 / 1024.0,
            workers: workers as i64,
            parallelism: if workers == 0 || wall_ns == 0 { 0.0 } else { busy as f64 / wall_ns as f64 },
            status,
            query: query.trim_end_matches(['\n', '\r']).to_string(),
        }
    }
}

/// Adds an entry when logging is on (the query text cut to 4 KiB).
pub fn record(mut e: Entry) {
    if !enabled() {
        return;
    }
    if e.query.len() > MAX_QUERY_BYTES {
        let mut cut = MAX_QUERY_BYTES;
        while !e.query.is_char_boundary(cut) {
            cut -= 1;
        }
        e.query.truncate(cut);
    }
    let mut log = LOG.lock().unwrap_or_else(|p| p.into_inner());
    if log.len() == CAPACITY {
        log.pop_front();
    }
    log.push_back(e);
}

/// The logged entries, oldest first.
pub fn snapshot() -> Vec<Entry> {
    LOG.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
}

/// Nanoseconds since 2000-01-01 UTC now.
pub fn now_ns() -> i64 {
    const EPOCH_2000_SECS: i64 = 946_684_800;
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    (d.as_secs() as i64 - EPOCH_2000_SECS) * 1_000_000_000 + i64::from(d.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_newest_entries_and_cuts_long_text() {
        let entry = |q: String| Entry { time_ns: 0, duration_ms: 0.0, result_rows: 0, memory_kib: 0.0, workers: 0, parallelism: 0.0, status: "ok".into(), query: q };
        set_enabled(false);
        record(entry("dropped".into()));
        assert!(snapshot().iter().all(|e| e.query != "dropped"));
        set_enabled(true);
        for i in 0..CAPACITY + 5 {
            record(entry(format!("q{i}")));
        }
        record(entry("é".repeat(MAX_QUERY_BYTES)));
        set_enabled(false);
        let log = snapshot();
        assert_eq!(log.len(), CAPACITY);
        assert_eq!(log[0].query, "q6");
        assert!(log.last().unwrap().query.len() <= MAX_QUERY_BYTES);
    }
}
