//! Out-of-band cancel (wire.md section 7): a TCP urgent byte from a client
//! cancels its pending request, running or queued, with the error
//! `cancel`; the connection then serves normally. The client sends the
//! byte when a signal interrupts its wait with an interrupt requested.

mod ipc_support;

use ipc_support::*;
use rayforce::net;
use std::io::Write;
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::RwLock;
use std::time::Duration;

/// The process-wide interrupt cancels every evaluation of this process,
/// the in-process servers' too: the test that sets it runs alone.
static INTERRUPT: RwLock<()> = RwLock::new(());

/// About 100 million lambda calls (a minute or more): only a cancel ends
/// it within the tests' 10 s read timeout. Little memory.
const ENDLESS: &str = "(count (map (fn [i] (sum (map (fn [x] x) (til 1000)))) (til 100000)))";

/// The captured answer of a cancelled request: ERROR `cancel`.
const CANCEL_ANSWER: [u8; 9] = [0x7f, b'c', b'a', b'n', b'c', b'e', b'l', 0, 0];

fn ask(s: &mut TcpStream, src: &str) {
    s.write_all(&frame(1, &str_payload(src))).unwrap();
}

fn answer(s: &mut TcpStream) -> Vec<u8> {
    let (msgtype, _, payload) = read_frame(s).expect("an answer within the read timeout");
    assert_eq!(msgtype, 2);
    payload
}

fn urgent(s: &TcpStream) {
    net::sys::send_urgent(s).expect("urgent byte sent");
}

#[test]
fn an_urgent_byte_cancels_the_running_request_and_the_next_one_runs() {
    let _shared = INTERRUPT.read().unwrap_or_else(|e| e.into_inner());
    evaluator_ready();
    let srv = Server::plain();
    let mut s = srv.raw();
    ask(&mut s, ENDLESS);
    std::thread::sleep(Duration::from_millis(300));
    urgent(&s);
    assert_eq!(answer(&mut s), CANCEL_ANSWER);
    ask(&mut s, "(+ 1 2)");
    assert_eq!(answer(&mut s), i64_payload(3));
}

#[test]
fn an_urgent_byte_with_nothing_pending_is_lost() {
    let _shared = INTERRUPT.read().unwrap_or_else(|e| e.into_inner());
    evaluator_ready();
    let srv = Server::plain();
    let mut s = srv.raw();
    urgent(&s);
    // Time for the server to see the byte alone (seen together with the
    // request, it would count as sent after it).
    std::thread::sleep(Duration::from_millis(300));
    ask(&mut s, "(+ 1 2)");
    assert_eq!(answer(&mut s), i64_payload(3));
}

#[test]
fn a_request_queued_behind_another_clients_query_is_cancelled_unevaluated() {
    let _shared = INTERRUPT.read().unwrap_or_else(|e| e.into_inner());
    evaluator_ready();
    let srv = Server::plain();
    let mut a = srv.raw();
    let mut b = srv.raw();
    ask(&mut a, ENDLESS);
    std::thread::sleep(Duration::from_millis(300));
    // b's request waits for a's evaluation (writes are one at a time).
    ask(&mut b, "(set cancel_probe_zz 1)");
    std::thread::sleep(Duration::from_millis(100));
    urgent(&b);
    std::thread::sleep(Duration::from_millis(100));
    urgent(&a);
    assert_eq!(answer(&mut a), CANCEL_ANSWER);
    assert_eq!(answer(&mut b), CANCEL_ANSWER);
    ask(&mut b, "cancel_probe_zz");
    let probe = answer(&mut b);
    assert_eq!(probe[0], 0x7f, "the cancelled request must not have run: {probe:?}");
    ask(&mut a, "(+ 1 2)");
    assert_eq!(answer(&mut a), i64_payload(3));
}

extern "C" fn ignore_signal(_: libc::c_int) {}

