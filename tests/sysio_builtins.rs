//! The file, serialization and OS builtins (`read write load .fs.size
//! .fs.list ser de .os.getenv .os.setenv .sys.exec .sys.cmd`) against the
//! reference's answers, captured in `tests/fixtures/sysio/expected.txt` by
//! `tests/fixtures/sysio/capture.sh` (run by hand; the tests never start
//! the reference). Errors compare by code only; where we deviate from the
//! reference on purpose, the test says so.
mod ipc_support;

use rayforce::lang::{RequestCtx, format};
use rayforce::{Result, Value};
use std::fs;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/sysio";

fn eval(src: &str, ctx: RequestCtx) -> Result<Value> {
    rayforce::ipc::install();
    rayforce::lang::eval_str(src, ctx)
}

/// The REPL's line for `src`: the value as the REPL prints it, or `error: CODE`.
fn repl_line(src: &str) -> String {
    match eval(src, RequestCtx::default()) {
        Ok(v) => format(&v, 1),
        Err(e) => format!("error: {}", e.code_str()),
    }
}

/// A fresh scratch directory (with the empty `emptydir` the cases list).
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rayforce-sysio-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("emptydir")).unwrap();
    dir
}

fn read_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().map(str::to_string).collect()
}

#[test]
fn every_case_answers_as_the_reference_did() {
    let dir = scratch("cases");
    let cases = read_lines(&Path::new(FIXTURES).join("cases.txt"));
    let expected = read_lines(&Path::new(FIXTURES).join("expected.txt"));
    assert_eq!(cases.len(), expected.len(), "expected.txt is stale: run capture.sh");
    let tree = format!("{FIXTURES}/tree");
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        let src = case.replace("$R", &tree).replace("$T", &dir.to_string_lossy());
        let got = repl_line(&src);
        if &got != want {
            failures.push(format!("{case}\n   reference: {want}\n   ours:      {got}"));
        }
    }
    let _ = fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} case(s) differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn errors_name_the_file() {
    let dir = scratch("messages");
    let missing = dir.join("missing.txt");
    for call in ["read", "load", ".fs.size", ".fs.list"] {
        let e = eval(&format!("({call} \"{}\")", missing.display()), RequestCtx::default()).unwrap_err();
        assert_eq!(e.code_str(), "io", "{call}");
        let msg = e.message().unwrap_or_default();
        assert!(msg.contains(&missing.display().to_string()) && msg.contains("No such file"), "{call}: {msg}");
    }
    let e = eval(&format!("(write \"{}/no/dir\" \"x\")", dir.display()), RequestCtx::default()).unwrap_err();
    assert!(e.message().unwrap_or_default().contains("/no/dir"), "{e:?}");
    // A syntax error in a loaded file names the file.
    let bad = dir.join("bad.rfl");
    fs::write(&bad, "(+ 1").unwrap();
    let e = eval(&format!("(load \"{}\")", bad.display()), RequestCtx::default()).unwrap_err();
    assert_eq!(e.code_str(), "parse");
    assert!(e.message().unwrap_or_default().contains("bad.rfl"), "{e:?}");
    let _ = fs::remove_dir_all(&dir);
}

/// Deviation: the reference answers `oom` when `read` is given a directory.
#[test]
fn reading_a_directory_is_an_io_error() {
    let dir = scratch("readdir");
    let e = eval(&format!("(read \"{}\")", dir.display()), RequestCtx::default()).unwrap_err();
    assert_eq!(e.code_str(), "io");
    assert!(e.message().unwrap_or_default().contains("is a directory"), "{e:?}");
    let _ = fs::remove_dir_all(&dir);
}

