//! The runtime symbol snapshot (`ray_sym_save`, `ray_sym_load`, the file
//! named at `ray_runtime_create_with_sym`): the process symbol table in
//! the STRL format, entry `i` being the symbol with id `i` (entry 0 is
//! `""`), so an embedder's raw symbol ids stay valid across processes.
//!
//! Saving takes an exclusive lock on `<path>.lk` and replaces the file
//! atomically; loading takes a shared lock, then interns entry `i` and
//! requires it to get id `i` (entries below the live table's size must
//! already be those symbols). Like the reference, a load that fails half
//! way keeps what it interned.
//!
//! It owns the snapshot file; the intern table itself is `core::sym`'s.

use crate::core::sym;
use crate::store::{file, vocab};
use std::fs::{File, OpenOptions};
use std::path::Path;

/// What loading a snapshot did (the status `ray_runtime_create_with_sym_err`
/// reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymLoad {
    /// No path given, or no file at the path: nothing loaded.
    Absent,
    /// The snapshot was loaded.
    Loaded,
    /// The path cannot be read (a directory, no permission, a read error).
    Unreadable,
    /// Not a snapshot (magic, torn, trailing bytes), or its entries do not
    /// land at their positions.
    Corrupt,
    /// Larger than half of physical memory: not loaded.
    TooLarge,
}

/// Loads the snapshot named at runtime creation (before builtins are
/// registered, so its entries keep their ids). A missing file is fine.
pub fn load_at_create(path: Option<&Path>) -> SymLoad {
    let Some(path) = path else { return SymLoad::Absent };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => SymLoad::Absent,
        Err(_) => SymLoad::Unreadable,
        Ok(m) if m.is_dir() => SymLoad::Unreadable,
        Ok(m) if larger_than_half_the_ram(m.len()) => SymLoad::TooLarge,
        Ok(_) => load(path),
    }
}

/// A snapshot past half the physical memory is refused before reading.
fn larger_than_half_the_ram(len: u64) -> bool {
    let ram = crate::core::budget::physical_ram() as u64;
    ram > 0 && len > ram / 2
}

/// Loads the snapshot at `path` into the process symbol table: `Loaded`,
/// `Unreadable` (missing too: an explicit load needs a file) or `Corrupt`.
pub fn load(path: &Path) -> SymLoad {
    let _lock = shared_lock(path);
    let Ok(bytes) = std::fs::read(path) else { return SymLoad::Unreadable };
    let Ok(names) = vocab::parse_strl(&bytes) else { return SymLoad::Corrupt };
    for (i, name) in names.iter().enumerate() {
        let id = match sym::name(i as i64) {
            Some(existing) if existing == *name => continue,
            Some(_) => return SymLoad::Corrupt,
            None => sym::intern(name),
        };
        if id != i as i64 {
            return SymLoad::Corrupt;
        }
    }
    SymLoad::Loaded
}

/// A shared lock on `<path>.lk` (created if missing); None when it cannot
/// be had (a read-only file system): the load goes on unlocked.
fn shared_lock(path: &Path) -> Option<File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lk");
    let lk = OpenOptions::new().create(true).truncate(false).write(true).open(&name).ok()?;
    lk.lock_shared().ok()?;
    Some(lk)
}

/// Writes the whole process symbol table to `path` (exclusive lock on
/// `<path>.lk`, atomic replace). Errors are I/O errors, with the file named.
pub fn save(path: &Path) -> Result<(), String> {
    let _lock = vocab::lock_file(path).map_err(|e| e.message().unwrap_or_default().to_string())?;
    let count = sym::count() as i64;
    let bytes = sym::with_names(|name| vocab::strl_bytes((0..count).map(|i| name(i)).collect::<Vec<_>>().into_iter()));
    file::write_atomic(path, &bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_absent_unreadable_or_corrupt_before_anything_is_interned() {
        let dir = std::env::temp_dir().join(format!("rayforce-symfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("sym");
        std::fs::write(&file, b"garbage").unwrap();
        assert_eq!(load_at_create(None), SymLoad::Absent);
        assert_eq!(load_at_create(Some(&dir.join("missing"))), SymLoad::Absent);
        assert_eq!(load_at_create(Some(&dir)), SymLoad::Unreadable);
        assert_eq!(load_at_create(Some(&file)), SymLoad::Corrupt);
        assert_eq!(load(&dir.join("missing")), SymLoad::Unreadable);
        std::fs::write(&file, vocab::strl_bytes([&b"not empty"[..]].into_iter())).unwrap();
        assert_eq!(load(&file), SymLoad::Corrupt, "entry 0 is the empty symbol");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_saved_snapshot_loads_back_onto_the_same_ids() {
        let dir = std::env::temp_dir().join(format!("rayforce-symsave-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("syms");
        let id = sym::intern(b"snapshot-test-symbol");
        save(&file).unwrap();
        assert_eq!(load(&file), SymLoad::Loaded);
        let names = std::fs::read(&file).unwrap();
        let entries = vocab::parse_strl(&names).unwrap();
        assert_eq!(entries[id as usize], b"snapshot-test-symbol");
        assert_eq!(entries[0], b"");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
