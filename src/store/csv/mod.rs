//! CSV import and export (storage spec section 5): `.csv.read` /
//! `read-csv` and `.csv.write` / `write-csv` call [`read`] and [`write`].
//!
//! | module | owns |
//! |---|---|
//! | `split` | the delimiter, the header, cutting rows and fields |
//! | `infer` | schema names and type inference from a sample |
//! | `cells` | one field's text as a typed value |
//! | `parse` | filling the columns in parallel |
//! | `dict` | a thread's dictionary of a SYM column's values |
//! | `join` | the workers' text joined, INT narrowed |
//! | `fast` | the parse's fused path for bodies without quotes |
//! | `write` | the text of a table |
//! | `disk` | `.csv.splayed` (streamed) and `.csv.parted` |
//!
//! Reading maps the file, counts its rows (in parallel when it has no
//! quotes), infers types from up to 4096 evenly spaced rows, then parses
//! on every core. Pages of the mapping are dropped behind the count, after
//! the sample and as the parse consumes them (while the table's pages fill
//! in), so the peak memory is the table plus a window of the file. Progress
//! goes to `runtime::progress`.
//!
//! Deviations from RayforceDB, all fixes of its defects (storage spec 10):
//! a `"` inside an unquoted field is text (RayforceDB merges the following
//! rows), an unterminated quote is an error naming its line (RayforceDB
//! runs the field to the end of the file), text after a closing quote
//! stays in the field (RayforceDB starts a new field), too few schema types
//! give `length` (RayforceDB `oom`), a header-only file honours the given
//! types (RayforceDB gives F64), and a plain date in a TIMESTAMP column is
//! its midnight (RayforceDB gives null).
//!
//! This module must not call into `lang`: builtins convert their arguments
//! and call down here.

mod cells;
mod dict;
mod disk;
mod fast;
mod infer;
mod join;
mod parse;
mod split;
mod write;

pub use disk::{STREAM_ROWS, to_parted, to_splayed, to_splayed_in};
pub use infer::ColType;
pub use write::write;

use crate::core::{RayError, Result, Value, sym};
use crate::runtime::progress;
use std::fs::File;
use std::ops::Range;
use std::path::Path;

/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 256;

/// What a read is told besides the path.
#[derive(Default)]
pub struct ReadOptions {
    /// Column names: the file's first line is skipped only when it equals
    /// them, else it is data.
    pub names: Option<Vec<Vec<u8>>>,
    /// Column types; None infers them.
    pub types: Option<Vec<ColType>>,
}

/// Ends the progress report on every way out.
struct ProgressGuard;
impl Drop for ProgressGuard {
    fn drop(&mut self) {
        progress::end();
    }
}

fn io_err(path: &Path, what: impl std::fmt::Display) -> RayError {
    RayError::io(format!("csv read: {}: {what}", path.display()))
}

/// Reads the CSV file at `path` into a table.
pub fn read(path: &Path, opts: ReadOptions) -> Result<Value> {
    read_with(path, opts, false)
}

/// [`read`], inferring types from the first 4096 rows when `head_sample`
/// (as `.csv.splayed` and `.csv.parted` do) instead of evenly spaced ones.
fn read_with(path: &Path, opts: ReadOptions, head_sample: bool) -> Result<Value> {
    let _guard = ProgressGuard;
    let file = Prepared::open(path, opts, head_sample)?;
    let cols = file.parse(0..file.layout.rows)?;
    crate::ops::table::make_table(&file.name_ids(), cols)
}

/// A mapped file cut into rows, with its column types: what a read
/// parses, all at once or in ranges of rows.
struct Prepared {
    map: memmap2::Mmap,
    layout: split::Layout,
    types: Vec<ColType>,
}

impl Prepared {
    /// Maps, cuts and types the file at `path` (a progress operation
    /// starts: end it with a [`ProgressGuard`]).
    fn open(path: &Path, opts: ReadOptions, head_sample: bool) -> Result<Prepared> {
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        let len = file.metadata().map_err(|e| io_err(path, e))?.len();
        if len == 0 {
            return Err(io_err(path, "empty file"));
        }
        // SAFETY: the mapping is read-only and private; like every reader of a
        // mapped file we rely on nobody truncating the file while it is read
        // (a concurrent writer can change values, never memory safety of the
        // bytes we copy out, short of truncation, which gives SIGBUS).
        let map = unsafe { memmap2::MmapOptions::new().map(&file) }.map_err(|e| io_err(path, e))?;
        progress::label(Some(b"csv.read"), Some(b"scan"));
        let release = |r: Range<usize>| drop_pages(&map, r);
        let (layout, types) = cut_and_type(&map, path, opts, head_sample, &release)?;
        // The sample's pages too: the parse reads the file again in order.
        drop_pages(&map, 0..map.len());
        progress::label(None, Some(b"parse"));
        progress::begin_phase(layout.rows as u64);
        Ok(Prepared { map, layout, types })
    }

