//! The builtin families (collection, string, dict, type/cast, temporal,
//! list, vector, null) against the conformance corpus: every case of those
//! features is evaluated in-process and its encoded answer compared byte
//! for byte with `payload_hex`. Cases whose init script needs builtins
//! owned elsewhere (`table`) are reported, not failed, until that lands.
use rayforce::core::Value;
use rayforce::lang::{RequestCtx, eval_request, eval_str, reset};
use std::sync::Mutex;
#[path = "support/fixtures.rs"]
mod fixtures;

const FEATURES: [&str; 8] = ["collection", "string", "dict", "type", "temporal", "null", "list", "vector"];

/// The evaluator's global state is shared: run one case at a time.
static SERIAL: Mutex<()> = Mutex::new(());


fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

enum Outcome {
    Pass,
    Fail(String),
    InitUnavailable(String),
}

fn run(init: Option<&str>, query: &str, expected: &str) -> Outcome {
    reset();
    if let Some(name) = init {
        let src = fixtures::init_script(name).expect("init script");
        if let Err(e) = eval_str(&src, RequestCtx::default()) {
            return Outcome::InitUnavailable(format!("init {name}: {e}"));
        }
    }
    let v = eval_request(&Value::str(query.as_bytes()), RequestCtx { restricted: false, handle: 1 })
        .unwrap_or_else(Value::from_error);
    match rayforce::codec::encode(&v) {
        Ok(bytes) if hex(&bytes) == expected => Outcome::Pass,
        Ok(bytes) => Outcome::Fail(hex(&bytes)),
        Err(e) => Outcome::Fail(format!("encode: {e}")),
    }
}

#[test]
fn builtin_family_cases_match_the_reference_bytes() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cases = fixtures::cases_jsonl();
    let (mut pass, mut blocked, mut failures) = (0, Vec::new(), Vec::new());
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("case json");
        if !FEATURES.contains(&case["feature"].as_str().unwrap_or("")) {
            continue;
        }
        let id = case["id"].as_str().unwrap_or("?");
        let query = case["query"].as_str().unwrap_or("");
        match run(case["init"].as_str(), query, case["payload_hex"].as_str().unwrap_or("")) {
            Outcome::Pass => pass += 1,
            Outcome::InitUnavailable(why) => blocked.push(format!("{id} ({why})")),
            Outcome::Fail(got) => failures.push(format!("{id}: {query}\n  want {}\n  got  {got}", case["payload_hex"])),
        }
    }
    eprintln!("builtin families: {pass} pass, {} blocked on init, {} fail", blocked.len(), failures.len());
    for b in &blocked {
        eprintln!("blocked: {b}");
    }
    assert!(failures.is_empty(), "corpus mismatches:\n{}", failures.join("\n"));
    assert!(pass >= 70, "only {pass} cases ran to completion");
}
