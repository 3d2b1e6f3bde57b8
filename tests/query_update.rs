//! `update`, `insert` and `upsert`, by value and in place, driven by the mini evaluator.
mod support;
use rayforce::abi::*;
use rayforce::core::{Value, env, sym};
use support::mini::run;
use support::*;

fn q(src: &str) -> Value {
    load_fixtures("");
    run(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

#[test]
fn update_where_changes_only_matching_rows() {
    let t = q("(update {from: orders px: (* px 2) where: (== sym 'AAPL)})");
    assert_eq!(col(&t, "px").elems::<f64>(), &[379.0, 410.25, 380.0, 140.5, 409.75, 382.5, 2750.0, 141.0]);
    // by value: the global is untouched
    assert_eq!(col(&q("orders"), "px").elems::<f64>()[0], 189.5);
}

#[test]
fn update_where_casts_new_values_to_the_column_type() {
    let t = q("(update {from: orders qty: (* px 2) where: (== sym 'IBM)})");
    let qty = col(&t, "qty");
    assert_eq!(qty.type_(), RAY_I64);
    assert_eq!(qty.elems::<i64>()[3], 281);
    assert_eq!(qty.attrs() & RAY_ATTR_HAS_NULLS, 0);
}

/// A deviation: the reference adds no column at all (rayfall.md 14.12).
#[test]
fn a_new_column_under_where_fills_the_selected_rows_and_nulls_elsewhere() {
    let t = q("(update {from: orders z: 1 where: (== sym 'AAPL)})");
    assert_eq!(col_names(&t), ["oid", "sym", "side", "qty", "px", "day", "z"]);
    let z = col(&t, "z");
    assert_eq!(z.type_(), RAY_I64);
    let aapl: Vec<bool> = (0..8).map(|i| sym::name_or_empty(col(&t, "sym").sym_at(i)) == b"AAPL").collect();
    let want: Vec<i64> = aapl.iter().map(|&a| if a { 1 } else { NULL_I64 }).collect();
    assert_eq!(z.elems::<i64>(), want.as_slice());
    assert!(aapl.iter().any(|&a| a) && aapl.iter().any(|&a| !a));
    assert_ne!(z.attrs() & RAY_ATTR_HAS_NULLS, 0);
    // A vector as long as the selected rows, a string, and nothing selected.
    let t = q("(update {from: orders s: (* qty 2) w: \"a\" where: (> qty 100)})");
    assert_eq!(col(&t, "w").type_(), RAY_STR);
    let t = q("(update {from: orders z: 1.5 where: (> qty 1000000)})");
    assert!(col(&t, "z").elems::<f64>().iter().all(|x| x.is_nan()));
}

/// Expressions under `where:` see the whole table, aggregates and uniform
/// calls alike, and the selected rows take their values from the result, as
/// the reference answers (19 is the sum of every x; tests/query_uniform.rs).
#[test]
fn update_where_evaluates_over_the_whole_table() {
    let t = q("(update {from: (table [k x] (list [a b a b a b] [1 0Nl 3 4 5 6])) where: (> x 2) x: (sum x)})");
    assert_eq!(col(&t, "x").elems::<i64>(), &[1, NULL_I64, 19, 19, 19, 19]);
    let full = |src: &str| {
        rayforce::lang::eval_request(&Value::str(src.as_bytes()), rayforce::lang::RequestCtx { restricted: false, handle: 1 }).unwrap()
    };
    let t = full("(update {from: (table [k x] (list [a b a b a b] [1 0Nl 3 4 5 6])) where: (> x 2) x: (sums x)})");
    assert_eq!(col(&t, "x").elems::<i64>(), &[1, NULL_I64, 4, 8, 13, 19]);
    // Under by: a uniform call nested in an aggregate runs over the whole
    // column (msum 2 x is [1 1 3 7 9 11]), then the aggregate per group.
    let t = full("(select {from: (table [k x] (list [a b a b a b] [1 0Nl 3 4 5 6])) by: k s: (sum (msum 2 x))})");
    assert_eq!(col(&t, "s").elems::<i64>(), &[13, 19]);
}

#[test]
fn update_appends_new_columns_and_broadcasts_aggregates_by_group() {
    let t = q("(update {from: refdata total: (sum lot) by: sector})");
    assert_eq!(col_names(&t), ["sym", "sector", "lot", "total"]);
    assert_eq!(col(&t, "total").elems::<i64>(), &[150, 150, 10, 25]);
    let t = q("(update {from: refdata lot2: (+ lot 1) by: sector})");
    assert_eq!(col(&t, "lot2").elems::<i64>(), &[101, 51, 11, 26]);
    let t = q("(update {from: refdata all: (sum lot)})");
    assert_eq!(col(&t, "all").elems::<i64>(), &[185; 4]);
}

#[test]
fn update_in_place_rebinds_the_global_and_returns_the_symbol() {
    env::set(sym::intern(b"u_orders"), orders());
    let r = run("(update {from: 'u_orders qty: 0})").unwrap();
    assert_eq!(r.type_(), -RAY_SYM);
    assert!(!r.is_quoted());
    assert_eq!(sym_names(&Value::sym_vec(&[r.i64_val()]).unwrap()), ["u_orders"]);
    assert_eq!(col(&env::get(sym::intern(b"u_orders")).unwrap(), "qty").elems::<i64>(), &[0; 8]);
}

#[test]
fn update_errors_follow_the_reference() {
    load_fixtures("");
    assert_eq!(err_code(run("(update {from: orders total: (sum qty) by: sym where: (> qty 1)})")), "nyi");
    assert_eq!(err_code(run("(update {from: 'no_such_table qty: 0})")), "domain");
    let mut ro = support::mini::Mini { restricted: true };
    use rayforce::query::Evaluator;
    assert_eq!(err_code(ro.eval(&support::mini::parse("(update {from: 'orders qty: 0})"))), "access");
}

#[test]
fn insert_takes_a_row_list_a_dict_or_a_table() {
    let t = q("(insert refdata (list 'NVDA 'tech 5))");
    assert_eq!(sym_names(&col(&t, "sym")), ["AAPL", "MSFT", "GOOG", "TSLA", "NVDA"]);
    assert_eq!(col(&t, "lot").elems::<i64>(), &[100, 50, 10, 25, 5]);
    let t = q("(insert refdata (dict [sym lot] (list 'NVDA 5)))");
    assert_eq!(sym_names(&col(&t, "sector")), ["tech", "tech", "media", "auto", ""]);
    let t = q("(insert refdata (list [X Y] [a b] [1 2]))");
    assert_eq!(col(&t, "lot").elems::<i64>(), &[100, 50, 10, 25, 1, 2]);
    let t = q("(insert refdata (table [lot sym] (list [7] [Z])))");
    assert_eq!(sym_names(&col(&t, "sym"))[4], "Z");
    assert_eq!(sym_names(&col(&t, "sector"))[4], "");
    let t = q("(insert orders (dict [oid] (list 9)))");
    let qty = col(&t, "qty");
    assert_eq!(qty.elems::<i64>()[8], NULL_I64);
    assert!(col(&t, "px").elems::<f64>()[8].is_nan());
    assert_eq!(col(&t, "day").elems::<i32>()[8], NULL_I32);
    assert!(col(&t, "day").attrs() & RAY_ATTR_HAS_NULLS != 0);
}

#[test]
fn insert_errors_follow_the_reference() {
    load_fixtures("");
    assert_eq!(err_code(run("(insert refdata (list 'NVDA 'tech))")), "domain");
    assert_eq!(err_code(run("(insert refdata (list 'NVDA 'tech 5.5))")), "type");
    assert_eq!(err_code(run("(insert refdata (dict [nope] (list 1)))")), "value");
    assert_eq!(err_code(run("(upsert refdata 1 (dict [nope] (list 1)))")), "value");
}

#[test]
fn insert_in_place_appends_to_the_global() {
    env::set(sym::intern(b"i_ref"), q("refdata"));
    let r = run("(insert 'i_ref (list 'NVDA 'tech 5))").unwrap();
    assert_eq!(r.type_(), -RAY_SYM);
    assert_eq!(env::get(sym::intern(b"i_ref")).unwrap().table_nrows(), 5);
}

#[test]
fn upsert_replaces_existing_keys_and_appends_new_ones() {
    let t = q("(upsert refdata 1 (list 'AAPL 'hw 200))");
    assert_eq!(t.table_nrows(), 4);
    assert_eq!(sym_names(&col(&t, "sector"))[0], "hw");
    assert_eq!(col(&t, "lot").elems::<i64>(), &[200, 50, 10, 25]);
    let t = q("(upsert refdata 1 (list [NVDA MSFT NVDA] [a b c] [1 2 3]))");
    assert_eq!(sym_names(&col(&t, "sym")), ["AAPL", "MSFT", "GOOG", "TSLA", "NVDA"]);
    assert_eq!(col(&t, "lot").elems::<i64>(), &[100, 2, 10, 25, 3]);
    let t = q("(upsert refdata 1 (table [sym lot] (list [GOOG NEW] [11 12])))");
    assert_eq!(sym_names(&col(&t, "sector")), ["tech", "tech", "media", "auto", ""]);
    assert_eq!(col(&t, "lot").elems::<i64>(), &[100, 50, 11, 25, 12]);
    load_fixtures("");
    assert_eq!(err_code(run("(upsert refdata 0 (list 'AAPL 'hw 200))")), "domain");
    assert_eq!(err_code(run("(upsert refdata 1 (dict [sym lot] (list 'AAPL 1)))")), "value");
}

/// RayforceDB: a symbol key names the one key column, anywhere in the table.
#[test]
fn upsert_by_a_named_key_column() {
    let t = q("(upsert refdata 'sector (list 'X 'media 99))");
    assert_eq!(sym_names(&col(&t, "sym")), ["AAPL", "MSFT", "X", "TSLA"]);
    assert_eq!(col(&t, "lot").elems::<i64>(), &[100, 50, 99, 25]);
    let t = q("(upsert refdata 'lot (list 'Y 'new 7))");
    assert_eq!(t.table_nrows(), 5);
    load_fixtures("");
    assert_eq!(err_code(run("(upsert refdata 'nope (list 'X 'media 99))")), "domain");
    assert_eq!(err_code(run("(upsert refdata [sym] (list 'X 'media 99))")), "type");
}

#[test]
fn upsert_in_place_rebinds_the_global() {
    env::set(sym::intern(b"up_ref"), q("refdata"));
    run("(upsert 'up_ref 1 (list 'NVDA 'tech 5))").unwrap();
    let t = env::get(sym::intern(b"up_ref")).unwrap();
    assert_eq!(sym_names(&col(&t, "sector")), ["tech", "tech", "media", "auto", "tech"]);
}

/// The reference's checks of an assignment to an existing column (answers
/// captured from it): atoms must have the column's type (an i64 atom also
/// fills an F64 column), vectors too or be I32/I64/F64 both; a vector as
/// long as the table gives the `where:` rows their values.
#[test]
fn update_checks_the_assigned_type_as_the_reference() {
    let err = |src: &str| {
        load_fixtures("");
        run(src).expect_err(src).to_string()
    };
    for (src, want) in [
        ("(update {from: orders qty: 1.5})", "update: cannot assign f64 value to I64 column"),
        ("(update {from: orders where: (> qty 100) sym: 7})", "update: cannot assign i64 value to SYM column"),
        ("(update {from: orders sym: (> qty 100)})", "update: expression type B8 does not match SYM column"),
        ("(update {from: orders where: (> px 200) qty: (> qty 100)})", "update: cannot assign B8 expression to I64 column"),
    ] {
        let got = err(src);
        assert!(got.contains(want), "{src}: {got}");
    }
    let px = col(&q("(update {from: orders px: 7})"), "px");
    assert_eq!((px.type_(), px.elems::<f64>()[0]), (RAY_F64, 7.0));
    let qty = col(&q("(update {from: orders where: (== sym 'AAPL) qty: [1 2 3 4 5 6 7 8]})"), "qty");
    let aapl: Vec<usize> = (0..8).filter(|&i| col(&q("orders"), "sym").sym_at(i) == sym::intern_str("AAPL")).collect();
    assert!(!aapl.is_empty());
    for i in aapl {
        assert_eq!(qty.elems::<i64>()[i], i as i64 + 1);
    }
}
