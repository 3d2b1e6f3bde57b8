//! Tables and their rows, the one module both the builtins and the query
//! engine read tables through: column names and columns, building a table,
//! checking its shape, and row access with ONE out-of-range rule: a row
//! index outside `0..nrows` is a `domain` error (as the reference's
//! `(at t 10)`), never a row of nulls. Joins that need "no matching row"
//! gather columns with `NO_ROW` themselves (see `gather`).
#![forbid(unsafe_code)]

use super::access::{atom_at, is_collection};
use super::gather::gather_ix;
use super::prim::sym_ids;
use crate::abi::*;
use crate::core::{RayError, Result, Value};

/// Checks that a table's columns are vectors or lists of one length and
/// that it has a name per column (tables built through C may not).
pub fn check_table(t: &ray_t) -> Result<()> {
    let n = t.table_nrows();
    let cols = t.table_cols().ok_or_else(|| RayError::type_err("malformed table"))?;
    let ok_cols = cols.type_ == RAY_LIST
        && cols.items().iter().all(|c| c.is_some_and(|c| is_collection(c) && c.len() == n));
    let names_ok = t.table_schema().is_some_and(|s| (s.type_ == RAY_I64 || s.type_ == RAY_SYM) && s.len() == cols.len());
    if ok_cols && names_ok { Ok(()) } else { Err(RayError::length("malformed table: columns differ in length")) }
}

/// Column-name ids of table `t`.
pub fn names(t: &ray_t) -> Vec<i64> {
    match t.table_schema() {
        Some(s) if s.type_ == RAY_SYM => sym_ids(s).into_owned(),
        Some(s) => s.elems::<i64>().to_vec(),
        None => Vec::new(),
    }
}

/// The column names of a table as a SYM vector.
pub fn names_vec(t: &ray_t) -> Result<Value> {
    Value::sym_vec(&names(t))
}

/// Owned columns of table `t`.
pub fn columns(t: &ray_t) -> Vec<Value> {
    t.table_cols().map(|c| c.items().iter().map(|x| x.map_or_else(Value::null, |r| r.to_value())).collect()).unwrap_or_default()
}

/// Position of column `id` in `t`.
pub fn find_col(t: &ray_t, id: i64) -> Option<usize> {
    names(t).iter().position(|&n| n == id)
}

/// The column of `t` named `id`, if any.
pub fn column(t: &ray_t, id: i64) -> Option<Value> {
    let pos = find_col(t, id)?;
    t.table_cols()?.item(pos).map(|c| c.to_value())
}

/// A table from parallel names and columns.
pub fn make_table(names: &[i64], cols: Vec<Value>) -> Result<Value> {
    Value::table_from(names.iter().copied().zip(cols).collect())
}

/// A table built from `t`'s schema and new columns.
pub fn with_columns(t: &ray_t, cols: Vec<Value>) -> Result<Value> {
    let schema = t.table_schema().map_or_else(|| Value::vec_with_capacity(RAY_I64, 0), |s| Ok(s.to_value()))?;
    Ok(Value::table(schema, Value::container(RAY_LIST, cols)?))
}

/// The row-range rule: `i` must be in `0..nrows`, else `domain`.
fn check_row(t: &ray_t, i: i64) -> Result<usize> {
    let n = t.table_nrows().max(0);
    if (0..n).contains(&i) {
        Ok(i as usize)
    } else {
        Err(RayError::domain(format!("row index {i} out of range for table of {n} rows")))
    }
}

/// The rows of `t` at `idx`, in order, as a table. Errors: `domain` for
/// an index outside the table.
pub fn rows(t: &ray_t, idx: &[i64]) -> Result<Value> {
    let idx = idx.iter().map(|&i| check_row(t, i)).collect::<Result<Vec<usize>>>()?;
    let cols = columns(t).iter().map(|c| gather_ix(c, &idx)).collect::<Result<Vec<_>>>()?;
    with_columns(t, cols)
}

/// Row `i` of `t` as a dict from column names to atoms. Errors: `domain`
/// for an index outside the table.
pub fn row(t: &ray_t, i: i64) -> Result<Value> {
    let i = check_row(t, i)?;
    let vals = columns(t).iter().map(|c| atom_at(c, i)).collect::<Result<Vec<_>>>()?;
    Ok(Value::dict(names_vec(t)?, Value::list(vals)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sym;

    fn three_rows() -> Value {
        let a = sym::intern(b"a");
        make_table(&[a], vec![Value::vec_from_slice(RAY_I64, &[1i64, 2, 3]).unwrap()]).unwrap()
    }

    #[test]
    fn rows_outside_the_table_are_domain_errors() {
        let t = three_rows();
        assert_eq!(row(&t, 2).unwrap().type_, RAY_DICT);
        for i in [3, 10, -1] {
            assert_eq!(row(&t, i).unwrap_err().code_str(), "domain");
            assert_eq!(rows(&t, &[0, i]).unwrap_err().code_str(), "domain");
        }
        assert_eq!(rows(&t, &[2, 0]).unwrap().table_nrows(), 2);
    }
}
