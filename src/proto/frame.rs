//! Frames: `check` a buffer for one complete frame (keeping *incomplete*,
//! "read more", apart from *invalid*, "close this connection"), decode a
//! payload (decompress, then the codec), and build outbound frames.
//!
//! An outbound frame is written with one system call: either one buffer
//! (header + payload) or, for a large plain typed vector, a head buffer
//! (header + the 10-byte vector prefix) followed by the vector's own memory
//! (`writev`), so a server never copies a bulk result.

use super::header::{FLAG_COMPRESSED, HEADER_LEN, Header, HeaderError, MAX_PAYLOAD};
use crate::abi::{self, ray_t};
use crate::codec;
use crate::core::{RayError, Result, Value};
use std::borrow::Cow;

/// Why a buffer does not (yet) hold a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// More bytes are needed; nothing is wrong yet.
    Incomplete,
    /// The header is unacceptable: close the connection without answering.
    Invalid(HeaderError),
}

/// Checks whether `buf` starts with a complete frame; returns its header
/// and total length (header + payload). Never allocates.
pub fn check(buf: &[u8]) -> std::result::Result<(Header, usize), FrameError> {
    let Some(head) = buf.first_chunk::<HEADER_LEN>() else {
        return Err(FrameError::Incomplete);
    };
    let h = Header::parse(head).map_err(FrameError::Invalid)?;
    let total = HEADER_LEN + h.size;
    if buf.len() < total {
        return Err(FrameError::Incomplete);
    }
    Ok((h, total))
}

/// The plain object bytes of a payload (decompressed when flagged).
pub fn plain_payload<'a>(h: &Header, payload: &'a [u8]) -> Result<Cow<'a, [u8]>> {
    if !h.is_compressed() {
        return Ok(Cow::Borrowed(payload));
    }
    let Some((size, stream)) = payload.split_first_chunk::<4>() else {
        return Err(RayError::new("corrupt", "compressed payload without its size"));
    };
    let size = u32::from_le_bytes(*size) as usize;
    if size == 0 || size > MAX_PAYLOAD {
        return Err(RayError::new("limit", "uncompressed size out of range"));
    }
    Ok(Cow::Owned(codec::decompress(stream, size)?))
}

/// Decodes the object a payload carries (trailing bytes are ignored).
pub fn decode_payload(h: &Header, payload: &[u8]) -> Result<Value> {
    let plain = plain_payload(h, payload)?;
    codec::decode(&plain).map(|(v, _)| v)
}

/// Whether a sender may compress a payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Never (loopback peers: compressing costs more than sending).
    Never,
    /// The reference rule: payloads over 2000 bytes, when it saves bytes.
    WhenItPays,
}

/// Plain typed vectors at least this large travel without being copied.
pub const ZERO_COPY_MIN_BYTES: usize = 64 << 10;

/// A frame ready to be written: `head`, then the raw element bytes of
/// `body` when present (a typed vector kept alive by the frame).
pub struct OutFrame {
    pub head: Vec<u8>,
    pub body: Option<Value>,
    body_len: usize,
}

impl OutFrame {
    /// Bytes this frame puts on the wire.
    pub fn len(&self) -> usize {
        self.head.len() + self.body_len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A frame made of one buffer (already holding its header).
    pub fn from_bytes(head: Vec<u8>) -> OutFrame {
        OutFrame { head, body: None, body_len: 0 }
    }

    /// Byte length of the borrowed vector body (0 without one).
    pub fn body_len(&self) -> usize {
        self.body_len
    }
}

impl std::fmt::Debug for OutFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutFrame({} + {} bytes)", self.head.len(), self.body_len)
    }
}

/// Element bytes of a plain typed vector eligible for the zero-copy path.
fn zero_copy_len(v: &ray_t) -> Option<usize> {
    let t = v.type_();
    if !(abi::RAY_BOOL..=abi::RAY_GUID).contains(&t) || v.is_slice() {
        return None;
    }
    let n = usize::try_from(v.len()).ok()?;
    let bytes = n.checked_mul(abi::elem_size(t, v.attrs()))?;
    (bytes >= ZERO_COPY_MIN_BYTES && bytes + 10 <= MAX_PAYLOAD).then_some(bytes)
}

