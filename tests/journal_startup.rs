//! `rayforce -l B` / `-L B` startup on damaged journals, and what a
//! journaling server writes. Where RayforceDB exits with status 2 on any
//! framing error, a torn tail (the last frame cut short) is cut off with one
//! line saying how many bytes went, and the server starts; a damaged frame
//! followed by whole frames still refuses to start (status 2) unless
//! `--journal-truncate` says to cut there.

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

const BIN: &str = env!("CARGO_BIN_EXE_rayforce");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal").join(name)).unwrap()
}

fn scratch(tag: &str) -> Scratch {
    Scratch::new("rayforce-jstart", tag)
}

/// `rayforce ARGS script` where the script prints `(list zz yy)`.
fn start(dir: &Path, args: &[&str]) -> Output {
    let script = dir.join("q.rfl");
    std::fs::write(&script, "(list zz yy)\n").unwrap();
    let base = dir.join("b");
    Command::new(BIN)
        .args(args)
        .arg(base.to_str().unwrap())
        .arg(script.to_str().unwrap())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_torn_tail_is_cut_with_one_line_and_the_server_starts() {
    let dir = scratch("torn");
    let mut log = fixture("dotlog.log");
    log.extend_from_slice(&fixture("dotlog.log")[..20]); // a frame cut short
    std::fs::write(dir.join("b.log"), &log).unwrap();
    let out = start(&dir, &["-L"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(text(&out.stdout), "(7 3)\n");
    let torn: Vec<_> = err.lines().filter(|l| l.contains("torn tail")).collect();
    assert_eq!(torn.len(), 1, "{err}");
    assert!(torn[0].contains("dropped 20 bytes after 5 entries (valid bytes = 208)"), "{err}");
    assert_eq!(std::fs::metadata(dir.join("b.log")).unwrap().len(), 208);
}

#[test]
fn a_damaged_frame_before_whole_frames_refuses_to_start_unless_told_to_truncate() {
    let dir = scratch("damaged");
    let mut log = fixture("dotlog.log");
    log[26] = 0x77; // the second frame's prefix; frames 3..5 are whole
    std::fs::write(dir.join("b.log"), &log).unwrap();
    let out = start(&dir, &["-l"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("at byte 26 after 1 entries; refusing to start"), "{err}");
    assert!(err.contains("--journal-truncate"), "{err}");
    assert_eq!(std::fs::read(dir.join("b.log")).unwrap(), log, "the file is left as it was");
    let out = start(&dir, &["--journal-truncate", "-l"]);
    let err = text(&out.stderr);
    // It started: only the first frame (42) is left, so zz is unbound.
    assert_ne!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("'zz' undefined"), "{err}");
    assert!(err.contains("dropped 182 bytes after 1 entries (valid bytes = 26)"), "{err}");
    assert_eq!(std::fs::metadata(dir.join("b.log")).unwrap().len(), 26);
}

#[test]
fn an_interrupted_snapshot_is_settled_at_startup() {
    // Crash after B.log was archived, before B.qdb.tmp took B.qdb's place:
    // the new snapshot is finished, nothing is replayed twice.
    let dir = scratch("settle");
    std::fs::write(dir.join("b.qdb.tmp"), fixture("snap.qdb")).unwrap();
    let script = dir.join("q.rfl");
    std::fs::write(&script, "(list a b)\n").unwrap();
    let out = Command::new(BIN).args(["-l", dir.join("b").to_str().unwrap(), script.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "(1 [1 2 3])\n");
    assert!(dir.join("b.qdb").exists() && !dir.join("b.qdb.tmp").exists());
    // Crash before the roll: the journal still holds everything, the
    // temporary snapshot is dropped.
    std::fs::write(dir.join("b.qdb.tmp"), b"half").unwrap();
    std::fs::write(dir.join("b.log"), fixture("snap.log")).unwrap();
    let out = Command::new(BIN).args(["-l", dir.join("b").to_str().unwrap(), script.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "(101 [1 2 3])\n");
    assert!(!dir.join("b.qdb.tmp").exists());
}
