//! `TcpServer`: an IPC server running inside this process, on its own
//! thread (`spawn`) or on the caller's (`serve`).

use crate::core::{RayError, Result};
use crate::net::server::{Poll, Shared};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A bound, not yet running, server.
pub struct TcpServer {
    poll: Poll,
    port: u16,
}

impl TcpServer {
    /// Binds `0.0.0.0:port` (0 picks a free port; see `port()`).
    pub fn bind(port: u16) -> Result<TcpServer> {
        crate::ipc::install();
        let mut poll = Poll::new(false).map_err(|e| RayError::io(e.to_string()))?;
        let id = poll.listen(port).map_err(|e| RayError::io(format!("listen on {port}: {e}")))?;
        let port = poll.listen_port(id).ok_or_else(|| RayError::io("listener vanished"))?;
        Ok(TcpServer { poll, port })
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