#[test]
fn an_interrupted_client_wait_sends_the_urgent_byte() {
    let _alone = INTERRUPT.write().unwrap_or_else(|e| e.into_inner());
    evaluator_ready();
    let srv = Server::plain();
    // A handler without SA_RESTART, so the signal interrupts the wait.
    // SAFETY: a zeroed sigaction with an empty handler is valid.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = ignore_signal as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut());
    }
    let (tid_tx, tid_rx) = mpsc::channel();
    let (first_tx, first_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let port = srv.port;
    let code = |r: rayforce::core::Result<rayforce::Value>| r.map(|v| v.i64_val()).map_err(|e| e.code_str().to_string());
    let client = std::thread::spawn(move || {
        let h = net::connect("127.0.0.1", port, None, None, 5000);
        assert!(h >= 0, "connect: {h}");
        // SAFETY: pthread_self has no preconditions.
        tid_tx.send(unsafe { libc::pthread_self() }).unwrap();
        first_tx.send(code(net::send(h, &rayforce::Value::str(ENDLESS.as_bytes()), false))).unwrap();
        go_rx.recv().unwrap();
        let again = code(net::send(h, &rayforce::Value::str(b"(+ 1 2)"), false));
        net::close(h);
        again
    });
    let thread = tid_rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    rayforce::runtime::request_interrupt();
    // Signal until the client has its answer (a signal that lands outside
    // the wait only interrupts nothing).
    let mut first = None;
    for _ in 0..100 {
        // SAFETY: the client thread lives until it gets `go`.
        unsafe { libc::pthread_kill(thread, libc::SIGUSR1) };
        if let Ok(r) = first_rx.recv_timeout(Duration::from_millis(100)) {
            first = Some(r);
            break;
        }
    }
    rayforce::runtime::clear_interrupt();
    go_tx.send(()).unwrap();
    let again = client.join().unwrap();
    assert_eq!(first, Some(Err("cancel".to_string())));
    assert_eq!(again, Ok(3));
}

#[test]
fn ray_ipc_cancel_from_another_thread_cancels_the_waiting_request() {
    let _shared = INTERRUPT.read().unwrap_or_else(|e| e.into_inner());
    evaluator_ready();
    let srv = Server::plain();
    let h = net::connect("127.0.0.1", srv.port, None, None, 5000);
    assert!(h >= 0, "connect: {h}");
    let waiting = std::thread::spawn(move || {
        net::send(h, &rayforce::Value::str(ENDLESS.as_bytes()), false).map(|_| ()).map_err(|e| e.code_str().to_string())
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rayforce::ffi::ipc::ray_ipc_cancel(h), rayforce::abi::RAY_OK);
    assert_eq!(waiting.join().unwrap(), Err("cancel".to_string()));
    assert_eq!(net::send(h, &rayforce::Value::str(b"(+ 1 2)"), false).unwrap().i64_val(), 3);
    net::close(h);
    assert_ne!(rayforce::ffi::ipc::ray_ipc_cancel(h), rayforce::abi::RAY_OK, "a closed handle");
}

#[test]
fn tcp_client_cancel_stops_a_query_another_thread_waits_for() {
    let _shared = INTERRUPT.read().unwrap_or_else(|e| e.into_inner());
    evaluator_ready();
    let srv = Server::plain();
    let client = std::sync::Arc::new(rayforce::TcpClient::connect("127.0.0.1", srv.port, "", "").unwrap());
    let waiting = {
        let c = client.clone();
        std::thread::spawn(move || c.execute(ENDLESS).map(|_| ()).map_err(|e| e.code_str().to_string()))
    };
    std::thread::sleep(Duration::from_millis(300));
    client.cancel().unwrap();
    assert_eq!(waiting.join().unwrap(), Err("cancel".to_string()));
    assert_eq!(client.execute("(+ 1 2)").unwrap().i64_val(), 3);
    client.close();
    assert!(client.cancel().is_err(), "cancel after close");
}