/// `write` replaces a file whole: no temporary is left beside it, and a
/// failed write leaves the previous content.
#[test]
fn write_replaces_the_file_atomically() {
    let dir = scratch("atomic");
    let target = dir.join("t.txt");
    let w = |text: &str| eval(&format!("(write \"{}\" \"{text}\")", target.display()), RequestCtx::default());
    w("first").unwrap();
    w("second").unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"second");
    let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "only t.txt and emptydir: {names:?}");
    // A directory where the file should be: refused, nothing created.
    let e = eval(&format!("(write \"{}\" \"x\")", dir.join("emptydir").display()), RequestCtx::default());
    assert_eq!(e.unwrap_err().code_str(), "io");
    assert_eq!(fs::read_dir(dir.join("emptydir")).unwrap().count(), 0);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn ser_and_de_are_the_codec_frame() {
    let v = eval("(til 5)", RequestCtx::default()).unwrap();
    let framed = eval("(ser (til 5))", RequestCtx::default()).unwrap();
    assert_eq!(framed.elems::<u8>(), &rayforce::codec::ser(&v).unwrap()[..]);
    assert_eq!(repl_line("(de (ser (table [a b] (list [1 2] [c d]))))"), repl_line("(table [a b] (list [1 2] [c d]))"));
    // A header claiming a huge payload is refused, never allocated.
    let huge = "(de (concat (take (ser 1) 8) (as 'U8 [255 255 255 255 255 255 255 127])))";
    assert_eq!(repl_line(huge), "error: domain");
}

/// Read-only requests (`-U`) are refused every write path, the shell and
/// the environment, before anything happens; the readers stay allowed.
#[test]
fn restricted_requests_cannot_write_or_run_commands() {
    let dir = scratch("restricted");
    let ro = RequestCtx { restricted: true, handle: 1 };
    let file = dir.join("f.txt");
    let marker = dir.join("marker");
    let refused = [
        format!("(write \"{}\" \"x\")", file.display()),
        format!("(.sys.exec \"touch {}\")", marker.display()),
        format!("(.sys.cmd \"touch {}\")", marker.display()),
        format!("(read \"{}\")", FIXTURES.to_string() + "/tree/nul.txt"),
        format!("(load \"{}\")", FIXTURES.to_string() + "/tree/s.rfl"),
        "(.os.getenv \"HOME\")".to_string(),
        "(.os.setenv \"SYSIO_RESTRICTED\" \"x\")".to_string(),
        format!("(try (write \"{}\" \"x\") 0)", file.display()),
    ];
    for src in &refused {
        match eval(src, ro) {
            Err(e) => assert_eq!(e.code_str(), "access", "{src}"),
            Ok(v) => assert!(v.is_error() || format(&v, 0) == "0", "{src}: {}", format(&v, 0)),
        }
    }
    assert!(!file.exists() && !marker.exists(), "a restricted request changed the disk");
    assert_eq!(std::env::var_os("SYSIO_RESTRICTED"), None);
    for allowed in [format!("(.fs.size \"{FIXTURES}/tree/nul.txt\")"), "(de (ser 1))".to_string()] {
        eval(&allowed, ro).unwrap_or_else(|e| panic!("{allowed}: {e:?}"));
    }
    assert_eq!(format(&eval(&format!("(.fs.list \"{FIXTURES}/tree/d\")"), ro).unwrap(), 0), "[.x a b]");
    let _ = fs::remove_dir_all(&dir);
}

/// The same refusals over a real read-only (`-U`) connection; the readers
/// the reference allows there still answer.
#[test]
fn a_read_only_connection_gets_access_for_writes_and_commands() {
    if !ipc_support::evaluator_ready() {
        return;
    }
    let dir = scratch("ipc");
    let srv = ipc_support::Server::start(Some("pw"), true);
    let h = rayforce::net::connect("127.0.0.1", srv.port, None, Some(b"pw"), 5000);
    assert!(h >= 0, "connect: {h}");
    let send = |src: String| rayforce::net::send(h, &Value::str(src.as_bytes()), false);
    let file = dir.join("f.txt");
    let marker = dir.join("marker");
    for src in [
        format!("(write \"{}\" \"x\")", file.display()),
        format!("(.sys.exec \"touch {}\")", marker.display()),
        format!("(.sys.cmd \"touch {}\")", marker.display()),
        format!("(read \"{}\")", std::env::current_dir().unwrap().join(FIXTURES).join("tree/nul.txt").display()),
        "(.os.getenv \"HOME\")".to_string(),
    ] {
        assert_eq!(send(src.clone()).unwrap_err().code_str(), "access", "{src}");
    }
    assert!(!file.exists() && !marker.exists(), "a read-only connection changed the disk");
    let size = send(format!("(.fs.size \"{}\")", std::env::current_dir().unwrap().join(FIXTURES).join("tree/nul.txt").display()));
    assert_eq!(size.unwrap().i64_val(), 11);
    assert_eq!(send("(count (ser 1))".to_string()).unwrap().i64_val(), 26);
    rayforce::net::close(h);
    let _ = fs::remove_dir_all(&dir);
}
