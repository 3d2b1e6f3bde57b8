//! End-to-end checks of the builtin families through the evaluator:
//! behaviours the corpus leaves out (edge cases, errors) and the corpus
//! cases whose init script needs builtins owned elsewhere.
use rayforce::abi::*;
use rayforce::lang::registry::Registry;
use rayforce::lang::{RequestCtx, format};
use rayforce::Value;
#[path = "support/eval.rs"]
mod eval;
#[path = "support/fixtures.rs"]
mod fixtures;

/// The registry with the families registered from above `lang` (`.ipc.*`):
/// every test reaches the registry through this or `eval_str` below.
fn registry() -> &'static Registry {
    rayforce::ipc::install();
    rayforce::lang::registry::registry()
}

use eval::{ev, ev_ctx as eval_str, text};

#[test]
fn desk_globals_without_the_table_builtin() {
    // dict-006, dict-007, collection-011 with the globals they use.
    let cfg = "(set cfg {host: \"db1\" port: 5432 debug: false}) ";
    let v = ev(&format!("{cfg}(get cfg 'port)")).unwrap();
    assert_eq!((v.type_, v.i64_val()), (-RAY_I64, 5432));
    let m = ev(&format!("{cfg}(get cfg 'missing)")).unwrap();
    assert_eq!((m.type_, m.i64_val(), m.null_flag()), (-RAY_I64, NULL_I64, true));
    let w = ev("(set v [5 3 9 1 7]) (where (> v 4))").unwrap();
    assert_eq!((w.type_, w.elems::<i64>()), (RAY_I64, &[0i64, 2, 4][..]));
}

/// Builtins whose calls have effects outside the evaluation (they end the
/// process, write files, open connections or wait); the walk below skips them.
const EFFECTFUL: &[&str] = &[
    "exit", "println", "show", ".ipc.open", ".ipc.send", ".ipc.post", ".ipc.close", "write", "load", ".sys.exec", ".sys.cmd",
    ".os.setenv",
];

#[test]
fn every_builtin_rejects_wrong_arity_and_types_without_panicking() {
    let reg = registry();
    assert!(reg.entries.len() > 100, "the registry lists every family");
    assert!(reg.lookup(b".ipc.open").is_some(), "families registered from above lang are listed");
    let odd_args = ["", "1", "1.5 'a", "[1 2] \"x\"", "{a: 1} (list 1 \"a\")", "null null null", "(fn [x] x) 2"];
    for b in reg.entries.iter().filter(|b| !EFFECTFUL.contains(&b.name)) {
        for a in odd_args {
            // Any answer is fine as long as it is a value or a clean error.
            let _ = ev(&format!("({} {a})", b.name));
        }
    }
}

#[test]
fn no_builtin_name_is_defined_twice() {
    assert_eq!(registry().duplicates(), &[] as &[&str], "a name is defined by more than one family");
    let mut names: Vec<&str> = registry().entries.iter().map(|b| b.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n);
}

/// The names the reference refuses on read-only connections (wire.md
/// section 9), plus `alter`, which it forgot.
const REFERENCE_RESTRICTED: &[&str] = &[
    "set", "del", "update", "insert", "upsert", "modify", "alter", "exit", "load", "read", "write", "read-csv",
    "write-csv", ".csv.read", ".csv.write", ".csv.splayed", ".csv.parted", ".db.splayed.set", ".db.parted.fill",
    ".ipc.open", ".ipc.close", ".ipc.send", ".ipc.post", ".repl.connect", ".repl.disconnect", ".sys.exec",
    ".sys.cmd", ".sys.listen", ".sys.querylog.enable", ".os.getenv", ".os.setenv", ".log.open", ".log.close",
    ".log.replay", ".log.roll", ".log.snapshot", ".log.purge", ".time.timer.set", ".time.timer.del", "hnsw-save",
    "hnsw-load",
];

#[test]
fn restricted_flags_match_the_reference_list() {
    for b in &registry().entries {
        assert_eq!(
            b.is_restricted(),
            REFERENCE_RESTRICTED.contains(&b.name),
            "{}: restricted flag disagrees with wire.md section 9",
            b.name
        );
    }
    // Each restricted builtin that exists is refused on a read-only request.
    let ro = RequestCtx { restricted: true, handle: -1 };
    for name in REFERENCE_RESTRICTED.iter().filter(|n| registry().lookup(n.as_bytes()).is_some()) {
        let e = eval_str(&format!("({name} 'x)"), ro).expect_err(name);
        assert_eq!(e.code_str(), "access", "{name}");
    }
}

