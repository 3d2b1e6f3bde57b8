//! Soak: the `rayforce` server under many clients doing everything at once
//! (mixed queries with checked answers, large fetches, async floods, slow
//! readers, garbage frames, disconnects mid-frame), while its RSS and open
//! descriptors are sampled. Every well-formed request must get its right
//! answer; afterwards the server must be back to its descriptor count and
//! its memory bounded.
//!
//! `cargo test --test soak` runs a short round (a few seconds, a few dozen
//! clients). `make soak` runs the long one: `SOAK_SECS=600 SOAK_CLIENTS=200`,
//! printing the RSS and descriptor curve.

use rayforce::TcpClient;
use rayforce::core::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rayforce");

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server under test, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(BIN)
            .args(["-p", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rayforce");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.split_whitespace().nth(3).and_then(|p| p.parse().ok()).expect(&line);
        Server { child, port }
    }

    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).map(|d| d.count()).unwrap_or(0)
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().map(|s| s.is_none()).unwrap_or(false)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small deterministic generator (xorshift64*), one per client.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Tally {
    answered: AtomicU64,
    hostile: AtomicU64,
    wrong: Mutex<Vec<String>>,
}

impl Tally {
    fn check(&self, what: &str, got: Result<Value, rayforce::RayError>, want: impl FnOnce(&Value) -> bool) {
        match got {
            Ok(v) if want(&v) => {
                self.answered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(v) => self.wrong.lock().unwrap().push(format!("{what}: wrong answer {v:?}")),
            Err(e) => self.wrong.lock().unwrap().push(format!("{what}: {e}")),
        }
    }
}

fn is_i64(v: &Value, want: i64) -> bool {
    v.as_i64().ok() == Some(want)
}

/// A raw connection that has done the greeting (no password).
fn raw_connect(port: u16) -> Option<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(&[3, 0]).ok()?;
    let mut greet = [0u8; 2];
    s.read_exact(&mut greet).ok()?;
    Some(s)
}

/// A frame header for a sync request of `size` payload bytes.
fn header(size: u64) -> Vec<u8> {
    let mut h = vec![0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 1];
    h.extend_from_slice(&size.to_le_bytes());
    h
}

/// A sync request frame holding the string `src`.
fn request(src: &str) -> Vec<u8> {
    let mut payload = vec![0xf3, 0];
    payload.extend_from_slice(&(src.len() as u64).to_le_bytes());
    payload.extend_from_slice(src.as_bytes());
    let mut f = header(payload.len() as u64);
    f.extend_from_slice(&payload);
    f
}

/// One client's life until `stop`: it keeps a connection for well-formed
/// work and opens short raw ones for hostile acts.
fn client(id: u64, port: u16, stop: &AtomicBool, tally: &Tally) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (id + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut conn: Option<TcpClient> = None;
    while !stop.load(Ordering::Relaxed) {
        let c = match &conn {
            Some(c) => c,
            None => match TcpClient::connect("127.0.0.1", port, "", "") {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    tally.wrong.lock().unwrap().push(format!("client {id}: connect: {e}"));
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            },
        };
        match rng.below(100) {
            0..=49 => {
                let (a, b) = (rng.below(1 << 40) as i64, rng.below(1 << 40) as i64);
                tally.check("add", c.execute(&format!("(+ {a} {b})")), |v| is_i64(v, a + b));
            }
            50..=64 => {
                let n = 1 + rng.below(100_000) as i64;
                tally.check("sum til", c.execute(&format!("(sum (til {n}))")), |v| is_i64(v, n * (n - 1) / 2));
            }
            65..=71 => {
                let n = 1_000_000;
                tally.check("large fetch", c.execute(&format!("(til {n})")), |v| {
                    v.as_slice::<i64>().is_ok_and(|s| s.len() == n && s[n - 1] == n as i64 - 1)
                });
            }
            72..=79 => {
                // An async flood, then a sync read that must see the last write.
                let name = format!("soak{id}");
                let k = 20 + rng.below(200) as i64;
                let mut sent = true;
                for i in 0..k {
                    let set = Value::string(&format!("(set {name} {i})"));
                    sent &= c.send_async(&set).is_ok();
                }
                if sent {
                    tally.check("async flood", c.execute(&name), |v| is_i64(v, k - 1));
                } else {
                    tally.wrong.lock().unwrap().push(format!("client {id}: async send failed"));
                }
            }
            80..=84 => {
                // Slow reader: a large answer read in small bites, sometimes abandoned.
                if let Some(mut s) = raw_connect(port) {
                    let _ = s.write_all(&request("(til 3000000)"));
                    let mut buf = [0u8; 4096];
                    let bites = if rng.below(2) == 0 { 40 } else { 10_000 };
                    for _ in 0..bites {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(_) => std::thread::sleep(Duration::from_micros(200)),
                        }
                    }
                }
                tally.hostile.fetch_add(1, Ordering::Relaxed);
            }
            85..=89 => {
                // Disconnect mid-frame: a header promising more than is sent.
                if let Some(mut s) = raw_connect(port) {
                    let mut f = request("(+ 1 2)");
                    f.truncate(5 + rng.below(f.len() as u64 - 5) as usize);
                    let _ = s.write_all(&f);
                }
                tally.hostile.fetch_add(1, Ordering::Relaxed);
            }
            90..=94 => {
                // Garbage: random bytes after the greeting, or instead of it.
                if let Some(mut s) = if rng.below(2) == 0 {
                    raw_connect(port)
                } else {
                    TcpStream::connect(("127.0.0.1", port)).ok()
                } {
                    let junk: Vec<u8> = (0..1 + rng.below(4096)).map(|_| rng.next() as u8).collect();
                    let _ = s.write_all(&junk);
                    let mut sink = [0u8; 256];
                    let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
                    let _ = s.read(&mut sink);
                }
                tally.hostile.fetch_add(1, Ordering::Relaxed);
            }
            95..=96 => {
                // A frame claiming a huge payload, then silence and a close.
                if let Some(mut s) = raw_connect(port) {
                    let _ = s.write_all(&header(1 << 40));
                    let _ = s.write_all(&[0xf3, 0, 1, 2, 3]);
                }
                tally.hostile.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                // Reconnect: the well-formed connection goes away and comes back.
                if let Some(c) = conn.take() {
                    c.close();
                }
            }
        }
    }
}

