//! Query engine speed on generated tables of 1M and 10M rows (a SYM column
//! of 100 distinct values, an I64 qty, an F64 price), each figure beside a
//! hand-written single-threaded Rust loop doing the same work in the same run:
//! - filter: `(select {from: t where: (> price 150.0)})` vs one loop pushing
//!   the kept rows of the three columns;
//! - group-by: `(select {from: t by: sym s: (sum qty) a: (avg price) n: (count qty)})`
//!   vs one loop over a direct-indexed accumulator table (first-appearance order);
//! - left join: `(left-join [sym] t r)` with a 100-row `r` vs one loop
//!   mapping each row's sym to `r`'s row and pushing its bid.
//!
//! Queries go through `lang::eval_str` when the evaluator handles `select`,
//! otherwise through the test mini evaluator (same query engine).
//!
//! Memory: each op also runs once in a child process (this executable with
//! `mem OP ROWS`), which reports the peak resident growth over the run
//! (VmHWM after resetting it through /proc/self/clear_refs, minus VmRSS
//! before), engine and hand loop alike, beside the input columns' size.
//!
//! Run: `cargo bench --bench query` (criterion groups, then a summary table of
//! medians, ratios and memory); `cargo bench --bench query -- summary` prints
//! only the summary. `QUERY_BENCH_ROWS=1000000` restricts the sizes.

#[path = "../tests/support/mini.rs"]
mod mini;

use criterion::Criterion;
use rayforce::Value;
use rayforce::abi::*;
use rayforce::core::{env, sym};
use std::hint::black_box;
use std::time::{Duration, Instant};

const THRESHOLD: f64 = 150.0;

struct Data {
    rows: usize,
    syms: Vec<i64>,
    qty: Vec<i64>,
    price: Vec<f64>,
    r_syms: Vec<i64>,
    r_bid: Vec<f64>,
}

fn lcg(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 33
}

fn data(rows: usize) -> Data {
    let names: Vec<i64> = (0..100).map(|i| sym::intern(format!("S{i:03}").as_bytes())).collect();
    let mut s = 42u64;
    let syms = (0..rows).map(|_| names[(lcg(&mut s) % 100) as usize]).collect();
    let qty = (0..rows).map(|_| (lcg(&mut s) % 1000) as i64 + 1).collect();
    let price = (0..rows).map(|_| 100.0 + (lcg(&mut s) % 10000) as f64 / 100.0).collect();
    let r_bid = (0..100).map(|i| 100.0 + i as f64).collect();
    Data { rows, syms, qty, price, r_syms: names, r_bid }
}

fn bind(d: &Data) {
    let t = Value::table_from(vec![
        (sym::intern(b"sym"), Value::sym_vec(&d.syms).unwrap()),
        (sym::intern(b"qty"), Value::vec_from_slice(RAY_I64, &d.qty).unwrap()),
        (sym::intern(b"price"), Value::vec_from_slice(RAY_F64, &d.price).unwrap()),
    ])
    .unwrap();
    let r = Value::table_from(vec![
        (sym::intern(b"sym"), Value::sym_vec(&d.r_syms).unwrap()),
        (sym::intern(b"bid"), Value::vec_from_slice(RAY_F64, &d.r_bid).unwrap()),
    ])
    .unwrap();
    env::set(sym::intern(b"t"), t);
    env::set(sym::intern(b"r"), r);
}

/// Evaluates a query with the real evaluator when it supports queries, else with the mini one.
fn query(src: &str) -> Value {
    let real = rayforce::lang::eval_str(src, rayforce::lang::RequestCtx::default());
    match real {
        Ok(v) => v,
        Err(e) if e.code_str() == "nyi" => mini::run(src).expect("query"),
        Err(e) => panic!("{src}: {e:?}"),
    }
}

const FILTER: &str = "(select {from: t where: (> price 150.0)})";
const GROUP: &str = "(select {from: t by: sym s: (sum qty) a: (avg price) n: (count qty)})";
const JOIN: &str = "(left-join [sym] t r)";

