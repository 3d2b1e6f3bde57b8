//! Invariants the fuzz target and the corpus regression test check on
//! arbitrary bytes. Each function panics (the fuzzer's signal) when an
//! invariant breaks; a clean error from the codec is never a failure.

use super::{DecodeOptions, compress, decode_with, encode, encoded_size};

/// Decoding arbitrary bytes never panics; whatever decodes re-encodes to a
/// stable form (encode ∘ decode is the identity on its own output) whose
/// length `encoded_size` predicts.
pub fn check_decoder(data: &[u8]) {
    let opts = DecodeOptions { resolve_builtins: false, ..Default::default() };
    if let Ok((v, used)) = decode_with(data, opts) {
        assert!(used <= data.len(), "consumed more than given");
        let once = encode(&v).expect("a decoded value re-encodes");
        assert_eq!(encoded_size(&v).ok(), Some(once.len()), "encoded_size disagrees with encode");
        let (again, used2) = decode_with(&once, opts).expect("a re-encoding decodes");
        assert_eq!(used2, once.len(), "a re-encoding decodes completely");
        assert_eq!(encode(&again).expect("re-encodes"), once, "re-encoding is not stable");
    }
    // The resolving decoder sees the same bytes and must stay clean too.
    let _ = decode_with(data, DecodeOptions::default());
}

/// Decompressing arbitrary bytes never panics (the first 4 bytes are taken
/// as the announced size, capped so the check stays cheap); compressing
/// them round-trips and matches the one-byte-at-a-time oracle.
pub fn check_compression(data: &[u8]) {
    if data.len() >= 4 {
        let size = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize % (1 << 20);
        let _ = compress::decompress(&data[4..], size);
    }
    let mut out = vec![0u8; 2 * data.len() + 2];
    let n = compress::compress_into(data, &mut out).expect("room for any stream");
    let oracle = compress::compress_simple(data, usize::MAX).expect("no cap");
    assert_eq!(&out[..n], &oracle[..], "fast encoder differs from the oracle");
    if !data.is_empty() {
        assert_eq!(compress::decompress(&out[..n], data.len()).ok().as_deref(), Some(data), "round trip");
    }
}
