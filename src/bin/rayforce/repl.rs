//! The read-eval-print loops of the `rayforce` binary: the terminal REPL
//! (rustyline: line editing, history in `~/.rayforce_history`, multi-line
//! forms, Ctrl-C cancels the running evaluation, Ctrl-D exits) and the
//! piped one (one result per line, no prompt), plus running a script.
//! Owns the REPL commands (`:q`, `:?`); the language itself is `lang`'s.

use rayforce::core::Value;
use rayforce::lang::{self, RequestCtx, SourceError};
use rayforce::runtime;
use rustyline::error::ReadlineError;
use std::io::{BufRead, Write};
use std::path::PathBuf;

const PROMPT: &str = "‣ ";
const CONTINUE: &str = "… ";

const COMMANDS: &str = ". Commands list:
  :help/:?     - Display this help.
  :q/:quit     - Exit the REPL (so does Ctrl-D, or the line `exit`).
  Ctrl-C cancels the running evaluation, or the line being typed.";

/// The text the REPL prints for one evaluation of `src` ("" prints
/// nothing); an error raised inside a lambda is a boxed diagnostic.
pub fn render(src: &str, source_name: &str, r: &Result<Value, SourceError>) -> String {
    match r {
        Ok(v) => lang::format(v, 1),
        // The reference ends a boxed diagnostic with an empty line.
        Err(e) if !e.trace.is_empty() => lang::fmt::format_source_error(src, source_name, e) + "\n",
        Err(e) => lang::fmt::format_source_error(src, source_name, e),
    }
}

/// True when `src` has unclosed brackets or an unterminated string (the
/// REPL then reads another line).
pub fn incomplete(src: &str) -> bool {
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

/// True when `src` holds only blanks and `;` comments (nothing to
/// evaluate: no output, where RayforceDB prints `error: parse`).
fn blank(src: &str) -> bool {
    src.lines().all(|l| {
        let l = l.trim_start();
        l.is_empty() || l.starts_with(';')
    })
}

/// What one complete input asks the loop to do.
enum Step {
    Continue,
    Quit,
}

/// Handles one complete input: a REPL command, or an expression whose
/// result (or error) is printed on stdout. With `interruptible`, Ctrl-C
/// (the runtime's interrupt flag) stops the evaluation: the flag is
/// cleared before it starts and once it ends.
fn handle(src: &str, interruptible: bool) -> Step {
    let line = src.trim();
    if blank(src) {
        return Step::Continue;
    }
    if matches!(line, ":q" | ":quit" | "\\\\") || src.trim_end_matches(['\n', '\r']) == "exit" {
        return Step::Quit;
    }
    let text = if let Some(cmd) = line.strip_prefix(':') {
        match cmd {
            "?" | "help" => COMMANDS.to_string(),
            _ => format!(". Unknown command: {line}.\nType :? for help."),
        }
    } else {
        let ctx = RequestCtx { restricted: false, handle: -1 };
        if interruptible {
            runtime::clear_interrupt();
        }
        let started = std::time::Instant::now();
        let profiles = rayforce::runtime::profile::finished();
        let remote = rayforce::ipc::repl_target().is_some() && !line.starts_with("(.repl.disconnect");
        let r = match rayforce::ipc::repl_target() {
            // Connected (`.repl.connect`): the line runs on the server,
            // except the call that disconnects.
            Some(h) if !line.starts_with("(.repl.disconnect") => {
                rayforce::net::send(h, &rayforce::core::Value::str(src.as_bytes()), false)
                    .map_err(lang::SourceError::plain)
            }
            _ => lang::eval_source(src, ctx),
        };
        let elapsed = started.elapsed();
        let interrupted = interruptible && runtime::interrupted();
        if interrupted {
            runtime::clear_interrupt();
        }
        if interrupted && r.is_err() {
            // Ctrl-C: the terminal echoed ^C; the prompt comes back.
            String::from("\n")
        } else if rayforce::runtime::profile::finished() != profiles {
            // `.sys.timeit` is on: the request's profile follows the result.
            let tree = rayforce::runtime::profile::render_last().unwrap_or_default();
            format!("{}\n{tree}", render(src, "repl", &r))
        } else if remote && runtime::switches::timeit() {
            format!("{}\ntime: {:.3} ms", render(src, "repl", &r), elapsed.as_secs_f64() * 1e3)
        } else {
            render(src, "repl", &r)
        }
    };
    let mut out = std::io::stdout().lock();
    if !text.is_empty() {
        let body = text.trim_end_matches('\n');
        let _ = writeln!(out, "{body}");
        if text.starts_with("\n  × Error") {
            let _ = writeln!(out);
        }
    }
    let _ = out.flush();
    Step::Continue
}

/// Reads forms from piped stdin until EOF, printing each result on its
/// own line (errors included, on stdout, as the reference does).
pub fn piped() {
    let stdin = std::io::stdin();
    let mut pending = String::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        pending.push_str(&line);
        pending.push('\n');
        if incomplete(&pending) {
            continue;
        }
        if let Step::Quit = handle(&std::mem::take(&mut pending), false) {
            return;
        }
    }
    handle(&pending, false);
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".rayforce_history"))
}

