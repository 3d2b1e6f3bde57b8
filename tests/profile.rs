//! The profiler (`.sys.timeit`, `.sys.prof`, the REPL's tree) and the
//! worker figures of `.mem.ts` and `.sys.querylog`. The switches are
//! process-wide, so everything runs in one test, in order.

#[path = "support/eval.rs"]
mod eval;

use eval::{ev, text};

fn column(t: &str, col: &str) -> String {
    text(&format!("(at {t} '{col})"))
}

#[test]
fn profiles_record_calls_rows_and_workers() {
    rayforce::ops::par::set_cores(2);
    assert_eq!(text("(.sys.timeit 0)"), "0");
    ev("(sum (til 10))").unwrap();
    // Off: no rows, and the REPL prints no tree.
    assert_eq!(text("(count (.sys.prof))"), "0");

    assert_eq!(text("(.sys.timeit 1)"), "1");
    ev("(sum (til 1000000))").unwrap();
    ev("(set P (.sys.prof))").unwrap();
    // Children before their parent; the parse and the rest of the evaluation are points.
    assert_eq!(column("P", "operator"), "[parse til sum eval top-level]");
    assert_eq!(column("P", "depth"), "[1 2 1 1 0]");
    assert_eq!(column("P", "rows"), "[0 1000000 1 0 0]");
    // A parent's time holds its children's; exclusive shares add up to the whole.
    assert_eq!(text("(>= (at (at P 'cumulative-ms) 2) (at (at P 'cumulative-ms) 1))"), "true");
    assert_eq!(text("(< (abs (- 100.0 (sum (at P 'percent)))) 0.001)"), "true");
    // til allocated its 8 MB result.
    assert_eq!(text("(>= (at (at P 'allocated-kib) 1) 7812.0)"), "true");

    // Atom-only calls and calls inside lambda bodies are not recorded.
    ev("(+ 1 2)").unwrap();
    assert_eq!(column("(.sys.prof)", "operator"), "[parse eval top-level]");
    ev("((fn [n] (til n)) 5)").unwrap();
    assert_eq!(column("(.sys.prof)", "operator"), "[parse eval top-level]");
    // A call whose argument recorded a call is kept with it.
    ev("(do (+ 1 2) (til 3))").unwrap();
    assert_eq!(column("(.sys.prof)", "operator"), "[parse til do eval top-level]");
    // A failing call leaves no span.
    assert!(ev("(til 'a)").is_err());
    assert_eq!(column("(.sys.prof)", "operator"), "[parse eval top-level]");

    // A parallel group-by: its steps, with the workers that ran.
    ev("(set T (table [a b] (list (til 3000000) (% (til 3000000) 7))))").unwrap();
    ev("(select {s: (sum a) by: b from: T where: (> a 5)})").unwrap();
    ev("(set P (.sys.prof))").unwrap();
    assert_eq!(column("P", "operator"), "[parse > where group select eval top-level]");
    assert_eq!(column("P", "rows"), "[0 3000000 2999994 7 7 0 0]");
    // The most workers at once: 2, or 1 when a busy machine runs them in turn.
    assert!(["1", "2"].contains(&text("(at (at P 'workers) 3)").as_str()));
    assert_eq!(text("(> (at (at P 'busy-ms) 3) 0.0)"), "true");

    // The tree the REPL prints after the result.
    ev("(first (til 3))").unwrap();
    let tree = rayforce::runtime::profile::render_last().unwrap();
    let shape: Vec<String> = tree
        .lines()
        .map(|l| l.split(':').next().unwrap().split(" ms").next().unwrap().split(|c: char| c.is_ascii_digit()).next().unwrap().to_string())
        .collect();
    assert_eq!(shape, ["╭ top-level", "│ ✶  parse", "│ ╭ first", "│ │ ╭ til", "│ │ ╰─┤ ", "│ ╰─┤ ", "│ ✶  eval", "╰─┤ "], "{tree}");
    assert!(tree.lines().nth(4).unwrap().contains("  rows=3"), "{tree}");
    assert!(tree.lines().nth(5).unwrap().contains(" self="), "{tree}");

    // .mem.ts counts the workers of what it evaluates.
    ev("(set M (.mem.ts (select {s: (sum a) by: b from: T})))").unwrap();
    // (The peak of workers running at once: 2 on an idle machine, 1 when the
    // scheduler runs the two kernel threads one after the other.)
    assert!(["1", "2"].contains(&text("(at M 'workers)").as_str()));
    assert_eq!(text("(> (at M 'worker-busy-ns) 0)"), "true");
    assert_eq!(text("(.sys.timeit 0)"), "0");

    // The query log keeps the text as typed (without the REPL's line break) and the workers.
    assert_eq!(text("(.sys.querylog.enable 1)"), "1");
    ev("(+ 1 2)\n").unwrap();
    ev("(select {s: (sum a) by: b from: T})").unwrap();
    ev("(set Q (.sys.querylog))").unwrap();
    assert_eq!(text("(at (at Q 'query) (- (count Q) 2))"), "\"(+ 1 2)\"");
    assert!(["1", "2"].contains(&text("(last (at Q 'workers))").as_str()));
    assert_eq!(text("(.sys.querylog.enable 0)"), "0");
    rayforce::ops::par::set_cores(0);
}
