//! Server behaviour that needs the evaluator: answers, restricted mode,
//! ordering, verbose capture, pushes, bulk vectors, parallel read-only work.

mod ipc_support;

use ipc_support::*;
use rayforce::abi;
use rayforce::core::Value;
use rayforce::net;
use std::io::Write;
use std::time::{Duration, Instant};

fn connect(srv: &Server, pw: Option<&[u8]>) -> i64 {
    let h = net::connect("127.0.0.1", srv.port, None, pw, 5000);
    assert!(h >= 0, "connect: {h}");
    h
}

fn q(s: &str) -> Value {
    Value::str(s.as_bytes())
}

#[test]
fn strings_are_evaluated_and_data_is_echoed() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::plain();
    let h = connect(&srv, None);
    assert_eq!(net::send(h, &q("(+ 1 2)"), false).unwrap().i64_val(), 3);
    assert_eq!(net::send(h, &Value::i64(99), false).unwrap().i64_val(), 99);
    assert_eq!(net::send(h, &q("(+ 1 \"a\")"), false).unwrap_err().code_str(), "type");
    assert_eq!(net::send(h, &q("undefined_zz_1"), false).unwrap_err().code_str(), "name");
    let (ty, _, p) = {
        let mut s = srv.raw();
        s.write_all(&frame(1, &str_payload(""))).unwrap();
        read_frame(&mut s).unwrap()
    };
    assert_eq!((ty, p), (2, vec![0x7e]), "an empty string answers the untyped null");
    net::close(h);
}

#[test]
fn read_only_connections_get_access_for_mutation_and_values_otherwise() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::start(Some("pw"), true);
    let h = connect(&srv, Some(b"pw"));
    assert_eq!(net::send(h, &q("(set ro_x 1)"), false).unwrap_err().code_str(), "access");
    assert_eq!(net::send(h, &q("(.ipc.open \"127.0.0.1:1\")"), false).unwrap_err().code_str(), "access");
    assert_eq!(net::send(h, &q("(+ 2 3)"), false).unwrap().i64_val(), 5);
    net::close(h);
}

#[test]
fn async_frames_are_applied_before_a_later_sync_reply() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::plain();
    let h = connect(&srv, None);
    for i in 0..50 {
        net::post(h, &q(&format!("(set fifo_v {i})"))).unwrap();
    }
    assert_eq!(net::send(h, &q("fifo_v"), false).unwrap().i64_val(), 49);
    net::close(h);
}

#[test]
fn verbose_requests_return_captured_output_and_the_result() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::plain();
    let h = connect(&srv, None);
    let v = net::send(h, &q("(+ 1 2)"), true).unwrap();
    assert_eq!(v.type_(), abi::RAY_LIST);
    assert_eq!(v.len(), 2);
    assert_eq!(v.item(0).unwrap().str_bytes(), b"");
    assert_eq!(v.item(1).unwrap().i64_val(), 3);
    net::close(h);
}

#[test]
fn ipc_handle_names_the_connection_during_its_requests() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::plain();
    let h = connect(&srv, None);
    let server_side = net::send(h, &q("(.ipc.handle)"), false).unwrap().i64_val();
    assert!(server_side >= 0 && server_side != h);
    net::close(h);
}

#[test]
fn a_large_vector_round_trips_intact() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::plain();
    let h = connect(&srv, None);
    let xs: Vec<i64> = (0..2_000_000).map(|i| i * 3 - 7).collect();
    let v = Value::vec_from_slice(abi::RAY_I64, &xs).unwrap();
    let back = net::send(h, &v, false).unwrap();
    assert_eq!(back.elems::<i64>(), &xs[..]);
    net::send(h, &q("(set big_v (til 3000000))"), false).unwrap();
    let t = net::send(h, &q("big_v"), false).unwrap();
    assert_eq!(t.len(), 3_000_000);
    assert_eq!(t.elems::<i64>()[2_999_999], 2_999_999);
    net::close(h);
}

/// Times a slow query on `a`, then starts it again on a thread and waits
/// until it is a quarter through. None (the test skips) when this machine
/// runs it in under 50 ms.
fn start_long_evaluation(a: i64) -> Option<(Duration, std::thread::JoinHandle<rayforce::core::Result<()>>)> {
    let slow = "(sum (til 30000000))";
    let t = Instant::now();
    net::send(a, &q(slow), false).unwrap();
    let took = t.elapsed();
    if took < Duration::from_millis(50) {
        eprintln!("skipped: the slow query took only {took:?}");
        return None;
    }
    let long = std::thread::spawn(move || net::send(a, &q(slow), false).map(|_| ()));
    std::thread::sleep(took / 4);
    Some((took, long))
}

#[test]
fn the_loop_accepts_and_answers_handshakes_during_a_long_evaluation() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::plain();
    let a = connect(&srv, None);
    let Some((took, long)) = start_long_evaluation(a) else { return };
    let t = Instant::now();
    let b = connect(&srv, None);
    assert!(t.elapsed() < took / 2, "handshake waited for the evaluation");
    long.join().unwrap().unwrap();
    net::close(a);
    net::close(b);
}

#[test]
fn read_only_requests_of_other_connections_are_answered_during_a_long_evaluation() {
    if !evaluator_ready() {
        return;
    }
    let srv = Server::start(Some("pw"), true);
    let a = connect(&srv, Some(b"pw"));
    let Some((took, long)) = start_long_evaluation(a) else { return };
    let b = connect(&srv, Some(b"pw"));
    let t = Instant::now();
    assert_eq!(net::send(b, &q("(+ 1 2)"), false).unwrap().i64_val(), 3);
    assert!(t.elapsed() < took / 2, "a read-only request waited for another connection's evaluation");
    long.join().unwrap().unwrap();
    net::close(a);
    net::close(b);
}
