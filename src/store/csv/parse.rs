//! Filling a table's columns from a cut CSV file. The columns are
//! allocated once at their final length; the rows are split into one run
//! per thread, and each thread parses its run straight into its part of
//! every column. Text is gathered per thread (SYM: a local dictionary of
//! small ids; STR: cells plus a local byte pool) and joined afterwards: the
//! local dictionaries are interned into the global symbol table once and
//! each thread's ids remapped, the pools are concatenated and the long
//! cells' offsets shifted. Results do not depend on the thread count.
//!
//! This module owns the parse loop and the column storage during it; it
//! does not read files (it gets bytes), cut rows (`split`) or decide types
//! (`infer`).

use super::cells;
use super::dict::LocalSyms;
use super::fast;
use super::infer::ColType;
use super::split::{Layout, read_row};
use crate::abi::*;
use crate::core::vec_ops::sym_width_for;
use crate::core::{RayError, Result, Value};
use crate::ops::par;
use crate::runtime::{self, progress};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows between two progress reports and interrupt checks.
const TICK: usize = 1 << 16;

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

/// What one thread hands back besides the filled columns.
struct RunOut {
    aux: Vec<Aux>,
    nulls: Vec<bool>,
}

fn vec_type(t: ColType) -> i8 {
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

/// Shared by the threads: rows done (for progress) and the release of
/// consumed input.
struct Shared<'a> {
    bytes: &'a [u8],
    delim: u8,
    /// The body is plain (`Layout::plain`): rows go through `fast`.
    plain: bool,
    total: u64,
    done: AtomicU64,
    release: &'a (dyn Fn(Range<usize>) + Sync),
}

