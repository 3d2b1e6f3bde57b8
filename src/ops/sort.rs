//! Ordering kernels. Vectors: `grade` (a stable permutation, nulls first,
//! SYM by name; descending reverses the comparison, so ties keep their
//! order) and `sort_values` (sorting a typed slice in place), used by
//! `asc desc iasc idesc rank distinct`. Table rows: `sort_perm`, where every
//! key column becomes u64 order keys (integers and floats by
//! order-preserving bit tricks, SYM by name rank, STR by rank), nulls at the
//! chosen end and descending keys inverted, then rows sort by (keys, row id).
#![forbid(unsafe_code)]

use super::gather::Row;
use super::prim::{Prim, sym_ids, with_prim};
use crate::abi::*;
use crate::core::{RayError, Result, sym};
use std::cmp::Ordering;

/// Stable ascending permutation of a vector (nulls first; SYM by name).
pub fn grade(v: &ray_t, descending: bool) -> Result<Vec<usize>> {
    let n = v.len().max(0) as usize;
    let mut idx: Vec<usize> = (0..n).collect();
    let t = v.type_;
    let dir = |o: Ordering| if descending { o.reverse() } else { o };
    with_prim!(t, T => {
        let s = v.as_slice::<T>();
        idx.sort_by(|&a, &b| dir(s[a].order(s[b])));
    }, _ => match t {
        RAY_SYM => {
            let ids = sym_ids(v);
            let names: Vec<&'static [u8]> = sym::with_names(|f| ids.iter().map(|&i| f(i)).collect());
            idx.sort_by(|&a, &b| dir(names[a].cmp(names[b])));
        }
        RAY_STR => {
            let strs: Vec<&[u8]> = (0..n).map(|i| v.str_at(i)).collect();
            idx.sort_by(|&a, &b| dir(strs[a].cmp(strs[b])));
        }
        _ => return Err(RayError::type_err("sort: expected a vector")),
    });
    Ok(idx)
}


/// Sorts elements by value, nulls first. Integer-like elements that
/// compare equal are identical, so an unstable sort gives the same bytes.
pub fn sort_values<T: Prim>(t: i8, s: &mut [T], descending: bool) {
    let exact = !matches!(t, RAY_F32 | RAY_F64);
    match (exact, descending) {
        (true, false) => s.sort_unstable_by(|a, b| a.order(*b)),
        (true, true) => s.sort_unstable_by(|a, b| b.order(*a)),
        (false, false) => s.sort_by(|a, b| a.order(*b)),
        (false, true) => s.sort_by(|a, b| b.order(*a)),
    }
}

/// Where nulls go relative to other values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    Smallest,
    Largest,
}

#[inline(always)]
fn int_key(x: i64) -> u64 {
    (x as u64) ^ (1 << 63)
}

#[inline(always)]
fn f64_key(x: f64) -> u64 {
    let x = if x == 0.0 { 0.0 } else { x };
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// Ranks of byte strings: equal strings share a rank, ranks follow byte order.
fn ranks<'a>(items: &[&'a [u8]]) -> Vec<u64> {
    let mut distinct: Vec<&[u8]> = items.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    items.iter().map(|s| distinct.binary_search(s).unwrap_or(0) as u64).collect()
}

