//! CSV straight to disk: `.csv.splayed` (one splayed table) and
//! `.csv.parted` (consecutive chunks of rows as the partitions `0`, `1`,
//! ... of a partitioned table), storage spec 5.7 and 5.8, with types
//! inferred from the first 4096 rows as RayforceDB's imports do.
//!
//! `.csv.splayed` streams, as RayforceDB's does, when no column is STR or
//! INT (a STR pool and an INT width need the whole column): `.d` is
//! removed first, the rows are parsed [`STREAM_ROWS`] at a time and each
//! chunk appended to `<column>.tmp` files behind a placeholder header,
//! SYM cells as 32-bit positions in `DIR/.sym`; then the symbol file is
//! written, each header filled in, each file renamed, and `.d` written
//! last; numeric and temporal columns of 2^16 rows or more get the
//! chunk-zone index region a save builds (`column::built_index`), fed
//! chunk by chunk. Memory stays at one chunk's columns plus a window of the input,
//! whatever the file's size. Otherwise the table is read whole and saved
//! through `store::splayed`. `.csv.parted` parses, saves and drops one
//! partition's rows at a time (unless an INT column needs the whole file
//! for its width).
//!
//! This module owns the chunking and naming; the column file formats are
//! `store::column`'s.

use super::{ColType, Prepared, ProgressGuard, ReadOptions};
use crate::abi::*;
use crate::core::vector::materialize;
use crate::core::{RayError, Result, Value};
use crate::store::column::BuiltRegions;
use crate::store::column::built_index::ChunkZones;
use crate::store::column::header::{HEADER_LEN, Header};
use crate::store::vocab::Vocab;
use crate::store::{parted, splayed};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Rows parsed and written at a time by a streaming `.csv.splayed`.
pub const STREAM_ROWS: usize = 1_000_000;

/// `.csv.splayed`: reads `src` into a splayed table in `dir` with its
/// symbol file `dir/.sym`, and returns the table loaded back.
pub fn to_splayed(src: &Path, dir: &Path, opts: ReadOptions) -> Result<Value> {
    to_splayed_in(src, dir, opts, STREAM_ROWS)
}

/// [`to_splayed`], streaming `chunk_rows` rows at a time.
pub fn to_splayed_in(src: &Path, dir: &Path, opts: ReadOptions, chunk_rows: usize) -> Result<Value> {
    let sym = dir.join(splayed::SYM_FILE);
    let guard = ProgressGuard;
    let file = Prepared::open(src, opts, true)?;
    if file.types.iter().any(|t| matches!(t, ColType::Str | ColType::Int)) {
        let cols = file.parse(0..file.layout.rows)?;
        let table = crate::ops::table::make_table(&file.name_ids(), cols)?;
        drop(guard);
        splayed::save(dir, &table, Some(&sym))?;
    } else {
        stream(&file, dir, &sym, chunk_rows.max(1))?;
        drop(guard);
    }
    splayed::load(dir, Some(&sym))
}

fn io(path: &Path, e: std::io::Error) -> RayError {
    RayError::io(format!("csv.splayed {}: {e}", path.display()))
}

/// One column file being appended to.
struct ColumnOut {
    name: Vec<u8>,
    tmp: PathBuf,
    out: BufWriter<File>,
    type_: i8,
    has_nulls: bool,
    /// The chunk-zone index the save appends (storage.md §1.6), built as
    /// the chunks go by; None for types that get none.
    zones: Option<ChunkZones>,
}

