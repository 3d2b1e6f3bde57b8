//! Nothing acknowledged is ever lost: the built `rayforce` binary serves
//! with a journal (`-L` sync in most rounds, `-l` async in some) while
//! clients write; it is killed with SIGKILL at a random moment, restarted on
//! the same journal, and every write the clients saw acknowledged must be
//! there (plus at most the one in flight). Some rounds keep a client
//! sending 3 MB frames, so kills land while a large frame is read or
//! written; some take a snapshot (which rolls the journal) mid-round.
//!
//! Rounds: 24 (RAYFORCE_CRASH_ROUNDS=200 cargo test --test journal_crash for a soak).
//! The seed is printed; RAYFORCE_CRASH_SEED replays one run.

use rayforce::core::Value;
use rayforce::net;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rayforce");
const BIG: usize = 3 << 20;

struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<Vec<String>>>,
}

fn start(base: &std::path::Path, sync: bool) -> Server {
    let mut child = Command::new(BIN)
        .args([if sync { "-L" } else { "-l" }, base.to_str().unwrap(), "-p", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rayforce starts");
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let sink = stderr.clone();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("listening on port ").and_then(|p| p.parse().ok());
    let Some(port) = port else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("no port: {line:?}; stderr: {:?}", stderr.lock().unwrap());
    };
    Server { child, port, stderr }
}

fn connect(port: u16) -> i64 {
    let h = net::connect("127.0.0.1", port, None, None, 5000);
    assert!(h >= 0, "connect: {h}");
    h
}

fn ask(h: i64, src: &str) -> Result<Value, rayforce::core::RayError> {
    net::send(h, &Value::str(src.as_bytes()), false)
}

fn int(h: i64, src: &str) -> i64 {
    ask(h, src).unwrap_or_else(|e| panic!("{src}: {e}")).i64_val()
}

/// xorshift: enough randomness for kill times.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_write() {
    rayforce::ipc::install();
    let rounds: u64 = std::env::var("RAYFORCE_CRASH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(24);
    let seed = std::env::var("RAYFORCE_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("journal crash test: {rounds} rounds, RAYFORCE_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = std::env::temp_dir().join(format!("rayforce-journal-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("db");
    let started = Instant::now();

    // Acknowledged so far: small writes append 0, 1, 2, ... to xs; big
    // writes set big (3 MB) and then bigseq.
    let mut acked: i64 = 0;
    let mut big_acked: i64 = -1;
    let (mut torn, mut big_rounds, mut total_writes) = (0, 0, 0);
    for round in 0..rounds {
        let sync = round % 4 != 3;
        let srv = start(&base, sync);
        let h = connect(srv.port);
        if round == 0 {
            ask(h, "(set xs (til 0))").unwrap();
            ask(h, "(set bigseq -1)").unwrap();
        }
        // Every acknowledged write is there, and nothing past the one in flight.
        let n = int(h, "(count xs)");
        assert!(n == acked || n == acked + 1, "round {round}: {n} writes applied, {acked} acknowledged");
        assert_eq!(int(h, "(sum xs)"), n * (n - 1) / 2, "round {round}: xs is not 0..{n}");
        let b = int(h, "bigseq");
        assert!(b == big_acked || b == big_acked + 1, "round {round}: big write {b} applied, {big_acked} acknowledged");
        if b >= 0 {
            assert_eq!(int(h, "(count big)"), BIG as i64, "round {round}");
        }
        acked = n;
        big_acked = b;
        net::close(h);

        let stop = Arc::new(AtomicBool::new(false));
        let small = Arc::new(AtomicI64::new(acked));
        let snapshot_at = (round % 5 == 2).then(|| 5 + rng.below(20) as i64);
        // Clients connect before the kill timer starts: on a loaded machine
        // a thread's own connect could come after the kill.
        let writer = {
            let (small, stop, h) = (small.clone(), stop.clone(), connect(srv.port));
            std::thread::spawn(move || {
                let mut i = small.load(Ordering::SeqCst);
                let first = i;
                while !stop.load(Ordering::SeqCst) {
                    if snapshot_at == Some(i - first) && ask(h, "(.log.snapshot)").is_err() {
                        break;
                    }
                    if ask(h, &format!("(set xs (concat xs {i}))")).is_err() {
                        break;
                    }
                    i += 1;
                    small.store(i, Ordering::SeqCst);
                }
                net::close(h);
            })
        };
        let big = Arc::new(AtomicI64::new(big_acked));
        let big_writer = (round % 3 == 1).then(|| {
            big_rounds += 1;
            let (big, stop, h) = (big.clone(), stop.clone(), connect(srv.port));
            std::thread::spawn(move || {
                let filler = "x".repeat(BIG);
                let mut seq = big.load(Ordering::SeqCst) + 1;
                while !stop.load(Ordering::SeqCst) {
                    if ask(h, &format!("(set big \"{filler}\") (set bigseq {seq})")).is_err() {
                        break;
                    }
                    big.store(seq, Ordering::SeqCst);
                    seq += 1;
                }
                net::close(h);
            })
        });
        std::thread::sleep(Duration::from_millis(30 + rng.below(300)));
        let mut child = srv.child;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        if let Some(t) = big_writer {
            t.join().unwrap();
        }
        total_writes += small.load(Ordering::SeqCst) - acked;
        acked = small.load(Ordering::SeqCst);
        big_acked = big.load(Ordering::SeqCst);
        torn += srv.stderr.lock().unwrap().iter().filter(|l| l.contains("torn tail")).count();
    }
    // The last restart's recovery lines are read by the next start; start
    // once more to check the final round too.
    let srv = start(&base, true);
    let h = connect(srv.port);
    let n = int(h, "(count xs)");
    assert!(n == acked || n == acked + 1, "final: {n} applied, {acked} acknowledged");
    assert_eq!(int(h, "(sum xs)"), n * (n - 1) / 2);
    let b = int(h, "bigseq");
    assert!(b == big_acked || b == big_acked + 1, "final: big {b} applied, {big_acked} acknowledged");
    net::close(h);
    let mut child = srv.child;
    child.kill().unwrap();
    child.wait().unwrap();
    torn += srv.stderr.lock().unwrap().iter().filter(|l| l.contains("torn tail")).count();
    eprintln!(
        "journal crash test: {rounds} kills, {total_writes} small writes acknowledged, {big_rounds} rounds with 3 MB frames, \
         {torn} torn tails cut at restart, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
