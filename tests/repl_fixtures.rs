//! REPL text captured from RayforceDB for builtins and layouts beyond the
//! conformance corpus: every line of `tests/fixtures/repl/*.jsonl`
//! (`{"init", "query", "text"}`, written by `capture.py` from the
//! reference, by hand) is evaluated as the REPL would, after `reset` and
//! the init script, and its text compared with the reference's.
//!
//! Where we deliberately differ from the reference (its bugs, listed in the
//! README's deviations), the query is simply not captured.

#[path = "support/fixtures.rs"]
mod fixtures;
use fixtures::repl_text;
use std::path::PathBuf;
use std::sync::Mutex;

/// The environment is process-wide and each case resets it: the tests of
/// this file run one at a time.
static ENV: Mutex<()> = Mutex::new(());

fn check(file: &str) {
    let _alone = ENV.lock().unwrap_or_else(|e| e.into_inner());
    rayforce::ipc::install();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/repl").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failed = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("fixture json");
        let query = case["query"].as_str().unwrap().to_string();
        let init = case["init"].as_str().map(str::to_string);
        let want = case["text"].as_str().unwrap();
        let got = std::panic::catch_unwind(|| repl_text(init.as_deref(), &query)).unwrap_or_else(|_| "<panic>".into());
        n += 1;
        if got != want {
            failed.push(format!("{query}\n--- reference\n{want}\n--- ours\n{got}\n"));
        }
    }
    assert!(n > 0, "{file}: no fixtures");
    assert!(failed.is_empty(), "{file}: {} of {n} differ:\n{}", failed.len(), failed.join("\n"));
}

#[test]
fn reshaping_builtins_answer_as_the_reference() {
    check("reshape.jsonl");
}

#[test]
fn long_lists_and_dicts_are_laid_out_as_the_reference_repl_does() {
    check("layout.jsonl");
}

#[test]
fn text_errors_and_time_window_joins_answer_as_the_reference() {
    check("joins_strings.jsonl");
}

#[test]
fn grouped_selects_and_updates_treat_keys_as_the_reference() {
    check("grouping.jsonl");
}

#[test]
fn window_queries_answer_as_the_reference() {
    check("window.jsonl");
}

/// RayforceDB drops the source columns of an empty table from a `window`
/// answer (keeping the partition and order columns only), and gives
/// `first`/`last` of a SYM column as raw symbol ids (I64); ours keeps the
/// columns and the type.
#[test]
fn a_window_over_an_empty_table_keeps_every_column() {
    let _g = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let q = "(do (set t (table [g o v] (list [a] [1] [2]))) (cols (window {from: (take t 0) part: [g] funcs: {s: (sum v)}})))";
    assert_eq!(repl_text(None, q), "[g o v s]");
    let q = "(do (set t (table [s o] (list [a b] [2 1]))) (at (window {from: t order: [o] funcs: {f: (first s)}}) 'f))";
    assert_eq!(repl_text(None, q), "[b b]");
}

#[test]
fn long_tables_and_typed_list_columns_show_as_the_reference() {
    check("tables.jsonl");
}
