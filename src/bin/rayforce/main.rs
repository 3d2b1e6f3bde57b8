//! The `rayforce` binary: runs an optional script, then serves IPC and/or
//! reads expressions from stdin, as RayforceDB's `rayforce` does:
//!
//! - no script: stdin is read to its end (a REPL on a terminal, one result
//!   per line when piped), then the process exits 0 (`(exit N)` exits N);
//! - a script: it runs, the value of its last form is printed, and the
//!   process exits (1 if it failed) unless `-i` or `-p` keep it going;
//! - `-p`: serves IPC; stdin is read as above (after the script) unless
//!   stdin and stdout are both not terminals (a service: serve only).
//!   Ctrl-D in a terminal REPL stops the server too; piped input ending
//!   leaves it serving until SIGTERM/SIGINT.
//!
//! This file picks the mode; `cli` parses options, `repl` reads and
//! evaluates, `progress_line` shows long operations on a terminal's
//! stderr, `signals` routes SIGINT/SIGTERM.

mod cli;
mod progress_line;
mod repl;
mod signals;

use rayforce::net::server::Poll;
use rayforce::net::sys;
use signals::Shutdown;
use std::io::Write;

fn fail(msg: &str) -> ! {
    eprintln!("rayforce: {msg}");
    std::process::exit(1);
}

/// A server listening on `addr` (`PORT` or `HOST:PORT`); prints
/// `listening on port N` on stdout (with the address when a host was given).
fn serve(addr: &str, o: &cli::Options) -> Poll {
    let mut p = Poll::new(false).unwrap_or_else(|e| fail(&e.to_string()));
    if let Some(pw) = &o.password {
        p.shared().set_secret(pw.as_bytes());
    }
    p.shared().set_restricted(o.read_only);
    p.shared().set_conn_log(o.log_connections);
    // `.sys.listen` opens extra ports with these same settings.
    rayforce::ipc::listen::configure(o.password.as_deref().map(str::as_bytes), o.read_only, o.log_connections);
    match p.listen_addr(addr).map(|id| p.listen_local_addr(id)) {
        Ok(Some(bound)) if addr.contains(':') => println!("listening on port {} ({bound})", bound.port()),
        Ok(Some(bound)) => println!("listening on port {}", bound.port()),
        Ok(None) => fail(&format!("cannot listen on {addr}")),
        Err(e) => fail(&format!("cannot listen on {addr}: {e}")),
    }
    let _ = std::io::stdout().flush();
    p
}

/// Loads the journal's snapshot, replays it and opens it for appending,
/// before anything listens; exits with status 2 when that cannot be done.
fn start_journal(mode: rayforce::journal::Mode, base: &str, truncate_damaged: bool) {
    let opts = rayforce::journal::recover::Options { truncate_damaged };
    let say = &mut |line: &str| eprintln!("{line}");
    if let Err(e) = rayforce::journal::recover::startup(mode, std::path::Path::new(base), opts, say) {
        eprintln!("{e}");
        std::process::exit(2);
    }
}

/// Reads stdin to its end: the terminal REPL, or piped forms.
fn read_stdin(tty: bool) {
    if tty {
        signals::sigint_interrupts();
        repl::terminal();
    } else {
        repl::piped();
    }
}

fn main() {
    let o = match cli::parse(std::env::args().skip(1)) {
        Ok(cli::Command::Run(o)) => o,
        Ok(cli::Command::Help) => {
            println!("{}", cli::USAGE);
            return;
        }
        Err(e) => {
            eprintln!("rayforce: {e}\n{}", cli::USAGE);
            std::process::exit(2);
        }
    };
    if let Some(bytes) = o.mem_budget {
        rayforce::core::alloc::set_budget(bytes);
    }
    rayforce::ops::par::set_cores(o.cores);
    rayforce::runtime::switches::set_timeit(o.timeit);
    rayforce::runtime::launch::set(cli::launch(&o));
    let _ = rayforce::runtime::create(None);
    rayforce::lang::reset();
    if sys::is_terminal(2) {
        progress_line::show_on_stderr();
    }
    if let Some((mode, base)) = &o.journal {
        start_journal(*mode, base, o.journal_truncate);
    }
    let poll = o.listen.as_deref().map(|addr| serve(addr, &o));
    let status = o.script.as_deref().map_or(0, repl::script);
    let (stdin_tty, stdout_tty) = (sys::is_terminal(0), sys::is_terminal(1));
    let status = match poll {
        None if o.script.is_some() && !o.interactive => status,
        None => {
            signals::watch_shutdown(Shutdown::ExitProcess, !stdin_tty);
            read_stdin(stdin_tty);
            status
        }
        Some(mut p) if !stdin_tty && !stdout_tty && !o.interactive => {
            eprintln!("no terminal — running in server-only mode");
            signals::watch_shutdown(Shutdown::StopServer(p.shared().clone()), true);
            p.run().clamp(0, 255) as i32
        }
        Some(p) => {
            let shared = p.shared().clone();
            let server = std::thread::spawn(move || {
                let mut p = p;
                p.run()
            });
            if stdin_tty {
                signals::watch_shutdown(Shutdown::ExitProcess, false);
                read_stdin(true);
                shared.exit(i64::from(status));
            } else {
                // Piped input: evaluate it, then keep serving until a signal.
                signals::watch_shutdown(Shutdown::StopServer(shared), true);
                read_stdin(false);
            }
            server.join().map_or(1, |c| c.clamp(0, 255) as i32)
        }
    };
    let _ = std::io::stdout().flush();
    rayforce::runtime::destroy();
    std::process::exit(status);
}
