//! `lang::fmt::format(v, 1)` against the `text` of every conformance case.
//!
//! Each case's value is rebuilt from its payload (through the codec when it
//! decodes, else from the `decoded` JSON) and formatted. Error cases compare
//! only the `error: code` prefix (the message is not in the bytes). Cases
//! listed in tests/fmt_pass.txt must pass (a ratchet: grow it, never shrink).

use rayforce::Value;
use rayforce::abi::*;
use rayforce::codec::decode::{DecodeOptions, decode_with};
use rayforce::core::sym;
use rayforce::lang::fmt::format;
use serde_json::Value as Json;
#[path = "support/fixtures.rs"]
mod fixtures;
use std::collections::BTreeMap;
use std::path::PathBuf;


struct Case {
    id: String,
    feature: String,
    decoded: Json,
    payload: Vec<u8>,
    text: String,
}

fn load_cases() -> Vec<Case> {
    let src = fixtures::cases_jsonl();
    src.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let j: Json = serde_json::from_str(l).expect("case json");
            Case {
                id: j["id"].as_str().unwrap().to_string(),
                feature: j["feature"].as_str().unwrap().to_string(),
                decoded: j["decoded"].clone(),
                payload: hex(j["payload_hex"].as_str().unwrap()),
                text: j["text"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

// ----- decoded JSON -> Value -----

fn num_i64(j: &Json) -> i64 {
    j.as_i64().unwrap_or_else(|| j.as_u64().map_or(0, |u| u as i64))
}

fn num_f64(j: &Json) -> f64 {
    if j.as_str() == Some("NaN") { f64::NAN } else { j.as_f64().unwrap_or(f64::NAN) }
}

fn guid(j: &Json) -> [u8; 16] {
    let h: String = j.as_str().unwrap().chars().filter(|c| *c != '-').collect();
    let b = hex(&h);
    let mut g = [0u8; 16];
    g.copy_from_slice(&b[..16]);
    g
}

fn sym_id(j: &Json) -> i64 {
    sym::intern(j.as_str().unwrap().as_bytes())
}

fn atom(t: &str, v: &Json, node: &Json) -> Value {
    if node["null"].as_bool() == Some(true) {
        let code = ["b8", "u8", "i16", "i32", "i64", "f32", "f64", "date", "time", "timestamp", "guid", "sym", "str"]
            .iter()
            .position(|x| *x == t)
            .unwrap() as i8
            + 1;
        return Value::typed_null(-code).unwrap();
    }
    match t {
        "b8" => Value::bool(v.as_bool().unwrap()),
        "u8" => Value::u8(num_i64(v) as u8),
        "i16" => Value::i16(num_i64(v) as i16),
        "i32" => Value::i32(num_i64(v) as i32),
        "i64" => Value::i64(num_i64(v)),
        "f32" => Value::f32(num_f64(v) as f32),
        "f64" => Value::f64(num_f64(v)),
        "date" => Value::date(num_i64(v)),
        "time" => Value::time(num_i64(v)),
        "timestamp" => Value::timestamp(num_i64(v)),
        "guid" => Value::guid(&guid(v)),
        "sym" if node["quoted"].as_bool() == Some(true) => Value::quoted_sym(sym_id(v)),
        "sym" => Value::sym_id(sym_id(v)),
        "str" => Value::str(v.as_str().unwrap().as_bytes()),
        other => panic!("unknown atom tag {other}"),
    }
}

fn vector(t: &str, items: &[Json], attrs: u8) -> Value {
    let mut v = match t {
        "B8" => Value::vec_from_slice::<u8>(RAY_BOOL, &items.iter().map(|x| x.as_bool().unwrap() as u8).collect::<Vec<_>>()),
        "U8" => Value::vec_from_slice::<u8>(RAY_U8, &items.iter().map(|x| num_i64(x) as u8).collect::<Vec<_>>()),
        "I16" => Value::vec_from_slice::<i16>(RAY_I16, &items.iter().map(|x| num_i64(x) as i16).collect::<Vec<_>>()),
        "I32" => Value::vec_from_slice::<i32>(RAY_I32, &items.iter().map(|x| num_i64(x) as i32).collect::<Vec<_>>()),
        "I64" => Value::vec_from_slice::<i64>(RAY_I64, &items.iter().map(num_i64).collect::<Vec<_>>()),
        "F32" => Value::vec_from_slice::<f32>(RAY_F32, &items.iter().map(|x| num_f64(x) as f32).collect::<Vec<_>>()),
        "F64" => Value::vec_from_slice::<f64>(RAY_F64, &items.iter().map(num_f64).collect::<Vec<_>>()),
        "DATE" => Value::vec_from_slice::<i32>(RAY_DATE, &items.iter().map(|x| num_i64(x) as i32).collect::<Vec<_>>()),
        "TIME" => Value::vec_from_slice::<i32>(RAY_TIME, &items.iter().map(|x| num_i64(x) as i32).collect::<Vec<_>>()),
        "TIMESTAMP" => Value::vec_from_slice::<i64>(RAY_TIMESTAMP, &items.iter().map(num_i64).collect::<Vec<_>>()),
        "GUID" => Value::vec_from_slice::<[u8; 16]>(RAY_GUID, &items.iter().map(guid).collect::<Vec<_>>()),
        "SYM" => Value::sym_vec(&items.iter().map(sym_id).collect::<Vec<_>>()),
        "STR" => Value::str_vec(items.iter().map(|x| x.as_str().unwrap().as_bytes())),
        other => panic!("unknown vector tag {other}"),
    }
    .unwrap();
    if attrs & RAY_ATTR_HAS_NULLS != 0 {
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
    }
    v
}

fn build(node: &Json) -> Value {
    let t = node["t"].as_str().unwrap();
    let attrs = node["attrs"].as_u64().unwrap_or(0) as u8;
    match t {
        "LIST" => Value::list(node["v"].as_array().unwrap().iter().map(build).collect()),
        "DICT" => Value::dict(build(&node["keys"]), build(&node["vals"])),
        "TABLE" => {
            let names: Vec<i64> = node["cols"]["v"].as_array().unwrap().iter().map(sym_id).collect();
            Value::table(Value::vec_from_slice(RAY_I64, &names).unwrap(), build(&node["vals"]))
        }
        "LAMBDA" => Value::container(RAY_LAMBDA, vec![build(&node["params"]), build(&node["body"])]).unwrap(),
        "UNARY" | "BINARY" | "VARY" => {
            let kind = match t {
                "UNARY" => RAY_UNARY,
                "BINARY" => RAY_BINARY,
                _ => RAY_VARY,
            };
            Value::builtin(kind, sym_id(&node["name"]), -1, 0)
        }
        "ERROR" => Value::from_error(rayforce::RayError::code(node["code"].as_str().unwrap())),
        "NULL" => Value::null(),
        _ if t.chars().next().unwrap().is_ascii_lowercase() => atom(t, &node["v"], node),
        _ => vector(t, node["v"].as_array().unwrap(), attrs),
    }
}

/// The value of a case: the codec's decoding of the payload when the codec
/// decodes it completely, else the `decoded` JSON.
fn value_of(case: &Case) -> (Value, bool) {
    let opts = DecodeOptions { resolve_builtins: false, ..DecodeOptions::default() };
    if let Ok((v, used)) = decode_with(&case.payload, opts) {
        if used == case.payload.len() {
            return (v, true);
        }
    }
    (build(&case.decoded), false)
}

/// True when `got` is what the REPL printed, up to what the bytes can say:
/// an error's message never travels, so only `error: code` is compared.
fn matches(case: &Case, got: &str) -> bool {
    if case.decoded["t"] == "ERROR" {
        let rest = case.text.strip_prefix(got);
        return matches!(rest, Some(r) if r.is_empty() || r.starts_with(": "));
    }
    got == case.text
}

fn pass_list() -> Vec<String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fmt_pass.txt");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn every_ratcheted_case_formats_exactly_as_the_reference_repl() {
    let cases = load_cases();
    assert!(cases.len() > 200, "corpus not found or truncated");
    let must = pass_list();
    let mut per_feature: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failed = Vec::new();
    let mut newly = Vec::new();
    let mut via_codec = 0;
    for case in &cases {
        let (v, decoded) = value_of(case);
        via_codec += decoded as usize;
        let got = format(&v, 1);
        let ok = matches(case, &got);
        let e = per_feature.entry(case.feature.clone()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
            if !must.contains(&case.id) {
                newly.push(case.id.clone());
            }
        } else {
            failed.push(case.id.clone());
            if must.contains(&case.id) {
                eprintln!("--- {} REGRESSED\nwant:\n{}\ngot:\n{}", case.id, case.text, got);
            }
        }
    }
    for (f, (p, n)) in &per_feature {
        eprintln!("fmt {f:<11} {p}/{n}");
    }
    let total: usize = per_feature.values().map(|x| x.0).sum();
    eprintln!("fmt total {total}/{} ({} values via the codec)", cases.len(), via_codec);
    eprintln!("fmt failing: {}", failed.join(" "));
    if !newly.is_empty() {
        eprintln!("fmt passing but not in tests/fmt_pass.txt: {}", newly.join(" "));
    }
    let regressed: Vec<_> = must.iter().filter(|id| failed.contains(id)).collect();
    assert!(regressed.is_empty(), "ratcheted cases fail: {regressed:?}");
}

#[test]
fn floats_use_two_trimmed_decimals_inside_the_fixed_range_and_c_exponents_outside() {
    let f = |x: f64| format(&Value::f64(x), 1);
    assert_eq!(f(3.0), "3.0");
    assert_eq!(f(150.96666666666667), "150.97");
    assert_eq!(f(0.0), "0.0");
    assert_eq!(f(-4.0), "-4.0");
    assert_eq!(f(0.1), "0.1");
    assert_eq!(f(1e6), "1000000.0");
    assert_eq!(f(0.0025), "2.50e-03");
    assert_eq!(f(1e20), "1.00e+20");
    assert_eq!(f(-1234567.0), "-1.23e+06");
    assert_eq!(f(100.125), "100.12", "ties round to even as C does");
    assert_eq!(f(f64::NAN), "0Nf");
}

#[test]
fn typed_nulls_print_by_their_sentinels() {
    for (t, want) in [
        (RAY_I64, "0Nl"),
        (RAY_I32, "0Ni"),
        (RAY_I16, "0Nh"),
        (RAY_F64, "0Nf"),
        (RAY_DATE, "0Nd"),
        (RAY_TIME, "0Nt"),
        (RAY_TIMESTAMP, "0Np"),
    ] {
        assert_eq!(format(&Value::typed_null(-t).unwrap(), 1), want);
    }
    assert_eq!(format(&Value::sym_id(0), 1), "'");
    assert_eq!(format(&Value::null(), 1), "");
}

#[test]
fn temporal_values_print_in_the_reference_layout() {
    assert_eq!(format(&Value::date(0), 0), "2000.01.01");
    assert_eq!(format(&Value::date(-1), 0), "1999.12.31");
    assert_eq!(format(&Value::time(43_200_000), 0), "12:00:00.000");
    assert_eq!(format(&Value::timestamp(-1), 0), "1999.12.31D23:59:59.999999999");
    assert_eq!(format(&Value::i64(42), 0), "42");
}

#[test]
fn errors_print_their_code_and_message_when_there_is_one() {
    use rayforce::lang::fmt::format_error;
    assert_eq!(format_error("type", Some("cannot add i64 and str")), "error: type: cannot add i64 and str");
    assert_eq!(format_error("parse", None), "error: parse");
    let e = Value::from_error(rayforce::RayError::new("domain", "x"));
    assert_eq!(format(&e, 1), "error: domain");
}

#[test]
fn long_collections_are_cut_in_repl_mode_and_whole_in_unlimited_mode() {
    let ids: Vec<i64> = (0..1000).collect();
    let v = Value::vec_from_slice(RAY_I64, &ids).unwrap();
    // RayforceDB's REPL stops a vector at its 80-column line: `(til 1000)`
    // shows 0 to 29.
    let repl = format(&v, 1);
    assert!(repl.ends_with(" 28 29 ..]"), "{repl}");
    let all = format(&v, 2);
    assert!(all.ends_with(" 998 999]"));
    assert_eq!(all.split(' ').count(), 1000);
}

#[test]
fn tables_longer_than_the_repl_limit_say_how_many_rows_are_shown() {
    let ids: Vec<i64> = (0..50).collect();
    let t = Value::table_from(vec![(sym::intern(b"n"), Value::vec_from_slice(RAY_I64, &ids).unwrap())]).unwrap();
    let repl = format(&t, 1);
    assert!(repl.contains("│ 50 rows (20 shown) 1 columns (1 shown)│"), "{repl}");
    // The first and last ten rows around one `┆ … ┆` row.
    assert_eq!(repl.lines().count(), 20 + 8);
    let lines: Vec<&str> = repl.lines().collect();
    assert!(lines[13].starts_with("│ 9 ") && lines[14].starts_with("┆ ") && lines[15].starts_with("│ 40 "), "{repl}");
    assert_eq!(lines[14].trim_matches(|c| c == '┆' || c == ' '), "…");
    let all = format(&t, 2);
    assert!(all.contains("50 rows (50 shown)"));
    let compact = format(&t, 0);
    assert!(compact.starts_with("(table [n] (list [0 1 2 "), "{compact}");
}

#[test]
fn deeply_nested_lists_print_without_exhausting_the_stack() {
    let mut v = Value::i64(1);
    for _ in 0..100_000 {
        v = Value::list(vec![v]);
    }
    let text = format(&v, 2);
    assert!(text.starts_with("((((") && text.contains(".."), "{}", &text[..80]);
    assert!(text.len() < 1000);
    // Dropping 100k nested lists is the core's business; leak-free teardown
    // is not what this test is about, so unwind it level by level.
    while v.type_() == RAY_LIST {
        let inner = v.item(0).unwrap().to_value();
        v = inner;
    }
}
