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

/// Inner and left joins against a plain nested-map loop, on tables large
/// enough for the partitioned hash path (many R rows, a wide key range),
/// with null keys (null matches null), repeated R keys and empty sides.
#[test]
fn large_joins_on_wide_keys_match_a_plain_loop() {
    use rayforce::core::{env, sym};
    use std::collections::HashMap;
    let h = |i: i64, m: i64| ((i.wrapping_mul(2654435761) ^ (i >> 5)) % m).abs();
    // With nulls the key tuple no longer packs into 64 bits (the grouping
    // path); without, it packs and R is partitioned. The I32 key below
    // takes the partitioned path with nulls.
    for (nl, nr, nulls) in [(250_000i64, 150_000i64, false), (250_000, 150_000, true), (0, 100_000, false), (1_000, 0, true)] {
        let key = |i: i64, salt: i64| if nulls && h(i + salt, 97) == 0 { NULL_I64 } else { h(i * 3 + salt, 40) };
        let wide = |i: i64| if h(i, 89) == 0 { NULL_I64 } else { h(i, 300_000) * 1_000_003 };
        let wide = |i: i64| if !nulls && wide(i) == NULL_I64 { 7 } else { wide(i) };
        let lk: Vec<[i64; 3]> = (0..nl).map(|i| [key(i, 1), key(i, 2), wide(i)]).collect();
        // R draws from the same key space, so keys repeat and some miss.
        let rk: Vec<[i64; 3]> = (0..nr).map(|i| [key(i * 5, 1), key(i * 5, 2), wide(i * 5)]).collect();
        let cols = |ks: &[[i64; 3]], j: usize| i64s(&ks.iter().map(|k| k[j]).collect::<Vec<_>>());
        let l = table(vec![("a", cols(&lk, 0)), ("b", cols(&lk, 1)), ("c", cols(&lk, 2)), ("v", i64s(&(0..nl).collect::<Vec<_>>()))]);
        let r = table(vec![("a", cols(&rk, 0)), ("b", cols(&rk, 1)), ("c", cols(&rk, 2)), ("w", i64s(&(0..nr).collect::<Vec<_>>()))]);
        env::set(sym::intern(b"wl"), l);
        env::set(sym::intern(b"wr"), r);
        let mut rows: HashMap<[i64; 3], Vec<i64>> = HashMap::new();
        for (i, k) in rk.iter().enumerate() {
            rows.entry(*k).or_default().push(i as i64);
        }
        let (mut inner, mut left) = (Vec::new(), Vec::new());
        for (i, k) in lk.iter().enumerate() {
            match rows.get(k) {
                Some(rs) => rs.iter().for_each(|&r| {
                    inner.push((i as i64, r));
                    left.push((i as i64, r));
                }),
                None => left.push((i as i64, NULL_I64)),
            }
        }
        for (form, want) in [("inner-join", inner), ("left-join", left)] {
            let t = run(&format!("({form} [a b c] wl wr)")).unwrap();
            let got: Vec<(i64, i64)> = col(&t, "v").elems::<i64>().iter().copied().zip(col(&t, "w").elems::<i64>().iter().copied()).collect();
            assert_eq!(got.len(), want.len(), "{form} nl {nl} nr {nr}");
            assert!(got == want, "{form} nl {nl} nr {nr}");
        }
        // One wide I32 key takes the single-column path.
        let k32 = |k: &[i64; 3]| if k[2] == NULL_I64 { NULL_I32 } else { (k[2] / 1_000_003 * 7_001) as i32 };
        let w32 = |ks: &[[i64; 3]]| Value::vec_from_slice(RAY_I32, &ks.iter().map(k32).collect::<Vec<_>>()).unwrap();
        env::set(sym::intern(b"wl1"), table(vec![("c", w32(&lk)), ("v", i64s(&(0..nl).collect::<Vec<_>>()))]));
        env::set(sym::intern(b"wr1"), table(vec![("c", w32(&rk)), ("w", i64s(&(0..nr).collect::<Vec<_>>()))]));
        let mut rows: HashMap<i32, Vec<i64>> = HashMap::new();
        for (i, k) in rk.iter().enumerate() {
            rows.entry(k32(k)).or_default().push(i as i64);
        }
        let want: Vec<(i64, i64)> = lk.iter().enumerate().flat_map(|(i, k)| rows.get(&k32(k)).into_iter().flatten().map(move |&r| (i as i64, r))).collect();
        let t = run("(inner-join [c] wl1 wr1)").unwrap();
        let got: Vec<(i64, i64)> = col(&t, "v").elems::<i64>().iter().copied().zip(col(&t, "w").elems::<i64>().iter().copied()).collect();
        assert!(got == want, "inner-join on one I32 key, nl {nl} nr {nr}");
    }
}
