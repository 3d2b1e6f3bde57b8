//! fold / scan / prior as the reference answers them (REPL text captured
//! from RayforceDB v2.5.12): a vector or LIST to walk, the empty-fold
//! error, LIST results except `+`/`*` over numbers (running sums and
//! products), unary builtins called with the accumulator only, and
//! special forms refused as functions.

#[path = "support/eval.rs"]
mod eval;

use eval::{Errors, answer};

fn check(cases: &[(&str, &str)]) {
    for (query, want) in cases {
        assert_eq!(answer(query, 1, Errors::WithMessage), *want, "{query}");
    }
}

#[test]
fn fold_walks_a_vector_or_list_and_needs_a_seed() {
    check(&[
        ("(fold + [1 2 3])", "6"),
        ("(fold + 0 [])", "0"),
        ("(fold + 1 (list))", "1"),
        ("(fold + (list 1 2))", "3"),
        ("(fold - [])", "error: domain: fold: empty list has no initial value, got 0"),
        ("(fold-left - [])", "error: domain: fold: empty list has no initial value, got 0"),
        ("(fold-right - [])", "error: domain: fold-right: empty list has no initial value, got 0"),
        ("(fold or (list))", "error: domain: fold: empty list has no initial value, got 0"),
        ("(fold concat false)", "error: type: fold: vec arg must be a list, got b8"),
        ("(fold + -3 0.1)", "error: type: fold: vec arg must be a list, got f64"),
        ("(fold + (table [x] (list [1 2])))", "error: type: fold: vec arg must be a list, got TABLE"),
        ("(fold-right + 5)", "error: type: fold-right: vec arg must be a list, got i64"),
    ]);
}

#[test]
fn unary_builtins_take_the_accumulator_only() {
    check(&[
        ("(fold min [3 1 2 0Nl 5])", "3"),
        ("(fold count [1 2 3])", "1"),
        ("(fold-right min [3 1 2])", "3"),
        ("(fold min [false] (list 1 2.5 0Nl))", "false"),
        ("(scan min [3 1 2])", "(3 3 3)"),
        ("(scan-left min (list [1 2] [3]))", "([1 2] 1)"),
        ("(scan-right max [a b a c])", "(a b a c)"),
        ("(prior min [3 1 2])", "(3 1 2)"),
    ]);
}

#[test]
fn scan_answers_a_list_except_running_sums_and_products() {
    check(&[
        ("(scan + [1 2 3])", "[1 3 6]"),
        ("(scan * [1 2 3])", "[1 2 6]"),
        ("(scan + [1i 2i])", "[1 3]"),
        ("(scan + [1 0Nl 2])", "[1 0Nl 0Nl]"),
        ("(scan - [1 2 3])", "(1 -1 -4)"),
        ("(scan-left - [1 2 3])", "(1 -1 -4)"),
        ("(scan + [0x01 0x02])", "(0x01 0x03)"),
        ("(scan + [true false])", "(true 1)"),
        ("(scan + [10:00:00.000 0Nt])", "(10:00:00.000 0Nt)"),
        ("(scan concat [1 2 3])", "(1 [1 2] [1 2 3])"),
        ("(scan + [])", "()"),
        ("(scan + 5)", "error: type: scan: vec arg must be a list, got i64"),
    ]);
}

#[test]
fn special_forms_are_not_functions_to_call() {
    for q in ["(map and [true false])", "(fold and [true false])", "(apply and true false)", "(fold if [true false])", "(map-left and true [true])"] {
        assert_eq!(answer(q, 1, Errors::WithMessage), "error: type: call: expected a callable function, got ?", "{q}");
    }
}

#[test]
fn running_sums_keep_the_type_and_carry_nulls() {
    check(&[
        ("(type (scan + [1i 2i]))", "I32"),
        ("(type (scan + [1h 2h]))", "I16"),
        ("(type (scan * [1h 2h]))", "I16"),
        ("(scan + [1h 0Nh 2h])", "[1 0Nh 0Nh]"),
        ("(scan * [1.0 0Nf 2.0])", "[1.0 0Nf 0Nf]"),
    ]);
}

#[test]
fn map_left_and_right_walk_one_side_or_call_once() {
    check(&[
        ("(map-left min 3h [0x04 0x1b])", "3"),
        ("(map-left concat 3h 0Nd)", "(3 0Nd)"),
        ("(map-left min (list [1 2] [3]) [a b a c])", "(1 3)"),
        ("(map-left max [2024.01.01 0Nd 2024.03.01] 1)", "[2024.01.01 0Nd 2024.03.01]"),
        ("(map-right max [0Nf -0.40 7.4 4.04] [1 2 3])", "(7.4 7.4 7.4)"),
        ("(map-right max [a b a c] -5i)", "c"),
        ("(map-right concat \"\" [\"b\"])", "[\"b\"]"),
        ("(map-right (fn [x y] (+ x y)) 0x05 [1.2 1.86])", "[6.2 6.86]"),
        ("(map-right (fn [x y] (+ x y)) [2024.01.01 0Nd 2024.03.01] [0Nl 0Nl])", "([0Nd 0Nd 0Nd] [0Nd 0Nd 0Nd])"),
        ("(map-right >= [true] [0x01 0x02 0x00])", "([true] [false] [true])"),
        ("(map-right * 10:30:00.000 [])", "[]"),
        ("(map-right <= -3 -0.0)", "true"),
        ("(pmap min [-4i 14i 0Ni 0Ni] [0Nl 0 0 0Nl 0Nl])", "(-4 -4 -4 -4 -4)"),
        ("(pmap max (list) 0Nh)", "error: domain: max: empty list has no maximum"),
    ]);
}
