//! Process signals of the `rayforce` binary (through `signal-hook`, so no
//! hand-written handler): SIGTERM, and SIGINT when no terminal REPL owns
//! Ctrl-C, shut the process down; in a terminal REPL SIGINT (Ctrl-C while
//! an evaluation runs) only sets the cancel flag that evaluation watches.
//! Must not evaluate anything itself.

use rayforce::net::server::Shared;
use signal_hook::consts::{SIGINT, SIGTERM};
use std::io::Read;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

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

/// A flag SIGINT sets from now on (the terminal REPL hands it to each
/// evaluation as its cancel flag and clears it before the next one).
pub fn sigint_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    if let Err(e) = signal_hook::flag::register(SIGINT, flag.clone()) {
        eprintln!("rayforce: Ctrl-C will not interrupt evaluations: {e}");
    }
    flag
}
