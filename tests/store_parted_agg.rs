//! Aggregation and `take:` over partitioned tables: a `by:` query whose
//! outputs are decomposable aggregates runs partition by partition (never
//! gathering two partitions at once) and answers as the same query over
//! the whole table in memory; `take:` reads only the partitions holding
//! the rows it keeps.
use rayforce::store::column::read::loads_on_this_thread;
use rayforce::store::parted::take_widest_gather;
use std::path::PathBuf;

#[path = "support/eval.rs"]
mod eval;
use eval::{ev, text};

const PARTS: usize = 5;

/// A database of `PARTS` numbered partitions of table `t` (k g x f),
/// nulls in x and f, a key that first appears in a later partition, bound
/// to `name`; its materialized copy is bound to `<name>M`.
fn database(tag: &str, name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("rayforce-parted-agg-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for p in 0..PARTS {
        let dir = root.join(format!("{p}/t"));
        let late = if p >= 2 { "'late" } else { "'b" };
        let table = format!(
            "(table [k g x f] (list ['a 'b {late} 'a 'c] [1 2 1 2 1] [{p}0 0Nl {p}2 -{p} {p}7] [1.5 0Nf {p}.25 -2.5 {p}.75]))"
        );
        let r = ev(&format!("(.db.splayed.set \"{}\" {table})", dir.display()));
        assert!(r.is_ok(), "saving partition {p}: {:?}", r.err());
    }
    ev(&format!("(do (set {name} (.db.parted.get \"{}\" 't)) 0)", root.display())).unwrap();
    ev(&format!("(do (set {name}M (select {{from: {name}}})) 0)")).unwrap();
    root
}

/// `clauses` over the partitioned table `p` and its copy in memory: the
/// answers agree; returns the widest gather and the column files read.
fn same(p: &str, clauses: &str) -> (usize, u64) {
    take_widest_gather();
    let before = loads_on_this_thread();
    let lazy = text(&format!("(select {{from: {p} {clauses}}})"));
    let reads = loads_on_this_thread() - before;
    let widest = take_widest_gather();
    let mem = text(&format!("(select {{from: {p}M {clauses}}})"));
    assert_eq!(lazy, mem, "select {clauses}");
    assert!(!lazy.contains("error"), "{clauses}: {lazy}");
    (widest, reads)
}

#[test]
fn decomposable_aggregates_by_columns_run_one_partition_at_a_time() {
    let root = database("by", "PA");
    for clauses in [
        "s: (sum x) c: (count x) by: k",
        "lo: (min x) hi: (max f) by: k",
        "a: (first x) z: (last f) by: k",
        "m: (avg x) n: (avg f) by: k",
        "s: (sum f) m: (avg x) by: [k g]",
        "s: (sum x) by: part",
        "s: (sum x) m: (avg f) by: k where: (> x 1)",
        "s: (sum x) by: k where: (>= part 3)",
        "s: (sum x) m: (max f) by: g desc: s take: 1",
    ] {
        let (widest, _) = same("PA", clauses);
        assert_eq!(widest, 1, "{clauses}: partitions gathered together");
    }
    // What does not decompose still answers, over the gathered rows.
    for clauses in ["m: (med x) by: k", "s: (sum (* x 2)) by: k", "s: (sum x) by: (> x 3)"] {
        let (widest, _) = same("PA", clauses);
        assert_eq!(widest, PARTS, "{clauses}");
    }
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn take_reads_only_the_partitions_holding_its_rows() {
    let root = database("take", "PT");
    // 5 rows per partition: 3 rows are in the first, 7 in the first two.
    assert_eq!(same("PT", "take: 3"), (1, 4), "one partition, every column");
    assert_eq!(same("PT", "x: x take: 7").1, 2);
    assert_eq!(same("PT", "x: x f: f take: -6").1, 4, "the last two partitions");
    assert_eq!(same("PT", "x: x take: 100").1, PARTS as u64, "more than all rows: all of them");
    // `take:` after a filter, a sort or a grouping needs every partition.
    assert_eq!(same("PT", "x: x where: (> x 3) take: 2").1, PARTS as u64);
    assert_eq!(same("PT", "x: x desc: x take: 2").1, PARTS as u64);
    same("PT", "x: x take: [3 4]");
    let _ = std::fs::remove_dir_all(root);
}