/// Writes the rows of `file` as the splayed table `dir`, chunk by chunk.
fn stream(file: &Prepared, dir: &Path, sym: &Path, chunk_rows: usize) -> Result<()> {
    for name in &file.layout.names {
        if !splayed::is_safe_name(name) {
            return Err(RayError::domain(format!(
                "csv.splayed: column name '{}' cannot be a file name",
                String::from_utf8_lossy(name)
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let schema = dir.join(splayed::SCHEMA_FILE);
    match std::fs::remove_file(&schema) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&schema, e)),
        _ => {}
    }
    let mut vocab = Vocab::open(sym)?;
    vocab.seed();
    let mut vocab = Positions { vocab, by_id: Vec::new() };
    let mut outs = Vec::with_capacity(file.layout.names.len());
    for (name, &t) in file.layout.names.iter().zip(&file.types) {
        let tmp = dir.join(format!("{}.tmp", String::from_utf8_lossy(name)));
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp).map_err(|e| io(&tmp, e))?);
        out.write_all(&[0; HEADER_LEN]).map_err(|e| io(&tmp, e))?;
        let type_ = super::parse::vec_type(t);
        outs.push(ColumnOut { name: name.clone(), tmp, out, type_, has_nulls: false, zones: ChunkZones::for_type(type_) });
    }
    let rows = file.layout.rows;
    let mut at = 0;
    while at < rows {
        let end = (at + chunk_rows).min(rows);
        let cols = file.parse(at..end)?;
        for (o, col) in outs.iter_mut().zip(&cols) {
            append(o, col, &mut vocab)?;
        }
        at = end;
    }
    vocab.vocab.flush()?;
    let sym_count = u32::try_from(vocab.vocab.count()).unwrap_or(u32::MAX);
    let mut names: Vec<&[u8]> = Vec::with_capacity(outs.len());
    for o in &mut outs {
        let (attrs, count) = match o.type_ {
            RAY_SYM => (RAY_SYM_W32, sym_count),
            _ if o.has_nulls => (RAY_ATTR_HAS_NULLS, 0),
            _ => (0, 0),
        };
        // The reference records no HAS_NULLS in a streamed column's index.
        let payload_end = HEADER_LEN + rows * elem_size(o.type_, attrs);
        let region = o.zones.as_ref().and_then(|z| z.region(false, payload_end));
        let header = Header { indexed: region.is_some(), ..Header::new(o.type_, attrs, count, rows as i64) }.to_bytes();
        let done = o
            .out
            .write_all(region.as_deref().unwrap_or_default())
            .and_then(|_| o.out.seek(SeekFrom::Start(0)))
            .and_then(|_| o.out.write_all(&header))
            .and_then(|_| o.out.flush());
        done.map_err(|e| io(&o.tmp, e))?;
        let path = dir.join(String::from_utf8_lossy(&o.name).as_ref());
        std::fs::rename(&o.tmp, &path).map_err(|e| io(&path, e))?;
        names.push(&o.name);
    }
    let bytes = crate::store::column::write::str_file_bytes(&names)?;
    crate::store::file::write_atomic(&schema, &bytes).map_err(|e| RayError::io(e.to_string()))
}

/// The symbol file's positions, with a cache indexed by symbol id (ids
/// are dense), so a cell costs an array read rather than a hash lookup.
struct Positions {
    vocab: Vocab,
    by_id: Vec<u32>,
}

impl Positions {
    const UNKNOWN: u32 = u32::MAX;

    fn of(&mut self, id: i64) -> Result<u32> {
        let i = usize::try_from(id).map_err(|_| RayError::domain("csv.splayed: bad symbol id"))?;
        if let Some(&p) = self.by_id.get(i).filter(|&&p| p != Self::UNKNOWN) {
            return Ok(p);
        }
        let p = u32::try_from(self.vocab.position_of(id))
            .ok()
            .filter(|&p| p != Self::UNKNOWN)
            .ok_or_else(|| RayError::range("csv.splayed: more than 4 G symbols"))?;
        if i >= self.by_id.len() {
            self.by_id.resize(i + 1, Self::UNKNOWN);
        }
        self.by_id[i] = p;
        Ok(p)
    }
}

