//! The append-only log of opaque byte records (storage.md 8, the
//! `ray_aof_*` C API): one directory of segment files, records made
//! durable by explicit commits, file-compatible with RayforceDB's.
//!
//! Differences from the reference, all where it loses acknowledged data:
//! `open` checks every segment (not only the last), and a damaged record
//! or commit frame followed by a good commit frame is refused as corrupt
//! (naming the file and offset) instead of being truncated away with the
//! committed records after it; `scan` checks every segment before it calls
//! back, so it never delivers records and then fails.
//!
//! This module owns opening, recovery, appending, rotation and scanning;
//! `segment` owns the byte format. Independent of the runtime.
#![forbid(unsafe_code)]

pub mod segment;

use segment::{COMMIT_FRAME, HEADER, MAX_PAYLOAD, Survey, file_name, parse_name, record_crc, survey};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Segment size when the caller gives none (`segment_limit <= 0`).
pub const DEFAULT_SEGMENT_LIMIT: u64 = 256 << 20;

/// Why an operation failed; each maps to one `ray_err_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AofError {
    /// A bad argument (`RAY_ERR_DOMAIN`).
    Domain(String),
    /// A payload larger than a record holds (`RAY_ERR_LIMIT`).
    Limit(String),
    /// The file system failed (`RAY_ERR_IO`).
    Io(String),
    /// Committed data is damaged (`RAY_ERR_CORRUPT`).
    Corrupt(String),
}

impl AofError {
    pub fn message(&self) -> &str {
        match self {
            AofError::Domain(m) | AofError::Limit(m) | AofError::Io(m) | AofError::Corrupt(m) => m,
        }
    }
}

type Result<T> = std::result::Result<T, AofError>;

fn io_err(path: &Path, what: &str, e: std::io::Error) -> AofError {
    AofError::Io(format!("aof {}: {what}: {e}", path.display()))
}

fn corrupt(path: &Path, offset: usize, what: &str) -> AofError {
    AofError::Corrupt(format!("aof {}: {what} at byte {offset}", path.display()))
}

/// A segment file and the LSN of its first record.
struct SegmentFile {
    first_lsn: i64,
    path: PathBuf,
}

/// The directory's segments in LSN order (none for a missing directory).
fn list_segments(dir: &Path) -> Result<Vec<SegmentFile>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir, "list", e)),
    };
    let mut segs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_err(dir, "list", e))?;
        if let Some(first_lsn) = entry.file_name().to_str().and_then(parse_name) {
            segs.push(SegmentFile { first_lsn, path: entry.path() });
        }
    }
    segs.sort_by_key(|s| s.first_lsn);
    Ok(segs)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| io_err(path, "read", e))
}

/// The LSN after a segment whose first record has `first` and which holds
/// `committed` records: `corrupt` past `i64::MAX` (a segment named near it).
fn lsn_after(seg: &SegmentFile, first: i64, committed: usize) -> Result<i64> {
    i64::try_from(committed)
        .ok()
        .and_then(|n| first.checked_add(n))
        .ok_or_else(|| corrupt(&seg.path, 0, &format!("{committed} records from LSN {first} pass the largest LSN")))
}

/// Checks segment `seg` (`last`: the one a writer appends to) and returns
/// its survey. Every segment but the last must end exactly at a commit
/// frame; no segment may hold damage followed by a commit frame.
fn check(seg: &SegmentFile, bytes: &[u8], expected_lsn: i64, last: bool) -> Result<Survey> {
    if seg.first_lsn != expected_lsn {
        return Err(corrupt(
            &seg.path,
            0,
            &format!("segment starts at LSN {} where LSN {expected_lsn} was expected (a segment is missing)", seg.first_lsn),
        ));
    }
    let s = survey(bytes);
    if let (Some(d), true) = (s.damage, s.commit_after_damage) {
        return Err(corrupt(&seg.path, d, "damaged record or commit frame before committed records"));
    }
    if !last && !s.ends_at_commit(bytes.len()) {
        let at = s.damage.unwrap_or(s.committed_end);
        return Err(corrupt(&seg.path, at, "uncommitted or damaged bytes in a segment that is not the last"));
    }
    Ok(s)
}

/// An open log: one writer per directory.
pub struct Aof {
    dir: PathBuf,
    limit: u64,
    path: PathBuf,
    out: BufWriter<File>,
    segment_bytes: u64,
    next_lsn: i64,
    dirty: bool,
}

