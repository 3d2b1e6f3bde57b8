//! Reading one append-only-log segment (storage.md 8.1): data records
//! (`u32 len`, `u32 crc`, payload) and commit frames, and the verdict on
//! what follows the last commit.
//!
//! This module owns the byte format and the survey of a segment; it does
//! no I/O beyond what its caller hands it.

/// Length field of a commit frame.
pub const COMMIT_LEN: u32 = 0xFFFF_FFFF;
/// CRC field of a commit frame: `crc32("ray-aof-commit-frame")`.
pub const COMMIT_CRC: u32 = 0xB0AD_63C9;
/// The eight bytes of a commit frame.
pub const COMMIT_FRAME: [u8; 8] = [0xff, 0xff, 0xff, 0xff, 0xc9, 0x63, 0xad, 0xb0];
/// Largest payload a record can hold.
pub const MAX_PAYLOAD: u64 = 0xFFFF_FFFE;
/// Bytes of a record's header (length and CRC).
pub const HEADER: usize = 8;

/// The CRC of a record: over its four length bytes, then its payload.
pub fn record_crc(payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&(payload.len() as u32).to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// A data record's place in the segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// Offset of the payload.
    pub at: usize,
    pub len: usize,
}

/// What a segment holds.
#[derive(Debug, Default)]
pub struct Survey {
    /// Every well-formed data record before the first damage or torn end.
    pub records: Vec<Record>,
    /// How many of `records` come before the last commit frame.
    pub committed: usize,
    /// The offset just after the last commit frame (0 without one).
    pub committed_end: usize,
    /// Where the first damaged record or commit frame starts, if any.
    pub damage: Option<usize>,
    /// True when a commit frame appears after the damage: records that
    /// were committed (acknowledged) lie beyond it.
    pub commit_after_damage: bool,
}

impl Survey {
    /// True when nothing but committed records and commit frames fill the
    /// segment up to `len` bytes.
    pub fn ends_at_commit(&self, len: usize) -> bool {
        self.damage.is_none() && self.committed == self.records.len() && self.committed_end == len
    }
}

/// Walks `bytes` record by record. A record whose CRC does not match, or a
/// frame with the commit length but the wrong CRC, is damage; a record cut
/// short by the end of the file is a torn tail (not damage).
pub fn survey(bytes: &[u8]) -> Survey {
    let mut s = Survey::default();
    let mut pos = 0usize;
    while bytes.len() - pos >= HEADER {
        let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap_or_default());
        let crc = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap_or_default());
        if len == COMMIT_LEN {
            if crc != COMMIT_CRC {
                s.damage = Some(pos);
                break;
            }
            pos += HEADER;
            s.committed = s.records.len();
            s.committed_end = pos;
            continue;
        }
        let at = pos + HEADER;
        let Some(end) = at.checked_add(len as usize).filter(|&e| e <= bytes.len()) else { break };
        if record_crc(&bytes[at..end]) != crc {
            s.damage = Some(pos);
            break;
        }
        s.records.push(Record { at, len: len as usize });
        pos = end;
    }
    if let Some(d) = s.damage {
        s.commit_after_damage = memchr::memmem::find(&bytes[d + 1..], &COMMIT_FRAME).is_some();
    }
    s
}

/// The file name of the segment whose first record has `lsn`.
pub fn file_name(lsn: i64) -> String {
    format!("{lsn:020}.aof")
}

/// The first LSN a segment file name stands for (`None`: not a segment).
pub fn parse_name(name: &str) -> Option<i64> {
    let digits = name.strip_suffix(".aof")?;
    (digits.len() == 20 && digits.bytes().all(|c| c.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(payload: &[u8]) -> Vec<u8> {
        let mut v = (payload.len() as u32).to_le_bytes().to_vec();
        v.extend(record_crc(payload).to_le_bytes());
        v.extend(payload);
        v
    }

    #[test]
    fn crcs_match_the_reference() {
        // storage.md 8.1: crc32(05 00 00 00 "hello") = 0x5CAC007A.
        assert_eq!(record_crc(b"hello"), 0x5CAC_007A);
        assert_eq!(crc32fast::hash(b"ray-aof-commit-frame"), COMMIT_CRC);
        assert_eq!(COMMIT_FRAME[..4], COMMIT_LEN.to_le_bytes());
        assert_eq!(COMMIT_FRAME[4..], COMMIT_CRC.to_le_bytes());
    }

    #[test]
    fn a_torn_tail_is_not_damage_but_a_bad_crc_is() {
        let mut seg = record(b"a");
        seg.extend(COMMIT_FRAME);
        seg.extend(&record(b"uncommitted")[..10]);
        let s = survey(&seg);
        assert_eq!((s.records.len(), s.committed, s.damage), (1, 1, None));
        assert_eq!(s.committed_end, 17);
        let mut bad = seg[..17].to_vec();
        bad.extend(record(b"b"));
        let n = bad.len();
        bad[n - 1] ^= 1;
        let s = survey(&bad);
        assert_eq!((s.damage, s.commit_after_damage), (Some(17), false));
        bad.extend(COMMIT_FRAME);
        assert!(survey(&bad).commit_after_damage);
    }

    #[test]
    fn names_are_twenty_digit_lsns() {
        assert_eq!(file_name(42), "00000000000000000042.aof");
        assert_eq!(parse_name("00000000000000000042.aof"), Some(42));
        assert_eq!(parse_name("42.aof"), None);
        assert_eq!(parse_name("0000000000000000004x.aof"), None);
    }
}
