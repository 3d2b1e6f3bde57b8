//! A write that runs out of room (here the file-size limit, `ulimit -f`,
//! standing in for a full disk: the kernel refuses the bytes past it) fails
//! with `io` naming the file, leaves the previous file or table readable
//! and leaves no temporary file behind; the process goes on answering.
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

/// The REPL's answers (one per line, tables left out) to `script`, run
/// under a 2 MB file-size limit with SIGXFSZ ignored, so an oversized
/// write returns EFBIG as a full disk returns ENOSPC.
fn run_limited(script: &str) -> Vec<String> {
    let bin = env!("CARGO_BIN_EXE_rayforce");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f 2048; exec '{bin}'"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "rayforce exits cleanly: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    text.lines().filter(|l| !l.starts_with(['│', '┌', '└', '├'])).map(str::to_string).collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    v.sort();
    v
}

#[test]
fn a_splayed_save_that_runs_out_of_room_keeps_the_previous_table() {
    let dir = Scratch::new("rayforce-full", "splayed");
    let t = dir.join("t");
    let t = t.display();
    // Column a (1 MB of U8) fits, column b (8 MB) does not: nothing of the
    // new table may replace the old one, a included.
    let out = run_limited(&format!(
        "(.db.splayed.set \"{t}/\" (table [a b] (list (til 10) (til 10))))\n\
         (.db.splayed.set \"{t}/\" (table [a b] (list (as 'U8 (til 1000000)) (til 1000000))))\n\
         (count (.db.splayed.get \"{t}/\"))\n\
         (sum (at (.db.splayed.get \"{t}/\") 'a))\n\
         (+ 1 2)\n"
    ));
    assert_eq!(out.len(), 4, "{out:?}");
    assert!(out[0].starts_with(&format!("error: io: {t}/b")), "{}", out[0]);
    assert_eq!(&out[1..], ["10", "45", "3"]);
    assert_eq!(names(&dir.join("t")), [".d", "a", "b"]);
}

#[test]
fn a_csv_write_that_runs_out_of_room_keeps_the_previous_file() {
    let dir = Scratch::new("rayforce-full", "csv");
    let c = dir.join("c.csv");
    let c = c.display();
    let out = run_limited(&format!(
        "(.csv.write (table [a] (list (til 10))) \"{c}\")\n\
         (.csv.write (table [a] (list (til 1000000))) \"{c}\")\n\
         (count (.csv.read \"{c}\"))\n"
    ));
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out[0], "0");
    assert!(out[1].starts_with("error: io: ") && out[1].contains(&c.to_string()), "{}", out[1]);
    assert_eq!(out[2], "10");
    assert_eq!(names(&dir), ["c.csv"]);
}
