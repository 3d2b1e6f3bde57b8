//! Storage speed in one run (issue 14), each figure beside its yardstick:
//! - save: `.db.splayed.set` of a 10M-row, 6-column table (2 I64, 2 F64,
//!   2 SYM of 100 symbols) vs the disk's sequential write speed, measured
//!   here by writing the saved files' bytes (from memory) to one file in
//!   the same directory and fsyncing it (and, for comparison, the same
//!   size from one hot 1 MB buffer);
//! - open: `.db.splayed.get` of that table (mapping, not reading), median
//!   of several opens;
//! - group-by: `(select {from: T s: (sum a) m: (avg c) by: e})` over the
//!   opened table vs the same query over the table in memory, and the
//!   first such query after an open (it translates the SYM column `e`
//!   from symbol-file positions, done on first touch);
//! - partitioned: `.db.parted.get` of a database of 1 and of 100
//!   partitions (`STORE_BENCH_PART_ROWS` rows each, the same 6 columns),
//!   and a query whose `where:` keeps one partition of 100 vs the same
//!   query over all of them.
//!
//! - the reference binary's figures for the same table, when it is at
//!   hand (`STORE_BENCH_REFERENCE`, default the oracle's path).
//!
//! Run briefly, once: `cargo bench --bench store` (`STORE_BENCH_ROWS` sets
//! the row count; the files go under target/store-bench and are removed).

