//! Extra IPC listeners (`.sys.listen port`): each is a server loop of its
//! own on its own thread, serving the same process (globals, handles) with
//! the process's server settings as `rayforce -p` set them (password,
//! read-only clients, connection log), so an extra port is never more open
//! than the main one. Ids count from 0, the `-p` listener first when there
//! is one, as RayforceDB numbers them. `(exit N)` from a client of an
//! extra listener ends the process, as from the main one.
//!
//! Owns the settings and the threads; argument checks are the builtin's.

use crate::core::{RayError, Result};
use crate::net::server::Poll;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Default)]
struct Settings {
    secret: Option<Vec<u8>>,
    restricted: bool,
    conn_log: bool,
}

static SETTINGS: Mutex<Option<Settings>> = Mutex::new(None);
static NEXT_ID: AtomicI64 = AtomicI64::new(0);

/// Records the main server's settings (the `rayforce` binary calls this
/// when it listens with `-p`; that listener is id 0).
pub fn configure(secret: Option<&[u8]>, restricted: bool, conn_log: bool) {
    *SETTINGS.lock().unwrap_or_else(|e| e.into_inner()) =
        Some(Settings { secret: secret.map(<[u8]>::to_vec), restricted, conn_log });
    NEXT_ID.fetch_max(1, Ordering::Relaxed);
}

/// Listens on `0.0.0.0:port` on a new server thread; the listener's id.
pub fn listen(port: u16) -> Result<i64> {
    let settings = SETTINGS.lock().unwrap_or_else(|e| e.into_inner()).clone().unwrap_or_default();
    let failed = |e: std::io::Error| {
        let why = e.to_string();
        let why = why.split(" (os error").next().unwrap_or(&why).to_string();
        RayError::io(format!("listen: bind to port {port} failed: {why}"))
    };
    let mut poll = Poll::new(false).map_err(failed)?;
    if let Some(secret) = &settings.secret {
        poll.shared().set_secret(secret);
    }
    poll.shared().set_restricted(settings.restricted);
    poll.shared().set_conn_log(settings.conn_log);
    poll.listen(port).map_err(failed)?;
    std::thread::Builder::new()
        .name(format!("rayforce-listen-{port}"))
        .spawn(move || {
            let code = poll.run();
            if code >= 0 {
                std::process::exit(code.clamp(0, 255) as i32);
            }
        })
        .map_err(failed)?;
    Ok(NEXT_ID.fetch_add(1, Ordering::Relaxed))
}
