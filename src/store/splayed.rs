//! Splayed tables: a directory with one column file per column, the column
//! names in `.d` (a STR column file, written last as the commit marker) and,
//! when a column is SYM, a symbol file (`DIR/.sym`, the database root's
//! `.sym` for a table inside a partition, or an explicit path).
//!
//! Saving validates everything before writing anything, writes the symbol
//! file before the columns that use it, every file atomically, `.d` last,
//! then removes column files of dropped columns. Loading maps the columns
//! (see `column::read`) and checks that they agree on the row count.
//!
//! This module owns the directory layout; the file formats are in
//! `column` and `vocab`.

use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::store::column::{self, BuiltRegions, add_symbols, load_column, write::str_file_bytes, write_column};
use crate::store::{file, vocab::Vocab};
use std::path::{Path, PathBuf};

/// The schema file of a splayed table.
pub const SCHEMA_FILE: &str = ".d";
/// The symbol file's name beside a table or at a database root.
pub const SYM_FILE: &str = ".sym";

/// A column name that can be a file name in the table's directory.
pub fn is_safe_name(name: &[u8]) -> bool {
    !name.is_empty() && name[0] != b'.' && !name.iter().any(|&c| matches!(c, b'/' | b'\\' | 0))
}

/// A partition directory's name: digits and dots only.
pub fn is_partition_name(name: &[u8]) -> bool {
    !name.is_empty() && name[0] != b'.' && name.iter().all(|&c| c.is_ascii_digit() || c == b'.')
}

/// `DIR` without trailing slashes (a lone `/` stays).
fn trim_dir(dir: &Path) -> PathBuf {
    let s = dir.as_os_str().as_encoded_bytes();
    let mut end = s.len();
    while end > 1 && s[end - 1] == b'/' {
        end -= 1;
    }
    PathBuf::from(String::from_utf8_lossy(&s[..end]).into_owned())
}

/// The database root's symbol file when `dir` sits in a partition
/// directory (`ROOT/2024.01.15/t` → `ROOT/.sym`).
fn root_sym_file(dir: &Path) -> Option<PathBuf> {
    let part = dir.parent()?;
    let root = part.parent()?;
    let name = part.file_name()?.as_encoded_bytes();
    is_partition_name(name).then(|| root.join(SYM_FILE))
}

fn io_err(e: file::FileError) -> RayError {
    RayError::io(e.to_string())
}

/// Column `i`'s name id in a table's schema (I64 ids, or a SYM vector).
pub fn name_id(schema: &ray_t, i: usize) -> i64 {
    if schema.type_ == RAY_SYM { schema.sym_at(i) } else { schema.elems::<i64>()[i] }
}

/// The columns of `table` that are written: (name id, name bytes, column).
fn persisted_columns(table: &ray_t) -> Result<Vec<(i64, &'static [u8], Value)>> {
    let (Some(schema), Some(cols)) = (table.table_schema(), table.table_cols()) else {
        return Err(RayError::type_err("expects a table"));
    };
    let mut out = Vec::new();
    for i in 0..schema.len().max(0) as usize {
        let id = crate::store::splayed::name_id(schema, i);
        let name = sym::name_or_empty(id);
        if !is_safe_name(name) {
            continue;
        }
        if out.iter().any(|&(other, _, _)| other == id) {
            return Err(RayError::domain(format!(
                "splayed: duplicate column name '{}'",
                String::from_utf8_lossy(name)
            )));
        }
        let col = cols.item(i).ok_or_else(|| RayError::type_err("table column missing"))?;
        let col = strings_as_vector(col)?;
        if col.type_ == RAY_LIST {
            column::serial::check_storable(&col)?;
        } else if !is_vector_type(col.type_) {
            return Err(RayError::new(
                "nyi",
                format!("splayed: column '{}' of type {} cannot be stored", String::from_utf8_lossy(name), col.type_),
            ));
        }
        out.push((id, name, col));
    }
    Ok(out)
}

/// A list of string atoms as the STR vector the reference's `table` makes
/// of it (so the file is a raw STR column); anything else as it is.
fn strings_as_vector(col: &ray_t) -> Result<Value> {
    let items = if col.type_ == RAY_LIST { col.items() } else { &[] };
    if items.is_empty() || !items.iter().all(|x| x.is_some_and(|x| x.type_ == -RAY_STR)) {
        return Ok(col.to_value());
    }
    Value::str_vec(items.iter().flatten().map(|x| x.str_bytes()))
}

