//! Reshaping whole tables without an evaluator (builtins.md section 6):
//! `ungroup` (LIST columns to rows), `xcol` (rename), `xcols` (project and
//! reorder), `xkey` (a dict keyed by unique rows), `xgroup` (a dict of row
//! slices), `fkeys` (column links) and `row` (one row as a dict).
//!
//! This module owns those builtins' argument rules and error texts. It must
//! not evaluate anything: `pivot` and `modify`, which call a function, live
//! in `pivot` and the builtin family.
#![forbid(unsafe_code)]

use super::group::group_columns;
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::table::{column, columns, make_table, names, with_columns};
use crate::ops::{atom_at, collect, empty_like, gather_ix, is_collection, type_name_of};

/// `t` when it is a table, else `type` worded `"{who}: first arg must be a table, got I64"`.
pub(crate) fn table_arg<'a>(t: &'a ray_t, who: &str) -> Result<&'a ray_t> {
    if t.type_() == RAY_TABLE {
        crate::ops::table::check_table(t)?;
        Ok(t)
    } else {
        Err(RayError::type_err(format!("{who}: first arg must be a table, got {}", type_name_of(t))))
    }
}

/// Column names given as a symbol atom, a SYM vector or a LIST of symbol
/// atoms. Anything else (the empty `[]` is I64) ⇒ `type`.
pub(crate) fn names_arg(v: &ray_t, who: &str) -> Result<Vec<i64>> {
    match v.type_() {
        t if t == -RAY_SYM => Ok(vec![v.i64_val()]),
        RAY_SYM => Ok((0..v.len() as usize).map(|i| v.sym_at(i)).collect()),
        RAY_LIST => (0..v.len() as usize)
            .map(|i| match v.item(i) {
                Some(x) if x.type_() == -RAY_SYM => Ok(x.i64_val()),
                x => Err(RayError::type_err(format!(
                    "{who}: expected symbol at index {i}, got {}",
                    x.map_or("null", type_name_of)
                ))),
            })
            .collect(),
        _ => Err(RayError::type_err(format!("{who}: expected a symbol or symbol list, got {}", type_name_of(v)))),
    }
}

/// `(xcol t names)`: every column renamed, one name per column.
pub fn xcol(args: &[Value]) -> Result<Value> {
    let t = table_arg(&args[0], "xcol")?;
    let ids = names_arg(&args[1], "xcol")?;
    let cols = columns(t);
    if ids.len() != cols.len() {
        return Err(RayError::length(format!("xcol: expected {} names, got {}", cols.len(), ids.len())));
    }
    make_table(&ids, cols)
}

/// `(xcols t names)`: exactly the listed columns, in the listed order.
pub fn xcols(args: &[Value]) -> Result<Value> {
    let t = table_arg(&args[0], "xcols")?;
    let ids = names_arg(&args[1], "xcols")?;
    let cols = ids
        .iter()
        .map(|&id| column(t, id).ok_or_else(|| RayError::domain("xcols: unknown table column")))
        .collect::<Result<Vec<_>>>()?;
    make_table(&ids, cols)
}

/// The key columns of `xkey`/`xgroup`: at least one, all present.
fn key_columns(t: &ray_t, spec: &ray_t, who: &str) -> Result<(Vec<i64>, Vec<Value>)> {
    let ids = names_arg(spec, who)?;
    if ids.is_empty() {
        return Err(RayError::domain(format!("{who}: at least one key column is required")));
    }
    let cols = ids
        .iter()
        .map(|&id| column(t, id).ok_or_else(|| RayError::domain(format!("{who}: unknown key column"))))
        .collect::<Result<Vec<_>>>()?;
    Ok((ids, cols))
}

/// The key of row `r`: the atom of the one key column, or a LIST of atoms.
fn row_key(cols: &[Value], r: usize) -> Result<Value> {
    if let [only] = cols {
        return atom_at(only, r);
    }
    Ok(Value::list(cols.iter().map(|c| atom_at(c, r)).collect::<Result<Vec<_>>>()?))
}

/// `(xkey t keys)`: a dict from each row's key to a dict of its other columns.
pub fn xkey(args: &[Value]) -> Result<Value> {
    let t = table_arg(&args[0], "xkey")?;
    let (ids, kcols) = key_columns(t, &args[1], "xkey")?;
    let n = t.table_nrows().max(0) as usize;
    if n > 0 {
        let refs: Vec<&ray_t> = kcols.iter().map(|c| &**c).collect();
        let g = group_columns(&refs)?;
        if g.ngroups < n {
            let gid = g.global_gid();
            let dup = gid.iter().enumerate().find(|&(r, &k)| g.first_row[k as usize] as usize != r).map_or(0, |(r, _)| r);
            return Err(RayError::domain(format!("xkey: duplicate key at row {dup}")));
        }
    }
    let all = names(t);
    let rest: Vec<(i64, Value)> = all.iter().copied().zip(columns(t)).filter(|(id, _)| !ids.contains(id)).collect();
    let rest_names = Value::sym_vec(&rest.iter().map(|(id, _)| *id).collect::<Vec<_>>())?;
    let mut keys = Vec::with_capacity(n);
    let mut vals = Vec::with_capacity(n);
    for r in 0..n {
        keys.push(row_key(&kcols, r)?);
        let cells = rest.iter().map(|(_, c)| atom_at(c, r)).collect::<Result<Vec<_>>>()?;
        vals.push(Value::dict(rest_names.clone(), Value::list(cells)));
    }
    Ok(Value::dict(Value::list(keys), Value::list(vals)))
}

