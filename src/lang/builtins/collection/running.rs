//! Running folds: `sums deltas maxs mins fills`, one pass over a typed
//! slice each.
#![forbid(unsafe_code)]

use super::*;

// ---------------------------------------------------------------- running folds

/// The argument of a running fold: a vector (else `{name} expects a vector
/// input`) of numbers, or of numbers and temporals when `temporal_too`
/// (else `{name} expects {what}`), worded as the reference words them.
pub(super) fn numeric_vec<'a>(name: &str, args: &'a [Value], temporal_too: bool, what: &str) -> Result<&'a Value> {
    expect_arity(name, args, 1)?;
    let v = &args[0];
    if !v.is_vec() {
        return Err(RayError::type_err(format!("{name} expects a vector input, got {}", type_name_of(v))));
    }
    if !(is_numeric(v.type_) || (temporal_too && is_temporal(v.type_))) {
        return Err(RayError::type_err(format!("{name} expects {what}, got {}", type_name_of(v))));
    }
    Ok(v)
}

pub(super) fn sums(args: &[Value]) -> Result<Value> {
    let v = numeric_vec("sums", args, false, "a numeric vector")?;
    match v.type_ {
        RAY_F64 | RAY_F32 => {
            let s: Vec<f64> = match v.type_ {
                RAY_F64 => v.elems::<f64>().to_vec(),
                _ => v.elems::<f32>().iter().map(|&x| x as f64).collect(),
            };
            let mut acc = 0.0;
            let out: Vec<f64> = s.iter().map(|&x| {
                if !x.is_nan() {
                    acc += x;
                }
                acc
            }).collect();
            vec_from(RAY_F64, out)
        }
        RAY_I64 => {
            let mut acc = 0i64;
            let s = v.elems::<i64>();
            fill_vec(RAY_I64, s.len(), s.iter().map(|&x| {
                if x != NULL_I64 {
                    acc = acc.wrapping_add(x);
                }
                acc
            }))
        }
        _ => {
            let mut acc = 0i64;
            let w = widen_ints(v).unwrap_or_default();
            fill_vec(RAY_I64, w.len(), w.iter().map(|&x| {
                if x != NULL_I64 {
                    acc = acc.wrapping_add(x);
                }
                acc
            }))
        }
    }
}

pub(super) fn deltas(args: &[Value]) -> Result<Value> {
    let v = numeric_vec("deltas", args, true, "a numeric or temporal vector")?;
    let t = v.type_;
    fn run<T: Prim>(s: &[T], sub: impl Fn(T, T) -> T) -> Vec<T> {
        let mut out = Vec::with_capacity(s.len());
        for i in 0..s.len() {
            out.push(if i == 0 || s[i].is_null() || s[i - 1].is_null() { T::null() } else { sub(s[i], s[i - 1]) });
        }
        out
    }
    match t {
        RAY_F64 => vec_from(t, run(v.elems::<f64>(), |a, b| a - b)),
        RAY_F32 => vec_from(t, run(v.elems::<f32>(), |a, b| a - b)),
        // Integers of every width and temporals give I64 differences.
        RAY_I64 | RAY_TIMESTAMP => vec_from(RAY_I64, run(v.elems::<i64>(), |a, b| a.wrapping_sub(b))),
        _ => {
            let w = widen_ints(v).unwrap_or_default();
            vec_from(RAY_I64, run(&w, |a, b| a.wrapping_sub(b)))
        }
    }
}

pub(super) fn running(name: &str, args: &[Value], want_max: bool) -> Result<Value> {
    let v = numeric_vec(name, args, true, "a numeric vector or temporal vector")?;
    let t = v.type_;
    with_prim!(t, T => {
        let s = v.elems::<T>();
        let mut out = Vec::with_capacity(s.len());
        let mut acc: Option<T> = None;
        for &x in s {
            let next = match acc {
                None => x,
                Some(a) if want_max => if x.order(a) == Ordering::Greater { x } else { a },
                // Running minimum skips nulls (they would win every step).
                Some(a) => if a.is_null() || (!x.is_null() && x.order(a) == Ordering::Less) { x } else { a },
            };
            acc = Some(next);
            out.push(next);
        }
        vec_from(t, out)
    }, _ => unreachable_type())
}

pub(super) fn maxs(args: &[Value]) -> Result<Value> {
    running("maxs", args, true)
}

pub(super) fn mins(args: &[Value]) -> Result<Value> {
    running("mins", args, false)
}

pub(super) fn fills(args: &[Value]) -> Result<Value> {
    expect_arity("fills", args, 1)?;
    let v = &args[0];
    // A table fills each vector column (a LIST column is kept).
    if v.type_ == RAY_TABLE {
        let (Some(schema), Some(cols)) = (v.table_schema(), v.table_cols()) else {
            return Ok(v.clone());
        };
        let filled = cols
            .items()
            .iter()
            .map(|c| match c {
                Some(c) if c.is_vec() => fills(&[c.to_value()]),
                Some(c) => Ok(c.to_value()),
                None => Ok(Value::null()),
            })
            .collect::<Result<Vec<_>>>()?;
        return Ok(Value::table(schema.to_value(), Value::container(RAY_LIST, filled)?));
    }
    if !v.is_vec() {
        return Err(RayError::type_err(format!("fills expects a vector or table input, got {}", type_name_of(v))));
    }
    let t = v.type_;
    if !has_sentinel(t) {
        return Ok(v.clone());
    }
    with_prim!(t, T => {
        let s = v.elems::<T>();
        let mut out = Vec::with_capacity(s.len());
        let mut last = T::null();
        for &x in s {
            if !x.is_null() {
                last = x;
            }
            out.push(last);
        }
        vec_from(t, out)
    }, _ => Ok(v.clone()))
}
