//! Arithmetic, comparison and aggregate builtins: promotion, nulls,
//! overflow and temporal rules of rayfall.md sections 7-9.
use rayforce::abi::*;
use rayforce::Value;

#[path = "support/eval.rs"]
mod eval;
use eval::ev;

fn ok(src: &str) -> Value {
    ev(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn code(src: &str) -> String {
    ev(src).map(|_| "ok".to_string()).unwrap_or_else(|e| e.code_str().to_string())
}

/// (type, raw i64 slot or f64 bits, null flag) of an atom result.
fn atom(src: &str) -> (i8, i64, bool) {
    let v = ok(src);
    (v.type_, v.i64_val(), v.null_flag())
}

#[test]
fn plus_and_times_take_the_wider_type_and_minus_the_right_width() {
    assert_eq!(atom("(+ 1h 2i)").0, -RAY_I32);
    assert_eq!(atom("(+ true 1)"), (-RAY_I64, 2, false));
    assert_eq!(atom("(+ true 1i)").0, -RAY_I32);
    assert_eq!(atom("(- 1i 2h)").0, -RAY_I16);
    assert_eq!(atom("(- 1h 2i)").0, -RAY_I32);
    assert_eq!(atom("(* 0x02 0x03)"), (-RAY_U8, 6, false));
    assert_eq!(ok("(+ 1 2.5)").f64_val(), 3.5);
}

#[test]
fn division_remainder_and_floor_division_follow_the_reference() {
    assert_eq!(ok("(/ 7 2)").f64_val(), 3.5);
    assert_eq!(atom("(% -7 3)"), (-RAY_I64, 2, false));
    assert_eq!(atom("(% 7 -3)"), (-RAY_I64, -2, false));
    assert_eq!(atom("(div -7 2)"), (-RAY_I64, -4, false));
    assert_eq!(atom("(div 7.5 2)"), (-RAY_I64, 3, false));
    let z = ok("(/ 10 0)");
    assert!(z.f64_val().is_nan() && z.null_flag());
    assert_eq!(atom("(% 7 0)"), (-RAY_I64, NULL_I64, true));
    assert_eq!(atom("(div 7 0)"), (-RAY_I64, NULL_I64, true));
}

#[test]
fn overflow_wraps_without_the_null_flag() {
    assert_eq!(atom("(+ 9223372036854775807 1)"), (-RAY_I64, NULL_I64, false));
    let s = ok("(sqrt -1)");
    assert!(s.f64_val().is_nan() && !s.null_flag());
}

#[test]
fn nulls_propagate_with_the_promoted_type() {
    assert_eq!(atom("(+ 0Ni 1)"), (-RAY_I64, NULL_I64, true));
    let v = ok("(+ [1 0Nl 3] 10)");
    assert_eq!(v.elems::<i64>(), &[11, NULL_I64, 13]);
    assert_ne!(v.attrs & RAY_ATTR_HAS_NULLS, 0);
    let w = ok("(+ [1 2 3] [10 20 30])");
    assert_eq!(w.attrs & RAY_ATTR_HAS_NULLS, 0);
}

#[test]
fn vectors_must_match_in_length_and_types_must_be_numeric() {
    assert_eq!(code("(+ [1 2] [1 2 3])"), "length");
    assert_eq!(code("(+ 1 \"a\")"), "type");
    assert_eq!(code("(neg true)"), "type");
}

#[test]
fn unary_math_keeps_or_changes_the_type_as_specified() {
    assert_eq!(ok("(neg [1 -2 3])").elems::<i64>(), &[-1, 2, -3]);
    assert_eq!(atom("(neg 5i)").0, -RAY_I32);
    assert_eq!(ok("(round 2.5)").f64_val(), 3.0);
    assert_eq!(ok("(round 3)").type_, -RAY_F64);
    assert_eq!(atom("(floor 3)"), (-RAY_I64, 3, false));
    assert_eq!(ok("(floor -3.5)").f64_val(), -4.0);
    assert_eq!(ok("(ceil 3.2)").f64_val(), 4.0);
    assert_eq!(ok("(pow 2 10)").f64_val(), 1024.0);
    assert_eq!(ok("(xbar [7 12 15] 5)").elems::<i64>(), &[5, 10, 15]);
    assert_eq!(atom("(xbar 09:31:10.000 60000)"), (-RAY_TIME, 34_260_000, false));
}

#[test]
fn temporal_arithmetic_keeps_or_builds_temporal_types() {
    assert_eq!(atom("(+ 2024.01.31 1)").0, -RAY_DATE);
    assert_eq!(atom("(- 2024.03.01 2024.01.01)"), (-RAY_I32, 60, false));
    assert_eq!(atom("(- 10:00:00.000 09:00:00.000)"), (-RAY_TIME, 3_600_000, false));
    assert_eq!(atom("(+ 23:59:59.999 1)"), (-RAY_TIME, 86_400_000, false));
    assert_eq!(atom("(+ 2024.01.01 09:30:00.000)").0, -RAY_TIMESTAMP);
    assert_eq!(code("(+ 2024.01.01 2024.01.01)"), "type");
    assert_eq!(code("(+ 2024.01.01 1.5)"), "type");
}

#[test]
fn comparisons_cross_widths_instants_and_order_nulls_first() {
    assert!(ok("(== 3 3.0)").bool_val());
    assert!(ok("(== 2024.01.01 2024.01.01D00:00:00.000)").bool_val());
    assert!(ok("(== 0Nl 0Ni)").bool_val());
    assert!(ok("(< 0Nl -100)").bool_val());
    assert!(ok("(< 0Nf -100.0)").bool_val());
    assert!(ok("(< \"abc\" \"abd\")").bool_val());
    assert!(ok("(< 'abc 'abd)").bool_val());
    assert_eq!(ok("(== [1 2 3] 2)").elems::<u8>(), &[0, 1, 0]);
    assert_eq!(ok("(within [1 5 10] [3 7])").elems::<u8>(), &[0, 1, 0]);
    assert_eq!(code("(== 1 \"a\")"), "type");
    assert_eq!(code("(== 'a \"a\")"), "type");
}

#[test]
fn aggregates_skip_nulls() {
    assert_eq!(atom("(sum [1 0Nl 3])"), (-RAY_I64, 4, false));
    assert_eq!(atom("(sum [])"), (-RAY_I64, 0, false));
    assert_eq!(ok("(avg [1 0Nl 3])").f64_val(), 2.0);
    assert!(ok("(avg [])").null_flag());
    assert_eq!(ok("(med [1 2 3 4])").f64_val(), 2.5);
    assert_eq!(atom("(count [1 0Nl 3])"), (-RAY_I64, 3, false));
    assert_eq!(atom("(first [0Nl 5])"), (-RAY_I64, 5, false));
    assert_eq!(atom("(last [5 0Nl])"), (-RAY_I64, 5, false));
    assert_eq!(atom("(min [2024.01.05 2024.01.01])").0, -RAY_DATE);
    assert_eq!(atom("(min [3 0Nl 1])"), (-RAY_I64, 1, false));
    assert_eq!(rayforce::core::sym::name(ok("(max [a c b])").i64_val()), Some(&b"c"[..]));
    assert_eq!(ok("(dev [2 4 4 4 5 5 7 9])").f64_val(), 2.0);
    assert_eq!(ok("(var [1 2 3])").f64_val(), 1.0);
    assert_eq!(ok("(stddev [1 2 3])").f64_val(), 1.0);
    assert_eq!(atom("(prod [2 3 4])"), (-RAY_I64, 24, false));
    assert!(ok("(all [1 2 3])").bool_val());
    assert!(!ok("(any [0 0 0])").bool_val());
    assert_eq!(atom("(mode [1 2 2 3])"), (-RAY_I64, 2, false));
}

#[test]
fn higher_order_functions_call_back_into_the_evaluator() {
    let m = ok("(map (fn [x] (* x 2)) [1 2 3])");
    assert_eq!(m.type_, RAY_LIST);
    assert_eq!(m.len(), 3);
    assert_eq!(atom("(fold-right - 10 [1 2 3])"), (-RAY_I64, -8, false));
    assert_eq!(atom("(fold + [1 2 3])"), (-RAY_I64, 6, false));
    assert_eq!(atom("(fold + 10 [1 2 3])"), (-RAY_I64, 16, false));
    assert_eq!(ok("(scan + [1 2 3 4])").elems::<i64>(), &[1, 3, 6, 10]);
    assert_eq!(ok("(filter [1 2 3] [true false true])").elems::<i64>(), &[1, 3]);
    assert_eq!(ok("(map-left + 10 [1 2])").len(), 2);
    assert_eq!(code("(apply + [2 3])"), "domain");
    assert_eq!(atom("(apply + 2 3)"), (-RAY_I64, 5, false));
}
