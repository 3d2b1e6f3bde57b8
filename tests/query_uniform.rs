//! Uniform (per-row, order-dependent) functions inside `select`/`update`
//! and the query's spread aggregates, as RayforceDB v2.5.12 answers them
//! (builtins.md 0.4 and 12; answers captured from the reference's REPL):
//!
//! * without `by:`, a uniform call sees the whole, unfiltered column and
//!   `where:` filters its result; other calls see the kept rows;
//! * under `by:`, an aggregate of a uniform expression (`(sum (msum 2 x))`)
//!   and a row-wise call over uniform ones (`(+ 1 (lag x))`) run the
//!   uniform calls over the whole column, then cut it per group; a uniform
//!   call at the top (`(msum 2 x)`) or any expression holding an aggregate
//!   runs group by group;
//! * `update` with `where:` evaluates its expressions over the whole table
//!   (aggregates too) and writes the selected rows;
//! * `var var_pop stddev dev stddev_pop dev_pop` in a query come from the
//!   sum and the sum of squares, not the builtins' two passes (but where
//!   those cancel, the reference's answer is noise and we give the true
//!   spread: a README deviation).

#[path = "support/eval.rs"]
mod eval;

use eval::{ev, text};

const T: &str = "(table [k x y d] (list [a b a b a b] [1 0Nl 3 4 5 6] [1.5 2.5 0Nf 4.5 5.5 0.5] \
                 [2024.01.01 2024.01.02 0Nd 2024.01.04 2024.01.05 2024.01.06]))";

/// Column `col` of `(form {from: T clauses})`, as compact text.
fn column(form: &str, clauses: &str, col: &str) -> String {
    text(&format!("(at ({form} {{from: {T} {clauses}}}) '{col})"))
}

fn select(clauses: &str) -> String {
    column("select", clauses, "s")
}

