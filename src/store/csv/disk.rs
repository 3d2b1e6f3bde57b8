//! CSV straight to disk: `.csv.splayed` (one splayed table) and
//! `.csv.parted` (consecutive chunks of rows as the partitions `0`, `1`,
//! ... of a partitioned table), storage spec 5.7 and 5.8. The file is read
//! as [`super::read`] reads it (types inferred from the first 4096 rows, as
//! RayforceDB's streaming import does), then saved through
//! `store::splayed` and loaded back.
//!
//! Unlike RayforceDB, the whole table is read before anything is written
//! (no streaming in chunks of a million rows), so the peak memory is the
//! table's. This module owns the chunking and naming, not the file
//! formats.

use super::ReadOptions;
use crate::core::vector::materialize;
use crate::core::{RayError, Result, Value};
use crate::store::{parted, splayed};
use std::path::Path;

/// `.csv.splayed`: reads `src`, saves it as a splayed table in `dir` with
/// its symbol file `dir/.sym`, and returns the table loaded back.
pub fn to_splayed(src: &Path, dir: &Path, opts: ReadOptions) -> Result<Value> {
    let table = super::read_with(src, opts, true)?;
    let sym = dir.join(splayed::SYM_FILE);
    splayed::save(dir, &table, Some(&sym))?;
    splayed::load(dir, Some(&sym))
}

/// `.csv.parted`: reads `src`, saves every `rows` rows as `root/<k>/<name>`
/// against `root/.sym`, and returns `.db.parted.get root name`.
pub fn to_parted(src: &Path, root: &Path, name: &[u8], rows: i64, opts: ReadOptions) -> Result<Value> {
    let shown = String::from_utf8_lossy(name);
    if name.is_empty() || name[0] == b'.' || shown.contains('/') || shown.contains('\\') || shown.contains("..") {
        return Err(RayError::domain("csv.parted: invalid table name"));
    }
    if rows <= 0 {
        return Err(RayError::range(format!("csv.parted: rows per partition must be positive, got {rows}")));
    }
    let table = super::read_with(src, opts, true)?;
    let n = table.table_nrows().max(0);
    let names = crate::ops::table::names(&table);
    let cols = crate::ops::table::columns(&table);
    let sym = root.join(splayed::SYM_FILE);
    let mut k = 0;
    let mut at = 0;
    // A file without rows still writes partition 0.
    while at < n || (k == 0 && n == 0) {
        let len = rows.min(n - at);
        let part = cols
            .iter()
            .map(|c| -> Result<Value> {
                let s: Value = Value::slice(c, at, len)?;
                materialize(&s)
            })
            .collect::<Result<Vec<_>>>()?;
        let chunk = crate::ops::table::make_table(&names, part)?;
        splayed::save(&root.join(k.to_string()).join(shown.as_ref()), &chunk, Some(&sym))?;
        k += 1;
        at += len;
    }
    parted::load(root, name)
}
