//! Partitioned tables: `ROOT/<partition>/<table>/` splayed tables sharing
//! `ROOT/.sym`. Partition directories are the entries of ROOT made of
//! digits and dots, in byte-wise order. Loading gives one table: a virtual
//! column first (`date` when every partition is a `YYYY.MM.DD` date, else
//! `part`, I64 when every name is digits, else SYM), then the first
//! partition's columns.
//!
//! The loaded table is lazy (`lazy`): nothing but `.d` files and column
//! headers is read until a query gathers the partitions and columns it
//! needs. A partition lacking trailing columns contributes typed nulls
//! (the reference returns shorter columns there).
//!
//! This module owns the database layout; tables inside it are `splayed`'s.

use crate::abi::*;
use crate::core::vec_ops::VecBuilder;
use crate::core::{RayError, Result, Value, sym, temporal};
use crate::store::splayed::{self, SYM_FILE, is_partition_name, is_safe_name};
use crate::store::vocab::Vocab;
use std::path::{Path, PathBuf};

mod lazy;

pub use lazy::{PARTED_MARK, Parted, is_parted, materialize, take_widest_gather};

/// The partition directory names of `root`, byte-wise sorted.
pub fn partitions(root: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(root).map_err(|e| {
        RayError::io(format!("parted {}: cannot enumerate partition directories ({e})", root.display()))
    })?;
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_partition_name(n.as_bytes()))
        .collect();
    out.sort();
    Ok(out)
}

/// `YYYY.MM.DD` as days since 2000-01-01 (day 1..31, rolling over).
fn parse_date(name: &str) -> Option<i64> {
    let b = name.as_bytes();
    if b.len() != 10 || b[4] != b'.' || b[7] != b'.' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as i64))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| temporal::days_from_civil(y, m as u32, d as u32))
}

/// The virtual column's name and per-partition key vector.
fn partition_keys(parts: &[String]) -> Result<(&'static str, Value)> {
    if let Some(days) = parts.iter().map(|p| parse_date(p)).collect::<Option<Vec<i64>>>() {
        let days: Vec<i32> = days.iter().map(|&d| d as i32).collect();
        return Ok(("date", Value::vec_from_slice(RAY_DATE, &days)?));
    }
    if parts.iter().all(|p| p.bytes().all(|c| c.is_ascii_digit())) {
        let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
        if let Some(nums) = nums {
            return Ok(("part", Value::vec_from_slice(RAY_I64, &nums)?));
        }
    }
    let ids: Vec<i64> = parts.iter().map(|p| sym::intern(p.as_bytes())).collect();
    Ok(("part", Value::sym_vec(&ids)?))
}

fn check_table_name(root: &Path, name: &[u8]) -> Result<()> {
    let s = String::from_utf8_lossy(name);
    if name.is_empty() || s.contains('/') || s.contains('\\') || s.contains("..") || name[0] == b'.' {
        return Err(RayError::io(format!("parted {}: bad table name '{s}'", root.display())));
    }
    Ok(())
}

/// Opens table `name` of the database at `root` (`.db.parted.get`)
/// without reading its columns: each partition's `.d` and column headers
/// are checked against the first partition, and the lazy value of
/// [`lazy`] is returned.
pub fn load(root: &Path, name: &[u8]) -> Result<Value> {
    check_table_name(root, name)?;
    let table = String::from_utf8_lossy(name).into_owned();
    // Validated now (a bad symbol file is `corrupt` at open), read again
    // by the queries that need it.
    Vocab::open_existing(&root.join(SYM_FILE))?;
    let parts = partitions(root)?;
    if parts.is_empty() {
        return Err(RayError::io(format!("parted {}: no partition directories", root.display())));
    }
    let mut schema: Vec<Vec<u8>> = Vec::new();
    let mut first_types: Vec<Option<i8>> = Vec::new();
    let mut paths: Vec<Vec<PathBuf>> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let dir = root.join(p).join(&table);
        let names = splayed::read_schema(&dir)?;
        let types = column_types(&dir, &names)?;
        if i == 0 {
            if names.is_empty() {
                return Err(RayError::new("corrupt", format!("parted {}: partition {p}/{table} has no columns", root.display())));
            }
            schema = names.clone();
            first_types = types.clone();
            paths = vec![Vec::with_capacity(parts.len()); schema.len()];
        }
        check_schema(root, &parts[0], p, &table, (&schema, &first_types), (&names, &types))?;
        for (c, col_paths) in paths.iter_mut().enumerate() {
            col_paths.push(names.get(c).map(|n| dir.join(String::from_utf8_lossy(n).as_ref())).unwrap_or_default());
        }
    }
    let (key_name, keys) = partition_keys(&parts)?;
    let columns = schema.iter().map(|n| sym::intern(n)).zip(paths).collect();
    lazy::build(lazy::key_id(key_name), keys, columns)
}

