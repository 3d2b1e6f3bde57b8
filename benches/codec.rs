//! Codec speed, each figure beside a baseline measured in the same run:
//! - a 10M-element I64 vector: encode, decode, encode+decode vs a plain
//!   memcpy of the same 80 MB (target: encode+decode >= 50% of memcpy);
//! - a 1M-row table (i64, f64, sym columns): encode, decode;
//! - compression and decompression of serialized payloads vs memcpy
//!   (target: compression >= 2.4 GB/s, 4x the reference's ~0.6 GB/s):
//!   the kernels (`compress_into`/`decompress_into` into a reused buffer)
//!   and the allocating API (`compress`/`decompress`). `compress_into`
//!   uses the AVX-512 encoder where the CPU has it; the portable encoder
//!   (every other CPU) is timed beside it.
//!
//! Two memcpy baselines: into a warm, reused buffer, and into a newly
//! allocated vector of the same kind the decoder returns (a ray_t block
//! from the same allocator), since decoding has to produce new memory. The
//! allocator keeps freed blocks of 4 MiB and more for reuse, so in these
//! repeated rounds both baselines (and the decoder) write warm memory.
//!
//! Run: `cargo bench --bench codec` (criterion groups, then a summary table
//! of medians and ratios). `cargo bench --bench codec -- summary` prints
//! only the summary; add `cpu` to time it by thread CPU time.

use criterion::{BenchmarkId, Criterion, Throughput};
use rayforce::Value;
use rayforce::abi::*;
use rayforce::codec::{self, compress};
use rayforce::core::sym;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn i64_vector(n: i64) -> Value {
    Value::vec_from_slice(RAY_I64, &(0..n).map(|i| i * 7 - 3).collect::<Vec<i64>>()).unwrap()
}

fn table(rows: usize) -> Value {
    let names: Vec<i64> = (0..100).map(|i| sym::intern(format!("sym{i:03}").as_bytes())).collect();
    let ids: Vec<i64> = (0..rows as i64).collect();
    let prices: Vec<f64> = (0..rows).map(|i| 100.0 + (i % 1000) as f64 / 8.0).collect();
    let syms: Vec<i64> = (0..rows).map(|i| names[(i * 31) % names.len()]).collect();
    Value::table_from(vec![
        (sym::intern(b"id"), Value::vec_from_slice(RAY_I64, &ids).unwrap()),
        (sym::intern(b"price"), Value::vec_from_slice(RAY_F64, &prices).unwrap()),
        (sym::intern(b"sym"), Value::sym_vec(&syms).unwrap()),
    ])
    .unwrap()
}

/// Payloads for the compression figures.
fn compression_inputs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("til_10M", codec::encode(&Value::vec_from_slice(RAY_I64, &(0..10_000_000i64).collect::<Vec<_>>()).unwrap()).unwrap()),
        ("table_1M", codec::encode(&table(1_000_000)).unwrap()),
    ]
}

fn memcpy_into(dst: &mut [u8], src: &[u8]) {
    dst.copy_from_slice(src);
    black_box(dst);
}

/// A copy of `src` into a fresh U8 vector from the ray_t allocator.
fn memcpy_fresh(src: &[u8]) {
    let mut v = Value::vec_with_capacity(RAY_U8, src.len() as i64).unwrap();
    v.extend_from_bytes(src).unwrap();
    drop(black_box(v));
}

