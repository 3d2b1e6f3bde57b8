//! `insert` and `upsert` (rayfall.md 10). Rows arrive in several shapes (a
//! list of atoms, a list of vectors, a dict, a table); each is first turned
//! into one column of new values per target column (or "missing"), then
//! appended, or for `upsert` matched by key and written over the old row.
#![forbid(unsafe_code)]

use crate::ops::{NO_ROW, Row, concat, empty_like, gather_ix, nulls_like, push_atom, is_collection as is_column};
use crate::ops::table::{columns, make_table, names};
use super::group::group_columns;
use crate::abi::*;
use crate::core::{RayError, Result, Value, env, sym};

/// The table a mutating builtin works on, and the global it came from.
pub struct Target {
    pub table: Value,
    pub global: Option<i64>,
}

/// Resolves a table value or a symbol naming a global table (a
/// partitioned one materialized). An unbound
/// symbol ⇒ `domain`; anything else that is not a table ⇒ `type`.
pub fn resolve_target(v: &Value, who: &str) -> Result<Target> {
    if v.type_() == -RAY_SYM {
        let id = v.i64_val();
        let t = env::get(id).ok_or_else(|| RayError::domain(format!("{who}: unknown table {}", String::from_utf8_lossy(sym::name_or_empty(id)))))?;
        if t.type_() != RAY_TABLE {
            return Err(RayError::type_err(format!("{who}: the symbol does not name a table")));
        }
        // A partitioned table is changed as the ordinary table it stands for.
        let t = crate::store::parted::materialize(&t)?;
        crate::ops::table::check_table(&t)?;
        return Ok(Target { table: t, global: Some(id) });
    }
    if v.type_() != RAY_TABLE {
        return Err(RayError::type_err(format!("{who}: expected a table")));
    }
    let t = crate::store::parted::materialize(v)?;
    crate::ops::table::check_table(&t)?;
    Ok(Target { table: t, global: None })
}

/// Stores `t` back into the target's global (returning the plain symbol) or returns it.
pub fn finish(target: &Target, t: Value) -> Result<Value> {
    match target.global {
        Some(id) => {
            env::set(id, t);
            Ok(Value::sym_id(id))
        }
        None => Ok(t),
    }
}

/// New values per target column (None: not given), and the number of rows.
struct NewRows {
    cols: Vec<Option<Value>>,
    n: usize,
    /// True when the rows named their columns (dict or table).
    named: bool,
}

fn type_matches(col: &ray_t, v: &ray_t) -> bool {
    col.type_() == RAY_LIST || v.type_() == col.type_() || (v.type_() == RAY_LIST && v.is_empty())
}

/// One value for column `col`: an atom (one row) or a vector (several).
fn values_for(col: &ray_t, v: &ray_t) -> Result<Value> {
    if is_column(v) && col.type_() != RAY_LIST {
        if !type_matches(col, v) {
            return Err(RayError::type_err("insert: value type does not match the column"));
        }
        return Ok(v.to_value());
    }
    let mut out = empty_like(col, 1)?;
    push_atom(&mut out, v).map_err(|_| RayError::type_err("insert: value type does not match the column"))?;
    Ok(out)
}

fn normalise(t: &ray_t, rows: &ray_t, who: &str) -> Result<NewRows> {
    let tn = names(t);
    let tc = columns(t);
    let k = tn.len();
    let col_of = |id: i64| -> Result<usize> {
        tn.iter().position(|&x| x == id).ok_or_else(|| {
            RayError::new("value", format!("{who}: no column {}", String::from_utf8_lossy(sym::name_or_empty(id))))
        })
    };
    let mut cols: Vec<Option<Value>> = vec![None; k];
    let named;
    match rows.type_() {
        RAY_LIST => {
            named = false;
            if rows.len() as usize != k {
                return Err(RayError::domain(format!("{who}: row has {} values, target has {k} columns", rows.len())));
            }
            for (i, item) in rows.items().iter().enumerate() {
                let item = item.ok_or_else(|| RayError::type_err(format!("{who}: empty value")))?;
                cols[i] = Some(values_for(&tc[i], item)?);
            }
        }
        RAY_DICT => {
            named = true;
            let (Some(ks), Some(vs)) = (rows.dict_keys(), rows.dict_vals()) else {
                return Err(RayError::type_err(format!("{who}: bad dict")));
            };
            if ks.type_() != RAY_SYM {
                return Err(RayError::type_err(format!("{who}: dict keys must be symbols")));
            }
            for i in 0..ks.len() as usize {
                let c = col_of(ks.sym_at(i))?;
                let v = if vs.type_() == RAY_LIST {
                    vs.item(i).map_or_else(Value::null, |x| x.to_value())
                } else {
                    crate::ops::atom_at(vs, i)?
                };
                cols[c] = Some(values_for(&tc[c], &v)?);
            }
        }
        RAY_TABLE => {
            named = true;
            let rc = columns(rows);
            for (i, id) in names(rows).into_iter().enumerate() {
                let c = col_of(id)?;
                cols[c] = Some(values_for(&tc[c], &rc[i])?);
            }
        }
        t if is_vector_type(t) => {
            named = false;
            if rows.len() as usize != k {
                return Err(RayError::domain(format!("{who}: row has {} values, target has {k} columns", rows.len())));
            }
            for (i, c) in cols.iter_mut().enumerate() {
                let a = crate::ops::atom_at(rows, i)?;
                *c = Some(values_for(&tc[i], &a)?);
            }
        }
        _ => return Err(RayError::type_err(format!("{who}: rows must be a list, dict or table"))),
    }
    let n = cols.iter().flatten().map(|c| c.len() as usize).max().unwrap_or(0);
    for c in cols.iter_mut().flatten() {
        if c.len() as usize != n {
            if c.len() == 1 {
                *c = gather_ix::<u32>(c, &vec![0; n])?;
            } else {
                return Err(RayError::domain(format!("{who}: columns of new rows differ in length")));
            }
        }
    }
    Ok(NewRows { cols, n, named })
}

