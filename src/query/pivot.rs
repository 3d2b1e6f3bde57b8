//! `(pivot t index pivot-col value-col agg)`: long-to-wide reshape
//! (builtins.md section 6). One output row per distinct index key, one
//! value column per distinct pivot value (both in order of first
//! appearance, rows whose pivot value is null left out); each cell is the
//! aggregate of the value-column entries of its rows, the typed null when
//! there are none.
//!
//! This module owns the reshape and the column typing; calling the
//! aggregate is the caller's (the builtin family lends a closure), and so
//! is the text of a float column label.
#![forbid(unsafe_code)]

use super::group::group_columns;
use super::reshape::table_arg;
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::ops::table::{column, make_table};
use crate::ops::{atom_at, collect, gather_ix, is_numeric, is_temporal, nulls, to_list, type_name_of};

/// The aggregate of a pivot and what the caller knows about it.
pub struct PivotAgg<'a> {
    /// Computes one cell from the value-column entries of its rows.
    pub apply: &'a mut dyn FnMut(Value) -> Result<Value>,
    /// The name of the builtin when `agg` is one of `sum avg min max count
    /// first last` (their cells are typed from the value column and the
    /// index columns keep their types); None for any other function.
    pub builtin: Option<&'static str>,
    /// The column label of an F64 pivot value (C's `%g`).
    pub float_label: fn(f64) -> String,
}

/// Runs the pivot; `args` are the evaluated table, index, pivot-col and
/// value-col (the aggregate was checked by the caller).
pub fn pivot(args: &[Value], agg: PivotAgg<'_>) -> Result<Value> {
    let t = match args[0].type_() {
        RAY_TABLE => table_arg(&args[0], "pivot")?,
        _ => return Err(RayError::type_err(format!("pivot: first argument must be a table, got {}", type_name_of(&args[0])))),
    };
    let index = index_names(&args[1])?;
    let pcol_id = sym_arg(&args[2], "pivot-col")?;
    let vcol_id = sym_arg(&args[3], "value-col")?;
    let icols = index
        .iter()
        .map(|&id| column(t, id).ok_or_else(|| RayError::domain("pivot: index column not found")))
        .collect::<Result<Vec<_>>>()?;
    let pcol = column(t, pcol_id).ok_or_else(|| RayError::domain("pivot: pivot column not found"))?;
    let vcol = column(t, vcol_id).ok_or_else(|| RayError::domain("pivot: value column not found"))?;
    if pcol.type_() == RAY_STR {
        return Err(RayError::new("nyi", "pivot: STR pivot column not supported as column names"));
    }
    // A STR value column takes the general path, as in RayforceDB; `sum`
    // adds temporal values as their raw integers (RayforceDB's column).
    let builtin = agg.builtin.filter(|_| vcol.type_() != RAY_STR);
    let vcol = if builtin == Some("sum") && is_temporal(vcol.type_()) { raw_ints(&vcol)? } else { vcol };
    let n = t.table_nrows().max(0) as usize;
    if n == 0 {
        return make_table(&[], Vec::new());
    }
    // Row groups of the index key (one group when there is no index column).
    let (ngroups, first_row, igid) = if icols.is_empty() {
        (1, vec![0usize], vec![0u32; n])
    } else {
        let refs: Vec<&ray_t> = icols.iter().map(|c| &**c).collect();
        let g = group_columns(&refs)?;
        (g.ngroups, g.first_row.iter().map(|&r| r as usize).collect(), g.global_gid())
    };
    // Distinct non-null pivot values, first appearance, and each row's one.
    let live: Vec<u32> = (0..n as u32).filter(|&r| !is_null_at(&pcol, r as usize)).collect();
    let pvals = gather_ix(&pcol, &live)?;
    let pg = group_columns(&[&*pvals])?;
    let pgid = pg.global_gid();
    let mut cells: Vec<Vec<u32>> = vec![Vec::new(); ngroups * pg.ngroups];
    for (k, &r) in live.iter().enumerate() {
        cells[igid[r as usize] as usize * pg.ngroups + pgid[k] as usize].push(r);
    }
    let mut results: Vec<Option<Value>> = Vec::with_capacity(cells.len());
    for rows in &cells {
        results.push(if rows.is_empty() { None } else { Some((agg.apply)(gather_ix(&vcol, rows)?)?) });
    }
    let mut names: Vec<i64> = index.clone();
    let mut out: Vec<Value> = Vec::with_capacity(index.len() + pg.ngroups);
    for c in &icols {
        let keys = gather_ix(c, &first_row)?;
        // RayforceDB's general path gives a SYM index column back as a LIST.
        out.push(if builtin.is_none() && keys.type_() == RAY_SYM { to_list(&keys)? } else { keys });
    }
    let col_type = match builtin {
        Some(name) => Some(cell_type(name, vcol.type_())),
        None => None,
    };
    for p in 0..pg.ngroups {
        names.push(label(&pvals, pg.first_row[p] as usize, agg.float_label)?);
        let col: Vec<Option<Value>> = (0..ngroups).map(|g| results[g * pg.ngroups + p].clone()).collect();
        out.push(match col_type {
            Some(t) => typed_column(t, col)?,
            None => numeric_column(col)?,
        });
    }
    make_table(&names, out)
}

