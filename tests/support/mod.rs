//! Shared test support: the mini evaluator and the corpus fixtures.
#![allow(dead_code)]
pub mod corpus;
pub mod fixtures;
pub mod mini;

use rayforce::abi::*;
use rayforce::core::{Value, env, sym};

pub fn syms(names: &[&str]) -> Value {
    Value::sym_vec(&names.iter().map(|n| sym::intern(n.as_bytes())).collect::<Vec<_>>()).unwrap()
}
pub fn i64s(xs: &[i64]) -> Value {
    rayforce::ops::mark_nulls(Value::vec_from_slice(RAY_I64, xs).unwrap()).unwrap()
}
pub fn f64s(xs: &[f64]) -> Value {
    rayforce::ops::mark_nulls(Value::vec_from_slice(RAY_F64, xs).unwrap()).unwrap()
}
pub fn times(ms: &[i32]) -> Value {
    Value::vec_from_slice(RAY_TIME, ms).unwrap()
}
pub fn dates(d: &[i32]) -> Value {
    Value::vec_from_slice(RAY_DATE, d).unwrap()
}
pub fn table(cols: Vec<(&str, Value)>) -> Value {
    Value::table_from(cols.into_iter().map(|(n, c)| (sym::intern(n.as_bytes()), c)).collect()).unwrap()
}
pub fn hms(h: i32, m: i32, s: i32) -> i32 {
    ((h * 60 + m) * 60 + s) * 1000
}

/// The tables of init/desk.rfl and init/guide.rfl, bound under `prefix`+name.
pub fn load_fixtures(prefix: &str) {
    let set = |n: &str, v: Value| {
        env::set(sym::intern(format!("{prefix}{n}").as_bytes()), v);
    };
    set("orders", orders());
    set("refdata", table(vec![
        ("sym", syms(&["AAPL", "MSFT", "GOOG", "TSLA"])),
        ("sector", syms(&["tech", "tech", "media", "auto"])),
        ("lot", i64s(&[100, 50, 10, 25])),
    ]));
    set("fills", table(vec![
        ("sym", syms(&["AAPL", "AAPL", "MSFT", "AAPL", "MSFT"])),
        ("time", times(&[hms(10, 0, 1), hms(10, 0, 5), hms(10, 0, 4), hms(10, 0, 9), hms(10, 0, 8)])),
        ("px", f64s(&[190.125, 190.375, 410.25, 190.625, 410.875])),
    ]));
    set("marks", table(vec![
        ("sym", syms(&["AAPL", "AAPL", "AAPL", "MSFT", "MSFT"])),
        ("time", times(&[hms(9, 59, 58), hms(10, 0, 3), hms(10, 0, 7), hms(10, 0, 2), hms(10, 0, 6)])),
        ("mid", f64s(&[190.0, 190.25, 190.5, 410.0, 410.5])),
    ]));
    set("trades", table(vec![
        ("sym", syms(&["AAPL", "GOOG", "AAPL", "MSFT", "GOOG"])),
        ("price", f64s(&[150.5, 2800.0, 151.2, 310.0, 2795.0])),
        ("qty", i64s(&[100, 50, 200, 75, 120])),
        ("time", times(&[hms(9, 30, 0), hms(9, 30, 1), hms(9, 30, 5), hms(9, 30, 10), hms(9, 30, 12)])),
    ]));
    set("quotes", table(vec![
        ("sym", syms(&["AAPL", "GOOG", "MSFT"])),
        ("bid", f64s(&[150.0, 2790.0, 309.5])),
        ("ask", f64s(&[150.5, 2800.0, 310.5])),
    ]));
}

pub fn orders() -> Value {
    table(vec![
        ("oid", i64s(&[1, 2, 3, 4, 5, 6, 7, 8])),
        ("sym", syms(&["AAPL", "MSFT", "AAPL", "IBM", "MSFT", "AAPL", "GOOG", "IBM"])),
        ("side", syms(&["buy", "sell", "sell", "buy", "buy", "buy", "sell", "sell"])),
        ("qty", i64s(&[100, 200, 150, NULL_I64, 300, 50, 80, 120])),
        ("px", f64s(&[189.5, 410.25, 190.0, 140.5, 409.75, 191.25, 2750.0, 141.0])),
        ("day", dates(&[8826, 8826, 8827, 8827, 8828, 8829, 8829, 8830])),
    ])
}

/// Column `name` of table `t`.
pub fn col(t: &Value, name: &str) -> Value {
    let i = rayforce::ops::table::find_col(t, sym::intern(name.as_bytes())).unwrap_or_else(|| panic!("no column {name}"));
    t.table_cols().unwrap().item(i).unwrap().to_value()
}
pub fn col_names(t: &Value) -> Vec<String> {
    let s = t.table_schema().unwrap();
    s.elems::<i64>().iter().map(|&id| String::from_utf8_lossy(sym::name_or_empty(id)).into_owned()).collect()
}
pub fn sym_names(v: &Value) -> Vec<String> {
    (0..v.len() as usize).map(|i| String::from_utf8_lossy(sym::name_or_empty(v.sym_at(i))).into_owned()).collect()
}
pub fn err_code(r: rayforce::core::Result<Value>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code_str().to_string(),
    }
}
