//! Builtins: aggregates (rayfall.md section 8): `sum avg med min max count
//! first last dev var stddev var_pop prod all any mode`. Nulls are skipped
//! (a vector's HAS_NULLS attribute says whether to look for them, as in the
//! reference); the loops run over the raw slices.
#![forbid(unsafe_code)]

use super::num::*;
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::registry::Builtin;
use crate::ops::{self, elem, truthy, type_name_of as type_name, typed_null};
use crate::query::Agg;
use std::collections::HashMap;

pub const BUILTINS: &[Builtin] = &[
    Builtin::agg("sum", sum).grouped(Agg::Sum),
    Builtin::agg("avg", avg).grouped(Agg::Avg),
    Builtin::agg("med", med),
    Builtin::agg("min", min).grouped(Agg::Min),
    Builtin::agg("max", max).grouped(Agg::Max),
    Builtin::agg("count", count).grouped(Agg::Count).accepts_parted(),
    Builtin::agg("first", first).grouped(Agg::First),
    Builtin::agg("last", last).grouped(Agg::Last),
    Builtin::agg("dev", dev),
    Builtin::agg("var", var),
    Builtin::agg("stddev", stddev),
    Builtin::agg("var_pop", var_pop),
    Builtin::agg("prod", prod),
    Builtin::agg("all", all),
    Builtin::agg("any", any),
    Builtin::agg("mode", mode),
];

/// An atom argument as a one-element vector; vectors pass through.
fn as_vector(v: &Value) -> Result<Value> {
    if v.type_ < 0 && is_vector_type(-v.type_) {
        return ops::collect(vec![v.clone()]);
    }
    Ok(v.clone())
}

fn numeric_vec(v: &ray_t, what: &str) -> Result<()> {
    if !(v.is_vec() && is_numeric_like(v.type_)) {
        return Err(RayError::type_err(format!("{what}: expected numbers, got {}", type_name(v))));
    }
    Ok(())
}

/// Sum of an i64 column, skipping nulls when the column may hold them.
pub fn sum_i64(xs: &[i64], nulls: bool) -> i64 {
    if nulls {
        xs.iter().fold(0i64, |a, &x| a.wrapping_add(if x == NULL_I64 { 0 } else { x }))
    } else {
        xs.iter().fold(0i64, |a, &x| a.wrapping_add(x))
    }
}

/// Sum of a B8/U8 column: u32 lanes over runs short enough not to
/// overflow (16M x 255 < 2^32), so the loop vectorizes.
fn sum_bytes(xs: &[u8]) -> i64 {
    xs.chunks(1 << 24).map(|run| run.iter().map(|&b| b as u32).sum::<u32>() as i64).sum()
}

/// Sum and count of the non-NaN values of an f64 column.
pub fn sum_f64(xs: &[f64]) -> (f64, usize) {
    let mut s = 0.0;
    let mut n = 0usize;
    for &x in xs {
        if !x.is_nan() {
            s += x;
            n += 1;
        }
    }
    (s, n)
}

fn non_null_count_i64(xs: &[i64], nulls: bool) -> usize {
    if nulls { xs.iter().filter(|&&x| x != NULL_I64).count() } else { xs.len() }
}

fn sum(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    if v.type_ == RAY_LIST {
        let mut acc = Value::i64(0);
        for x in v.to_vec() {
            acc = super::arith::arith(super::arith::Op::Add, &acc, &x)?;
        }
        return Ok(acc);
    }
    let v = as_vector(v)?;
    numeric_vec(&v, "sum")?;
    if is_float(v.type_) {
        return Ok(Value::f64(sum_f64(&widen_f(&v)).0));
    }
    if is_temporal(v.type_) {
        return Err(RayError::type_err("sum: temporal values cannot be summed"));
    }
    if matches!(v.type_, RAY_BOOL | RAY_U8) {
        // Bytes are never null: summed in place, not widened to a copy.
        return Ok(Value::i64(sum_bytes(v.elems::<u8>())));
    }
    Ok(Value::i64(sum_i64(&widen_i(&v, 1), has_nulls(&v))))
}

/// The non-null values of a numeric column as f64.
fn present_f64(v: &ray_t) -> Vec<f64> {
    widen_f(v).iter().copied().filter(|x| !x.is_nan()).collect()
}

fn null_f64() -> Value {
    typed_null(RAY_F64)
}

fn avg(args: &[Value]) -> Result<Value> {
    let v = as_vector(&args[0])?;
    numeric_vec(&v, "avg")?;
    let (s, n) = if is_float(v.type_) {
        sum_f64(&widen_f(&v))
    } else {
        let xs = widen_i(&v, 1);
        let nulls = has_nulls(&v);
        (sum_i64(&xs, nulls) as f64, non_null_count_i64(&xs, nulls))
    };
    if n == 0 {
        return Ok(null_f64());
    }
    Ok(Value::f64(s / n as f64))
}

