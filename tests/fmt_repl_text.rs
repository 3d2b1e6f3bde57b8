//! In-process REPL text: every corpus case is evaluated as the REPL would
//! (after `reset` and the case's init script), its result rendered with
//! `format(v, 1)` or, for an error, `format_source_error` (the plain
//! `error: code: message` line, or the boxed diagnostic for an error raised
//! inside a lambda), and compared with the case's `text`. The `rayforce -i`
//! binary adds only the REPL loop (println's side output).
//!
//! Ratchet: tests/fmt_text_pass.txt lists the ids that must pass.

use std::collections::BTreeMap;
#[path = "support/fixtures.rs"]
mod fixtures;
use fixtures::repl_text;
use std::path::PathBuf;

#[test]
fn ratcheted_cases_print_the_reference_repl_text() {
    let cases = fixtures::cases_jsonl();
    let pass_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fmt_text_pass.txt");
    let must: Vec<String> = std::fs::read_to_string(pass_path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let verbose = std::env::var("FMT_VERBOSE").is_ok();
    let mut per_feature: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut failed, mut newly, mut regressed) = (Vec::new(), Vec::new(), Vec::new());
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("case json");
        let id = case["id"].as_str().unwrap().to_string();
        let want = case["text"].as_str().unwrap();
        // A panic in the evaluator is a failure of that case, not of the run.
        let query = case["query"].as_str().unwrap().to_string();
        let init = case["init"].as_str().map(str::to_string);
        let got = std::panic::catch_unwind(|| repl_text(init.as_deref(), &query))
            .unwrap_or_else(|_| "<panic>".to_string());
        let entry = per_feature.entry(case["feature"].as_str().unwrap().to_string()).or_default();
        entry.1 += 1;
        if got == want {
            entry.0 += 1;
            if !must.contains(&id) {
                newly.push(id);
            }
        } else {
            if verbose {
                eprintln!("--- {id}\nwant: {want}\ngot:  {got}");
            }
            if must.contains(&id) {
                regressed.push(id.clone());
            }
            failed.push(id);
        }
    }
    for (f, (p, n)) in &per_feature {
        eprintln!("text {f:<11} {p}/{n}");
    }
    let total: usize = per_feature.values().map(|x| x.0).sum();
    let count: usize = per_feature.values().map(|x| x.1).sum();
    eprintln!("text total {total}/{count}");
    eprintln!("text failing: {}", failed.join(" "));
    if !newly.is_empty() {
        eprintln!("text passing but not in tests/fmt_text_pass.txt: {}", newly.join(" "));
    }
    assert!(regressed.is_empty(), "ratcheted text cases fail: {regressed:?}");
}
