//! A partitioned table held without reading its columns: the value
//! `.db.parted.get` returns. It is a well-formed TABLE with one row per
//! partition, marked with [`PARTED_MARK`] in its attrs: the first column
//! holds the partition keys (the virtual column), every other column the
//! paths of that column's file in each partition (an empty path where a
//! partition lacks the column). Anything that does not know the mark sees
//! a small table of paths, never a malformed one.
//!
//! This module owns that representation and the only ways to read data
//! through it: row counts from the column headers, and [`Parted::gather`],
//! which loads (maps) the chosen columns of the chosen partitions and
//! concatenates them in partition order. Deciding which partitions a query
//! needs is the query layer's job.

use crate::abi::*;
use crate::core::vec_ops::{VecBuilder, atom_cell};
use crate::core::{RayError, Result, Value, sym};
use crate::ops::nulls::typed_null;
use crate::store::column::{self, load_column};
use crate::store::splayed::SYM_FILE;
use crate::store::vocab::Vocab;
use std::path::{Path, PathBuf};

/// The attrs bit of a TABLE that stands for a partitioned table (a bit no
/// table otherwise carries).
pub const PARTED_MARK: u8 = 0x04;

/// True for a table value that stands for a partitioned table.
pub fn is_parted(v: &ray_t) -> bool {
    v.type_ == RAY_TABLE && v.attrs & PARTED_MARK != 0
}

/// The value itself, or its materialization when it is a partitioned
/// table: the one conversion everything that does not work over
/// partitions applies to its arguments.
pub fn materialize(v: &Value) -> Result<Value> {
    match Parted::of(v) {
        Some(p) => p.materialize(),
        None => Ok(v.clone()),
    }
}

/// Builds the lazy value: `key_name`/`keys` the virtual column, `columns`
/// (name, one path per partition, empty when missing).
pub(super) fn build(key_name: i64, keys: Value, columns: Vec<(i64, Vec<PathBuf>)>) -> Result<Value> {
    let mut all = vec![(key_name, keys)];
    for (name, paths) in columns {
        let texts: Vec<String> = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        all.push((name, Value::str_vec(texts.iter().map(|t| t.as_bytes()))?));
    }
    let mut t = Value::table_from(all)?;
    t.set_attr(PARTED_MARK, true)?;
    Ok(t)
}

thread_local! {
    static WIDEST: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The most partitions one [`Parted::gather`] on this thread read together
/// since the last call (which resets it). Tests use it to check that a
/// query ran partition by partition.
pub fn take_widest_gather() -> usize {
    WIDEST.with(|w| w.replace(0))
}

/// A partitioned table, read through its representation.
pub struct Parted<'a> {
    t: &'a ray_t,
}

impl<'a> Parted<'a> {
    pub fn of(v: &'a ray_t) -> Option<Parted<'a>> {
        is_parted(v).then_some(Parted { t: v })
    }

    fn col(&self, i: usize) -> Result<&'a ray_t> {
        self.t.table_cols().and_then(|c| c.item(i)).ok_or_else(|| RayError::type_err("parted: malformed table"))
    }

    /// Number of partitions.
    pub fn nparts(&self) -> usize {
        self.t.table_nrows().max(0) as usize
    }