fn parse_run(sh: &Shared<'_>, idx: usize, rows: usize, mut pos: usize, mut outs: Vec<Out<'_>>, types: &[ColType]) -> Result<RunOut> {
    let ncols = outs.len();
    let mut aux: Vec<Aux> = types
        .iter()
        .map(|t| match t {
            ColType::Sym => Aux::Syms(LocalSyms::new()),
            ColType::Str => Aux::Pool(Vec::new()),
            _ => Aux::None,
        })
        .collect();
    let mut nulls = vec![false; ncols];
    let mut scratch = Vec::new();
    let mut released = pos;
    for i in 0..rows {
        if sh.plain {
            pos = fast::row(sh.bytes, pos, sh.delim, &mut outs, &mut aux, i, &mut nulls);
        } else {
            let mut seen = 0;
            pos = read_row(sh.bytes, pos, sh.delim, &mut scratch, |c, f| {
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
        if i % TICK == TICK - 1 {
            if runtime::interrupted() {
                return Err(RayError::new("cancel", "csv read: interrupted"));
            }
            let done = sh.done.fetch_add(TICK as u64, Ordering::Relaxed) + TICK as u64;
            if idx == 0 {
                progress::report(None, None, done, sh.total);
            }
            (sh.release)(released..pos);
            released = pos;
        }
    }
    Ok(RunOut { aux, nulls })
}

/// Parses every row of `layout` into columns of `types`, on up to
/// `threads` threads. `release` is told which input bytes are consumed.
pub fn parse(
    bytes: &[u8],
    layout: &Layout,
    types: &[ColType],
    threads: usize,
    release: &(dyn Fn(Range<usize>) + Sync),
) -> Result<Vec<Value>> {
    let n = layout.rows;
    let mut stores = types.iter().map(|&t| Store::new(t, n)).collect::<Result<Vec<_>>>()?;
    let runs = layout.runs(bytes, 0..n, threads);
    let lens: Vec<usize> = runs.iter().map(|(r, _)| r.len()).collect();
    let mut per_run: Vec<Vec<Out<'_>>> = runs.iter().map(|_| Vec::with_capacity(types.len())).collect();
    for (store, &t) in stores.iter_mut().zip(types) {
        for (run, part) in per_run.iter_mut().zip(store.parts(t, &lens)?) {
            run.push(part);
        }
    }
    let sh = Shared { bytes, delim: layout.delim, plain: layout.plain, total: n as u64, done: AtomicU64::new(0), release };
    let work: Vec<_> = runs.into_iter().zip(per_run).collect();
    let outs = par::run_each(work, |idx, ((range, pos), parts)| parse_run(&sh, idx, range.len(), pos, parts, types));
    let outs = outs.into_iter().collect::<Result<Vec<RunOut>>>()?;
    let mut runs_aux: Vec<Vec<Aux>> = outs.iter().map(|_| Vec::new()).collect();
    let mut nulls = vec![false; types.len()];
    for (slot, out) in runs_aux.iter_mut().zip(outs) {
        *slot = out.aux;
        nulls.iter_mut().zip(out.nulls).for_each(|(a, b)| *a |= b);
    }
    let mut cols = Vec::with_capacity(types.len());
    for (c, (store, &t)) in stores.into_iter().zip(types).enumerate() {
        let aux: Vec<Aux> = runs_aux.iter_mut().map(|a| std::mem::replace(&mut a[c], Aux::None)).collect();
        cols.push(finish(store, t, aux, &lens, nulls[c], threads)?);
    }
    Ok(cols)
}

/// The final column: SYM ids remapped, STR pools joined, INT narrowed,
/// HAS_NULLS set on nullable columns that received a null.
fn finish(store: Store, t: ColType, aux: Vec<Aux>, lens: &[usize], has_nulls: bool, threads: usize) -> Result<Value> {
    let mut v = match store {
        Store::Sym(local) => return sym_column(&local, aux, lens, threads),
        Store::Vec(v) => v,
    };
    match t {
        ColType::Str => join_pools(&mut v, aux, lens)?,
        ColType::Int => v = narrow_int(&v)?,
        _ => {}
    }
    if has_nulls && !matches!(t, ColType::Sym | ColType::Str | ColType::B8 | ColType::U8) {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}

fn sym_column(local: &[u32], aux: Vec<Aux>, lens: &[usize], threads: usize) -> Result<Value> {
    let maps: Vec<Vec<i64>> = aux
        .into_iter()
        .map(|a| match a {
            Aux::Syms(d) => d.intern(),
            _ => vec![0],
        })
        .collect();
    let width = sym_width_for(maps.iter().flatten().copied().max().unwrap_or(0));
    let mut v = Value::vec_zeroed(RAY_SYM, width, local.len() as i64)?;
    match width {
        RAY_SYM_W8 => remap(v.as_mut_slice::<u8>()?, local, &maps, lens, threads, |id| id as u8),
        RAY_SYM_W16 => remap(v.as_mut_slice::<u16>()?, local, &maps, lens, threads, |id| id as u16),
        RAY_SYM_W32 => remap(v.as_mut_slice::<u32>()?, local, &maps, lens, threads, |id| id as u32),
        _ => remap(v.as_mut_slice::<i64>()?, local, &maps, lens, threads, |id| id),
    }
    Ok(v)
}

/// Writes each run's global ids (through its own map) into `dst`.
fn remap<T: Send>(dst: &mut [T], local: &[u32], maps: &[Vec<i64>], lens: &[usize], threads: usize, conv: fn(i64) -> T) {
    let mut parts = Vec::with_capacity(lens.len());
    let (mut rest, mut at) = (dst, 0);
    for (&l, map) in lens.iter().zip(maps) {
        let (part, tail) = rest.split_at_mut(l);
        rest = tail;
        parts.push((part, &local[at..at + l], map));
        at += l;
    }
    let go = |_: usize, (d, s, m): (&mut [T], &[u32], &Vec<i64>)| {
        d.iter_mut().zip(s).for_each(|(d, &s)| *d = conv(m[s as usize]));
    };
    if threads > 1 {
        par::run_each(parts, go);
    } else {
        parts.into_iter().for_each(|p| go(0, p));
    }
}

/// Concatenates the runs' pools into the vector's pool, shifting each
/// run's long cells by where its pool starts.
fn join_pools(v: &mut Value, aux: Vec<Aux>, lens: &[usize]) -> Result<()> {
    let pools: Vec<Vec<u8>> = aux.into_iter().map(|a| if let Aux::Pool(p) = a { p } else { Vec::new() }).collect();
    let total: usize = pools.iter().map(Vec::len).sum();
    if total == 0 {
        return Ok(());
    }
    if total > u32::MAX as usize {
        return Err(RayError::range("csv read: text column over 4 GiB"));
    }
    let cells = v.as_mut_slice::<StrCell>()?;
    let (mut at, mut base) = (0usize, 0u32);
    for (&l, pool) in lens.iter().zip(&pools) {
        if base > 0 {
            for c in cells[at..at + l].iter_mut().filter(|c| c.len as usize > STR_INLINE_MAX) {
                let off = u32::from_le_bytes([c.bytes[4], c.bytes[5], c.bytes[6], c.bytes[7]]) + base;
                c.bytes[4..8].copy_from_slice(&off.to_le_bytes());
            }
        }
        at += l;
        base += pool.len() as u32;
    }
    let mut pool = Value::vec_with_capacity(RAY_U8, total as i64)?;
    for p in &pools {
        pool.extend_from_slice::<u8>(p)?;
    }
    v.set_str_pool(pool)
}

/// An INT column as the narrowest of I16/I32/I64 holding its values.
fn narrow_int(v: &Value) -> Result<Value> {
    let xs = v.elems::<i64>();
    let (lo, hi) = xs.iter().filter(|&&x| x != NULL_I64).fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if lo > hi {
        // No values: RayforceDB keeps I64.
        Ok(v.clone())
    } else if lo > NULL_I16 as i64 && hi <= i16::MAX as i64 {
        narrowed(xs, RAY_I16, |x| if x == NULL_I64 { NULL_I16 } else { x as i16 })
    } else if lo > NULL_I32 as i64 && hi <= i32::MAX as i64 {
        narrowed(xs, RAY_I32, |x| if x == NULL_I64 { NULL_I32 } else { x as i32 })
    } else {
        Ok(v.clone())
    }
}

fn narrowed<T: crate::core::Elem>(xs: &[i64], t: i8, conv: fn(i64) -> T) -> Result<Value> {
    let mut out = Value::vec_zeroed(t, 0, xs.len() as i64)?;
    out.as_mut_slice::<T>()?.iter_mut().zip(xs).for_each(|(d, &x)| *d = conv(x));
    Ok(out)
}
