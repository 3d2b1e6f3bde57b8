//! Loading one column file: validation in the reference's order (each
//! failure gives its error code and a message naming the file), then the
//! value. Raw fixed-width and STR columns are mapped privately and used in
//! place (the header is patched in the private copy of the first page;
//! `mmod` = 1); SYM columns keep their file mapped and are translated from
//! symbol-file positions to process symbol ids when first touched
//! (`core::lazy`; at once when the header gives no symbol count);
//! serialized columns (lists) are decoded by `serial`. The `unique`,
//! `grouped` and `parted` attributes (and the sort, zone and bloom
//! indexes) come back from an index region (`index_region`; rebuilding one
//! touches a SYM column at once). The files are never written.

use super::header::{HEADER_LEN, Header, KEPT_ATTRS, is_raw_type, width};
use super::index_region::{BLOCK_LEN, Region, read_region};
use super::serial;
use super::sym_cells::translate_from;
use crate::abi::*;
use crate::core::index::{Kind, MARK_UNIQUE, attach_in_place};
use crate::core::{RayError, Result, Value, mapped};
use crate::ops::index;
use crate::store::vocab::Vocab;
use memmap2::{MmapMut, MmapOptions};
use std::fs::File;
use std::path::Path;

/// A marked file shorter than its payload plus one index block is read as
/// unmarked.
const INDEX_BLOCK_LEN: u64 = BLOCK_LEN as u64;

fn corrupt(path: &Path, what: &str) -> RayError {
    RayError::new("corrupt", format!("col {}: {what}", path.display()))
}

/// Loads the column file at `path`. `vocab` resolves SYM cells (None: no
/// symbol file; a SYM column then fails with `sym`).
pub fn load_column(path: &Path, vocab: Option<&Vocab>) -> Result<Value> {
    LOADS.with(|n| n.set(n.get() + 1));
    let file = File::open(path).map_err(|e| RayError::io(format!("col {}: {e}", path.display())))?;
    let size = file.metadata().map_err(|e| RayError::io(format!("col {}: {e}", path.display())))?.len();
    if size == 0 {
        return Err(RayError::io(format!("col {}: empty file", path.display())));
    }
    let mut map = map_private(&file, path)?;
    if let Some(v) = serial::decode_file(&map, path)? {
        return Ok(v);
    }
    if size < HEADER_LEN as u64 {
        return Err(corrupt(path, "shorter than its header"));
    }
    let h = Header::parse(&map);
    if h.generation != 0 {
        return Err(RayError::new("version", format!("col {}: bad format version", path.display())));
    }
    if !is_raw_type(h.type_) {
        return Err(RayError::new("nyi", format!("col {}: unknown column type {}", path.display(), h.type_)));
    }
    if h.len < 0 {
        return Err(corrupt(path, "negative length"));
    }
    let attrs = if h.type_ == RAY_SYM { h.attrs & KEPT_ATTRS } else { h.attrs & KEPT_ATTRS & !RAY_SYM_WIDTH_MASK };
    let expected = if h.type_ == RAY_STR { check_str(&map, h.len, path)? } else { payload_end(&h, attrs, size, path)? };
    let indexed = h.indexed && size >= expected.next_multiple_of(32) + INDEX_BLOCK_LEN;
    if size != expected && !indexed {
        return Err(RayError::io(format!("col {}: {} bytes, expected {expected}", path.display(), size)));
    }
    let region = if indexed { read_region(&map, expected, h.len) } else { None };
    if h.type_ == RAY_SYM {
        let v = decode_sym(map, &h, attrs, vocab, path)?;
        return restore_attributes(v, region);
    }
    let v = adopt(&mut map, h.type_, attrs, h.len);
    mapped::register(map.as_ptr(), map.len(), objects_in(&v), Box::new(map));
    restore_attributes(v, region)
}

/// Gives a loaded column back what its index region stands for: `unique`
/// (the marker, any kind), `grouped` (kind hash), `parted` (kind part) and
/// the sort, zone and bloom indexes, rebuilt from the values. Other kinds
/// (the per-chunk min/max and dictionary indexes a save builds) are not
/// restored; values are never affected.
fn restore_attributes(v: Value, region: Option<Region>) -> Result<Value> {
    let Some(region) = region else { return Ok(v) };
    let unique = if region.unique() { MARK_UNIQUE } else { 0 };
    let rebuilt = match region.kind() {
        Some(Kind::Hash) => index::build(Kind::Hash, &v, unique).ok(),
        Some(k @ (Kind::Part | Kind::Sort | Kind::Zone | Kind::Bloom)) => index::build(k, &v, unique).ok(),
        _ if unique != 0 => index::markers_only(&v, unique).ok(),
        _ => None,
    };
    match rebuilt {
        // SAFETY: `v` was just loaded: a heap SYM vector, a lazy SYM view
        // (a slice, which attach_in_place copies) or a column in its
        // private, writable mapping, with no other owner yet.
        Some(idx) => unsafe { attach_in_place(v, idx) },
        None => Ok(v),
    }
}