/// Appends one chunk's column to its file: fixed-width cells as they are
/// in memory, SYM cells as 32-bit positions in the symbol file.
fn append(o: &mut ColumnOut, col: &Value, vocab: &mut Positions) -> Result<()> {
    o.has_nulls |= col.attrs & RAY_ATTR_HAS_NULLS != 0;
    if let Some(z) = &mut o.zones {
        z.feed(col);
    }
    let written = if col.type_ == RAY_SYM {
        let mut buf = Vec::with_capacity(col.len().max(0) as usize * 4);
        for i in 0..col.len().max(0) as usize {
            buf.extend_from_slice(&vocab.of(col.sym_at(i))?.to_le_bytes());
        }
        o.out.write_all(&buf)
    } else {
        o.out.write_all(col.vec_bytes())
    };
    written.map_err(|e| io(&o.tmp, e))
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
    let sym = root.join(splayed::SYM_FILE);
    // The reference's `.csv.parted` gives STR columns no dictionary region.
    let save = |k: usize, chunk: &Value| {
        splayed::save_with(&root.join(k.to_string()).join(shown.as_ref()), chunk, Some(&sym), BuiltRegions::NoDictionary)
    };
    let guard = ProgressGuard;
    let file = Prepared::open(src, opts, true)?;
    let n = file.layout.rows;
    let per = usize::try_from(rows).unwrap_or(usize::MAX);
    if file.types.iter().any(|t| matches!(t, ColType::Int)) {
        // An INT column's width comes from the whole column: read it all,
        // then cut it.
        let cols = file.parse(0..n)?;
        drop(guard);
        let table = crate::ops::table::make_table(&file.name_ids(), cols)?;
        for (k, at) in partition_starts(n, per).enumerate() {
            let len = per.min(n - at) as i64;
            let part = crate::ops::table::columns(&table)
                .iter()
                .map(|c| -> Result<Value> {
                    let s: Value = Value::slice(c, at as i64, len)?;
                    materialize(&s)
                })
                .collect::<Result<Vec<_>>>()?;
            save(k, &crate::ops::table::make_table(&file.name_ids(), part)?)?;
        }
    } else {
        // One partition's rows parsed, saved and dropped at a time.
        for (k, at) in partition_starts(n, per).enumerate() {
            let cols = file.parse(at..(at.saturating_add(per)).min(n))?;
            save(k, &crate::ops::table::make_table(&file.name_ids(), cols)?)?;
        }
        drop(guard);
    }
    parted::load(root, name)
}

