//! Process signals of the `rayforce` binary (through `signal-hook`, so no
//! hand-written handler): SIGTERM, and SIGINT when no terminal REPL owns
//! Ctrl-C, shut the process down; in a terminal REPL SIGINT (Ctrl-C while
//! an evaluation runs) only sets the runtime's interrupt flag, which stops
//! the running evaluation and makes a waiting IPC client send its cancel
//! byte to the server. Must not evaluate anything itself.

use rayforce::net::server::Shared;
use signal_hook::consts::{SIGINT, SIGTERM};
use std::io::Read;
use std::os::unix::net::UnixStream;
use std::sync::Arc;

/// What a shutdown signal does.
pub enum Shutdown {
    /// The server loop owns the main thread: ask it to return (exit 0).
    StopServer(Arc<Shared>),
    /// A REPL or script owns the main thread: exit the process with 0.
    ExitProcess,
}

/// Routes SIGTERM (and SIGINT when `with_sigint`) to `action`, run on a
/// watcher thread once the first signal arrives.
pub fn watch_shutdown(action: Shutdown, with_sigint: bool) {
    let Ok((mut rx, tx)) = UnixStream::pair() else { return };
    let Ok(tx2) = tx.try_clone() else { return };
    if signal_hook::low_level::pipe::register(SIGTERM, tx).is_err() {
        return;
    }
    if with_sigint {
        let _ = signal_hook::low_level::pipe::register(SIGINT, tx2);
    }
    let _ = std::thread::Builder::new().name("rayforce-signals".into()).spawn(move || {
        let mut b = [0u8; 1];
        if matches!(rx.read(&mut b), Ok(1)) {
            match action {
                Shutdown::StopServer(s) => s.exit(0),
                Shutdown::ExitProcess => std::process::exit(0),
            }
        }
    });
}

/// From now on SIGINT sets the runtime's interrupt flag (the terminal REPL
/// clears it before and after each evaluation).
pub fn sigint_interrupts() {
    // SAFETY: the action is one atomic store (`runtime::request_interrupt`):
    // async-signal-safe, no allocation, no lock, no I/O.
    let registered = unsafe { signal_hook::low_level::register(SIGINT, rayforce::runtime::request_interrupt) };
    if let Err(e) = registered {
        eprintln!("rayforce: Ctrl-C will not interrupt evaluations: {e}");
    }
}
