//! Evaluator speed on 10M-element columns, each next to a plain Rust loop
//! over a slice doing the same work (the baseline; target: at most 2x).
//!
//! `cargo bench --bench eval`
use criterion::{Criterion, criterion_group, criterion_main};
use rayforce::abi::*;
use rayforce::core::{Value, env, sym};
use rayforce::lang::{RequestCtx, eval_str, reset};
use std::hint::black_box;

const N: i64 = 10_000_000;

fn run(src: &str) -> Value {
    eval_str(src, RequestCtx::default()).expect("bench query")
}

fn bench(c: &mut Criterion) {
    reset();
    let data: Vec<i64> = (0..N).map(|i| (i * 7919) % 1_000_003).collect();
    env::set(sym::intern(b"v"), Value::vec_from_slice(RAY_I64, &data).unwrap());
    let til: Vec<i64> = (0..N).collect();

    let mut g = c.benchmark_group("eval");
    g.sample_size(20);

    g.bench_function("sum_til_10M/rayfall", |b| b.iter(|| black_box(run("(sum (til 10000000))"))));
    g.bench_function("sum_til_10M/baseline", |b| {
        b.iter(|| {
            let v: Vec<i64> = (0..black_box(N)).collect();
            black_box(v.iter().fold(0i64, |a, &x| a.wrapping_add(x)))
        })
    });

    g.bench_function("add_v_v/rayfall", |b| b.iter(|| black_box(run("(+ v v)"))));
    g.bench_function("add_v_v/baseline", |b| {
        b.iter(|| {
            let a = black_box(&data);
            let out: Vec<i64> = a.iter().zip(a.iter()).map(|(x, y)| x.wrapping_add(*y)).collect();
            black_box(out)
        })
    });

    g.bench_function("mul_v_2.5/rayfall", |b| b.iter(|| black_box(run("(* v 2.5)"))));
    g.bench_function("mul_v_2.5/baseline", |b| {
        b.iter(|| {
            let out: Vec<f64> = black_box(&data).iter().map(|&x| x as f64 * 2.5).collect();
            black_box(out)
        })
    });

    g.bench_function("avg_v/rayfall", |b| b.iter(|| black_box(run("(avg v)"))));
    g.bench_function("avg_v/baseline", |b| {
        b.iter(|| {
            let a = black_box(&data);
            black_box(a.iter().fold(0i64, |s, &x| s.wrapping_add(x)) as f64 / a.len() as f64)
        })
    });
    let _ = til;
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
