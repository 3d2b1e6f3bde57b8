//! Every Rust snippet of RayforceDB's two Rust IPC pages, compiled and run
//! against a server this test starts. Each snippet is the page's text
//! unchanged except the port (a free one instead of 5000), wrapped in a
//! function whose return type is what the page's `?` needs.
//!
//! Page 1, "IPC — Inter-Process Communication" (`TcpClient`; its full
//! example is `examples/client.rs`, run by `tests/api_client.rs`).
//! Page 2, "IPC (Inter-Process Communication)" (`rayforce::ipc`).
//!
//! Page 2 assumes server state it never creates (`trades`, `prices`,
//! `long_running_task`, `version`, `table1..3`); `serve` defines them
//! first. Where its Rayfall is not valid RayforceDB v2 (`(+ 1 2 3)`,
//! `(. trades 'price)`), the test expects the error RayforceDB itself
//! answers (captured from the reference: `arity`, `name`). Its "Server
//! Setup" snippet serves forever, so it is compiled, not run; its SSH and
//! firewall blocks are shell, not Rust.
#![allow(unused_variables, unused_imports, unused_mut, clippy::all)]

use rayforce::ipc::{IPCError, hopen, hopen_timeout};
use rayforce::{Runtime, TcpClient, TcpServer, Value};
use std::error::Error;

type BoxResult<T> = Result<T, Box<dyn Error>>;

/// A server on a free port holding what page 2's snippets read.
fn serve() -> (Runtime, rayforce::api::RunningServer, u16) {
    let rt = Runtime::new().unwrap();
    let server = TcpServer::bind(0).unwrap().spawn();
    let port = server.port();
    let setup = TcpClient::connect("127.0.0.1", port, "", "").unwrap();
    for src in [
        "(set trades (table [sym price qty] (list ['AAPL 'MSFT 'AAPL] [150.0 300.0 151.0] [100 50 200])))",
        "(set prices [1 2 3])",
        "(set long_running_task (fn [] (set long_running_done 1)))",
        "(set version (fn [] \"2.5.12\"))",
        "(set table1 trades)",
        "(set table2 trades)",
        "(set table3 trades)",
    ] {
        setup.execute(src).unwrap();
    }
    (rt, server, port)
}

fn ray_code(r: BoxResult<()>) -> String {
    match r {
        Err(e) => match e.downcast_ref::<IPCError>() {
            Some(IPCError::Ray(e)) => e.code_str().to_string(),
            _ => format!("not a server error: {e}"),
        },
        Ok(()) => "ok".to_string(),
    }
}

// ------------------------------------------------------------- page 1

fn page1_connecting(port: u16) -> rayforce::Result<()> {
    use rayforce::{Runtime, TcpClient};
    let _rt = Runtime::new()?;

    let client = TcpClient::connect("127.0.0.1", port, "", "")?;
    Ok::<(), rayforce::RayError>(())
}

fn page1_executing(port: u16) -> rayforce::Result<()> {
    use rayforce::{Runtime, TcpClient};
    let _rt = Runtime::new()?;

    let client = TcpClient::connect("127.0.0.1", port, "", "")?;

    // A scalar result.
    let sum = client.execute("(+ 1 2)")?;
    assert_eq!(sum.as_i64()?, 3);

    // A vector result, read back zero-copy.
    let v = client.execute("(til 5)")?;
    assert_eq!(v.as_slice::<i64>()?, &[0, 1, 2, 3, 4]);
    Ok::<(), rayforce::RayError>(())
}

fn page1_server_errors(port: u16) -> rayforce::Result<()> {
    use rayforce::{Runtime, TcpClient};
    let _rt = Runtime::new()?;
    let client = TcpClient::connect("127.0.0.1", port, "", "")?;

    assert!(client.execute("(undefined_symbol_xyz)").is_err());
    Ok::<(), rayforce::RayError>(())
}

fn page1_sending_values(port: u16) -> rayforce::Result<Value> {
    use rayforce::{Runtime, TcpClient, Value};
    let _rt = Runtime::new()?;
    let client = TcpClient::connect("127.0.0.1", port, "", "")?;

    let payload = Value::vec(&[1i64, 2, 3]);
    let reply = client.send(&payload)?;
    Ok(reply)
}