/// `(xgroup t keys)`: a dict from each distinct key (first appearance) to
/// the table of its rows.
pub fn xgroup(args: &[Value]) -> Result<Value> {
    let t = table_arg(&args[0], "xgroup")?;
    let (_, kcols) = key_columns(t, &args[1], "xgroup")?;
    if t.table_nrows() <= 0 {
        return Ok(Value::dict(Value::list(Vec::new()), Value::list(Vec::new())));
    }
    let refs: Vec<&ray_t> = kcols.iter().map(|c| &**c).collect();
    let g = group_columns(&refs)?;
    let all = columns(t);
    let mut keys = Vec::with_capacity(g.ngroups);
    let mut vals = Vec::with_capacity(g.ngroups);
    for (k, rows) in g.rows_per_group().iter().enumerate() {
        keys.push(row_key(&kcols, g.first_row[k] as usize)?);
        let cols = all.iter().map(|c| gather_ix(c, rows)).collect::<Result<Vec<_>>>()?;
        vals.push(with_columns(t, cols)?);
    }
    Ok(Value::dict(Value::list(keys), Value::list(vals)))
}

/// `(fkeys t)`: the linked columns (`.col.link`) of `t`, by name, to the
/// names of their target tables (a LIST of symbols); `{}` when none is.
pub fn fkeys(args: &[Value]) -> Result<Value> {
    let t = &args[0];
    if t.type_() != RAY_TABLE {
        return Err(RayError::type_err(format!("fkeys expects a table, got {}", type_name_of(t))));
    }
    let (mut names, mut targets) = (Vec::new(), Vec::new());
    for (name, col) in crate::ops::table::names(t).into_iter().zip(crate::ops::table::columns(t)) {
        if let Some(target) = col.link_target() {
            names.push(name);
            targets.push(Value::sym_id(target));
        }
    }
    Ok(Value::dict(Value::sym_vec(&names)?, Value::list(targets)))
}

/// `(row t i)`: row `i` as a dict of column names to atoms.
pub fn row(args: &[Value]) -> Result<Value> {
    let t = &args[0];
    if t.type_() != RAY_TABLE {
        return Err(RayError::type_err(format!("row expects a table, got {}", type_name_of(t))));
    }
    let i = &args[1];
    let idx = match -i.type_() {
        RAY_I64 => i.i64_val(),
        RAY_I32 => i.i32_val() as i64,
        RAY_I16 => i.i16_val() as i64,
        RAY_U8 => i.u8_val() as i64,
        RAY_F64 | RAY_BOOL => {
            return Err(RayError::type_err(format!("at: index must be an integer, got {}", type_name_of(i))));
        }
        _ => return Err(RayError::type_err(format!("row index must be a numeric atom, got {}", type_name_of(i)))),
    };
    crate::ops::table::row(t, idx).map_err(|e| if e.code_str() == "domain" { RayError::domain(format!("at: {}", e.message().unwrap_or_default())) } else { e })
}

/// `(ungroup t)`: one row per element of the table's LIST columns.
pub fn ungroup(args: &[Value]) -> Result<Value> {
    let t = &args[0];
    if t.type_() != RAY_TABLE {
        return Err(RayError::type_err(format!("ungroup: argument must be a table, got {}", type_name_of(t))));
    }
    let cols = columns(t);
    let nested: Vec<usize> = (0..cols.len()).filter(|&c| cols[c].type_() == RAY_LIST).collect();
    if nested.is_empty() {
        return Ok(t.clone());
    }
    let n = t.table_nrows().max(0) as usize;
    // The element count of every row, checked across the LIST columns.
    let mut lens = vec![0usize; n];
    for (c, &ci) in nested.iter().enumerate() {
        for (r, len) in lens.iter_mut().enumerate() {
            let k = match cols[ci].item(r) {
                Some(x) if x.type_() == RAY_LIST || x.type_() == RAY_TABLE || x.type_() == RAY_DICT => {
                    return Err(RayError::type_err("ungroup: nested cell must be an atom or non-list vector"));
                }
                Some(x) if x.is_vec() => x.len() as usize,
                _ => 1,
            };
            if c == 0 {
                *len = k;
            } else if *len != k {
                return Err(RayError::length(format!("ungroup: nested columns disagree on row length, got {} and {k}", *len)));
            }
        }
    }
    let rows: Vec<u32> = lens.iter().enumerate().flat_map(|(r, &k)| std::iter::repeat_n(r as u32, k)).collect();
    let mut out = Vec::with_capacity(cols.len());
    for (ci, col) in cols.iter().enumerate() {
        if !nested.contains(&ci) {
            out.push(gather_ix(col, &rows)?);
            continue;
        }
        let mut atoms = Vec::with_capacity(rows.len());
        for r in 0..n {
            match col.item(r) {
                Some(x) if x.is_vec() => {
                    for i in 0..x.len() as usize {
                        atoms.push(atom_at(x, i)?);
                    }
                }
                Some(x) => atoms.push(x.to_value()),
                None => atoms.push(Value::null()),
            }
        }
        out.push(if atoms.is_empty() { empty_cell_column(col)? } else { collect(atoms)? });
    }
    with_columns(t, out)
}

/// The column an ungroup with no elements gives: empty, typed like the first vector cell.
fn empty_cell_column(col: &ray_t) -> Result<Value> {
    match col.items().iter().flatten().find(|x| is_collection(x)) {
        Some(x) => empty_like(x, 0),
        None => Value::container(RAY_LIST, Vec::new()),
    }
}
