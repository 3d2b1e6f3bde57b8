//! The in-process corpus harness shared by the conformance tests: each case
//! is evaluated as the server would (a STR payload through `eval_request`,
//! after `reset` and the case's init script), encoded with the codec and
//! compared byte for byte with `payload_hex`, against a ratchet file of ids
//! that must pass.

use rayforce::core::Value;
use rayforce::lang::{RequestCtx, eval_request, eval_str, reset};
use std::collections::{BTreeMap, BTreeSet};
use super::fixtures;
use std::path::PathBuf;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs one case; Ok(()) when the bytes match, Err(what we produced) otherwise.
pub fn run_case(init: Option<&str>, query: &str, expected: &str) -> Result<(), String> {
    reset();
    if let Some(name) = init {
        let src = fixtures::init_script(name).map_err(|e| format!("init {name}: {e}"))?;
        eval_str(&src, RequestCtx::default()).map_err(|e| format!("init {name} failed: {e}"))?;
    }
    let result = eval_request(&Value::str(query.as_bytes()), RequestCtx { restricted: false, handle: 1 });
    let value = match result {
        Ok(v) => v,
        Err(e) => Value::from_error(e),
    };
    let bytes = rayforce::codec::encode(&value).map_err(|e| format!("encode: {e}"))?;
    let got = hex(&bytes);
    if got == expected { Ok(()) } else { Err(got) }
}

/// Runs every case whose feature `selected` accepts, prints per-feature
/// counts and the passing ids missing from `ratchet` (a path relative to the
/// crate, e.g. `tests/query_pass.txt`), and panics when a listed case fails.
/// `CONFORMANCE_VERBOSE=1` prints each failure.
pub fn check_bytes_against_ratchet(ratchet: &str, selected: impl Fn(&str) -> bool) {
    let cases = fixtures::cases_jsonl();
    let ratchet_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(ratchet);
    let required: BTreeSet<String> = std::fs::read_to_string(&ratchet_path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut per_feature: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut regressions = Vec::new();
    let mut newly = Vec::new();
    let verbose = std::env::var("CONFORMANCE_VERBOSE").is_ok();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("case json");
        let id = case["id"].as_str().unwrap().to_string();
        let feature = case["feature"].as_str().unwrap().to_string();
        if !selected(&feature) {
            continue;
        }
        let init = case["init"].as_str();
        let query = case["query"].as_str().unwrap();
        let expected = case["payload_hex"].as_str().unwrap();
        let outcome = std::panic::catch_unwind(|| run_case(init, query, expected))
            .unwrap_or_else(|_| Err("panic".to_string()));
        let entry = per_feature.entry(feature).or_default();
        entry.1 += 1;
        match outcome {
            Ok(()) => {
                entry.0 += 1;
                if !required.contains(&id) {
                    newly.push(id);
                }
            }
            Err(got) => {
                if verbose {
                    eprintln!("FAIL {id}: {query}\n  want {expected}\n  got  {got}");
                }
                if required.contains(&id) {
                    regressions.push(format!("{id}: {query} => {got} (want {expected})"));
                }
            }
        }
    }
    let (mut pass, mut total) = (0, 0);
    for (f, (p, t)) in &per_feature {
        println!("conformance {f:<12} {p:>3}/{t}");
        pass += p;
        total += t;
    }
    println!("conformance {:<12} {pass:>3}/{total}", "TOTAL");
    if !newly.is_empty() {
        println!("passing but not in {ratchet} (add them):\n{}", newly.join("\n"));
    }
    assert!(regressions.is_empty(), "cases listed in {ratchet} fail:\n{}", regressions.join("\n"));
}
