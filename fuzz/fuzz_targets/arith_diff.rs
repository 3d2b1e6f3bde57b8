//! Differential target: random well-typed integer expressions must
//! equal a plain Rust evaluation of the same tree (fuzz/bodies.rs).
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::arith_diff(data));