/// Builds the frame carrying `v`. Fails (and the caller answers `type`)
/// when `v` has no wire form.
pub fn build(v: &Value, msgtype: u8, flags: u8, compression: Compression) -> Result<OutFrame> {
    let flags = flags & !FLAG_COMPRESSED;
    if compression == Compression::Never
        && let Some(bytes) = zero_copy_len(v)
    {
        let mut head = Vec::with_capacity(HEADER_LEN + 10);
        head.extend_from_slice(&Header::new(msgtype, flags, 10 + bytes).to_bytes());
        head.push(v.type_() as u8);
        head.push(v.attrs() & abi::RAY_ATTR_HAS_NULLS);
        head.extend_from_slice(&v.len().to_le_bytes());
        return Ok(OutFrame { head, body: Some(v.clone()), body_len: bytes });
    }
    let mut buf = Vec::with_capacity(HEADER_LEN + codec::encoded_size(v).unwrap_or(64));
    buf.extend_from_slice(&[0u8; HEADER_LEN]);
    codec::encode_into(v, &mut buf)?;
    let n = buf.len() - HEADER_LEN;
    if n > MAX_PAYLOAD {
        return Err(RayError::new("limit", "message larger than 256 MiB"));
    }
    if compression == Compression::WhenItPays
        && let Some(mut out) = codec::compress_with_room(&buf[HEADER_LEN..], HEADER_LEN + 4)
    {
        let stream_len = out.len() - HEADER_LEN - 4;
        out[..HEADER_LEN].copy_from_slice(&Header::new(msgtype, flags | FLAG_COMPRESSED, 4 + stream_len).to_bytes());
        out[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&(n as u32).to_le_bytes());
        return Ok(OutFrame::from_bytes(out));
    }
    buf[..HEADER_LEN].copy_from_slice(&Header::new(msgtype, flags, n).to_bytes());
    Ok(OutFrame::from_bytes(buf))
}

/// Builds a frame that always succeeds: `v`, or a `type` error object when
/// `v` has no wire form (wire.md 6.4).
pub fn build_or_type_error(v: &Value, msgtype: u8, flags: u8, compression: Compression) -> OutFrame {
    match build(v, msgtype, flags, compression) {
        Ok(f) => f,
        Err(e) => {
            let code = if e.code_str() == "limit" { "limit" } else { "type" };
            error_frame(code, msgtype)
        }
    }
}

/// A frame carrying an error object with `code` (encoded by hand so it
/// cannot fail).
pub fn error_frame(code: &str, msgtype: u8) -> OutFrame {
    let mut out = Vec::with_capacity(HEADER_LEN + 9);
    out.extend_from_slice(&Header::new(msgtype, 0, 9).to_bytes());
    out.push(abi::RAY_ERROR as u8);
    let mut field = [0u8; 8];
    let c = code.as_bytes();
    let n = c.len().min(7);
    field[..n].copy_from_slice(&c[..n]);
    out.extend_from_slice(&field);
    OutFrame::from_bytes(out)
}

/// A frame carrying the untyped null (`7e`), the answer to an undecodable
/// request.
pub fn null_frame(msgtype: u8) -> OutFrame {
    let mut out = Vec::with_capacity(HEADER_LEN + 1);
    out.extend_from_slice(&Header::new(msgtype, 0, 1).to_bytes());
    out.push(abi::RAY_NULL as u8);
    OutFrame::from_bytes(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::header::{MSG_RESPONSE, MSG_SYNC, PREFIX};

    fn frame(size: i64, payload: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&PREFIX);
        b.extend_from_slice(&[3, 0, 0, MSG_SYNC]);
        b.extend_from_slice(&size.to_le_bytes());
        b.extend_from_slice(payload);
        b
    }

    #[test]
    fn check_reports_incomplete_until_the_whole_frame_is_buffered() {
        let f = frame(10, &[0xfb, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
        for cut in 0..f.len() {
            assert_eq!(check(&f[..cut]), Err(FrameError::Incomplete), "prefix of {cut} bytes");
        }
        let (h, total) = check(&f).unwrap();
        assert_eq!((h.size, total), (10, 26));
        let mut two = f.clone();
        two.extend_from_slice(&f);
        assert_eq!(check(&two).unwrap().1, 26);
    }

    #[test]
    fn check_reports_invalid_headers_before_the_payload_arrives() {
        let mut f = frame(10, &[]);
        f[0] = 0;
        assert_eq!(check(&f), Err(FrameError::Invalid(HeaderError::BadPrefix)));
        assert!(matches!(check(&frame(0, &[])), Err(FrameError::Invalid(_))));
        assert!(matches!(check(&frame(-1, &[])), Err(FrameError::Invalid(_))));
        assert_eq!(check(&frame(MAX_PAYLOAD as i64, &[])), Err(FrameError::Incomplete));
    }

    #[test]
    fn error_and_null_frames_have_the_reference_bytes() {
        let e = error_frame("access", MSG_RESPONSE);
        assert_eq!(&e.head[16..], &[0x7f, b'a', b'c', b'c', b'e', b's', b's', 0, 0]);
        assert_eq!(e.head[8], 9);
        let n = null_frame(MSG_RESPONSE);
        assert_eq!(&n.head[16..], &[0x7e]);
        assert_eq!(n.len(), 17);
    }

    #[test]
    fn large_plain_vectors_are_framed_without_copying_their_elements() {
        let xs: Vec<i64> = (0..100_000).collect();
        let v = Value::vec_from_slice(abi::RAY_I64, &xs).unwrap();
        let f = build(&v, MSG_RESPONSE, 0, Compression::Never).unwrap();
        assert_eq!(f.head.len(), 26);
        assert_eq!(f.body_len(), 800_000);
        assert_eq!(f.len(), 800_026);
        let h = Header::parse(f.head[..16].try_into().unwrap()).unwrap();
        assert_eq!(h.size, 800_010);
        assert_eq!(&f.head[16..18], &[abi::RAY_I64 as u8, 0]);
        assert_eq!(&f.head[18..26], &100_000i64.to_le_bytes());
    }
}
