//! Integer-like columns as typed slices (`Ints`, `with_ints!`) and packed
//! key tuples: the tuple of several integer-like key columns of a row
//! becomes one 64-bit key, each column shifted into the bits its value range
//! needs, with the same encoding across every table that is packed together
//! (so equal tuples give equal keys on both sides of a join). Nulls are
//! ordinary values here (null matches null), as in grouping. Knows nothing
//! of hashing or grouping.
#![forbid(unsafe_code)]

use super::par::{map_chunks, par_parts, split, threads_for};
use super::radix::bits_for;
use crate::abi::*;

/// A fixed-width column's elements as a typed slice, for monomorphic key loops.
pub enum Ints<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
}

/// The typed slice of an integer-like column (SYM ids at their width);
/// None for floats, strings, GUIDs and lists.
pub fn ints(c: &ray_t) -> Option<Ints<'_>> {
    let sym = c.type_() == RAY_SYM;
    Some(match (c.type_(), elem_size(c.type_(), c.attrs())) {
        (RAY_F64 | RAY_F32 | RAY_GUID | RAY_STR | RAY_LIST, _) => return None,
        (t, _) if !is_vector_type(t) => return None,
        (_, 1) => Ints::U8(c.elems()),
        (_, 2) if sym => Ints::U16(c.elems()),
        (_, 2) => Ints::I16(c.elems()),
        (_, 4) if sym => Ints::U32(c.elems()),
        (_, 4) => Ints::I32(c.elems()),
        (_, 8) => Ints::I64(c.elems()),
        _ => return None,
    })
}

/// Calls `$body` with `$s` bound to the typed slice inside an `Ints`.
macro_rules! with_ints {
    ($v:expr, $s:ident => $body:expr) => {
        match $v {
            $crate::ops::pack::Ints::U8($s) => $body,
            $crate::ops::pack::Ints::U16($s) => $body,
            $crate::ops::pack::Ints::U32($s) => $body,
            $crate::ops::pack::Ints::I16($s) => $body,
            $crate::ops::pack::Ints::I32($s) => $body,
            $crate::ops::pack::Ints::I64($s) => $body,
        }
    };
}
pub(crate) use with_ints;

/// The least and greatest element of `s` (four running lanes, so the
/// compares of neighbouring elements overlap).
fn min_max<T: Copy + Into<i64>>(s: &[T]) -> (i64, i64) {
    let (mut lo, mut hi) = ([i64::MAX; 4], [i64::MIN; 4]);
    let quads = s.chunks_exact(4);
    for &x in quads.remainder() {
        (lo[0], hi[0]) = (lo[0].min(x.into()), hi[0].max(x.into()));
    }
    for q in quads {
        for l in 0..4 {
            let x: i64 = q[l].into();
            lo[l] = lo[l].min(x);
            hi[l] = hi[l].max(x);
        }
    }
    (lo.into_iter().min().unwrap_or(i64::MAX), hi.into_iter().max().unwrap_or(i64::MIN))
}

/// The least and greatest element of an integer-like column (SYM: its ids;
/// nulls are ordinary values), split over threads for long columns; None
/// when the column is not integer-like or is empty.
pub fn int_range(c: &ray_t) -> Option<(i64, i64)> {
    let v = ints(c)?;
    let n = c.len().max(0) as usize;
    if n == 0 {
        return None;
    }
    let ranges = split(n, threads_for(n));
    let parts = map_chunks(&ranges, ranges.len(), |&(a, b)| with_ints!(&v, s => min_max(&s[a..b])));
    Some(parts.into_iter().fold((i64::MAX, i64::MIN), |(lo, hi), (a, b)| (lo.min(a), hi.max(b))))
}

/// Shifts `out` left by `bits` and adds each element's offset from `lo`.
fn push_column<T: Copy + Into<i64>>(out: &mut [i64], s: &[T], lo: i64, bits: u32) {
    for (o, &x) in out.iter_mut().zip(s) {
        *o = ((*o as u64) << bits | (x.into().wrapping_sub(lo) as u64)) as i64;
    }
}

