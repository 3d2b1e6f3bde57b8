//! Where the server listens (`Poll::listen_addr`, `TcpServer::bind_addr`)
//! and what it logs per connection (`Shared::set_conn_log`).

use rayforce::core::Value;
use rayforce::net::server::{LogSink, Poll, Shared};
use rayforce::{TcpClient, TcpServer, net};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A worker-based poll listening on `addr`, served by a thread.
struct Served {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<i64>>,
}

impl Served {
    fn start(addr: &str, setup: impl FnOnce(&Shared)) -> Served {
        rayforce::ipc::install();
        let mut p = Poll::new(false).expect("poll");
        setup(p.shared());
        let id = p.listen_addr(addr).expect("listen_addr");
        let addr = p.listen_local_addr(id).expect("bound address");
        let shared = p.shared().clone();
        let thread = std::thread::spawn(move || p.run());
        Served { addr, shared, thread: Some(thread) }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shared.exit(0);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn ask(port: u16, src: &str) -> Value {
    let h = net::connect("127.0.0.1", port, None, None, 5000);
    assert!(h >= 0, "connect: {h}");
    let v = net::send(h, &Value::str(src.as_bytes()), false).expect("answer");
    net::close(h);
    v
}

fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let t = Instant::now();
    while !cond() {
        assert!(t.elapsed() < Duration::from_secs(10), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_host_and_port_binds_that_interface_only() {
    let s = Served::start("127.0.0.1:0", |_| {});
    assert_eq!(s.addr.ip().to_string(), "127.0.0.1");
    assert_ne!(s.addr.port(), 0, "port 0 picks a free port");
    assert_eq!(ask(s.addr.port(), "(+ 1 2)").i64_val(), 3);
}

#[test]
fn an_ipv6_literal_binds_in_brackets() {
    let mut p = Poll::new(false).unwrap();
    match p.listen_addr("[::1]:0") {
        Ok(id) => {
            let a = p.listen_local_addr(id).unwrap();
            assert!(a.is_ipv6() && a.ip().is_loopback() && a.port() != 0, "{a}");
        }
        // A host without IPv6 cannot bind it; that is not ours to test.
        Err(e) => assert!(
            matches!(e.kind(), std::io::ErrorKind::AddrNotAvailable | std::io::ErrorKind::Unsupported)
                || e.raw_os_error() == Some(97),
            "{e}"
        ),
    }
}

#[test]
fn a_bare_port_binds_every_interface_as_listen_does() {
    let s = Served::start("0", |_| {});
    assert!(s.addr.ip().is_unspecified(), "{}", s.addr);
    assert_eq!(ask(s.addr.port(), "(* 6 7)").i64_val(), 42);
    let mut p = Poll::new(false).unwrap();
    let id = p.listen(0).unwrap();
    assert!(p.listen_local_addr(id).unwrap().ip().is_unspecified());
}

#[test]
fn bad_listen_addresses_are_refused_with_a_clear_error() {
    let mut p = Poll::new(false).unwrap();
    for bad in ["", "host", "127.0.0.1:", "127.0.0.1:x", "70000", "[::1]"] {
        let e = p.listen_addr(bad).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}: {e}");
        assert!(e.to_string().contains("HOST:PORT"), "{bad:?}: {e}");
    }
    assert_eq!(p.connection_count(), 0);
}

#[test]
fn tcp_server_binds_an_address() {
    let server = TcpServer::bind_addr("127.0.0.1:0").expect("bind_addr");
    assert_eq!(server.local_addr().ip().to_string(), "127.0.0.1");
    let running = server.spawn();
    let c = TcpClient::connect("127.0.0.1", running.port(), "", "").expect("connect");
    assert_eq!(c.execute("(+ 40 2)").unwrap().i64_val(), 42);
    assert!(TcpServer::bind_addr("nowhere").is_err());
}

/// Lines the connection log wrote, collected by a sink.
fn collecting_sink() -> (LogSink, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l = lines.clone();
    (Arc::new(move |line: &str| l.lock().unwrap().push(line.to_string())), lines)
}

#[test]
fn the_connection_log_has_one_line_per_open_close_and_failed_login() {
    let (sink, lines) = collecting_sink();
    let s = Served::start("127.0.0.1:0", |sh| {
        sh.set_secret(b"pw");
        sh.set_conn_log_sink(Some(sink));
        sh.set_conn_log(true);
    });
    let port = s.addr.port();
    let h = net::connect("127.0.0.1", port, None, Some(b"pw"), 5000);
    assert!(h >= 0, "connect: {h}");
    wait_for("the open line", || lines.lock().unwrap().len() == 1);
    net::close(h);
    wait_for("the close line", || lines.lock().unwrap().len() == 2);
    assert_eq!(net::connect("127.0.0.1", port, Some(b"bob"), Some(b"wrong"), 5000), -3);
    wait_for("the failed login's lines", || lines.lock().unwrap().len() == 5);
    let got = lines.lock().unwrap().clone();
    let events: Vec<&str> = got.iter().map(|l| l.split_whitespace().nth(1).unwrap_or("")).collect();
    assert_eq!(events, ["open", "close", "open", "auth-failed", "close"], "{got:?}");
    for line in &got {
        assert!(line.starts_with("ipc: "), "{line}");
        assert!(line.contains(" handle=") && line.contains(" peer=127.0.0.1:"), "{line}");
    }
    // The same handle opens and closes.
    let handle = |l: &str| l.split("handle=").nth(1).and_then(|r| r.split(' ').next()).map(str::to_string);
    assert_eq!(handle(&got[0]), handle(&got[1]));
    assert_eq!(handle(&got[2]), handle(&got[4]));
}

#[test]
fn the_connection_log_is_quiet_by_default() {
    let (sink, lines) = collecting_sink();
    let s = Served::start("127.0.0.1:0", |sh| sh.set_conn_log_sink(Some(sink)));
    assert_eq!(ask(s.addr.port(), "(+ 1 2)").i64_val(), 3);
    let h = net::connect("127.0.0.1", s.addr.port(), None, None, 5000);
    assert!(h >= 0, "connect: {h}");
    net::close(h);
    std::thread::sleep(Duration::from_millis(100));
    assert!(lines.lock().unwrap().is_empty(), "{:?}", lines.lock().unwrap());
}
