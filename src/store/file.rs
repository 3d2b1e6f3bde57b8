//! Whole-file writes that are atomic: a reader (or a restart after a crash)
//! sees either the previous content of a file or the complete new one,
//! never a torn mix. Every writer of the storage layer (column files, `.d`,
//! symbol files, snapshots, `write`, CSV output) goes through here.
//!
//! The recipe: write a temporary file beside the target (same directory, so
//! the rename cannot cross file systems), `fsync` it, `rename` it over the
//! target, then `fsync` the directory so the rename itself is durable. On
//! any failure the temporary file is removed and the target is untouched.
//!
//! This module owns the recipe and the error that names the file; it knows
//! nothing of values or formats.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A failed file operation: which file, which step, and the OS's reason.
#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    pub op: &'static str,
    pub source: io::Error,
}

impl FileError {
    pub fn new(path: &Path, op: &'static str, source: io::Error) -> FileError {
        FileError { path: path.to_path_buf(), op, source }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path.display(), self.op, self.source)
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Replaces `path` with `bytes` atomically (see the module doc).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Replaces `path` with what `fill` writes, atomically. `fill` streams into
/// a buffered writer, so large files never need one contiguous buffer. If
/// `fill` fails, the target keeps its previous content.
pub fn write_atomic_with<F>(path: &Path, fill: F) -> Result<(), FileError>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let mut batch = Batch::default();
    batch.add_with(path, fill)?;
    batch.commit()
}

/// Several files replaced by the same recipe, each one atomically, with
/// the waiting batched: every file is written to its temporary (and its
/// writeback started) first, then each is fsynced and renamed in the order
/// added, and each directory involved is fsynced once. The disk writes
/// one file while the next is being copied, instead of stopping at an
/// fsync after each. Dropping an uncommitted batch removes its temporaries
/// (no target changes).
#[derive(Default)]
pub struct Batch {
    /// (target, temporary, written file), in the order added.
    pending: Vec<(PathBuf, PathBuf, File)>,
}

impl Batch {
    /// Writes what `fill` streams to a temporary beside `path`; the target
    /// is replaced at [`Batch::commit`].
    pub fn add_with<F>(&mut self, path: &Path, fill: F) -> Result<(), FileError>
    where
        F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
    {
        let temp = temp_path(path);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| FileError::new(path, "create", e))?;
        // Registered before filling, so a failure removes the temporary.
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let filled = fill(&mut out).map_err(|e| FileError::new(path, "write", e));
        let file = match filled.and_then(|_| out.into_inner().map_err(|e| FileError::new(path, "write", e.into_error()))) {
            Ok(f) => f,
            Err(e) => {
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
        };
        start_writeback(&file);
        self.pending.push((path.to_path_buf(), temp, file));
        Ok(())
    }

    /// Adds a file whose whole content is `bytes`.
    pub fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<(), FileError> {
        self.add_with(path, |out| out.write_all(bytes))
    }

    /// Fsyncs and renames every file in the order added, then fsyncs each
    /// directory once. On an error the files not yet renamed keep their
    /// previous content.
    pub fn commit(mut self) -> Result<(), FileError> {
        let pending = std::mem::take(&mut self.pending);
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut left = pending.into_iter();
        let result = (|| {
            for (path, temp, file) in left.by_ref() {
                let step = file.sync_all().map_err(|e| FileError::new(&path, "fsync", e));
                drop(file);
                if let Err(e) = step.and_then(|_| fs::rename(&temp, &path).map_err(|e| FileError::new(&path, "rename", e))) {
                    let _ = fs::remove_file(&temp);
                    return Err(e);
                }
                let dir = parent_dir(&path).to_path_buf();
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
            dirs.iter().try_for_each(|d| sync_dir(d).map_err(|e| FileError::new(d, "fsync directory", e)))
        })();
        for (_, temp, _) in left {
            let _ = fs::remove_file(&temp);
        }
        result
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        for (_, temp, _) in self.pending.drain(..) {
            let _ = fs::remove_file(&temp);
        }
    }
}

/// Asks the kernel to start writing `file`'s dirty pages now (not to wait
/// for them): the later fsync then finds most of them on disk. Only a hint;
/// nothing depends on it succeeding.
fn start_writeback(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid open descriptor; the call only schedules I/O.
        unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Makes a directory's entries (a rename, a new file) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A name beside `path` that no other writer (thread or process) uses at
/// the same time: hidden, with the process id and a counter.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    parent_dir(path).join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rayforce-file-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn writes_then_replaces_whole_content() {
        let dir = scratch("replace");
        let path = dir.join("col");
        write_atomic(&path, b"first version").unwrap();
        write_atomic(&path, b"2nd").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"2nd");
        assert_eq!(entries(&dir), ["col"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn failed_fill_keeps_previous_content_and_leaves_no_temporary() {
        let dir = scratch("fail");
        let path = dir.join("t.d");
        write_atomic(&path, b"old").unwrap();
        let err = write_atomic_with(&path, |out| {
            out.write_all(&[7u8; 3 << 20])?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.op, "write");
        assert!(err.to_string().contains("t.d"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(&dir), ["t.d"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let dir = scratch("missing");
        let path = dir.join("no/such/dir/file");
        let err = write_atomic(&path, b"x").unwrap_err();
        assert_eq!(err.op, "create");
        assert_eq!(err.source.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with(&path.display().to_string()), "{err}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn relative_path_in_current_directory_has_a_parent() {
        assert_eq!(parent_dir(Path::new("x.csv")), Path::new("."));
        assert_eq!(temp_path(Path::new("x.csv")).parent(), Some(Path::new(".")));
    }
}