    /// The partition keys, one per partition (DATE, I64 or SYM).
    pub fn keys(&self) -> Result<&'a ray_t> {
        self.col(0)
    }

    /// Column name ids, the virtual column first.
    pub fn names(&self) -> Vec<i64> {
        crate::ops::table::names(self.t)
    }

    /// Where column `col` (>= 1) of partition `part` lives; None when the
    /// partition lacks it.
    fn segment(&self, col: usize, part: usize) -> Result<Option<PathBuf>> {
        let path = self.col(col)?.str_at(part);
        Ok((!path.is_empty()).then(|| PathBuf::from(String::from_utf8_lossy(path).into_owned())))
    }

    /// The database root (three levels above any column file).
    fn root(&self) -> Result<Option<PathBuf>> {
        for c in 1..self.names().len() {
            for p in 0..self.nparts() {
                if let Some(path) = self.segment(c, p)? {
                    return Ok(path.ancestors().nth(3).map(Path::to_path_buf));
                }
            }
        }
        Ok(None)
    }

    /// Rows of each partition, from its first column file's header.
    pub fn rows(&self) -> Result<Vec<usize>> {
        self.rows_of(&(0..self.nparts()).collect::<Vec<_>>())
    }

    /// Rows of partitions `parts`.
    fn rows_of(&self, parts: &[usize]) -> Result<Vec<usize>> {
        let mut out = Vec::with_capacity(parts.len());
        for &p in parts {
            let n = match self.segment(1, p)? {
                None => 0,
                Some(path) => match column::read::peek_len(&path) {
                    Some(n) => n,
                    None => load_column(&path, self.vocab()?.as_ref())?.len(),
                },
            };
            out.push(n.max(0) as usize);
        }
        Ok(out)
    }

    /// Total rows.
    pub fn count(&self) -> Result<i64> {
        Ok(self.rows()?.iter().sum::<usize>() as i64)
    }

    fn vocab(&self) -> Result<Option<Vocab>> {
        match self.root()? {
            Some(root) => Vocab::open_existing(&root.join(SYM_FILE)),
            None => Ok(None),
        }
    }

    /// An ordinary table of columns `cols` (indices into [`Parted::names`],
    /// 0 = the virtual column) over partitions `parts` (ascending), their
    /// rows concatenated in partition order. Only those files are mapped.
    pub fn gather(&self, parts: &[usize], cols: &[usize]) -> Result<Value> {
        if let Some(&bad) = parts.iter().find(|&&p| p >= self.nparts()) {
            return Err(RayError::new("index", format!("parted: no partition {bad}")));
        }
        WIDEST.with(|w| w.set(w.get().max(parts.len())));
        let rows = self.rows_of(parts)?;
        let names = self.names();
        let vocab = if cols.iter().any(|&c| c > 0) { self.vocab()? } else { None };
        let mut columns = Vec::with_capacity(cols.len());
        for &c in cols {
            let col = if c == 0 {
                repeat_keys(self.keys()?, parts, &rows)?
            } else {
                self.concat_segments(c, parts, &rows, vocab.as_ref())?
            };
            columns.push((names[c], col));
        }
        Value::table_from(columns)
    }

    /// Every column over every partition.
    pub fn materialize(&self) -> Result<Value> {
        let parts: Vec<usize> = (0..self.nparts()).collect();
        let cols: Vec<usize> = (0..self.names().len()).collect();
        self.gather(&parts, &cols)
    }

    /// Column `col` (>= 1) of `parts`; partitions lacking it give typed
    /// nulls of the first partition's type.
    fn concat_segments(&self, col: usize, parts: &[usize], rows: &[usize], vocab: Option<&Vocab>) -> Result<Value> {
        let mut segs = Vec::with_capacity(parts.len());
        for (&p, &n) in parts.iter().zip(rows) {
            let seg = match self.segment(col, p)? {
                Some(path) => Some(load_column(&path, vocab)?),
                None => None,
            };
            if let Some(s) = &seg {
                if s.len().max(0) as usize != n {
                    return Err(RayError::new("corrupt", format!("parted: partition {p} column {col} has {} rows, expected {n}", s.len())));
                }
            }
            segs.push(seg);
        }
        if let [Some(only)] = segs.as_slice() {
            return Ok(only.clone());
        }
        let proto_type = match segs.iter().flatten().next() {
            Some(s) => s.type_,
            None => self.first_type(col, vocab)?,
        };
        let width = segs.iter().flatten().map(|v| v.attrs & RAY_SYM_WIDTH_MASK).max().unwrap_or(0);
        let mut b = VecBuilder::new(proto_type, width, rows.iter().sum())?;
        let mut has_nulls = false;
        for (seg, &n) in segs.iter().zip(rows) {
            match seg {
                Some(v) => {
                    b.extend_from(v, 0..n)?;
                    has_nulls |= v.attrs & RAY_ATTR_HAS_NULLS != 0;
                }
                None => {
                    let null = typed_null(proto_type);
                    let cell = atom_cell(&null, proto_type)?;
                    for _ in 0..n {
                        b.push(&cell)?;
                    }
                    has_nulls |= n > 0 && crate::ops::prim::has_sentinel(proto_type);
                }
            }
        }
        b.finish(has_nulls)
    }

    /// The type of column `col` in the first partition (which has every column).
    fn first_type(&self, col: usize, vocab: Option<&Vocab>) -> Result<i8> {
        let path = self.segment(col, 0)?.ok_or_else(|| RayError::new("corrupt", "parted: first partition lacks a column"))?;
        Ok(match column::read::peek_header(&path) {
            Some(h) => h.type_,
            None => load_column(&path, vocab)?.type_,
        })
    }
}

/// The virtual column over `parts`: each key repeated for its rows (one
/// typed gather, not a builder call per row).
fn repeat_keys(keys: &ray_t, parts: &[usize], rows: &[usize]) -> Result<Value> {
    let idx: Vec<crate::ops::Row> =
        parts.iter().zip(rows).flat_map(|(&p, &n)| std::iter::repeat_n(p as crate::ops::Row, n)).collect();
    crate::ops::gather_ix(keys, &idx)
}

/// Name id of the virtual column `name`.
pub(super) fn key_id(name: &str) -> i64 {
    sym::intern_str(name)
}
