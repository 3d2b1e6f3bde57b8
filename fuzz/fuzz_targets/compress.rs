//! Compression fuzz target: decompressing arbitrary streams never panics;
//! compressing arbitrary bytes round-trips and matches the oracle.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rayforce::codec::selfcheck::check_compression(data);
});
