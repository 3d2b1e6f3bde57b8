//! Selecting elements: by index (`gather_ix`/`gather_by`, where a "no row"
//! index gives the type's null; `gather` with out-of-range indices giving
//! nulls), by mask (`compress`) and by range (`range_copy`). Fixed-width
//! columns are copied by element width, in place and split over threads
//! for many rows; STR and LIST go item by item.
#![forbid(unsafe_code)]

use super::build::{empty_like, str_vec_of, vec_of};
use super::nulls::mark_nulls;
use super::par::{par_parts, split, threads_for};
use super::prim::{has_sentinel, sym_ids, with_prim};
use crate::abi::*;
use crate::core::{Elem, RayError, Result, Value};

/// Row index type used inside the engine (tables hold at most 1e9 rows).
pub type Row = u32;
/// The "no matching row" index: gathers produce the column type's null.
pub const NO_ROW: Row = Row::MAX;

/// Elements buffered on the stack by the branchless compress.
const CHUNK: usize = 512;


/// Elements of `v` at `idx`; indices out of range give the type's null
/// (`'` for SYM, "" for STR, the null object for LIST).
pub fn gather(v: &ray_t, idx: &[i64]) -> Result<Value> {
    let n = v.len().max(0);
    gather_by(v, idx.len(), |k| {
        let i = idx[k];
        if (0..n).contains(&i) { i as usize } else { usize::MAX }
    })
}

/// A copy of `len` elements of `v` starting at `off` (caller checks range).
pub fn range_copy(v: &ray_t, off: usize, len: usize) -> Result<Value> {
    let t = v.type_;
    with_prim!(t, T => vec_of(t, &v.elems::<T>()[off..off + len]), _ => match t {
        RAY_SYM => Value::sym_vec(&sym_ids(v)[off..off + len]),
        RAY_STR => str_vec_of((off..off + len).map(|i| v.str_at(i))),
        RAY_LIST => Value::container(
            RAY_LIST,
            v.items()[off..off + len].iter().map(|x| x.map_or_else(Value::null, |x| x.to_value())).collect(),
        ),
        _ => Err(RayError::type_err("not a vector")),
    })
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
    Value::vec_zeroed(col.type_, col.attrs & RAY_SYM_WIDTH_MASK, n as i64)
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
    let t = col.type_;
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
        RAY_GUID => gather_fixed::<[u8; 16], I>(col.elems(), n, &at, col, [0; 16])?,
        _ => match elem_size(t, col.attrs) {
            1 => gather_fixed::<u8, I>(col.elems(), n, &at, col, nb as u8)?,
            2 => gather_fixed::<u16, I>(col.elems(), n, &at, col, nb as u16)?,
            4 => gather_fixed::<u32, I>(col.elems(), n, &at, col, nb as u32)?,
            8 => gather_fixed::<i64, I>(col.elems(), n, &at, col, nb as i64)?,
            _ => return Err(RayError::type_err("gather: not a column")),
        },
    };
    if !has_sentinel(t) {
        Ok(v)
    } else if missing {
        let mut v = v;
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        Ok(v)
    } else if col.attrs & RAY_ATTR_HAS_NULLS != 0 {
        mark_nulls(v)
    } else {
        Ok(v)
    }
}

/// One fixed-width column's move into order: its elements and the output.
enum Move<'a> {
    W1(&'a [u8], &'a mut [u8]),
    W2(&'a [u16], &'a mut [u16]),
    W4(&'a [u32], &'a mut [u32]),
    W8(&'a [i64], &'a mut [i64]),
    W16(&'a [[u8; 16]], &'a mut [[u8; 16]]),
}

fn place<T: Copy>(src: &[T], out: &mut [T], dest: &[Row]) {
    for (&x, &d) in src.iter().zip(dest) {
        out[d as usize] = x;
    }
}

impl Move<'_> {
    fn run(self, dest: &[Row]) {
        match self {
            Move::W1(s, o) => place(s, o, dest),
            Move::W2(s, o) => place(s, o, dest),
            Move::W4(s, o) => place(s, o, dest),
            Move::W8(s, o) => place(s, o, dest),
            Move::W16(s, o) => place(s, o, dest),
        }
    }
}