fn page1_fire_and_forget(port: u16) -> rayforce::Result<()> {
    use rayforce::{Runtime, TcpClient, Value};
    let _rt = Runtime::new()?;
    let client = TcpClient::connect("127.0.0.1", port, "", "")?;

    client.send_async(&Value::sym("ping"))?;   // returns () on success
    Ok::<(), rayforce::RayError>(())
}

#[test]
fn page_one_snippets_run_unchanged() {
    let (_rt, server, port) = serve();
    page1_connecting(port).unwrap();
    page1_executing(port).unwrap();
    page1_server_errors(port).unwrap();
    assert_eq!(page1_sending_values(port).unwrap().as_slice::<i64>().unwrap(), &[1, 2, 3]);
    page1_fire_and_forget(port).unwrap();
    server.stop();
}

// ------------------------------------------------------------- page 2

fn page2_opening_a_connection(port: u16) -> BoxResult<rayforce::ipc::Connection> {
    use rayforce::ipc::{Connection, hopen};

    // Connect to remote server
    let conn = hopen("localhost", port)?;

    // With timeout (milliseconds)
    let conn = hopen_timeout("localhost", port, 5000)?;
    Ok(conn)
}

fn page2_connection_management(conn: rayforce::ipc::Connection) -> BoxResult<()> {
    // Check if connected
    if conn.is_connected() {
        println!("Connected!");
    }

    // Close connection
    conn.close()?;
    assert!(!conn.is_connected());
    Ok(())
}

fn page2_send_and_receive(port: u16) -> BoxResult<()> {
    use rayforce::ipc::Connection;

    let conn = hopen("localhost", port)?;

    // Execute query
    let result = conn.execute("(+ 1 2 3)")?;
    println!("Result: {}", result);

    // Execute with parameters
    let result = conn.execute("(select { from: trades })")?;
    Ok(())
}

fn page2_async_execution(conn: &rayforce::ipc::Connection) -> BoxResult<()> {
    // Send without waiting for response
    conn.send_async("(long_running_task)")?;
    Ok(())
}

fn page2_sending_data(port: u16) -> BoxResult<()> {
    use rayforce::{RayObj, RayVector};
    use rayforce::ipc::Connection;

    let conn = hopen("localhost", port)?;

    // Send vector
    let prices: RayVector<i64> = RayVector::from_iter([100, 200, 300]);
    conn.write(&prices)?;

    // Send with assignment
    conn.execute("(set remote_prices prices)")?;
    Ok(())
}

fn page2_receiving_data(conn: &rayforce::ipc::Connection) -> BoxResult<()> {
    // Execute and receive result
    let table = conn.execute("trades")?;
    println!("Received: {}", table);

    // Receive specific columns
    let prices = conn.execute("(. trades 'price)")?;
    Ok(())
}

fn page2_connection_pool(port: u16) -> BoxResult<Value> {
    use rayforce::ipc::ConnectionPool;

    // Create connection pool
    let pool = ConnectionPool::new("localhost", port, 10)?;

    // Get connection from pool
    let conn = pool.get()?;

    // Use connection
    let result = conn.execute("(+ 1 2)")?;

    // Connection returns to pool when dropped
    Ok(result)
}

fn page2_connection_errors(port: u16) {
    use rayforce::ipc::{hopen, IPCError};

    match hopen("localhost", port) {
        Ok(conn) => println!("Connected!"),
        Err(IPCError::ConnectionFailed(msg)) => {
            eprintln!("Connection failed: {}", msg);
        }
        Err(IPCError::Timeout) => {
            eprintln!("Connection timed out");
        }
        Err(e) => eprintln!("Error: {}", e),
    }
}

fn page2_query_errors(conn: &rayforce::ipc::Connection) {
    match conn.execute("(invalid_query") {
        Ok(result) => println!("{}", result),
        Err(e) => eprintln!("Query failed: {}", e),
    }
}

mod page2_complete_example {
    use rayforce::{Rayforce, RayVector};
    use rayforce::ipc::hopen;

