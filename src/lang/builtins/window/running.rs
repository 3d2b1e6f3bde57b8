//! Shifts and running functions over typed vectors (builtins.md section 2):
//! `lag lead ratios avgs prds differ`. Float accumulations use the
//! reference's 1024-element blocks (each block continues from the carried
//! combination of the earlier blocks' totals).
#![forbid(unsafe_code)]

use super::{BLOCK, floats, ints, numeric_arg, vector_arg};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::ops::{Prim, fill_vec, vec_from, with_prim};
use std::cmp::Ordering;

pub(super) fn lag(args: &[Value]) -> Result<Value> {
    shift("lag", &args[0], true)
}

pub(super) fn lead(args: &[Value]) -> Result<Value> {
    shift("lead", &args[0], false)
}

/// `lag` (`later`) moves every element one place later, `lead` one place
/// earlier; the vacated slot gets the type's empty value.
fn shift(name: &str, v: &ray_t, later: bool) -> Result<Value> {
    let v = vector_arg(name, v)?;
    let n = v.len() as usize;
    let src = |i: usize| -> Option<usize> {
        if later { i.checked_sub(1) } else { (i + 1 < n).then_some(i + 1) }
    };
    match v.type_ {
        RAY_STR => Err(RayError::type_err("time-series shift: string vectors are not supported yet")),
        RAY_SYM => {
            let empty = sym::intern(b"");
            let ids: Vec<i64> = (0..n).map(|i| src(i).map_or(empty, |j| v.sym_at(j))).collect();
            Value::sym_vec(&ids)
        }
        t => with_prim!(t, T => {
            let s = v.elems::<T>();
            // B8 and U8 have no null: their vacated slot is zero.
            let vacated = if crate::ops::has_sentinel(t) { T::null() } else { T::from_atom(&Value::u8(0)) };
            vec_from(t, (0..n).map(|i| src(i).map_or(vacated, |j| s[j])).collect())
        }, _ => Err(RayError::type_err(format!("{name} expects a vector input, got {}", crate::ops::type_name(t))))),
    }
}

pub(super) fn ratios(args: &[Value]) -> Result<Value> {
    let v = numeric_arg("ratios", &args[0])?;
    let xs = floats(v);
    let out = (0..xs.len()).map(|i| {
        if i == 0 || xs[i - 1] == 0.0 {
            return f64::NAN;
        }
        let r = xs[i] / xs[i - 1];
        if r.is_finite() { r } else { f64::NAN }
    });
    fill_vec(RAY_F64, xs.len(), out)
}

/// Runs `step` over the values block by block: each block starts from the
/// carried value, and the carry is the left-to-right combination (`step`)
/// of the earlier blocks' own totals (each computed from `init`).
fn blocked(xs: &[f64], init: f64, step: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len());
    let mut carry = init;
    for block in xs.chunks(BLOCK) {
        let mut acc = carry;
        let mut total = init;
        for &x in block {
            if !x.is_nan() {
                acc = step(acc, x);
                total = step(total, x);
            }
            out.push(acc);
        }
        carry = step(carry, total);
    }
    out
}

pub(super) fn avgs(args: &[Value]) -> Result<Value> {
    let v = numeric_arg("avgs", &args[0])?;
    let xs = floats(v);
    let sums = blocked(&xs, 0.0, |a, x| a + x);
    let mut seen = 0i64;
    let out = xs.iter().zip(&sums).map(|(&x, &s)| {
        seen += i64::from(!x.is_nan());
        if seen == 0 { f64::NAN } else { s / seen as f64 }
    });
    fill_vec(RAY_F64, xs.len(), out)
}

pub(super) fn prds(args: &[Value]) -> Result<Value> {
    let v = numeric_arg("prds", &args[0])?;
    if matches!(v.type_, RAY_F64 | RAY_F32) {
        let xs = floats(v);
        return vec_from(RAY_F64, blocked(&xs, 1.0, |a, x| a * x));
    }
    let mut acc = 1i64;
    let out: Vec<i64> = ints(v).into_iter().map(|x| {
        acc = acc.wrapping_mul(x.unwrap_or(1));
        acc
    }).collect();
    vec_from(RAY_I64, out)
}

pub(super) fn differ(args: &[Value]) -> Result<Value> {
    let v = vector_arg("differ", &args[0])?;
    let n = v.len() as usize;
    let changed: Vec<u8> = match v.type_ {
        RAY_SYM => (0..n).map(|i| u8::from(i == 0 || v.sym_at(i) != v.sym_at(i - 1))).collect(),
        RAY_STR => (0..n).map(|i| u8::from(i == 0 || v.str_at(i) != v.str_at(i - 1))).collect(),
        t => with_prim!(t, T => {
            let s = v.elems::<T>();
            (0..n).map(|i| u8::from(i == 0 || !same(s[i], s[i - 1]))).collect()
        }, _ => Vec::new()),
    };
    vec_from(RAY_BOOL, changed)
}

/// Equal values, or both null.
fn same<T: Prim>(a: T, b: T) -> bool {
    if a.is_null() || b.is_null() {
        return a.is_null() && b.is_null();
    }
    a.order(b) == Ordering::Equal
}
