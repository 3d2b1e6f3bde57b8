//! Joins and table builtins, driven by the mini evaluator.
mod support;
use rayforce::abi::*;
use rayforce::core::Value;
use support::mini::run;
use support::*;

fn q(src: &str) -> Value {
    load_fixtures("");
    run(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

#[test]
fn left_join_keeps_every_left_row_and_fills_nulls() {
    let t = q("(left-join [sym] orders refdata)");
    assert_eq!(col_names(&t), ["oid", "sym", "side", "qty", "px", "day", "sector", "lot"]);
    assert_eq!(sym_names(&col(&t, "sector")), ["tech", "tech", "tech", "", "tech", "tech", "media", ""]);
    let lot = col(&t, "lot");
    assert_eq!(lot.elems::<i64>(), &[100, 50, 100, NULL_I64, 50, 100, 10, NULL_I64]);
    assert!(lot.attrs() & RAY_ATTR_HAS_NULLS != 0);
    assert_eq!(col(&t, "sector").attrs() & RAY_ATTR_HAS_NULLS, 0);
    let t = q("(select {from: (left-join [sym] trades quotes)})");
    assert_eq!(col(&t, "bid").elems::<f64>(), &[150.0, 2790.0, 150.0, 309.5, 2790.0]);
    assert_eq!(col(&t, "bid").attrs() & RAY_ATTR_HAS_NULLS, 0);
}

#[test]
fn join_keys_must_be_a_vector() {
    load_fixtures("");
    assert_eq!(err_code(run("(left-join trades quotes 'sym)")), "type");
    let t = run("(left-join trades quotes [sym])").unwrap();
    assert_eq!(t.table_nrows(), 5);
}

#[test]
fn inner_full_and_anti_joins() {
    let t = q("(inner-join [sym] orders refdata)");
    assert_eq!(col(&t, "oid").elems::<i64>(), &[1, 2, 3, 5, 6, 7]);
    let t = q("(full-join [sym] orders refdata)");
    assert_eq!(t.table_nrows(), 9);
    assert_eq!(sym_names(&col(&t, "sym"))[8], "TSLA");
    assert_eq!(col(&t, "oid").elems::<i64>()[8], NULL_I64);
    assert!(col(&t, "oid").attrs() & RAY_ATTR_HAS_NULLS != 0);
    assert_eq!(col(&t, "day").elems::<i32>()[8], NULL_I32);
    assert_eq!(sym_names(&col(&t, "side"))[8], "");
    assert_eq!(col(&t, "lot").elems::<i64>()[8], 25);
    let t = q("(anti-join [sym] orders refdata)");
    assert_eq!(col_names(&t), ["oid", "sym", "side", "qty", "px", "day"]);
    assert_eq!(col(&t, "oid").elems::<i64>(), &[4, 8]);
}

#[test]
fn joins_with_repeated_right_keys_give_every_match() {
    let t = q("(inner-join [sym] trades (table [sym x] (list [AAPL AAPL] [1 2])))");
    assert_eq!(col(&t, "x").elems::<i64>(), &[1, 2, 1, 2]);
    let t = q("(left-join [sym side] orders (table [sym side x] (list [AAPL AAPL] [buy sell] [1 2])))");
    assert_eq!(col(&t, "x").elems::<i64>(), &[1, NULL_I64, 2, NULL_I64, NULL_I64, 1, NULL_I64, NULL_I64]);
}

#[test]
fn asof_join_takes_the_last_right_row_at_or_before() {
    let t = q("(asof-join [sym time] fills marks)");
    assert_eq!(col_names(&t), ["sym", "time", "px", "mid"]);
    assert_eq!(col(&t, "mid").elems::<f64>(), &[190.0, 190.25, 410.0, 190.5, 410.5]);
    let t = q("(asof-join [time] fills marks)");
    assert_eq!(col_names(&t), ["sym", "time", "px", "sym", "mid"]);
}

#[test]
fn window_joins_aggregate_the_window_with_or_without_the_prevailing_row() {
    let t = q("(window-join [sym time] (list (- (at fills 'time) 3000) (at fills 'time)) fills marks {lo: (min mid) hi: (max mid)})");
    assert_eq!(col_names(&t), ["sym", "time", "px", "lo", "hi"]);
    assert_eq!(col(&t, "lo").elems::<f64>(), &[190.0, 190.0, 410.0, 190.25, 410.0]);
    assert_eq!(col(&t, "hi").elems::<f64>(), &[190.0, 190.25, 410.0, 190.5, 410.5]);
    let t = q("(window-join1 [sym time] (list (- (at fills 'time) 3000) (at fills 'time)) fills marks {lo: (min mid) n: (count mid)})");
    assert_eq!(col(&t, "n").elems::<i64>(), &[1, 1, 1, 1, 1]);
    assert_eq!(col(&t, "lo").elems::<f64>(), &[190.0, 190.25, 410.0, 190.5, 410.5]);
}

#[test]
fn table_builds_checks_and_sorts() {
    let t = q("(table [a b] (list [1 2] [x y]))");
    assert_eq!(col_names(&t), ["a", "b"]);
    assert_eq!(err_code(run("(table [a b] (list [1 2] [1 2 3]))")), "domain");
    assert_eq!(err_code(run("(table [a b c] (list [1 2] [1 2]))")), "domain");
    let t = q("(xasc trades 'price)");
    assert_eq!(col(&t, "qty").elems::<i64>(), &[100, 200, 75, 120, 50]);
    let t = q("(xdesc orders 'qty)");
    assert_eq!(*col(&t, "oid").elems::<i64>().last().unwrap(), 4);
    let t = q("(xasc orders 'qty)");
    assert_eq!(col(&t, "oid").elems::<i64>()[0], 4);
    let t = q("(union-all refdata refdata)");
    assert_eq!(t.table_nrows(), 8);
    let d = rayforce::query::distinct_rows(&t).unwrap();
    assert_eq!(d.table_nrows(), 4);
    let r = rayforce::ops::table::row(&q("trades"), 1).unwrap();
    assert_eq!(r.dict_vals().unwrap().item(2).unwrap().i64_val(), 50);
}

#[test]
fn a_large_left_join_on_a_lookup_table_matches_a_plain_loop() {
    use rayforce::core::{env, sym};
    let n = 300_000i64;
    let l = table(vec![("k", i64s(&(0..n).map(|i| (i * 7) % 1_000).collect::<Vec<_>>())), ("v", i64s(&(0..n).collect::<Vec<_>>()))]);
    // R holds the even keys only, once each, in reverse order.
    let rk: Vec<i64> = (0..500).rev().map(|i| i * 2).collect();
    let r = table(vec![("k", i64s(&rk)), ("w", f64s(&rk.iter().map(|&k| k as f64 / 2.0).collect::<Vec<_>>()))]);
    env::set(sym::intern(b"bigl"), l);
    env::set(sym::intern(b"bigr"), r);
    let t = run("(left-join [k] bigl bigr)").unwrap();
    let w = col(&t, "w");
    let want: Vec<i64> = (0..n).map(|i| (i * 7) % 1_000).collect();
    for (i, (&got, &k)) in w.elems::<f64>().iter().zip(&want).enumerate() {
        if k % 2 == 0 {
            assert_eq!(got, k as f64 / 2.0, "row {i}");
        } else {
            assert!(got.is_nan(), "row {i}");
        }
    }
    assert!(w.attrs() & RAY_ATTR_HAS_NULLS != 0);
    assert_eq!(col(&t, "v").elems::<i64>()[n as usize - 1], n - 1);
}
