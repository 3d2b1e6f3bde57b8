//! The safe Rust API end to end: an in-process TcpServer, TcpClient,
//! ConnectionPool, and RayforceDB's documented client example.

use rayforce::{ConnectionPool, Runtime, TcpClient, TcpServer, Value};
use std::time::Duration;

#[test]
fn execute_returns_values_and_server_errors_as_err() {
    let _rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().spawn();
    let c = TcpClient::connect("127.0.0.1", server.port(), "", "").unwrap();
    assert_eq!(c.execute("(+ 1 2)").unwrap().as_i64().unwrap(), 3);
    let v = c.execute("(til 5)").unwrap();
    assert_eq!(v.as_slice::<i64>().unwrap(), &[0, 1, 2, 3, 4]);
    assert_eq!(c.execute("(+ 1 \"a\")").unwrap_err().code_str(), "type");
    assert!(c.is_connected());
    // data is echoed, calls are evaluated
    assert_eq!(c.send(&Value::vec(&[7i64, 8])).unwrap().as_slice::<i64>().unwrap(), &[7, 8]);
    c.send_async(&Value::str(b"(set api_async_x 41)")).unwrap();
    assert_eq!(c.execute("(+ api_async_x 1)").unwrap().as_i64().unwrap(), 42);
    c.close();
    assert!(!c.is_connected());
    assert_eq!(c.execute("1").unwrap_err().code_str(), "io");
    server.stop();
}

#[test]
fn password_protected_servers_check_credentials() {
    let _rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().with_password("pw", false).spawn();
    assert_eq!(TcpClient::connect("127.0.0.1", server.port(), "", "").unwrap_err().code_str(), "access");
    assert_eq!(TcpClient::connect("127.0.0.1", server.port(), "u", "bad").unwrap_err().code_str(), "access");
    let c = TcpClient::connect_timeout("127.0.0.1", server.port(), "u", "pw", Duration::from_secs(5)).unwrap();
    assert_eq!(c.execute("(* 6 7)").unwrap().as_i64().unwrap(), 42);
}

#[test]
fn a_refused_connection_is_an_io_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = TcpClient::connect_timeout("127.0.0.1", port, "", "", Duration::from_millis(500)).unwrap_err();
    assert_eq!(e.code_str(), "io");
}

#[test]
fn the_pool_reuses_connections_and_replaces_broken_ones() {
    let _rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().spawn();
    let pool = ConnectionPool::new("127.0.0.1", server.port(), 2).unwrap();
    {
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        assert_eq!(a.execute("1").unwrap().as_i64().unwrap(), 1);
        assert_eq!(b.execute("2").unwrap().as_i64().unwrap(), 2);
        b.close(); // broken: not returned to the pool
    }
    assert_eq!(pool.idle_count(), 1);
    let c = pool.get().unwrap();
    let d = pool.get().unwrap(); // a fresh one replaces the closed connection
    assert!(c.is_connected() && d.is_connected());
    assert_eq!(d.execute("(+ 2 3)").unwrap().as_i64().unwrap(), 5);
}

#[test]
fn rayforce_documented_example_prints_server_says_3() {
    let exe = std::env::current_exe().unwrap();
    let example = exe.parent().unwrap().parent().unwrap().join("examples").join("client");
    assert!(example.exists(), "example not built: {}", example.display());
    let _rt = Runtime::new().unwrap();
    let server = match TcpServer::bind(5000) {
        Ok(s) => s.spawn(),
        Err(e) => {
            eprintln!("port 5000 is busy ({e}); the documented example needs it, skipping");
            return;
        }
    };
    let out = std::process::Command::new(&example).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "server says: 3\n");
    server.stop();
}