thread_local! {
    static LOADS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many column files this thread has opened for their data (calls of
/// [`load_column`]; header peeks are not counted). Tests use it to check
/// that a query reads only the partitions it needs.
pub fn loads_on_this_thread() -> u64 {
    LOADS.with(|n| n.get())
}

/// The row count a raw column file's header declares, when its first 32
/// bytes read as a valid raw header (None otherwise: the full load then
/// reports what is wrong).
pub fn peek_len(path: &Path) -> Option<i64> {
    peek_header(path).map(|h| h.len)
}

/// The header of a raw column file, read without mapping the file; None
/// when the file cannot be read or is not a valid raw column (serialized
/// columns included).
pub fn peek_header(path: &Path) -> Option<Header> {
    use std::io::Read;
    let mut b = [0u8; HEADER_LEN];
    File::open(path).ok()?.read_exact(&mut b).ok()?;
    let h = Header::parse(&b);
    (h.generation == 0 && is_raw_type(h.type_) && h.len >= 0 && serial::magic(&b).is_none()).then_some(h)
}

fn map_private(file: &File, path: &Path) -> Result<MmapMut> {
    // SAFETY: a private (copy-on-write) mapping: our writes never reach the
    // file. Another process truncating the file while it is mapped can make
    // reads fault (SIGBUS), as with the reference; saves replace files by
    // rename, which leaves existing mappings intact.
    unsafe { MmapOptions::new().map_copy(file) }.map_err(|e| RayError::io(format!("col {}: map: {e}", path.display())))
}

/// End of a fixed-width payload; `corrupt` when the file is shorter.
fn payload_end(h: &Header, attrs: u8, size: u64, path: &Path) -> Result<u64> {
    let bytes = (h.len as u64).checked_mul(width(h.type_, attrs) as u64);
    match bytes.and_then(|b| b.checked_add(HEADER_LEN as u64)) {
        Some(end) if end <= size => Ok(end),
        _ => Err(corrupt(path, &format!("{} rows do not fit in {size} bytes", h.len))),
    }
}

/// Checks a STR column's descriptors and pool; returns where the pool ends.
fn check_str(bytes: &[u8], len: i64, path: &Path) -> Result<u64> {
    let cells_end = (len as u64).checked_mul(16).and_then(|b| b.checked_add(HEADER_LEN as u64));
    let pool_header_end = cells_end.and_then(|e| e.checked_add(HEADER_LEN as u64));
    let pool_at = match (cells_end, pool_header_end) {
        (Some(e), Some(end)) if end <= bytes.len() as u64 => e as usize,
        _ => return Err(corrupt(path, "string descriptors or pool header past the end")),
    };
    let ph = Header::parse(&bytes[pool_at..]);
    if ph.type_ != RAY_U8 || ph.len < 0 {
        return Err(corrupt(path, "bad string pool header"));
    }
    let pool_start = pool_at + HEADER_LEN;
    let pool_len = ph.len as u64;
    if pool_start as u64 + pool_len > bytes.len() as u64 {
        return Err(corrupt(path, "string pool past the end"));
    }
    let pool = &bytes[pool_start..pool_start + pool_len as usize];
    for cell in bytes[HEADER_LEN..pool_at].chunks_exact(16) {
        let n = u32::from_le_bytes(cell[0..4].try_into().unwrap()) as u64;
        if n <= 12 {
            continue;
        }
        let off = u32::from_le_bytes(cell[8..12].try_into().unwrap()) as u64;
        if off + n > pool_len || pool[off as usize..off as usize + 4] != cell[4..8] {
            return Err(corrupt(path, "string outside its pool"));
        }
    }
    Ok(pool_start as u64 + pool_len)
}

/// Turns the mapped file into the column object in place: header patched
/// (aux zero, mmod 1, rc 1, kept attributes), the STR pool as a mapped
/// child. The mapping must then be registered with `objects_in` objects.
fn adopt(map: &mut MmapMut, type_: i8, attrs: u8, len: i64) -> Value {
    let base = map.as_mut_ptr();
    // SAFETY: the mapping holds a validated header (and for STR a pool
    // header at 32 + 16 len), is page aligned (ray_t needs 8) and writable
    // in our private copy; the objects stay valid until `mapped` drops the
    // mapping after the last of them is freed.
    unsafe {
        let col = base as *mut ray_t;
        patch_header(col, type_, attrs, len);
        if type_ == RAY_STR {
            let pool = base.add(HEADER_LEN + 16 * len as usize) as *mut ray_t;
            let pool_len = (*pool).val.i64_;
            patch_header(pool, RAY_U8, 0, pool_len);
            (*col).aux.ptrs[1] = pool;
        }
        Value::from_raw(col).expect("mapping is not null")
    }
}

/// # Safety
/// `p` points to 32 writable bytes of a private mapping.
unsafe fn patch_header(p: *mut ray_t, type_: i8, attrs: u8, len: i64) {
    // SAFETY: caller contract; every field is plain data or an atomic.
    unsafe {
        core::ptr::write_bytes(p as *mut u8, 0, 16);
        (*p).mmod = mapped::MMOD_MAPPED;
        (*p).order = 0;
        (*p).type_ = type_;
        (*p).attrs = attrs;
        (*p).rc.store(1, core::sync::atomic::Ordering::Relaxed);
        (*p).val.i64_ = len;
    }
}

/// Objects placed in a column's mapping: the vector, and its pool.
fn objects_in(v: &Value) -> usize {
    1 + usize::from(v.type_ == RAY_STR)
}

/// Turns SYM positions into a SYM vector of process symbol ids. Every
/// cell is checked against the symbol file (the reference skips that when
/// the header count is set; a stray cell then reads as the empty symbol):
/// at once when the header count is 0, else when the column is first
/// touched (it is translated then; see `core::lazy`).
fn decode_sym(map: MmapMut, h: &Header, attrs: u8, vocab: Option<&Vocab>, path: &Path) -> Result<Value> {
    let Some(vocab) = vocab else {
        return Err(RayError::new(
            "sym",
            format!("column {}: SYM data but no symfile resolved (no .sym beside it or at the database root)", path.display()),
        ));
    };
    let count = vocab.count();
    if u64::from(h.sym_count) > count {
        return Err(RayError::new(
            "corrupt",
            format!("column {}: saved sym count {} exceeds symfile count {count}", path.display(), h.sym_count),
        ));
    }
    let n = h.len as usize;
    let ids = vocab.ids();
    let out_width = crate::core::vec_ops::sym_width_for(ids.iter().copied().max().unwrap_or(0));
    // Any cell width on disk into any width in memory: RayforceDB's
    // `.csv.splayed` writes W32 cells whatever the symbol count.
    let disk = attrs & RAY_SYM_WIDTH_MASK;
    let stray_error = |pos: u64| {
        RayError::new("corrupt", format!("column {}: symbol position {pos} outside symfile count {count}", path.display()))
    };
    if h.sym_count == 0 {
        // A file that does not say how many symbols it was written
        // against: every cell is checked now, as RayforceDB does.
        let cells = &map[HEADER_LEN..HEADER_LEN + n * width(RAY_SYM, attrs)];
        let mut v = Value::vec_zeroed(RAY_SYM, out_width, n as i64)?;
        let stray = match out_width {
            RAY_SYM_W8 => translate_from(disk, cells, ids, v.as_mut_slice::<u8>()?),
            RAY_SYM_W16 => translate_from(disk, cells, ids, v.as_mut_slice::<u16>()?),
            RAY_SYM_W32 => translate_from(disk, cells, ids, v.as_mut_slice::<u32>()?),
            _ => translate_from(disk, cells, ids, v.as_mut_slice::<i64>()?),
        };
        if let Some(pos) = stray {
            return Err(stray_error(pos));
        }
        v.set_attr(attrs & RAY_ATTR_SORTED, true)?;
        return Ok(v);
    }
    // Translated on first touch (core::lazy): opening costs no pass over
    // the cells. A cell outside the symbol file is reported then, as the
    // error of the builtin that touched the column.
    let ids = ids.to_vec();
    let path = path.to_path_buf();
    let fill: crate::core::lazy::Fill = Box::new(move |out: &mut [u8]| {
        // One call maps the cells' pages (already in the page cache after
        // a save) instead of a fault per few pages (best effort).
        #[cfg(target_os = "linux")]
        let _ = map.advise(memmap2::Advice::PopulateRead);
        let cells = &map[HEADER_LEN..HEADER_LEN + n * width(RAY_SYM, attrs)];
        match translate_into(disk, cells, &ids, out_width, out) {
            None => Ok(()),
            Some(pos) => Err(RayError::new(
                "corrupt",
                format!("column {}: symbol position {pos} outside symfile count {}", path.display(), ids.len()),
            )),
        }
    });
    crate::core::lazy::adopt(RAY_SYM, out_width | (attrs & RAY_ATTR_SORTED), n as i64, fill)
}

/// Translates `disk`-width positions `cells` into `out_width` process ids
/// written to `out` (the payload bytes); a position outside `ids` becomes
/// the empty symbol. The first such position, if any.
fn translate_into(disk: u8, cells: &[u8], ids: &[i64], out_width: u8, out: &mut [u8]) -> Option<u64> {
    fn cast<T: crate::core::Elem>(out: &mut [u8]) -> &mut [T] {
        let n = out.len() / core::mem::size_of::<T>();
        assert!((out.as_ptr() as usize).is_multiple_of(core::mem::align_of::<T>()), "aligned payload");
        // SAFETY: the payload is aligned for T (checked) and holds n cells;
        // every bit pattern is a valid integer.
        unsafe { core::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut T, n) }
    }
    match out_width {
        RAY_SYM_W8 => translate_from(disk, cells, ids, cast::<u8>(out)),
        RAY_SYM_W16 => translate_from(disk, cells, ids, cast::<u16>(out)),
        RAY_SYM_W32 => translate_from(disk, cells, ids, cast::<u32>(out)),
        _ => translate_from(disk, cells, ids, cast::<i64>(out)),
    }
}
