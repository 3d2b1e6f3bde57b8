//! Builtins: moving-window functions over typed vectors (builtins.md
//! section 1): `msum mavg mmin mmax mcount mvar mdev`. The window for row
//! `r` is the trailing rows `max(0, r-n+1) ..= r`; nulls are skipped, never
//! propagated. The shifts and running functions of section 2 live in
//! `window/running.rs`. The `window` query form (section 7) is
//! `crate::query::window` run over these kernels.
//!
//! Float sums follow the reference's order exactly (section 1, "Exact
//! arithmetic"): blocked prefix sums, then one subtraction per window, so
//! results agree to the last bit. The sum of squares and the variance use
//! the fused multiply-add the reference calls explicitly here. This module owns argument checking and
//! the window kernels; it must not know about queries (the rows' `uniform`
//! trait tells select how to treat them).
#![forbid(unsafe_code)]

mod running;

use super::spec::Builtin;
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::query::Moving;
use super::num::{widen_f, widen_i};
use crate::ops::{Prim, elem_is_null, fill_vec, is_numeric, is_temporal, type_name, vec_from, with_prim};
use std::cmp::Ordering;
use std::collections::VecDeque;

const fn binary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_BINARY, f).uniform()
}
const fn unary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_UNARY, f).uniform()
}

pub const BUILTINS: &[Builtin] = &[
    unary("lag", running::lag),
    unary("lead", running::lead),
    unary("ratios", running::ratios),
    unary("avgs", running::avgs),
    unary("prds", running::prds),
    unary("differ", running::differ),
    binary("msum", msum),
    binary("mavg", mavg),
    binary("mmin", mmin),
    binary("mmax", mmax),
    binary("mcount", mcount),
    binary("mvar", mvar),
    binary("mdev", mdev),
    Builtin::special("window", window_query),
];

/// `(window {from: ... funcs: ...})`: the query form of builtins.md
/// section 7 (`crate::query::window`), over this family's moving kernels.
fn window_query(ev: &mut crate::lang::eval::Evaluator, args: &[Value]) -> Result<Value> {
    crate::query::window(args, ev, moving)
}

/// The moving kernel `window` runs for `sum avg min max` over a frame of `w` rows.
fn moving(kind: Moving, w: usize, v: &Value) -> Result<Value> {
    let args = [Value::i64(w as i64), v.clone()];
    match kind {
        Moving::Sum => msum(&args),
        Moving::Avg => mavg(&args),
        Moving::Min => mmin(&args),
        Moving::Max => mmax(&args),
    }
}

/// The block length of the reference's prefix sums (builtins.md 1, step 1).
pub(crate) const BLOCK: usize = 1024;

/// Reads the window size: an i64, i32, i16, u8 or b8 atom, at least 1.
fn window_arg(name: &str, n: &ray_t) -> Result<usize> {
    let w = match n.type_ {
        t if t == -RAY_I64 && !n.is_null_atom() => n.i64_val(),
        t if t == -RAY_I32 && !n.is_null_atom() => n.i32_val() as i64,
        t if t == -RAY_I16 && !n.is_null_atom() => n.i16_val() as i64,
        t if t == -RAY_U8 || t == -RAY_BOOL => n.u8_val() as i64,
        _ => return Err(RayError::type_err(format!("{name} window must be an integer atom"))),
    };
    if w < 1 {
        return Err(RayError::range(format!("{name} window must be >= 1")));
    }
    Ok(w as usize)
}

/// The data argument: a typed vector (an atom or a LIST ⇒ `type`).
pub(crate) fn vector_arg<'a>(name: &str, v: &'a ray_t) -> Result<&'a ray_t> {
    if v.type_ <= 0 || v.type_ > RAY_STR {
        return Err(RayError::type_err(format!("{name} expects a vector input, got {}", type_name(v.type_))));
    }
    Ok(v)
}

/// A numeric typed vector (`type` error naming the element type otherwise).
pub(crate) fn numeric_arg<'a>(name: &str, v: &'a ray_t) -> Result<&'a ray_t> {
    let v = vector_arg(name, v)?;
    if !is_numeric(v.type_) {
        return Err(RayError::type_err(format!("{name} expects a numeric vector, got {}", type_name(v.type_))));
    }
    Ok(v)
}

/// The elements of a numeric vector as f64, nulls as NaN.
pub(crate) fn floats(v: &ray_t) -> Vec<f64> {
    widen_f(v).into_owned()
}

/// The elements of an integer vector as i64, nulls as `None`.
pub(crate) fn ints(v: &ray_t) -> Vec<Option<i64>> {
    widen_i(v, 1).iter().map(|&x| (x != NULL_I64).then_some(x)).collect()
}

/// Prefix sums in the reference's order: `sum[r+1]`, `sumsq[r+1]` and
/// `count[r+1]` cover rows `0..=r` (index 0 is the empty prefix).
pub(crate) struct Prefix {
    pub sum: Vec<f64>,
    pub sumsq: Vec<f64>,
    pub count: Vec<i64>,
}

