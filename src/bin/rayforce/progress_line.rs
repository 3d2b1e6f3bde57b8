//! The progress line of long operations (a CSV load, a long query) on a
//! terminal's stderr: registered as the `runtime::progress` sink when
//! stderr is a terminal, it rewrites one line in place (`\r` ... erase to
//! the end of the line) at most four times a second, once the operation
//! has run half a second, and erases it when the operation ends. Owns the
//! line's text; the counters are `runtime::progress`'s.

use rayforce::runtime::progress::{self, Tick};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// Quiet time before the first line, and the shortest gap between lines.
const FIRST_AFTER: Duration = Duration::from_millis(500);
const EVERY: Duration = Duration::from_millis(250);

/// Erases the line the cursor is on and returns to its start.
const ERASE: &str = "\r\x1b[K";

/// `n` with `,` between groups of three digits.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The text of one progress line (without the erase codes), e.g.
/// `csv.read parse: 4,200,000 / 10,000,000 rows (42%), 1.2 s`.
pub fn line(op: &str, phase: &str, done: u64, total: u64, elapsed: Duration) -> String {
    let what = match (op.is_empty(), phase.is_empty()) {
        (false, false) => format!("{op} {phase}"),
        (false, true) => op.to_string(),
        (true, false) => phase.to_string(),
        (true, true) => "working".to_string(),
    };
    let count = if total > 0 {
        let pct = (done.min(total) as u128 * 100 / total as u128) as u64;
        format!("{} / {} rows ({pct}%)", grouped(done), grouped(total))
    } else {
        format!("{} rows", grouped(done))
    };
    format!("{what}: {count}, {:.1} s", elapsed.as_secs_f64())
}

/// What is written to stderr for one tick: the line, or its erasure at the
/// end of the operation.
pub fn frame(t: &Tick<'_>) -> String {
    if t.is_final {
        return ERASE.to_string();
    }
    let text = line(&t.op.to_string_lossy(), &t.phase.to_string_lossy(), t.rows_done, t.rows_total, t.elapsed);
    format!("{ERASE}{text}")
}

/// Shows progress on stderr from now on (the caller checked that stderr
/// is a terminal). `RAYFORCE_PROGRESS_AFTER_MS` replaces the half second
/// of quiet before the first line (tests set it to 0).
pub fn show_on_stderr() {
    let first_after = std::env::var("RAYFORCE_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(FIRST_AFTER, Duration::from_millis);
    let sink: progress::Sink = Arc::new(|t: &Tick<'_>| {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(frame(t).as_bytes());
        let _ = err.flush();
    });
    progress::set_sink(Some(sink), first_after, EVERY);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    #[test]
    fn lines_name_the_operation_and_count_rows() {
        let s = Duration::from_millis(1250);
        assert_eq!(
            line("csv.read", "parse", 4_200_000, 10_000_000, s),
            "csv.read parse: 4,200,000 / 10,000,000 rows (42%), 1.2 s"
        );
        assert_eq!(line("save", "", 999, 0, s), "save: 999 rows, 1.2 s");
        assert_eq!(line("", "", 1000, 1000, s), "working: 1,000 / 1,000 rows (100%), 1.2 s");
        assert_eq!(line("x", "y", 7, 5, s), "x y: 7 / 5 rows (100%), 1.2 s");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(123_456), "123,456");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn ticks_rewrite_one_line_and_the_last_erases_it() {
        let (op, phase) = (CString::new("csv.read").unwrap(), CString::new("parse").unwrap());
        let mut t = Tick {
            op: &op,
            phase: &phase,
            rows_done: 5,
            rows_total: 10,
            elapsed: Duration::from_secs(2),
            is_final: false,
        };
        assert_eq!(frame(&t), "\r\x1b[Kcsv.read parse: 5 / 10 rows (50%), 2.0 s");
        t.is_final = true;
        assert_eq!(frame(&t), "\r\x1b[K");
    }
}