/// Packs each row's tuple of key columns, for every table in `sides` (each
/// a list of key columns, in the same order and of the same types on every
/// side) into one u64 key per row, equal exactly when the tuples are equal.
/// Returns the keys per side (the packed u64 read as i64, so that kernels
/// over i64 keys take them) and the bits they use; None when a column is
/// not integer-like, types differ between sides, or the ranges need more
/// than 64 bits together.
pub fn pack_keys(sides: &[&[&ray_t]]) -> Option<(Vec<Vec<i64>>, u32)> {
    let ncols = sides.first()?.len();
    if ncols == 0 || sides.iter().any(|s| s.len() != ncols || s.iter().any(|c| c.len() != s[0].len())) {
        return None;
    }
    let mut layout = Vec::with_capacity(ncols);
    let mut total = 0u32;
    for j in 0..ncols {
        let t = sides[0][j].type_();
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        for side in sides {
            if side[j].type_() != t {
                return None;
            }
            ints(side[j])?;
            if let Some((a, b)) = int_range(side[j]) {
                (lo, hi) = (lo.min(a), hi.max(b));
            }
        }
        let bits = if lo > hi { 0 } else { bits_for((hi as i128 - lo as i128) as u64) };
        total += bits;
        if total > 64 {
            return None;
        }
        layout.push((lo, bits));
    }
    let keys = sides
        .iter()
        .map(|side| {
            let n = side[0].len().max(0) as usize;
            let cols: Vec<(Ints, i64, u32)> = side
                .iter()
                .zip(&layout)
                .filter(|(_, l)| l.1 > 0)
                .map(|(c, &(lo, bits))| (ints(c).expect("checked above"), lo, bits))
                .collect();
            let mut out = crate::core::alloc::huge_zeroed::<i64>(n);
            par_parts(&mut out, threads_for(n), |part, a, b| {
                for (v, lo, bits) in &cols {
                    with_ints!(v, s => push_column(part, &s[a..b], *lo, *bits));
                }
                false
            });
            out
        })
        .collect();
    Some((keys, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Value, sym};

    #[test]
    fn equal_tuples_pack_equal_across_sides_and_others_differ() {
        let a1 = Value::vec_from_slice(RAY_I64, &[1i64, 2, 1, -5]).unwrap();
        let b1 = Value::vec_from_slice(RAY_I32, &[7i32, 7, 8, NULL_I32]).unwrap();
        let a2 = Value::vec_from_slice(RAY_I64, &[1i64, 2]).unwrap();
        let b2 = Value::vec_from_slice(RAY_I32, &[8i32, NULL_I32]).unwrap();
        let (k, bits) = pack_keys(&[&[&a1, &b1], &[&a2, &b2]]).unwrap();
        assert!(bits <= 64);
        assert_eq!(k[1][0], k[0][2]);
        assert_ne!(k[1][1], k[0][1]);
        let distinct: std::collections::HashSet<i64> = k[0].iter().copied().collect();
        assert_eq!(distinct.len(), 4);
    }

    #[test]
    fn too_wide_or_unpackable_columns_give_none() {
        let wide = Value::vec_from_slice(RAY_I64, &[i64::MIN + 1, i64::MAX]).unwrap();
        let small = Value::vec_from_slice(RAY_I64, &[0i64, 1]).unwrap();
        assert!(pack_keys(&[&[&wide, &small]]).is_none());
        let f = Value::vec_from_slice(RAY_F64, &[1.0, 2.0]).unwrap();
        assert!(pack_keys(&[&[&f]]).is_none());
        let i32s = Value::vec_from_slice(RAY_I32, &[0i32, 1]).unwrap();
        assert!(pack_keys(&[&[&small], &[&i32s]]).is_none());
        let s = Value::sym_vec(&[sym::intern(b"a"), sym::intern(b"b")]).unwrap();
        let (k, _) = pack_keys(&[&[&s, &small]]).unwrap();
        assert_ne!(k[0][0], k[0][1]);
        let e = Value::vec_from_slice(RAY_I64, &[] as &[i64]).unwrap();
        assert_eq!(pack_keys(&[&[&e, &e]]).unwrap().0, vec![Vec::<i64>::new()]);
    }
}
