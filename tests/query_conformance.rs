//! In-process conformance for tables and queries: every corpus case whose
//! feature is table, select, update or join is evaluated as the server would
//! (a STR payload through `eval_request`, after `reset` and the case's init
//! script), encoded with the codec, and compared byte for byte with
//! `payload_hex`; the REPL text is compared with `text` too.
//!
//! Ratchet: `tests/query_pass.txt` lists the case ids that must pass.
//! The test fails when a listed case fails, and prints the ids that pass
//! but are not listed yet (add them to the file).
mod support;

const FEATURES: [&str; 4] = ["table", "select", "update", "join"];

#[test]
fn query_cases_match_the_reference_bytes() {
    support::corpus::check_bytes_against_ratchet("tests/query_pass.txt", |f| FEATURES.contains(&f));
}
