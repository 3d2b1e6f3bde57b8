//! Column primitives every query step shares: typed views by element width,
//! gathers (with a "no row" index that yields the type's null), null
//! sentinels, broadcasting atoms, collecting atoms into a vector, concatenation
//! and row access. Values are moved column at a time; nothing boxes per row
//! except the explicit atom conversions (`atom_at`, `from_atoms`).
#![forbid(unsafe_code)]

use crate::abi::*;
use super::group::{split, threads_for};
use crate::core::{Elem, RayError, Result, Value};

/// Row index type used inside the engine (tables hold at most 1e9 rows).
pub type Row = u32;
/// The "no matching row" index: gathers produce the column type's null.
pub const NO_ROW: Row = Row::MAX;

/// Elements buffered on the stack before being appended to a vector.
const CHUNK: usize = 512;

/// Appends elements to a vector through a small stack buffer, so building a
/// column costs one bounds-checked store per element and a memcpy per chunk.
pub struct VecWriter<T: Elem> {
    out: Value,
    buf: [T; CHUNK],
    len: usize,
}

impl<T: Elem + Default> VecWriter<T> {
    /// A writer into `out` (an empty vector whose element size is `T`'s).
    pub fn new(out: Value) -> VecWriter<T> {
        VecWriter { out, buf: [T::default(); CHUNK], len: 0 }
    }

