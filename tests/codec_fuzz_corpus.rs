//! Deterministic regression for the fuzz targets: replays every saved input
//! in `fuzz/corpus/decode` (and any crash reproducer kept in
//! `fuzz/artifacts`) through the same invariant checks the targets run.

use rayforce::codec::selfcheck;
use std::path::Path;

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn the_saved_fuzz_corpus_decodes_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = inputs(&root.join("corpus/decode"));
    assert!(corpus.len() > 200, "fuzz corpus missing: {}", corpus.len());
    for (name, data) in corpus.iter().chain(inputs(&root.join("artifacts/decode")).iter()) {
        let r = std::panic::catch_unwind(|| selfcheck::check_decoder(data));
        assert!(r.is_ok(), "decoder invariant broken on fuzz input {name}");
    }
}

#[test]
fn the_saved_fuzz_corpus_compresses_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, data) in inputs(&root.join("corpus/decode")).iter().chain(inputs(&root.join("artifacts/compress")).iter()) {
        let r = std::panic::catch_unwind(|| selfcheck::check_compression(data));
        assert!(r.is_ok(), "compression invariant broken on fuzz input {name}");
    }
}
