//! `rayforce::ipc`, RayforceDB's documented Rust client names (`hopen`,
//! `Connection`, `ConnectionPool`, `IPCError`), against an in-process
//! server on an ephemeral port, and against raw listeners that misbehave
//! (never handshake, never answer) to reach the timeout paths.

use rayforce::ipc::{ConnectionPool, IPCError, hopen, hopen_timeout};
use rayforce::{RayVector, Runtime, TcpServer, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

const HOST: &str = "127.0.0.1";

#[test]
fn a_connection_executes_sends_writes_and_closes() {
    let _rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().spawn();
    let conn = hopen(HOST, server.port()).unwrap();
    assert!(conn.is_connected());
    assert_eq!(conn.execute("(+ 1 2)").unwrap().as_i64().unwrap(), 3);

    // a string sent without waiting is evaluated before the next request
    conn.send_async("(set names_async_x 41)").unwrap();
    assert_eq!(conn.execute("(+ names_async_x 1)").unwrap().as_i64().unwrap(), 42);

    // write takes a Value or a RayVector; data is evaluated and dropped,
    // a string or call is evaluated
    let prices: RayVector<i64> = RayVector::from_iter([100, 200, 300]);
    conn.write(&prices).unwrap();
    conn.write(&Value::string("(set names_written 7)")).unwrap();
    assert_eq!(conn.execute("names_written").unwrap().as_i64().unwrap(), 7);
    let echoed = conn.send(&prices).unwrap();
    assert_eq!(echoed.as_slice::<i64>().unwrap(), &[100, 200, 300]);

    // a server error leaves the connection up
    match conn.execute("(+ 1 \"a\")") {
        Err(IPCError::Ray(e)) => assert_eq!(e.code_str(), "type"),
        other => panic!("expected the server's type error, got {other:?}"),
    }
    assert!(conn.is_connected());

    conn.close().unwrap();
    assert!(!conn.is_connected());
    conn.close().unwrap(); // closing twice is fine
    assert!(matches!(conn.execute("1"), Err(IPCError::NotConnected)));
    assert!(matches!(conn.send_async("1"), Err(IPCError::NotConnected)));
    assert!(matches!(conn.write(&prices), Err(IPCError::NotConnected)));
    assert!(matches!(conn.set_compression(true), Err(IPCError::NotConnected)));
    server.stop();
}

#[test]
fn a_pool_of_ten_lends_live_connections_and_takes_them_back() {
    let _rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().spawn();
    let pool = ConnectionPool::new(HOST, server.port(), 10).unwrap();
    {
        let lent: Vec<_> = (0..10).map(|_| pool.get().unwrap()).collect();
        for (i, conn) in lent.iter().enumerate() {
            assert!(conn.is_connected());
            assert_eq!(conn.execute(&format!("(* {i} 2)")).unwrap().as_i64().unwrap(), 2 * i as i64);
        }
        // connections are distinct: state set through one is seen by all
        // (one server), but each one answers its own requests
        lent[3].send_async("(set names_pool 5)").unwrap();
        assert_eq!(lent[3].execute("names_pool").unwrap().as_i64().unwrap(), 5);
        lent[9].close().unwrap();
        assert!(!lent[9].is_connected());
    }
    // nine went back; the closed one did not
    assert_eq!(pool.idle_count(), 9);
    let conn = pool.get().unwrap();
    assert_eq!(conn.execute("(+ 1 2)").unwrap().as_i64().unwrap(), 3);
    server.stop();
}

#[test]
fn compressed_requests_and_large_replies_round_trip() {
    let _rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().spawn();
    let conn = hopen(HOST, server.port()).unwrap();
    conn.set_compression(true).unwrap();
    // 40,000 bytes each way, compressible: the request goes compressed
    let big: RayVector<i64> = (0..5000).map(|i| i % 7).collect();
    let back = conn.send(&big).unwrap();
    assert_eq!(back.as_slice::<i64>().unwrap(), &*big);
    let reply = conn.execute("(til 3000)").unwrap();
    let want: Vec<i64> = (0..3000).collect();
    assert_eq!(reply.as_slice::<i64>().unwrap(), &want[..]);
    conn.set_compression(false).unwrap();
    assert_eq!(conn.send(&big).unwrap().as_slice::<i64>().unwrap().len(), 5000);
    server.stop();
}

/// A listener that handshakes, then reads one request frame and returns its
/// flags byte (answering nothing).
fn capture_one_request_flags() -> (u16, std::thread::JoinHandle<u8>) {
    let listener = TcpListener::bind((HOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut greeting = [0u8; 2];
        s.read_exact(&mut greeting).unwrap();
        s.write_all(&[3, 0]).unwrap();
        let mut header = [0u8; 16];
        s.read_exact(&mut header).unwrap();
        header[5]
    });
    (port, t)
}

#[test]
fn set_compression_decides_whether_large_requests_are_compressed() {
    let _rt = Runtime::new().unwrap();
    let big: RayVector<i64> = (0..5000).map(|i| i % 7).collect();
    for (on, want_flag) in [(true, 1u8), (false, 0u8)] {
        let (port, listener) = capture_one_request_flags();
        let conn = hopen_timeout(HOST, port, 2000).unwrap();
        conn.set_compression(on).unwrap();
        conn.write(&big).unwrap();
        assert_eq!(listener.join().unwrap() & 1, want_flag, "set_compression({on})");
    }
}

#[test]
fn a_refused_port_is_connection_failed_with_a_message() {
    let port = TcpListener::bind((HOST, 0)).unwrap().local_addr().unwrap().port();
    match hopen(HOST, port) {
        Err(IPCError::ConnectionFailed(msg)) => {
            assert!(msg.contains(&port.to_string()), "{msg}");
        }
        other => panic!("expected ConnectionFailed, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_listener_that_never_handshakes_is_a_timeout() {
    let listener = TcpListener::bind((HOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
    let started = Instant::now();
    let r = hopen_timeout(HOST, port, Duration::from_millis(300));
    assert!(matches!(r, Err(IPCError::Timeout)), "{:?}", r.map(|_| ()));
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(accepted.join());
}

#[test]
fn a_server_that_never_answers_times_out_and_the_connection_closes() {
    let listener = TcpListener::bind((HOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = std::thread::spawn(move || {
        let (mut s, _): (TcpStream, _) = listener.accept().unwrap();
        let mut greeting = [0u8; 2];
        s.read_exact(&mut greeting).unwrap();
        s.write_all(&[3, 0]).unwrap();
        std::thread::sleep(Duration::from_secs(2));
    });
    let conn = hopen_timeout(HOST, port, 300).unwrap();
    assert!(matches!(conn.execute("(+ 1 2)"), Err(IPCError::Timeout)));
    assert!(!conn.is_connected());
    assert!(matches!(conn.execute("1"), Err(IPCError::NotConnected)));
    silent.join().unwrap();
}

#[test]
fn ipc_errors_display_and_convert() {
    assert_eq!(IPCError::Timeout.to_string(), "timed out");
    assert_eq!(IPCError::NotConnected.to_string(), "not connected");
    assert_eq!(IPCError::ConnectionFailed("x:1: refused".into()).to_string(), "connection failed: x:1: refused");
    let e: IPCError = rayforce::RayError::new("type", "bad").into();
    assert!(matches!(e, IPCError::Ray(_)));
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.source().is_some());
}