/// Every column of `cols` reordered so that element `i` lands at
/// `dest[i]`; `dest` must be a permutation of the rows (the inverse of a
/// gather's index, as `radix::counting_dest` gives). Fixed-width columns
/// are read once in row order and written in place, a thread per run of
/// columns; STR and LIST columns are gathered through the inverse. Null
/// flags carry over (a permutation keeps every element).
pub fn place_columns(cols: &[Value], dest: &[Row]) -> Result<Vec<Value>> {
    let n = dest.len();
    let mut outs = Vec::with_capacity(cols.len());
    for c in cols {
        if c.len().max(0) as usize != n {
            return Err(RayError::length("place: columns differ in length"));
        }
        outs.push(match c.type_ {
            RAY_STR | RAY_LIST => None,
            _ => Some(zeroed_like(c, n)?),
        });
    }
    let mut jobs = Vec::with_capacity(cols.len());
    for (c, out) in cols.iter().zip(outs.iter_mut()) {
        let Some(out) = out else { continue };
        jobs.push(match (c.type_, elem_size(c.type_, c.attrs)) {
            (RAY_GUID, _) => Move::W16(c.elems(), out.as_mut_slice()?),
            (_, 1) => Move::W1(c.elems(), out.as_mut_slice()?),
            (_, 2) => Move::W2(c.elems(), out.as_mut_slice()?),
            (_, 4) => Move::W4(c.elems(), out.as_mut_slice()?),
            (_, 8) => Move::W8(c.elems(), out.as_mut_slice()?),
            _ => return Err(RayError::type_err("place: not a column")),
        });
    }
    let k = threads_for(n).min(jobs.len()).max(1);
    let mut groups: Vec<Vec<Move>> = (0..k).map(|_| Vec::new()).collect();
    for (i, job) in jobs.into_iter().enumerate() {
        groups[i % k].push(job);
    }
    super::par::run_each(groups, |_, group| group.into_iter().for_each(|job| job.run(dest)));
    let mut perm: Option<Vec<Row>> = None;
    cols.iter()
        .zip(outs)
        .map(|(c, out)| match out {
            Some(mut out) => {
                if has_sentinel(c.type_) && c.attrs & RAY_ATTR_HAS_NULLS != 0 {
                    out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
                }
                Ok(out)
            }
            None => {
                let perm = perm.get_or_insert_with(|| {
                    let mut p = vec![0 as Row; n];
                    dest.iter().enumerate().for_each(|(i, &d)| p[d as usize] = i as Row);
                    p
                });
                gather_ix(c, perm)
            }
        })
        .collect()
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
    let src = col.elems::<T>();
    let mut out = zeroed_like(col, count)?;
    let dst = out.as_mut_slice::<T>()?;
    let ranges = split(src.len(), threads_for(src.len()));
    let kept: Vec<usize> = match ranges.len() {
        1 => vec![count],
        _ => ranges.iter().map(|&(a, b)| count_set(&mask[a..b])).collect(),
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
            hs.push(if ranges.len() == 1 { Ok(run()) } else { Err(s.spawn(move || crate::ops::par::worker(run))) });
        }
        hs.into_iter().all(|h| h.unwrap_or_else(|h| crate::ops::par::join(h)))
    });
    if !ok {
        return Err(RayError::length("filter: mask count differs"));
    }
    Ok(out)
}

/// The positions of the non-zero bytes of `mask`, ascending; `count` is
/// their number (a capacity hint). Branchless, split over threads for many
/// rows: a sparse mask turns into a row list that gathers each column by
/// reading only the kept rows instead of the whole column.
pub fn mask_rows(mask: &[u8], count: usize) -> Vec<Row> {
    let ranges = split(mask.len(), threads_for(mask.len()));
    if ranges.len() == 1 {
        return mask_rows_in(mask, 0, count);
    }
    let parts = crate::ops::par::map_chunks(&ranges, ranges.len(), |&(a, b)| mask_rows_in(&mask[a..b], a, count / ranges.len()));
    let mut rows = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    parts.iter().for_each(|p| rows.extend_from_slice(p));
    rows
}

/// [`mask_rows`] over one part of a mask starting at row `base`. Eight
/// mask bytes are tested at once, so the empty stretches of a sparse mask
/// cost one load per eight rows; the others are written branchless.
fn mask_rows_in(mask: &[u8], base: usize, hint: usize) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::with_capacity(hint + CHUNK);
    let mut buf = [0 as Row; CHUNK];
    for (c, ms) in mask.chunks(CHUNK).enumerate() {
        let first = (base + c * CHUNK) as Row;
        let mut k = 0;
        let mut push = |at: usize, part: &[u8]| {
            for (j, &m) in part.iter().enumerate() {
                buf[k] = first + (at + j) as Row;
                k += (m != 0) as usize;
            }
        };
        let words = ms.chunks_exact(8);
        let tail = words.remainder();
        for (w, m8) in words.enumerate() {
            if u64::from_ne_bytes(m8.try_into().expect("8 bytes")) != 0 {
                push(w * 8, m8);
            }
        }
        push(ms.len() - tail.len(), tail);
        rows.extend_from_slice(&buf[..k]);
    }
    rows
}

