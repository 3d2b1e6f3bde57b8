//! Shared helpers of the IPC tests: a server on an ephemeral port in a
//! thread, raw-socket frame helpers.
#![allow(dead_code)]

use rayforce::net::server::{Poll, Shared};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Server {
    pub port: u16,
    pub shared: Arc<Shared>,
    thread: Option<JoinHandle<i64>>,
}

impl Server {
    pub fn start(password: Option<&str>, restricted: bool) -> Server {
        rayforce::ipc::install();
        let mut p = Poll::new(false).expect("poll");
        if let Some(pw) = password {
            p.shared().set_secret(pw.as_bytes());
        }
        p.shared().set_restricted(restricted);
        let id = p.listen(0).expect("listen");
        let port = p.listen_port(id).expect("port");
        let shared = p.shared().clone();
        let thread = std::thread::spawn(move || p.run());
        Server { port, shared, thread: Some(thread) }
    }

    pub fn plain() -> Server {
        Server::start(None, false)
    }

    /// A raw socket that completed the no-auth handshake.
    pub fn raw(&self) -> TcpStream {
        let mut s = self.raw_unshaken();
        s.write_all(&[3, 0]).unwrap();
        let mut g = [0u8; 2];
        s.read_exact(&mut g).unwrap();
        assert_eq!(g, [3, 0]);
        s
    }

    /// A raw socket before any handshake byte.
    pub fn raw_unshaken(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.exit(0);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn header(msgtype: u8, flags: u8, size: i64) -> Vec<u8> {
    let mut b = vec![0xfa, 0xde, 0xfa, 0xce, 3, flags, 0, msgtype];
    b.extend_from_slice(&size.to_le_bytes());
    b
}

pub fn frame(msgtype: u8, payload: &[u8]) -> Vec<u8> {
    let mut b = header(msgtype, 0, payload.len() as i64);
    b.extend_from_slice(payload);
    b
}

pub fn str_payload(s: &str) -> Vec<u8> {
    let mut b = vec![0xf3, 0];
    b.extend_from_slice(&(s.len() as i64).to_le_bytes());
    b.extend_from_slice(s.as_bytes());
    b
}

pub fn i64_payload(x: i64) -> Vec<u8> {
    let mut b = vec![0xfb, 0];
    b.extend_from_slice(&x.to_le_bytes());
    b
}

/// Reads one frame: (msgtype, flags, payload).
pub fn read_frame(s: &mut TcpStream) -> std::io::Result<(u8, u8, Vec<u8>)> {
    let mut h = [0u8; 16];
    s.read_exact(&mut h)?;
    assert_eq!(&h[..4], &[0xfa, 0xde, 0xfa, 0xce]);
    let size = i64::from_le_bytes(h[8..16].try_into().unwrap()) as usize;
    let mut p = vec![0u8; size];
    s.read_exact(&mut p)?;
    Ok((h[7], h[5], p))
}

/// True when the server closed the socket without sending anything.
pub fn closed_silently(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    matches!(s.read(&mut b), Ok(0)) || matches!(s.read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset)
}

/// Checks that the evaluator answers (it is part of the server now: a
/// broken evaluator fails the tests that need it instead of skipping them).
pub fn evaluator_ready() -> bool {
    rayforce::ipc::install();
    let r = rayforce::lang::eval_str("(+ 1 2)", Default::default());
    assert!(r.as_ref().is_ok_and(|v| v.i64_val() == 3), "the evaluator must answer (+ 1 2)");
    true
}
