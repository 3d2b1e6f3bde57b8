//! The safe Rust API: Runtime, Value, TcpClient, TcpServer, ConnectionPool.
