//! `update`: by value, or in place on a named table (rayfall.md 10).
//! Assignments are all evaluated against the original table; an existing
//! column is replaced (only on the `where:` rows, cast to its type; the
//! value's type checked as the reference checks it), a new
//! one appended, a new one under `where:` silently dropped, and `by:` with
//! `where:` ⇒ `nyi`.
#![forbid(unsafe_code)]

use super::Evaluator;
use crate::ops::{NO_ROW, Row, broadcast, concat, from_atoms, gather_ix, is_collection as is_column, nulls_like};
use crate::ops::table::{columns, make_table, names};
use super::group::group_columns;
use super::insert::{Target, finish, resolve_target};
use super::select::{Clauses, by_keys, eval_filtered, eval_in, grouped_column};
use super::view::{View, selection};
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::type_name;

/// Runs `(update q)`; `q` is the unevaluated dict literal. When `from:`
/// yields a symbol, the global it names is replaced (through `core::env`)
/// and the plain symbol is returned; an unbound symbol ⇒ `domain`.
pub fn update(q: &ray_t, ev: &mut dyn Evaluator) -> Result<Value> {
    let c = Clauses::parse(q)?;
    let from = c.from.ok_or_else(|| RayError::domain("update: missing `from:` clause"))?;
    let fv = ev.eval(from)?;
    if fv.type_() == -RAY_SYM && ev.restricted() {
        return Err(RayError::new("access", "update: read-only connection"));
    }
    let target: Target = resolve_target(&fv, "update")?;
    if c.where_.is_some() && c.by.is_some() {
        return Err(RayError::new("nyi", "update does not support `by:` together with `where:`"));
    }
    let t = target.table.clone();
    let n = t.table_nrows().max(0) as usize;
    let view = View::of_table(&t);
    let mut ids = names(&t);
    let mut cols = columns(&t);
    let set = |ids: &mut Vec<i64>, cols: &mut Vec<Value>, id: i64, v: Value| match ids.iter().position(|&x| x == id) {
        Some(p) => cols[p] = v,
        None => {
            ids.push(id);
            cols.push(v);
        }
    };
    if let Some(w) = c.where_ {
        let pred = eval_in(ev, w, &view)?;
        let rows = view.reselect(selection(&pred, n)?).row_ids();
        let mut changes = Vec::new();
        for &(id, e) in &c.outputs {
            // As in the reference, the expression sees the whole table
            // (aggregates and uniform calls alike, spreads by the query's
            // kernel); the rows that pass `where:` take their values from it.
            let v = eval_filtered(ev, &view, &view, e)?;
            let col = match ids.iter().position(|&x| x == id) {
                Some(p) => {
                    check_assignment(cols[p].type_(), &v, true)?;
                    scatter(&cols[p], &rows, &v)?
                }
                // A new column: the selected rows get the values, the others
                // their type's null (the reference adds no column at all).
                None => {
                    let shape = if is_column(&v) { v.clone() } else { broadcast(&v, 1)? };
                    scatter(&*nulls_like(&shape, n)?, &rows, &v)?
                }
            };
            changes.push((id, col));
        }
        for (id, v) in changes {
            set(&mut ids, &mut cols, id, v);
        }
    } else if let Some(by) = c.by {
        // RayforceDB groups an update by one column name only.
        if by.type_() != -RAY_SYM {
            return Err(RayError::type_err("update by: group key must be a column name symbol"));
        }
        let keys = by_keys(ev, &view, by)?;
        let refs: Vec<&ray_t> = keys.iter().map(|k| &*k.1).collect();
        let groups = group_columns(&refs)?;
        let gid = groups.global_gid();
        let mut per_group = None;
        let mut changes = Vec::new();
        for &(id, e) in &c.outputs {
            let v = per_group_values(ev, &view, &groups, e, &mut per_group)?;
            let col = match v {
                PerGroup::One(v) => gather_ix(&v, &gid)?,
                PerGroup::Rows(parts) => {
                    let rows = per_group.as_ref().expect("computed with the parts");
                    spread(rows, &parts, n)?
                }
            };
            changes.push((id, col));
        }
        for (id, v) in changes {
            set(&mut ids, &mut cols, id, v);
        }
    } else {
        let mut changes = Vec::new();
        for &(id, e) in &c.outputs {
            let v = eval_filtered(ev, &view, &view, e)?;
            let existing = ids.iter().position(|&x| x == id).map(|p| cols[p].type_());
            if let Some(ct) = existing {
                check_assignment(ct, &v, false)?;
            }
            let widen = existing == Some(RAY_F64) && v.type_().abs() == RAY_I64;
            let v = if is_column(&v) { v } else { broadcast(&v, n)? };
            if v.len() as usize != n {
                return Err(RayError::length("update: column length differs from the table"));
            }
            changes.push((id, if widen { cast_column(&v, RAY_F64)? } else { v }));
        }
        for (id, v) in changes {
            set(&mut ids, &mut cols, id, v);
        }
    }
    finish(&target, make_table(&ids, cols)?)
}

