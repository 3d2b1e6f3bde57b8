//! Journal frames on disk (storage.md 7.2, 7.5): a journal is IPC frames
//! back to back, with no checksum and no commit marker. This module reads
//! them one at a time and, where the framing breaks, says whether the rest
//! of the file is a torn tail (a frame cut short by a crash) or a damaged
//! frame that good frames follow.
//!
//! Owns: the framing rule, the streaming reader and the tail verdict. Must
//! not: decode payloads, evaluate, or change a file.

use crate::proto::header::{HEADER_LEN, Header, PREFIX};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// One frame as read: its header and raw payload (compressed if flagged).
pub struct Frame {
    pub header: Header,
    pub payload: Vec<u8>,
}

/// Reads frames from a journal file in order, stopping at the first bytes
/// that do not frame (bad header, short payload) or at the end.
pub struct Reader {
    input: BufReader<File>,
    /// Bytes of whole frames read so far.
    valid_bytes: u64,
    frames: u64,
    len: u64,
    broken: bool,
}

impl Reader {
    pub fn open(path: &Path) -> io::Result<Reader> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Reader { input: BufReader::with_capacity(1 << 16, file), valid_bytes: 0, frames: 0, len, broken: false })
    }

    /// The next whole frame; `None` at the end or where the framing breaks
    /// (then [`Reader::broken`] is true). Payloads are read only once their
    /// header is valid and the file holds all of them.
    pub fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        if self.broken || self.valid_bytes == self.len {
            return Ok(None);
        }
        let left = self.len - self.valid_bytes;
        let mut head = [0u8; HEADER_LEN];
        if left < HEADER_LEN as u64 {
            self.broken = true;
            return Ok(None);
        }
        self.input.read_exact(&mut head)?;
        let header = match Header::parse(&head) {
            Ok(h) if (h.size as u64) <= left - HEADER_LEN as u64 => h,
            _ => {
                self.broken = true;
                return Ok(None);
            }
        };
        let mut payload = vec![0u8; header.size];
        self.input.read_exact(&mut payload)?;
        self.valid_bytes += (HEADER_LEN + header.size) as u64;
        self.frames += 1;
        Ok(Some(Frame { header, payload }))
    }

    /// Bytes of the whole frames read so far.
    pub fn valid_bytes(&self) -> u64 {
        self.valid_bytes
    }

    /// Whole frames read so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The framing broke before the end of the file.
    pub fn broken(&self) -> bool {
        self.broken
    }

    /// The file's length when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What follows the last whole frame of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tail {
    /// Nothing: the file ends after a whole frame.
    Clean,
    /// A frame cut short, or bytes that hold no whole frame: what a crash
    /// in the middle of a write leaves. Safe to cut off.
    Torn,
    /// Bytes that do not frame, followed by whole frames reaching the end
    /// of the file (first at `resumes_at`): cutting here would drop frames
    /// that were written, so a person must decide.
    Damaged { resumes_at: u64 },
}

/// Classifies the bytes of `path` from `from` (where the framing broke) to
/// the end. They are `Damaged` when, at some later offset, frames begin
/// that chain exactly to the end of the file; otherwise `Torn`.
pub fn classify_tail(path: &Path, from: u64) -> io::Result<Tail> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if from >= len {
        return Ok(Tail::Clean);
    }
    file.seek(SeekFrom::Start(from))?;
    let mut rest = Vec::with_capacity((len - from) as usize);
    file.read_to_end(&mut rest)?;
    Ok(match resumption(&rest) {
        Some(at) => Tail::Damaged { resumes_at: from + at as u64 },
        None => Tail::Torn,
    })
}

/// The first offset after 0 in `rest` where whole frames chain to its end.
fn resumption(rest: &[u8]) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(&PREFIX);
    finder.find_iter(rest.get(1..)?).map(|p| p + 1).find(|&p| chains_to_end(&rest[p..]))
}

/// True when `buf` is one or more whole frames and nothing else.
fn chains_to_end(buf: &[u8]) -> bool {
    let mut at = 0usize;
    while at < buf.len() {
        match crate::proto::frame::check(&buf[at..]) {
            Ok((_, total)) => at += total,
            Err(_) => return false,
        }
    }
    at > 0
}

/// `.log.validate`'s count: whole frames and their bytes, by framing only.
pub fn validate(path: &Path) -> io::Result<(u64, u64)> {
    let mut r = Reader::open(path)?;
    while r.next_frame()?.is_some() {}
    Ok((r.frames(), r.valid_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::header::Header;

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut f = Header::new(0, 0, payload.len()).to_bytes().to_vec();
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn a_cut_frame_is_torn_and_a_broken_one_before_good_frames_is_damaged() {
        let good = [frame(b"abc"), frame(b"defgh")].concat();
        assert_eq!(resumption(&good[3..]), Some(good.len() - 3 - 21));
        // The cut-off half of a frame: nothing chains to the end.
        assert_eq!(resumption(&good[19..good.len() - 1]), None);
        // Garbage, then a whole frame.
        let damaged = [b"zzzzzzzzzzzzzzzzzzzz".to_vec(), frame(b"x")].concat();
        assert_eq!(resumption(&damaged), Some(20));
        // Zeros (a power loss extends a file with them) are torn.
        assert_eq!(resumption(&[0u8; 64]), None);
    }

    #[test]
    fn an_embedded_frame_cut_inside_a_bigger_one_is_not_taken_for_good_frames() {
        // A payload carrying a serialized frame, cut in the middle of it.
        let inner = frame(b"inner");
        let outer = frame(&[b"head".to_vec(), inner.clone(), b"tail".to_vec()].concat());
        assert_eq!(resumption(&outer[..outer.len() - 2]), None);
    }
}