impl Aof {
    /// Opens (creating it if needed) the log in `dir`. Every segment is
    /// checked; the last is cut after its last commit frame, dropping
    /// records that were never committed (their LSNs are reused).
    pub fn open(dir: &Path, segment_limit: i64) -> Result<Aof> {
        fs::create_dir_all(dir).map_err(|e| io_err(dir, "create directory", e))?;
        let limit = if segment_limit <= 0 { DEFAULT_SEGMENT_LIMIT } else { segment_limit as u64 };
        let segs = list_segments(dir)?;
        let Some(last) = segs.last() else {
            let path = dir.join(file_name(0));
            let out = Self::create_segment(dir, &path)?;
            return Ok(Aof { dir: dir.to_path_buf(), limit, path, out, segment_bytes: 0, next_lsn: 0, dirty: false });
        };
        let mut expected = segs[0].first_lsn;
        for seg in &segs[..segs.len() - 1] {
            let s = check(seg, &read(&seg.path)?, expected, false)?;
            expected = lsn_after(seg, expected, s.committed)?;
        }
        let bytes = read(&last.path)?;
        let s = check(last, &bytes, expected, true)?;
        let next_lsn = lsn_after(last, expected, s.committed)?;
        let file = OpenOptions::new().write(true).open(&last.path).map_err(|e| io_err(&last.path, "open", e))?;
        if s.committed_end < bytes.len() {
            file.set_len(s.committed_end as u64).map_err(|e| io_err(&last.path, "truncate", e))?;
            file.sync_all().map_err(|e| io_err(&last.path, "fsync", e))?;
        }
        drop(file);
        let out = OpenOptions::new().append(true).open(&last.path).map_err(|e| io_err(&last.path, "open", e))?;
        Ok(Aof {
            dir: dir.to_path_buf(),
            limit,
            path: last.path.clone(),
            out: BufWriter::new(out),
            segment_bytes: s.committed_end as u64,
            next_lsn,
            dirty: false,
        })
    }

    fn create_segment(dir: &Path, path: &Path) -> Result<BufWriter<File>> {
        let f = OpenOptions::new().create(true).append(true).open(path).map_err(|e| io_err(path, "create", e))?;
        crate::store::file::sync_dir(dir).map_err(|e| io_err(dir, "fsync directory", e))?;
        Ok(BufWriter::new(f))
    }

    /// Appends one record (buffered: durable at the next commit); its LSN.
    pub fn append(&mut self, payload: &[u8]) -> Result<i64> {
        let len = payload.len() as u64;
        if len > MAX_PAYLOAD {
            return Err(AofError::Limit(format!("aof: a record holds at most {MAX_PAYLOAD} bytes, got {len}")));
        }
        if self.next_lsn == i64::MAX {
            return Err(AofError::Limit(format!("aof: no LSN is left after {}", i64::MAX - 1)));
        }
        if self.segment_bytes > 0 && self.segment_bytes + HEADER as u64 + len > self.limit {
            self.rotate()?;
        }
        let mut header = [0u8; HEADER];
        header[..4].copy_from_slice(&(len as u32).to_le_bytes());
        header[4..].copy_from_slice(&record_crc(payload).to_le_bytes());
        self.write(&header)?;
        self.write(payload)?;
        self.segment_bytes += HEADER as u64 + len;
        self.dirty = true;
        self.next_lsn += 1;
        Ok(self.next_lsn - 1)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(|e| io_err(&self.path, "write", e))
    }

    /// Makes every record appended so far durable: a commit frame, flush,
    /// fsync. Nothing to do when nothing was appended since the last one.
    pub fn commit(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        self.write(&COMMIT_FRAME)?;
        self.sync()?;
        self.segment_bytes += COMMIT_FRAME.len() as u64;
        self.dirty = false;
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| io_err(&self.path, "write", e))?;
        self.out.get_ref().sync_data().map_err(|e| io_err(&self.path, "fsync", e))
    }

    /// Closes the full segment (committing what it holds) and starts the
    /// next one, named after the next LSN.
    fn rotate(&mut self) -> Result<()> {
        self.commit()?;
        self.sync()?;
        let path = self.dir.join(file_name(self.next_lsn));
        self.out = Self::create_segment(&self.dir, &path)?;
        self.path = path;
        self.segment_bytes = 0;
        Ok(())
    }

    /// The LSN the next record gets.
    pub fn next_lsn(&self) -> i64 {
        self.next_lsn
    }

    /// Commits what is pending and closes the log.
    pub fn close(mut self) -> Result<()> {
        self.commit()
    }
}

/// Calls `deliver(lsn, payload)` for every committed record with an LSN
/// of at least `from_lsn`, in order, until it returns false (that record
/// counts); returns how many calls were made. Every segment is checked
/// before the first call. A missing or empty directory holds no records.
/// Safe beside a writer: only what precedes each segment's last commit
/// frame is read.
pub fn scan(dir: &Path, from_lsn: i64, mut deliver: impl FnMut(i64, &[u8]) -> bool) -> Result<i64> {
    let segs = list_segments(dir)?;
    let mut firsts = Vec::with_capacity(segs.len());
    let mut expected = segs.first().map_or(0, |s| s.first_lsn);
    for (i, seg) in segs.iter().enumerate() {
        let s = check(seg, &read(&seg.path)?, expected, i + 1 == segs.len())?;
        firsts.push(expected);
        expected = lsn_after(seg, expected, s.committed)?;
    }
    let mut calls = 0i64;
    for (seg, first) in segs.iter().zip(firsts) {
        let bytes = read(&seg.path)?;
        let s = survey(&bytes);
        for (k, r) in s.records[..s.committed].iter().enumerate() {
            let lsn = first + k as i64;
            if lsn < from_lsn {
                continue;
            }
            calls += 1;
            if !deliver(lsn, &bytes[r.at..r.at + r.len]) {
                return Ok(calls);
            }
        }
    }
    Ok(calls)
}

#[cfg(test)]
mod tests;
