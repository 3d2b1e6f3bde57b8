//! Ordering builtins: `asc desc iasc idesc rank distinct reverse`, thin
//! adapters over `ops::sort` (grading) and `ops::keys` (first appearance).
#![forbid(unsafe_code)]

use super::*;

pub(super) fn sorted(name: &str, args: &[Value], descending: bool) -> Result<Value> {
    expect_arity(name, args, 1)?;
    let v = &args[0];
    if !v.is_vec() {
        return Err(type_err(name, "expected a vector"));
    }
    let t = v.type_;
    // Fast path: plain integer columns sort by value (equal values are
    // indistinguishable, so stability does not matter).
    with_prim!(t, T => {
        let mut s = v.elems::<T>().to_vec();
        sort_values(t, &mut s, descending);
        vec_from(t, s)
    }, _ => {
        let idx: Vec<i64> = grade(v, descending)?.into_iter().map(|i| i as i64).collect();
        gather(v, &idx)
    })
}

pub(super) fn asc(args: &[Value]) -> Result<Value> {
    sorted("asc", args, false)
}

pub(super) fn desc(args: &[Value]) -> Result<Value> {
    sorted("desc", args, true)
}

pub(super) fn grade_fn(name: &str, args: &[Value], descending: bool) -> Result<Value> {
    expect_arity(name, args, 1)?;
    if !args[0].is_vec() {
        return Err(type_err(name, "expected a vector"));
    }
    let idx: Vec<i64> = grade(&args[0], descending)?.into_iter().map(|i| i as i64).collect();
    Value::vec_from_slice(RAY_I64, &idx)
}

pub(super) fn iasc(args: &[Value]) -> Result<Value> {
    grade_fn("iasc", args, false)
}

pub(super) fn idesc(args: &[Value]) -> Result<Value> {
    grade_fn("idesc", args, true)
}

pub(super) fn rank(args: &[Value]) -> Result<Value> {
    expect_arity("rank", args, 1)?;
    if !args[0].is_vec() {
        return Err(type_err("rank", "expected a vector"));
    }
    let g = grade(&args[0], false)?;
    let mut r = vec![0i64; g.len()];
    for (k, &i) in g.iter().enumerate() {
        r[i] = k as i64;
    }
    Value::vec_from_slice(RAY_I64, &r)
}

// ------------------------------------------------------------- distinct

pub(super) fn distinct(args: &[Value]) -> Result<Value> {
    expect_arity("distinct", args, 1)?;
    distinct_of(&args[0])
}

/// `distinct`: sorted for numeric and temporal vectors, first appearance
/// for the others; distinct rows for a table.
pub fn distinct_of(v: &ray_t) -> Result<Value> {
    let t = v.type_;
    if t == RAY_TABLE {
        return crate::query::distinct_rows(v);
    }
    if !is_collection(v) {
        return Err(type_err("distinct", "expected a vector"));
    }
    if is_numeric(t) || is_temporal(t) {
        return with_prim!(t, T => {
            let mut s = v.elems::<T>().to_vec();
            sort_values(t, &mut s, false);
            s.dedup_by(|a, b| a.order(*b) == Ordering::Equal);
            vec_from(t, s)
        }, _ => unreachable_type());
    }
    let (firsts, _) = groups(&keys(v)?);
    let idx: Vec<i64> = firsts.into_iter().map(|i| i as i64).collect();
    gather(v, &idx)
}

pub(super) fn unreachable_type() -> Result<Value> {
    Err(RayError::type_err("unsupported type"))
}

// ---------------------------------------------------------------- reverse

pub(super) fn reverse(args: &[Value]) -> Result<Value> {
    expect_arity("reverse", args, 1)?;
    let v = &args[0];
    if v.type_ == RAY_TABLE {
        let n = v.table_nrows();
        let idx: Vec<i64> = (0..n).rev().collect();
        return table::rows(v, &idx);
    }
    if v.type_ == RAY_DICT {
        let (k, vals) = dict_parts(v)?;
        return Ok(Value::dict(reverse(&[k])?, reverse(&[vals])?));
    }
    if !is_collection(v) {
        // Atoms (strings included) come back unchanged.
        return Ok(v.clone());
    }
    let idx: Vec<i64> = (0..v.len().max(0)).rev().collect();
    gather(v, &idx)
}
