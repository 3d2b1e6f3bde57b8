//! Table sorts: `xasc`/`xdesc` (nulls first/last) and `select`'s `asc:`
//! and `desc:` (nulls as the largest value, rayfall.md 14.7), over the
//! stable multi-key row permutation of `ops::sort`.
#![forbid(unsafe_code)]

use crate::ops::sort::{Nulls, Order, sort_order};
use crate::ops::par::{par_parts, threads_for};
use crate::ops::{Row, gather_ix, place_columns};
use crate::ops::table::{make_table, names, columns};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

/// Rows of table `t` reordered by `perm`.
pub fn permute(t: &ray_t, perm: &[Row]) -> Result<Value> {
    let cols = columns(t).iter().map(|c| gather_ix(c, perm)).collect::<Result<Vec<_>>>()?;
    make_table(&names(t), cols)
}

/// [`permute`] with each row's place in a coarse order whose buckets are
/// the ranges of `perm` the rows end up in (`Order::Rows`): a few columns
/// at a time (one per thread) move to their coarse places, reading them in
/// row order, and then gather within each range, where the reads stay in
/// cache, instead of reading the whole column at random.
fn permute_coarse(t: &ray_t, perm: &[Row], coarse: &[Row]) -> Result<Value> {
    // Where each output row's row sits once moved to its coarse place.
    let mut local = crate::core::alloc::huge_zeroed::<Row>(perm.len());
    par_parts(&mut local, threads_for(perm.len()), |part, a, b| {
        part.iter_mut().zip(&perm[a..b]).for_each(|(l, &r)| *l = coarse[r as usize]);
        false
    });
    let cols = columns(t);
    let mut out = Vec::with_capacity(cols.len());
    for group in cols.chunks(threads_for(perm.len()).max(1)) {
        for placed in place_columns(group, coarse)? {
            out.push(gather_ix(&placed, &local)?);
        }
    }
    make_table(&names(t), out)
}

/// Column ids named by a sort argument: a symbol or a SYM vector.
pub fn key_names(arg: &ray_t) -> Result<Vec<i64>> {
    match arg.type_() {
        t if t == -RAY_SYM => Ok(vec![arg.i64_val()]),
        RAY_SYM => Ok((0..arg.len() as usize).map(|i| arg.sym_at(i)).collect()),
        _ => Err(RayError::type_err("sort: expected a column name or a name vector")),
    }
}

/// Sorts table `t` by the named columns (`desc` for all of them).
pub fn sort_table(t: &ray_t, names_: &[(i64, bool)], nulls: Nulls) -> Result<Value> {
    if names_.is_empty() {
        return Ok(t.to_value());
    }
    let cols = columns(t);
    let tn = names(t);
    let mut keys = Vec::new();
    for &(id, desc) in names_ {
        let Some(i) = tn.iter().position(|&x| x == id) else {
            return Err(RayError::new("schema", format!("sort: no column {}", String::from_utf8_lossy(sym::name_or_empty(id)))));
        };
        keys.push((&*cols[i], desc));
    }
    match sort_order(&keys, nulls)? {
        Order::Rows(perm, None) => permute(t, &perm),
        Order::Rows(perm, Some(coarse)) => permute_coarse(t, &perm, &coarse),
        Order::Places(dest) => make_table(&names(t), place_columns(&columns(t), &dest)?),
    }
}

fn xsort(args: &[Value], desc: bool) -> Result<Value> {
    let [t, by] = args else {
        return Err(RayError::new("arity", "xasc/xdesc: expected 2 arguments"));
    };
    if t.type_() != RAY_TABLE {
        return Err(RayError::type_err("xasc/xdesc: expected a table"));
    }
    let ks: Vec<(i64, bool)> = key_names(by)?.into_iter().map(|k| (k, desc)).collect();
    sort_table(t, &ks, Nulls::Smallest)
}

/// `(xasc t 'col)`: stable ascending sort, nulls first.
pub fn xasc(args: &[Value]) -> Result<Value> {
    xsort(args, false)
}

