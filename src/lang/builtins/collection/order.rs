//! Ordering builtins: `asc desc iasc idesc rank distinct reverse`, thin
//! adapters over `ops::sort` (grading) and `ops::keys` (first appearance).
#![forbid(unsafe_code)]

use super::*;

pub(super) fn sorted(name: &str, args: &[Value], descending: bool) -> Result<Value> {
    expect_arity(name, args, 1)?;
    let v = &args[0];
    if v.type_ < 0 {
        // An atom (a string included) is already in order.
        return Ok(v.clone());
    }
    if !v.is_vec() {
        return Err(expects_vector(name));
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

/// The reference's wording when an ordering builtin gets no vector.
fn expects_vector(name: &str) -> RayError {
    RayError::type_err(format!("{name} expects a vector"))
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
        return Err(expects_vector(name));
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
        return Err(expects_vector("rank"));
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
/// for the others (LIST items compared by value across number widths);
/// distinct rows for a table.
pub fn distinct_of(v: &ray_t) -> Result<Value> {
    let t = v.type_;
    if t == RAY_TABLE {
        return crate::query::distinct_rows(v);
    }
    if t == -RAY_STR {
        // A string's distinct characters, in order.
        let mut bytes = v.str_bytes().to_vec();
        bytes.sort_unstable();
        bytes.dedup();
        return Ok(Value::str(&bytes));
    }
    if !is_collection(v) {
        return Err(type_err("distinct", &format!("argument must be a list, got {}", type_name_of(v))));
    }
    if t == RAY_F64 {
        return distinct_floats(v.elems::<f64>());
    }
    if is_numeric(t) || is_temporal(t) {
        return with_prim!(t, T => {
            let mut s = v.elems::<T>().to_vec();
            sort_values(t, &mut s, false);
            s.dedup_by(|a, b| a.order(*b) == Ordering::Equal);
            vec_from(t, s)
        }, _ => unreachable_type());
    }
    // A LIST's items meet by value as the reference compares them there
    // (`1`, `1i` and `1.0` are one item, every null number is one item);
    // other vectors by their structural key.
    let item_keys = if t == RAY_LIST { crate::ops::keys::Keys::Any(loose_keys(v)?) } else { keys(v)? };
    let (firsts, _) = groups(&item_keys);
    let idx: Vec<i64> = firsts.into_iter().map(|i| i as i64).collect();
    gather(v, &idx)
}

/// `distinct` of an F64 vector as the reference answers it: the first
/// appearances, sorted by a top-down merge sort (left half the smaller)
/// that takes from the right half only when its head is `<` the left's,
/// so a null (NaN) compares with nothing: `[1.5 0Nf -2.5 4.0]` gives
/// `[-2.5 1.5 0Nf 4.0]`, `[5.0 0Nf -1.0]` stays as it is.
fn distinct_floats(s: &[f64]) -> Result<Value> {
    let mut seen = std::collections::HashSet::with_capacity(s.len());
    let mut firsts: Vec<f64> = s.iter().copied().filter(|x| seen.insert(if x.is_nan() { f64::NAN.to_bits() } else { (x + 0.0).to_bits() })).collect();
    let mut scratch = firsts.clone();
    merge_sort_lt(&mut firsts, &mut scratch);
    let mut v = vec_from(RAY_F64, firsts)?;
    crate::ops::fix_has_nulls(&mut v)?;
    Ok(v)
}

/// The merge sort of [`distinct_floats`]; `scratch` is as long as `v`.
fn merge_sort_lt(v: &mut [f64], scratch: &mut [f64]) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let mid = n / 2;
    {
        let (left, right) = v.split_at_mut(mid);
        let (sl, sr) = scratch.split_at_mut(mid);
        merge_sort_lt(left, sl);
        merge_sort_lt(right, sr);
    }
    scratch[..n].copy_from_slice(v);
    let (left, right) = scratch[..n].split_at(mid);
    let (mut i, mut j) = (0, 0);
    for slot in v.iter_mut() {
        let take_right = j < right.len() && (i == left.len() || right[j] < left[i]);
        if take_right {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

pub(super) fn unreachable_type() -> Result<Value> {
    Err(RayError::type_err("unsupported type"))
}

// ---------------------------------------------------------------- reverse

pub(super) fn reverse(args: &[Value]) -> Result<Value> {
    expect_arity("reverse", args, 1)?;
    let v = &args[0];
    // A dict or table is refused, as in the reference.
    if matches!(v.type_, RAY_TABLE | RAY_DICT) {
        return Err(type_err("reverse", &format!("argument must be a list, got {}", type_name_of(v))));
    }
    if !is_collection(v) {
        // Atoms (strings included) come back unchanged.
        return Ok(v.clone());
    }
    let idx: Vec<i64> = (0..v.len().max(0)).rev().collect();
    gather(v, &idx)
}