#[test]
fn select_traits_come_from_the_registry_rows() {
    let reg = registry();
    let row = |n: &str| reg.entries.iter().find(|b| b.name == n).unwrap_or_else(|| panic!("{n} is registered"));
    assert!(row("sum").is_aggregate() && row("sum").grouped.is_some());
    assert!(row("med").is_aggregate() && row("med").grouped.is_none());
    assert!(row("+").is_row_wise() && !row("+").is_aggregate());
    assert!(!row("til").is_row_wise() && !row("til").is_aggregate());
    // Every row with a grouped kernel is a unary aggregate.
    for b in reg.entries.iter().filter(|b| b.grouped.is_some()) {
        assert!(b.is_aggregate() && b.kind == RAY_UNARY, "{}", b.name);
    }
}

#[test]
fn collection_edge_cases() {
    assert_eq!(text("(take [] 2)"), "[0Nl 0Nl]");
    assert_eq!(text("(take \"ab\" -3)"), "\"bab\"");
    assert_eq!(text("(drop [1 2 3] -5)"), "[]");
    assert_eq!(text("(at (list 1 \"a\") 1)"), "\"a\"");
    // Floats: first appearances, sorted between nulls, as the reference answers.
    assert_eq!(text("(distinct [2.5 0Nf 2.5])"), "[2.5 0Nf]");
    assert_eq!(text("(distinct [3.5 1.5 3.5 0Nf 2.5])"), "[1.5 3.5 0Nf 2.5]");
    assert_eq!(text("(distinct [\"b\" \"a\" \"b\"])"), "[\"b\" \"a\"]");
    assert_eq!(text("(asc [b c a])"), "[a b c]");
    assert_eq!(text("(concat 1 2)"), "[1 2]");
    assert_eq!(text("(concat {a: 1} {b: 2})"), "{a:1 b:2}");
    assert_eq!(text("(in 'a [a b])"), "true");
    assert_eq!(text("(find [a b c] 'c)"), "2");
    assert_eq!(text("(except [a b c] 'b)"), "[a c]");
    assert_eq!(text("(rotate [1 2 3] -1)"), "[3 1 2]");
    assert_eq!(text("(cut [1 2 3 4] [0 1 3])"), "([1] [2 3] [4])");
    assert_eq!(text("(raze (list [1 2] [3]))"), "[1 2 3]");
    assert_eq!(text("(group [1 2 1])"), "{1:[0 2] 2:[1]}");
    assert_eq!(text("(sums [1.5 2.5])"), "[1.5 4.0]");
    assert_eq!(text("(fills [0Ni 1i 0Ni])"), "[0Ni 1 1]");
    assert_eq!(text("(where [1 2])"), "error: type");
    assert_eq!(text("(take 2 [1 2])"), "error: type");
}

#[test]
fn cast_edge_cases() {
    assert_eq!(text("(as 'str 0Nl)"), "\"\"");
    assert_eq!(text("(as 'i64 0Nf)"), "0Nl");
    assert_eq!(text("(as 'I32 [1.9 -1.9])"), "[1 -1]");
    assert_eq!(text("(as 'b8 [0 2])"), "[false true]");
    assert_eq!(text("(as 'str [a b])"), "[\"a\" \"b\"]");
    assert_eq!(text("(as 'date \"2024.02.30\")"), "2024.03.01");
    assert_eq!(text("(as 'date \"2024-01-15\")"), "error: domain");
    assert_eq!(text("(as 'i64 2024.01.15)"), "8780");
    assert_eq!(text("(as 'time 2024.01.15D09:30:00.000)"), "09:30:00.000");
    assert_eq!(text("(as 'timestamp \"2024-01-15T12:30:00.000\")"), "2024.01.15D12:30:00.000000000");
    assert_eq!(text("(type (as 'sym 42))"), "sym");
}

