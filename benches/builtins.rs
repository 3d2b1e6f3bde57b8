//! Bench program for the builtin families (`cargo bench --bench builtins`):
//! column builtins on 10M-element vectors, each next to a plain Rust loop
//! over a slice doing the same work (the baseline, same run). Prints the
//! best of 3 runs in milliseconds and the ratio to the baseline.
use rayforce::abi::*;
use rayforce::lang::{RequestCtx, eval_str};
use rayforce::Value;
use std::hint::black_box;
use std::time::Instant;

const N: i64 = 10_000_000;

fn best_ms(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn report(name: &str, ours: f64, base: f64) {
    println!("{name:<28} ours {ours:9.1} ms   baseline {base:9.1} ms   ratio {:5.2}", ours / base);
}

fn ev(src: &str) -> Value {
    eval_str(src, RequestCtx::default()).expect(src)
}

fn main() {
    // Pseudo-random data (xorshift), bound as `v` (I64) and `w` (small domain).
    let mut s = 0x2545F4914F6CDD1Du64;
    let data: Vec<i64> = (0..N)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1_000_000) as i64
        })
        .collect();
    let small: Vec<i64> = data.iter().map(|x| x % 1000).collect();
    rayforce::core::env::set(rayforce::core::sym::intern_str("v"), Value::vec_from_slice(RAY_I64, &data).unwrap());
    rayforce::core::env::set(rayforce::core::sym::intern_str("w"), Value::vec_from_slice(RAY_I64, &small).unwrap());

    let ours = best_ms(|| drop(black_box(ev("(til 10000000)"))));
    let base = best_ms(|| drop(black_box((0..N).collect::<Vec<i64>>())));
    report("(til 10000000)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(asc v)"))));
    let base = best_ms(|| {
        let mut c = data.clone();
        c.sort_unstable();
        black_box(c);
    });
    report("(asc v)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(iasc v)"))));
    let base = best_ms(|| {
        let mut idx: Vec<i64> = (0..N).collect();
        idx.sort_by_key(|&i| data[i as usize]);
        black_box(idx);
    });
    report("(iasc v)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(distinct w)"))));
    let base = best_ms(|| {
        let mut c = small.clone();
        c.sort_unstable();
        c.dedup();
        black_box(c);
    });
    report("(distinct w)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(take v 20000000)"))));
    let base = best_ms(|| black_box((0..2 * N as usize).map(|i| data[i % N as usize]).collect::<Vec<i64>>()).truncate(0));
    report("(take v 20000000)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(in w [1 2 3 500])"))));
    let base = best_ms(|| {
        black_box(small.iter().map(|x| matches!(x, 1 | 2 | 3 | 500) as u8).collect::<Vec<u8>>());
    });
    report("(in w [1 2 3 500])", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(sums v)"))));
    let base = best_ms(|| {
        let mut acc = 0i64;
        black_box(data.iter().map(|&x| {
            acc = acc.wrapping_add(x);
            acc
        }).collect::<Vec<i64>>());
    });
    report("(sums v)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(group w)"))));
    let base = best_ms(|| {
        let mut m: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for (i, &x) in small.iter().enumerate() {
            m.entry(x).or_default().push(i as i64);
        }
        black_box(m);
    });
    report("(group w)", ours, base);

    let ours = best_ms(|| drop(black_box(ev("(as 'f64 v)"))));
    let base = best_ms(|| drop(black_box(data.iter().map(|&x| x as f64).collect::<Vec<f64>>())));
    report("(as 'f64 v)", ours, base);
}
