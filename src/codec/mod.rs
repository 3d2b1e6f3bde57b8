//! Wire codec (wire.md sections 3-5): the byte format of values on the
//! wire and in `ser` buffers, and the delta+RLE payload compression.
//!
//! | module | owns |
//! |---|---|
//! | `encode` | `encoded_size`, `encode_into` (writes straight into a `Vec`) |
//! | `decode` | bounded, total decoding; `DecodeOptions` (builtin resolution, depth) |
//! | `compress` | delta+RLE stream encoder/decoder, byte-identical to the reference |
//! | `frame` | the 16-byte header of `ser` frames and its `de` validation |
//! | `limits` | every numeric bound (depth, counts, sizes) |
//! | `selfcheck` | invariants shared by the fuzz target and the corpus regression test |
//!
//! Deviation from the reference: builtins travel by their full name (the
//! reference truncates names to 13 bytes, which breaks long names).
#![forbid(unsafe_code)]

pub mod compress;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod limits;
#[doc(hidden)]
pub mod selfcheck;

pub use decode::{DecodeOptions, decode_with};

use crate::abi::ray_t;
use crate::core::{Result, Value};

/// Serialized payload size of `v` (no 16-byte frame header).
/// Errors: `type` for values that cannot travel, `limit` past `MAX_DEPTH`.
pub fn encoded_size(v: &ray_t) -> Result<usize> {
    encode::encoded_size(v)
}

/// Appends the payload encoding of `v` to `out`.
pub fn encode_into(v: &ray_t, out: &mut Vec<u8>) -> Result<()> {
    encode::encode_into(v, out)
}

/// The payload encoding of `v`.
pub fn encode(v: &ray_t) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(v, &mut out)?;
    Ok(out)
}

/// Decodes one object from the start of `buf`; returns it and the bytes consumed.
/// Builtins are resolved by name through the global env.
pub fn decode(buf: &[u8]) -> Result<(Value, usize)> {
    decode_with(buf, DecodeOptions::default())
}

/// Compresses a payload as the reference does; None when it does not pay
/// (payload <= 2000 bytes or `stream + 4 >= n`). Output excludes the 4-byte size prefix.
pub fn compress(payload: &[u8]) -> Option<Vec<u8>> {
    compress::compress(payload)
}

/// `compress`, with the stream written after `room` zero bytes of the
/// returned buffer (room for a frame header and the size prefix).
pub fn compress_with_room(payload: &[u8], room: usize) -> Option<Vec<u8>> {
    compress::compress_with_room(payload, room)
}

/// Decompresses a stream into exactly `size` bytes (1..=256 MiB).
pub fn decompress(stream: &[u8], size: usize) -> Result<Vec<u8>> {
    compress::decompress(stream, size)
}

/// `ser`: a whole frame (header with msgtype 0, flags 0, then the payload).
pub fn ser(v: &ray_t) -> Result<Vec<u8>> {
    let size = encoded_size(v)?;
    let mut out = Vec::with_capacity(frame::HEADER_LEN + size);
    out.extend_from_slice(&frame::ser_frame(size));
    encode_into(v, &mut out)?;
    Ok(out)
}

/// `ser` into a U8 vector, written once, straight into the vector's memory
/// (`ray_ser`).
pub fn ser_vector(v: &ray_t) -> Result<Value> {
    let size = encoded_size(v)?;
    let total = frame::HEADER_LEN + size;
    let mut out = Value::vec_with_capacity(crate::abi::RAY_U8, i64::try_from(total).map_err(|_| crate::core::RayError::oom())?)?;
    out.extend_from_bytes(&frame::ser_frame(size))?;
    encode::encode_into_bytes(v, &mut out)?;
    if out.len() as usize != total {
        return Err(crate::core::RayError::domain("encoded size mismatch"));
    }
    Ok(out)
}

/// `de`: validates a `ser` frame and decodes its payload.
pub fn de(buf: &[u8]) -> Result<Value> {
    let payload = frame::check_ser_frame(buf)?;
    Ok(decode(payload)?.0)
}