fn f64_column(form: &str, clauses: &str, col: &str) -> Vec<f64> {
    let src = format!("(at ({form} {{from: {T} {clauses}}}) '{col})");
    let v = ev(&src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    v.elems::<f64>().to_vec()
}

#[test]
fn grouped_aggregate_of_a_window_sees_the_whole_column() {
    // msum 2 over the whole x is [1 1 3 7 9 11]; rows 0 2 4 are a, 1 3 5 b.
    assert_eq!(select("by: k s: (sum (msum 2 x))"), "[13 19]");
    assert_eq!(select("by: k s: (sum (lag x))"), "[4 9]");
    assert_eq!(select("by: k s: (last (lag x))"), "[4 5]");
    assert_eq!(select("by: k s: (avg (lag x))"), "[4.0 3.0]");
    assert_eq!(select("by: k s: (max (deltas x))"), "[1 1]");
    assert_eq!(select("by: k s: (sum (fills x))"), "[9 11]");
    assert_eq!(select("by: k s: (sum (* x (lag x)))"), "[20 42]");
    assert_eq!(select("by: k s: (sum (* (lag x) 2))"), "[8 18]");
    assert_eq!(select("by: k s: (sum (+ 1 (lag x)))"), "[5 12]");
    assert_eq!(select("by: k s: (sum (mavg 2 y))"), "[9.0 9.5]");
}

#[test]
fn grouped_row_wise_call_over_a_window_is_cut_per_group() {
    assert_eq!(select("by: k s: (+ 1 (lag x))"), "([0Nl 0Nl 5] [2 4 6])");
    assert_eq!(select("by: k s: (+ 1 (msum 2 x))"), "([2 4 10] [2 8 12])");
    assert_eq!(select("by: k s: (+ 1 (sums x))"), "([2 5 14] [2 9 20])");
    assert_eq!(select("by: k s: (+ 1 (fills x))"), "([2 4 6] [2 5 7])");
}

#[test]
fn grouped_window_at_the_top_or_beside_an_aggregate_runs_per_group() {
    assert_eq!(select("by: k s: (msum 2 x)"), "([1 4 8] [0 4 10])");
    assert_eq!(select("by: k s: (lag x)"), "([0Nl 1 3] [0Nl 0Nl 4])");
    assert_eq!(select("by: k s: (sums x)"), "([1 4 9] [0 4 10])");
    assert_eq!(select("by: k s: (msum 2 (lag x))"), "([0 1 4] [0 0 4])");
    assert_eq!(select("by: k s: (msum 2 (+ 1 (lag x)))"), "([0 2 6] [0 0 5])");
    assert_eq!(select("by: k s: (sums (+ 1 x))"), "([2 6 12] [0 5 12])");
    assert_eq!(select("by: k s: (lag (+ 1 x))"), "([0Nl 2 4] [0Nl 0Nl 5])");
    assert_eq!(select("by: k s: (+ (lag x) (sum x))"), "([0Nl 10 12] [0Nl 0Nl 14])");
}

#[test]
fn non_uniform_expressions_are_unaffected() {
    assert_eq!(select("by: k s: (sum x)"), "[9 10]");
    assert_eq!(select("by: k s: (sum (+ x 1))"), "[12 12]");
    assert_eq!(select("by: k s: (- x (avg x))"), "([-2.0 0.0 2.0] [0Nf -1.0 1.0])");
    assert_eq!(select("by: k s: (+ x (sum x))"), "([10 12 14] [0Nl 14 16])");
    assert_eq!(select("where: (> x 3) s: (- x (avg x))"), "[-1.0 0.0 1.0]");
    assert_eq!(select("where: (> x 3) s: (sum (- x (avg x)))"), "[0.0]");
}

#[test]
fn where_without_by_filters_the_whole_column_window() {
    assert_eq!(select("where: (> x 3) s: (msum 2 x)"), "[7 9 11]");
    assert_eq!(select("where: (> x 3) s: (sum (msum 2 x))"), "[27]");
    assert_eq!(select("where: (> x 3) s: (+ 1 (lag x))"), "[4 5 6]");
    assert_eq!(select("where: (> x 3) s: (sum (+ 1 (lag x)))"), "[15]");
}

#[test]
fn where_with_by() {
    // A window under an aggregate: whole column, then filtered, then grouped.
    // (The reference lists these groups in key order, a then b: we keep the
    // order of first appearance, b then a; README deviations.)
    assert_eq!(select("where: (> x 3) by: k s: (sum (msum 2 x))"), "[18 9]");
    // A row-wise call over a window: over the kept rows, then grouped.
    assert_eq!(select("where: (> x 3) by: k s: (+ 1 (lag x))"), "([0Nl 6] [5])");
    assert_eq!(select("where: (> x 3) by: k s: (msum 2 x)"), "([4 10] [5])");
    assert_eq!(select("where: (> x 2) by: k s: (msum 2 x)"), "([3 8] [4 10])");
}

#[test]
fn update_where_evaluates_over_the_whole_table() {
    let x = |clauses: &str| column("update", &format!("where: (> x 2) {clauses}"), "x");
    let y = |clauses: &str| column("update", &format!("where: (> x 2) {clauses}"), "y");
    // msum 2 over all rows sums to 32, written into rows 2..5.
    assert_eq!(x("x: (sum (msum 2 x))"), "[1 0Nl 32 32 32 32]");
    assert_eq!(x("x: (lag x)"), "[1 0Nl 0Nl 3 4 5]");
    assert_eq!(x("x: (msum 2 x)"), "[1 0Nl 3 7 9 11]");
    assert_eq!(x("x: (sum x)"), "[1 0Nl 19 19 19 19]");
    assert_eq!(x("x: (count x)"), "[1 0Nl 6 6 6 6]");
    assert_eq!(y("y: (sum y)"), "[1.5 2.5 14.5 14.5 14.5 14.5]");
    assert_eq!(y("y: (avg y)"), "[1.5 2.5 2.9 2.9 2.9 2.9]");
    assert_eq!(y("y: (wsum x y)"), "[1.5 2.5 50.0 50.0 50.0 50.0]");
    let x3 = |clauses: &str| column("update", &format!("where: (> x 3) {clauses}"), "x");
    assert_eq!(x3("x: (til (count x))"), "[1 0Nl 3 3 4 5]");
    assert_eq!(x3("x: (- x (avg x))"), "[1 0Nl 3 0 1 2]");
    assert_eq!(x3("x: (+ 1 (lag x))"), "[1 0Nl 3 4 5 6]");
}

#[test]
fn query_spreads_come_from_moments() {
    // Bits from the reference's wire answers: 1 ULP below the builtins'.
    assert_eq!(f64_column("select", "s: (stddev_pop y)", "s"), [1.8547236990991407]);
    assert_eq!(f64_column("select", "s: (dev_pop x)", "s"), [1.720465053408525]);
    assert_eq!(f64_column("select", "by: k s: (stddev_pop y)", "s"), [2.0, 1.6329931618554518]);
    assert_eq!(f64_column("select", "by: k s: (dev_pop x)", "s"), [1.6329931618554518, 1.0]);
    // The builtin outside a query: two passes, 1 ULP above.
    assert_eq!(ev(&format!("(stddev_pop (at {T} 'y))")).unwrap().f64_val(), 1.854723699099141);
    // The same kernel for the sample forms, nested, and in update.
    let y: [f64; 5] = [1.5, 2.5, 4.5, 5.5, 0.5];
    let (n, sum, sum_sq) = y.iter().fold((0.0, 0.0, 0.0), |(n, s, q), &v| (n + 1.0, s + v, q + v * v));
    let var_pop = sum_sq / n - (sum / n) * (sum / n);
    let var = var_pop * n / (n - 1.0);
    assert_eq!(f64_column("select", "s: (var_pop y)", "s"), [var_pop]);
    assert_eq!(f64_column("select", "s: (var y)", "s"), [var]);
    assert_eq!(f64_column("select", "s: (stddev y)", "s"), [var.sqrt()]);
    assert_eq!(f64_column("select", "s: (+ 0.0 (dev y))", "s"), [var_pop.sqrt()]);
    assert_eq!(f64_column("update", "s: (dev_pop y)", "s")[0], var_pop.sqrt());
    assert_ne!(var_pop.sqrt(), 1.854723699099141);
}

fn f64_column_of(table: &str, clauses: &str) -> Vec<f64> {
    let src = format!("(at (select {{from: {table} {clauses}}}) 's)");
    ev(&src).unwrap_or_else(|e| panic!("{src}: {e:?}")).elems::<f64>().to_vec()
}

#[test]
fn query_spread_edge_cases() {
    let t = "(table [k v i] (list [a a a b] [0.1 0.1 0.1 0.3] [3000000001 3000000002 3000000003 5]))";
    let q = |clauses: &str, c: &str| text(&format!("(at (select {{from: {t} {clauses}}}) '{c})"));
    // Rounding below zero is clamped: no NaN for equal values.
    assert_eq!(q("by: k s: (dev_pop v)", "s"), "[0.0 0.0]");
    assert_eq!(q("by: k s: (var v)", "s"), "[0.0 0Nf]");
    // Cancelling moments (the reference answers 0.0): the true spread.
    assert_eq!(f64_column_of(t, "where: (== k 'a) s: (var_pop i)"), [2.0 / 3.0]);
    assert_eq!(f64_column_of(t, "where: (== k 'a) s: (stddev i)"), [1.0]);
    assert_eq!(q("where: (== k 'c) s: (dev i)", "s"), "[0Nf]");
    assert_eq!(text("(at (select {from: (table [d] (list [2024.01.01 2024.01.03])) s: (dev_pop d)}) 's)"), "[1.0]");
    assert_eq!(text(&format!("(select {{from: {t} s: (dev_pop k)}})")), "error: type");
}

#[test]
fn top_and_bot_under_by_skip_nulls() {
    // Answers of the reference (outside a query nulls count as the largest
    // values: (top [0Nl 4 6] 2) is [0Nl 6] there and here).
    let t = "(table [k x] (list [a a a a b b b] [0Nl 4 6 1 0Nl 0Nl 3]))";
    let q = |s: &str| text(&format!("(at (select {{from: {t} by: k s: {s}}}) 's)"));
    assert_eq!(q("(top x 2)"), "([6 4] [3])");
    assert_eq!(q("(bot x 2)"), "([1 4] [3])");
    assert_eq!(q("(top x 3)"), "([6 4 1] [3])");
    assert_eq!(q("(top (+ x 1) 2)"), "([7 5] [4])");
    assert_eq!(text("(top [0Nl 4 6] 2)"), "[0Nl 6]");
    // n at least the count of non-null values: sorted (the reference
    // answers these in its heap's order, [6 1 4]).
    assert_eq!(q("(top x 4)"), "([6 4 1] [3])");
    let u = "(table [k x] (list [a a a b b] [1.5 0Nf 2.5 0Nf 0Nf]))";
    assert_eq!(text(&format!("(at (select {{from: {u} by: k s: (bot x 2)}}) 's)")), "([1.5 2.5] [])");
}