/// Builds the result: for each column, old values then new ones, read
/// through `idx` (row ids into that concatenation; a missing new column reads nulls).
fn assemble(t: &ray_t, new: &NewRows, idx_for: impl Fn(bool) -> Vec<Row>) -> Result<Value> {
    let mut out = Vec::new();
    for (old, nv) in columns(t).iter().zip(&new.cols) {
        let given = nv.is_some();
        let add = match nv {
            Some(v) => v.clone(),
            None => nulls_like(old, new.n)?,
        };
        let both = concat(old, &add)?;
        out.push(gather_ix(&both, &idx_for(given))?);
    }
    make_table(&names(t), out)
}

/// The key columns of an upsert into `t`: the first `n` for a count `n`,
/// or the one column a symbol names.
fn key_columns(t: &ray_t, key: &Value) -> Result<Vec<usize>> {
    let cols = names(t);
    let ncols = cols.len();
    let n = match key.type_() {
        x if x == -RAY_SYM => {
            let id = key.i64_val();
            let at = cols.iter().position(|&c| c == id);
            return at.map(|i| vec![i]).ok_or_else(|| RayError::domain("upsert: key column not found in target table"));
        }
        x if x == -RAY_I64 => key.i64_val(),
        x if x == -RAY_I32 => key.i32_val() as i64,
        _ => {
            let got = crate::ops::type_name_of(key);
            return Err(RayError::type_err(format!("upsert: key must be a symbol or integer, got {got}")));
        }
    };
    if n < 1 || n as usize > ncols {
        return Err(RayError::domain(format!("upsert: key count {n} outside 1..{ncols}")));
    }
    Ok((0..n as usize).collect())
}

/// `(insert T rows)` / `(insert 'T rows)`: appends rows. The symbol form
/// replaces the global and returns the symbol. Errors: a wrong number of
/// values ⇒ `domain`, a wrong type ⇒ `type`, an unknown column ⇒ `value`.
pub fn insert(args: &[Value]) -> Result<Value> {
    if args.len() != 2 {
        return Err(RayError::new("arity", format!("insert: expected 2 args, got {}", args.len())));
    }
    let target = resolve_target(&args[0], "insert")?;
    let t = &target.table;
    let new = normalise(t, &args[1], "insert")?;
    let total = t.table_nrows().max(0) as usize + new.n;
    let idx: Vec<Row> = (0..total as Row).collect();
    let out = assemble(t, &new, |_| idx.clone())?;
    finish(&target, out)
}

/// `(upsert T key rows)`: `key` is a count `n` (the first `n` columns are
/// the key) or a symbol naming the one key column. A row whose key exists
/// replaces that row, a new key is appended. `n` outside 1..=columns or an
/// unknown key column ⇒ `domain`; a dict must name every column ⇒ `value`;
/// a table may omit non-key columns.
pub fn upsert(args: &[Value]) -> Result<Value> {
    if args.len() != 3 {
        return Err(RayError::new("arity", format!("upsert: expected 3 args, got {}", args.len())));
    }
    let target = resolve_target(&args[0], "upsert")?;
    let t = &target.table;
    let key = key_columns(t, &args[1])?;
    let new = normalise(t, &args[2], "upsert")?;
    if new.named && args[2].type_() == RAY_DICT && new.cols.iter().any(|c| c.is_none()) {
        return Err(RayError::new("value", "upsert: the dict must name every column"));
    }
    if key.iter().any(|&i| new.cols[i].is_none()) {
        return Err(RayError::new("value", "upsert: the rows must include the key columns"));
    }
    let old_n = t.table_nrows().max(0) as usize;
    // Key tuples of old and new rows, grouped together: equal keys share a group.
    let tc = columns(t);
    let keys = key.iter().map(|&i| concat(&tc[i], new.cols[i].as_ref().expect("key given"))).collect::<Result<Vec<_>>>()?;
    let refs: Vec<&ray_t> = keys.iter().map(|c| &**c).collect();
    let g = group_columns(&refs)?;
    let gid = g.global_gid();
    // Output rows: the old rows, then appended keys. For each output row,
    // the new row (if any) that last wrote it.
    let mut writer: Vec<Row> = vec![NO_ROW; old_n];
    let mut slot_of_group: Vec<Row> = vec![NO_ROW; g.ngroups];
    for (r, &gg) in gid.iter().enumerate().take(old_n) {
        if slot_of_group[gg as usize] == NO_ROW {
            slot_of_group[gg as usize] = r as Row;
        }
    }
    for j in 0..new.n {
        let gg = gid[old_n + j] as usize;
        if slot_of_group[gg] == NO_ROW {
            slot_of_group[gg] = writer.len() as Row;
            writer.push(old_n as Row + j as Row);
        } else {
            writer[slot_of_group[gg] as usize] = old_n as Row + j as Row;
        }
    }
    let out = assemble(t, &new, |given| {
        writer
            .iter()
            .enumerate()
            .map(|(r, &w)| if r < old_n && (w == NO_ROW || !given) { r as Row } else { w })
            .collect()
    })?;
    finish(&target, out)
}