/// `(xdesc t 'col)`: stable descending sort, nulls last.
pub fn xdesc(args: &[Value]) -> Result<Value> {
    xsort(args, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::sort::sort_perm;

    /// Equal values, null flags included (STR item by item).
    fn same_column(a: &ray_t, b: &ray_t) -> bool {
        let flags = |c: &ray_t| c.attrs & (RAY_ATTR_HAS_NULLS | RAY_SYM_WIDTH_MASK);
        a.type_ == b.type_
            && a.len() == b.len()
            && flags(a) == flags(b)
            && match a.type_ {
                RAY_STR => (0..a.len() as usize).all(|i| a.str_at(i) == b.str_at(i)),
                _ => a.vec_bytes() == b.vec_bytes(),
            }
    }

    #[test]
    fn sorting_by_a_narrow_key_moves_columns_as_the_row_gather_does() {
        for n in [0usize, 1, 7, 300_001] {
            let h = |i: usize, m: usize| (i.wrapping_mul(2654435761) ^ (i >> 3)) % m;
            let key: Vec<i64> = (0..n).map(|i| if h(i, 31) == 0 { NULL_I64 } else { h(i, 100) as i64 - 50 }).collect();
            let f: Vec<f64> = (0..n).map(|i| if h(i, 17) == 0 { f64::NAN } else { i as f64 / 4.0 }).collect();
            let small: Vec<i16> = (0..n).map(|i| if h(i, 13) == 0 { NULL_I16 } else { i as i16 }).collect();
            let names = [sym::intern(b"b"), sym::intern(b"a"), sym::intern(b"c")];
            let syms: Vec<i64> = (0..n).map(|i| names[h(i, 3)]).collect();
            let strs: Vec<Vec<u8>> = (0..n).map(|i| format!("s{}", h(i, 1000)).into_bytes()).collect();
            let mut fv = Value::vec_from_slice(RAY_F64, &f).unwrap();
            fv.set_attr(RAY_ATTR_HAS_NULLS, n > 0).unwrap();
            let cols = vec![
                Value::vec_from_slice(RAY_I64, &key).unwrap(),
                fv,
                Value::vec_from_slice(RAY_I16, &small).unwrap(),
                Value::sym_vec(&syms).unwrap(),
                Value::str_vec(strs.iter().map(|s| s.as_slice())).unwrap(),
                Value::vec_from_slice(RAY_BOOL, &(0..n).map(|i| (i % 2) as u8).collect::<Vec<_>>()).unwrap(),
            ];
            let ids: Vec<i64> = [&b"k"[..], b"f", b"s", b"y", b"t", b"b"].iter().map(|x| sym::intern(x)).collect();
            let t = make_table(&ids, cols).unwrap();
            for (by, desc) in [(ids[0], false), (ids[0], true), (ids[3], false), (ids[5], true)] {
                let got = sort_table(&t, &[(by, desc)], Nulls::Smallest).unwrap();
                let key_col = &columns(&t)[ids.iter().position(|&x| x == by).unwrap()];
                let want = permute(&t, &sort_perm(&[(key_col, desc)], Nulls::Smallest).unwrap()).unwrap();
                for (g, w) in columns(&got).iter().zip(columns(&want).iter()) {
                    assert!(same_column(g, w), "n {n} by {by} desc {desc} column type {}", g.type_);
                }
            }
        }
    }

    #[test]
    fn sorting_many_rows_by_wide_keys_through_coarse_places_equals_the_gather() {
        let n = (1usize << 20) + 4097;
        let h = |i: usize, m: usize| (i.wrapping_mul(2654435761) ^ (i >> 7)) % m;
        let wide: Vec<i64> = (0..n).map(|i| if h(i, 101) == 0 { NULL_I64 } else { h(i, 1 << 30) as i64 - (1 << 29) }).collect();
        let few: Vec<i32> = (0..n).map(|i| h(i * 3, 5) as i32).collect();
        let f: Vec<f64> = (0..n).map(|i| if h(i, 17) == 0 { f64::NAN } else { i as f64 }).collect();
        let names = [sym::intern(b"q"), sym::intern(b"p")];
        let strs: Vec<Vec<u8>> = (0..n).map(|i| format!("{}", h(i, 97)).into_bytes()).collect();
        let mut fv = Value::vec_from_slice(RAY_F64, &f).unwrap();
        fv.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        let cols = vec![
            Value::vec_from_slice(RAY_I64, &wide).unwrap(),
            Value::vec_from_slice(RAY_I32, &few).unwrap(),
            fv,
            Value::sym_vec(&(0..n).map(|i| names[i % 2]).collect::<Vec<_>>()).unwrap(),
            Value::str_vec(strs.iter().map(|s| s.as_slice())).unwrap(),
        ];
        let ids: Vec<i64> = [&b"w"[..], b"k", b"f", b"y", b"t"].iter().map(|x| sym::intern(x)).collect();
        let t = make_table(&ids, cols).unwrap();
        let tc = columns(&t);
        for by in [vec![(0, false)], vec![(1, true), (0, false)], vec![(3, false), (0, true)]] {
            let keys: Vec<(&ray_t, bool)> = by.iter().map(|&(c, d)| (&*tc[c], d)).collect();
            assert!(matches!(crate::ops::sort::sort_order(&keys, Nulls::Smallest).unwrap(), Order::Rows(_, Some(_))));
            let got = sort_table(&t, &by.iter().map(|&(c, d)| (ids[c], d)).collect::<Vec<_>>(), Nulls::Smallest).unwrap();
            let want = permute(&t, &sort_perm(&keys, Nulls::Smallest).unwrap()).unwrap();
            for (g, w) in columns(&got).iter().zip(columns(&want).iter()) {
                assert!(same_column(g, w), "keys {by:?} column type {}", g.type_);
            }
        }
    }
}