impl Prefix {
    /// Blocks of [`BLOCK`] values: a local accumulator from 0.0 per block,
    /// plus the left-to-right sum of the earlier blocks' totals.
    pub fn of(xs: &[f64]) -> Prefix {
        let n = xs.len();
        let mut p = Prefix { sum: vec![0.0; n + 1], sumsq: vec![0.0; n + 1], count: vec![0; n + 1] };
        let (mut carry_s, mut carry_q, mut carry_c) = (0.0f64, 0.0f64, 0i64);
        for (b, block) in xs.chunks(BLOCK).enumerate() {
            let (mut s, mut q, mut c) = (0.0f64, 0.0f64, 0i64);
            for (j, &x) in block.iter().enumerate() {
                if !x.is_nan() {
                    s += x;
                    q = x.mul_add(x, q);
                    c += 1;
                }
                let r = b * BLOCK + j + 1;
                p.sum[r] = s + carry_s;
                p.sumsq[r] = q + carry_q;
                p.count[r] = c + carry_c;
            }
            carry_s += s;
            carry_q += q;
            carry_c += c;
        }
        p
    }
}

/// `out[r] = f(lo, r + 1)` for every row, with `lo` the window start.
fn per_window<R: Prim>(t: i8, len: usize, w: usize, f: impl Fn(usize, usize) -> R) -> Result<Value> {
    fill_vec(t, len, (0..len).map(|r| f((r + 1).saturating_sub(w), r + 1)))
}

/// A non-finite float result becomes the null.
fn finite_or_null(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::NAN }
}

fn msum(args: &[Value]) -> Result<Value> {
    let w = window_arg("msum", &args[0])?;
    let v = numeric_arg("msum", &args[1])?;
    let n = v.len() as usize;
    if matches!(v.type_, RAY_F64 | RAY_F32) {
        let p = Prefix::of(&floats(v));
        return per_window(RAY_F64, n, w, |lo, hi| p.sum[hi] - p.sum[lo]);
    }
    let mut pre = vec![0i64; n + 1];
    for (i, x) in ints(v).into_iter().enumerate() {
        pre[i + 1] = pre[i].wrapping_add(x.unwrap_or(0));
    }
    per_window(RAY_I64, n, w, |lo, hi| pre[hi].wrapping_sub(pre[lo]))
}

fn mavg(args: &[Value]) -> Result<Value> {
    let w = window_arg("mavg", &args[0])?;
    let v = numeric_arg("mavg", &args[1])?;
    let p = Prefix::of(&floats(v));
    per_window(RAY_F64, v.len() as usize, w, |lo, hi| {
        let c = p.count[hi] - p.count[lo];
        if c == 0 { f64::NAN } else { finite_or_null((p.sum[hi] - p.sum[lo]) / c as f64) }
    })
}

/// Population variance of a window from the prefix sums (section 1, step 4).
fn window_var(p: &Prefix, lo: usize, hi: usize) -> f64 {
    let c = p.count[hi] - p.count[lo];
    if c == 0 {
        return f64::NAN;
    }
    let c = c as f64;
    let mean = (p.sum[hi] - p.sum[lo]) / c;
    let var = (-mean).mul_add(mean, (p.sumsq[hi] - p.sumsq[lo]) / c);
    if var < 0.0 { 0.0 } else { var }
}

fn mvar(args: &[Value]) -> Result<Value> {
    let w = window_arg("mvar", &args[0])?;
    let v = numeric_arg("mvar", &args[1])?;
    let p = Prefix::of(&floats(v));
    per_window(RAY_F64, v.len() as usize, w, |lo, hi| finite_or_null(window_var(&p, lo, hi)))
}

fn mdev(args: &[Value]) -> Result<Value> {
    let w = window_arg("mdev", &args[0])?;
    let v = numeric_arg("mdev", &args[1])?;
    let p = Prefix::of(&floats(v));
    per_window(RAY_F64, v.len() as usize, w, |lo, hi| finite_or_null(window_var(&p, lo, hi).sqrt()))
}

fn mcount(args: &[Value]) -> Result<Value> {
    let w = window_arg("mcount", &args[0])?;
    let v = vector_arg("mcount", &args[1])?;
    let n = v.len() as usize;
    let mut pre = vec![0i64; n + 1];
    for i in 0..n {
        pre[i + 1] = pre[i] + i64::from(!elem_is_null(v, i));
    }
    per_window(RAY_I64, n, w, |lo, hi| pre[hi] - pre[lo])
}

fn mmin(args: &[Value]) -> Result<Value> {
    extreme("mmin", args, Ordering::Less)
}

fn mmax(args: &[Value]) -> Result<Value> {
    extreme("mmax", args, Ordering::Greater)
}

/// `mmin`/`mmax`: a monotonic queue of row indices per window (O(n)),
/// nulls never enter it; an all-null window gives the typed null.
fn extreme(name: &str, args: &[Value], keep: Ordering) -> Result<Value> {
    let w = window_arg(name, &args[0])?;
    let v = vector_arg(name, &args[1])?;
    if !is_numeric(v.type_) && !is_temporal(v.type_) {
        return Err(RayError::type_err(format!("{name} expects a numeric or temporal vector, got {}", type_name(v.type_))));
    }
    with_prim!(v.type_, T => {
        let s = v.elems::<T>();
        let mut q: VecDeque<usize> = VecDeque::new();
        let mut out = Vec::with_capacity(s.len());
        for (r, &x) in s.iter().enumerate() {
            if !x.is_null() {
                while q.back().is_some_and(|&b| x.order(s[b]) == keep || x.order(s[b]) == Ordering::Equal) {
                    q.pop_back();
                }
                q.push_back(r);
            }
            while q.front().is_some_and(|&f| f + w <= r) {
                q.pop_front();
            }
            out.push(q.front().map_or_else(T::null, |&f| s[f]));
        }
        vec_from(v.type_, out)
    }, _ => unreachable!("checked numeric or temporal"))
}
