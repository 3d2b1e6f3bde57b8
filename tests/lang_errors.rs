//! Error messages as the REPL prints them (rayfall.md sections 11 and 13):
//! which errors carry a message, how it is worded, and the boxed diagnostic
//! for an error raised inside a lambda (`eval_source` + `format_source_error`).
use rayforce::lang::fmt::format_source_error;
use rayforce::lang::{RequestCtx, SourceError, eval_source, eval_str};

fn fail(src: &str) -> SourceError {
    match eval_source(src, RequestCtx::default()) {
        Err(e) => e,
        Ok(_) => panic!("{src}: expected an error"),
    }
}

/// Byte offsets of the trace's frames, innermost first.
fn offsets(e: &SourceError) -> Vec<usize> {
    e.trace.iter().map(|f| f.offset).collect()
}

/// What the REPL prints for `src`, which must fail.
fn repl(src: &str) -> String {
    format_source_error(src, "repl", &fail(src))
}

#[test]
fn errors_the_reference_reports_with_a_bare_code_have_no_message() {
    assert_eq!(repl("(set .os.foo 1)"), "error: reserve");
    assert_eq!(repl("(let .x 1)"), "error: reserve");
    assert_eq!(repl("(raise \"oops\")"), "error: domain");
    assert_eq!(repl("(+ 1"), "error: parse");
    assert_eq!(repl("[1 2"), "error: parse");
    assert_eq!(repl("{a: 1"), "error: parse");
}

#[test]
fn a_name_missing_inside_a_query_is_a_bare_schema_error() {
    eval_str("(set T (table [a] (list [1 2])))", RequestCtx::default()).unwrap();
    assert_eq!(repl("(select {from: T where: (> nosuchcol 1)})"), "error: schema");
}

#[test]
fn length_errors_name_the_operation_in_upper_case() {
    assert_eq!(repl("(+ [1 2] [1 2 3])"), "error: length: ADD: operand lengths must match, got 2 and 3");
    assert_eq!(repl("(- [1 2] [1 2 3])"), "error: length: SUB: operand lengths must match, got 2 and 3");
    assert_eq!(repl("(< [1] [1 2])"), "error: length: LT: operand lengths must match, got 1 and 2");
}

#[test]
fn domain_errors_say_what_the_value_should_have_been() {
    assert_eq!(repl("(til -1)"), "error: domain: til: count must be non-negative, got -1");
}

#[test]
fn builtin_arity_messages_agree_in_number_but_lambda_ones_always_say_args() {
    assert_eq!(repl("(count)"), "error: arity: expected 1 arg, got 0");
    assert_eq!(repl("(+ 1)"), "error: arity: expected 2 args, got 1");
    assert!(repl("((fn [x] x))").contains("arity: expected 1 args, got 0"));
}

#[test]
fn an_error_outside_any_lambda_is_one_plain_line() {
    let e = fail("(+ 1 \"a\")");
    assert!(e.trace.is_empty());
    assert_eq!(repl("(+ 1 \"a\")"), "error: type: cannot add i64 and str");
}

#[test]
fn a_lambda_called_with_the_wrong_arity_is_boxed_at_the_call() {
    assert_eq!(
        repl("((fn [x] x))"),
        "\n  × Error: arity\n\n   ╭─[repl:1:1]\n 1 │ ((fn [x] x))\n   │ ▲\n   │ ╰─ arity: expected 1 args, got 0\n   ╰─ in λ"
    );
}

#[test]
fn an_error_in_a_lambda_body_points_at_the_innermost_failing_form() {
    let src = "((fn [x] (+ x \"a\")) 1)";
    let e = fail(src);
    assert_eq!(offsets(&e), vec![9, 0], "the form in the lambda, then the call");
    let text = repl(src);
    assert!(text.contains("╭─[repl:1:10]"), "{text}");
    assert!(text.contains("\n   │          ▲\n   │          ╰─ type: cannot add i64 and str\n   ╰─ in λ\n\n   ╭─[repl:1:1]"), "{text}");
}