    #[inline(always)]
    pub fn push(&mut self, x: T) -> Result<()> {
        self.buf[self.len] = x;
        self.len += 1;
        if self.len == CHUNK { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> Result<()> {
        self.out.extend_from_slice(&self.buf[..self.len])?;
        self.len = 0;
        Ok(())
    }

    /// The finished vector.
    pub fn finish(mut self) -> Result<Value> {
        self.flush()?;
        Ok(self.out)
    }
}

/// An empty vector shaped like `col` (same type, same SYM width) with room for `cap`.
pub fn empty_like(col: &ray_t, cap: usize) -> Result<Value> {
    if col.type_() == RAY_SYM {
        Value::sym_vec_with_capacity(col.attrs() & RAY_SYM_WIDTH_MASK, cap as i64)
    } else if col.type_() == RAY_LIST {
        Value::list_with_capacity(cap as i64)
    } else {
        Value::vec_with_capacity(col.type_(), cap as i64)
    }
}

/// The null sentinel of vector type `t` as raw little-endian bits of its width.
fn null_bits(t: i8) -> u64 {
    match t {
        RAY_I16 => 0x8000,
        RAY_I32 | RAY_DATE | RAY_TIME => 0x8000_0000,
        RAY_I64 | RAY_TIMESTAMP => 0x8000_0000_0000_0000,
        RAY_F64 => f64::NAN.to_bits(),
        RAY_F32 => f32::NAN.to_bits() as u64,
        _ => 0,
    }
}

/// True when vector type `t` has a null sentinel (SYM, STR, BOOL, U8 do not).
pub fn has_null_sentinel(t: i8) -> bool {
    matches!(t, RAY_I16 | RAY_I32 | RAY_I64 | RAY_F32 | RAY_F64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP | RAY_GUID)
}

/// True when element `i` of vector `col` is its type's null.
#[allow(dead_code)]
pub fn is_null_at(col: &ray_t, i: usize) -> bool {
    match col.type_() {
        RAY_I16 => col.as_slice::<i16>()[i] == NULL_I16,
        RAY_I32 | RAY_DATE | RAY_TIME => col.as_slice::<i32>()[i] == NULL_I32,
        RAY_I64 | RAY_TIMESTAMP => col.as_slice::<i64>()[i] == NULL_I64,
        RAY_F64 => col.as_slice::<f64>()[i].is_nan(),
        RAY_F32 => col.as_slice::<f32>()[i].is_nan(),
        RAY_GUID => col.as_slice::<[u8; 16]>()[i] == [0; 16],
        _ => false,
    }
}

/// Element-wise null test of a vector: a BOOL vector, true where the
/// element is its type's null (a LIST item: a null atom or the null object).
/// This is `(nil? col)` inside queries (rayfall.md 10).
pub fn null_mask(col: &ray_t) -> Result<Value> {
    fn mask<T: Copy>(s: &[T], is_null: impl Fn(T) -> bool) -> Vec<u8> {
        s.iter().map(|&x| is_null(x) as u8).collect()
    }
    let n = col.len().max(0) as usize;
    let m = match col.type_() {
        RAY_I16 => mask(col.as_slice::<i16>(), |x| x == NULL_I16),
        RAY_I32 | RAY_DATE | RAY_TIME => mask(col.as_slice::<i32>(), |x| x == NULL_I32),
        RAY_I64 | RAY_TIMESTAMP => mask(col.as_slice::<i64>(), |x| x == NULL_I64),
        RAY_F64 => mask(col.as_slice::<f64>(), f64::is_nan),
        RAY_F32 => mask(col.as_slice::<f32>(), f32::is_nan),
        RAY_GUID => mask(col.as_slice::<[u8; 16]>(), |x| x == [0; 16]),
        RAY_LIST => col.items().iter().map(|x| x.is_none_or(|x| x.is_atom() && (x.is_null_atom() || x.is_null_obj())) as u8).collect(),
        _ => vec![0; n],
    };
    Value::vec_from_slice(RAY_BOOL, &m)
}

/// True when vector `col` holds at least one null sentinel.
pub fn scan_nulls(col: &ray_t) -> bool {
    match col.type_() {
        RAY_I16 => col.as_slice::<i16>().contains(&NULL_I16),
        RAY_I32 | RAY_DATE | RAY_TIME => col.as_slice::<i32>().contains(&NULL_I32),
        RAY_I64 | RAY_TIMESTAMP => col.as_slice::<i64>().contains(&NULL_I64),
        RAY_F64 => col.as_slice::<f64>().iter().any(|x| x.is_nan()),
        RAY_F32 => col.as_slice::<f32>().iter().any(|x| x.is_nan()),
        RAY_GUID => col.as_slice::<[u8; 16]>().contains(&[0; 16]),
        _ => false,
    }
}

/// Sets HAS_NULLS on `v` exactly when it holds a null sentinel.
pub fn mark_nulls(mut v: Value) -> Result<Value> {
    if v.is_vec() {
        let has = scan_nulls(&v);
        if has != (v.attrs() & RAY_ATTR_HAS_NULLS != 0) {
            v.set_attr(RAY_ATTR_HAS_NULLS, has)?;
        }
    }
    Ok(v)
}

/// Index adapter so gathers take `u32` row ids or `usize` indices.
pub trait Ix: Copy + Send + Sync {
    fn ix(self) -> usize;
    fn is_none(self) -> bool;
}
impl Ix for u32 {
    #[inline(always)]
    fn ix(self) -> usize {
        self as usize
    }
    #[inline(always)]
    fn is_none(self) -> bool {
        self == NO_ROW
    }
}
impl Ix for usize {
    #[inline(always)]
    fn ix(self) -> usize {
        self
    }
    #[inline(always)]
    fn is_none(self) -> bool {
        self == usize::MAX
    }
}

/// Runs `f(dst part, src range)` over `dst` split into `k` nearly equal
/// parts (on scoped threads when `k > 1`); true when any call returned true.
fn par_parts<T: Send>(dst: &mut [T], k: usize, f: impl Fn(&mut [T], usize, usize) -> bool + Sync) -> bool {
    let n = dst.len();
    if k <= 1 {
        return f(dst, 0, n);
    }
    std::thread::scope(|s| {
        let mut rest = dst;
        let mut hs = Vec::with_capacity(k);
        for (a, b) in split(n, k) {
            let (part, tail) = rest.split_at_mut(b - a);
            rest = tail;
            let f = &f;
            hs.push(s.spawn(move || f(part, a, b)));
        }
        hs.into_iter().fold(false, |any, h| h.join().expect("worker panicked") | any)
    })
}

/// Gathers `src` at `at(0..n)` into a new vector (`null` where the index
/// is none), filled in place, in parallel for many rows. Also returns
/// whether some index was none.
fn gather_fixed<T: Elem + Send + Sync, I: Ix>(src: &[T], n: usize, at: &(impl Fn(usize) -> I + Sync), proto: &ray_t, null: T) -> Result<(Value, bool)> {
    let mut out = zeroed_like(proto, n)?;
    let dst = out.as_mut_slice::<T>()?;
    let missing = par_parts(dst, threads_for(n), |d, a, _| {
        let mut missing = false;
        for (j, o) in d.iter_mut().enumerate() {
            let i = at(a + j);
            *o = if i.is_none() {
                missing = true;
                null
            } else {
                src[i.ix()]
            };
        }
        missing
    });
    Ok((out, missing))
}

/// `n` zero elements of `col`'s type (and SYM width).
fn zeroed_like(col: &ray_t, n: usize) -> Result<Value> {
    Value::vec_zeroed(col.type_(), col.attrs() & RAY_SYM_WIDTH_MASK, n as i64)
}

/// The elements of `col` (a vector or LIST) at `idx`, in order. An index of
/// `NO_ROW` (or `usize::MAX`) gives the type's null (`'` for SYM, `""` for
/// STR, the null object for LIST). HAS_NULLS is set exactly when a null is
/// present in a nullable type.
pub fn gather_ix<I: Ix>(col: &ray_t, idx: &[I]) -> Result<Value> {
    gather_by(col, idx.len(), |i| idx[i])
}

/// [`gather_ix`] with the index of output row `i` computed as `at(i)`, for
/// `i` in `0..n` (for instance a join probe, so no index vector is built).
pub fn gather_by<I: Ix>(col: &ray_t, n: usize, at: impl Fn(usize) -> I + Sync) -> Result<Value> {
    let t = col.type_();
    let nb = null_bits(t);
    let (v, missing) = match t {
        RAY_LIST => {
            let mut out = empty_like(col, n)?;
            for i in (0..n).map(&at) {
                let item = if i.is_none() { Value::null() } else { col.item(i.ix()).map_or_else(Value::null, |c| c.to_value()) };
                out.list_push(Some(item))?;
            }
            return Ok(out);
        }
        RAY_STR => {
            let mut out = empty_like(col, n)?;
            for i in (0..n).map(&at) {
                out.str_vec_push(if i.is_none() { b"" } else { col.str_at(i.ix()) })?;
            }
            return Ok(out);
        }
        RAY_GUID => gather_fixed::<[u8; 16], I>(col.as_slice(), n, &at, col, [0; 16])?,
        _ => match elem_size(t, col.attrs()) {
            1 => gather_fixed::<u8, I>(col.as_slice(), n, &at, col, nb as u8)?,
            2 => gather_fixed::<u16, I>(col.as_slice(), n, &at, col, nb as u16)?,
            4 => gather_fixed::<u32, I>(col.as_slice(), n, &at, col, nb as u32)?,
            8 => gather_fixed::<i64, I>(col.as_slice(), n, &at, col, nb as i64)?,
            _ => return Err(RayError::type_err("gather: not a column")),
        },
    };
    if !has_null_sentinel(t) {
        Ok(v)
    } else if missing {
        let mut v = v;
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        Ok(v)
    } else if col.attrs() & RAY_ATTR_HAS_NULLS != 0 {
        mark_nulls(v)
    } else {
        Ok(v)
    }
}

/// Public form of [`gather_ix`] with `usize` indices (`usize::MAX` = null).
pub fn gather(col: &ray_t, idx: &[usize]) -> Result<Value> {
    gather_ix(col, idx)
}

/// Writes the elements of `xs` whose mask byte is set to `d`, branchless
/// through a stack buffer; false unless they fill `d` exactly.
fn compress_into<T: Elem + Default>(d: &mut [T], xs: &[T], ms: &[u8]) -> bool {
    let mut buf = [T::default(); CHUNK];
    let mut at = 0;
    for (xs, ms) in xs.chunks(CHUNK).zip(ms.chunks(CHUNK)) {
        let mut k = 0;
        for (x, &m) in xs.iter().zip(ms) {
            buf[k] = *x;
            k += (m != 0) as usize;
        }
        let Some(part) = d.get_mut(at..at + k) else { return false };
        part.copy_from_slice(&buf[..k]);
        at += k;
    }
    at == d.len()
}

/// The kept elements of a fixed-width column, written in place; many rows
/// are split over threads (each part's output offset is the number of set
/// mask bytes before it).
fn compress_fixed<T: Elem + Default + Send + Sync>(col: &ray_t, mask: &[u8], count: usize) -> Result<Value> {
    let src = col.as_slice::<T>();
    let mut out = zeroed_like(col, count)?;
    let dst = out.as_mut_slice::<T>()?;
    let ranges = split(src.len(), threads_for(src.len()));
    let kept: Vec<usize> = match ranges.len() {
        1 => vec![count],
        _ => ranges.iter().map(|&(a, b)| mask[a..b].iter().filter(|&&m| m != 0).count()).collect(),
    };
    if kept.iter().sum::<usize>() != count {
        return Err(RayError::length("filter: mask count differs"));
    }
    let ok = std::thread::scope(|s| {
        let mut rest = dst;
        let mut hs = Vec::with_capacity(ranges.len());
        for (&(a, b), &k) in ranges.iter().zip(&kept) {
            let (part, tail) = rest.split_at_mut(k);
            rest = tail;
            let mut run = move || compress_into(part, &src[a..b], &mask[a..b]);
            hs.push(if ranges.len() == 1 { Ok(run()) } else { Err(s.spawn(run)) });
        }
        hs.into_iter().all(|h| h.unwrap_or_else(|h| h.join().expect("worker panicked")))
    });
    if !ok {
        return Err(RayError::length("filter: mask count differs"));
    }
    Ok(out)
}

/// The elements of `col` where `mask` (B8 values) is non-zero; `count` is the
/// number of set bytes.
pub fn compress(col: &ray_t, mask: &[u8], count: usize) -> Result<Value> {
    let t = col.type_();
    let n = col.len().max(0) as usize;
    if mask.len() != n {
        return Err(RayError::length("filter: mask does not fit the column"));
    }
    let v = match t {
        RAY_LIST | RAY_STR => {
            let idx: Vec<u32> = mask.iter().enumerate().filter(|(_, m)| **m != 0).map(|(i, _)| i as u32).collect();
            return gather_ix(col, &idx);
        }
        RAY_GUID => compress_fixed::<[u8; 16]>(col, mask, count)?,
        _ => match elem_size(t, col.attrs()) {
            1 => compress_fixed::<u8>(col, mask, count)?,
            2 => compress_fixed::<u16>(col, mask, count)?,
            4 => compress_fixed::<u32>(col, mask, count)?,
            8 => compress_fixed::<i64>(col, mask, count)?,
            _ => return Err(RayError::type_err("filter: not a column")),
        },
    };
    if col.attrs() & RAY_ATTR_HAS_NULLS != 0 { mark_nulls(v) } else { Ok(v) }
}

/// Element `i` of a vector or LIST as an atom (a LIST item as is).
pub fn atom_at(col: &ray_t, i: usize) -> Result<Value> {
    let t = col.type_();
    Ok(match t {
        RAY_LIST => col.item(i).map_or_else(Value::null, |c| c.to_value()),
        RAY_BOOL => Value::bool(col.as_slice::<u8>()[i] != 0),
        RAY_U8 => Value::u8(col.as_slice::<u8>()[i]),
        RAY_I16 => null_flagged(Value::i16(col.as_slice::<i16>()[i]), t)?,
        RAY_I32 => null_flagged(Value::i32(col.as_slice::<i32>()[i]), t)?,
        RAY_I64 => null_flagged(Value::i64(col.as_slice::<i64>()[i]), t)?,
        RAY_F32 => null_flagged(Value::f32(col.as_slice::<f32>()[i]), t)?,
        RAY_F64 => null_flagged(Value::f64(col.as_slice::<f64>()[i]), t)?,
        RAY_DATE => null_flagged(Value::date(col.as_slice::<i32>()[i] as i64), t)?,
        RAY_TIME => null_flagged(Value::time(col.as_slice::<i32>()[i] as i64), t)?,
        RAY_TIMESTAMP => null_flagged(Value::timestamp(col.as_slice::<i64>()[i]), t)?,
        RAY_GUID => null_flagged(Value::guid(&col.as_slice::<[u8; 16]>()[i]), t)?,
        RAY_SYM => Value::sym(col.sym_at(i)),
        RAY_STR => Value::try_str(col.str_at(i))?,
        _ => return Err(RayError::type_err("not a column")),
    })
}

/// A null atom read out of a vector carries the typed-null flag.
fn null_flagged(v: Value, t: i8) -> Result<Value> {
    if v.is_null_atom() { Value::typed_null(-t) } else { Ok(v) }
}

/// `n` copies of atom `a` as a vector of its type (a LIST for non-atoms).
pub fn broadcast(a: &ray_t, n: usize) -> Result<Value> {
    let t = a.type_();
    if !(t < 0 && is_vector_type(-t)) {
        let mut out = Value::list_with_capacity(n as i64)?;
        for _ in 0..n {
            out.list_push(Some(a.to_value()))?;
        }
        return Ok(out);
    }
    let vt = -t;
    let mut out = Value::vec_with_capacity(vt, n as i64)?;
    match vt {
        RAY_STR => {
            for _ in 0..n {
                out.str_vec_push(a.str_bytes())?;
            }
            return Ok(out);
        }
        RAY_GUID => {
            let g = a.guid_bytes().copied().unwrap_or([0; 16]);
            out.extend_from_slice(&vec![g; n])?;
        }
        _ => match elem_size(vt, out.attrs()) {
            1 => out.extend_from_slice(&vec![a.u8_val(); n])?,
            2 => out.extend_from_slice(&vec![a.i16_val(); n])?,
            4 => out.extend_from_slice(&vec![if vt == RAY_F32 { (a.f64_val() as f32).to_bits() as i32 } else { a.i32_val() }; n])?,
            _ => out.extend_from_slice(&vec![a.i64_val(); n])?,
        },
    }
    if n > 0 && a.is_null_atom() && has_null_sentinel(vt) {
        out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(out)
}

/// A vector of `n` nulls shaped like `col` (`'` for SYM, `""` for STR, null objects for LIST).
pub fn nulls_like(col: &ray_t, n: usize) -> Result<Value> {
    gather_ix::<u32>(col, &vec![NO_ROW; n])
}

/// Appends one atom to a vector of the same type. Errors: `type`.
pub fn push_atom(v: &mut Value, a: &ray_t) -> Result<()> {
    let vt = v.type_();
    if vt == RAY_LIST {
        return v.list_push(Some(a.to_value()));
    }
    if a.type_() != -vt {
        return Err(RayError::type_err("value type does not match the column"));
    }
    match vt {
        RAY_STR => v.str_vec_push(a.str_bytes())?,
        RAY_GUID => v.push(a.guid_bytes().copied().unwrap_or([0; 16]))?,
        RAY_SYM => {
            let id = a.i64_val();
            match v.attrs() & RAY_SYM_WIDTH_MASK {
                RAY_SYM_W8 if id <= u8::MAX as i64 => v.push(id as u8)?,
                RAY_SYM_W16 if id <= u16::MAX as i64 => v.push(id as u16)?,
                RAY_SYM_W32 if id <= u32::MAX as i64 => v.push(id as u32)?,
                RAY_SYM_W64 => v.push(id)?,
                _ => {
                    let mut wide = widen_sym(v)?;
                    wide.push(id)?;
                    *v = wide;
                }
            }
        }
        RAY_F32 => v.push(a.f64_val() as f32)?,
        _ => match elem_size(vt, v.attrs()) {
            1 => v.push(a.u8_val())?,
            2 => v.push(a.i16_val())?,
            4 => v.push(a.i32_val())?,
            _ => v.push(a.i64_val())?,
        },
    }
    if a.is_null_atom() && has_null_sentinel(vt) {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(())
}

/// A W64 copy of a SYM vector of any width.
pub fn widen_sym(v: &ray_t) -> Result<Value> {
    let n = v.len() as usize;
    let mut w = VecWriter::<i64>::new(Value::vec_with_capacity(RAY_SYM, n as i64)?);
    for i in 0..n {
        w.push(v.sym_at(i))?;
    }
    w.finish()
}

/// Collects atoms into a typed vector when they all share one atom type,
/// otherwise into a LIST (vectors and mixed types stay items).
pub fn from_atoms(items: &[Value]) -> Result<Value> {
    let same = items.first().map(|f| f.type_()).filter(|&t| t < 0 && is_vector_type(-t) && items.iter().all(|x| x.type_() == t));
    match same {
        Some(t) => {
            let mut v = Value::vec_with_capacity(-t, items.len() as i64)?;
            for a in items {
                push_atom(&mut v, a)?;
            }
            Ok(v)
        }
        None => {
            let mut l = Value::list_with_capacity(items.len() as i64)?;
            for a in items {
                l.list_push(Some(a.clone()))?;
            }
            Ok(l)
        }
    }
}

/// `a` followed by `b` (same vector type; SYM widths are reconciled; a type
/// mismatch gives a LIST).
pub fn concat(a: &ray_t, b: &ray_t) -> Result<Value> {
    let (n, m) = (a.len() as usize, b.len() as usize);
    if a.type_() == b.type_() && a.type_() == RAY_SYM {
        if a.attrs() & RAY_SYM_WIDTH_MASK != b.attrs() & RAY_SYM_WIDTH_MASK {
            let (wa, wb) = (widen_sym(a)?, widen_sym(b)?);
            return concat(&wa, &wb);
        }
    }
    if a.type_() != b.type_() || a.type_() == RAY_LIST || a.type_() == RAY_STR {
        let idx: Vec<u32> = (0..n as u32).collect();
        let mut out = if a.type_() == b.type_() { gather_ix(a, &idx)? } else { as_list(a)? };
        for i in 0..m {
            if out.type_() == RAY_STR {
                out.str_vec_push(b.str_at(i))?;
            } else {
                out.list_push(Some(atom_at(b, i)?))?;
            }
        }
        return Ok(out);
    }
    let mut out = empty_like(a, n + m)?;
    match elem_size(a.type_(), a.attrs()) {
        1 => {
            out.extend_from_slice::<u8>(a.as_slice())?;
            out.extend_from_slice::<u8>(b.as_slice())?;
        }
        2 => {
            out.extend_from_slice::<u16>(a.as_slice())?;
            out.extend_from_slice::<u16>(b.as_slice())?;
        }
        4 => {
            out.extend_from_slice::<u32>(a.as_slice())?;
            out.extend_from_slice::<u32>(b.as_slice())?;
        }
        8 => {
            out.extend_from_slice::<i64>(a.as_slice())?;
            out.extend_from_slice::<i64>(b.as_slice())?;
        }
        _ => {
            out.extend_from_slice::<[u8; 16]>(a.as_slice())?;
            out.extend_from_slice::<[u8; 16]>(b.as_slice())?;
        }
    }
    if (a.attrs() | b.attrs()) & RAY_ATTR_HAS_NULLS != 0 {
        out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(out)
}

/// A vector or LIST as a LIST of atoms.
pub fn as_list(v: &ray_t) -> Result<Value> {
    if v.type_() == RAY_LIST {
        return Ok(v.to_value());
    }
    let n = v.len() as usize;
    let mut l = Value::list_with_capacity(n as i64)?;
    for i in 0..n {
        l.list_push(Some(atom_at(v, i)?))?;
    }
    Ok(l)
}

/// True for a column value: a vector or a LIST.
pub fn is_column(v: &ray_t) -> bool {
    v.is_vec() || v.type_() == RAY_LIST
}

/// Checks that a table's columns are vectors or lists of one length and
/// that it has a name per column (tables built through C may not).
pub fn check_table(t: &ray_t) -> Result<()> {
    let n = t.table_nrows();
    let cols = t.table_cols().ok_or_else(|| RayError::type_err("malformed table"))?;
    let ok_cols = cols.type_() == RAY_LIST
        && cols.items().iter().all(|c| c.is_some_and(|c| is_column(c) && c.len() == n));
    let names_ok = t.table_schema().is_some_and(|s| (s.type_() == RAY_I64 || s.type_() == RAY_SYM) && s.len() == cols.len());
    if ok_cols && names_ok { Ok(()) } else { Err(RayError::length("malformed table: columns differ in length")) }
}

/// Column-name ids of table `t`.
pub fn names(t: &ray_t) -> Vec<i64> {
    match t.table_schema() {
        Some(s) if s.type_() == RAY_SYM => (0..s.len() as usize).map(|i| s.sym_at(i)).collect(),
        Some(s) => s.as_slice::<i64>().to_vec(),
        None => Vec::new(),
    }
}

/// Owned columns of table `t`.
pub fn columns(t: &ray_t) -> Vec<Value> {
    t.table_cols().map(|c| c.items().iter().map(|x| x.map_or_else(Value::null, |r| r.to_value())).collect()).unwrap_or_default()
}

/// Position of column `id` in `t`.
pub fn find_col(t: &ray_t, id: i64) -> Option<usize> {
    names(t).iter().position(|&n| n == id)
}

/// A table from parallel names and columns.
pub fn make_table(names: &[i64], cols: Vec<Value>) -> Result<Value> {
    Value::table_from(names.iter().copied().zip(cols).collect())
}

/// The rows of `t` at `idx` as a table (`usize::MAX` gives a null row).
pub fn take_rows(t: &ray_t, idx: &[usize]) -> Result<Value> {
    let cols = columns(t).iter().map(|c| gather_ix(c, idx)).collect::<Result<Vec<_>>>()?;
    make_table(&names(t), cols)
}

/// Row `i` of `t` as a dict from column names to atoms.
pub fn table_row(t: &ray_t, i: usize) -> Result<Value> {
    if i >= t.table_nrows().max(0) as usize {
        return Err(RayError::range("row index out of range"));
    }
    let vals = columns(t).iter().map(|c| atom_at(c, i)).collect::<Result<Vec<_>>>()?;
    Ok(Value::dict(Value::sym_vec(&names(t))?, Value::list(vals)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_with_missing_rows_fills_typed_nulls_and_flags_them() {
        let v = Value::vec_from_slice(RAY_I64, &[10i64, 20, 30]).unwrap();
        let g = gather_ix::<u32>(&v, &[2, NO_ROW, 0]).unwrap();
        assert_eq!(g.as_slice::<i64>(), &[30, NULL_I64, 10]);
        assert!(g.attrs() & RAY_ATTR_HAS_NULLS != 0);
        let s = Value::sym_vec(&[5, 6]).unwrap();
        let g = gather_ix::<u32>(&s, &[1, NO_ROW]).unwrap();
        assert_eq!((g.sym_at(0), g.sym_at(1)), (6, 0));
        assert_eq!(g.attrs() & RAY_ATTR_HAS_NULLS, 0);
    }

    #[test]
    fn null_mask_is_true_exactly_at_each_types_null() {
        let v = Value::vec_from_slice(RAY_I64, &[1i64, NULL_I64, 3]).unwrap();
        assert_eq!(null_mask(&v).unwrap().as_slice::<u8>(), &[0, 1, 0]);
        let f = Value::vec_from_slice(RAY_F64, &[f64::NAN, 2.0]).unwrap();
        assert_eq!(null_mask(&f).unwrap().as_slice::<u8>(), &[1, 0]);
        let s = Value::sym_vec(&[5, 6]).unwrap();
        let m = null_mask(&s).unwrap();
        assert_eq!((m.type_(), m.as_slice::<u8>()), (RAY_BOOL, &[0u8, 0][..]));
        let l = Value::list(vec![Value::i64(1), Value::typed_null(-RAY_I64).unwrap(), Value::null()]);
        assert_eq!(null_mask(&l).unwrap().as_slice::<u8>(), &[0, 1, 1]);
    }

    #[test]
    fn large_gathers_and_filters_split_over_threads_keep_row_order() {
        let n = 300_001usize;
        let v = Value::vec_from_slice(RAY_I64, &(0..n as i64).collect::<Vec<_>>()).unwrap();
        let idx: Vec<u32> = (0..n as u32).rev().map(|i| if i % 1000 == 7 { NO_ROW } else { i }).collect();
        let g = gather_ix(&v, &idx).unwrap();
        let want: Vec<i64> = idx.iter().map(|&i| if i == NO_ROW { NULL_I64 } else { i as i64 }).collect();
        assert_eq!(g.as_slice::<i64>(), &want[..]);
        assert!(g.attrs() & RAY_ATTR_HAS_NULLS != 0);
        let mask: Vec<u8> = (0..n).map(|i| (i % 3 == 1) as u8).collect();
        let kept = mask.iter().filter(|&&m| m != 0).count();
        let c = compress(&v, &mask, kept).unwrap();
        let want: Vec<i64> = (0..n as i64).filter(|i| i % 3 == 1).collect();
        assert_eq!(c.as_slice::<i64>(), &want[..]);
        assert!(compress(&v, &mask, kept + 1).is_err());
    }

    #[test]
    fn gather_clears_the_null_flag_when_the_nulls_are_not_taken() {
        let mut v = Value::vec_from_slice(RAY_F64, &[1.0, f64::NAN]).unwrap();
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        assert_eq!(gather_ix::<u32>(&v, &[0]).unwrap().attrs() & RAY_ATTR_HAS_NULLS, 0);
        assert!(gather_ix::<u32>(&v, &[1]).unwrap().attrs() & RAY_ATTR_HAS_NULLS != 0);
    }

    #[test]
    fn strings_and_lists_gather_by_item() {
        let s = Value::str_vec([&b"a"[..], b"a much longer string value"]).unwrap();
        let g = gather_ix::<u32>(&s, &[1, 0, NO_ROW]).unwrap();
        assert_eq!(g.str_at(0), b"a much longer string value");
        assert_eq!(g.str_at(2), b"");
    }

    #[test]
    fn compress_keeps_rows_under_the_mask() {
        let v = Value::vec_from_slice(RAY_I32, &[1i32, 2, 3, 4]).unwrap();
        let c = compress(&v, &[1, 0, 0, 1], 2).unwrap();
        assert_eq!(c.as_slice::<i32>(), &[1, 4]);
    }

    #[test]
    fn atoms_of_one_type_collect_into_a_vector_and_mixed_into_a_list() {
        let v = from_atoms(&[Value::i64(1), Value::i64(2)]).unwrap();
        assert_eq!(v.type_(), RAY_I64);
        let l = from_atoms(&[Value::i64(1), Value::f64(2.0)]).unwrap();
        assert_eq!(l.type_(), RAY_LIST);
        let n = from_atoms(&[Value::i64(1), Value::typed_null(-RAY_I64).unwrap()]).unwrap();
        assert!(n.attrs() & RAY_ATTR_HAS_NULLS != 0);
    }

    #[test]
    fn broadcast_repeats_an_atom() {
        let b = broadcast(&Value::f64(2.5), 3).unwrap();
        assert_eq!(b.as_slice::<f64>(), &[2.5, 2.5, 2.5]);
        let s = broadcast(&Value::str(b"hello world!!"), 2).unwrap();
        assert_eq!(s.str_at(1), b"hello world!!");
    }

    #[test]
    fn concat_joins_vectors_of_one_type() {
        let a = Value::vec_from_slice(RAY_I64, &[1i64]).unwrap();
        let b = Value::vec_from_slice(RAY_I64, &[2i64, 3]).unwrap();
        assert_eq!(concat(&a, &b).unwrap().as_slice::<i64>(), &[1, 2, 3]);
    }
}
