//! The `.ipc.on.*` hooks end to end (wire.md section 8), through real
//! connections. Its own test binary: hooks are global bindings, so they
//! must not leak into the other server tests.

mod ipc_support;

use ipc_support::*;
use rayforce::core::Value;
use rayforce::lang::{self, RequestCtx};
use rayforce::net;
use std::time::{Duration, Instant};

fn eval(src: &str) -> Value {
    rayforce::ipc::install();
    lang::eval_str(src, RequestCtx { restricted: false, handle: -1 }).unwrap_or_else(|e| panic!("{src}: {}", e.code_str()))
}

fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let t = Instant::now();
    while !cond() {
        assert!(t.elapsed() < Duration::from_secs(10), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn count_of(name: &str) -> i64 {
    eval(name).i64_val()
}

#[test]
fn open_sync_async_and_close_hooks_fire_in_order_with_the_connection_handle() {
    if !evaluator_ready() {
        return;
    }
    eval("(set opened 0) (set closed 0) (set asyncs 0) (set lasth -1)");
    eval("(set .ipc.on.open (fn [h] (set opened (+ opened 1)) (set lasth h)))");
    eval("(set .ipc.on.close (fn [h] (set closed (+ closed 1))))");
    eval("(set .ipc.on.async (fn [x] (set asyncs (+ asyncs 1))))");
    // The sync hook sees the raw payload (a STR, not parsed) and answers for it.
    eval("(set .ipc.on.sync (fn [x] (count x)))");
    let srv = Server::plain();
    let h = net::connect("127.0.0.1", srv.port, None, None, 5000);
    assert!(h >= 0, "connect: {h}");
    wait_for("the open hook", || count_of("opened") == 1);
    assert!(count_of("lasth") > 0, "the open hook gets the connection's handle");
    net::post(h, &Value::str(b"(+ 1 2)")).unwrap();
    net::post(h, &Value::str(b"(+ 1 2)")).unwrap();
    let answer = net::send(h, &Value::str(b"(+ 1 2)"), false).unwrap();
    assert_eq!(answer.i64_val(), 7, "the sync hook's value is the response");
    assert_eq!(count_of("asyncs"), 2, "async frames before a sync reply went through the async hook");
    assert_eq!(count_of("closed"), 0);
    net::close(h);
    wait_for("the close hook", || count_of("closed") == 1);
    eval("(set .ipc.on.sync 0) (set .ipc.on.async 0) (set .ipc.on.open 0) (set .ipc.on.close 0)");
    a_sync_hook_error_becomes_the_error_response(&srv);
    the_auth_hook_decides_by_the_languages_truthiness();
}

/// (Run after the test above, not beside it: hooks are global.)
fn a_sync_hook_error_becomes_the_error_response(srv: &Server) {
    // The hook is installed by a client (the server evaluates the set).
    let h = net::connect("127.0.0.1", srv.port, None, None, 5000);
    assert!(h >= 0);
    let other = Value::str(b"(set .ipc.on.sync (fn [x] (raise 'nope)))");
    let _ = net::send(h, &other, false);
    let r = net::send(h, &Value::str(b"(+ 1 2)"), false);
    eval("(set .ipc.on.sync 0)");
    let e = r.expect_err("the hook raised");
    assert!(!e.code_str().is_empty());
    net::close(h);
}

/// (Run after the tests above, not beside them: hooks are global.) The
/// auth hook's answer counts by Rayfall truthiness: `0.0` refuses a login,
/// as `if` would treat it.
fn the_auth_hook_decides_by_the_languages_truthiness() {
    let srv = Server::start(Some("pw"), false);
    eval("(set .ipc.on.auth (fn [u p] authans))");
    for (answer, accepted) in [("0.0", false), ("0", false), ("1.5", true), ("true", true), ("false", false)] {
        eval(&format!("(set authans {answer})"));
        let h = net::connect("127.0.0.1", srv.port, Some(b"bob"), Some(b"pw"), 5000);
        assert_eq!(h >= 0, accepted, "auth hook answering {answer}: connect gave {h}");
        if h >= 0 {
            net::close(h);
        } else {
            assert_eq!(h, -3, "a refused login is 'authentication failed'");
        }
    }
    eval("(set .ipc.on.auth 0)");
}