enum PerGroup {
    /// One value per group (aggregates).
    One(Value),
    /// One vector per group, aligned with the group's rows.
    Rows(Vec<Value>),
}

fn per_group_values(
    ev: &mut dyn Evaluator,
    view: &View,
    groups: &super::group::Groups,
    e: &ray_t,
    per_group: &mut Option<Vec<Vec<u32>>>,
) -> Result<PerGroup> {
    let v = grouped_column(ev, view, groups, e, per_group)?;
    if v.type_() != RAY_LIST {
        return Ok(PerGroup::One(v));
    }
    // A LIST column: vectors as long as their groups are spread back to rows;
    // anything else stays one item per group.
    let rows = per_group.get_or_insert_with(|| groups.rows_per_group());
    let items = v.items();
    let aligned = items.len() == rows.len()
        && items.iter().zip(rows.iter()).all(|(it, r)| it.is_some_and(|x| is_column(x) && x.len() as usize == r.len()));
    if aligned {
        Ok(PerGroup::Rows(items.iter().map(|x| x.expect("checked").to_value()).collect()))
    } else {
        Ok(PerGroup::One(v))
    }
}

/// Reassembles per-group vectors into one column in row order.
fn spread(rows: &[Vec<u32>], parts: &[Value], n: usize) -> Result<Value> {
    let mut all = parts.first().map(|p| p.to_value()).unwrap_or(from_atoms(&[])?);
    for p in parts.iter().skip(1) {
        all = concat(&all, p)?;
    }
    let mut idx = vec![NO_ROW; n];
    let mut k = 0;
    for r in rows {
        for &row in r {
            idx[row as usize] = k;
            k += 1;
        }
    }
    gather_ix(&all, &idx)
}

/// The column types an update may swap between (a whole column) or
/// convert between (`where:` rows), as the reference does.
fn wide_numeric(t: i8) -> bool {
    matches!(t, RAY_I32 | RAY_I64 | RAY_F64)
}

/// Whether `v` may be assigned to an existing column of type `ct` (on some
/// rows when `partial`), with the reference's errors: an atom must have
/// the column's type (an i64 atom also fills an F64 column); a vector
/// must have it too, or both be I32/I64/F64; a LIST replaces a whole
/// column only. A LIST column takes anything.
fn check_assignment(ct: i8, v: &ray_t, partial: bool) -> Result<()> {
    let vt = v.type_();
    if ct == RAY_LIST || vt.abs() == ct || (vt == -RAY_I64 && ct == RAY_F64) {
        return Ok(());
    }
    let (v_name, c_name) = (type_name(vt), type_name(ct));
    if vt < 0 {
        return Err(RayError::type_err(format!("update: cannot assign {v_name} value to {c_name} column")));
    }
    if (wide_numeric(vt) && wide_numeric(ct)) || (vt == RAY_LIST && !partial) {
        return Ok(());
    }
    Err(RayError::type_err(if partial && vt != RAY_LIST {
        format!("update: cannot assign {v_name} expression to {c_name} column")
    } else {
        format!("update: expression type {v_name} does not match {c_name} column")
    }))
}

/// `col` with `vals` (an atom or one value per row in `rows`) written at
/// `rows`, cast to the column's type.
fn scatter(col: &ray_t, rows: &[Row], vals: &ray_t) -> Result<Value> {
    let vals = if is_column(vals) { vals.to_value() } else { broadcast(vals, rows.len())? };
    // A vector as long as the table (a literal, say) gives the selected
    // rows' values, as in the reference.
    let vals = if vals.len() == col.len() && vals.len() as usize != rows.len() { gather_ix(&vals, rows)? } else { vals };
    if vals.len() as usize != rows.len() {
        return Err(RayError::length("update: value length differs from the selected rows"));
    }
    let vals = cast_column(&vals, col.type_())?;
    let n = col.len() as usize;
    let both = concat(col, &vals)?;
    let mut idx: Vec<Row> = (0..n as Row).collect();
    for (j, &r) in rows.iter().enumerate() {
        idx[r as usize] = (n + j) as Row;
    }
    gather_ix(&both, &idx)
}

