//! Whole files as byte strings, for the small file builtins (`read`,
//! `write`, `load`) and the object snapshot calls (`ray_obj_save`,
//! `ray_obj_load`): one read or one replacement of a file's entire content.
//!
//! Reads never abort on a huge file (the buffer is reserved fallibly and an
//! allocation failure is an error) and say which file failed; writes of a
//! regular file go through [`file::write_atomic`], so a crash leaves the
//! previous content or the new one. This module owns how a path's kind
//! (missing, directory, device, symbolic link) changes those two
//! operations; it knows nothing of values or formats.

use super::file::{self, FileError};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The OS's reason for `e` without Rust's " (os error N)" suffix, as the
/// reference words its messages ("No such file or directory").
pub fn reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The error for a path that names a directory where a file was expected.
pub fn is_a_directory() -> io::Error {
    io::Error::other("is a directory")
}

/// The whole content of the file at `path`.
///
/// A directory is an error ("is a directory"); a device or pipe reads as
/// empty, as the reference does (it reads as many bytes as `stat` reports,
/// which never ends for `/dev/zero`). Regular files are read to their end,
/// so `/proc` files (size 0 in `stat`) give their real content.
pub fn read_whole(path: &Path) -> Result<Vec<u8>, FileError> {
    let fail = |op, e| FileError::new(path, op, e);
    let mut f = File::open(path).map_err(|e| fail("open", e))?;
    let meta = f.metadata().map_err(|e| fail("stat", e))?;
    if meta.is_dir() {
        return Err(fail("read", is_a_directory()));
    }
    if !meta.is_file() {
        return Ok(Vec::new());
    }
    let mut bytes = Vec::new();
    let size = usize::try_from(meta.len()).map_err(|_| fail("read", io::ErrorKind::OutOfMemory.into()))?;
    bytes.try_reserve_exact(size).map_err(|_| fail("read", io::ErrorKind::OutOfMemory.into()))?;
    f.read_to_end(&mut bytes).map_err(|e| fail("read", e))?;
    Ok(bytes)
}

/// Replaces the content of the file at `path` with `bytes`.
///
/// A new or regular file is replaced atomically, keeping an existing file's
/// permissions; a symbolic link to a regular file replaces the file it
/// points to (the link stays a link); a device or pipe is written in place
/// (it cannot be renamed over); a directory is an error.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    if path.as_os_str().is_empty() {
        return Err(FileError::new(path, "create", io::ErrorKind::NotFound.into()));
    }
    let existing = match fs::metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(FileError::new(path, "stat", e)),
    };
    let Some(meta) = existing else {
        return file::write_atomic(path, bytes);
    };
    if meta.is_dir() {
        return Err(FileError::new(path, "create", is_a_directory()));
    }
    if !meta.is_file() {
        return write_in_place(path, bytes);
    }
    let target = real_target(path)?;
    file::write_atomic(&target, bytes)?;
    fs::set_permissions(&target, meta.permissions()).map_err(|e| FileError::new(path, "chmod", e))
}

/// The file a path finally names: itself, or where its links lead.
fn real_target(path: &Path) -> Result<PathBuf, FileError> {
    let is_link = fs::symlink_metadata(path).map_err(|e| FileError::new(path, "stat", e))?.file_type().is_symlink();
    if is_link { fs::canonicalize(path).map_err(|e| FileError::new(path, "resolve", e)) } else { Ok(path.to_path_buf()) }
}

fn write_in_place(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let mut f =
        OpenOptions::new().write(true).truncate(true).open(path).map_err(|e| FileError::new(path, "open", e))?;
    f.write_all(bytes).map_err(|e| FileError::new(path, "write", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rayforce-whole-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_back_what_was_written_nul_bytes_included() {
        let dir = scratch("roundtrip");
        let p = dir.join("f");
        write_whole(&p, b"a\0b").unwrap();
        assert_eq!(read_whole(&p).unwrap(), b"a\0b");
        write_whole(&p, b"").unwrap();
        assert_eq!(read_whole(&p).unwrap(), b"");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn directories_and_missing_files_are_errors_naming_the_path() {
        let dir = scratch("errors");
        let e = read_whole(&dir).unwrap_err();
        assert_eq!(reason(&e.source), "is a directory");
        assert_eq!(e.path, dir);
        let e = write_whole(&dir, b"x").unwrap_err();
        assert_eq!(reason(&e.source), "is a directory");
        let missing = dir.join("nope/f");
        assert_eq!(reason(&read_whole(&missing).unwrap_err().source), "No such file or directory");
        assert_eq!(write_whole(&missing, b"x").unwrap_err().path, missing);
        assert!(write_whole(Path::new(""), b"x").is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_link_keeps_pointing_at_the_rewritten_file() {
        let dir = scratch("link");
        let real = dir.join("real");
        let link = dir.join("link");
        write_whole(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_whole(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn permissions_survive_a_rewrite() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("perm");
        let p = dir.join("f");
        write_whole(&p, b"1").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        write_whole(&p, b"2").unwrap();
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn devices_read_empty_and_take_writes_in_place() {
        assert_eq!(read_whole(Path::new("/dev/null")).unwrap(), b"");
        write_whole(Path::new("/dev/null"), b"x").unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    }
}
