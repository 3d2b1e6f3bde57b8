//! The block allocator's hot path with the memory budget's accounting: one
//! atomic add per block taken and one subtract per block given back, shared
//! by every thread. Small blocks (a 4-element I64 vector, an atom) built
//! and dropped in a loop, with the budget unlimited (0) and set, on one
//! thread and on two at once (the shared counter's cache line bouncing),
//! each beside the system allocator doing the same (`Vec` of the same size,
//! the baseline).
//!
//! `cargo bench --bench alloc`
use criterion::{Criterion, criterion_group, criterion_main};
use rayforce::abi::RAY_I64;
use rayforce::core::Value;
use rayforce::core::alloc::{bytes_in_use, set_budget};
use std::hint::black_box;

const BLOCKS: usize = 100_000;

fn ours() {
    for i in 0..BLOCKS {
        black_box(Value::vec_from_slice(RAY_I64, &[i as i64, 1, 2, 3]).unwrap());
        black_box(Value::i64(i as i64));
    }
}

fn system() {
    for i in 0..BLOCKS {
        black_box(vec![i as i64, 1, 2, 3]);
        black_box(Box::new(i as i64));
    }
}

fn on_two_threads(f: fn()) {
    std::thread::scope(|s| {
        s.spawn(f);
        f();
    });
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("alloc");
    g.sample_size(20);
    for (budget, name) in [(0, "unlimited"), (bytes_in_use() + (1 << 30), "budget")] {
        set_budget(budget);
        g.bench_function(format!("1_thread/{name}"), |b| b.iter(ours));
        g.bench_function(format!("2_threads/{name}"), |b| b.iter(|| on_two_threads(ours)));
    }
    g.bench_function("1_thread/baseline", |b| b.iter(system));
    g.bench_function("2_threads/baseline", |b| b.iter(|| on_two_threads(system)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
