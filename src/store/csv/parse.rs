//! Filling a table's columns from a cut CSV file. The columns are
//! allocated once at their final length; the rows are cut into chunks of
//! [`CHUNK_ROWS`], and each worker thread takes the next chunk as it
//! becomes free and parses it straight into that chunk's part of every
//! column. Text is gathered per worker (SYM: a local dictionary of small
//! ids; STR: cells plus a local byte pool) and joined afterwards by
//! `join`. Results do not depend on the thread count or the scheduling.
//!
//! This module owns the parse loop and the column storage during it; it
//! does not read files (it gets bytes), cut rows (`split`) or decide types
//! (`infer`).

use super::cells;
use super::dict::LocalSyms;
use super::fast;
use super::infer::ColType;
use super::join;
use super::split::{Layout, read_row};
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::par;
use crate::runtime::{self, progress};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Rows a worker takes at a time: a worker the OS delays (the machine
/// may be busy) then parses fewer chunks instead of holding up the others
/// with a fixed share; each chunk ends with a progress report, an
/// interrupt check and the release of its input.
#[cfg(not(test))]
const CHUNK_ROWS: usize = 1 << 16;
/// Small chunks in unit tests, so small files take many.
#[cfg(test)]
const CHUNK_ROWS: usize = 1 << 8;

/// A thread's part of one column while parsing.
pub(super) enum Out<'a> {
    I64(&'a mut [i64]),
    I32(&'a mut [i32]),
    I16(&'a mut [i16]),
    U8(&'a mut [u8]),
    B8(&'a mut [u8]),
    F64(&'a mut [f64]),
    F32(&'a mut [f32]),
    Date(&'a mut [i32]),
    Time(&'a mut [i32]),
    Ts(&'a mut [i64]),
    Guid(&'a mut [[u8; 16]]),
    Sym(&'a mut [u32]),
    Str(&'a mut [StrCell]),
}

/// A column's storage during the parse.
enum Store {
    /// The final vector (INT: I64, narrowed afterwards).
    Vec(Value),
    /// Thread-local symbol ids, remapped into the SYM vector afterwards.
    Sym(Vec<u32>),
}

/// Text gathered by one thread for one column.
pub(super) enum Aux {
    None,
    Syms(LocalSyms),
    Pool(Vec<u8>),
}

/// The vector type a column of type `t` is read into (INT: I64 until
/// narrowed).
pub(super) fn vec_type(t: ColType) -> i8 {
    match t {
        ColType::B8 => RAY_BOOL,
        ColType::U8 => RAY_U8,
        ColType::I16 => RAY_I16,
        ColType::I32 => RAY_I32,
        ColType::I64 | ColType::Int => RAY_I64,
        ColType::F32 => RAY_F32,
        ColType::F64 => RAY_F64,
        ColType::Sym => RAY_SYM,
        ColType::Str => RAY_STR,
        ColType::Date => RAY_DATE,
        ColType::Time => RAY_TIME,
        ColType::Timestamp => RAY_TIMESTAMP,
        ColType::Guid => RAY_GUID,
    }
}

impl Store {
    fn new(t: ColType, n: usize) -> Result<Store> {
        Ok(match t {
            ColType::Sym => Store::Sym(vec![0; n]),
            ColType::Str => Store::Vec(Value::str_vec_zeroed(n as i64)?),
            _ => Store::Vec(Value::vec_zeroed(vec_type(t), 0, n as i64)?),
        })
    }

    /// The column's storage cut into parts of `lens` rows.
    fn parts(&mut self, t: ColType, lens: &[usize]) -> Result<Vec<Out<'_>>> {
        macro_rules! cut {
            ($slice:expr, $variant:path) => {{
                let mut rest = $slice;
                lens.iter()
                    .map(|&l| {
                        let (part, tail) = std::mem::take(&mut rest).split_at_mut(l);
                        rest = tail;
                        $variant(part)
                    })
                    .collect()
            }};
        }
        Ok(match self {
            Store::Sym(ids) => cut!(&mut ids[..], Out::Sym),
            Store::Vec(v) => match t {
                ColType::B8 => cut!(v.as_mut_slice::<u8>()?, Out::B8),
                ColType::U8 => cut!(v.as_mut_slice::<u8>()?, Out::U8),
                ColType::I16 => cut!(v.as_mut_slice::<i16>()?, Out::I16),
                ColType::I32 => cut!(v.as_mut_slice::<i32>()?, Out::I32),
                ColType::I64 | ColType::Int => cut!(v.as_mut_slice::<i64>()?, Out::I64),
                ColType::F32 => cut!(v.as_mut_slice::<f32>()?, Out::F32),
                ColType::F64 => cut!(v.as_mut_slice::<f64>()?, Out::F64),
                ColType::Date => cut!(v.as_mut_slice::<i32>()?, Out::Date),
                ColType::Time => cut!(v.as_mut_slice::<i32>()?, Out::Time),
                ColType::Timestamp => cut!(v.as_mut_slice::<i64>()?, Out::Ts),
                ColType::Guid => cut!(v.as_mut_slice::<[u8; 16]>()?, Out::Guid),
                ColType::Str => cut!(v.as_mut_slice::<StrCell>()?, Out::Str),
                ColType::Sym => unreachable!("SYM columns are Store::Sym"),
            },
        })
    }
}

/// Stores field `f` as row `i` of `out`; true when it stored a null.
#[inline]
pub(super) fn put(out: &mut Out<'_>, aux: &mut Aux, i: usize, f: &[u8]) -> bool {
    match out {
        Out::I64(s) => {
            s[i] = cells::int(f).unwrap_or(NULL_I64);
            s[i] == NULL_I64
        }
        Out::I32(s) => {
            s[i] = cells::int(f).map_or(NULL_I32, |v| v as i32);
            s[i] == NULL_I32
        }
        Out::I16(s) => {
            s[i] = cells::int(f).map_or(NULL_I16, |v| v as i16);
            s[i] == NULL_I16
        }
        Out::U8(s) => {
            s[i] = cells::int(f).map_or(0, |v| v as u8);
            false
        }
        Out::B8(s) => {
            s[i] = u8::from(cells::bool(f));
            false
        }
        Out::F64(s) => {
            let v = cells::float::<f64>(f);
            s[i] = v.unwrap_or(f64::NAN);
            v.is_none()
        }
        Out::F32(s) => {
            let v = cells::float::<f32>(f);
            s[i] = v.unwrap_or(f32::NAN);
            v.is_none()
        }
        Out::Date(s) => {
            s[i] = cells::date(f).and_then(|d| i32::try_from(d).ok()).unwrap_or(NULL_I32);
            s[i] == NULL_I32
        }
        Out::Time(s) => {
            s[i] = cells::time(f).unwrap_or(NULL_I32);
            s[i] == NULL_I32
        }
        Out::Ts(s) => {
            s[i] = cells::timestamp(f).unwrap_or(NULL_I64);
            s[i] == NULL_I64
        }
        Out::Guid(s) => {
            let g = cells::guid(f);
            s[i] = g.unwrap_or([0; 16]);
            g.is_none()
        }
        Out::Sym(s) => {
            if let Aux::Syms(d) = aux {
                s[i] = d.id(f);
            }
            false
        }
        Out::Str(s) => {
            if let Aux::Pool(pool) = aux {
                s[i] = str_cell(pool, f);
            }
            false
        }
    }
}

/// A STR cell: inline up to 12 bytes, else a prefix and an offset into
/// the thread's pool (shifted when the pools are joined).
#[inline]
fn str_cell(pool: &mut Vec<u8>, f: &[u8]) -> StrCell {
    let mut c = StrCell { len: f.len().min(u32::MAX as usize) as u32, bytes: [0; 12] };
    if f.len() <= STR_INLINE_MAX {
        c.bytes[..f.len()].copy_from_slice(f);
    } else {
        c.bytes[..4].copy_from_slice(&f[..4]);
        c.bytes[4..8].copy_from_slice(&(pool.len() as u32).to_le_bytes());
        pool.extend_from_slice(f);
    }
    c
}

/// Shared by the workers: the chunks still to take, rows done (for
/// progress) and the release of consumed input.
struct Shared<'a, 'o> {
    bytes: &'a [u8],
    delim: u8,
    /// The body is plain (`Layout::plain`): rows go through `fast`.
    plain: bool,
    types: &'a [ColType],
    chunks: Vec<Mutex<Option<Chunk<'o>>>>,
    next: AtomicUsize,
    total: u64,
    done: AtomicU64,
    release: &'a (dyn Fn(Range<usize>) + Sync),
}

/// A chunk of consecutive rows: where its first row starts and its part
/// of every column.
struct Chunk<'o> {
    rows: usize,
    pos: usize,
    outs: Vec<Out<'o>>,
}

/// What one worker hands back besides the filled columns.
pub(super) struct WorkerOut {
    pub aux: Vec<Aux>,
    pub nulls: Vec<bool>,
    /// The chunks it parsed, in the order it parsed them, each with every
    /// column's dictionary size after it: the local ids a chunk created
    /// are those from the previous size up.
    pub chunks: Vec<(usize, Vec<u32>)>,
}

fn new_aux(types: &[ColType]) -> Vec<Aux> {
    types
        .iter()
        .map(|t| match t {
            ColType::Sym => Aux::Syms(LocalSyms::new()),
            ColType::Str => Aux::Pool(Vec::new()),
            _ => Aux::None,
        })
        .collect()
}

/// One worker: takes the next chunk until none is left.
fn work(sh: &Shared<'_, '_>) -> Result<WorkerOut> {
    let mut out = WorkerOut { aux: new_aux(sh.types), nulls: vec![false; sh.types.len()], chunks: Vec::new() };
    let mut scratch = Vec::new();
    loop {
        let c = sh.next.fetch_add(1, Ordering::Relaxed);
        let Some(slot) = sh.chunks.get(c) else { return Ok(out) };
        let Some(chunk) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() else { continue };
        if runtime::interrupted() {
            return Err(RayError::new("cancel", "csv read: interrupted"));
        }
        let (rows, start) = (chunk.rows, chunk.pos);
        let end = parse_chunk(sh, chunk, &mut out, &mut scratch);
        let sizes = out.aux.iter().map(|a| if let Aux::Syms(d) = a { d.len() } else { 0 }).collect();
        out.chunks.push((c, sizes));
        (sh.release)(start..end);
        let done = sh.done.fetch_add(rows as u64, Ordering::Relaxed) + rows as u64;
        progress::report(None, None, done, sh.total);
    }
}

/// Parses one chunk into its parts of the columns; returns where it ends.
fn parse_chunk(sh: &Shared<'_, '_>, chunk: Chunk<'_>, out: &mut WorkerOut, scratch: &mut Vec<u8>) -> usize {
    let Chunk { rows, mut pos, mut outs } = chunk;
    let (aux, nulls) = (&mut out.aux, &mut out.nulls);
    let ncols = outs.len();
    for i in 0..rows {
        if sh.plain {
            pos = fast::row(sh.bytes, pos, sh.delim, &mut outs, aux, i, nulls);
        } else {
            let mut seen = 0;
            pos = read_row(sh.bytes, pos, sh.delim, scratch, |c, f| {
                if c < ncols {
                    nulls[c] |= put(&mut outs[c], &mut aux[c], i, f);
                    seen = c + 1;
                }
            })
            .unwrap_or(sh.bytes.len());
            for c in seen..ncols {
                nulls[c] |= put(&mut outs[c], &mut aux[c], i, b"");
            }
        }
    }
    pos
}

/// Parses rows `rows` of `layout` into columns of `types`, on up to
/// `threads` threads. `release` is told which input bytes are consumed.
pub fn parse(
    bytes: &[u8],
    layout: &Layout,
    rows: Range<usize>,
    types: &[ColType],
    threads: usize,
    release: &(dyn Fn(Range<usize>) + Sync),
) -> Result<Vec<Value>> {
    let (n, first) = (rows.len(), rows.start as u64);
    let mut stores = types.iter().map(|&t| Store::new(t, n)).collect::<Result<Vec<_>>>()?;
    let runs = layout.runs(bytes, rows, n.div_ceil(CHUNK_ROWS).max(threads));
    let lens: Vec<usize> = runs.iter().map(|(r, _)| r.len()).collect();
    let mut per_chunk: Vec<Vec<Out<'_>>> = runs.iter().map(|_| Vec::with_capacity(types.len())).collect();
    for (store, &t) in stores.iter_mut().zip(types) {
        for (chunk, part) in per_chunk.iter_mut().zip(store.parts(t, &lens)?) {
            chunk.push(part);
        }
    }
    let chunks = runs
        .into_iter()
        .zip(per_chunk)
        .map(|((range, pos), outs)| Mutex::new(Some(Chunk { rows: range.len(), pos, outs })))
        .collect();
    let sh = Shared {
        bytes,
        delim: layout.delim,
        plain: layout.plain,
        types,
        chunks,
        next: AtomicUsize::new(0),
        total: layout.rows as u64,
        done: AtomicU64::new(first),
        release,
    };
    let workers = threads.clamp(1, lens.len());
    let outs = par::run_each(vec![(); workers], |_, ()| work(&sh));
    let outs = outs.into_iter().collect::<Result<Vec<WorkerOut>>>()?;
    let plan = join::Plan::new(&outs, &lens);
    let mut nulls = vec![false; types.len()];
    outs.iter().for_each(|o| nulls.iter_mut().zip(&o.nulls).for_each(|(a, b)| *a |= b));
    let mut auxes: Vec<Vec<Aux>> = outs.into_iter().map(|o| o.aux).collect();
    let mut cols = Vec::with_capacity(types.len());
    for (c, (store, &t)) in stores.into_iter().zip(types).enumerate() {
        let aux: Vec<Aux> = auxes.iter_mut().map(|a| std::mem::replace(&mut a[c], Aux::None)).collect();
        cols.push(finish(store, t, c, aux, &plan, nulls[c], threads)?);
    }
    Ok(cols)
}

/// The final column: SYM ids remapped, STR pools joined, INT narrowed,
/// HAS_NULLS set on nullable columns that received a null.
fn finish(store: Store, t: ColType, col: usize, aux: Vec<Aux>, plan: &join::Plan, has_nulls: bool, threads: usize) -> Result<Value> {
    let mut v = match store {
        Store::Sym(local) => return join::sym_column(&local, col, aux, plan, threads),
        Store::Vec(v) => v,
    };
    match t {
        ColType::Str => join::pools(&mut v, aux, plan)?,
        ColType::Int => v = join::narrow_int(&v)?,
        _ => {}
    }
    if has_nulls && !matches!(t, ColType::Sym | ColType::Str | ColType::B8 | ColType::U8) {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}
