//! The 16-byte frame header as `ser`/`de` use it (wire.md §3, §4.12):
//! building the header of a `ser` frame (msgtype 0, flags 0, never
//! compressed) and validating one for `de`. The IPC layer's own framing
//! (msgtypes, compression flag, receive limits) lives in `proto`.

use super::limits::MAX_SER_SIZE;
use crate::core::{RayError, Result};

/// Header length in bytes.
pub const HEADER_LEN: usize = 16;
/// `0xCEFADEFA` little-endian.
pub const PREFIX: [u8; 4] = [0xfa, 0xde, 0xfa, 0xce];
/// Wire version.
pub const VERSION: u8 = 3;
/// Endianness byte of a little-endian sender.
pub const ENDIAN_LITTLE: u8 = 0;

/// The header of a `ser` frame carrying `payload_len` bytes.
pub fn ser_frame(payload_len: usize) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..4].copy_from_slice(&PREFIX);
    h[4] = VERSION;
    h[5] = 0; // flags
    h[6] = ENDIAN_LITTLE;
    h[7] = 0; // msgtype async
    h[8..].copy_from_slice(&(payload_len as i64).to_le_bytes());
    h
}

/// Checks a whole `ser` frame as `de` does (prefix, version 3, endian 0,
/// 0 <= size <= 1e9, size + 16 == buffer length; flags and msgtype are
/// ignored) and returns its payload. Errors: `version`, else `domain`.
pub fn check_ser_frame(buf: &[u8]) -> Result<&[u8]> {
    if buf.len() < HEADER_LEN {
        return Err(RayError::domain("shorter than a frame header"));
    }
    if buf[..4] != PREFIX {
        return Err(RayError::domain("bad frame prefix"));
    }
    if buf[4] != VERSION {
        return Err(RayError::new("version", format!("wire version {}", buf[4])));
    }
    if buf[6] != ENDIAN_LITTLE {
        return Err(RayError::domain("big-endian frame"));
    }
    let size = i64::from_le_bytes(buf[8..16].try_into().unwrap_or([0xff; 8]));
    if !(0..=MAX_SER_SIZE).contains(&size) || size as u64 + HEADER_LEN as u64 != buf.len() as u64 {
        return Err(RayError::domain(format!("frame size {size} does not match")));
    }
    Ok(&buf[HEADER_LEN..])
}