    // The page's `fn main`, with the port as its argument.
    pub fn main(port: u16) -> Result<(), Box<dyn std::error::Error>> {
        // Connect to remote RayforceDB
        let conn = hopen("localhost", port)?;

        println!("Connected to RayforceDB server");

        // Check server version
        let version = conn.execute("(version)")?;
        println!("Server version: {}", version);

        // Create table on server
        conn.execute(r#"
            (set trades (table [sym price qty time]
                (list
                    ['AAPL 'MSFT 'AAPL]
                    [150.0 300.0 151.0]
                    [100 50 200]
                    [09:30:00 09:31:00 09:32:00])))
        "#)?;

        // Query data
        let result = conn.execute(r#"
            (select {
                sym: sym
                total_value: (sum (* price qty))
                from: trades
                by: sym})
        "#)?;

        println!("Trade summary:\n{}", result);

        // Close connection
        conn.close()?;

        Ok(())
    }
}

/// Serves forever (the page: "Start listening (blocking)"): compiled only.
#[allow(dead_code)]
fn page2_server_setup() -> rayforce::Result<()> {
    use rayforce::Rayforce;

    let ray = Rayforce::new()?;

    // Start listening (blocking)
    ray.eval("(listen 5000)")?;
    Ok(())
}

fn page2_keep_connections_open(port: u16, queries: Vec<String>) -> BoxResult<()> {
    // Good: reuse connection
    let conn = hopen("localhost", port)?;
    for query in queries.clone() {
        conn.execute(&query)?;
    }

    // Bad: reconnect each time
    for query in queries {
        let conn = hopen("localhost", port)?;  // Overhead
        conn.execute(&query)?;
    }
    Ok(())
}

fn page2_batch_queries(conn: &rayforce::ipc::Connection) -> BoxResult<Value> {
    // Good: single round-trip
    let result = conn.execute(r#"
    (list
        (select { from: table1 })
        (select { from: table2 })
        (select { from: table3 }))
"#)?;

    // Bad: multiple round-trips
    let r1 = conn.execute("(select { from: table1 })")?;
    let r2 = conn.execute("(select { from: table2 })")?;
    let r3 = conn.execute("(select { from: table3 })")?;
    Ok(result)
}

fn page2_compress_large_data(conn: &rayforce::ipc::Connection) -> BoxResult<()> {
    // Enable compression (if supported)
    conn.set_compression(true)?;
    Ok(())
}

#[test]
fn page_two_snippets_compile_and_run() {
    let (_rt, server, port) = serve();
    let check = hopen("127.0.0.1", port).unwrap();

    let conn = page2_opening_a_connection(port).unwrap();
    assert!(conn.is_connected());
    page2_connection_management(conn).unwrap();

    // `(+ 1 2 3)`: RayforceDB's + takes two arguments ("arity: expected 2 args, got 3")
    assert_eq!(ray_code(page2_send_and_receive(port)), "arity");
    assert_eq!(check.execute("(count (select { from: trades }))").unwrap().as_i64().unwrap(), 3);

    page2_async_execution(&check).unwrap();
    assert_eq!(check.execute("long_running_done").unwrap().as_i64().unwrap(), 1);

    page2_sending_data(port).unwrap();
    assert_eq!(check.execute("remote_prices").unwrap().as_slice::<i64>().unwrap(), &[1, 2, 3]);

    // `(. trades 'price)`: RayforceDB has no `.` function ("name: '.' undefined")
    assert_eq!(ray_code(page2_receiving_data(&check)), "name");

    assert_eq!(page2_connection_pool(port).unwrap().as_i64().unwrap(), 3);
    page2_connection_errors(port);
    page2_query_errors(&check);

    page2_complete_example::main(port).unwrap();
    assert_eq!(check.execute("(count trades)").unwrap().as_i64().unwrap(), 3);

    let queries = vec!["(+ 1 2)".to_string(), "(til 3)".to_string()];
    page2_keep_connections_open(port, queries).unwrap();
    assert_eq!(page2_batch_queries(&check).unwrap().len(), 3);
    page2_compress_large_data(&check).unwrap();
    assert_eq!(check.execute("(sum (til 10000))").unwrap().as_i64().unwrap(), 49995000);

    server.stop();
}

#[test]
fn page_two_error_snippet_names_a_refused_connection() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    page2_connection_errors(port); // prints "Connection failed: ..."
    assert!(matches!(hopen("localhost", port), Err(IPCError::ConnectionFailed(_))));
}
