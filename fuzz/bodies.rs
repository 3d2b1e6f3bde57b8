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

/// Any text evaluated as a read-only client's request (restricted: no
/// `set`, no `exit`, no file or system access) under an operation budget:
/// a value or an error object, formatted as the REPL would.
pub fn eval(data: &[u8]) {
    START.call_once(|| {
        let _ = rayforce::runtime::create(None);
        lang::reset();
        limits::set_max_operations(20_000);
        // `(til 823514501)` is a legitimate request for gigabytes: the
        // memory budget turns it into an oom error.
        rayforce::core::alloc::set_budget(256 << 20);
    });
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
    START.call_once(|| {
        let _ = rayforce::runtime::create(None);
        lang::reset();
        limits::set_max_operations(20_000);
    });
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
            let s = got.try_slice::<i64>().unwrap_or_else(|e| panic!("{src}: not an I64 vector: {e}"));
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
                r.iter().for_each(|&x| drop(self.check(x)));
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
                r.iter().for_each(|&x| drop(self.check(x)));
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