/// The terminal REPL: a banner, then line editing until Ctrl-D (or `:q`).
pub fn terminal() {
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("rayforce: no line editor ({e}); reading lines plainly");
            return piped();
        }
    };
    let history = history_path();
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    println!("  RayforceDB {} (librayforce-rs)\n  Type :? for help, Ctrl-D to exit.", env!("CARGO_PKG_VERSION"));
    let mut pending = String::new();
    loop {
        match rl.readline(if pending.is_empty() { PROMPT } else { CONTINUE }) {
            Ok(line) => {
                pending.push_str(&line);
                pending.push('\n');
                if incomplete(&pending) {
                    continue;
                }
                let src = std::mem::take(&mut pending);
                if !src.trim().is_empty() {
                    let _ = rl.add_history_entry(src.trim_end());
                    // Appended at once: `(exit)` or a kill keeps it.
                    if let Some(h) = &history {
                        let _ = rl.append_history(h);
                    }
                }
                if let Step::Quit = handle(&src, true) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C while typing drops the input and prompts again.
                println!("^C");
                pending.clear();
            }
            Err(ReadlineError::Eof) => {
                println!();
                break;
            }
            Err(e) => {
                eprintln!("rayforce: {e}");
                break;
            }
        }
    }
}

/// Runs a script: the value of its last form is printed (unless null);
/// an error goes to stderr. Returns the exit status it earns (0 or 1).
pub fn script(path: &str) -> i32 {
    let Ok(src) = std::fs::read_to_string(path) else {
        eprintln!("error: cannot open '{path}'");
        return 1;
    };
    if src.trim().is_empty() {
        return 0;
    }
    let r = lang::eval_source(&src, RequestCtx { restricted: false, handle: -1 });
    let text = render(&src, path, &r);
    if r.is_err() {
        eprintln!("{text}");
        return 1;
    }
    if !text.is_empty() {
        println!("{text}");
    }
    0
}

#[cfg(test)]
mod tests {
    use super::incomplete;

    #[test]
    fn unbalanced_forms_continue() {
        assert!(incomplete("(+ 1\n"));
        assert!(incomplete("[1 2\n"));
        assert!(incomplete("\"abc\n"));
        assert!(!incomplete("(+ 1 2)\n"));
        assert!(!incomplete("(+ 1 2) ; (\n"));
        assert!(!incomplete("\"(\"\n"));
        assert!(!incomplete("\"\\\"\"\n"));
    }

    #[test]
    fn comments_and_blanks_are_not_input() {
        assert!(super::blank("  \n; a comment\n"));
        assert!(!super::blank("(+ 1 2) ; c\n"));
        assert!(!super::blank("; c\n1\n"));
    }
}
