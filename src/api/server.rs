//! `TcpServer`: an IPC server running inside this process, on its own
//! thread (`spawn`) or on the caller's (`serve`).

use crate::core::{RayError, Result};
use crate::net::server::{Poll, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

/// A bound, not yet running, server.
pub struct TcpServer {
    poll: Poll,
    port: u16,
    addr: SocketAddr,
}

impl TcpServer {
    /// Binds `0.0.0.0:port` (0 picks a free port; see `port()`).
    pub fn bind(port: u16) -> Result<TcpServer> {
        Self::bind_with(|poll| poll.listen(port).map_err(|e| RayError::io(format!("listen on {port}: {e}"))))
    }

    /// Binds `HOST:PORT` (`127.0.0.1:5000`, `[::1]:0`, `localhost:5000`)
    /// or a bare `PORT` (all IPv4 interfaces, as `bind`).
    pub fn bind_addr(addr: &str) -> Result<TcpServer> {
        Self::bind_with(|poll| poll.listen_addr(addr).map_err(|e| RayError::io(format!("listen on {addr}: {e}"))))
    }

    fn bind_with(listen: impl FnOnce(&mut Poll) -> Result<i64>) -> Result<TcpServer> {
        crate::ipc::install();
        let mut poll = Poll::new(false).map_err(|e| RayError::io(e.to_string()))?;
        let id = listen(&mut poll)?;
        let addr = poll.listen_local_addr(id).ok_or_else(|| RayError::io("listener vanished"))?;
        Ok(TcpServer { poll, port: addr.port(), addr })
    }

    /// Logs one line per connection opened, closed or refused at login on
    /// stderr (off by default).
    pub fn with_conn_log(self, on: bool) -> TcpServer {
        self.poll.shared().set_conn_log(on);
        self
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requires `password` from clients (`-u`); `read_only` also restricts them (`-U`).
    pub fn with_password(self, password: &str, read_only: bool) -> TcpServer {
        self.poll.shared().set_secret(password.as_bytes());
        self.poll.shared().set_restricted(read_only);
        self
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves on this thread until `StopHandle::stop` is called.
    pub fn serve(mut self) -> i64 {
        self.poll.run()
    }

    /// A handle that stops the server from any thread.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.poll.shared().clone())
    }

    /// Serves on a new thread; the returned handle stops and joins it.
    pub fn spawn(self) -> RunningServer {
        let stop = self.stop_handle();
        let port = self.port;
        let thread = std::thread::spawn(move || self.serve());
        RunningServer { stop, port, thread: Some(thread) }
    }
}

/// Stops a server from any thread.
#[derive(Clone)]
pub struct StopHandle(Arc<Shared>);

impl StopHandle {
    pub fn stop(&self) {
        self.0.exit(0);
    }
}

/// A server serving on its own thread; stopped and joined on drop.
pub struct RunningServer {
    stop: StopHandle,
    port: u16,
    thread: Option<JoinHandle<i64>>,
}

impl RunningServer {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
