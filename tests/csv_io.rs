//! CSV import and export against RayforceDB's answers on the same files,
//! captured under tests/fixtures/csv by its `capture.sh` (the tests never
//! run the reference): the REPL text of every `cases.rfl` line, the files
//! `.csv.write` wrote for every `writes.rfl` line, and our own reviewed
//! answers where we fix a defect of the reference (`deviations.*`).
use rayforce::abi::*;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csv")
}

#[path = "support/eval.rs"]
mod eval;
use eval::{Errors, answer, ev};

/// The REPL's text of a result; errors keep only their code (the only
/// normative part).
fn text(src: &str) -> String {
    answer(src, 1, Errors::Code).trim_end().to_string()
}

fn normalise(expected: &str) -> String {
    let t = expected.trim_end();
    match t.strip_prefix("error: ") {
        Some(rest) => format!("error: {}", rest.split(':').next().unwrap_or(rest)),
        None => t.to_string(),
    }
}

/// `### EXPR` blocks of a captured file.
fn blocks(name: &str) -> Vec<(String, String)> {
    let all = std::fs::read_to_string(dir().join(name)).unwrap();
    all.split("### ")
        .filter(|b| !b.is_empty())
        .map(|b| {
            let (expr, out) = b.split_once('\n').unwrap_or((b, ""));
            (expr.to_string(), out.to_string())
        })
        .collect()
}

fn check(name: &str) {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let cases = blocks(name);
    assert!(cases.len() > 5, "{name} holds the captured cases");
    let failed: Vec<String> = cases
        .iter()
        .filter_map(|(expr, want)| {
            let got = text(expr);
            (got != normalise(want)).then(|| format!("{expr}\n--- want\n{want}\n--- got\n{got}\n"))
        })
        .collect();
    assert!(failed.is_empty(), "{} of {} differ:\n{}", failed.len(), cases.len(), failed.join("\n"));
}

#[test]
fn reads_give_the_reference_tables() {
    check("cases.expected");
}

#[test]
fn fixed_defects_give_our_reviewed_answers() {
    check("deviations.expected");
    // They are deviations: the reference answered differently on each.
    let ours = blocks("deviations.expected");
    let theirs = blocks("deviations.oracle");
    assert_eq!(ours.len(), theirs.len());
    for ((e, a), (_, b)) in ours.iter().zip(&theirs) {
        assert_ne!(normalise(a), normalise(b), "{e} is no deviation");
    }
}

#[test]
fn writes_are_byte_identical_to_the_reference() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let lines = std::fs::read_to_string(dir().join("writes.rfl")).unwrap();
    let tmp = std::env::temp_dir().join(format!("rayforce-csv-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for (i, line) in lines.lines().enumerate() {
        let out = tmp.join(format!("{}.csv", i + 1));
        let v = ev(&line.replace("\"OUT\"", &format!("{:?}", out.display().to_string()))).unwrap();
        assert_eq!(v.i64_val(), 0);
        let want = std::fs::read(dir().join(format!("written/{}.csv", i + 1))).unwrap();
        let got = std::fs::read(&out).unwrap();
        assert!(got == want, "{line}\n--- want\n{}\n--- got\n{}", String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
    }
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn columns_that_received_nulls_carry_has_nulls() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let t = ev("(.csv.read [I64 F64 B8 U8 DATE TIME TIMESTAMP SYMBOL STR GUID I16 F64 F32] \"tests/fixtures/csv/alltypes.csv\")").unwrap();
    let flags: Vec<bool> = t.table_cols().unwrap().items().iter().map(|c| c.unwrap().attrs & RAY_ATTR_HAS_NULLS != 0).collect();
    // i f b u d tm ts s str g h e x: B8, U8, SYM and STR have no null.
    assert_eq!(flags, [true, true, false, false, true, false, true, false, false, true, true, true, true]);
}

/// A file big enough to be counted and parsed on several threads, with
/// and without quotes, gives every row once and in order.
#[test]
fn large_files_parse_in_parallel_in_file_order() {
    use rayforce::runtime::progress;
    use std::sync::{Arc, Mutex};
    let ticks: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let seen = ticks.clone();
    let sink: progress::Sink = Arc::new(move |t: &progress::Tick<'_>| {
        seen.lock().unwrap().push((t.op.to_string_lossy().into_owned(), t.rows_total));
    });
    progress::set_sink(Some(sink), std::time::Duration::ZERO, std::time::Duration::ZERO);
    let tmp = std::env::temp_dir().join(format!("rayforce-csv-big-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for quoted in [false, true] {
        let mut s = String::from("id,name,v\n");
        let n = 300_000;
        for i in 0..n {
            if quoted && i % 1000 == 0 {
                s.push_str(&format!("{i},\"n,{i}\nx\",{}.5\n", i % 7));
            } else {
                s.push_str(&format!("{i},n{},{}.5\n", i % 50, i % 7));
            }
        }
        let path = tmp.join("big.csv");
        std::fs::write(&path, s).unwrap();
        let t = ev(&format!("(.csv.read {:?})", path.display().to_string())).unwrap();
        let cols = t.table_cols().unwrap().items();
        let ids = cols[0].unwrap().elems::<i64>();
        assert_eq!(ids.len(), n);
        assert!(ids.iter().enumerate().all(|(i, &x)| x == i as i64), "quoted={quoted}");
        let name = cols[1].unwrap();
        let want: &[u8] = if quoted { b"n,1000\nx" } else { b"n0" };
        assert_eq!(rayforce::core::sym::name_or_empty(name.sym_at(1000)), want);
        assert_eq!(cols[2].unwrap().elems::<f64>()[299_999], 299_999.0 % 7.0 + 0.5);
    }
    progress::set_sink(None, std::time::Duration::ZERO, std::time::Duration::ZERO);
    let ticks = ticks.lock().unwrap();
    assert!(ticks.iter().any(|(op, total)| op == "csv.read" && *total == 300_000), "progress: {ticks:?}");
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn bad_input_is_a_clear_error() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let e = ev("(.csv.read \"tests/fixtures/csv/unterminated.csv\")").unwrap_err();
    assert_eq!(e.code_str(), "domain");
    assert!(e.message().unwrap().contains("unterminated.csv line 2"), "{:?}", e.message());
    let e = ev("(.csv.read \"tests/fixtures/csv/missing.csv\")").unwrap_err();
    assert!(e.message().unwrap().contains("missing.csv"));
    let e = ev("(.csv.read [I64] \"tests/fixtures/csv/basic.csv\")").unwrap_err();
    assert_eq!(e.code_str(), "length");
    let wide = std::env::temp_dir().join(format!("rayforce-csv-wide-{}.csv", std::process::id()));
    std::fs::write(&wide, (0..300).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",")).unwrap();
    let e = ev(&format!("(.csv.read {:?})", wide.display().to_string())).unwrap_err();
    assert_eq!(e.code_str(), "range");
    std::fs::remove_file(&wide).ok();
    assert!(Path::new("tests/fixtures/csv/empty.csv").exists());
}
