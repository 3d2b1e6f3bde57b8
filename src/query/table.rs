//! Whole-table builtins that need no evaluator: `table`, `union-all`,
//! `cols`, and distinct rows (for the collection family's `distinct`).
#![forbid(unsafe_code)]

use crate::ops::{broadcast, concat, gather_ix, is_collection as is_column};
use crate::ops::table::{columns, make_table, names};
use super::group::group_columns;
use crate::abi::*;
use crate::core::{RayError, Result, Value};

fn arity(name: &str, args: &[Value], n: usize) -> Result<()> {
    if args.len() != n {
        return Err(RayError::new("arity", format!("{name}: expected {n} args, got {}", args.len())));
    }
    Ok(())
}

/// Symbol ids of a SYM vector or atom.
fn sym_ids(v: &ray_t) -> Option<Vec<i64>> {
    match v.type_() {
        RAY_SYM => Some((0..v.len() as usize).map(|i| v.sym_at(i)).collect()),
        t if t == -RAY_SYM => Some(vec![v.i64_val()]),
        _ => None,
    }
}

/// `(table names cols)`: names as a SYM vector, columns as a LIST. Column
/// lengths that differ, or a wrong column count ⇒ `domain`; atoms are
/// repeated to the columns' length.
pub fn table(args: &[Value]) -> Result<Value> {
    arity("table", args, 2)?;
    let ids = sym_ids(&args[0]).ok_or_else(|| RayError::type_err("table: names must be symbols"))?;
    let cols: Vec<Value> = match args[1].type_() {
        RAY_LIST => args[1].items().iter().map(|c| c.map_or_else(Value::null, |r| r.to_value())).collect(),
        t if is_vector_type(t) && ids.len() == 1 => vec![args[1].clone()],
        _ => return Err(RayError::type_err("table: columns must be a list")),
    };
    if cols.len() != ids.len() {
        return Err(RayError::domain(format!("table: {} names for {} columns", ids.len(), cols.len())));
    }
    let n = cols.iter().find(|c| is_column(c)).map_or(1, |c| c.len() as usize);
    let mut out = Vec::with_capacity(cols.len());
    for c in cols {
        if is_column(&c) {
            let c = typed_column(c)?;
            if c.len() as usize != n {
                return Err(RayError::domain(format!("table: all columns must have {n} rows, got {}", c.len())));
            }
            out.push(c);
        } else {
            out.push(broadcast(&c, n)?);
        }
    }
    make_table(&ids, out)
}

/// A LIST column whose first item is an atom (a string counts as one) is
/// that atom type's vector, as the reference's `table` builds it (i64 among
/// f64 makes F64): an item of another type is `type` naming it. A LIST of
/// vectors, lists or dicts stays a LIST. (The reference refuses lists of
/// i32/i16/u8 atoms and turns a null i64 among f64 into -9.2e18; here they
/// are I32/I16/U8 columns and a null.)
fn typed_column(c: Value) -> Result<Value> {
    let Some(first) = (c.type_() == RAY_LIST).then(|| c.item(0)).flatten() else { return Ok(c) };
    if first.type_() >= 0 && !first.is_null_obj() {
        return Ok(c);
    }
    let items: Vec<&ray_t> = c.items().iter().map(|x| x.unwrap_or(first)).collect();
    if !first.is_null_obj() && crate::ops::build::common_atom_type(&items).is_some() {
        return crate::ops::mark_nulls(crate::ops::build::pack_atoms(&items)?);
    }
    // A leading generic null reads as an I64 column in the reference.
    let want = if first.is_null_obj() { -RAY_I64 } else { first.type_() };
    let fits = |x: &&ray_t| !x.is_null_obj() && crate::ops::build::common_atom_type(&[first, x]).is_some();
    let bad = items.iter().find(|x| !fits(x)).copied().unwrap_or(first);
    let got = if bad.is_null_obj() { "?" } else { crate::ops::type_name(bad.type_()) };
    Err(RayError::type_err(if want == -RAY_STR {
        format!("table: string column element must be a string, got {got}")
    } else {
        format!("table: {} column element type mismatch, got {got}", crate::ops::type_name(-want))
    }))
}

/// `(union-all t1 t2)`: the rows of `t2` appended to `t1`, columns matched by name.
pub fn union_all(args: &[Value]) -> Result<Value> {
    arity("union-all", args, 2)?;
    let (a, b) = (&args[0], &args[1]);
    if a.type_() != RAY_TABLE || b.type_() != RAY_TABLE {
        return Err(RayError::type_err("union-all: expected two tables"));
    }
    let (an, bn) = (names(a), names(b));
    let (ac, bc) = (columns(a), columns(b));
    if an.len() != bn.len() {
        return Err(RayError::domain("union-all: the tables have different columns"));
    }
    let mut out = Vec::with_capacity(an.len());
    for (i, id) in an.iter().enumerate() {
        let j = bn.iter().position(|x| x == id).ok_or_else(|| RayError::domain("union-all: the tables have different columns"))?;
        if ac[i].type_() != bc[j].type_() {
            return Err(RayError::type_err("union-all: column types differ"));
        }
        out.push(concat(&ac[i], &bc[j])?);
    }
    make_table(&an, out)
}

/// `(cols t)`: the column names of a table (or the keys of a dict) as a SYM vector.
pub fn cols(args: &[Value]) -> Result<Value> {
    arity("cols", args, 1)?;
    match args[0].type_() {
        RAY_TABLE => Value::sym_vec(&names(&args[0])),
        RAY_DICT => Ok(args[0].dict_keys().map(|k| k.to_value()).unwrap_or_else(Value::null)),
        _ => Err(RayError::type_err("cols: expected a table")),
    }
}

/// The distinct rows of table `t`, in order of first appearance.
pub fn distinct_rows(t: &ray_t) -> Result<Value> {
    let cs = columns(t);
    if cs.is_empty() || t.table_nrows() == 0 {
        return Ok(t.to_value());
    }
    let refs: Vec<&ray_t> = cs.iter().map(|c| &**c).collect();
    let g = group_columns(&refs)?;
    let out = cs.iter().map(|c| gather_ix(c, &g.first_row)).collect::<Result<Vec<_>>>()?;
    make_table(&names(t), out)
}