/// The type of the cells of a fast-path aggregate over a value column of type `v`.
fn cell_type(agg: &str, v: i8) -> i8 {
    match agg {
        "avg" => RAY_F64,
        "count" => RAY_I64,
        "sum" if v == RAY_F64 => v,
        "sum" => RAY_I64,
        _ => v,
    }
}

/// Cells of type `t`, missing ones the typed null.
fn typed_column(t: i8, cells: Vec<Option<Value>>) -> Result<Value> {
    let atoms = cells
        .into_iter()
        .map(|c| match c {
            None => Ok(nulls::typed_null(t)),
            Some(a) if a.type_() == -t => Ok(a),
            Some(a) => convert_atom(&a, t),
        })
        .collect::<Result<Vec<_>>>()?;
    collect(atoms)
}

/// A numeric atom as an atom of vector type `t` (I32, I64 or F64).
fn convert_atom(a: &ray_t, t: i8) -> Result<Value> {
    let null = a.is_null_atom();
    match (t, -a.type_()) {
        (RAY_F64, RAY_F64) => Ok(a.to_value()),
        (RAY_F64, _) if is_numeric(-a.type_()) => Ok(if null { nulls::typed_null(RAY_F64) } else { Value::f64(int_of(a) as f64) }),
        (RAY_I64, at) if is_numeric(at) && at != RAY_F64 => Ok(if null { nulls::typed_null(RAY_I64) } else { Value::i64(int_of(a)) }),
        (RAY_I32, at) if is_numeric(at) && at != RAY_F64 => Ok(if null { nulls::typed_null(RAY_I32) } else { Value::i32(int_of(a) as i32) }),
        _ => Ok(a.to_value()),
    }
}

/// A temporal column as I64 raw values (nulls kept).
fn raw_ints(col: &ray_t) -> Result<Value> {
    let ints = crate::ops::widen_ints(col).ok_or_else(|| RayError::type_err("pivot: expected an integer column"))?;
    crate::ops::mark_nulls(Value::vec_from_slice(RAY_I64, &ints)?)
}

fn int_of(a: &ray_t) -> i64 {
    match -a.type_() {
        RAY_I64 | RAY_TIMESTAMP => a.i64_val(),
        RAY_I32 | RAY_DATE | RAY_TIME => a.i32_val() as i64,
        RAY_I16 => a.i16_val() as i64,
        _ => a.u8_val() as i64,
    }
}

/// Cells of a general function: F64 when any cell is a float, else I64.
/// A result that is not a number ⇒ `type` (RayforceDB stores its bits).
fn numeric_column(cells: Vec<Option<Value>>) -> Result<Value> {
    for c in cells.iter().flatten() {
        if !(c.is_atom() && is_numeric(-c.type_())) {
            return Err(RayError::type_err(format!("pivot: aggregate must return a number, got {}", type_name_of(c))));
        }
    }
    let t = if cells.iter().flatten().any(|c| c.type_() == -RAY_F64) { RAY_F64 } else { RAY_I64 };
    typed_column(t, cells)
}

/// The label of pivot value `i`: a symbol's name, an integer's (or
/// temporal's raw) decimal, a float's `%g`, `true`/`false`.
fn label(pvals: &ray_t, i: usize, float_label: fn(f64) -> String) -> Result<i64> {
    let a = atom_at(pvals, i)?;
    let text = match -a.type_() {
        RAY_SYM => return Ok(a.i64_val()),
        RAY_BOOL => (if a.bool_val() { "true" } else { "false" }).to_string(),
        RAY_F64 => float_label(a.f64_val()),
        RAY_GUID => return Err(RayError::new("nyi", "pivot: GUID pivot column not supported as column names")),
        _ => int_of(&a).to_string(),
    };
    Ok(sym::intern(text.as_bytes()))
}

fn is_null_at(col: &ray_t, i: usize) -> bool {
    if col.type_() == RAY_F64 {
        return col.elems::<f64>()[i].is_nan();
    }
    nulls::elem_is_null(col, i)
}

/// The index argument: a symbol, a SYM vector or a LIST of symbols.
fn index_names(v: &ray_t) -> Result<Vec<i64>> {
    let bad = || RayError::type_err(format!("pivot: index must be a symbol or list of symbols, got {}", type_name_of(v)));
    match v.type_() {
        t if t == -RAY_SYM => Ok(vec![v.i64_val()]),
        RAY_SYM => Ok((0..v.len() as usize).map(|i| v.sym_at(i)).collect()),
        t if is_vector_type(t) && v.len() == 0 => Ok(Vec::new()),
        RAY_LIST => v.items().iter().map(|x| x.filter(|x| x.type_() == -RAY_SYM).map(|x| x.i64_val()).ok_or_else(bad)).collect(),
        _ => Err(bad()),
    }
}

fn sym_arg(v: &ray_t, what: &str) -> Result<i64> {
    if v.type_() == -RAY_SYM {
        Ok(v.i64_val())
    } else {
        Err(RayError::type_err(format!("pivot: {what} must be a symbol, got {}", type_name_of(v))))
    }
}