fn numeric_f64(v: &ray_t, i: usize) -> Option<f64> {
    Some(match v.type_() {
        RAY_F64 => v.elems::<f64>()[i],
        RAY_F32 => v.elems::<f32>()[i] as f64,
        RAY_BOOL | RAY_U8 => v.elems::<u8>()[i] as f64,
        RAY_I16 => {
            let x = v.elems::<i16>()[i];
            if x == NULL_I16 { f64::NAN } else { x as f64 }
        }
        RAY_I32 => {
            let x = v.elems::<i32>()[i];
            if x == NULL_I32 { f64::NAN } else { x as f64 }
        }
        RAY_I64 => {
            let x = v.elems::<i64>()[i];
            if x == NULL_I64 { f64::NAN } else { x as f64 }
        }
        _ => return None,
    })
}

fn numeric_i64(v: &ray_t, i: usize) -> Option<Option<i64>> {
    Some(match v.type_() {
        RAY_F64 | RAY_F32 => {
            let x = numeric_f64(v, i)?;
            if x.is_nan() { None } else { Some(x as i64) }
        }
        RAY_BOOL | RAY_U8 => Some(v.elems::<u8>()[i] as i64),
        RAY_I16 => Some(v.elems::<i16>()[i]).filter(|&x| x != NULL_I16).map(|x| x as i64),
        RAY_I32 | RAY_DATE | RAY_TIME => Some(v.elems::<i32>()[i]).filter(|&x| x != NULL_I32).map(|x| x as i64),
        RAY_I64 | RAY_TIMESTAMP => Some(v.elems::<i64>()[i]).filter(|&x| x != NULL_I64),
        _ => return None,
    })
}

/// Casts a numeric vector to numeric type `t` (floats truncate toward zero,
/// nulls stay null). Same type, or a LIST target, is returned as is.
pub fn cast_column(v: &ray_t, t: i8) -> Result<Value> {
    if v.type_() == t || t == RAY_LIST {
        return Ok(v.to_value());
    }
    let n = v.len() as usize;
    let bad = || RayError::type_err("update: value type does not match the column");
    let out = match t {
        RAY_F64 => Value::vec_from_slice(t, &(0..n).map(|i| numeric_f64(v, i).ok_or_else(bad)).collect::<Result<Vec<f64>>>()?)?,
        RAY_F32 => Value::vec_from_slice(t, &(0..n).map(|i| numeric_f64(v, i).map(|x| x as f32).ok_or_else(bad)).collect::<Result<Vec<f32>>>()?)?,
        RAY_I64 | RAY_TIMESTAMP => {
            Value::vec_from_slice(t, &(0..n).map(|i| numeric_i64(v, i).map(|x| x.unwrap_or(NULL_I64)).ok_or_else(bad)).collect::<Result<Vec<i64>>>()?)?
        }
        RAY_I32 | RAY_DATE | RAY_TIME => Value::vec_from_slice(
            t,
            &(0..n).map(|i| numeric_i64(v, i).map(|x| x.map_or(NULL_I32, |x| x as i32)).ok_or_else(bad)).collect::<Result<Vec<i32>>>()?,
        )?,
        RAY_I16 => Value::vec_from_slice(
            t,
            &(0..n).map(|i| numeric_i64(v, i).map(|x| x.map_or(NULL_I16, |x| x as i16)).ok_or_else(bad)).collect::<Result<Vec<i16>>>()?,
        )?,
        RAY_U8 | RAY_BOOL => Value::vec_from_slice(
            t,
            &(0..n)
                .map(|i| numeric_i64(v, i).map(|x| x.map_or(0, |x| if t == RAY_BOOL { (x != 0) as u8 } else { x as u8 })).ok_or_else(bad))
                .collect::<Result<Vec<u8>>>()?,
        )?,
        _ => return Err(bad()),
    };
    crate::ops::mark_nulls(out)
}
