//! What each fuzz target does with one input, shared by the libFuzzer
//! targets (fuzz_targets/*.rs) and the replay test that runs every saved
//! input and crash reproducer under `cargo test` (tests/fuzz_replay.rs).
//! Each body must return normally for any input: a panic is a finding.

use rayforce::lang::{self, RequestCtx, limits};
use rayforce::proto::frame::{self, FrameError};
use rayforce::proto::{handshake, header::HEADER_LEN};
use std::path::Path;
use std::sync::Once;

/// A byte stream as the server reads it: the client's greeting, credentials
/// (a length byte and that many bytes, when the input's first byte is odd,
/// as if the server asked for a password), then frames cut off the front
/// one at a time (header check, optional decompression, decoding).
pub fn connection(data: &[u8]) {
    let Some((&mode, data)) = data.split_first() else { return };
    let Some((greeting, mut rest)) = data.split_first_chunk::<2>() else { return };
    if !handshake::client_greeting_ok(greeting) {
        return;
    }
    if mode & 1 == 1 {
        let Some((&len, body)) = rest.split_first() else { return };
        let Some((creds, after)) = body.split_at_checked(len as usize) else { return };
        let _ = handshake::parse_credentials(creds);
        rest = after;
    }
    while let Ok((h, total)) = frame::check(rest) {
        let _ = frame::decode_payload(&h, &rest[HEADER_LEN..total]);
        rest = &rest[total..];
    }
    let _ = matches!(frame::check(rest), Err(FrameError::Incomplete));
}

/// Any bytes as Rayfall source: values or a clean error, and every parsed
/// value formats.
pub fn parse(data: &[u8]) {
    if let Ok(forms) = rayforce::lang::parser::parse_all(data, &limits::Limits::DEFAULT) {
        for f in &forms {
            let _ = lang::format(f, 1);
        }
    }
}

static START: Once = Once::new();

/// The runtime every evaluating target shares, once per process: builtins
/// bound, an operation budget per request and a memory budget.
fn start_evaluator() {
    START.call_once(|| {
        let _ = rayforce::runtime::create(None);
        lang::reset();
        limits::set_max_operations(20_000);
        // `(til 823514501)` is a legitimate request for gigabytes: the
        // memory budget turns it into an oom error.
        rayforce::core::alloc::set_budget(256 << 20);
    });
}

/// Any text evaluated as a read-only client's request (restricted: no
/// `set`, no `exit`, no file or system access) under an operation budget:
/// a value or an error object, formatted as the REPL would.
pub fn eval(data: &[u8]) {
    start_evaluator();
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(v) = lang::eval_str(src, RequestCtx { restricted: true, handle: 0 }) {
        let _ = lang::format(&v, 1);
    }
}

/// Differential target: the input's bytes choose a random well-typed
/// integer expression (atoms and equal-length I64 vectors: + - * neg, sum,
/// max, min, count, first, last, til, reverse, asc, desc); a plain Rust
/// evaluation of the same tree must equal what the evaluator answers.
/// Expressions whose values leave ±2^62 are skipped (the model saturates
/// in i128 so that it never overflows itself) (overflow rules are
/// not what this checks).
pub fn arith_diff(data: &[u8]) {
    start_evaluator();
    let mut g = Gen { data, at: 0, len: 0, overflow: false };
    g.len = 1 + g.byte() as usize % 8;
    let want_vec = g.byte() & 1 == 1;
    let (src, want) = if want_vec {
        let (s, v) = g.vec(4);
        (s, Err(v))
    } else {
        let (s, a) = g.atom(4);
        (s, Ok(a))
    };
    if g.overflow {
        return;
    }
    let got = lang::eval_str(&src, RequestCtx { restricted: true, handle: 0 });
    let got = match got {
        Ok(v) => v,
        Err(e) => panic!("{src}: error {e}"),
    };
    match want {
        Ok(a) => assert_eq!(got.as_i64().ok().map(i128::from), Some(a), "{src}"),
        Err(v) => {
            let s = got.as_slice::<i64>().unwrap_or_else(|e| panic!("{src}: not an I64 vector: {e}"));
            assert_eq!(s.iter().map(|&x| i128::from(x)).collect::<Vec<_>>(), v, "{src}");
        }
    }
}

struct Gen<'a> {
    data: &'a [u8],
    at: usize,
    len: usize,
    overflow: bool,
}

