//! The `rayforce` binary: runs an optional script, then serves IPC and/or
//! runs a REPL.
//!
//! ```text
//! rayforce [-p PORT] [-u PW | -U PW] [-i] [file.rfl] [-h]
//! ```
//!
//! - `-p PORT` serves on `0.0.0.0:PORT` (prints `listening on port N`).
//! - `-u PW` requires a password; `-U PW` also makes every client read-only.
//! - On a terminal: a REPL with line editing and history (after the script
//!   only with `-i`). With `-i` and piped input: each form read from stdin
//!   is evaluated and printed like the REPL, without prompts, until EOF.
//! - Otherwise (stdin/stdout not terminals) it only serves.
//! - SIGINT/SIGTERM (or EOF in the REPL) shut it down cleanly.

use rayforce::core::Value;
use rayforce::lang::{self, RequestCtx};
use rayforce::net::server::{Poll, Shared};
use rayforce::net::sys;
use std::io::{BufRead, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;

const USAGE: &str = "usage: rayforce [-p PORT] [-u PW | -U PW] [-i] [file.rfl] [-h]
  -p PORT   serve IPC on this port (0.0.0.0)
  -u PW     clients must send this password
  -U PW     as -u, and every client is read-only
  -i        keep the REPL after running the script
  -h        this help";

#[derive(Default)]
struct Options {
    port: Option<u16>,
    password: Option<String>,
    read_only: bool,
    interactive: bool,
    script: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "-p" => {
                let p = args.next().ok_or("-p needs a port")?;
                o.port = Some(p.parse().map_err(|_| format!("bad port: {p}"))?);
            }
            "-u" | "-U" => {
                o.password = Some(args.next().ok_or(format!("{a} needs a password"))?);
                o.read_only = a == "-U";
            }
            "-i" => o.interactive = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => {
                if o.script.is_some() {
                    return Err("only one script".into());
                }
                o.script = Some(s.to_string());
            }
        }
    }
    Ok(o)
}

/// The text the REPL prints for one evaluation of `src` ("" prints
/// nothing); an error raised inside a lambda is a boxed diagnostic.
fn render(src: &str, source_name: &str, r: Result<Value, lang::SourceError>) -> String {
    match r {
        Ok(v) => lang::format(&v, 1),
        Err(e) => lang::fmt::format_source_error(src, source_name, &e),
    }
}

/// True when `src` has unclosed brackets or an unterminated string (the
/// REPL then reads another line).
fn incomplete(src: &str) -> bool {
    let (mut depth, mut in_str, mut esc, mut comment) = (0i64, false, false, false);
    for c in src.chars() {
        if comment {
            comment = c != '\n';
            continue;
        }
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            ';' => comment = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    in_str || depth > 0
}

fn eval_and_print(src: &str) {
    if src.trim().is_empty() || src.trim_start().starts_with(':') {
        return;
    }
    let text = render(src, "repl", lang::eval_source(src, RequestCtx { restricted: false, handle: -1 }));
    if !text.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

/// Reads forms from piped stdin until EOF, printing each result.
fn piped_repl() {
    let stdin = std::io::stdin();
    let mut pending = String::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        pending.push_str(&line);
        pending.push('\n');
        if incomplete(&pending) {
            continue;
        }
        eval_and_print(&pending);
        pending.clear();
    }
    if !pending.trim().is_empty() {
        eval_and_print(&pending);
    }
}

/// The terminal REPL with line editing and history.
fn terminal_repl() {
    let Ok(mut rl) = rustyline::DefaultEditor::new() else {
        piped_repl();
        return;
    };
    let history = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".rayforce_history"));
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "↪ " } else { "  " };
        match rl.readline(prompt) {
            Ok(line) => {
                pending.push_str(&line);
                pending.push('\n');
                if incomplete(&pending) {
                    continue;
                }
                let src = std::mem::take(&mut pending);
                let _ = rl.add_history_entry(src.trim_end());
                if matches!(src.trim(), ":q" | ":quit" | "\\\\") {
                    break;
                }
                eval_and_print(&src);
            }
            Err(rustyline::error::ReadlineError::Interrupted) => pending.clear(),
            Err(_) => break,
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
}

fn run_script(path: &str) -> Result<(), String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    if src.trim().is_empty() {
        return Ok(());
    }
    let r = lang::eval_source(&src, RequestCtx { restricted: false, handle: -1 });
    if r.is_err() {
        eprintln!("{path}: {}", render(&src, path, r));
    }
    Ok(())
}

/// SIGINT/SIGTERM write a byte into a socket pair; this thread turns it
/// into a loop exit (and a process exit when no server loop owns main).
fn watch_signals(server: Option<Arc<Shared>>) {
    let Ok((rx, tx)) = UnixStream::pair() else { return };
    sys::install_shutdown_signals(tx.as_raw_fd());
    std::mem::forget(tx);
    let _ = std::thread::Builder::new().name("rayforce-signals".into()).spawn(move || {
        let mut b = [0u8; 1];
        let mut rx = rx;
        if matches!(rx.read(&mut b), Ok(1)) {
            match server {
                Some(s) => s.exit(0),
                None => std::process::exit(0),
            }
        }
    });
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("rayforce: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let _ = rayforce::runtime::create(None);
    lang::reset();
    if let Some(s) = &opts.script
        && let Err(e) = run_script(s)
    {
        eprintln!("rayforce: {e}");
        std::process::exit(1);
    }
    let mut poll = None;
    if let Some(port) = opts.port {
        let mut p = match Poll::new(false) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("rayforce: {e}");
                std::process::exit(1);
            }
        };
        if let Some(pw) = &opts.password {
            p.shared().set_secret(pw.as_bytes());
        }
        p.shared().set_restricted(opts.read_only);
        match p.listen(port).map(|id| p.listen_port(id)) {
            Ok(Some(n)) => {
                println!("listening on port {n}");
                let _ = std::io::stdout().flush();
            }
            _ => {
                eprintln!("rayforce: cannot listen on port {port}");
                std::process::exit(1);
            }
        }
        poll = Some(p);
    }
    let stdin_tty = sys::is_terminal(0);
    let tty = stdin_tty && sys::is_terminal(1);
    let repl = (tty && (opts.script.is_none() || opts.interactive)) || (opts.interactive && !stdin_tty);
    watch_signals(poll.as_ref().map(|p| p.shared().clone()));
    match (poll, repl) {
        (Some(mut p), false) => {
            p.run();
        }
        (Some(p), true) => {
            let shared = p.shared().clone();
            let server = std::thread::spawn(move || {
                let mut p = p;
                p.run();
            });
            if tty { terminal_repl() } else { piped_repl() }
            if !tty {
                // Piped input ended: keep serving until a signal.
                let _ = server.join();
                return;
            }
            shared.exit(0);
            let _ = server.join();
        }
        (None, true) => {
            if tty { terminal_repl() } else { piped_repl() }
        }
        (None, false) => {}
    }
    rayforce::runtime::destroy();
}
