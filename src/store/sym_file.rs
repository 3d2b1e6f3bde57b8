//! The symbol file named at runtime creation (`ray_runtime_create_with_sym`):
//! what is at its path. This library does not load the reference's symbol
//! files yet, so an existing file is reported as unsupported, not read.

use std::path::Path;

/// What is at a symbol file's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymLoad {
    /// No path given, or no file at the path.
    Absent,
    /// A file exists but this library cannot load the reference's sym
    /// files; it was ignored.
    Unsupported,
    /// The path exists but cannot be read (or is a directory).
    Unreadable,
}

/// Looks at `path` (None: no symbol file asked for).
pub fn probe(path: Option<&Path>) -> SymLoad {
    let Some(path) = path else { return SymLoad::Absent };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => SymLoad::Absent,
        Err(_) => SymLoad::Unreadable,
        Ok(m) if m.is_dir() => SymLoad::Unreadable,
        Ok(_) => SymLoad::Unsupported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_absent_unreadable_or_an_unsupported_file() {
        let dir = std::env::temp_dir().join(format!("rayforce-symfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("sym");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(probe(None), SymLoad::Absent);
        assert_eq!(probe(Some(&dir.join("missing"))), SymLoad::Absent);
        assert_eq!(probe(Some(&dir)), SymLoad::Unreadable);
        assert_eq!(probe(Some(&file)), SymLoad::Unsupported);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