#[test]
fn string_and_temporal_edge_cases() {
    assert_eq!(text("(upper [ab cd])"), "[AB CD]");
    assert_eq!(text("(strlen [\"a\" \"bcd\"])"), "[1 3]");
    assert_eq!(text("(str-join [a b] \"-\")"), "\"a-b\"");
    assert_eq!(text("(like 'apple \"a?p*\")"), "true");
    assert_eq!(text("(replace \"aaa\" \"a\" \"bb\")"), "\"bbbbbb\"");
    assert_eq!(text("(split \"a,,b\" \",\")"), "(\"a\" \"\" \"b\")");
    assert_eq!(text("(yyyy [2024.01.01 0Nd])"), "[2024 0Nl]");
    assert_eq!(text("(dow 2024.03.17)"), "7");
    assert_eq!(text("(ss 2024.01.15D09:30:45.000)"), "45");
    assert_eq!(text("(yyyy 12:00:00.000)"), "error: type");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The IPC guide's `trades` table (conformance/init/guide.rfl), built
/// without the `table` builtin.
fn bind_trades() {
    use rayforce::core::{env, sym};
    let syms = |n: &[&str]| Value::sym_vec(&n.iter().map(|s| sym::intern_str(s)).collect::<Vec<_>>()).unwrap();
    let t = Value::table_from(vec![
        (sym::intern_str("sym"), syms(&["AAPL", "GOOG", "AAPL", "MSFT", "GOOG"])),
        (sym::intern_str("price"), Value::vec_from_slice(RAY_F64, &[150.5, 2800.0, 151.2, 310.0, 2795.0]).unwrap()),
        (sym::intern_str("qty"), Value::vec_from_slice(RAY_I64, &[100i64, 50, 200, 75, 120]).unwrap()),
        (
            sym::intern_str("time"),
            Value::vec_from_slice(RAY_TIME, &[34_200_000i32, 34_201_000, 34_205_000, 34_210_000, 34_212_000]).unwrap(),
        ),
    ])
    .unwrap();
    env::set(sym::intern_str("trades"), t);
}

#[test]
fn table_cases_of_the_corpus_through_the_collection_builtins() {
    bind_trades();
    let cases = fixtures::cases_jsonl();
    let mut checked = 0;
    for line in cases.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        if !["table-003", "table-004", "table-005", "table-008"].contains(&id) {
            continue;
        }
        let v = ev(case["query"].as_str().unwrap()).unwrap_or_else(Value::from_error);
        let got = hex(&rayforce::codec::encode(&v).unwrap());
        assert_eq!(got, case["payload_hex"].as_str().unwrap(), "{id}");
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn deeply_nested_values_get_answers_not_stack_overflows() {
    use rayforce::core::{env, sym};
    let mut deep = Value::str(b"x");
    for _ in 0..100_000 {
        deep = Value::list(vec![deep]);
    }
    env::set(sym::intern_str("deepnest"), deep);
    for q in [
        "(in deepnest (list deepnest))",
        "(distinct (list deepnest deepnest))",
        "(group (list deepnest 1))",
        "(upper deepnest)",
        "(strlen deepnest)",
        "(as 'i64 deepnest)",
        "(at [1 2] deepnest)",
        "(find (list 1 deepnest) deepnest)",
    ] {
        // A value or an error (limit, type), but the process survives.
        let _ = ev(q);
    }
    assert_eq!(text("(count (distinct (list deepnest deepnest)))"), "1");
    // upper refuses a LIST outright (as RayforceDB); str-find walks it.
    assert_eq!(text("(upper deepnest)"), "error: type");
    assert_eq!(text("(str-find deepnest \"x\")"), "error: limit");
    env::remove(sym::intern_str("deepnest"));
}

/// The REPL's text for `src`: the value, or `error: code: message`.
fn repl(src: &str) -> String {
    match ev(src) {
        Ok(v) => format(&v, 0),
        Err(e) => rayforce::lang::fmt::format_error(e.code_str(), e.message()),
    }
}

/// `reciprocal` (builtins.md 4.2), added as one descriptor row and one
/// kernel. Each pair is (input, the reference's REPL answer).
#[test]
fn reciprocal_matches_the_reference() {
    let cases = [
        ("(reciprocal 2)", "0.5"),
        ("(reciprocal 0)", "0Nf"),
        ("(reciprocal -0.0)", "0Nf"),
        ("(reciprocal 0.0)", "0Nf"),
        ("(reciprocal 4.0)", "0.25"),
        ("(reciprocal -8)", "-0.12"),
        ("(reciprocal 0Nl)", "0Nf"),
        ("(reciprocal 0Nf)", "0Nf"),
        ("(reciprocal 0Ni)", "0Nf"),
        ("(reciprocal 3i)", "0.33"),
        ("(reciprocal 5h)", "0.2"),
        ("(reciprocal 0x02)", "0.5"),
        ("(reciprocal 0x00)", "0Nf"),
        ("(reciprocal true)", "1.0"),
        ("(reciprocal false)", "0Nf"),
        ("(reciprocal 0Nh)", "0Nf"),
        ("(reciprocal 1e-320)", "0Nf"),
        ("(nil? (reciprocal 1e-320))", "true"),
        ("(nil? (reciprocal 0))", "true"),
        ("(nil? (reciprocal 0Nf))", "true"),
        ("(nil? (reciprocal -0.0))", "true"),
        ("(type (reciprocal 2))", "f64"),
        ("(reciprocal [2 0 4])", "[0.5 0Nf 0.25]"),
        ("(reciprocal [2 0Nl 4])", "[0.5 0Nf 0.25]"),
        ("(reciprocal [0.5 0Nf -0.0 0.0 3.0])", "[2.0 0Nf 0Nf 0Nf 0.33]"),
        ("(reciprocal [1i 0Ni 0i 4i])", "[1.0 0Nf 0Nf 0.25]"),
        ("(reciprocal [2h 0h 0Nh])", "[0.5 0Nf 0Nf]"),
        ("(reciprocal [true false])", "[1.0 0Nf]"),
        ("(reciprocal [1.0 2.0])", "[1.0 0.5]"),
        ("(reciprocal [1e308 1e-320])", "[1.00e-308 0Nf]"),
        ("(reciprocal [])", "[]"),
        ("(type (reciprocal []))", "F64"),
        ("(reciprocal (as 'F64 []))", "[]"),
        ("(reciprocal (list))", "[]"),
        ("(type (reciprocal (list)))", "F64"),
        ("(reciprocal (list 1 2.0))", "[1.0 0.5]"),
        ("(reciprocal (list 2 0))", "[0.5 0Nf]"),
        ("(reciprocal 2024.01.01)", "error: type: reciprocal: expects a numeric argument, got date"),
        ("(reciprocal 12:00:00)", "error: type: reciprocal: expects a numeric argument, got time"),
        ("(reciprocal \"a\")", "error: type: reciprocal: expects a numeric argument, got str"),
        ("(reciprocal 'a)", "error: type: reciprocal: expects a numeric argument, got sym"),
        ("(reciprocal (list 1 \"a\"))", "error: type: reciprocal: expects a numeric argument, got str"),
        ("(reciprocal {a: 1})", "error: type: reciprocal: expects a numeric argument, got DICT"),
        ("(reciprocal 1 2)", "error: arity: expected 1 arg, got 2"),
        ("(reciprocal)", "error: arity: expected 1 arg, got 0"),
    ];
    let mut wrong = Vec::new();
    for (src, want) in cases {
        let got = repl(src);
        if got != want {
            wrong.push(format!("{src}: got {got}, reference {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn reciprocal_in_select_matches_the_reference() {
    // The reference's REPL answers for the result columns.
    assert_eq!(repl("(at (select {r: (reciprocal x) from: (table [x] (list [1 2 0 4]))}) 'r)"), "[1.0 0.5 0Nf 0.25]");
    let by = "(select {r: (sum (reciprocal x)) by: k from: (table [k x] (list [a a b b] [1 2 0 4]))})";
    assert_eq!(repl(&format!("(at {by} 'k)")), "[a b]");
    assert_eq!(repl(&format!("(at {by} 'r)")), "[1.5 0.25]");
}

/// Variadic builtins' argument counts are checked by the evaluator from the
/// rows' `.args(min, max)`; the text is the reference's where it matches.
#[test]
fn variadic_argument_counts_come_from_the_rows() {
    assert_eq!(repl("(set a)"), "error: arity: expected 2 args, got 1");
    assert_eq!(repl("(try 1)"), "error: arity: expected 2 args, got 1");
    let reg = registry();
    let map_left = reg.entries.iter().find(|b| b.name == "map-left").expect("map-left");
    assert_eq!((map_left.min_args, map_left.max_args), (3, 3));
    // `map` checks its own count, with the reference's code and text.
    assert_eq!(repl("(map)"), "error: domain: map: requires at least 2 args (fn and vec), got 0");
    assert!(repl("(map-left 1)").starts_with("error: arity"));
}

/// `table` makes a LIST of same-type atoms a typed column as the reference
/// does, and (deviations, README) also for i32/i16/u8 atoms, which the
/// reference refuses, and keeps a null i64 among f64 a null.
#[test]
fn table_types_a_list_of_atoms_column() {
    assert_eq!(text("(type (at (table [a] (list (list 1 2))) 'a))"), "I64");
    assert_eq!(text("(type (at (table [a] (list (list \"x\" \"yz\"))) 'a))"), "STR");
    assert_eq!(text("(type (at (table [a] (list (list 1i 2i))) 'a))"), "I32");
    assert_eq!(text("(type (at (table [a] (list (list 0x01 0x02))) 'a))"), "U8");
    assert_eq!(text("(at (table [a] (list (list 1.5 0Nl))) 'a)"), "[1.5 0Nf]");
    assert_eq!(text("(type (at (table [a] (list (list [1] 2))) 'a))"), "LIST");
    assert_eq!(text("(table [a] (list (list 1i 2)))"), "error: type");
}

/// The aggregates' reading of atoms, vectors and LISTs (answers captured
/// from the reference), and this engine's two deviations.
#[test]
fn aggregates_read_atoms_vectors_and_lists_as_the_reference() {
    let cases = [
        ("(sum 2i)", "2"),
        ("(type (sum 2i))", "i32"),
        ("(type (sum 5h))", "i64"),
        ("(sum 'a)", "a"),
        ("(sum [10:00:00.000 0Nt 09:00:00.000])", "19:00:00.000"),
        ("(sum (list 1 2.5 0Nl))", "3.5"),
        ("(sum (list 0Nl))", "0"),
        ("(sum (list 10:00:00.000))", "error: type: sum: list elements must be numeric, got time"),
        ("(sum [a b])", "error: type: sum expects a numeric or time-duration vector, got SYM"),
        ("(sum {a: 1})", "error: type: sum expects a numeric vector, atom, or list, got DICT"),
        ("(avg 2024.01.15)", "2024.01.15"),
        ("(avg 0Nd)", "0Nf"),
        ("(avg (list 1 2.5 0Nl))", "1.75"),
        ("(avg (list))", "error: domain: avg: empty list has no average"),
        ("(med (take [a] 0))", "0Nf"),
        ("(med 'a)", "error: type: med expects a numeric atom, got sym"),
        ("(med [a b])", "error: type: expects a numeric or temporal vector, got SYM"),
        ("(var (list 1 2.5 0Nl))", "1.12"),
        ("(dev 2024.01.15)", "error: type: var/stddev expects a numeric atom, got date"),
        ("(min (list 1 2.5 0Nl))", "1.0"),
        ("(max (list 0Nl))", "0Nl"),
        ("(min (list))", "error: domain: min: empty list has no minimum"),
        ("(max (list 1 'a))", "error: type: max: list elements must be numeric, got sym"),
        ("(first [0Nh -1h])", "0Nh"),
        ("(first [0Nl 5])", "5"),
        ("(last [5.0 0Nf])", "5.0"),
        ("(last [5i 0Ni])", "0Ni"),
        ("(last (list))", "0Nl"),
        ("(last \"\")", "error: domain: last: empty string has no last char"),
        ("(first {a: 1})", "error: type: first: unsupported type DICT"),
        ("(prod 0Nh)", "0Nh"),
        ("(prod (list 2 2.5 0Nl))", "5.0"),
        ("(prod [10:00:00.000])", "error: type: prod expects a numeric vector, got TIME"),
        ("(all [1h 0Nh])", "true"),
        ("(any [0Nl 0Nl])", "false"),
        ("(all 0x00)", "false"),
        ("(any 2024.01.15)", "error: type: any expects numeric values, got date"),
        ("(mode [1.38 0Nf 0Nf])", "1.38"),
        ("(mode (list 2 1 1 2))", "2"),
        ("(mode (list))", "0Nl"),
        // Deviations: the reference answers 0 (an i32 extreme read as i64) and -32768.
        ("(max (list 3 7i 4))", "7"),
        ("(sum 0Nh)", "0Nl"),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(src, want)| {
            let got = repl(src);
            (got != *want).then(|| format!("{src}: got {got}, want {want}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