#[test]
fn server_survives_a_crowd_of_clients_and_returns_to_its_resting_state() {
    let secs = env_or("SOAK_SECS", 6);
    let clients = env_or("SOAK_CLIENTS", 24);
    let mut server = Server::start();
    let port = server.port;
    std::thread::sleep(Duration::from_millis(100));
    let (rss0, fds0) = (server.rss_kb(), server.fds());
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let workers: Vec<_> = (0..clients)
        .map(|id| {
            let (stop, tally) = (stop.clone(), tally.clone());
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || client(id, port, &stop, &tally))
                .unwrap()
        })
        .collect();
    let start = Instant::now();
    let every = Duration::from_secs(if secs >= 60 { 10 } else { 1 });
    let mut curve = vec![(0u64, rss0, fds0)];
    while start.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(every.min(Duration::from_secs(secs).saturating_sub(start.elapsed())));
        assert!(server.alive(), "the server died");
        curve.push((start.elapsed().as_secs(), server.rss_kb(), server.fds()));
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("client thread");
    }
    // Every connection is gone from the server within a few seconds.
    let settle = Instant::now();
    while server.fds() > fds0 && settle.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (rss1, fds1) = (server.rss_kb(), server.fds());
    let answered = tally.answered.load(Ordering::Relaxed);
    println!("soak: {clients} clients, {secs} s: {answered} well-formed requests answered correctly, {} hostile acts", tally.hostile.load(Ordering::Relaxed));
    println!("soak: RSS {rss0} kB at start, {rss1} kB at end; descriptors {fds0} at start, {fds1} at end");
    println!("soak: curve (s, RSS kB, fds): {curve:?}");
    let wrong = tally.wrong.lock().unwrap();
    assert!(wrong.is_empty(), "{} failures, first: {:?}", wrong.len(), &wrong[..wrong.len().min(5)]);
    assert!(answered > clients, "too little work done: {answered}");
    assert!(server.alive(), "the server died");
    assert_eq!(fds1, fds0, "descriptors leaked");
    let peak = curve.iter().map(|c| c.1).max().unwrap_or(rss1);
    // Bounded: at rest it holds at most its start plus one large answer per
    // client, never the sum of everything it served.
    let bound = rss0 + 64 * 1024 + clients * 24 * 1024;
    assert!(rss1 <= bound, "RSS at rest {rss1} kB over {bound} kB (peak {peak} kB)");
    // And it still answers.
    let c = TcpClient::connect("127.0.0.1", port, "", "").expect("connect after soak");
    assert!(is_i64(&c.execute("(+ 40 2)").unwrap(), 42));
}
