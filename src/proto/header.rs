//! The 16-byte frame header (wire.md section 3): prefix `fa de fa ce`,
//! version 3, flags, endian 0, msgtype, i64 LE payload size.

/// Bytes 0..4 of every frame (`0xCEFADEFA` little-endian).
pub const PREFIX: [u8; 4] = [0xfa, 0xde, 0xfa, 0xce];
/// Wire version, also the first greeting byte.
pub const WIRE_VERSION: u8 = 3;
/// Header length in bytes.
pub const HEADER_LEN: usize = 16;
/// Largest payload a receiver accepts (256 MiB), compressed or not.
pub const MAX_PAYLOAD: usize = 256 << 20;

/// Fire-and-forget message: evaluated, never answered.
pub const MSG_ASYNC: u8 = 0;
/// Request: answered by exactly one response frame.
pub const MSG_SYNC: u8 = 1;
/// Answer to the oldest pending sync request on the connection.
pub const MSG_RESPONSE: u8 = 2;

/// Payload is `u32 LE size` + delta/RLE stream.
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Journal-only marker (never meaningful on the live wire).
pub const FLAG_RESTRICTED: u8 = 0x02;
/// Capture the evaluation's stdout/stderr and answer `[text, result]`.
pub const FLAG_VERBOSE: u8 = 0x04;

/// A validated header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub flags: u8,
    pub msgtype: u8,
    /// Payload bytes that follow (1 ..= `MAX_PAYLOAD`).
    pub size: usize,
}

/// Why a header was refused; every variant closes the connection silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    BadPrefix,
    BadVersion(u8),
    BadEndian(u8),
    BadSize(i64),
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::BadPrefix => write!(f, "bad frame prefix"),
            HeaderError::BadVersion(v) => write!(f, "unsupported wire version {v}"),
            HeaderError::BadEndian(e) => write!(f, "unsupported endianness {e}"),
            HeaderError::BadSize(s) => write!(f, "frame size {s} out of range"),
        }
    }
}

impl Header {
    pub fn new(msgtype: u8, flags: u8, size: usize) -> Header {
        Header { flags, msgtype, size }
    }

    /// Validates the 16 header bytes (prefix, version, endian, size range).
    pub fn parse(b: &[u8; HEADER_LEN]) -> Result<Header, HeaderError> {
        if b[0..4] != PREFIX {
            return Err(HeaderError::BadPrefix);
        }
        if b[4] != WIRE_VERSION {
            return Err(HeaderError::BadVersion(b[4]));
        }
        if b[6] != 0 {
            return Err(HeaderError::BadEndian(b[6]));
        }
        let mut sz = [0u8; 8];
        sz.copy_from_slice(&b[8..16]);
        let size = i64::from_le_bytes(sz);
        if size <= 0 || size > MAX_PAYLOAD as i64 {
            return Err(HeaderError::BadSize(size));
        }
        Ok(Header { flags: b[5], msgtype: b[7], size: size as usize })
    }

    /// The wire bytes of this header.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..4].copy_from_slice(&PREFIX);
        b[4] = WIRE_VERSION;
        b[5] = self.flags;
        b[6] = 0;
        b[7] = self.msgtype;
        b[8..16].copy_from_slice(&(self.size as i64).to_le_bytes());
        b
    }

    pub fn is_compressed(&self) -> bool {
        self.flags & FLAG_COMPRESSED != 0
    }

    pub fn is_verbose(&self) -> bool {
        self.flags & FLAG_VERBOSE != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(prefix: [u8; 4], version: u8, endian: u8, size: i64) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..4].copy_from_slice(&prefix);
        b[4] = version;
        b[6] = endian;
        b[7] = MSG_SYNC;
        b[8..16].copy_from_slice(&size.to_le_bytes());
        b
    }

    #[test]
    fn header_round_trips_through_bytes() {
        let h = Header::new(MSG_RESPONSE, FLAG_COMPRESSED, 59711);
        assert_eq!(Header::parse(&h.to_bytes()), Ok(h));
        assert_eq!(
            Header::new(MSG_RESPONSE, 0, 10).to_bytes(),
            [0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn header_rejects_prefix_version_endian_and_size() {
        assert_eq!(Header::parse(&raw([0xfa, 0xde, 0xfa, 0xcf], 3, 0, 1)), Err(HeaderError::BadPrefix));
        assert_eq!(Header::parse(&raw(PREFIX, 2, 0, 1)), Err(HeaderError::BadVersion(2)));
        assert_eq!(Header::parse(&raw(PREFIX, 4, 0, 1)), Err(HeaderError::BadVersion(4)));
        assert_eq!(Header::parse(&raw(PREFIX, 3, 1, 1)), Err(HeaderError::BadEndian(1)));
        assert_eq!(Header::parse(&raw(PREFIX, 3, 0, 0)), Err(HeaderError::BadSize(0)));
        assert_eq!(Header::parse(&raw(PREFIX, 3, 0, -1)), Err(HeaderError::BadSize(-1)));
        let over = MAX_PAYLOAD as i64 + 1;
        assert_eq!(Header::parse(&raw(PREFIX, 3, 0, over)), Err(HeaderError::BadSize(over)));
        assert!(Header::parse(&raw(PREFIX, 3, 0, MAX_PAYLOAD as i64)).is_ok());
    }

    #[test]
    fn header_ignores_unknown_flag_bits_and_msgtypes() {
        let mut b = raw(PREFIX, 3, 0, 5);
        b[5] = 0xf8;
        b[7] = 255;
        let h = Header::parse(&b).unwrap();
        assert_eq!((h.flags, h.msgtype, h.size), (0xf8, 255, 5));
    }
}