/// Order keys of a column (ascending, nulls at `nulls`).
pub fn order_keys(col: &ray_t, nulls: Nulls) -> Result<Vec<u64>> {
    let null_key = if nulls == Nulls::Smallest { 0 } else { u64::MAX };
    let n = col.len().max(0) as usize;
    Ok(match col.type_ {
        RAY_BOOL | RAY_U8 => col.as_slice::<u8>().iter().map(|&x| x as u64 + 1).collect(),
        RAY_I16 => col.as_slice::<i16>().iter().map(|&x| if x == NULL_I16 { null_key } else { int_key(x as i64) }).collect(),
        RAY_I32 | RAY_DATE | RAY_TIME => {
            col.as_slice::<i32>().iter().map(|&x| if x == NULL_I32 { null_key } else { int_key(x as i64) }).collect()
        }
        RAY_I64 | RAY_TIMESTAMP => {
            col.as_slice::<i64>().iter().map(|&x| if x == NULL_I64 { null_key } else { int_key(x).max(1) }).collect()
        }
        RAY_F64 => col.as_slice::<f64>().iter().map(|&x| if x.is_nan() { null_key } else { f64_key(x).clamp(1, u64::MAX - 1) }).collect(),
        RAY_F32 => col.as_slice::<f32>().iter().map(|&x| if x.is_nan() { null_key } else { f64_key(x as f64).clamp(1, u64::MAX - 1) }).collect(),
        RAY_SYM => {
            let ids: Vec<i64> = (0..n).map(|i| col.sym_at(i)).collect();
            let mut distinct = ids.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let named: Vec<&[u8]> = distinct.iter().map(|&id| sym::name_or_empty(id)).collect();
            let r = ranks(&named);
            ids.iter().map(|id| r[distinct.binary_search(id).unwrap_or(0)]).collect()
        }
        RAY_STR => {
            let strs: Vec<&[u8]> = (0..n).map(|i| col.str_at(i)).collect();
            ranks(&strs)
        }
        RAY_GUID => {
            let g: Vec<&[u8]> = col.as_slice::<[u8; 16]>().iter().map(|x| &x[..]).collect();
            ranks(&g)
        }
        _ => return Err(RayError::type_err("sort: cannot order this column type")),
    })
}

/// The stable permutation sorting rows by `keys` (column, descending?) in order.
pub fn sort_perm(keys: &[(&ray_t, bool)], nulls: Nulls) -> Result<Vec<Row>> {
    let Some(n) = keys.first().map(|k| k.0.len().max(0) as usize) else {
        return Err(RayError::domain("sort: no keys"));
    };
    let mut ks = Vec::with_capacity(keys.len());
    for &(c, desc) in keys {
        if c.len().max(0) as usize != n {
            return Err(RayError::length("sort: key columns differ in length"));
        }
        let mut k = order_keys(c, nulls)?;
        if desc {
            for x in &mut k {
                *x = !*x;
            }
        }
        ks.push(k);
    }
    if ks.len() == 1 {
        let mut pairs: Vec<(u64, Row)> = ks[0].iter().enumerate().map(|(i, &k)| (k, i as Row)).collect();
        pairs.sort_unstable();
        return Ok(pairs.into_iter().map(|p| p.1).collect());
    }
    let mut perm: Vec<Row> = (0..n as Row).collect();
    perm.sort_by(|&a, &b| {
        for k in &ks {
            let o = k[a as usize].cmp(&k[b as usize]);
            if o.is_ne() {
                return o;
            }
        }
        a.cmp(&b)
    });
    Ok(perm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;

    #[test]
    fn floats_and_ints_order_with_nulls_at_the_chosen_end() {
        let v = Value::vec_from_slice(RAY_F64, &[2.0, f64::NAN, -1.5, 0.0]).unwrap();
        assert_eq!(sort_perm(&[(&v, false)], Nulls::Smallest).unwrap(), vec![1, 2, 3, 0]);
        assert_eq!(sort_perm(&[(&v, false)], Nulls::Largest).unwrap(), vec![2, 3, 0, 1]);
        assert_eq!(sort_perm(&[(&v, true)], Nulls::Largest).unwrap(), vec![1, 0, 3, 2]);
        let i = Value::vec_from_slice(RAY_I64, &[5i64, NULL_I64, -7, 5]).unwrap();
        assert_eq!(sort_perm(&[(&i, true)], Nulls::Smallest).unwrap(), vec![0, 3, 2, 1]);
    }

    #[test]
    fn symbols_sort_by_name_and_ties_keep_row_order() {
        let ids = [sym::intern(b"zeta"), sym::intern(b"alpha"), sym::intern(b"zeta")];
        let s = Value::sym_vec(&ids).unwrap();
        let q = Value::vec_from_slice(RAY_I64, &[1i64, 2, 3]).unwrap();
        assert_eq!(sort_perm(&[(&s, false)], Nulls::Smallest).unwrap(), vec![1, 0, 2]);
        assert_eq!(sort_perm(&[(&s, false), (&q, true)], Nulls::Smallest).unwrap(), vec![1, 2, 0]);
    }
}
