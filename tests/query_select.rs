//! `select` against the desk and guide fixtures, driven by the mini evaluator.
mod support;
use rayforce::abi::*;
use support::mini::run;
use support::*;

fn q(src: &str) -> rayforce::core::Value {
    load_fixtures("");
    run(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

#[test]
fn where_filters_rows_and_keeps_all_columns() {
    let t = q("(select {from: trades where: (== sym 'AAPL)})");
    assert_eq!(col_names(&t), ["sym", "price", "qty", "time"]);
    assert_eq!(col(&t, "qty").elems::<i64>(), &[100, 200]);
    let t = q("(select {from: trades where: (> price 200)})");
    assert_eq!(col(&t, "price").elems::<f64>(), &[2800.0, 310.0, 2795.0]);
}

#[test]
fn an_aggregate_without_by_collapses_to_one_row() {
    let t = q("(select {from: trades total: (sum qty)})");
    assert_eq!(col_names(&t), ["total"]);
    assert_eq!(col(&t, "total").elems::<i64>(), &[545]);
    let t = q("(select {from: orders total: (sum qty) n: (count qty) hi: (max px)})");
    assert_eq!(col(&t, "total").elems::<i64>(), &[1000]);
    assert_eq!(col(&t, "n").elems::<i64>(), &[8]);
    assert_eq!(col(&t, "hi").elems::<f64>(), &[2750.0]);
}

#[test]
fn computed_columns_keep_one_value_per_row_and_constants_broadcast() {
    let t = q("(select {from: orders s: sym notional: (* px qty) c: 1})");
    assert_eq!(col_names(&t), ["s", "notional", "c"]);
    let n = col(&t, "notional");
    assert_eq!(n.elems::<f64>()[0], 18950.0);
    assert!(n.elems::<f64>()[3].is_nan());
    assert!(n.attrs() & RAY_ATTR_HAS_NULLS != 0);
    assert_eq!(col(&t, "c").elems::<i64>(), &[1; 8]);
}

#[test]
fn by_groups_in_order_of_first_appearance() {
    let t = q("(select {from: trades by: sym avg_price: (avg price) total_qty: (sum qty)})");
    assert_eq!(col_names(&t), ["sym", "avg_price", "total_qty"]);
    assert_eq!(sym_names(&col(&t, "sym")), ["AAPL", "GOOG", "MSFT"]);
    assert_eq!(col(&t, "avg_price").elems::<f64>(), &[150.85, 2797.5, 310.0]);
    assert_eq!(col(&t, "total_qty").elems::<i64>(), &[300, 170, 75]);
    let t = q("(select {from: (table [k v] (list [3 1 3 2] [1 2 3 4])) by: k s: (sum v)})");
    assert_eq!(col(&t, "k").elems::<i64>(), &[3, 1, 2]);
    assert_eq!(col(&t, "s").elems::<i64>(), &[4, 2, 4]);
}

#[test]
fn by_a_name_vector_groups_by_tuples() {
    let t = q("(select {from: orders by: [sym side] total: (sum qty)})");
    assert_eq!(sym_names(&col(&t, "sym")), ["AAPL", "MSFT", "AAPL", "IBM", "MSFT", "GOOG", "IBM"]);
    assert_eq!(sym_names(&col(&t, "side")), ["buy", "sell", "sell", "buy", "buy", "sell", "sell"]);
    assert_eq!(col(&t, "total").elems::<i64>(), &[150, 200, 150, 0, 300, 80, 120]);
}

#[test]
fn by_a_dict_renames_the_key() {
    let t = q("(select {from: trades by: {s: sym} n: (count qty)})");
    assert_eq!(col_names(&t), ["s", "n"]);
    assert_eq!(col(&t, "n").elems::<i64>(), &[2, 2, 1]);
}

#[test]
fn row_wise_combinations_of_aggregates_compute_per_group() {
    let t = q("(select {from: trades by: sym vwap: (/ (sum (* price qty)) (sum qty))})");
    let v = col(&t, "vwap");
    let want = [(150.5 * 100.0 + 151.2 * 200.0) / 300.0, (2800.0 * 50.0 + 2795.0 * 120.0) / 170.0, 310.0];
    for (a, b) in v.elems::<f64>().iter().zip(want) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
}

#[test]
fn a_non_aggregate_under_by_gives_a_list_column() {
    let t = q("(select {from: orders by: sym q: (+ qty 1)})");
    let l = col(&t, "q");
    assert_eq!(l.type_(), RAY_LIST);
    assert_eq!(l.item(0).unwrap().elems::<i64>(), &[101, 151, 51]);
    let ibm = l.item(2).unwrap();
    assert_eq!(ibm.elems::<i64>(), &[NULL_I64, 121]);
    assert!(ibm.attrs() & RAY_ATTR_HAS_NULLS != 0);
    assert_eq!(l.item(3).unwrap().attrs() & RAY_ATTR_HAS_NULLS, 0);
}

#[test]
fn by_without_outputs_keeps_the_first_row_of_each_group() {
    let t = q("(select {from: orders by: side})");
    assert_eq!(col_names(&t), ["side", "oid", "sym", "qty", "px", "day"]);
    assert_eq!(col(&t, "oid").elems::<i64>(), &[1, 2]);
}

#[test]
fn sorting_treats_nulls_as_largest_and_is_stable() {
    let t = q("(select {from: orders asc: sym desc: qty})");
    assert_eq!(col(&t, "oid").elems::<i64>(), &[3, 1, 6, 7, 4, 8, 5, 2]);
    let t = q("(select {from: orders asc: qty})");
    assert_eq!(*col(&t, "oid").elems::<i64>().last().unwrap(), 4);
}

#[test]
fn clauses_apply_where_then_sort_then_take() {
    let t = q("(select {take: 2 desc: px from: orders where: (== side 'sell)})");
    assert_eq!(col(&t, "oid").elems::<i64>(), &[7, 2]);
    let t = q("(select {from: orders by: sym total: (sum qty) desc: total})");
    assert_eq!(sym_names(&col(&t, "sym")), ["MSFT", "AAPL", "IBM", "GOOG"]);
    let t = q("(select {from: trades by: sym n: (count sym) desc: n take: 1})");
    assert_eq!(sym_names(&col(&t, "sym")), ["AAPL"]);
    assert_eq!(col(&t, "n").elems::<i64>(), &[2]);
}

#[test]
fn take_accepts_negative_counts_and_slices_and_clamps() {
    assert_eq!(col(&q("(select {from: orders take: [2 3]})"), "oid").elems::<i64>(), &[3, 4, 5]);
    assert_eq!(col(&q("(select {from: orders take: -2})"), "oid").elems::<i64>(), &[7, 8]);
    assert_eq!(col(&q("(select {from: orders take: 100})"), "oid").len(), 8);
    assert_eq!(col(&q("(select {from: orders take: [6 10]})"), "oid").elems::<i64>(), &[7, 8]);
}

#[test]
fn where_can_select_nothing_and_keeps_types() {
    let t = q("(select {from: orders where: (== qty 999)})");
    assert_eq!(col(&t, "day").type_(), RAY_DATE);
    assert_eq!(t.table_nrows(), 0);
    let t = q("(select {from: orders where: (nil? qty)})");
    assert_eq!(col(&t, "oid").elems::<i64>(), &[4]);
    assert!(col(&t, "qty").attrs() & RAY_ATTR_HAS_NULLS != 0);
    assert_eq!(col(&q("(select {from: orders where: (> qty 0)})"), "qty").attrs() & RAY_ATTR_HAS_NULLS, 0);
}

#[test]
fn grouped_min_max_by_a_date_key() {
    let t = q("(select {from: orders by: day lo: (min px) hi: (max px) f: (first qty) l: (last qty)})");
    assert_eq!(col(&t, "day").type_(), RAY_DATE);
    assert_eq!(col(&t, "day").elems::<i32>(), &[8826, 8827, 8828, 8829, 8830]);
    assert_eq!(col(&t, "lo").elems::<f64>(), &[189.5, 140.5, 409.75, 191.25, 141.0]);
    assert_eq!(col(&t, "f").elems::<i64>(), &[100, 150, 300, 50, 120]);
    assert_eq!(col(&t, "l").elems::<i64>(), &[200, 150, 300, 80, 120]);
}

#[test]
fn query_errors_follow_the_reference() {
    load_fixtures("");
    assert_eq!(err_code(run("(select {from: 'trades})")), "type");
    assert_eq!(err_code(run("(select {from: nosuchtable})")), "name");
    assert_eq!(err_code(run("(select {from: trades where: (> nosuchcol 1)})")), "schema");
    assert_eq!(err_code(run("(select {from: trades by: sym n: (count)})")), "arity");
    assert_eq!(err_code(run("(select {from: trades a: sym d: (distinct sym)})")), "length");
    assert_eq!(err_code(run("(select {from: trades asc: nosuch})")), "schema");
}

#[test]
fn globals_serve_as_parameters_and_columns_win_over_globals() {
    load_fixtures("");
    rayforce::core::env::set(rayforce::core::sym::intern(b"lim"), rayforce::core::Value::i64(150));
    rayforce::core::env::set(rayforce::core::sym::intern(b"qty"), rayforce::core::Value::i64(-1));
    let t = run("(select {from: trades where: (> qty lim)})").unwrap();
    assert_eq!(col(&t, "qty").elems::<i64>(), &[200]);
}

#[test]
fn large_groupings_match_a_plain_loop() {
    use rayforce::core::{Value, env, sym};
    let n = 300_000usize;
    let names: Vec<i64> = (0..50).map(|i| sym::intern(format!("k{i}").as_bytes())).collect();
    let ks: Vec<i64> = (0..n).map(|i| names[(i * 31 + i / 7) % 50]).collect();
    let vs: Vec<i64> = (0..n as i64).map(|i| i % 1000 - 3).collect();
    let ps: Vec<f64> = (0..n).map(|i| (i % 977) as f64 / 8.0).collect();
    env::set(sym::intern(b"bigt"), table(vec![
        ("k", Value::sym_vec(&ks).unwrap()),
        ("v", i64s(&vs)),
        ("p", f64s(&ps)),
    ]));
    let t = run("(select {from: bigt by: k s: (sum v) a: (avg p) n: (count v) mx: (max v)})").unwrap();
    let mut order = Vec::new();
    let mut acc: std::collections::HashMap<i64, (i64, f64, i64, i64)> = Default::default();
    for i in 0..n {
        let e = acc.entry(ks[i]).or_insert_with(|| {
            order.push(ks[i]);
            (0, 0.0, 0, i64::MIN)
        });
        e.0 += vs[i];
        e.1 += ps[i];
        e.2 += 1;
        e.3 = e.3.max(vs[i]);
    }
    let key = col(&t, "k");
    assert_eq!((0..key.len() as usize).map(|i| key.sym_at(i)).collect::<Vec<_>>(), order);
    for (g, k) in order.iter().enumerate() {
        let (s, p, c, m) = acc[k];
        assert_eq!(col(&t, "s").elems::<i64>()[g], s);
        assert_eq!(col(&t, "n").elems::<i64>()[g], c);
        assert_eq!(col(&t, "mx").elems::<i64>()[g], m);
        assert!((col(&t, "a").elems::<f64>()[g] - p / c as f64).abs() < 1e-9);
    }
}
