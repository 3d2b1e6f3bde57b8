//! SYM columns of an opened splayed table are translated from symbol-file
//! positions to process symbols on first touch (issue 14): opening does
//! not read the cells, every answer over the opened table equals the one
//! over the table in memory, the files never change, and a cell outside
//! the symbol file fails the first query that touches its column, naming
//! the file.
use rayforce::core::lazy;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[path = "support/eval.rs"]
mod eval;
use eval::{ev, text, text_msg};

/// A fresh scratch directory for one test.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rayforce-lazy-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn quoted(p: &Path) -> String {
    format!("\"{}/\"", p.display())
}

/// Every file under `dir` by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// `name` bound to a table of I64, F64 and two SYM columns (one sorted,
/// symbols not interned before), saved to a fresh directory; `open` bound
/// to that directory opened. Returns the directory.
fn saved_and_opened(tag: &str, name: &str, open: &str) -> PathBuf {
    let dir = scratch(tag).join("t");
    ev(&format!(
        "(set {name} (table [a c e s] (list (til 300) (* 0.5 (til 300)) \
         (take (as 'SYMBOL [\"lzk{tag}1\" \"lzk{tag}2\" \"lzk{tag}3\" \"lzk{tag}1\" \"\" \"lzk{tag}4\"]) 300) (asc (take ['p 'q 'r] 300)))))"
    ))
    .unwrap();
    ev(&format!("(.db.splayed.set {} {name})", quoted(&dir))).unwrap();
    ev(&format!("(set {open} (.db.splayed.get {}))", quoted(&dir))).unwrap();
    dir
}

#[test]
fn opening_leaves_sym_columns_untranslated_until_first_touch() {
    saved_and_opened("touch", "LzT0", "LzD0");
    let e = ev("(at LzD0 'e)").unwrap();
    assert!(lazy::is_pending(&e), "open translated the column");
    // A query over other columns does not translate it either.
    assert_eq!(text("(select {from: LzD0 s: (sum a)})"), text("(select {from: LzT0 s: (sum a)})"));
    assert!(lazy::is_pending(&e));
    // The first query over it does, once; the answer is the in-memory one.
    assert_eq!(text("(select {from: LzD0 n: (count a) by: e})"), text("(select {from: LzT0 n: (count a) by: e})"));
    assert!(!lazy::is_pending(&e));
    assert_eq!(text("(at LzD0 'e)"), text("(at LzT0 'e)"));
}

#[test]
fn answers_over_the_opened_table_equal_those_in_memory() {
    let dir = saved_and_opened("answers", "LzT1", "LzD1");
    let before = files(&dir);
    let queries = [
        "X",
        "(at X 'e)",
        "(at X 's)",
        "(select {from: X n: (count a) m: (avg c) by: e})",
        "(select {from: X n: (sum a) by: [e s]})",
        "(select {from: X where: (== e 'lzkanswers2)})",
        "(select {from: X where: (and (== s 'q) (> a 250))})",
        "(update {from: X a: 0 where: (== e 'lzkanswers3)})",
        "(update {from: X e: 'fresh where: (< a 3)})",
        "(insert X (list 7 1.5 'lzkanswers9 'r))",
        "(insert X (list 8 2.5 'lzkanswers1 'p))",
        "(distinct (at X 'e))",
        "(first (at X 'e))",
        "(last (at X 's))",
        "(de (ser X))",
        "(== (at X 'e) 'lzkanswers4)",
        "(asc (at X 'e))",
        "(count (group (at X 'e)))",
    ];
    for q in queries {
        let mem = q.replace('X', "LzT1");
        let opened = q.replace('X', "LzD1");
        assert_eq!(text(&opened), text(&mem), "{q}");
        // The REPL's layout too (printing).
        assert_eq!(eval::answer(&opened, 1, eval::Errors::Code), eval::answer(&mem, 1, eval::Errors::Code), "{q}");
    }
    // The sorted attribute survives (it did before: header bit 0x20).
    assert_eq!(text("(.attr.get (at LzD1 's))"), text("(.attr.get (at LzT1 's))"));
    // Update and insert made copies: the files are byte-identical.
    assert_eq!(files(&dir), before, "the opened table's files changed");
}

#[test]
fn an_opened_table_saves_as_the_table_in_memory() {
    let dir = saved_and_opened("resave", "LzT2", "LzD2");
    let again = dir.parent().unwrap().join("again");
    let mem = dir.parent().unwrap().join("mem");
    ev(&format!("(.db.splayed.set {} LzD2)", quoted(&again))).unwrap();
    ev(&format!("(.db.splayed.set {} LzT2)", quoted(&mem))).unwrap();
    assert_eq!(files(&again), files(&mem));
    assert_eq!(files(&again), files(&dir));
}

#[test]
fn a_cell_outside_the_symbol_file_fails_the_first_query_touching_it() {
    let dir = saved_and_opened("corrupt", "LzT3", "LzD3");
    // Row 5 of column e (W8 cells after the 32-byte header) points past
    // the symbol file's entries.
    let col = dir.join("e");
    let mut bytes = std::fs::read(&col).unwrap();
    assert_eq!(bytes[17], 0, "a raw column");
    bytes[32 + 5] = 250;
    // Replaced by rename, as saves do: LzD3 keeps mapping the old file.
    std::fs::write(dir.join("e.tmp"), bytes).unwrap();
    std::fs::rename(dir.join("e.tmp"), &col).unwrap();
    ev(&format!("(set LzB3 (.db.splayed.get {}))", quoted(&dir))).unwrap();
    // Columns other than e answer as before.
    assert_eq!(text("(select {from: LzB3 n: (count a) by: s})"), text("(select {from: LzT3 n: (count a) by: s})"));
    // Any query over e fails with the column's path, and keeps failing.
    let want = format!("error: corrupt: column {}: symbol position 250 outside symfile count", col.display());
    for q in ["(select {from: LzB3 n: (count a) by: e})", "(select {from: LzB3 where: (== e 'p)})", "(distinct (at LzB3 'e))"] {
        let got = text_msg(q);
        assert!(got.starts_with(&want), "{q}: {got}");
    }
    // The table opened before the damage still reads its own (good) mapping.
    assert_eq!(text("(distinct (at LzD3 'e))"), text("(distinct (at LzT3 'e))"));
}

#[test]
fn threads_touching_a_column_first_at_once_see_it_translated() {
    saved_and_opened("threads", "LzT4", "LzD4");
    let want = text("(select {from: LzT4 n: (count a) by: e})");
    let got: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4).map(|_| s.spawn(|| text("(select {from: LzD4 n: (count a) by: e})"))).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(got.iter().all(|g| *g == want), "{got:?}");
}