fn hand_filter(d: &Data) -> (Vec<i64>, Vec<i64>, Vec<f64>) {
    let (mut s, mut q, mut p) = (Vec::with_capacity(d.rows), Vec::with_capacity(d.rows), Vec::with_capacity(d.rows));
    for i in 0..d.rows {
        if d.price[i] > THRESHOLD {
            s.push(d.syms[i]);
            q.push(d.qty[i]);
            p.push(d.price[i]);
        }
    }
    (s, q, p)
}

fn hand_group(d: &Data) -> (Vec<i64>, Vec<i64>, Vec<f64>, Vec<i64>) {
    let max = d.syms.iter().copied().max().unwrap_or(0) as usize;
    let mut slot = vec![u32::MAX; max + 1];
    let (mut keys, mut sums, mut fsum, mut cnt, mut pcnt) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..d.rows {
        let k = d.syms[i] as usize;
        let mut g = slot[k];
        if g == u32::MAX {
            g = keys.len() as u32;
            slot[k] = g;
            keys.push(d.syms[i]);
            sums.push(0i64);
            fsum.push(0f64);
            cnt.push(0i64);
            pcnt.push(0i64);
        }
        let g = g as usize;
        if d.qty[i] != NULL_I64 {
            sums[g] += d.qty[i];
        }
        cnt[g] += 1;
        if !d.price[i].is_nan() {
            fsum[g] += d.price[i];
            pcnt[g] += 1;
        }
    }
    let avg = fsum.iter().zip(&pcnt).map(|(s, &c)| s / c as f64).collect();
    (keys, sums, avg, cnt)
}

fn hand_join(d: &Data) -> Vec<f64> {
    let max = d.r_syms.iter().copied().max().unwrap_or(0) as usize;
    let mut slot = vec![u32::MAX; max + 1];
    for (j, &k) in d.r_syms.iter().enumerate() {
        if slot[k as usize] == u32::MAX {
            slot[k as usize] = j as u32;
        }
    }
    let mut out = Vec::with_capacity(d.rows);
    for &k in &d.syms {
        let j = slot.get(k as usize).copied().unwrap_or(u32::MAX);
        out.push(if j == u32::MAX { f64::NAN } else { d.r_bid[j as usize] });
    }
    out
}

fn sizes() -> Vec<usize> {
    match std::env::var("QUERY_BENCH_ROWS") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![1_000_000, 10_000_000],
    }
}

/// Checks that engine and hand loop agree before timing them.
fn verify(d: &Data) {
    let t = query(FILTER);
    assert_eq!(t.table_nrows() as usize, hand_filter(d).0.len());
    let g = query(GROUP);
    let (keys, sums, _, cnt) = hand_group(d);
    let cols = g.table_cols().unwrap();
    let k = cols.item(0).unwrap();
    assert_eq!((0..k.len() as usize).map(|i| k.sym_at(i)).collect::<Vec<_>>(), keys);
    assert_eq!(cols.item(1).unwrap().elems::<i64>(), &sums[..]);
    assert_eq!(cols.item(3).unwrap().elems::<i64>(), &cnt[..]);
    let j = query(JOIN);
    assert_eq!(j.table_cols().unwrap().item(3).unwrap().elems::<f64>(), &hand_join(d)[..]);
}

fn median(mut f: impl FnMut(), budget: Duration) -> Duration {
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 5 || (start.elapsed() < budget && samples.len() < 200) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

/// Bytes of the input columns (sym, qty, price: 8 bytes each per row).
fn input_bytes(rows: usize) -> usize {
    rows * 24
}

fn status_kb(field: &str) -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|x| x.parse().ok())
        .unwrap_or(0)
}

/// Child side of the memory figure: peak resident growth (bytes) while
/// running `op` once, result kept alive until the peak is read.
fn mem_child(op: &str, rows: usize) {
    let d = data(rows);
    bind(&d);
    drop(query("(select {from: r where: (> bid 150.0)})"));
    let base = status_kb("VmRSS:");
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let keep: Box<dyn std::any::Any> = match op {
        "filter" => Box::new(query(FILTER)),
        "group-by" => Box::new(query(GROUP)),
        "left-join" => Box::new(query(JOIN)),
        "hand-filter" => Box::new(hand_filter(&d)),
        "hand-group-by" => Box::new(hand_group(&d)),
        "hand-left-join" => Box::new(hand_join(&d)),
        _ => panic!("unknown op {op}"),
    };
    let peak = status_kb("VmHWM:");
    black_box(&keep);
    println!("{}", if reset { peak.saturating_sub(base) * 1024 } else { 0 });
}

