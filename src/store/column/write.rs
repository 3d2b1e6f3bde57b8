//! Writing one raw column file (types 1..13): the header, then the payload
//! exactly as a mapped reader will use it. Fixed-width vectors are written
//! as they are in memory; SYM vectors as positions in the table's symbol
//! file (width chosen from its count); STR vectors as 16-byte descriptors,
//! a pool header and a freshly packed pool. Every file goes into a
//! `store::file::Batch` (atomic per file), so a failure leaves the previous file.
//!
//! It decides nothing about which columns a table writes (that is
//! `splayed`) and never touches the symbol file on disk: the caller has
//! added every symbol to the vocabulary and flushed it first.

use super::header::{HEADER_LEN, Header, sym_width_for_count};
use super::built_index::{chunk_zone_region, dict_region};
use super::index_region::{region_for, sym_hash_region};
use crate::abi::*;
use crate::core::index::Kind;
use crate::core::{RayError, Result, Value};
use crate::ops::nulls::scan_nulls;
use crate::store::file::{self, Batch};
use crate::store::vocab::Vocab;
use std::io::Write;
use std::path::Path;

/// Longest string kept inside a descriptor.
const INLINE_MAX: usize = 12;

fn io_err(e: file::FileError) -> RayError {
    RayError::io(e.to_string())
}

/// The attribute bits a column keeps on disk: sorted as given, has-nulls
/// exactly when a null sentinel is present.
fn disk_attrs(col: &ray_t) -> u8 {
    let sorted = col.attrs & RAY_ATTR_SORTED;
    if matches!(col.type_, RAY_STR | RAY_SYM | RAY_GUID) {
        // STR has no null; the reference flags neither a SYM column's empty
        // symbol nor a GUID column's all-zero cell.
        return sorted;
    }
    sorted | if scan_nulls(col) { RAY_ATTR_HAS_NULLS } else { 0 }
}

/// Adds every symbol of a SYM column to `vocab` (positions for new ones).
pub fn add_symbols(col: &ray_t, vocab: &mut Vocab) {
    vocab.for_each_position(col, |_| {});
}

/// Which of the index regions a save builds by itself it writes
/// (storage.md §1.6): `.csv.parted` gives STR columns no dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltRegions {
    All,
    NoDictionary,
}

/// Writes `col` (a vector of type 1..13, or a list) to `path` as part of
/// `batch` (the file replaces `path` when the batch commits). A SYM column
/// needs `vocab`, already holding all its symbols. Errors: `type`, `io`.
pub fn write_column(batch: &mut Batch, path: &Path, col: &ray_t, vocab: Option<&mut Vocab>, built: BuiltRegions) -> Result<()> {
    match col.type_ {
        RAY_STR => write_str(batch, path, col, built),
        RAY_SYM => {
            let vocab = vocab.ok_or_else(|| RayError::type_err("SYM column without a symbol file"))?;
            write_sym(batch, path, col, vocab)
        }
        t if is_vector_type(t) => {
            let region = region_of(col, HEADER_LEN + col.vec_bytes().len(), built);
            let h = Header { indexed: region.is_some(), ..Header::new(t, disk_attrs(col), 0, col.len()) };
            // The payload goes straight from the vector's memory in one
            // write (larger than the writer's buffer, so not copied twice).
            batch
                .add_with(path, |out| {
                    out.write_all(&h.to_bytes())?;
                    out.write_all(col.vec_bytes())?;
                    out.write_all(region.as_deref().unwrap_or_default())
                })
                .map_err(io_err)
        }
        RAY_LIST => {
            let bytes = super::serial::encode_list(col)?;
            batch.add(path, &bytes).map_err(io_err)
        }
        _ => Err(RayError::type_err("not a storable column type")),
    }
}

/// The index region a column file gets (storage.md §1.6): its own index's
/// when it carries one the reference writes the same way (no region for
/// the others), else the one a save builds by itself for large columns
/// (`built_index`).
fn region_of(col: &ray_t, payload_end: usize, built: BuiltRegions) -> Option<Vec<u8>> {
    if crate::core::index::attached(col).is_some() {
        region_for(col, payload_end)
    } else if col.type_ == RAY_STR {
        (built == BuiltRegions::All).then(|| dict_region(col, payload_end)).flatten()
    } else {
        chunk_zone_region(col, payload_end)
    }
}

