//! Queries over partitioned tables (storage.md 4.5): `.db.parted.get`
//! reads no column data, a `where:` on the partition column reads only the
//! partitions it can match and answers as the same query over the whole
//! table in memory, partitions lacking a column give typed nulls, and the
//! lazy representation never reaches a user (printing, IPC answers, the C
//! API, serialization).
use rayforce::lang::{RequestCtx, format};
use rayforce::store::column::read::loads_on_this_thread;
use rayforce::Value;
use std::path::PathBuf;

#[path = "support/eval.rs"]
mod eval;
use eval::{ev, text};

/// Column files opened for their data while `src` runs (on this thread).
fn loads(src: &str) -> (u64, String) {
    let before = loads_on_this_thread();
    let out = text(src);
    (loads_on_this_thread() - before, out)
}

const DAYS: usize = 6;
/// Partitions from this one on lack the `qty` column.
const FIRST_WITHOUT_QTY: usize = 5;

/// A database of `DAYS` date partitions of table `t` (sym price qty),
/// written with our `.db.splayed.set`, bound to the global `name`.
fn database(tag: &str, name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("rayforce-parted-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for d in 1..=DAYS {
        let dir = root.join(format!("2024.01.0{d}/t"));
        let table = if d < FIRST_WITHOUT_QTY {
            format!("(table [sym price qty] (list ['a 'b 'a] [{d}.5 0Nf {d}.25] [{d} {} 0Nl]))", d * 10)
        } else {
            format!("(table [sym price] (list ['c 'a] [{d}.5 {d}.75]))")
        };
        let r = ev(&format!("(.db.splayed.set \"{}\" {table})", dir.display()));
        assert!(r.is_ok(), "saving partition {d}: {:?}", r.err());
    }
    ev(&format!("(do (set {name} (.db.parted.get \"{}\" 't)) 0)", root.display())).unwrap();
    root
}

/// The same query over the partitioned table and over its materialized
/// copy in memory: equal answers, and how many column files each read.
fn both(p: &str, m: &str, clauses: &str) -> (u64, u64) {
    let (lazy_reads, lazy) = loads(&format!("(select {{from: {p} {clauses}}})"));
    let (mem_reads, mem) = loads(&format!("(select {{from: {m} {clauses}}})"));
    assert_eq!(lazy, mem, "select {clauses}");
    assert_eq!(mem_reads, 0, "the in-memory copy reads nothing");
    (lazy_reads, mem_reads)
}

