//! Differential test against the reference: every expression in
//! `tests/fixtures/difftest/*.jsonl` and `tests/fixtures/difftest/seed777/*.jsonl`
//! (small random expressions over the builtins, answered by the reference and
//! stored by `tools/difftest/gen.py`, the second set with `--seed 777`; a case
//! whose id is already in an earlier set is skipped) is evaluated as the server would (a STR payload
//! through `eval_request`, encoded with the codec) and as the REPL would
//! (`format` / `format_source_error`), and both answers are compared with
//! the stored ones.
//!
//! Ratchet: `tests/difftest_fail.txt` lists the ids known to differ (with
//! the reason where known). Any other difference fails the test; a listed
//! id that now matches is printed, to be removed from the list.

use rayforce::core::Value;
use rayforce::lang::fmt::{format, format_source_error};
use rayforce::lang::{RequestCtx, eval_request, eval_source, reset};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Our wire payload (hex) and REPL text for `query`.
fn answer(query: &str) -> (String, String) {
    let value = match eval_request(&Value::str(query.as_bytes()), RequestCtx { restricted: false, handle: 1 }) {
        Ok(v) => v,
        Err(e) => Value::from_error(e),
    };
    let bytes = rayforce::codec::encode(&value).map(|b| hex(&b)).unwrap_or_else(|e| format!("encode: {e}"));
    let text = match eval_source(query, RequestCtx::default()) {
        Ok(v) => format(&v, 1),
        Err(e) => format_source_error(query, "repl", &e),
    };
    (bytes, text)
}

/// The fixture sets, in order; an id seen in an earlier set is not checked again.
const FIXTURE_SETS: [&str; 2] = ["tests/fixtures/difftest", "tests/fixtures/difftest/seed777"];

fn known_failures() -> BTreeSet<String> {
    std::fs::read_to_string(root().join("tests/difftest_fail.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| !id.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn builtins_answer_as_the_reference_does() {
    rayforce::ipc::install();
    let known = known_failures();
    let mut files = Vec::new();
    for set in FIXTURE_SETS {
        let mut in_set: Vec<PathBuf> = std::fs::read_dir(root().join(set))
            .expect(set)
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        in_set.sort();
        files.extend(in_set);
    }
    let mut seen_ids = BTreeSet::new();
    let (mut total, mut matching) = (0, 0);
    let mut regressions = Vec::new();
    let mut now_passing = Vec::new();
    // DIFFTEST_DUMP=path writes every differing case (listed or not) as JSON lines, for triage.
    let mut dump = std::env::var_os("DIFFTEST_DUMP").map(|p| std::fs::File::create(p).expect("DIFFTEST_DUMP file"));
    for file in files {
        reset();
        let text = std::fs::read_to_string(&file).expect("fixture");
        let (mut n, mut ok) = (0, 0);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).expect("case json");
            let id = case["id"].as_str().expect("id");
            if !seen_ids.insert(id.to_string()) {
                continue;
            }
            let query = case["query"].as_str().expect("query");
            let (want_bytes, want_text) = (case["payload_hex"].as_str().expect("hex"), case["text"].as_str().expect("text"));
            let got = std::panic::catch_unwind(|| answer(query)).unwrap_or_else(|_| ("panic".into(), "panic".into()));
            n += 1;
            if got.0 == want_bytes && got.1 == want_text {
                ok += 1;
                if known.contains(id) {
                    now_passing.push(id.to_string());
                }
            } else {
                if let Some(f) = dump.as_mut() {
                    use std::io::Write;
                    let row = serde_json::json!({"id": id, "query": query, "want_hex": want_bytes, "got_hex": got.0, "want": want_text, "got": got.1});
                    writeln!(f, "{row}").expect("dump write");
                }
                if !known.contains(id) {
                    regressions.push(format!(
                        "{id} {query}\n  want {want_bytes}\n  got  {}\n  want text {want_text:?}\n  got  text {:?}",
                        got.0, got.1
                    ));
                }
            }
        }
        let set = if file.parent().is_some_and(|d| d.ends_with("seed777")) { "seed777/" } else { "" };
        println!("difftest {:<20} {ok:>5}/{n}", format!("{set}{}", file.file_stem().unwrap().to_string_lossy()));
        total += n;
        matching += ok;
    }
    println!("difftest {:<20} {matching:>5}/{total}", "TOTAL");
    if !now_passing.is_empty() {
        println!("listed in tests/difftest_fail.txt but matching now (remove them):\n{}", now_passing.join("\n"));
    }
    assert!(regressions.is_empty(), "{} unexpected differences:\n{}", regressions.len(), regressions.join("\n"));
}
