//! The `rayforce` binary as scripts and pipes use it: piped input prints
//! one result per line (errors on stdout, no prompt), scripts print their
//! last value, `exit` sets the status, `-p` with no terminal only serves.
//! Expected outputs in tests/fixtures/cli are RayforceDB's own
//! (tests/fixtures/cli/regen.sh, run by hand).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_rayforce");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cli").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// Runs `rayforce ARGS` with `input` piped into stdin.
fn run(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A run that does not read stdin may exit first: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn piped_input_prints_each_result_like_the_reference() {
    let out = run(&[], &read("piped.rfl"));
    assert_eq!(text(&out.stdout), read("piped.out"));
    assert_eq!(text(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn floats_print_as_the_reference_prints_them() {
    // The REPL's rule (atoms, vectors, tables), `%g` in println/format/casts
    // to strings, `%.17g` in symbols; NaN and the infinities are `0Nf`.
    let out = run(&[], &read("floats.rfl"));
    assert_eq!(text(&out.stdout), read("floats.out"));
}

#[test]
fn blank_and_comment_lines_print_nothing() {
    // RayforceDB prints `error: parse` for these (a deviation: nothing to evaluate).
    let out = run(&[], "\n   \n; just a comment\n(+ 1 2) ; trailing\n");
    assert_eq!(text(&out.stdout), "3\n");
}

#[test]
fn exit_sets_the_status_and_stops_reading() {
    for (src, code, stdout) in [
        ("(exit 3)", 3, ""),
        ("(exit 0)", 0, ""),
        ("(exit 300)", 44, ""),
        ("(exit -1)", 255, ""),
        ("(exit 7i)", 7, ""),
        ("(exit true)", 1, ""),
        ("exit", 0, ""),
        (":q", 0, ""),
        ("(exit)", 0, "error: arity: expected 1 arg, got 0\n3\n"),
        // RayforceDB exits with the float's bit pattern; we refuse it.
        ("(exit 2.5)", 0, "error: type: exit: expected an integer\n3\n"),
        ("(println \"bye\") (exit 4)", 4, "bye\n"),
    ] {
        let out = run(&[], &format!("{src}\n(+ 1 2)\n"));
        assert_eq!(out.status.code(), Some(code), "{src}");
        assert_eq!(text(&out.stdout), stdout, "{src}");
    }
}

#[test]
fn a_script_prints_its_last_value_and_exits() {
    let s = fixture("script.rfl");
    let out = run(&[s.to_str().unwrap()], "(+ x 1)\n");
    assert_eq!(text(&out.stdout), read("script.out"), "stdin is not read after a script");
    assert_eq!(out.status.code(), Some(0));

    // -i: the REPL (here piped) runs after the script, in its environment.
    let out = run(&["-i", s.to_str().unwrap()], "(+ x 1)\n");
    assert_eq!(text(&out.stdout), format!("{}31\n", read("script.out")));
}

/// `(.sys.args)` answers as RayforceDB's for the same command lines (its
/// text captured from the reference: `-key value` pairs after `--` go to
/// `user`, other words are skipped).
#[test]
fn sys_args_reports_the_command_line_like_the_reference() {
    let out = run(&[], "(.sys.args)\n");
    let empty = "{\n  file: \"\"\n  port: 0\n  cores: 0\n  timeit: false\n  querylog: false\n  interactive: false\n  log: \"\"\n  user: {}\n}\n";
    assert_eq!(text(&out.stdout), empty);
    let dir = std::env::temp_dir().join(format!("rayforce-sysargs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("args.rfl");
    std::fs::write(&script, "(.sys.args)\n").unwrap();
    let path = script.to_str().unwrap();
    let out = run(&[path, "--", "-x", "1", "-y", "2", "a"], "");
    let want = format!(
        "{{\n  file: \"{path}\"\n  port: 0\n  cores: 0\n  timeit: false\n  querylog: false\n  interactive: false\n  log: \"\"\n  user: {{x:\"1\" y:\"2\"}}\n}}\n"
    );
    assert_eq!(text(&out.stdout), want);
    assert_eq!(text(&run(&[], "(.sys.args 1)\n").stdout), "error: domain: .sys.args takes no arguments\n");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `-c N` and `-t N` as the reference's (`(.sys.args)` reports cores 2
/// and timeit true for `-c 2 -t 1`); `-t 1` profiles every REPL line.
#[test]
fn cores_and_timeit_options_are_taken_and_reported() {
    let out = run(&["-c", "2", "-t", "1"], "(at (.sys.args) 'cores)\n(at (.sys.args) 'timeit)\n");
    let shown = text(&out.stdout);
    // Each result is followed by its profile tree (`╭ top-level` .. `╰─┤ T ms ...`).
    let results: Vec<&str> = shown.lines().filter(|l| !l.starts_with(['╭', '│', '╰'])).collect();
    assert_eq!(results, ["2", "true"], "{shown}");
    assert_eq!(shown.lines().filter(|l| *l == "╭ top-level").count(), 2, "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("╰─┤ ") && l.contains(" ms")), "{shown}");
    let out = run(&["--cores", "1"], "(sum (til 1000000))\n");
    assert_eq!(text(&out.stdout), "499999500000\n", "one core still answers");
    let out = run(&["-c", "lots"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("rayforce: bad core count: lots"), "{}", text(&out.stderr));
}

#[test]
fn a_failing_script_exits_1_with_the_error_on_stderr() {
    let s = fixture("script_error.rfl");
    let out = run(&[s.to_str().unwrap()], "");
    assert_eq!(text(&out.stdout), read("script_error.out"));
    assert_eq!(text(&out.stderr).trim_end(), read("script_error.err").trim_end());
    assert_eq!(out.status.code(), Some(1));

    let out = run(&["/no/such/file.rfl"], "");
    assert_eq!(text(&out.stderr), "error: cannot open '/no/such/file.rfl'\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn exit_in_a_script_ends_it_with_that_status() {
    let dir = std::env::temp_dir().join(format!("rayforce_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let s = dir.join("exit.rfl");
    std::fs::write(&s, "(println \"a\")\n(exit 5)\n(println \"c\")\n").unwrap();
    let out = run(&[s.to_str().unwrap()], "");
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(5), "a\n".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_options_are_refused_with_the_usage() {
    for args in [&["-p", "abc"][..], &["-p", "70000"], &["-x"], &["-p"]] {
        let out = run(args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("usage: rayforce"), "{args:?}");
    }
    let out = run(&["-h"], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("usage: rayforce"));
}

#[test]
fn with_no_terminal_a_server_only_serves() {
    let mut child = Command::new(BIN)
        .args(["-p", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Input is not read: a service ignores its stdin.
    let _ = child.stdin.take().unwrap().write_all(b"(exit 9)\n");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port: u16 = line.trim().strip_prefix("listening on port ").unwrap().parse().unwrap();
    let mut note = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut note).unwrap();
    assert_eq!(note, "no terminal — running in server-only mode\n");
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("serving");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "still serving");
    // SIGTERM stops it cleanly.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn exit_is_refused_on_read_only_connections() {
    let _ = rayforce::runtime::create(None);
    rayforce::lang::reset();
    let ctx = rayforce::lang::RequestCtx { restricted: true, handle: 5 };
    // Were it allowed, this test process would end with status 3.
    let e = rayforce::lang::eval_source("(exit 3)", ctx).unwrap_err();
    assert_eq!(e.error.code_str(), "access");
}

/// Starts the binary with piped stdio (a service: it only serves) and
/// reads its first line, `listening on port N[ (ADDRESS)]`.
fn start_server(args: &[&str]) -> (std::process::Child, u16, String) {
    let mut child =
        Command::new(BIN).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let rest = line.trim().strip_prefix("listening on port ").expect(&line);
    let port = rest.split(' ').next().unwrap().parse().expect(&line);
    (child, port, line)
}

#[test]
fn a_server_bound_to_one_host_logs_its_connections_with_v() {
    let (mut child, port, line) = start_server(&["-v", "-u", "pw", "-p", "127.0.0.1:0"]);
    // `listening on port N (127.0.0.1:N)`
    let bound = line.trim().rsplit(' ').next().unwrap();
    assert_eq!(bound, format!("(127.0.0.1:{port})"));
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut next = || {
        let mut l = String::new();
        err.read_line(&mut l).unwrap();
        l
    };
    assert_eq!(next(), "no terminal — running in server-only mode\n");
    let h = rayforce::net::connect("127.0.0.1", port, None, Some(b"pw"), 5000);
    assert!(h >= 0, "connect: {h}");
    rayforce::net::close(h);
    // The server sees the close asynchronously: read its two lines before
    // the next connection, so the order of the log is fixed.
    let mut events: Vec<String> = (0..2).map(|_| next()).collect();
    assert_eq!(rayforce::net::connect("127.0.0.1", port, None, Some(b"bad"), 5000), -3);
    events.extend((0..3).map(|_| next()));
    let kinds: Vec<&str> = events.iter().map(|l| l.split_whitespace().nth(1).unwrap_or("")).collect();
    assert_eq!(kinds, ["open", "close", "open", "auth-failed", "close"], "{events:?}");
    assert!(events.iter().all(|l| l.contains(" peer=127.0.0.1:")), "{events:?}");
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn an_unresolvable_listen_host_is_a_clear_error() {
    let out = run(&["-p", "no.such.host.invalid:5000"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot listen on no.such.host.invalid:5000"), "{}", text(&out.stderr));
}

#[test]
fn a_server_with_a_memory_budget_refuses_an_oversized_query_and_stays_up() {
    let (mut child, port, _) = start_server(&["-m", "128M", "-U", "pw", "-p", "127.0.0.1:0"]);
    let h = rayforce::net::connect("127.0.0.1", port, None, Some(b"pw"), 5000);
    assert!(h >= 0, "connect: {h}");
    let ask = |q: &str| rayforce::net::send(h, &rayforce::Value::str(q.as_bytes()), false);
    for _ in 0..3 {
        let e = ask("(+ 1.0 (til 800000000))").expect_err("past the budget");
        assert_eq!(e.code_str(), "oom");
    }
    assert_eq!(ask("(sum (til 1000))").unwrap().i64_val(), 499500);
    rayforce::net::close(h);
    assert!(child.try_wait().unwrap().is_none(), "still serving");
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// `.sys.listen` opens one more port on the running server, as the
/// reference's (the `-p` listener is id 0, the next is 1), with the same
/// password: an extra port is never more open than the main one.
#[test]
fn sys_listen_opens_another_port_with_the_servers_password() {
    let (mut child, port, _) = start_server(&["-u", "pw", "-p", "127.0.0.1:0"]);
    let h = rayforce::net::connect("127.0.0.1", port, None, Some(b"pw"), 5000);
    assert!(h >= 0, "connect: {h}");
    let ask = |h: i64, q: &str| rayforce::net::send(h, &rayforce::Value::str(q.as_bytes()), false);
    let extra = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_eq!(ask(h, &format!("(.sys.listen {extra})")).unwrap().i64_val(), 1);
    assert!(rayforce::net::connect("127.0.0.1", extra, None, None, 2000) < 0, "no password, no entry");
    let h2 = rayforce::net::connect("127.0.0.1", extra, None, Some(b"pw"), 5000);
    assert!(h2 >= 0, "connect to the extra port: {h2}");
    assert_eq!(ask(h2, "(+ 1 2)").unwrap().i64_val(), 3);
    assert_eq!(ask(h, &format!("(.sys.listen {extra})")).unwrap_err().code_str(), "io", "the port is taken");
    rayforce::net::close(h2);
    rayforce::net::close(h);
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