/// The type each column file's header declares (None for serialized
/// columns); a missing file is `io`, as the full load would say.
fn column_types(dir: &Path, names: &[Vec<u8>]) -> Result<Vec<Option<i8>>> {
    names
        .iter()
        .map(|n| {
            let path = dir.join(String::from_utf8_lossy(n).as_ref());
            if !path.is_file() {
                return Err(RayError::io(format!("col {}: no such column file", path.display())));
            }
            Ok(crate::store::column::read::peek_header(&path).map(|h| h.type_))
        })
        .collect()
}

fn check_schema(
    root: &Path,
    first: &str,
    part: &str,
    table: &str,
    (schema, schema_types): (&[Vec<u8>], &[Option<i8>]),
    (names, types): (&[Vec<u8>], &[Option<i8>]),
) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        if schema.get(i) != Some(n) || schema_types.get(i) != types.get(i) {
            return Err(RayError::new(
                "corrupt",
                format!(
                    "parted {}: partition {part}/{table} column {i} ('{}') does not match partition {first} (name/type mismatch)",
                    root.display(),
                    String::from_utf8_lossy(n)
                ),
            ));
        }
    }
    Ok(())
}

/// Sorted names of the tables (subdirectories holding `.d`) in the last
/// partition of `root` (`.db.parted.tables`).
pub fn tables(root: &Path) -> Result<Value> {
    let parts = partitions(root)?;
    let mut names = match parts.last() {
        Some(last) => tables_in(&root.join(last)),
        None => Vec::new(),
    };
    names.sort();
    let ids: Vec<i64> = names.iter().map(|n| sym::intern(n.as_bytes())).collect();
    Value::sym_vec(&ids)
}

fn tables_in(part: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(part) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.path().join(splayed::SCHEMA_FILE).is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_safe_name(n.as_bytes()))
        .collect()
}

/// Gives every partition an empty copy of each table it lacks, shaped like
/// the last partition that has it (`.db.parted.fill`). Returns the sorted
/// partition names written to (a SYM vector).
pub fn fill(root: &Path) -> Result<Value> {
    let parts = partitions(root)?;
    let mut all: Vec<String> = parts.iter().flat_map(|p| tables_in(&root.join(p))).collect();
    all.sort();
    all.dedup();
    let sym_path = root.join(SYM_FILE);
    let sym_arg = sym_path.exists().then_some(sym_path.as_path());
    let mut written: Vec<String> = Vec::new();
    for table in &all {
        let Some(template) = parts.iter().rev().find(|p| root.join(p).join(table).join(splayed::SCHEMA_FILE).is_file())
        else {
            continue;
        };
        let mut empty: Option<Value> = None;
        for p in &parts {
            let dir: PathBuf = root.join(p).join(table);
            if dir.join(splayed::SCHEMA_FILE).is_file() {
                continue;
            }
            if empty.is_none() {
                let t = splayed::load(&root.join(template).join(table), sym_arg)?;
                empty = Some(empty_like(&t)?);
            }
            splayed::save(&dir, empty.as_ref().unwrap(), sym_arg)?;
            written.push(p.clone());
        }
    }
    written.sort();
    written.dedup();
    let ids: Vec<i64> = written.iter().map(|n| sym::intern(n.as_bytes())).collect();
    Value::sym_vec(&ids)
}

/// A 0-row table with the column names and types of `t`.
fn empty_like(t: &ray_t) -> Result<Value> {
    let (Some(schema), Some(cols)) = (t.table_schema(), t.table_cols()) else {
        return Err(RayError::type_err("expects a table"));
    };
    let mut columns = Vec::new();
    for i in 0..schema.len().max(0) as usize {
        let col = cols.item(i).ok_or_else(|| RayError::type_err("table column missing"))?;
        columns.push((crate::store::splayed::name_id(schema, i), VecBuilder::like(col, 0)?.finish(false)?));
    }
    Value::table_from(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_give_dates_numbers_or_symbols() {
        assert_eq!(parse_date("2024.01.15"), Some(8780));
        assert_eq!(parse_date("2024.13.01"), None);
        assert_eq!(parse_date("2024.02.30"), parse_date("2024.03.01"), "day 30 of February rolls over");
    }
}
