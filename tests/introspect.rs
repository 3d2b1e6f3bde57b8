//! The system and introspection builtins (builtins.md 11) beyond the
//! corpus's sysfn cases: answers captured from RayforceDB v2.5.12 where
//! they are portable, shapes and rules where they depend on the machine.
use std::sync::Mutex;

/// The query log and the timing switch are process-wide: tests that flip
/// them run one at a time.
static SWITCHES: Mutex<()> = Mutex::new(());

#[path = "support/eval.rs"]
mod eval;
use eval::{ev, text_msg as text};

#[test]
fn objsize_counts_blocks_as_the_reference_does() {
    // Captured from the oracle.
    for (src, want) in [
        ("(.mem.objsize \"abcdefg\")", "71"),
        ("(.mem.objsize \"abc\")", "32"),
        ("(.mem.objsize (list [1 2] [1 2]))", "144"),
        ("(do (set os-a [1 2]) (.mem.objsize (list os-a os-a)))", "96"),
        ("(.mem.objsize {a: 1})", "160"),
        ("(.mem.objsize (table [a] (list [1 2])))", "176"),
        ("(.mem.objsize (guid 1))", "48"),
        ("(.mem.objsize [\"abcdefghijklmnop\" \"x\"])", "112"),
        ("(.mem.objsize 1)", "32"),
    ] {
        assert_eq!(text(src), want, "{src}");
    }
}

#[test]
fn sym_name_maps_reference_ids_and_refuses_others() {
    // Which name a small id has depends on what was interned first (the
    // corpus case sysfn-012 checks the server's ids 0..5); here: round trips.
    let id = rayforce::core::sym::intern(b"sym-name-probe");
    assert_eq!(text(&format!("(sym-name {id})")), "sym-name-probe");
    assert_eq!(text("(sym-name 'abc)"), "abc");
    assert_eq!(text("(sym-name -1)"), "error: domain: sym-name: invalid sym ID");
    assert_eq!(text("(sym-name [1 99999999])"), "error: domain: sym-name: invalid sym ID in vector");
    assert_eq!(text("(sym-name 1i)"), "error: type: sym-name: expected i64 or i64 vector");
    assert_eq!(text("(sym-name \"abc\")"), "error: type: sym-name: expected i64 or i64 vector");
}

#[test]
fn env_lists_bindings_in_the_order_they_were_first_made() {
    ev("(set env-late-b 1)").unwrap();
    ev("(set env-late-c 2)").unwrap();
    ev("(set env-late-b 3)").unwrap();
    let b = text("(find (key (env 0)) 'env-late-b)").parse::<i64>().unwrap();
    let c = text("(find (key (env 0)) 'env-late-c)").parse::<i64>().unwrap();
    assert!(b < c, "{b} {c}");
    assert!(text("(env)").starts_with("error: arity"));
    assert_eq!(text("(== (.sys.env) (count (env 0)))"), "true");
}

/// `(key (env 0))` on a fresh RayforceDB v2.5.12 (one name a line,
/// captured with `(map (fn [x] (println x)) (key (env 0)))`).
const REFERENCE_ENV_ORDER: &str = include_str!("fixtures/introspect/env_order.txt");

#[test]
fn env_binds_builtins_and_namespaces_in_the_reference_order() {
    ev("(set env-order-probe 1)").unwrap();
    let keys = ev("(key (env 0))").unwrap();
    let ours: Vec<String> = (0..keys.len() as usize)
        .map(|i| String::from_utf8_lossy(rayforce::core::sym::name_or_empty(keys.sym_at(i))).into_owned())
        .collect();
    let reference: Vec<&str> = REFERENCE_ENV_ORDER.lines().collect();
    assert_eq!(reference.len(), 329);
    let have: std::collections::HashSet<&str> = ours.iter().map(String::as_str).collect();
    let known: std::collections::HashSet<&str> = reference.iter().copied().collect();
    let reference_ours: Vec<&str> = reference.iter().copied().filter(|n| have.contains(n)).collect();
    // Our names the reference also binds come first, in its order.
    assert_eq!(ours[..reference_ours.len()].iter().map(String::as_str).collect::<Vec<_>>(), reference_ours);
    // Only names the reference lacks follow (globals set since).
    assert!(ours[reference_ours.len()..].iter().all(|n| !known.contains(n.as_str())));
    // Every namespace we have is there, just before its first member.
    for ns in [".csv", ".db", ".sys", ".mem", ".os", ".fs", ".ipc", ".repl", ".log", ".time", ".idx", ".attr", ".col"] {
        let at = ours.iter().position(|n| n == ns).unwrap_or_else(|| panic!("{ns} not bound"));
        assert!(ours[at + 1].starts_with(&format!("{ns}.")), "{ns} then {}", ours[at + 1]);
        assert_eq!(text(&format!("(type (at (env 0) '{ns}))")), "DICT", "{ns}");
    }
    // What we leave out: `unify`, the datalog, vector-search and graph
    // builtins and the `.graph` namespace (46 names).
    let missing: Vec<&str> = reference.iter().copied().filter(|n| !have.contains(n)).collect();
    assert_eq!(missing.len(), 46, "{missing:?}");
    assert!(missing.iter().all(|n| n.starts_with(".graph") || n.starts_with("dl-") || n.starts_with("hnsw-") || [
        "unify", "datoms", "assert-fact", "retract-fact", "scan-eav", "pull", "rule", "query", "cos-dist",
        "inner-prod", "l2-dist", "norm", "knn", "ann"
    ].contains(n)), "{missing:?}");
}

