//! Connection target: a byte stream as the server reads it: the client's
//! greeting, credentials (a length byte and that many bytes, when the
//! input's first byte is odd, as if the server asked for a password), then
//! frames cut off the front one at a time (header check, optional
//! decompression, decoding). Any input must end in a clean error or
//! `Incomplete`, never a panic, a hang or an oversized allocation.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::connection(data));