/// Number of non-zero bytes of `mask` (eight at a time; split over threads
/// for long masks).
pub fn count_set(mask: &[u8]) -> usize {
    let ranges = split(mask.len(), threads_for(mask.len()));
    let count = |m: &[u8]| -> usize {
        const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        let words = m.chunks_exact(8);
        let tail = words.remainder().iter().filter(|&&b| b != 0).count();
        words.fold(tail, |acc, w| {
            let w = u64::from_ne_bytes(w.try_into().expect("8 bytes"));
            // Bit 7 of each byte: set when the byte is non-zero (no carry
            // crosses bytes); the multiply sums the eight flags.
            let flags = ((w & LOW).wrapping_add(LOW) | w) & !LOW;
            acc + ((flags >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize
        })
    };
    if ranges.len() == 1 {
        return count(mask);
    }
    crate::ops::par::map_chunks(&ranges, ranges.len(), |&(a, b)| count(&mask[a..b])).into_iter().sum()
}

/// The elements of `col` where `mask` (B8 values) is non-zero; `count` is the
/// number of set bytes.
pub fn compress(col: &ray_t, mask: &[u8], count: usize) -> Result<Value> {
    let t = col.type_;
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
        _ => match elem_size(t, col.attrs) {
            1 => compress_fixed::<u8>(col, mask, count)?,
            2 => compress_fixed::<u16>(col, mask, count)?,
            4 => compress_fixed::<u32>(col, mask, count)?,
            8 => compress_fixed::<i64>(col, mask, count)?,
            _ => return Err(RayError::type_err("filter: not a column")),
        },
    };
    if col.attrs & RAY_ATTR_HAS_NULLS != 0 { mark_nulls(v) } else { Ok(v) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_rows_equals_the_plain_filter() {
        for n in [0usize, 1, 7, 513, 300_001] {
            let mask: Vec<u8> = (0..n).map(|i| ((i * 2654435761) % 97 < 3) as u8 * (1 + (i % 3) as u8)).collect();
            let plain: Vec<Row> = (0..n).filter(|&i| mask[i] != 0).map(|i| i as Row).collect();
            assert_eq!(mask_rows(&mask, plain.len()), plain, "n = {n}");
            assert_eq!(count_set(&mask), plain.len(), "n = {n}");
            let bytes: Vec<u8> = (0..n).map(|i| (i * 2654435761 >> 7) as u8).collect();
            assert_eq!(count_set(&bytes), bytes.iter().filter(|&&b| b != 0).count(), "n = {n}");
            let full = vec![1u8; n];
            assert_eq!(mask_rows(&full, n).len(), n);
        }
    }

    #[test]
    fn gather_fills_out_of_range_with_typed_nulls() {
        let v = Value::vec_from_slice(RAY_I64, &[10i64, 20, 30]).unwrap();
        let g = gather(&v, &[2, 5, -1]).unwrap();
        assert_eq!(g.elems::<i64>(), &[30, NULL_I64, NULL_I64]);
        assert_ne!(g.attrs & RAY_ATTR_HAS_NULLS, 0);
        let s = Value::str_vec([&b"a"[..], b"bb"]).unwrap();
        let g = gather(&s, &[1, 9]).unwrap();
        assert_eq!(g.str_at(0), b"bb");
        assert_eq!(g.str_at(1), b"");
    }

    #[test]
    fn gather_with_missing_rows_fills_typed_nulls_and_flags_them() {
        let v = Value::vec_from_slice(RAY_I64, &[10i64, 20, 30]).unwrap();
        let g = gather_ix::<u32>(&v, &[2, NO_ROW, 0]).unwrap();
        assert_eq!(g.elems::<i64>(), &[30, NULL_I64, 10]);
        assert!(g.attrs & RAY_ATTR_HAS_NULLS != 0);
        let s = Value::sym_vec(&[5, 6]).unwrap();
        let g = gather_ix::<u32>(&s, &[1, NO_ROW]).unwrap();
        assert_eq!((g.sym_at(0), g.sym_at(1)), (6, 0));
        assert_eq!(g.attrs & RAY_ATTR_HAS_NULLS, 0);
    }


    #[test]
    fn large_gathers_and_filters_split_over_threads_keep_row_order() {
        let n = 300_001usize;
        let v = Value::vec_from_slice(RAY_I64, &(0..n as i64).collect::<Vec<_>>()).unwrap();
        let idx: Vec<u32> = (0..n as u32).rev().map(|i| if i % 1000 == 7 { NO_ROW } else { i }).collect();
        let g = gather_ix(&v, &idx).unwrap();
        let want: Vec<i64> = idx.iter().map(|&i| if i == NO_ROW { NULL_I64 } else { i as i64 }).collect();
        assert_eq!(g.elems::<i64>(), &want[..]);
        assert!(g.attrs & RAY_ATTR_HAS_NULLS != 0);
        let mask: Vec<u8> = (0..n).map(|i| (i % 3 == 1) as u8).collect();
        let kept = mask.iter().filter(|&&m| m != 0).count();
        let c = compress(&v, &mask, kept).unwrap();
        let want: Vec<i64> = (0..n as i64).filter(|i| i % 3 == 1).collect();
        assert_eq!(c.elems::<i64>(), &want[..]);
        assert!(compress(&v, &mask, kept + 1).is_err());
    }


    #[test]
    fn gather_clears_the_null_flag_when_the_nulls_are_not_taken() {
        let mut v = Value::vec_from_slice(RAY_F64, &[1.0, f64::NAN]).unwrap();
        v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        assert_eq!(gather_ix::<u32>(&v, &[0]).unwrap().attrs & RAY_ATTR_HAS_NULLS, 0);
        assert!(gather_ix::<u32>(&v, &[1]).unwrap().attrs & RAY_ATTR_HAS_NULLS != 0);
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
        assert_eq!(c.elems::<i32>(), &[1, 4]);
    }

}