impl Gen<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn check(&mut self, x: i128) -> i128 {
        if x.unsigned_abs() > 1 << 62 {
            self.overflow = true;
        }
        x
    }

    fn literal(&mut self) -> i128 {
        i128::from(u16::from_le_bytes([self.byte(), self.byte()]) % 1001) - 500
    }

    fn atom(&mut self, depth: u32) -> (String, i128) {
        let pick = if depth == 0 { 0 } else { self.byte() % 11 };
        match pick {
            1..=3 => {
                let (a, x) = self.atom(depth - 1);
                let (b, y) = self.atom(depth - 1);
                let (op, r) = match pick {
                    1 => ("+", x.saturating_add(y)),
                    2 => ("-", x.saturating_sub(y)),
                    _ => ("*", x.saturating_mul(y)),
                };
                (format!("({op} {a} {b})"), self.check(r))
            }
            4..=9 => {
                let (v, xs) = self.vec(depth - 1);
                let (f, r) = match pick {
                    4 => ("sum", xs.iter().fold(0i128, |a, &x| a.saturating_add(x))),
                    5 => ("max", *xs.iter().max().unwrap()),
                    6 => ("min", *xs.iter().min().unwrap()),
                    7 => ("count", xs.len() as i128),
                    8 => ("first", xs[0]),
                    _ => ("last", xs[xs.len() - 1]),
                };
                (format!("({f} {v})"), self.check(r))
            }
            10 => {
                let (a, x) = self.atom(depth - 1);
                (format!("(neg {a})"), x.saturating_neg())
            }
            _ => {
                let x = self.literal();
                (x.to_string(), x)
            }
        }
    }

    fn vec(&mut self, depth: u32) -> (String, Vec<i128>) {
        let pick = if depth == 0 { self.byte() % 2 } else { self.byte() % 11 };
        match pick {
            1 => (format!("(til {})", self.len), (0..self.len as i128).collect()),
            2..=4 => {
                let (a, xs) = self.vec(depth - 1);
                let (b, ys) = self.vec(depth - 1);
                let (op, f): (&str, fn(i128, i128) -> i128) = match pick {
                    2 => ("+", |x, y| x.saturating_add(y)),
                    3 => ("-", |x, y| x.saturating_sub(y)),
                    _ => ("*", |x, y| x.saturating_mul(y)),
                };
                let r: Vec<i128> = xs.iter().zip(&ys).map(|(&x, &y)| f(x, y)).collect();
                r.iter().for_each(|&x| {
                    let _ = self.check(x);
                });
                (format!("({op} {a} {b})"), r)
            }
            5 | 6 => {
                let (v, xs) = self.vec(depth - 1);
                let (a, y) = self.atom(depth - 1);
                let (src, r): (String, Vec<i128>) = if pick == 5 {
                    (format!("(+ {v} {a})"), xs.iter().map(|&x| x.saturating_add(y)).collect())
                } else {
                    (format!("(* {a} {v})"), xs.iter().map(|&x| x.saturating_mul(y)).collect())
                };
                r.iter().for_each(|&x| {
                    let _ = self.check(x);
                });
                (src, r)
            }
            7..=10 => {
                let (v, mut xs) = self.vec(depth - 1);
                let f = match pick {
                    7 => {
                        xs.reverse();
                        "reverse"
                    }
                    8 => {
                        xs.sort();
                        "asc"
                    }
                    9 => {
                        xs.sort_by(|a, b| b.cmp(a));
                        "desc"
                    }
                    _ => {
                        xs.iter_mut().for_each(|x| *x = x.saturating_neg());
                        "neg"
                    }
                };
                (format!("({f} {v})"), xs)
            }
            _ => {
                let xs: Vec<i128> = (0..self.len).map(|_| self.literal()).collect();
                let items: Vec<String> = xs.iter().map(|x| x.to_string()).collect();
                (format!("[{}]", items.join(" ")), xs)
            }
        }
    }
}