fn criterion_groups(c: &mut Criterion) {
    let v = i64_vector(10_000_000);
    let bytes = codec::encode(&v).unwrap();
    let mut dst = vec![0u8; bytes.len()];
    let mut out = Vec::with_capacity(bytes.len());
    let mut g = c.benchmark_group("i64_10M");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("baseline_memcpy", |b| b.iter(|| memcpy_into(&mut dst, &bytes)));
    g.bench_function("baseline_memcpy_fresh", |b| b.iter(|| memcpy_fresh(&bytes)));
    g.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            codec::encode_into(&v, &mut out).unwrap();
            black_box(&out);
        })
    });
    g.bench_function("decode", |b| b.iter(|| black_box(codec::decode(&bytes).unwrap())));
    g.bench_function("encode_decode", |b| {
        b.iter(|| {
            out.clear();
            codec::encode_into(&v, &mut out).unwrap();
            black_box(codec::decode(&out).unwrap())
        })
    });
    g.finish();

    let t = table(1_000_000);
    let tbytes = codec::encode(&t).unwrap();
    let mut tdst = vec![0u8; tbytes.len()];
    let mut g = c.benchmark_group("table_1M_rows");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(tbytes.len() as u64));
    g.bench_function("baseline_memcpy", |b| b.iter(|| memcpy_into(&mut tdst, &tbytes)));
    g.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            codec::encode_into(&t, &mut out).unwrap();
            black_box(&out);
        })
    });
    g.bench_function("decode", |b| b.iter(|| black_box(codec::decode(&tbytes).unwrap())));
    g.finish();

    let mut g = c.benchmark_group("compression");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for (name, p) in compression_inputs() {
        let stream = codec::compress(&p).expect("compressible");
        let mut pdst = vec![0u8; p.len()];
        g.throughput(Throughput::Bytes(p.len() as u64));
        g.bench_with_input(BenchmarkId::new("baseline_memcpy", name), &p, |b, p| b.iter(|| memcpy_into(&mut pdst, p)));
        let mut cbuf = vec![0u8; p.len()];
        g.bench_with_input(BenchmarkId::new("compress_into", name), &p, |b, p| {
            b.iter(|| black_box(compress::compress_into(p, &mut cbuf)))
        });
        g.bench_with_input(BenchmarkId::new("decompress_into", name), &stream, |b, s| {
            b.iter(|| compress::decompress_into(s, &mut pdst).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("compress", name), &p, |b, p| b.iter(|| black_box(codec::compress(p))));
        g.bench_with_input(BenchmarkId::new("decompress", name), &stream, |b, s| {
            b.iter(|| black_box(codec::decompress(s, p.len()).unwrap()))
        });
    }
    g.finish();
}

/// Median wall time of `f` over `runs` runs (after one warm-up).
/// Set by the `cpu` argument: time the summary by this thread's CPU time
/// (from /proc/thread-self/schedstat, kernel time such as page faults
/// included) instead of wall time, for figures that hold on a loaded
/// machine where the thread waits for a core. Wall time otherwise.
static CPU_CLOCK: AtomicBool = AtomicBool::new(false);

fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(stat.split_whitespace().next()?.parse().ok()?))
}

/// Time taken by one call of `f` on the selected clock. The CPU clock only
/// advances at scheduler ticks, so a sample there repeats `f` for at least
/// 200 ms and divides.
fn time(f: &mut impl FnMut(), reps: u32) -> Duration {
    if CPU_CLOCK.load(Ordering::Relaxed)
        && let Some(start) = thread_cpu_time()
    {
        for _ in 0..reps {
            f();
        }
        return thread_cpu_time().map_or(Duration::ZERO, |end| end.saturating_sub(start)) / reps;
    }
    let s = Instant::now();
    f();
    s.elapsed()
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let s = Instant::now();
    f();
    let once = s.elapsed().max(Duration::from_micros(1));
    let reps = (Duration::from_millis(200).as_secs_f64() / once.as_secs_f64()).ceil().max(1.0) as u32;
    let mut t: Vec<Duration> = (0..runs).map(|_| time(&mut f, reps)).collect();
    t.sort();
    t[runs / 2]
}

fn gbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e9
}

