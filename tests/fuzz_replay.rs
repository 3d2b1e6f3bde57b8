//! Replays every saved fuzz input and crash reproducer of the language and
//! connection targets (fuzz/corpus/TARGET, fuzz/artifacts/TARGET) through
//! the same bodies the libFuzzer targets run (fuzz/bodies.rs), so a crash
//! once found stays fixed (journal and append-only log targets too). The
//! codec targets' inputs are replayed by tests/codec_fuzz_corpus.rs.

#[path = "../fuzz/bodies.rs"]
mod bodies;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let r = std::panic::catch_unwind(|| body(&data));
            assert!(r.is_ok(), "{target}: fuzz input {} panics", f.display());
            n += 1;
        }
    }
    n
}

#[test]
fn saved_connection_inputs_end_cleanly() {
    replay("frame", bodies::connection);
}

#[test]
fn saved_parser_inputs_end_cleanly() {
    assert!(replay("parse", bodies::parse) > 0, "no parser reproducers");
}

#[test]
fn saved_evaluator_inputs_end_cleanly() {
    assert!(replay("eval", bodies::eval) > 0, "no evaluator reproducers");
}

#[test]
fn random_integer_expressions_equal_a_plain_evaluation() {
    replay("arith_diff", bodies::arith_diff);
    // Deterministic inputs beside the saved ones: every byte pattern of a
    // small generator, so `cargo test` alone exercises the comparison.
    let mut state = 0x1234_5678_9abc_def0u64;
    for _ in 0..3000 {
        let input: Vec<u8> = (0..48)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        bodies::arith_diff(&input);
    }
}

#[test]
fn saved_csv_and_column_file_inputs_end_cleanly() {
    replay("csv", bodies::csv);
    replay("column", bodies::column);
}

#[test]
fn saved_journal_and_aof_inputs_end_cleanly() {
    replay("journal", bodies::journal);
    // The committed journal fixtures (the fuzzer's seeds) go through the same body.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal");
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "log") {
            bodies::journal(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n >= 4, "journal fixtures missing");
    assert!(replay("aof", bodies::aof) >= 6, "no append-only log seeds");
}
