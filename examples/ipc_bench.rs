//! IPC benchmark: our client against our `rayforce` server (a separate
//! process), each figure printed beside a raw-TCP baseline measured in the
//! same run on the same loopback.
//!
//! Run: `cargo build --release && cargo run --release --example ipc_bench`
//! (optional: `-- --bin PATH` to pick the server binary, `--quick`).

use rayforce::core::Value;
use rayforce::net;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VEC_LEN: i64 = 10_000_000; // 80 MB of i64

struct ServerProc {
    child: Child,
    port: u16,
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(bin: &str, script: &std::path::Path) -> ServerProc {
    let mut child = Command::new(bin)
        .args(["-p", "0"])
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the rayforce binary (build it with `cargo build --release`)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().rsplit(' ').next().and_then(|p| p.parse().ok()).expect("listening on port N");
    ServerProc { child, port }
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(mut xs: Vec<Duration>, p: f64) -> Duration {
    xs.sort();
    xs[((xs.len() as f64 - 1.0) * p) as usize]
}

/// A raw TCP server thread: `serve(stream)` per connection.
fn raw_server(serve: fn(TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let _ = s.set_nodelay(true);
            std::thread::spawn(move || serve(s));
        }
    });
    port
}

fn raw_echo(mut s: TcpStream) {
    let mut b = [0u8; 64];
    loop {
        match s.read(&mut b) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if s.write_all(&b[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

fn raw_sink(mut s: TcpStream) {
    // Counts bytes; a 0xff byte ends a batch and is acknowledged.
    let mut b = vec![0u8; 1 << 16];
    loop {
        match s.read(&mut b) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if b[..n].contains(&0xff) && s.write_all(&[1]).is_err() {
                    return;
                }
            }
        }
    }
}

fn raw_bulk(mut s: TcpStream) {
    let data = vec![7u8; (VEC_LEN * 8) as usize];
    let mut b = [0u8; 1];
    while matches!(s.read(&mut b), Ok(1)) {
        if s.write_all(&data).is_err() {
            return;
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let bin = args
        .iter()
        .position(|a| a == "--bin")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/rayforce").to_string());
    let script = std::env::temp_dir().join(format!("ipc_bench_{}.rfl", std::process::id()));
    std::fs::write(&script, format!("(set v (til {VEC_LEN}))\n")).unwrap();
    let srv = start_server(&bin, &script);
    let pid = srv.child.id();
    let rss_idle = rss_kb(pid, "VmRSS:");
    let n_rt = if quick { 2_000 } else { 20_000 };

    println!("{:<34} {:>16} {:>16} {:>8}", "benchmark", "rayforce", "raw TCP", "ratio");

    // 1. Round trip of (+ 1 2).
    let h = net::connect("127.0.0.1", srv.port, None, None, 5000);
    assert!(h >= 0, "connect: {h}");
    let q = Value::str(b"(+ 1 2)");
    assert_eq!(net::send(h, &q, false).unwrap().i64_val(), 3);
    let mut ours = Vec::with_capacity(n_rt);
    for _ in 0..n_rt {
        let t = Instant::now();
        let _ = net::send(h, &q, false).unwrap();
        ours.push(t.elapsed());
    }
    let echo_port = raw_server(raw_echo);
    let mut s = TcpStream::connect(("127.0.0.1", echo_port)).unwrap();
    s.set_nodelay(true).unwrap();
    let msg = [0u8; 33];
    let mut back = [0u8; 26];
    let mut raw = Vec::with_capacity(n_rt);
    for _ in 0..n_rt {
        let t = Instant::now();
        s.write_all(&msg).unwrap();
        let mut got = 0;
        while got < 26 {
            got += s.read(&mut back[got..]).unwrap();
        }
        // drain the rest of the echo
        let mut rest = [0u8; 7];
        s.read_exact(&mut rest).unwrap();
        raw.push(t.elapsed());
    }
    let (p_ours, p_raw) = (percentile(ours, 0.5), percentile(raw, 0.5));
    println!(
        "{:<34} {:>13.1} us {:>13.1} us {:>7.2}x",
        "round trip (+ 1 2) p50",
        p_ours.as_secs_f64() * 1e6,
        p_raw.as_secs_f64() * 1e6,
        p_ours.as_secs_f64() / p_raw.as_secs_f64()
    );

    // 2. Async messages per second (each message one send).
    let n_async = if quick { 20_000 } else { 200_000 };
    let t = Instant::now();
    for _ in 0..n_async {
        net::post(h, &q).unwrap();
    }
    let _ = net::send(h, &q, false).unwrap(); // FIFO: all were evaluated
    let ours = n_async as f64 / t.elapsed().as_secs_f64();
    let sink_port = raw_server(raw_sink);
    let mut s = TcpStream::connect(("127.0.0.1", sink_port)).unwrap();
    s.set_nodelay(true).unwrap();
    let msg = [1u8; 40];
    let t = Instant::now();
    for _ in 0..n_async {
        s.write_all(&msg).unwrap();
    }
    s.write_all(&[0xff]).unwrap();
    let mut ack = [0u8; 1];
    s.read_exact(&mut ack).unwrap();
    let raw = n_async as f64 / t.elapsed().as_secs_f64();
    println!("{:<34} {:>12.0} m/s {:>12.0} m/s {:>7.2}x", "async messages", ours, raw, ours / raw);

    // 3. Fetch the 80 MB vector.
    let reps = if quick { 2 } else { 5 };
    let name = Value::str(b"v");
    let t = Instant::now();
    for _ in 0..reps {
        let v = net::send(h, &name, false).unwrap();
        assert_eq!(v.len(), VEC_LEN);
    }
    let mb = (VEC_LEN * 8) as f64 / 1e6;
    let ours = mb * reps as f64 / t.elapsed().as_secs_f64();
    let rss_peak = rss_kb(pid, "VmHWM:");
    let bulk_port = raw_server(raw_bulk);
    let mut s = TcpStream::connect(("127.0.0.1", bulk_port)).unwrap();
    let t = Instant::now();
    for _ in 0..reps {
        let mut buf = vec![0u8; (VEC_LEN * 8) as usize];
        s.write_all(&[1]).unwrap();
        s.read_exact(&mut buf).unwrap();
    }
    let raw = mb * reps as f64 / t.elapsed().as_secs_f64();
    println!("{:<34} {:>11.0} MB/s {:>11.0} MB/s {:>7.2}x", "fetch 80 MB i64 vector", ours, raw, ours / raw);
    net::close(h);

    // 4. Connect/close cycles.
    let n_conn = if quick { 300 } else { 2_000 };
    let t = Instant::now();
    for _ in 0..n_conn {
        let h = net::connect("127.0.0.1", srv.port, None, None, 5000);
        assert!(h >= 0);
        net::close(h);
    }
    let ours = n_conn as f64 / t.elapsed().as_secs_f64();
    let acc = TcpListener::bind("127.0.0.1:0").unwrap();
    let acc_port = acc.local_addr().unwrap().port();
    std::thread::spawn(move || {
        // The raw analogue of our handshake: 2 bytes each way, then close.
        for mut s in acc.incoming().flatten() {
            let mut g = [0u8; 2];
            if s.read_exact(&mut g).is_ok() {
                let _ = s.write_all(&g);
            }
        }
    });
    let t = Instant::now();
    for _ in 0..n_conn {
        let mut s = TcpStream::connect(("127.0.0.1", acc_port)).unwrap();
        s.set_nodelay(true).unwrap();
        s.write_all(&[3, 0]).unwrap();
        let mut g = [0u8; 2];
        s.read_exact(&mut g).unwrap();
        drop(s);
    }
    let raw = n_conn as f64 / t.elapsed().as_secs_f64();
    println!("{:<34} {:>12.0} c/s {:>12.0} c/s {:>7.2}x", "connect + handshake + close", ours, raw, ours / raw);
    println!("(raw connect cycle: connect, 2 bytes each way, close)");

    // 5. Server memory.
    println!(
        "{:<34} {:>13} MB   (idle RSS {} MB, payload {:.0} MB: peak/payload {:.2}x)",
        "server peak RSS serving 80 MB",
        rss_peak / 1024,
        rss_idle / 1024,
        mb,
        rss_peak as f64 / 1024.0 / mb
    );
    let _ = std::fs::remove_file(&script);
}