/// One table: every figure next to the memcpy of the same bytes.
fn summary() {
    let clock = if CPU_CLOCK.load(Ordering::Relaxed) { "thread CPU time" } else { "wall time" };
    println!("\n=== codec summary ({clock}, median of 9; GB/s of payload bytes; % = ratio to the baseline named) ===");
    let row = |name: &str, bytes: usize, d: Duration, bases: &[(&str, Duration)]| {
        let ratios: Vec<String> = bases
            .iter()
            .map(|(b, base)| format!("{:>6.1}% of {b} ({:.2} GB/s)", 100.0 * base.as_secs_f64() / d.as_secs_f64(), gbps(bytes, *base)))
            .collect();
        println!("{name:<30} {:>6.2} GB/s  {}", gbps(bytes, d), ratios.join("  "));
    };
    let v = i64_vector(10_000_000);
    let bytes = codec::encode(&v).unwrap();
    let mut dst = vec![0u8; bytes.len()];
    let mut out = Vec::with_capacity(bytes.len());
    let warm = median(9, || memcpy_into(&mut dst, &bytes));
    let fresh = median(9, || memcpy_fresh(&bytes));
    let enc = median(9, || {
        out.clear();
        codec::encode_into(&v, &mut out).unwrap();
    });
    let dec = median(9, || drop(black_box(codec::decode(&bytes).unwrap())));
    let both = median(9, || {
        out.clear();
        codec::encode_into(&v, &mut out).unwrap();
        drop(black_box(codec::decode(&out).unwrap()));
    });
    let bases = [("warm memcpy", warm), ("fresh memcpy", fresh)];
    row("baseline: fresh memcpy", bytes.len(), fresh, &bases[..1]);
    row("i64 10M encode", bytes.len(), enc, &bases[..1]);
    row("i64 10M decode", bytes.len(), dec, &bases);
    row("i64 10M encode+decode", bytes.len(), both, &bases);

    let t = table(1_000_000);
    let tb = codec::encode(&t).unwrap();
    let mut tdst = vec![0u8; tb.len()];
    let warm = median(9, || memcpy_into(&mut tdst, &tb));
    let fresh = median(9, || memcpy_fresh(&tb));
    let enc = median(9, || {
        out.clear();
        codec::encode_into(&t, &mut out).unwrap();
    });
    let dec = median(9, || drop(black_box(codec::decode(&tb).unwrap())));
    let bases = [("warm memcpy", warm), ("fresh memcpy", fresh)];
    row("table 1M rows encode", tb.len(), enc, &bases[..1]);
    row("table 1M rows decode", tb.len(), dec, &bases);

    for (name, p) in compression_inputs() {
        let mut pdst = vec![0u8; p.len()];
        let warm = median(9, || memcpy_into(&mut pdst, &p));
        let stream = codec::compress(&p).unwrap();
        let mut cbuf = vec![0u8; p.len()];
        let ck = median(9, || {
            black_box(compress::compress_into(&p, &mut cbuf));
        });
        let pk = median(9, || {
            black_box(compress::compress_into_portable(&p, &mut cbuf));
        });
        let dk = median(9, || compress::decompress_into(&stream, &mut pdst).unwrap());
        let c = median(9, || drop(black_box(codec::compress(&p))));
        let d = median(9, || drop(black_box(codec::decompress(&stream, p.len()).unwrap())));
        let bases = [("warm memcpy", warm)];
        let ratio = 100.0 * stream.len() as f64 / p.len() as f64;
        row(&format!("compress_into portable {name}"), p.len(), pk, &bases);
        let with_portable = [("warm memcpy", warm), ("portable", pk)];
        row(&format!("compress_into {name} ({ratio:.0}%)"), p.len(), ck, &with_portable);
        row(&format!("decompress_into {name}"), p.len(), dk, &bases);
        row(&format!("compress (allocating) {name}"), p.len(), c, &bases);
        row(&format!("decompress (allocating) {name}"), p.len(), d, &bases);
    }
    println!("targets: i64 encode+decode >= 50% of memcpy; compress >= 2.40 GB/s (reference ~0.6 GB/s)");
}

fn main() {
    let only_summary = std::env::args().any(|a| a == "summary");
    CPU_CLOCK.store(std::env::args().any(|a| a == "cpu"), Ordering::Relaxed);
    if !only_summary {
        let mut c = Criterion::default().configure_from_args();
        criterion_groups(&mut c);
        c.final_summary();
    }
    summary();
}