#[test]
fn resolve_looks_up_symbols_and_names_id_columns() {
    ev("(set rs-v [5 3 9])").unwrap();
    assert_eq!(text("(resolve 'rs-v)"), "[5 3 9]");
    assert_eq!(text("(resolve 1 'rs-v)"), "[5 3 9]");
    assert!(ev("(resolve 'rs-nope)").unwrap().is_null_obj());
    assert_eq!(text("(resolve)"), "error: arity: resolve expects at least 1 argument");
    // An I64 column of ids of name-like symbols becomes SYM; plain numbers stay.
    let ids: Vec<String> = ["alpha", "beta"].iter().map(|n| rayforce::core::sym::intern(n.as_bytes()).to_string()).collect();
    let t = format!("(resolve (table [a b] (list [{}] [1 2])))", ids.join(" "));
    assert_eq!(text(&format!("(at {t} 'a)")), "[alpha beta]");
    assert_eq!(text(&format!("(at {t} 'b)")), "[1 2]");
}

#[test]
fn print_fills_templates_and_joins_arguments() {
    let (_, out) = rayforce::lang::builtins::sys::capture_output(|| {
        for src in ["(print \"x=%\" 5)", "(print \"%-%\" 1)", "(print \"a%\" 1 2)", "(print \"b\" 1 2)", "(print 'a)", "(print)"] {
            assert!(ev(src).unwrap().is_null_obj(), "{src}");
        }
    });
    // Captured from the oracle: no newlines, extra arguments dropped.
    assert_eq!(out, "x=51-%a1b 1 2'a");
}

#[test]
fn flags_toggle_and_check_their_argument() {
    let _g = SWITCHES.lock().unwrap();
    assert_eq!(text("(.sys.timeit 1)"), "1");
    assert_eq!(text("(.sys.timeit)"), "0");
    assert_eq!(text("(.sys.timeit \"1\")"), "1");
    assert_eq!(text("(.sys.timeit 0)"), "0");
    assert_eq!(text("(.sys.timeit 'a)"), "error: type: :t expects an integer (0 = off, 1 = on)");
    assert_eq!(text("(.sys.querylog.enable 1 2)"), "error: domain: .sys.querylog.enable takes 0 or 1 arguments");
    assert_eq!(text("(.sys.querylog 1)"), "error: domain: .sys.querylog takes no arguments");
    assert_eq!(text("(.time.now 1)"), "error: domain: .time.now takes no arguments");
    assert_eq!(text("(.time.timer.del 1.5)"), "error: type: id must be i64");
    assert_eq!(text("(.sys.listen \"abc\")"), "error: type: listen expects a port number");
    assert_eq!(text("(.sys.listen 70000)"), "error: domain: listen: port out of range (1..65535)");
}

#[test]
fn the_query_log_records_queries_while_enabled() {
    let _g = SWITCHES.lock().unwrap();
    assert_eq!(text("(.sys.querylog.enable 1)"), "1");
    ev("(til 7)").unwrap();
    let _ = ev("(+ 1 'x)");
    assert_eq!(text("(.sys.querylog.enable 0)"), "0");
    ev("(til 9)").unwrap();
    let rows = text("(select {from: (.sys.querylog) where: (in query [\"(til 7)\" \"(+ 1 'x)\" \"(til 9)\"])})");
    assert!(rows.contains("(til 7)") && rows.contains("(+ 1 'x)") && !rows.contains("(til 9)"), "{rows}");
    assert_eq!(text("(at (select {from: (.sys.querylog) where: (== query \"(til 7)\")}) 'result-rows)"), "[7]");
    assert_eq!(text("(at (select {from: (.sys.querylog) where: (== query \"(+ 1 'x)\")}) 'status)"), "[type]");
}

