//! Table sorts: `xasc`/`xdesc` (nulls first/last) and `select`'s `asc:`
//! and `desc:` (nulls as the largest value, rayfall.md 14.7), over the
//! stable multi-key row permutation of `ops::sort`.
#![forbid(unsafe_code)]

use crate::ops::sort::{Nulls, sort_perm};
use crate::ops::{Row, gather_ix};
use crate::ops::table::{make_table, names, columns};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

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
