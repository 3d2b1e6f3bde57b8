//! Evaluator core: names, calls, special forms, lambdas, errors, limits.
use rayforce::abi::*;
use rayforce::lang::{RequestCtx, eval_request, eval_str};
use rayforce::Value;

#[path = "support/eval.rs"]
mod eval;
use eval::ev;

fn code(src: &str) -> String {
    match ev(src) {
        Err(e) => e.code_str().to_string(),
        Ok(v) => format!("ok type {}", v.type_),
    }
}

fn int(src: &str) -> i64 {
    let v = ev(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    assert_eq!(v.type_, -RAY_I64, "{src}");
    v.i64_val()
}

#[test]
fn atoms_evaluate_to_themselves_and_the_last_form_wins() {
    assert_eq!(int("42"), 42);
    assert_eq!(int("1 2 3"), 3);
    assert_eq!(int("(+ 1 2) ; trailing comment"), 3);
}

#[test]
fn empty_or_comment_only_source_is_a_parse_error() {
    assert_eq!(code(""), "parse");
    assert_eq!(code("   "), "parse");
    assert_eq!(code("; nothing"), "parse");
}

#[test]
fn unbound_names_fail_with_name() {
    assert_eq!(code("no_such_name_xyz"), "name");
    assert_eq!(code("(= 1 1)"), "name");
    assert_eq!(code("self"), "name");
}

#[test]
fn arity_is_checked_before_arguments_are_evaluated() {
    assert_eq!(code("(+ 1 undefined_thing 2)"), "arity");
    assert_eq!(code("(+ 1)"), "arity");
    assert_eq!(code("((fn [x] x))"), "arity");
}

#[test]
fn calling_a_non_function_is_a_type_error() {
    assert_eq!(code("(1 2 3)"), "type");
    assert_eq!(code("(\"s\" 1)"), "type");
    assert_eq!(code("({a: 1} 'a)"), "type");
}

#[test]
fn if_tests_one_condition_and_defaults_to_zero() {
    assert_eq!(int("(if 0 \"yes\")"), 0);
    assert_eq!(code("(if 1)"), "domain");
    let v = ev("(set ctl_x 75) (if (> ctl_x 100) \"high\" (> ctl_x 50) \"mid\" \"low\")").unwrap();
    assert_eq!(v.type_, -RAY_BOOL);
}

#[test]
fn set_let_do_and_del_manage_bindings() {
    assert_eq!(int("(set var_a 10) (+ var_a 1)"), 11);
    assert_eq!(int("(do (let var_y 10) (* var_y 2))"), 20);
    assert_eq!(code("(set var_d 1) (del var_d) var_d"), "name");
    assert_eq!(code("(set .os.foo 1)"), "reserve");
    assert_eq!(int("(do)"), 0);
}

#[test]
fn nested_set_creates_dicts_and_dotted_names_walk_them() {
    assert_eq!(int("(set cfg_n.db.port 5432) cfg_n.db.port"), 5432);
}

#[test]
fn lambdas_recurse_through_self_and_return_early() {
    assert_eq!(int("(set fib_l (fn [n] (if (<= n 1) n (+ (self (- n 1)) (self (- n 2)))))) (fib_l 10)"), 55);
    assert_eq!(int("(set ret_f (fn [x] (if (< x 0) (return -1) (+ x 1)))) (ret_f -5)"), -1);
    let l = ev("(fn [x] (+ x 1))").unwrap();
    assert_eq!(l.type_, RAY_LAMBDA);
}

#[test]
fn try_passes_raised_values_or_zero_to_the_handler() {
    assert_eq!(int("(try (raise 42) (fn [e] e))"), 42);
    assert_eq!(int("(try (+ 1 \"a\") (fn [e] e))"), 0);
    assert_eq!(int("(try (raise \"boom\") -1)"), -1);
    assert_eq!(code("(raise \"oops\")"), "domain");
}

#[test]
fn and_or_stop_at_the_deciding_atom() {
    assert_eq!(int("(and 0 2)"), 0);
    assert_eq!(int("(or 3 0)"), 3);
    assert!(ev("(and 1 2)").unwrap().bool_val());
    assert!(!ev("(or 0 0)").unwrap().bool_val());
}

#[test]
fn quote_eval_and_parse_treat_code_as_data() {
    let q = ev("(quote (+ 1 2))").unwrap();
    assert_eq!(q.type_, RAY_LIST);
    let s = ev("(quote abc)").unwrap();
    assert!(s.is_quoted());
    assert_eq!(int("(eval (parse \"(* 6 7)\"))"), 42);
}

#[test]
fn builtins_are_first_class_values() {
    assert_eq!(ev("+").unwrap().type_, RAY_BINARY);
    assert_eq!(ev("if").unwrap().type_, RAY_VARY);
    assert_eq!(int("(eval (quote (+ 1 2)))"), 3);
}

#[test]
fn restricted_requests_refuse_restricted_builtins_everywhere() {
    let r = RequestCtx { restricted: true, handle: -1 };
    let c = |s: &str| eval_str(s, r).map(|_| ()).unwrap_err().code_str().to_string();
    assert_eq!(c("(set rx 1)"), "access");
    assert_eq!(c("(del rx)"), "access");
    assert_eq!(c("(eval (parse \"(set rx 1)\"))"), "access");
    assert_eq!(c("(alter 'rx set 0 99)"), "access");
    assert!(eval_str("(let a 1)", r).is_ok());
}

#[test]
fn requests_follow_the_payload_rules() {
    let ctx = RequestCtx::default();
    assert!(eval_request(&Value::str(b""), ctx).unwrap().is_null_obj());
    let q = Value::quoted_sym(rayforce::core::sym::intern(b"neg"));
    assert!(eval_request(&q, ctx).unwrap().is_quoted());
    let u = Value::sym_id(rayforce::core::sym::intern(b"neg"));
    assert_eq!(eval_request(&u, ctx).unwrap().type_, RAY_UNARY);
    let bad = Value::list(vec![Value::i64(1), Value::i64(2)]);
    assert_eq!(eval_request(&bad, ctx).unwrap_err().code_str(), "type");
    let plus = Value::sym_id(rayforce::core::sym::intern(b"+"));
    let call = Value::list(vec![plus, Value::i64(1), Value::i64(2)]);
    assert_eq!(eval_request(&call, ctx).unwrap().i64_val(), 3);
    let restricted = RequestCtx { restricted: true, handle: 1 };
    let set = Value::sym_id(rayforce::core::sym::intern(b"set"));
    let z = Value::quoted_sym(rayforce::core::sym::intern(b"z"));
    let call = Value::list(vec![set, z, Value::i64(5)]);
    assert_eq!(eval_request(&call, restricted).unwrap_err().code_str(), "access");
}

#[test]
fn deep_recursion_gives_limit_not_a_crash() {
    let h = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let c = code("(set deep_f (fn [n] (+ 1 (deep_f (+ n 1))))) (deep_f 0)");
            assert_eq!(c, "limit");
            let nested = format!("{}1{}", "(+ 1 ".repeat(500), ")".repeat(500));
            let r = ev(&nested);
            assert!(r.is_ok() || r.unwrap_err().code_str() == "limit");
            let too_deep = format!("{}1{}", "(+ 1 ".repeat(5000), ")".repeat(5000));
            assert_eq!(code(&too_deep), "limit");
        })
        .unwrap();
    h.join().unwrap();
}
