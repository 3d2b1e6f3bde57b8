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
use super::par::{map_chunks, par_parts, split, threads_for};
use super::radix::{COUNTING_MAX_BITS, bits_for, counting_dest, counting_sort_rows, sort_rows_by};
use crate::abi::*;
use crate::core::{RayError, Result, sym};
use std::cmp::Ordering;

/// Stable ascending permutation of a vector (nulls first; SYM by name).
pub fn grade(v: &ray_t, descending: bool) -> Result<Vec<usize>> {
    let n = v.len().max(0) as usize;
    crate::core::alloc::check_room(n.saturating_mul(size_of::<usize>()))?;
    let t = v.type_;
    if n > 1 && n < Row::MAX as usize && radix_grades(t) {
        // Integer-like values and symbols order exactly as their order keys
        // (nulls are the smallest), so the radix permutation is the grade.
        return Ok(sort_perm(&[(v, descending)], Nulls::Smallest)?.into_iter().map(|r| r as usize).collect());
    }
    let mut idx: Vec<usize> = (0..n).collect();
    let dir = |o: Ordering| if descending { o.reverse() } else { o };
    with_prim!(t, T => {
        let s = v.elems::<T>();
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

/// Types whose `grade` is the radix `sort_perm` (floats keep the comparison
/// sort: their order keys tell -0.0 from 0.0, which compare equal).
fn radix_grades(t: i8) -> bool {
    matches!(t, RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP | RAY_SYM)
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

/// `key` of every element, split over threads for long columns.
fn keys_of<T: Copy + Sync>(s: &[T], key: impl Fn(T) -> u64 + Sync) -> Vec<u64> {
    let mut out = crate::core::alloc::huge_zeroed::<u64>(s.len());
    par_parts(&mut out, threads_for(s.len()), |d, a, b| {
        d.iter_mut().zip(&s[a..b]).for_each(|(o, &x)| *o = key(x));
        false
    });
    out
}

/// Order keys of a column (ascending, nulls at `nulls`).
pub fn order_keys(col: &ray_t, nulls: Nulls) -> Result<Vec<u64>> {
    let null_key = if nulls == Nulls::Smallest { 0 } else { u64::MAX };
    let n = col.len().max(0) as usize;
    crate::core::alloc::check_room(n.saturating_mul(8))?;
    Ok(match col.type_ {
        RAY_BOOL | RAY_U8 => keys_of(col.elems::<u8>(), |x| x as u64 + 1),
        RAY_I16 => keys_of(col.elems::<i16>(), |x| if x == NULL_I16 { null_key } else { int_key(x as i64) }),
        RAY_I32 | RAY_DATE | RAY_TIME => keys_of(col.elems::<i32>(), |x| if x == NULL_I32 { null_key } else { int_key(x as i64) }),
        RAY_I64 | RAY_TIMESTAMP => keys_of(col.elems::<i64>(), |x| if x == NULL_I64 { null_key } else { int_key(x).max(1) }),
        RAY_F64 => keys_of(col.elems::<f64>(), |x| if x.is_nan() { null_key } else { f64_key(x).clamp(1, u64::MAX - 1) }),
        RAY_F32 => keys_of(col.elems::<f32>(), |x| if x.is_nan() { null_key } else { f64_key(x as f64).clamp(1, u64::MAX - 1) }),
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
            let g: Vec<&[u8]> = col.elems::<[u8; 16]>().iter().map(|x| &x[..]).collect();
            ranks(&g)
        }
        _ => return Err(RayError::type_err("sort: cannot order this column type")),
    })
}

/// Maps a column's order keys onto `0..=max` keeping their order (the null
/// keys 0 and `u64::MAX` stay at the ends); returns `max`.
fn compact(keys: &mut [u64]) -> u64 {
    let scan = |part: &[u64]| {
        let (mut lo, mut hi, mut has_lo, mut has_hi) = (u64::MAX, 0, false, false);
        for &k in part {
            match k {
                0 => has_lo = true,
                u64::MAX => has_hi = true,
                _ => {
                    lo = lo.min(k);
                    hi = hi.max(k);
                }
            }
        }
        (lo, hi, has_lo, has_hi)
    };
    let threads = threads_for(keys.len());
    let parts = map_chunks(&split(keys.len(), threads), threads, |&(a, b)| scan(&keys[a..b]));
    let (lo, hi, has_lo, has_hi) = parts.into_iter().fold((u64::MAX, 0, false, false), |acc, p| {
        (acc.0.min(p.0), acc.1.max(p.1), acc.2 | p.2, acc.3 | p.3)
    });
    // Other keys go to base..=base + span, the high null key just above.
    let base = has_lo as u64;
    let any_mid = lo <= hi;
    let span = if any_mid { hi - lo } else { 0 };
    let top = if any_mid { base + span + 1 } else { base };
    par_parts(keys, threads, |part, _, _| {
        for k in part.iter_mut() {
            *k = match *k {
                0 => 0,
                u64::MAX => top,
                x => x - lo + base,
            };
        }
        false
    });
    match (has_hi, any_mid) {
        (true, _) => top,
        (false, true) => base + span,
        (false, false) => 0,
    }
}

/// The stable permutation sorting rows by `keys` (column, descending?) in
/// order. Each column's order keys are compacted to the bits their range
/// needs and packed, most significant column first, into as few u64 words
/// as hold them; the words then radix-sort the row ids, least significant
/// word first (each pass is stable, so earlier words break ties).
pub fn sort_perm(keys: &[(&ray_t, bool)], nulls: Nulls) -> Result<Vec<Row>> {
    let (n, words) = order_words(keys, nulls)?;
    Ok(perm_of_words(n, &words))
}

/// A sort's answer: each row's place in the order, or the rows in order.
pub enum Order {
    /// Each row's place (the keys fit one counting pass).
    Places(Vec<Row>),
    /// The rows in order and, for many rows, each row's place in the coarse
    /// order of the most significant key bits alone: its buckets are the
    /// ranges of the order the rows end up in, so a column moved to its
    /// coarse places is then gathered within each range (in cache) rather
    /// than across the whole column.
    Rows(Vec<Row>, Option<Vec<Row>>),
}

/// Rows from which a sort also gives the coarse places.
const COARSE_MIN_ROWS: usize = 1 << 20;
/// Most significant key bits of the coarse order (4096 ranges).
const COARSE_BITS: u32 = 12;

/// The stable order of `sort_perm`, as each row's place when the keys fit
/// one counting pass (moving columns into their places reads each column in
/// row order), else as the rows in order (see `Order::Rows`).
pub fn sort_order(keys: &[(&ray_t, bool)], nulls: Nulls) -> Result<Order> {
    let (n, words) = order_words(keys, nulls)?;
    Ok(match &words[..] {
        [(w, b)] if *b <= COUNTING_MAX_BITS => Order::Places(counting_dest(w, *b)),
        [(w, b), ..] if n >= COARSE_MIN_ROWS => {
            let shift = b.saturating_sub(COARSE_BITS);
            let top = keys_of(w, |x| x >> shift);
            let coarse = counting_dest(&top, b - shift);
            drop(top);
            Order::Rows(perm_of_words(n, &words), Some(coarse))
        }
        _ => Order::Rows(perm_of_words(n, &words), None),
    })
}

/// The row count and the packed order-key words of a multi-key sort, most
/// significant first, with the bits each uses.
fn order_words(keys: &[(&ray_t, bool)], nulls: Nulls) -> Result<(usize, Vec<(Vec<u64>, u32)>)> {
    let Some(n) = keys.first().map(|k| k.0.len().max(0) as usize) else {
        return Err(RayError::domain("sort: no keys"));
    };
    crate::core::alloc::check_room(n.saturating_mul(8 * keys.len() + 8))?; // keys and the permutation
    let mut words: Vec<(Vec<u64>, u32)> = Vec::new();
    for &(c, desc) in keys {
        if c.len().max(0) as usize != n {
            return Err(RayError::length("sort: key columns differ in length"));
        }
        let mut k = order_keys(c, nulls)?;
        let max = compact(&mut k);
        if desc {
            k.iter_mut().for_each(|x| *x = max - *x);
        }
        let b = bits_for(max);
        match words.last_mut() {
            _ if b == 0 => {}
            Some((w, wb)) if *wb + b <= 64 => {
                w.iter_mut().zip(&k).for_each(|(w, &x)| *w = *w << b | x);
                *wb += b;
            }
            _ => words.push((k, b)),
        }
    }
    Ok((n, words))
}

/// Rows sorted by the packed words: the least significant word sorts the
/// identity (by counting when narrow, by radix otherwise); each next word
/// re-sorts stably.
fn perm_of_words(n: usize, words: &[(Vec<u64>, u32)]) -> Vec<Row> {
    let mut words = words.iter().rev();
    let mut rows: Vec<Row> = match words.next() {
        Some((w, b)) if *b <= COUNTING_MAX_BITS => counting_sort_rows(w, *b),
        Some((w, b)) => sort_rows_by(w, *b, (0..n as Row).collect()),
        None => (0..n as Row).collect(),
    };
    for (w, b) in words {
        rows = sort_rows_by(w, *b, rows);
    }
    rows
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

    /// The plain path: rows compared key by key on the raw order keys.
    fn sort_perm_plain(keys: &[(&ray_t, bool)], nulls: Nulls) -> Vec<Row> {
        let n = keys[0].0.len() as usize;
        let ks: Vec<Vec<u64>> = keys.iter().map(|&(c, d)| {
            order_keys(c, nulls).unwrap().into_iter().map(|x| if d { !x } else { x }).collect()
        }).collect();
        let mut perm: Vec<Row> = (0..n as Row).collect();
        perm.sort_by(|&a, &b| ks.iter().map(|k| k[a as usize].cmp(&k[b as usize])).find(|o| o.is_ne()).unwrap_or(a.cmp(&b)));
        perm
    }

    #[test]
    fn radix_path_matches_the_plain_comparison_sort() {
        let mut seed = 99u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            seed >> 17
        };
        for &n in &[0usize, 1, 2, 17, 3000, 200_000] {
            let small: Vec<i64> = (0..n).map(|_| { let r = next(); if r % 13 == 0 { NULL_I64 } else { (r % 7) as i64 - 3 } }).collect();
            let wide: Vec<i64> = (0..n).map(|_| { let r = next(); if r % 11 == 0 { NULL_I64 } else { (r as i64) << 16 ^ r as i64 } }).collect();
            let floats: Vec<f64> = (0..n).map(|_| { let r = next(); if r % 9 == 0 { f64::NAN } else { (r % 1000) as f64 / 7.0 - 50.0 } }).collect();
            let narrow: Vec<i32> = (0..n).map(|_| { let r = next(); if r % 5 == 0 { NULL_I32 } else { (r % 100) as i32 } }).collect();
            let names = [sym::intern(b"pear"), sym::intern(b"apple"), sym::intern(b"fig")];
            let syms: Vec<i64> = (0..n).map(|_| names[(next() % 3) as usize]).collect();
            let a = Value::vec_from_slice(RAY_I64, &small).unwrap();
            let b = Value::vec_from_slice(RAY_I64, &wide).unwrap();
            let c = Value::vec_from_slice(RAY_F64, &floats).unwrap();
            let d = Value::vec_from_slice(RAY_I32, &narrow).unwrap();
            let e = Value::sym_vec(&syms).unwrap();
            let cases: Vec<Vec<(&ray_t, bool)>> = vec![
                vec![(&a, false)],
                vec![(&a, true)],
                vec![(&b, false)],
                vec![(&c, true)],
                vec![(&e, false), (&d, true)],
                vec![(&a, false), (&d, false), (&e, true)],
                vec![(&c, false), (&b, true), (&a, false)],
                vec![(&d, true), (&b, false), (&c, false), (&e, false)],
            ];
            for ks in &cases {
                for nulls in [Nulls::Smallest, Nulls::Largest] {
                    assert_eq!(sort_perm(ks, nulls).unwrap(), sort_perm_plain(ks, nulls), "n {n} keys {}", ks.len());
                }
            }
        }
    }

    #[test]
    fn radix_grade_matches_the_comparison_grade() {
        let plain = |v: &ray_t, desc: bool| -> Vec<usize> {
            let mut idx: Vec<usize> = (0..v.len() as usize).collect();
            let dir = |o: Ordering| if desc { o.reverse() } else { o };
            with_prim!(v.type_, T => {
                let s = v.elems::<T>();
                idx.sort_by(|&a, &b| dir(s[a].order(s[b])));
            }, _ => {
                let names: Vec<&[u8]> = (0..v.len() as usize).map(|i| sym::name_or_empty(v.sym_at(i))).collect();
                idx.sort_by(|&a, &b| dir(names[a].cmp(names[b])));
            });
            idx
        };
        let names = [sym::intern(b"pear"), sym::intern(b"apple"), sym::intern(b""), sym::intern(b"fig")];
        for n in [0usize, 1, 2, 5, 1000] {
            let h = |i: usize| (i * 2654435761 + 12345) % 1009;
            let i64s: Vec<i64> = (0..n).map(|i| if h(i) % 9 == 0 { NULL_I64 } else { h(i) as i64 % 50 - 25 }).collect();
            let i16s: Vec<i16> = (0..n).map(|i| if h(i) % 7 == 0 { NULL_I16 } else { h(i) as i16 - 500 }).collect();
            let i32s: Vec<i32> = (0..n).map(|i| if h(i) % 5 == 0 { NULL_I32 } else { h(i) as i32 * 1_000_000 }).collect();
            let bools: Vec<u8> = (0..n).map(|i| (h(i) % 2) as u8).collect();
            let syms: Vec<i64> = (0..n).map(|i| names[h(i) % 4]).collect();
            let vs = [
                Value::vec_from_slice(RAY_I64, &i64s).unwrap(),
                Value::vec_from_slice(RAY_I16, &i16s).unwrap(),
                Value::vec_from_slice(RAY_DATE, &i32s).unwrap(),
                Value::vec_from_slice(RAY_BOOL, &bools).unwrap(),
                Value::sym_vec(&syms).unwrap(),
            ];
            for v in &vs {
                assert!(radix_grades(v.type_));
                for desc in [false, true] {
                    assert_eq!(grade(v, desc).unwrap(), plain(v, desc), "n {n} type {} desc {desc}", v.type_);
                }
            }
        }
    }

    #[test]
    fn compacting_keeps_order_and_the_null_ends() {
        let mut k = vec![u64::MAX, 7, 0, 9, 7];
        assert_eq!(compact(&mut k), 4);
        assert_eq!(k, vec![4, 1, 0, 3, 1]);
        let mut only_nulls = vec![0, u64::MAX, 0];
        assert_eq!(compact(&mut only_nulls), 1);
        assert_eq!(only_nulls, vec![0, 1, 0]);
        let mut empty: Vec<u64> = Vec::new();
        assert_eq!(compact(&mut empty), 0);
        let mut same = vec![5, 5];
        assert_eq!(compact(&mut same), 0);
    }
}