#[test]
fn opening_reads_no_column_data_and_count_reads_only_headers() {
    let root = database("open", "PartOpen");
    let (n, _) = loads(&format!("(.db.parted.get \"{}\" 't)", root.display()));
    // The answer to a user is materialized, so this one read everything;
    // binding it does not.
    assert!(n > 0);
    let before = loads_on_this_thread();
    ev(&format!("(do (set PartOpen2 (.db.parted.get \"{}\" 't)) 0)", root.display())).unwrap();
    assert_eq!(loads_on_this_thread() - before, DAYS as u64, "binding it reads each partition's .d, no column");
    assert_eq!(loads("(count PartOpen2)"), (0, "16".to_string()), "4 x 3 + 2 x 2 rows");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn where_on_the_partition_column_reads_only_the_matching_partitions() {
    let root = database("prune", "PartPrune");
    ev("(set PartPruneMem (select {from: PartPrune}))").unwrap();
    // One partition, one named column: one file.
    let (reads, _) = both("PartPrune", "PartPruneMem", "s: (sum price) where: (== date 2024.01.03)");
    assert_eq!(reads, 1);
    // Two partitions, two columns (price and sym).
    let (reads, _) = both("PartPrune", "PartPruneMem", "price: price sym: sym where: (>= date 2024.01.05)");
    assert_eq!(reads, 4);
    // Several filters intersect; other conjuncts still run per row.
    let (reads, _) = both(
        "PartPrune",
        "PartPruneMem",
        "price: price where: (and (> date 2024.01.01) (< date 2024.01.04) (== sym 'a))",
    );
    assert_eq!(reads, 2 * 2, "two partitions, price and sym");
    // `in` and `not in`, the key on the right of a comparison.
    let (reads, _) = both("PartPrune", "PartPruneMem", "p: price where: (in date [2024.01.02 2024.01.06])");
    assert_eq!(reads, 2);
    let (reads, _) = both("PartPrune", "PartPruneMem", "p: price where: (not (in date [2024.01.02 2024.01.06]))");
    assert_eq!(reads, 4);
    let (reads, _) = both("PartPrune", "PartPruneMem", "p: price where: (< 2024.01.05 date)");
    assert_eq!(reads, 1);
    // A TIMESTAMP literal compares as the in-memory query does (the
    // reference compares day numbers with nanoseconds and finds nothing).
    let (reads, _) = both("PartPrune", "PartPruneMem", "p: price where: (>= date 2024.01.05D00:00:00.000)");
    assert_eq!(reads, 2);
    assert!(!text("(select {p: price from: PartPrune where: (>= date 2024.01.05D00:00:00.000)})").contains("0 rows"));
    // No partition matches: nothing but the headers is read.
    let (reads, _) = both("PartPrune", "PartPruneMem", "p: price where: (== date 2023.12.31)");
    assert_eq!(reads, 0);
    // A filter that is not on the partition column reads every partition.
    let (reads, _) = both("PartPrune", "PartPruneMem", "p: price where: (> price 3.0)");
    assert_eq!(reads, DAYS as u64);
    // Whole-table shapes answer as in memory.
    both("PartPrune", "PartPruneMem", "");
    both("PartPrune", "PartPruneMem", "s: (sum price) c: (count qty) by: sym");
    both("PartPrune", "PartPruneMem", "where: (== date 2024.01.02) asc: price");
    both("PartPrune", "PartPruneMem", "p: price desc: price take: 3");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn partitions_lacking_a_column_give_typed_nulls() {
    let root = database("ragged", "PartRagged");
    let qty = ev("(at PartRagged 'qty)").unwrap();
    assert_eq!(qty.len(), 16, "as long as the table");
    assert_eq!(text("(type (at PartRagged 'qty))"), "I64");
    assert_eq!(text("(at PartRagged 'qty)"), "[1 10 0Nl 2 20 0Nl 3 30 0Nl 4 40 0Nl 0Nl 0Nl 0Nl 0Nl]");
    assert_eq!(text("(count (select {q: qty from: PartRagged where: (== date 2024.01.06)}))"), "2");
    assert_eq!(text("(sum (at (select {q: qty from: PartRagged where: (>= date 2024.01.04)}) 'q))"), "44");
    // `at` of one column reads that column's files only.
    assert_eq!(loads("(at PartRagged 'price)").0, DAYS as u64);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_partitioned_table_never_reaches_a_user_as_its_representation() {
    let root = database("escape", "PartEscape");
    let whole = text("(select {from: PartEscape})");
    assert!(whole.contains("2024.01.06") && !whole.contains(&root.display().to_string()));
    // The final value of a request, by source text and by name (IPC).
    let answer = ev("PartEscape").unwrap();
    assert_eq!(answer.table_nrows(), 16);
    assert_eq!(format(&answer, 0), whole);
    let by_name = rayforce::lang::eval_request(&Value::sym_id(rayforce::core::sym::intern(b"PartEscape")), RequestCtx::default()).unwrap();
    assert_eq!(format(&by_name, 0), whole);
    // Through a lambda, into a list, serialized and back, as a dict value.
    assert_eq!(text("((fn [x] x) PartEscape)"), whole);
    assert_eq!(text("(de (ser PartEscape))"), whole);
    assert_eq!(text("(first (list PartEscape))"), whole);
    assert_eq!(text("(at (env 0) 'PartEscape)"), whole);
    // The C API's borrowed binding.
    let id = rayforce::core::sym::intern(b"PartEscape");
    let p = rayforce::ffi::env::ray_env_get(id);
    assert!(!p.is_null());
    // SAFETY: a live borrowed binding, read before anything rebinds it.
    let t = unsafe { &*p };
    assert_eq!((t.table_nrows(), t.attrs & 0x04), (16, 0));
    // Mutating forms see the table it stands for.
    assert_eq!(text("(count (update {price: 0.0 from: PartEscape where: (== date 2024.01.01)}))"), "16");
    let _ = std::fs::remove_dir_all(root);
}

/// A database of date partitions of table `name` written from `tables`
/// (one table literal per day, 2024.01.01 on), bound to the global `name`.
fn days_of(tag: &str, name: &str, tables: &[String]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("rayforce-parted-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (d, table) in tables.iter().enumerate() {
        let dir = root.join(format!("2024.01.0{}/t", d + 1));
        ev(&format!("(.db.splayed.set \"{}\" {table})", dir.display())).unwrap();
    }
    ev(&format!("(do (set {name} (.db.parted.get \"{}\" 't)) 0)", root.display())).unwrap();
    root
}

#[test]
fn asof_join_over_partitions_answers_as_over_the_flattened_tables() {
    let trades: Vec<String> = (1..=3)
        .map(|d| format!("(table [sym time px] (list ['a 'b 'a] [09:00:0{d}.000 09:00:05.000 09:00:09.000] [{d}.5 {d}.25 {d}.75]))"))
        .collect();
    // Day 2 has no quote of b: the join carries day 1's last one.
    let quotes: Vec<String> = vec![
        "(table [sym time bid] (list ['a 'b] [09:00:00.000 09:00:01.000] [1.0 2.0]))".into(),
        "(table [sym time bid] (list ['a 'a] [09:00:02.000 09:00:08.000] [3.0 4.0]))".into(),
        "(table [sym time bid] (list ['b 'a] [09:00:04.000 09:00:06.000] [5.0 6.0]))".into(),
    ];
    let (tr, qr) = (days_of("asof-t", "AsofT", &trades), days_of("asof-q", "AsofQ", &quotes));
    ev("(set AsofTM (select {from: AsofT}))").unwrap();
    ev("(set AsofQM (select {from: AsofQ}))").unwrap();
    for (l, r) in [
        ("(select {from: AsofT})", "(select {from: AsofQ})"),
        ("(select {from: AsofT where: (>= date 2024.01.02)})", "(select {from: AsofQ})"),
        ("(select {sym: sym time: time px: px from: AsofT})", "(select {sym: sym time: time bid: bid from: AsofQ})"),
    ] {
        let over_parts = text(&format!("(asof-join [sym time] {l} {r})"));
        let flat = text(&format!(
            "(asof-join [sym time] {} {})",
            l.replace("AsofT", "AsofTM"),
            r.replace("AsofQ", "AsofQM")
        ));
        assert!(!over_parts.starts_with("error"), "{l} {r}: {over_parts}");
        assert_eq!(over_parts, flat, "asof-join [sym time] {l} {r}");
    }
    let _ = std::fs::remove_dir_all(tr);
    let _ = std::fs::remove_dir_all(qr);
}