fn write_sym(batch: &mut Batch, path: &Path, col: &ray_t, vocab: &mut Vocab) -> Result<()> {
    let count = vocab.count();
    let width = sym_width_for_count(count);
    let sym_count = u32::try_from(count).unwrap_or(u32::MAX);
    let n = col.len().max(0) as usize;
    // The cells as they go to disk, `1 << width` bytes each.
    let mut cells = crate::core::alloc::try_vec_with_capacity::<u8>(n << width)?;
    match width {
        RAY_SYM_W8 => vocab.for_each_position(col, |p| cells.push(p as u8)),
        RAY_SYM_W16 => vocab.for_each_position(col, |p| cells.extend_from_slice(&(p as u16).to_le_bytes())),
        RAY_SYM_W32 => vocab.for_each_position(col, |p| cells.extend_from_slice(&(p as u32).to_le_bytes())),
        _ => vocab.for_each_position(col, |p| cells.extend_from_slice(&p.to_le_bytes())),
    }
    if vocab.count() != count {
        return Err(RayError::domain("SYM column holds symbols missing from its symbol file"));
    }
    // A `grouped` column's hash index goes to disk rebuilt over the
    // positions, as the reference does (storage.md §3.6).
    let grouped = crate::core::index::attached(col).is_some_and(|i| i.header().kind == Kind::Hash);
    let region = grouped.then(|| {
        let positions: Vec<u64> = cells
            .chunks_exact(1 << width)
            .map(|c| c.iter().rev().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            .collect();
        sym_hash_region(col, &positions, HEADER_LEN + cells.len())
    })
    .flatten();
    let h = Header {
        indexed: region.is_some(),
        ..Header::new(RAY_SYM, (col.attrs & RAY_ATTR_SORTED) | width, sym_count, n as i64)
    };
    batch
        .add_with(path, |out| {
            out.write_all(&h.to_bytes())?;
            out.write_all(&cells)?;
            out.write_all(region.as_deref().unwrap_or_default())
        })
        .map_err(io_err)
}

/// Descriptors and pool of a STR column, the pool packed in row order.
pub fn str_layout(col: &ray_t) -> Result<(Vec<u8>, Vec<u8>)> {
    let n = col.len().max(0) as usize;
    let mut cells = Vec::with_capacity(n * 16);
    let mut pool = Vec::new();
    for i in 0..n {
        let s = col.str_at(i);
        let len = u32::try_from(s.len()).map_err(|_| RayError::range("string over 4 GiB"))?;
        let mut cell = [0u8; 16];
        cell[0..4].copy_from_slice(&len.to_le_bytes());
        if s.len() <= INLINE_MAX {
            cell[4..4 + s.len()].copy_from_slice(s);
        } else {
            let off = u32::try_from(pool.len()).map_err(|_| RayError::range("string pool over 4 GiB"))?;
            cell[4..8].copy_from_slice(&s[..4]);
            cell[8..12].copy_from_slice(&off.to_le_bytes());
            pool.extend_from_slice(s);
        }
        cells.extend_from_slice(&cell);
    }
    Ok((cells, pool))
}

/// The 32-byte header in front of a STR column's pool.
pub fn pool_header(pool_len: usize) -> [u8; HEADER_LEN] {
    Header::new(RAY_U8, 0, 0, pool_len as i64).to_bytes()
}

fn write_str(batch: &mut Batch, path: &Path, col: &ray_t, built: BuiltRegions) -> Result<()> {
    let (cells, pool) = str_layout(col)?;
    let region = region_of(col, 2 * HEADER_LEN + cells.len() + pool.len(), built);
    let h = Header { indexed: region.is_some(), ..Header::new(RAY_STR, col.attrs & RAY_ATTR_SORTED, 0, col.len().max(0)) };
    batch
        .add_with(path, |out| {
            out.write_all(&h.to_bytes())?;
            out.write_all(&cells)?;
            out.write_all(&pool_header(pool.len()))?;
            out.write_all(&pool)?;
            out.write_all(region.as_deref().unwrap_or_default())
        })
        .map_err(io_err)
}

/// The bytes of a STR column file holding `names` (the `.d` file).
pub fn str_file_bytes(names: &[&[u8]]) -> Result<Vec<u8>> {
    let v = Value::str_vec(names.iter().copied())?;
    let (cells, pool) = str_layout(&v)?;
    let mut out = Header::new(RAY_STR, 0, 0, names.len() as i64).to_bytes().to_vec();
    out.extend_from_slice(&cells);
    out.extend_from_slice(&pool_header(pool.len()));
    out.extend_from_slice(&pool);
    Ok(out)
}