fn med(args: &[Value]) -> Result<Value> {
    let v = as_vector(&args[0])?;
    numeric_vec(&v, "med")?;
    let mut xs = present_f64(&v);
    if xs.is_empty() {
        return Ok(null_f64());
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    Ok(Value::f64(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }))
}

/// Index of the smallest (or largest) non-null element, by the type's order.
fn extreme_index(v: &ray_t, want_max: bool) -> Result<Option<usize>> {
    let better = |o: std::cmp::Ordering| if want_max { o.is_gt() } else { o.is_lt() };
    let pick = |n: usize, cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering, present: &dyn Fn(usize) -> bool| {
        let mut best: Option<usize> = None;
        for i in 0..n {
            if !present(i) {
                continue;
            }
            best = match best {
                Some(b) if !better(cmp(i, b)) => Some(b),
                _ => Some(i),
            };
        }
        best
    };
    let n = v.len().max(0) as usize;
    Ok(match v.type_ {
        RAY_SYM => pick(n, &|i, j| sym::name_or_empty(v.sym_at(i)).cmp(sym::name_or_empty(v.sym_at(j))), &|_| true),
        RAY_STR => pick(n, &|i, j| v.str_at(i).cmp(v.str_at(j)), &|_| true),
        t if is_float(t) => {
            let xs = widen_f(v);
            pick(n, &|i, j| xs[i].total_cmp(&xs[j]), &|i| !xs[i].is_nan())
        }
        t if is_numeric_like(t) => {
            let xs = widen_i(v, 1);
            let nulls = t != RAY_BOOL && t != RAY_U8;
            if !want_max && !nulls {
                xs.iter().enumerate().min_by_key(|&(_, x)| *x).map(|(i, _)| i)
            } else {
                pick(n, &|i, j| xs[i].cmp(&xs[j]), &|i| !nulls || xs[i] != NULL_I64)
            }
        }
        _ => return Err(RayError::type_err(format!("min/max: unsupported {}", type_name(v)))),
    })
}

fn extreme(v: &Value, want_max: bool) -> Result<Value> {
    if v.type_ == RAY_LIST {
        return Err(RayError::type_err("min/max: expected a vector"));
    }
    let v = as_vector(v)?;
    // Fast paths for the common columns.
    if v.type_ == RAY_I64 && !has_nulls(&v) {
        let xs = v.elems::<i64>();
        let r = if want_max { xs.iter().max() } else { xs.iter().min() };
        return Ok(r.map_or_else(|| typed_null(RAY_I64), |&x| Value::i64(x)));
    }
    match extreme_index(&v, want_max)? {
        Some(i) => Ok(elem(&v, i)),
        None => Ok(typed_null(v.type_)),
    }
}

fn min(args: &[Value]) -> Result<Value> {
    extreme(&args[0], false)
}

fn max(args: &[Value]) -> Result<Value> {
    extreme(&args[0], true)
}

fn count(args: &[Value]) -> Result<Value> {
    if let Some(p) = crate::store::parted::Parted::of(&args[0]) {
        return Ok(Value::i64(p.count()?));
    }
    Ok(Value::i64(ops::count(&args[0])))
}

fn first_or_last(v: &Value, from_end: bool) -> Result<Value> {
    match v.type_ {
        t if t == -RAY_STR => {
            let s = v.str_bytes();
            let c = if from_end { s.last() } else { s.first() };
            return Ok(Value::str(c.map(std::slice::from_ref).unwrap_or(b"")));
        }
        RAY_TABLE => {
            let n = v.table_nrows();
            if n == 0 {
                return Ok(Value::null());
            }
            return crate::ops::table::row(v, if from_end { n - 1 } else { 0 });
        }
        RAY_DICT => return first_or_last(&v.dict_vals().map_or_else(Value::null, |x| x.to_value()), from_end),
        RAY_LIST => {
            let n = v.len() as usize;
            if n == 0 {
                return Ok(Value::null());
            }
            return Ok(elem(v, if from_end { n - 1 } else { 0 }));
        }
        t if t < 0 || !v.is_vec() => return Ok(v.clone()),
        _ => {}
    }
    let n = v.len() as usize;
    let mut order: Box<dyn Iterator<Item = usize>> = if from_end { Box::new((0..n).rev()) } else { Box::new(0..n) };
    match order.find(|&i| !ops::elem_is_null(v, i)) {
        Some(i) => Ok(elem(v, i)),
        None => Ok(typed_null(v.type_)),
    }
}

fn first(args: &[Value]) -> Result<Value> {
    first_or_last(&args[0], false)
}

fn last(args: &[Value]) -> Result<Value> {
    first_or_last(&args[0], true)
}

