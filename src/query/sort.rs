//! Stable multi-key row sorts. Every key column is first turned into u64
//! order keys (integers and floats by order-preserving bit tricks, SYM by
//! name rank, STR by rank), with nulls placed at the chosen end and
//! descending keys inverted; rows are then sorted by (keys, row id), which is
//! a stable sort. `xasc`/`xdesc` put nulls first/last; `select`'s `asc:` and
//! `desc:` treat nulls as the largest value (rayfall.md 14.7).
#![forbid(unsafe_code)]

use crate::ops::{Row, gather_ix};
use crate::ops::table::{make_table, names, columns};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

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
    Ok(match col.type_() {
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

/// Rows of table `t` reordered by `perm`.
pub fn permute(t: &ray_t, perm: &[Row]) -> Result<Value> {
    let cols = columns(t).iter().map(|c| gather_ix(c, perm)).collect::<Result<Vec<_>>>()?;
    make_table(&names(t), cols)
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
    let perm = sort_perm(&keys, nulls)?;
    permute(t, &perm)
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