use rayforce::Value;
use rayforce::abi::*;
use rayforce::core::{env, sym};
use rayforce::lang::RequestCtx;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn rows() -> usize {
    std::env::var("STORE_BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000_000)
}

/// The benchmark table: a, b I64; c, d F64; e, f SYM (100 symbols).
fn table(n: usize) -> Value {
    let names: Vec<i64> = (0..100).map(|i| sym::intern(format!("s{i}").as_bytes())).collect();
    let a: Vec<i64> = (0..n as i64).collect();
    let b: Vec<i64> = (0..n as i64).map(|i| i.wrapping_mul(2654435761) % 1000).collect();
    let c: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
    let d: Vec<f64> = (0..n).map(|i| (i % 977) as f64).collect();
    let e: Vec<i64> = (0..n).map(|i| names[(i * 7919) % 100]).collect();
    let f: Vec<i64> = (0..n).map(|i| names[i % 100]).collect();
    let cols = vec![
        ("a", Value::vec_from_slice(RAY_I64, &a).unwrap()),
        ("b", Value::vec_from_slice(RAY_I64, &b).unwrap()),
        ("c", Value::vec_from_slice(RAY_F64, &c).unwrap()),
        ("d", Value::vec_from_slice(RAY_F64, &d).unwrap()),
        ("e", Value::sym_vec(&e).unwrap()),
        ("f", Value::sym_vec(&f).unwrap()),
    ];
    Value::table_from(cols.into_iter().map(|(k, v)| (sym::intern(k.as_bytes()), v)).collect()).unwrap()
}

/// The disk's sequential write speed (MB/s) for the bytes a save writes:
/// the saved files' content, read back into fresh memory (as cold as a
/// table's columns), written in that order to one new file in `dir`
/// through the page cache, then fsynced. That is the least any save of
/// the table must do.
fn disk_write_speed(dir: &Path, files: &[Vec<u8>]) -> f64 {
    let path = dir.join("seq-write-probe");
    let start = Instant::now();
    let mut f = std::fs::File::create(&path).unwrap();
    for bytes in files {
        f.write_all(bytes).unwrap();
    }
    f.sync_all().unwrap();
    let secs = start.elapsed().as_secs_f64();
    std::fs::remove_file(&path).unwrap();
    files.iter().map(Vec::len).sum::<usize>() as f64 / secs / 1e6
}

/// The same size written from one hot 1 MB buffer (the cache-resident
/// best case, shown for comparison only).
fn hot_write_speed(dir: &Path, bytes: usize) -> f64 {
    let path = dir.join("seq-write-probe-hot");
    let chunk = vec![0x5au8; 1 << 20];
    let start = Instant::now();
    let mut f = std::fs::File::create(&path).unwrap();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        f.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    f.sync_all().unwrap();
    let secs = start.elapsed().as_secs_f64();
    std::fs::remove_file(&path).unwrap();
    bytes as f64 / secs / 1e6
}

fn ev(src: &str) -> Value {
    rayforce::lang::eval_str(src, RequestCtx::default()).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time<R>(runs: usize, mut f: impl FnMut() -> R) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    rayforce::ipc::install();
    rayforce::runtime::create(None);
    let n = rows();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/store-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let t = table(n);
    env::set(sym::intern(b"M"), t.clone());
    let tdir = dir.join("t");
    let q = format!("\"{}\"", tdir.display());

    let start = Instant::now();
    ev(&format!("(.db.splayed.set {q} M)"));
    let save = start.elapsed();
    let files: Vec<Vec<u8>> = std::fs::read_dir(&tdir).unwrap().flatten().map(|e| std::fs::read(e.path()).unwrap()).collect();
    let saved = files.iter().map(Vec::len).sum::<usize>() as u64;
    let disk = disk_write_speed(&dir, &files);
    drop(files);
    let hot = hot_write_speed(&dir, saved as usize);
    let save_speed = saved as f64 / save.as_secs_f64() / 1e6;

    let open = time(9, || ev(&format!("(.db.splayed.get {q})")));
    ev(&format!("(set D (.db.splayed.get {q}))"));
    let query = "s: (sum a) m: (avg c) by: e}";
    let in_memory = time(5, || ev(&format!("(select {{from: M {query})")));
    let opened = time(5, || ev(&format!("(select {{from: D {query})")));
    // The first query after an open pays for translating the SYM column
    // it groups by (translated on first touch): a fresh open each time.
    let first = median(
        (0..5)
            .map(|_| {
                ev(&format!("(set D1 (.db.splayed.get {q}))"));
                let t = Instant::now();
                std::hint::black_box(ev(&format!("(select {{from: D1 {query})")));
                t.elapsed()
            })
            .collect(),
    );
    ev("(set D1 0)");
    assert_eq!(
        rayforce::lang::format(&ev(&format!("(select {{from: M {query})")), 0),
        rayforce::lang::format(&ev(&format!("(select {{from: D {query})")), 0),
        "same answer"
    );

    println!("store bench, {n} rows x 6 columns (2 I64, 2 F64, 2 SYM), {} MB on disk", saved / 1_000_000);
    println!("  save           {:>9.1} ms  {save_speed:>7.0} MB/s", save.as_secs_f64() * 1e3);
    println!("  disk seq write, same bytes  {disk:>7.0} MB/s   save/disk = {:.2}", save_speed / disk);
    println!("  disk seq write, hot 1 MB    {hot:>7.0} MB/s   save/hot  = {:.2}", save_speed / hot);
    println!("  open (median)  {:>9.3} ms", open.as_secs_f64() * 1e3);
    println!("  group-by in memory {:>7.1} ms", in_memory.as_secs_f64() * 1e3);
    println!("  group-by opened    {:>7.1} ms   opened/in-memory = {:.2}", opened.as_secs_f64() * 1e3, opened.as_secs_f64() / in_memory.as_secs_f64());
    println!("  first group-by after open {:>5.1} ms   first/in-memory = {:.2}", first.as_secs_f64() * 1e3, first.as_secs_f64() / in_memory.as_secs_f64());
    ev("(set D 0)");
    drop(t);
    env::set(sym::intern(b"M"), Value::null());
    reference(&dir, n, [save, open, in_memory, opened]);
    parted(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The reference binary (`STORE_BENCH_REFERENCE`, else the oracle's path
/// when it exists), run on the same table built by a script: its save,
/// open and the two group-bys, printed beside ours. Skipped (with a line
/// saying so) when there is no reference binary.
fn reference(dir: &Path, n: usize, [save, open, in_memory, opened]: [Duration; 4]) {
    let bin = std::env::var("STORE_BENCH_REFERENCE").unwrap_or_else(|_| "/work/shared/oracle/rayforce".into());
    if !Path::new(&bin).is_file() {
        println!("reference: no binary at {bin} (set STORE_BENCH_REFERENCE)");
        return;
    }
    let tdir = dir.join("ref/t/");
    let q = format!("\"{}/\"", tdir.display());
    // The same six columns as `table`.
    let script = format!(
        "(set n {n})\n\
         (set S (map (fn [i] (as 'SYMBOL (format \"s%\" i))) (til 100)))\n\
         (set M (table [a b c d e f] (list (til n) (% (* (til n) 2654435761) 1000) (* (as 'F64 (til n)) 0.5) \
         (as 'F64 (% (til n) 977)) (at S (% (* (til n) 7919) 100)) (at S (% (til n) 100)))))\n\
         (set ts (timeit (.db.splayed.set {q} M)))\n\
         (set to (timeit (.db.splayed.get {q})))\n\
         (set D (.db.splayed.get {q}))\n\
         (set gm (timeit (select {{from: M s: (sum a) m: (avg c) by: e}})))\n\
         (set gd (timeit (select {{from: D s: (sum a) m: (avg c) by: e}})))\n\
         (format \"REF % % % %\" ts to gm gd)\n"
    );
    let run = || -> Option<Vec<f64>> {
        let mut child = std::process::Command::new(&bin)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(script.as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = text.lines().find(|l| l.contains("REF "))?;
        let ms: Vec<f64> = line.trim_matches('"').split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
        (ms.len() == 4).then_some(ms)
    };
    let Some(ms) = run() else {
        println!("reference: {bin} gave no timings");
        return;
    };
    let bytes: u64 = std::fs::read_dir(&tdir).map_or(0, |d| d.flatten().map(|e| e.metadata().map_or(0, |m| m.len())).sum());
    let ours = |d: Duration| d.as_secs_f64() * 1e3;
    println!("reference ({bin}), same table, its own timeit (ms), one run each");
    println!("  save           {:>9.1} ms  {:>7.0} MB/s   ours/reference = {:.2}", ms[0], bytes as f64 / (ms[0] / 1e3) / 1e6, ours(save) / ms[0]);
    println!("  open           {:>9.3} ms   ours/reference = {:.1}", ms[1], ours(open) / ms[1]);
    println!("  group-by in memory {:>7.1} ms   ours/reference = {:.2}", ms[2], ours(in_memory) / ms[2]);
    println!("  group-by opened    {:>7.1} ms   ours/reference = {:.2}", ms[3], ours(opened) / ms[3]);
    let _ = std::fs::remove_dir_all(dir.join("ref"));
}

/// Opening databases of 1 and 100 partitions, and one partition's query
/// against all partitions'.
fn parted(dir: &Path) {
    let per: usize = std::env::var("STORE_BENCH_PART_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    env::set(sym::intern(b"PM"), table(per));
    let mut open = Vec::new();
    for parts in [1usize, 100] {
        let root = dir.join(format!("db{parts}"));
        for p in 0..parts {
            ev(&format!("(do (.db.splayed.set \"{}/{p}/t\" PM) 0)", root.display()));
        }
        let get = format!("(do (set P (.db.parted.get \"{}\" 't)) 0)", root.display());
        open.push((parts, time(9, || ev(&get))));
    }
    let one = time(5, || ev("(select {from: P s: (sum a) m: (avg c) where: (== part 42)})"));
    let all = time(5, || ev("(select {from: P s: (sum a) m: (avg c)})"));
    println!("partitioned, {per} rows per partition");
    for (parts, t) in open {
        println!("  open {parts:>3} partitions {:>9.3} ms", t.as_secs_f64() * 1e3);
    }
    println!("  query 1 of 100 partitions {:>7.1} ms", one.as_secs_f64() * 1e3);
    println!("  query all 100 partitions  {:>7.1} ms   one/all = {:.3}", all.as_secs_f64() * 1e3, one.as_secs_f64() / all.as_secs_f64());
    ev("(set P 0)");
}
