//! Wire codec (wire.md sections 3-5): object encoding, decoding, delta+RLE
//! compression. PLACEHOLDER API: the codec issue replaces the bodies; the
//! signatures are the contract the IPC layer and the evaluator use.
#![forbid(unsafe_code)]

use crate::abi::ray_t;
use crate::core::{RayError, Result, Value};

/// Serialized payload size of `v` (no 16-byte frame header).
pub fn encoded_size(_v: &ray_t) -> Result<usize> {
    Err(RayError::new("nyi", "codec not implemented"))
}

/// Appends the payload encoding of `v` to `out`.
pub fn encode_into(_v: &ray_t, _out: &mut Vec<u8>) -> Result<()> {
    Err(RayError::new("nyi", "codec not implemented"))
}

/// The payload encoding of `v`.
pub fn encode(v: &ray_t) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(v, &mut out)?;
    Ok(out)
}

/// Decodes one object from the start of `buf`; returns it and the bytes consumed.
/// Builtins are resolved by name through the global env.
pub fn decode(_buf: &[u8]) -> Result<(Value, usize)> {
    Err(RayError::new("nyi", "codec not implemented"))
}

/// Compresses a payload as the reference does; None when it does not pay
/// (payload <= 2000 bytes or `stream + 4 >= n`). Output excludes the 4-byte size prefix.
pub fn compress(_payload: &[u8]) -> Option<Vec<u8>> {
    None
}

/// Decompresses a stream into exactly `size` bytes.
pub fn decompress(_stream: &[u8], _size: usize) -> Result<Vec<u8>> {
    Err(RayError::new("nyi", "codec not implemented"))
}
