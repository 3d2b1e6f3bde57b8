//! Decoder fuzz target: arbitrary bytes must decode to a clean error or a
//! value that re-encodes stably (see `rayforce::codec::selfcheck`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rayforce::codec::selfcheck::check_decoder(data);
});