#[test]
fn machine_figures_have_the_reference_shape() {
    assert_eq!(text("(key (.sys.info))"), "[cores page-size total-mem]");
    assert_eq!(text("(> (at (.sys.info) 'total-mem) 0)"), "true");
    assert_eq!(text("(count (.sys.mem))"), "16");
    assert_eq!(text("(> (at (.sys.mem) 'sys-current) 0)"), "true");
    assert_eq!(text("(count (.sys.prof))"), "0");
    assert_eq!(text("(.sys.gc)"), "0");
    assert_eq!(text("(type (.time.now))"), "i64");
}

/// `.time.now` reads the system's monotonic clock in milliseconds, as the
/// reference (not a clock starting at the process's first call).
#[test]
fn time_now_is_the_system_monotonic_clock_in_ms() {
    let clock_ms = || {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec.
        assert_eq!(unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) }, 0);
        ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    };
    let before = clock_ms();
    let now: i64 = text("(.time.now)").parse().unwrap();
    let after = clock_ms();
    assert!(now > 0 && (before..=after).contains(&now), "{before} {now} {after}");
}

/// `.mem.ts` evaluates its argument and answers the reference's 13 keys
/// (names and order captured from it); the byte figures are the allocator's.
#[test]
fn mem_ts_measures_an_evaluation() {
    assert_eq!(
        text("(key (.mem.ts (til 1000)))"),
        "[result time-ns memory-bytes allocated-bytes freed-bytes net-bytes peak-live-bytes result-bytes alloc-count free-count workers worker-busy-ns parallelism]"
    );
    assert_eq!(text("(at (.mem.ts (til 5)) 'result)"), "[0 1 2 3 4]");
    assert_eq!(text("(at (.mem.ts (til 1000)) 'result-bytes)"), "8032", "as .mem.objsize");
    let at = |k: &str| -> i64 { text(&format!("(at (.mem.ts (do (til 100000) (til 1000))) '{k})")).parse().unwrap() };
    assert!(at("allocated-bytes") >= 808_000, "both vectors were allocated");
    assert!(at("freed-bytes") >= 800_000, "the first was freed");
    assert!(at("peak-live-bytes") >= 800_000 && at("alloc-count") >= 2 && at("free-count") >= 1);
    assert!(at("time-ns") > 0);
    assert_eq!(text("(.mem.ts)"), "error: arity: .mem.ts expects 1 argument, got 0");
    assert_eq!(text("(.mem.ts (raise \"x\"))"), "error: domain: ");
}

/// Namespaces as the reference binds them (answers captured from
/// RayforceDB v2.5.12): a dict of the members in its registration order,
/// a deeper level as a nested dict.
#[test]
fn namespaces_are_dicts_of_their_members() {
    assert_eq!(text("(key .sys)"), "[gc exec cmd timeit listen env args build mem prof querylog info]");
    assert_eq!(text("(key .time)"), "[now timer]");
    assert_eq!(text("(key (at .time 'timer))"), "[set del]");
    assert_eq!(text("(key .db)"), "[splayed parted]");
    assert_eq!(text("(key .csv)"), "[read splayed parted write]");
    assert_eq!(text("(key .log)"), "[open write replay validate roll snapshot sync close purge]");
    assert_eq!(text("(key .ipc)"), "[open close send post handle]");
    assert_eq!(text("(key .mem)"), "[objsize ts]");
    assert_eq!(text("(key .repl)"), "[connect disconnect]");
    assert_eq!(text("(key .os)"), "[getenv setenv]");
    assert_eq!(text("(key .fs)"), "[size list]");
    assert_eq!(text("(key .attr)"), "[set get drop]");
    assert_eq!(text("(key .col)"), "[link unlink link? target]");
    assert_eq!(text("(type .sys)"), "DICT");
    assert_eq!(text("(type (value .mem))"), "LIST");
    assert_eq!(text("((at .sys 'gc))"), "0");
    assert_eq!(text("(key (at .sys 'querylog))"), "[enable]");
    assert_eq!(text("(.sys)"), "error: type: eval: head of list is not callable, got DICT");
    assert_eq!(text(".nosuch"), "error: name: '.nosuch' undefined");
}

/// `(rc x)`: the evaluated argument's reference count (reference answers
/// where ours agree; a global is held once more by ours while it is read).
#[test]
fn rc_counts_the_owners_of_the_argument() {
    assert_eq!(text("(rc 5)"), "2");
    assert_eq!(text("(rc [1 2])"), "2");
    assert_eq!(text("(rc (list 1 2))"), "1");
    assert_eq!(text("(do (set rc_z [1 2]) (set rc_y rc_z) (> (rc rc_z) (rc [1 2])))"), "true");
    assert_eq!(text("(rc)"), "error: arity: expected 1 arg, got 0");
}