    /// Parses rows `rows` into columns on every core, dropping the input
    /// pages it consumed.
    fn parse(&self, rows: Range<usize>) -> Result<Vec<Value>> {
        let bytes: &[u8] = &self.map;
        let release = |r: Range<usize>| drop_pages(&self.map, r);
        parse::parse(bytes, &self.layout, rows, &self.types, threads_for_bytes(bytes.len()), &release)
    }

    /// The columns' names as symbols.
    fn name_ids(&self) -> Vec<i64> {
        self.layout.names.iter().map(|n| sym::intern(n)).collect()
    }
}

/// Tells the kernel the mapped pages of `r` are no longer needed (they are
/// read again from the page cache if touched), keeping the resident set
/// to the table plus a window of the file.
fn drop_pages(map: &memmap2::Mmap, r: Range<usize>) {
    const PAGE: usize = 4096;
    let start = r.start.div_ceil(PAGE) * PAGE;
    let end = r.end / PAGE * PAGE;
    if end > start {
        // SAFETY: MADV_DONTNEED on a private read-only file mapping only
        // drops page-table entries; the bytes read back are the file's.
        unsafe {
            let _ = map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start);
        }
    }
}

fn threads_for_bytes(n: usize) -> usize {
    crate::ops::par::threads_for(n / 32)
}

fn unterminated(bytes: &[u8], path: &Path, u: split::Unterminated) -> RayError {
    RayError::domain(format!(
        "csv read: {} line {}: quoted field never closed",
        path.display(),
        split::line_of(bytes, u.at)
    ))
}

/// The file's layout and column types (given, or inferred from a sample).
fn cut_and_type(
    bytes: &[u8],
    path: &Path,
    opts: ReadOptions,
    head_sample: bool,
    release: &(dyn Fn(Range<usize>) + Sync),
) -> Result<(split::Layout, Vec<ColType>)> {
    let (delim, header, after_header) = split::header(bytes).map_err(|u| unterminated(bytes, path, u))?;
    let ncols = header.len();
    if ncols > MAX_COLUMNS {
        return Err(RayError::range(format!("csv read: header has too many columns, got {ncols} (max {MAX_COLUMNS})")));
    }
    let (names, body) = match &opts.names {
        Some(given) if given != &header => (given.clone(), 0),
        Some(given) => (given.clone(), after_header),
        None => (header, after_header),
    };
    let types = match opts.types {
        Some(t) if t.len() < ncols => {
            return Err(RayError::length(format!(
                "csv read: {} has {ncols} columns but the schema gives {} types",
                path.display(),
                t.len()
            )));
        }
        Some(mut t) => {
            t.truncate(ncols);
            Some(t)
        }
        None => None,
    };
    let names = &names[..ncols.min(names.len())];
    let threads = threads_for_bytes(bytes.len());
    let layout =
        split::Layout::scan_releasing(bytes, delim, names.to_vec(), body, threads, release)
            .map_err(|u| unterminated(bytes, path, u))?;
    let types = match types {
        Some(t) => t,
        // A file without data rows reads as F64 columns, as RayforceDB's.
        None if layout.rows == 0 => vec![ColType::F64; ncols],
        None => infer_types(bytes, &layout, ncols, head_sample),
    };
    Ok((layout, types))
}

/// Column types from the sampled rows' fields.
fn infer_types(bytes: &[u8], layout: &split::Layout, ncols: usize, head_sample: bool) -> Vec<ColType> {
    let mut sample: Vec<Vec<Vec<u8>>> = vec![Vec::new(); ncols];
    let mut scratch = Vec::new();
    let rows = if head_sample { (0..layout.rows.min(4096)).collect() } else { infer::sample_rows(layout.rows) };
    for r in rows {
        let pos = layout.row_start(bytes, r);
        let mut seen = 0;
        let _ = split::read_row(bytes, pos, layout.delim, &mut scratch, |c, f| {
            if c < ncols {
                sample[c].push(f.to_vec());
                seen = c + 1;
            }
        });
        sample[seen..].iter_mut().for_each(|s| s.push(Vec::new()));
    }
    sample.iter().map(|s| infer::infer(s.iter().map(Vec::as_slice))).collect()
}