/// Peak extra resident bytes of `op` on `rows` rows, measured in a child.
fn peak_extra(op: &str, rows: usize) -> Option<usize> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe).args(["mem", op, &rows.to_string()]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).lines().last()?.trim().parse().ok().filter(|&b| b > 0)
}

fn mb(b: Option<usize>) -> String {
    b.map_or("n/a".into(), |b| format!("{:.1} MB", b as f64 / 1e6))
}

fn summary() {
    println!("\nquery bench summary (median; ratio = engine / hand loop; {} threads available)", std::thread::available_parallelism().map_or(1, |p| p.get()));
    println!(
        "{:<10} {:>10} {:>12} {:>12} {:>7} {:>11} {:>11} {:>9}",
        "op", "rows", "engine", "hand loop", "ratio", "eng mem", "hand mem", "mem/input"
    );
    for rows in sizes() {
        let d = data(rows);
        bind(&d);
        verify(&d);
        let budget = Duration::from_secs(if rows > 2_000_000 { 6 } else { 3 });
        let ops: [(&str, &str, &dyn Fn()); 3] = [
            ("filter", FILTER, &|| drop(black_box(hand_filter(&d)))),
            ("group-by", GROUP, &|| drop(black_box(hand_group(&d)))),
            ("left-join", JOIN, &|| drop(black_box(hand_join(&d)))),
        ];
        for (name, q, hand) in ops {
            let e = median(|| drop(black_box(query(q))), budget);
            let h = median(hand, budget);
            let (em, hm) = (peak_extra(name, rows), peak_extra(&format!("hand-{name}"), rows));
            println!(
                "{name:<10} {rows:>10} {:>9.3} ms {:>9.3} ms {:>7.2} {:>11} {:>11} {:>9}",
                e.as_secs_f64() * 1e3,
                h.as_secs_f64() * 1e3,
                e.as_secs_f64() / h.as_secs_f64(),
                mb(em),
                mb(hm),
                em.map_or("n/a".into(), |b| format!("{:.2}", b as f64 / input_bytes(rows) as f64)),
            );
        }
    }
}

fn criterion_groups(c: &mut Criterion) {
    for rows in sizes() {
        let d = data(rows);
        bind(&d);
        let mut g = c.benchmark_group(format!("query_{rows}"));
        g.sample_size(10).measurement_time(Duration::from_secs(if rows > 2_000_000 { 8 } else { 3 }));
        g.bench_function("filter/engine", |b| b.iter(|| query(FILTER)));
        g.bench_function("filter/hand", |b| b.iter(|| hand_filter(&d)));
        g.bench_function("group/engine", |b| b.iter(|| query(GROUP)));
        g.bench_function("group/hand", |b| b.iter(|| hand_group(&d)));
        g.bench_function("join/engine", |b| b.iter(|| query(JOIN)));
        g.bench_function("join/hand", |b| b.iter(|| hand_join(&d)));
        g.finish();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, op, rows] = &args[..] {
        if mode == "mem" {
            return mem_child(op, rows.parse().expect("rows"));
        }
        if mode == "loop" {
            // For profilers: the engine side of one op, 200 times.
            let d = data(rows.parse().expect("rows"));
            bind(&d);
            let q = [("filter", FILTER), ("group-by", GROUP), ("left-join", JOIN)].iter().find(|o| o.0 == op).expect("op").1;
            for _ in 0..200 {
                drop(black_box(query(q)));
            }
            return;
        }
    }
    let only_summary = std::env::args().any(|a| a == "summary");
    if !only_summary {
        let mut c = Criterion::default().configure_from_args();
        criterion_groups(&mut c);
        c.final_summary();
    }
    summary();
}
