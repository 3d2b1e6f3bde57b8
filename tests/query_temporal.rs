//! Query-only names (builtins.md 9): the temporal extractors `(year c)`
//! ..., the dotted truncations `c.month` ..., and `ilike`, inside `select`;
//! undefined outside. Expected answers were captured from RayforceDB v2.5.12.
use rayforce::lang::{RequestCtx, format};

const T: &str = "(set t (table [d tm ts s] (list [2024.03.01 2024.12.31] [09:30:05.250 23:59:59.999] \
     (as 'TIMESTAMP [2024.02.29 2023.01.01]) (list \"Apple\" \"pear\"))))";

fn text(src: &str) -> String {
    rayforce::ipc::install();
    match rayforce::lang::eval_str(&format!("(do {T} {src})"), RequestCtx::default()) {
        Ok(v) => format(&v, 0),
        Err(e) => format!("error: {e}"),
    }
}

fn col(expr: &str) -> String {
    text(&format!("(at (select {{from: t m: {expr}}}) 'm)"))
}

#[test]
fn extractor_calls_read_fields_of_dates_times_and_timestamps() {
    assert_eq!(col("(year d)"), "[2024 2024]");
    assert_eq!(col("(month d)"), "[3 12]");
    assert_eq!(col("(dayofyear d)"), "[61 366]");
    assert_eq!(col("(dayofweek d)"), "[5 2]");
    assert_eq!(col("(hour tm)"), "[9 23]");
    assert_eq!(col("(second tm)"), "[5 59]");
    // A time is taken on 2000.01.01.
    assert_eq!(col("(year tm)"), "[2000 2000]");
    assert_eq!(col("(day ts)"), "[29 1]");
    assert_eq!(col("(+ 1 (month d))"), "[4 13]");
}

#[test]
fn dotted_truncations_give_timestamps() {
    assert_eq!(col("d.month"), "[2024.03.01D00:00:00.000000000 2024.12.01D00:00:00.000000000]");
    assert_eq!(col("d.year"), "[2024.01.01D00:00:00.000000000 2024.01.01D00:00:00.000000000]");
    assert_eq!(col("tm.hour"), "[2000.01.01D09:00:00.000000000 2000.01.01D23:00:00.000000000]");
    assert_eq!(col("tm.time"), "[2000.01.01D09:30:05.000000000 2000.01.01D23:59:59.000000000]");
    assert_eq!(col("d.dd"), "[1 31]");
}

#[test]
fn ilike_is_like_without_case() {
    assert_eq!(col("(ilike s \"APPLE\")"), "[true false]");
    assert_eq!(col("(like s \"APPLE\")"), "[false false]");
    assert_eq!(text("(count (select {from: t where: (ilike s \"p*\")}))"), "1");
}

#[test]
fn the_names_are_undefined_outside_queries() {
    assert_eq!(text("(hour 10:00:00.000)"), "error: name: 'hour' undefined");
    assert_eq!(text("(ilike \"a\" \"A\")"), "error: name: 'ilike' undefined");
    assert_eq!(text("(do (set x 2024.03.15) x.month)"), "error: name: 'x.month' undefined");
}

/// Inside a query a string compared with a SYM column is a symbol (answers
/// captured from RayforceDB); outside a query the types stay incomparable.
#[test]
fn strings_compare_with_symbol_columns_by_name_inside_queries() {
    let s = "(set q (table [s v] (list [a b a] [1 2 3]))) ";
    let t = |src: &str| text(&format!("(do {s} {src})"));
    assert_eq!(t("(at (select {from: q where: (== s \"a\")}) 'v)"), "[1 3]");
    assert_eq!(t("(at (select {from: q where: (== \"a\" s)}) 'v)"), "[1 3]");
    assert_eq!(t("(at (select {from: q where: (!= s \"a\")}) 'v)"), "[2]");
    assert_eq!(t("(at (select {from: q where: (< s \"b\")}) 'v)"), "[1 3]");
    assert_eq!(t("(at (select {from: q x: (== s \"a\")}) 'x)"), "[true false true]");
    assert_eq!(t("(at (update {from: q v: 0 where: (== s \"b\")}) 'v)"), "[1 0 3]");
    assert!(t("(== [a b] \"a\")").starts_with("error: type"));
}

/// `(if c a b)` with a per-row condition inside a query picks per row
/// (answers captured from RayforceDB); outside queries it takes one truth value.
#[test]
fn if_inside_a_query_picks_per_row() {
    let s = "(set trades (table [sym qty] (list [AAPL GOOG AAPL MSFT GOOG] [100 50 200 75 120]))) ";
    let t = |src: &str| text(&format!("(do {s} {src})"));
    assert_eq!(t("(at (select {from: trades x: (if (== sym \"AAPL\") qty 0)}) 'x)"), "[100 0 200 0 0]");
    assert_eq!(
        t("(at (select {total: (sum qty) aapl: (sum (if (== sym \"AAPL\") qty 0)) by: {sym: sym} from: trades}) 'aapl)"),
        "[300 0 0]"
    );
    assert_eq!(t("(if [true false] 1 2)"), "1");
    assert!(t("(select {from: trades x: (if (> qty 60) qty 0.5)})").starts_with("error: type"));
}
