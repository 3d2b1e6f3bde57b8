//! Parser target: any bytes as Rayfall source must parse to values or a
//! clean error (the parser's own nesting and size limits hold), and every
//! parsed value must format without a panic.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::parse(data));