#[test]
fn every_frame_is_a_lambda_frame_and_the_line_is_counted() {
    let src = "(set f (fn [x] (+ x \"a\")))\n(f 1)";
    let text = repl(src);
    assert!(text.contains("╭─[repl:1:16]\n 1 │ (set f (fn [x] (+ x \"a\")))"), "{text}");
    assert!(text.ends_with("╭─[repl:2:1]\n 2 │ (f 1)\n   │ ▲\n   │ ╰─ \n   ╰─ in λ"), "{text}");
    let text = repl("(set g (fn [x] x))\n  (g)");
    assert!(text.contains("╭─[repl:2:3]\n 2 │   (g)\n   │   ▲"), "{text}");
}

#[test]
fn a_lambda_defined_by_an_earlier_evaluation_points_at_the_call_in_this_one() {
    eval_str("(set h (fn [x] (* x \"b\")))", RequestCtx::default()).unwrap();
    let src = "(+ 1 (h 2))";
    let e = fail(src);
    assert_eq!(offsets(&e), vec![15, 5], "the form in h's own source, then the call here");
    let text = repl(src);
    assert!(text.contains("╭─[repl:1:16]\n 1 │ (set h (fn [x] (* x \"b\")))"), "{text}");
}

#[test]
fn an_error_caught_by_try_leaves_no_diagnostic_behind() {
    let src = "(try ((fn [] (raise 1))) (+ 1 \"a\"))";
    let e = fail(src);
    assert!(e.trace.is_empty());
    assert_eq!(repl(src), "error: type: cannot add i64 and str");
    assert_eq!(eval_str("(try ((fn [] (raise 1))) 7)", RequestCtx::default()).unwrap().i64_val(), 7);
}

#[test]
fn a_lambda_called_by_a_builtin_has_its_frame_but_no_call_site() {
    let src = "(map (fn [x] (til x)) [1 -1])";
    let e = fail(src);
    assert_eq!(offsets(&e), vec![13]);
}

/// Fixtures from the reference: a table row index outside the table is a
/// `domain` error (never a row of nulls), and functions are named `?` in
/// type errors, whichever builtin reports them.
#[test]
fn table_rows_out_of_range_and_function_type_names_read_as_the_reference() {
    eval_str("(set t3 (table [a b] (list [1 2 3] [4 5 6])))", RequestCtx::default()).unwrap();
    assert_eq!(repl("(at t3 10)"), "error: domain: at: row index 10 out of range for table of 3 rows");
    assert_eq!(repl("(at t3 -1)"), "error: domain: at: row index -1 out of range for table of 3 rows");
    assert_eq!(repl("(at t3 [0 5])"), "error: domain: at: row index 5 out of range for table of 3 rows");
    assert_eq!(repl("(+ 1 +)"), "error: type: cannot add i64 and ?");
    assert_eq!(
        repl("(left-join + (table [a] (list [1])) (table [a] (list [1])))"),
        "error: type: join: keys must be a symbol list, got ?"
    );
}

/// A timestamp literal must fit in i64 nanoseconds around 2000.01.01; the
/// reference refuses the others at parse time (its REPL text below). Found
/// by the parser fuzz target (an overflow in the literal's arithmetic).
#[test]
fn timestamp_literals_outside_the_i64_range_are_parse_errors() {
    for src in ["1707.09.21D00:00:00.000", "9999.12.31D00:00:00.000", "4.03.15D12:30:00.000"] {
        assert_eq!(repl(src), "error: parse: timestamp year out of representable range", "{src}");
    }
    for (src, text) in [
        ("1707.12.31D23:59:59.999", "1707.12.31D23:59:59.999000000"),
        ("2292.04.10D23:47:16.854", "2292.04.10D23:47:16.854000000"),
    ] {
        let v = eval_str(src, RequestCtx::default()).unwrap();
        assert_eq!(rayforce::lang::format(&v, 1), text);
    }
}

#[test]
fn a_deep_recursion_shows_five_frames_and_counts_the_rest() {
    let src = "(do (set rec (fn [x] (rec x))) (rec 1))";
    let e = fail(src);
    assert_eq!(e.error.code_str(), "limit");
    assert_eq!(e.trace.len(), 5);
    assert!(e.hidden_frames > 100, "{}", e.hidden_frames);
    assert!(repl(src).ends_with(&format!("╰─ in λ\n   ... {} more frames", e.hidden_frames)));
}
