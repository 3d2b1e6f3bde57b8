//! Where the tests find the conformance corpus: `tests/fixtures/conformance`,
//! a copy of the reference corpus kept in the repository so that a clone of
//! the project alone passes its tests. `make sync-corpus` refreshes the copy;
//! no test reads anything outside the crate.
//!
//! Tests without the full `support` module include this file alone with
//! `#[path = "support/fixtures.rs"] mod fixtures;`.
#![allow(dead_code)]

use std::path::PathBuf;

/// The corpus directory (`cases.jsonl`, `init/`, `README.md`).
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
}

/// The text of `cases.jsonl`, one case per line.
pub fn cases_jsonl() -> String {
    let path = corpus_dir().join("cases.jsonl");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of the init script `init/<name>.rfl`.
pub fn init_script(name: &str) -> std::io::Result<String> {
    std::fs::read_to_string(corpus_dir().join("init").join(format!("{name}.rfl")))
}

/// What the REPL prints for `query` after `reset` and the init script
/// `init` (if any): the value with `format(v, 1)`, an error with
/// `format_source_error` (the plain line, or the boxed diagnostic for an
/// error raised inside a lambda).
pub fn repl_text(init: Option<&str>, query: &str) -> String {
    use rayforce::lang::fmt::{format, format_source_error};
    use rayforce::lang::{RequestCtx, eval_source, eval_str, reset};
    reset();
    if let Some(name) = init {
        let src = init_script(name).expect("init script");
        if let Err(e) = eval_str(&src, RequestCtx::default()) {
            return format!("init {name} failed: {e}");
        }
    }
    match eval_source(query, RequestCtx::default()) {
        Ok(v) => format(&v, 1),
        Err(e) => format_source_error(query, "repl", &e),
    }
}