/// Saves `table` as a splayed table in `dir` (`.db.splayed.set`); `sym_path`
/// overrides where its symbol file goes. Errors: `type`, `domain`, `nyi`,
/// `reserve`, `io`, `corrupt` (symbol file changed by another writer).
pub fn save(dir: &Path, table: &ray_t, sym_path: Option<&Path>) -> Result<()> {
    save_with(dir, table, sym_path, BuiltRegions::All)
}

/// [`save`], building only `built` of the index regions a save adds to
/// large columns.
pub fn save_with(dir: &Path, table: &ray_t, sym_path: Option<&Path>, built: BuiltRegions) -> Result<()> {
    let dir = trim_dir(dir);
    let columns = persisted_columns(table)?;
    let sym_path = match sym_path {
        Some(p) => p.to_path_buf(),
        None => root_sym_file(&dir).unwrap_or_else(|| dir.join(SYM_FILE)),
    };
    let has_sym = columns.iter().any(|(_, _, c)| c.type_ == RAY_SYM);
    if has_sym {
        for &(_, name, _) in &columns {
            let col_path = dir.join(std::str::from_utf8(name).unwrap_or_default());
            let mut lk = sym_path.as_os_str().to_owned();
            lk.push(".lk");
            if col_path == sym_path || col_path.as_os_str() == lk {
                return Err(RayError::new(
                    "reserve",
                    format!("splayed {}: symbol file {} collides with a column", dir.display(), sym_path.display()),
                ));
            }
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| RayError::io(format!("splayed {}: {e}", dir.display())))?;
    let mut vocab = None;
    if has_sym {
        let mut v = Vocab::open(&sym_path)?;
        v.seed();
        for (_, _, c) in &columns {
            if c.type_ == RAY_SYM {
                add_symbols(c, &mut v);
            }
        }
        v.flush()?;
        vocab = Some(v);
    }
    let mut names: Vec<&[u8]> = Vec::with_capacity(columns.len());
    // Every column file and sidecar is written before any is fsynced (see
    // `file::Batch`); each still replaces its target atomically, and `.d`
    // follows only once all of them are durable.
    let mut batch = file::Batch::default();
    let mut stale_links = Vec::new();
    for (_, name, col) in &columns {
        let path = dir.join(String::from_utf8_lossy(name).as_ref());
        write_column(&mut batch, &path, col, vocab.as_mut(), built)?;
        match col.link_target() {
            Some(id) => batch.add(&link_path(&path), sym::name_or_empty(id)).map_err(io_err)?,
            None => stale_links.push(link_path(&path)),
        }
        names.push(name);
    }
    batch.commit().map_err(io_err)?;
    stale_links.iter().try_for_each(|p| remove_stale_link(p))?;
    file::write_atomic(&dir.join(SCHEMA_FILE), &str_file_bytes(&names)?).map_err(io_err)?;
    sweep(&dir, &names);
    Ok(())
}

/// The sidecar of column file `col_path`: `<column>.link`.
fn link_path(col_path: &Path) -> PathBuf {
    let mut p = col_path.as_os_str().to_owned();
    p.push(".link");
    PathBuf::from(p)
}

/// Removes the sidecar `side` of a column that is no longer linked (a
/// linked column's sidecar holds the target table's name as raw text and
/// is written with the column).
fn remove_stale_link(side: &Path) -> Result<()> {
    match std::fs::remove_file(side) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(RayError::io(format!("splayed {}: {e}", side.display()))),
        _ => Ok(()),
    }
}

/// The link a loaded column gets from its sidecar, as the reference reads
/// it: trailing spaces, tabs, CR, LF and NUL stripped; an empty text, one
/// over 1 MiB or an unreadable file is no link, and only I32/I64 columns
/// take one. A linked column leaves its mapping (the header is ours to
/// change, the file's is not).
fn read_link(col_path: &Path, col: Value) -> Result<Value> {
    const MAX_LINK_TEXT: u64 = 1 << 20;
    let side = link_path(col_path);
    if !matches!(col.type_, RAY_I32 | RAY_I64) || std::fs::metadata(&side).map_or(true, |m| m.len() > MAX_LINK_TEXT) {
        return Ok(col);
    }
    let Ok(text) = std::fs::read(&side) else { return Ok(col) };
    let end = text.iter().rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0)).map_or(0, |i| i + 1);
    if end == 0 {
        return Ok(col);
    }
    let mut col = col;
    col.set_link_target(Some(sym::intern(&text[..end])))?;
    Ok(col)
}