/// Population (`sample == false`) or sample variance of the non-null values.
fn variance(v: &Value, sample: bool) -> Result<Option<f64>> {
    let v = as_vector(v)?;
    numeric_vec(&v, "var")?;
    let xs = present_f64(&v);
    let n = xs.len();
    if n == 0 || (sample && n < 2) {
        return Ok(None);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    Ok(Some(ss / if sample { (n - 1) as f64 } else { n as f64 }))
}

fn f_or_null(x: Option<f64>) -> Value {
    x.map_or_else(null_f64, Value::f64)
}

fn dev(args: &[Value]) -> Result<Value> {
    Ok(f_or_null(variance(&args[0], false)?.map(f64::sqrt)))
}
fn var(args: &[Value]) -> Result<Value> {
    Ok(f_or_null(variance(&args[0], true)?))
}
fn stddev(args: &[Value]) -> Result<Value> {
    Ok(f_or_null(variance(&args[0], true)?.map(f64::sqrt)))
}
fn var_pop(args: &[Value]) -> Result<Value> {
    Ok(f_or_null(variance(&args[0], false)?))
}

fn prod(args: &[Value]) -> Result<Value> {
    let v = as_vector(&args[0])?;
    numeric_vec(&v, "prod")?;
    if is_float(v.type_) {
        return Ok(Value::f64(widen_f(&v).iter().filter(|x| !x.is_nan()).product()));
    }
    let nulls = has_nulls(&v);
    Ok(Value::i64(widen_i(&v, 1).iter().filter(|&&x| !nulls || x != NULL_I64).fold(1i64, |a, &x| a.wrapping_mul(x))))
}

/// Truthiness of each element (vectors) or of the value itself.
fn elem_truths(v: &ray_t) -> Vec<bool> {
    match v.type_ {
        RAY_BOOL | RAY_U8 => v.elems::<u8>().iter().map(|&b| b != 0).collect(),
        t if is_float(t) => widen_f(v).iter().map(|&x| x != 0.0 && !x.is_nan()).collect(),
        t if is_numeric_like(t) && t > 0 => widen_i(v, 1).iter().map(|&x| x != 0 && x != NULL_I64).collect(),
        RAY_LIST => v.items().iter().map(|x| x.is_some_and(truthy)).collect(),
        t if t > 0 && t <= RAY_STR => vec![true; v.len() as usize],
        _ => vec![truthy(v)],
    }
}

fn all(args: &[Value]) -> Result<Value> {
    Ok(Value::bool(elem_truths(&args[0]).iter().all(|&b| b)))
}

fn any(args: &[Value]) -> Result<Value> {
    Ok(Value::bool(elem_truths(&args[0]).iter().any(|&b| b)))
}

/// A hashable key for element `i` of a vector.
fn elem_key(v: &ray_t, i: usize) -> Vec<u8> {
    match v.type_ {
        RAY_STR => v.str_at(i).to_vec(),
        RAY_SYM => v.sym_at(i).to_le_bytes().to_vec(),
        t if is_float(t) => widen_f(v)[i].to_bits().to_le_bytes().to_vec(),
        RAY_GUID => v.elems::<[u8; 16]>()[i].to_vec(),
        _ => {
            let e = elem(v, i);
            e.i64_val().to_le_bytes().to_vec()
        }
    }
}

fn mode(args: &[Value]) -> Result<Value> {
    let v = as_vector(&args[0])?;
    if !v.is_vec() {
        return Err(RayError::type_err("mode: expected a vector"));
    }
    let n = v.len() as usize;
    if n == 0 {
        return Ok(typed_null(v.type_));
    }
    let xs: Option<std::borrow::Cow<'_, [i64]>> = (is_numeric_like(v.type_) && !is_float(v.type_)).then(|| widen_i(&v, 1));
    let mut counts: HashMap<Vec<u8>, (usize, usize)> = HashMap::new();
    for i in 0..n {
        let k = match &xs {
            Some(xs) => xs[i].to_le_bytes().to_vec(),
            None => elem_key(&v, i),
        };
        counts.entry(k).or_insert((0, i)).0 += 1;
    }
    let best = counts.values().max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1))).map(|x| x.1).unwrap_or(0);
    Ok(elem(&v, best))
}

#[cfg(test)]
mod tests {
    #[test]
    fn byte_sums_do_not_overflow_their_lanes() {
        let xs = vec![255u8; (1 << 24) + 1000];
        assert_eq!(super::sum_bytes(&xs), 255 * xs.len() as i64);
        let mixed: Vec<u8> = (0..100_003u32).map(|i| (i * 7919 % 256) as u8).collect();
        assert_eq!(super::sum_bytes(&mixed), mixed.iter().map(|&b| b as i64).sum::<i64>());
        assert_eq!(super::sum_bytes(&[]), 0);
    }
}