/// First rows of the partitions of `n` rows, `per` each; a file without
/// rows still has partition 0.
fn partition_starts(n: usize, per: usize) -> impl Iterator<Item = usize> {
    (0..n.max(1)).step_by(per.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sym;
    use crate::store::column::header::Header;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rayforce-csv-stream-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Same type, length, nulls flag and values (symbols by name).
    fn same_table(a: &Value, b: &Value) {
        let (ca, cb) = (a.table_cols().unwrap().items(), b.table_cols().unwrap().items());
        assert_eq!(ca.len(), cb.len());
        for (x, y) in ca.iter().zip(cb) {
            let (x, y) = (x.unwrap(), y.unwrap());
            assert_eq!((x.type_, x.len(), x.attrs & RAY_ATTR_HAS_NULLS), (y.type_, y.len(), y.attrs & RAY_ATTR_HAS_NULLS));
            if x.type_ == RAY_SYM {
                for i in 0..x.len() as usize {
                    assert_eq!(sym::name_or_empty(x.sym_at(i)), sym::name_or_empty(y.sym_at(i)), "row {i}");
                }
            } else {
                assert_eq!(x.vec_bytes(), y.vec_bytes());
            }
        }
    }

    #[test]
    fn a_streamed_splayed_table_equals_the_read_one() {
        let d = tmp("eq");
        let src = d.join("in.csv");
        let mut text = String::from("i,f,s,d,b\n");
        for r in 0..10_000 {
            let i = if r % 97 == 0 { String::new() } else { (r * 7).to_string() };
            let f = if r % 89 == 0 { String::new() } else { format!("{}.25", r % 1000) };
            text.push_str(&format!("{i},{f},stream_sym_{},2024-01-{:02},{}\n", r % 53, r % 28 + 1, r % 2 == 0));
        }
        std::fs::write(&src, text).unwrap();
        let out = d.join("t");
        let streamed = to_splayed_in(&src, &out, ReadOptions::default(), 1000).unwrap();
        let read = super::super::read_with(&src, ReadOptions::default(), true).unwrap();
        same_table(&streamed, &read);
        let s = std::fs::read(out.join("s")).unwrap();
        let h = Header::parse(&s);
        let count = crate::store::vocab::Vocab::open(&out.join(".sym")).unwrap().count();
        assert_eq!((h.attrs, h.sym_count as u64, h.len), (RAY_SYM_W32, count, 10_000));
        assert_eq!(s.len(), HEADER_LEN + 4 * 10_000);
        let left: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(left.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")), "{left:?}");
        // A header-only file keeps the given types, as 32-byte columns.
        std::fs::write(&src, "i,s\n").unwrap();
        let opts = ReadOptions { names: None, types: Some(vec![ColType::I64, ColType::Sym]) };
        let empty = to_splayed_in(&src, &d.join("e"), opts, 1000).unwrap();
        let cols = empty.table_cols().unwrap().items();
        assert_eq!((cols[0].unwrap().type_, cols[1].unwrap().type_, empty.table_nrows()), (RAY_I64, RAY_SYM, 0));
        assert_eq!(std::fs::metadata(d.join("e").join("i")).unwrap().len(), HEADER_LEN as u64);
        std::fs::remove_dir_all(&d).ok();
    }

    /// The chunk-zone regions of a streamed table do not depend on how the
    /// rows were chunked (chunks of 7,000 rows cut the 65,536-row zones).
    #[test]
    fn streamed_chunk_zones_do_not_depend_on_the_chunking() {
        let d = tmp("zones");
        let src = d.join("in.csv");
        let mut text = String::from("i,f\n");
        for r in 0..140_000u64 {
            let i = if r % 1013 == 0 { String::new() } else { (r * 7919 % 100_003).to_string() };
            let f = if (70_000..72_000).contains(&r) { String::new() } else { format!("{}.5", r % 977) };
            text.push_str(&format!("{i},{f}\n"));
        }
        std::fs::write(&src, text).unwrap();
        to_splayed_in(&src, &d.join("small"), ReadOptions::default(), 7000).unwrap();
        to_splayed_in(&src, &d.join("one"), ReadOptions::default(), STREAM_ROWS).unwrap();
        for c in ["i", "f"] {
            let small = std::fs::read(d.join("small").join(c)).unwrap();
            assert_eq!(&small[..4], b"XIDX", "{c}");
            assert_eq!(small, std::fs::read(d.join("one").join(c)).unwrap(), "{c}");
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn text_columns_read_whole_and_give_the_same_table() {
        let d = tmp("str");
        let src = d.join("in.csv");
        let mut text = String::from("k,v\n");
        for r in 0..3000 {
            text.push_str(&format!("unique_text_{r},{r}\n"));
        }
        std::fs::write(&src, text).unwrap();
        let t = to_splayed_in(&src, &d.join("t"), ReadOptions::default(), 100).unwrap();
        let cols = t.table_cols().unwrap().items();
        assert_eq!((cols[0].unwrap().type_, t.table_nrows()), (RAY_STR, 3000));
        assert_eq!(cols[0].unwrap().str_at(2999), b"unique_text_2999");
        std::fs::remove_dir_all(&d).ok();
    }

    /// `.csv.parted` parses one partition at a time (and an INT schema the
    /// whole file): each way, every partition holds its rows of the table a
    /// whole read gives, text columns included.
    #[test]
    fn parted_partitions_equal_slices_of_the_read_table() {
        let d = tmp("parted");
        let src = d.join("in.csv");
        let mut text = String::from("i,f,s,t\n");
        for r in 0..1000 {
            let f = if r % 89 == 0 { String::new() } else { format!("{}.5", r % 100) };
            text.push_str(&format!("{r},{f},sym_{},text number {r} here\n", r % 7));
        }
        std::fs::write(&src, text).unwrap();
        let int_schema = || ReadOptions { names: None, types: Some(vec![ColType::Int, ColType::F64, ColType::Sym, ColType::Str]) };
        for (tag, int) in [("streamed", false), ("int", true)] {
            let opts = || if int { int_schema() } else { ReadOptions::default() };
            let root = d.join(tag);
            let read = super::super::read_with(&src, opts(), true).unwrap();
            to_parted(&src, &root, b"t", 300, opts()).unwrap();
            for k in 0..4 {
                let part = splayed::load(&root.join(k.to_string()).join("t"), Some(&root.join(".sym"))).unwrap();
                let (at, len) = (k * 300, if k == 3 { 100 } else { 300 });
                let cols = crate::ops::table::columns(&read)
                    .iter()
                    .map(|c| materialize(&Value::slice(c, at, len).unwrap()).unwrap())
                    .collect();
                same_table(&part, &crate::ops::table::make_table(&crate::ops::table::names(&read), cols).unwrap());
            }
            assert!(!root.join("4").exists(), "{tag}: four partitions");
        }
        std::fs::remove_dir_all(&d).ok();
    }
}