/// Removes regular files that are not dotfiles, current columns or their
/// `.link` sidecars (what a narrower re-save leaves behind).
fn sweep(dir: &Path, names: &[&[u8]]) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let n = name.as_encoded_bytes();
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        let keep = n.starts_with(b".")
            || names.contains(&n)
            || n.strip_suffix(b".link").is_some_and(|base| names.contains(&base));
        if is_file && !keep {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The symbol file a load of `dir` uses: `sym_path` (None when it does not
/// exist), else `DIR/.sym`, else the database root's.
fn resolve_sym_file(dir: &Path, sym_path: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = sym_path {
        return p.exists().then(|| p.to_path_buf());
    }
    let own = dir.join(SYM_FILE);
    if own.exists() {
        return Some(own);
    }
    root_sym_file(dir).filter(|p| p.exists())
}

/// Reads `.d`: the column names in order. Errors: `io` (missing),
/// `corrupt` (not STR, a bad name).
pub fn read_schema(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let path = dir.join(SCHEMA_FILE);
    if !path.is_file() {
        return Err(RayError::io(format!("splayed {}: cannot read .d schema", dir.display())));
    }
    let d = load_column(&path, None)?;
    if d.type_ != RAY_STR {
        return Err(RayError::new("corrupt", format!("splayed {}: .d is not a string vector", dir.display())));
    }
    let names: Vec<Vec<u8>> = (0..d.len() as usize).map(|i| d.str_at(i).to_vec()).collect();
    if let Some(bad) = names.iter().find(|n| !is_safe_name(n)) {
        return Err(RayError::new(
            "corrupt",
            format!("splayed {}: .d holds a bad column name '{}'", dir.display(), String::from_utf8_lossy(bad)),
        ));
    }
    Ok(names)
}

/// Loads the splayed table in `dir` (`.db.splayed.get`) with the symbol
/// file `vocab` (or the one found beside it when None). Errors: see the
/// module doc of `column::read`, plus `io` (no `.d`) and `corrupt` (row
/// counts differ).
pub fn load(dir: &Path, sym_path: Option<&Path>) -> Result<Value> {
    let dir = trim_dir(dir);
    let names = read_schema(&dir)?;
    let vocab = match resolve_sym_file(&dir, sym_path) {
        Some(p) => Some(Vocab::open(&p)?),
        None => None,
    };
    load_with(&dir, &names, vocab.as_ref())
}

/// Loads the columns `names` of the table in `dir` against `vocab`.
pub fn load_with(dir: &Path, names: &[Vec<u8>], vocab: Option<&Vocab>) -> Result<Value> {
    let mut columns = Vec::with_capacity(names.len());
    let mut rows = None;
    for name in names {
        let shown = String::from_utf8_lossy(name);
        let path = dir.join(shown.as_ref());
        // The reference compares a later column's declared rows before
        // checking its size: a torn overwrite reads as such.
        if let (Some(r), Some(n)) = (rows, column::read::peek_len(&path)) {
            if r != n {
                return Err(rows_differ(dir, &shown, n, r));
            }
        }
        let col = load_column(&path, vocab).and_then(|c| read_link(&path, c)).map_err(|e| wrap(dir, &shown, e))?;
        match rows {
            None => rows = Some(col.len()),
            Some(r) if r != col.len() => return Err(rows_differ(dir, &shown, col.len(), r)),
            Some(_) => {}
        }
        columns.push((sym::intern(name), col));
    }
    Value::table_from(columns)
}

fn rows_differ(dir: &Path, name: &str, got: i64, want: i64) -> RayError {
    RayError::new(
        "corrupt",
        format!("splayed {}: column '{name}' has {got} rows, expected {want} (torn overwrite?)", dir.display()),
    )
}

/// A column's load error, named after the table and column. Errors that
/// already say which file (version, symbol file) keep their message.
fn wrap(dir: &Path, name: &str, e: RayError) -> RayError {
    let code = e.code_str().to_string();
    if matches!(code.as_str(), "version" | "sym") || e.message().is_some_and(|m| m.starts_with("column ")) {
        return e;
    }
    let inner = e.message().unwrap_or_default();
    RayError::new(&code, format!("splayed {}: column '{name}' failed to load ({inner})", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_partition_directories() {
        assert!(is_safe_name(b"price") && !is_safe_name(b".hid") && !is_safe_name(b"a/b") && !is_safe_name(b""));
        assert!(is_partition_name(b"2024.01.15") && is_partition_name(b"10") && !is_partition_name(b"2024-01"));
        assert_eq!(root_sym_file(Path::new("/db/2024.01.15/trades")), Some(PathBuf::from("/db/.sym")));
        assert_eq!(root_sym_file(Path::new("/db/x/trades")), None);
        assert_eq!(trim_dir(Path::new("/tmp/a//")), PathBuf::from("/tmp/a"));
    }
}
