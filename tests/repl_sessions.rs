//! Whole REPL sessions piped into `rayforce`, compared with what RayforceDB
//! printed for the same input (tests/fixtures/repl/sessions: NAME.rfl and
//! the reference's NAME.out, captured by hand with capture.sh there). A
//! session shows what single answers cannot: lambdas defined on earlier
//! lines, and the error traces through them.
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn run_session(name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/repl/sessions");
    let input = std::fs::read(dir.join(format!("{name}.rfl"))).unwrap();
    let want = std::fs::read_to_string(dir.join(format!("{name}.out"))).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rayforce"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    let got = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(got, want, "session {name}");
}

/// One frame per lambda the error left, the caller's frame when a call
/// form (not `map`) called the outermost lambda, a lambda written on
/// earlier lines pointing into its own text.
#[test]
fn errors_through_lambdas_are_traced_frame_by_frame_as_the_reference() {
    run_session("traces");
}

/// Two lambdas written alike are one value to `distinct` (the source each
/// was written in is not part of it), and a lambda survives `ser`/`de`.
#[test]
fn lambdas_written_alike_are_equal_and_serialize() {
    run_session("lambda_values");
}
