//! The codec's numeric limits (wire.md §3, §4.11, §5): one place to read
//! every bound the decoder and the compressor enforce.

/// Deepest object nesting a decoder accepts; each object, the innermost
/// atom included, counts one level (a DICT holding 510 nested LISTs and an
/// atom is exactly 512). The encoder refuses the same depth.
pub const MAX_DEPTH: usize = 512;

/// Largest element count of a vector or LIST on the wire.
pub const MAX_COUNT: i64 = 1_000_000_000;

/// Payloads of at most this many bytes are never compressed.
pub const COMPRESS_THRESHOLD: usize = 2000;

/// Largest uncompressed size a compressed frame may announce (256 MiB).
pub const MAX_DECOMPRESSED: usize = 256 << 20;

/// One stream byte pair (a run of 127) expands to at most 127 bytes, so a
/// stream of `c` bytes can never yield more than `c * 64` bytes: announced
/// sizes above that are refused before any allocation.
pub const MAX_EXPANSION: usize = 64;

/// Largest payload size a `ser` frame header may announce (the `de` rule).
pub const MAX_SER_SIZE: i64 = 1_000_000_000;