/// A scratch file for file-reading targets: one per process and target,
/// under /dev/shm when it exists (no disk traffic), rewritten per input.
fn scratch_file(target: &str, data: &[u8]) -> std::path::PathBuf {
    let dir = if Path::new("/dev/shm").is_dir() { std::path::PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let path = dir.join(format!("rayforce-fuzz-{target}-{}", std::process::id()));
    std::fs::write(&path, data).expect("scratch file");
    path
}

/// Any bytes as a CSV file read with type inference: a table or a clean
/// error naming the file, and the table formats.
pub fn csv(data: &[u8]) {
    let path = scratch_file("csv", data);
    if let Ok(t) = rayforce::store::csv::read(&path, Default::default()) {
        let _ = lang::format(&t, 1);
    }
}

/// Any bytes as a column file (raw header + payload, STR pools, serialized
/// list columns, index region) and as a symbol file (STRL): a value or a
/// clean error.
pub fn column(data: &[u8]) {
    let _ = rayforce::store::vocab::parse_strl(data);
    let path = scratch_file("column", data);
    if let Ok(v) = rayforce::store::column::load_column(&path, None) {
        let _ = lang::format(&v, 1);
    }
}

/// A fresh empty scratch directory for directory targets, under /dev/shm
/// when it exists, one per process and target.
fn scratch_dir(target: &str) -> std::path::PathBuf {
    let dir = if Path::new("/dev/shm").is_dir() { std::path::PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let dir = dir.join(format!("rayforce-fuzz-{target}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Any bytes as `B.log` at startup with `-l B` (bit 0 of the first byte:
/// with `--journal-truncate`): frames replayed read-only (each whole frame
/// gets the restricted flag, as if a `-U` client had sent it) under the
/// evaluator's budgets, then a torn tail cut, or a refusal that leaves the
/// file as it was. A journal startup accepted holds only whole frames.
pub fn journal(data: &[u8]) {
    use rayforce::journal::{frame, log, recover};
    start_evaluator();
    let dir = scratch_dir("journal");
    let base = dir.join("b");
    let path = log::active_path(&base);
    let bytes = restricted_frames(data);
    std::fs::write(&path, &bytes).expect("scratch journal");
    let opts = recover::Options { truncate_damaged: data.first().is_some_and(|b| b & 1 == 1) };
    let started = recover::startup(log::Mode::Async, &base, opts, &mut |_| {});
    let _ = log::close();
    let now = std::fs::read(&path).expect("journal still there");
    match started {
        Ok(()) => {
            let (_, valid) = frame::validate(&path).expect("validate");
            assert_eq!(valid, now.len() as u64, "startup left bytes that do not frame");
            assert!(bytes.starts_with(&now), "startup changed more than the tail");
        }
        Err(_) => assert_eq!(now, bytes, "a refused startup changed the journal"),
    }
}

/// `data` with the restricted flag set on every frame of its leading
/// chain of whole frames (the ones a replay evaluates).
fn restricted_frames(data: &[u8]) -> Vec<u8> {
    use rayforce::proto::header::{FLAG_RESTRICTED, Header};
    let mut bytes = data.to_vec();
    let mut at = 0usize;
    while let Some(head) = bytes.get(at..at + HEADER_LEN) {
        let Ok(h) = Header::parse(head.try_into().expect("header length")) else { break };
        if h.size > bytes.len() - at - HEADER_LEN {
            break;
        }
        bytes[at + 5] |= FLAG_RESTRICTED;
        at += HEADER_LEN + h.size;
    }
    bytes
}

/// Any bytes as the segment files of an append-only log directory (see
/// [`aof_segments`]), checked as `ray_aof_scan` and `ray_aof_open` do:
/// both accept or both refuse; an open keeps every record a scan
/// delivered; a record appended and committed after it scans back with
/// the next LSN; a scan from a later LSN delivers the tail of the full one.
pub fn aof(data: &[u8]) {
    use rayforce::store::aof::{self, Aof, segment};
    let dir = scratch_dir("aof");
    for (lsn, bytes) in aof_segments(data) {
        std::fs::write(dir.join(segment::file_name(lsn)), bytes).expect("scratch segment");
    }
    let scan_all = |from: i64| {
        let mut seen = Vec::new();
        aof::scan(&dir, from, |lsn, p| {
            seen.push((lsn, p.to_vec()));
            true
        })
        .map(|calls| {
            assert_eq!(calls, seen.len() as i64);
            seen
        })
    };
    let before = scan_all(0);
    if let Ok(seen) = &before {
        if let Some(&(mid, _)) = seen.get(seen.len() / 2) {
            assert_eq!(scan_all(mid).expect("a second scan"), seen[seen.len() / 2..]);
        }
    }
    let opened = Aof::open(&dir, 64);
    let (open_err, scan_err) = (opened.as_ref().err(), before.as_ref().err());
    assert_eq!(open_err.is_none(), scan_err.is_none(), "open and scan disagree: {open_err:?} / {scan_err:?}");
    let (Ok(mut log), Ok(mut seen)) = (opened, before) else { return };
    assert_eq!(scan_all(0).expect("scan after open"), seen, "open changed committed records");
    let Ok(lsn) = log.append(b"fuzz") else { return };
    assert_eq!(log.next_lsn(), lsn + 1);
    log.close().expect("commit");
    seen.push((lsn, b"fuzz".to_vec()));
    assert_eq!(scan_all(0).expect("scan after append"), seen);
}

/// The input as segment files: each is a name byte (below 0xff: the LSN
/// of the segment's first record; 0xff: that LSN in the next 8 bytes, top
/// bit cleared), a 2-byte length and that many bytes (fewer at the end).
fn aof_segments(mut data: &[u8]) -> Vec<(i64, &[u8])> {
    let mut segs = Vec::new();
    while let Some((&name, rest)) = data.split_first() {
        let (lsn, rest) = match name {
            0xff => match rest.split_first_chunk::<8>() {
                Some((b, rest)) => ((u64::from_le_bytes(*b) >> 1) as i64, rest),
                None => break,
            },
            n => (i64::from(n), rest),
        };
        let Some((len, rest)) = rest.split_first_chunk::<2>() else { break };
        let (body, rest) = rest.split_at(usize::from(u16::from_le_bytes(*len)).min(rest.len()));
        segs.push((lsn, body));
        data = rest;
    }
    segs
}
