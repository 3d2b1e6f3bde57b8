//! Builtins: statistical aggregates (builtins.md section 3): the pairwise
//! `cov scov pearson_corr wsum wavg`, `stddev_pop` (alias `dev_pop`) and
//! `quantile`/`percentile`. All answer one f64 atom; inside queries they
//! are aggregates (evaluated once per group, or once over the filtered
//! rows without `by:`).
//!
//! The float sums follow the reference's order, learned from its answers:
//! the pairwise sums run left to right, `stddev_pop` sums in two
//! interleaved lanes, and nothing is fused (the reference is built for
//! x86-64-v2, which has no fused multiply-add, whatever builtins.md says). This module owns the checks and
//! the formulas; it must not know about queries (its rows only name the
//! query kernel of `stddev_pop`/`dev_pop`, `query::Spread`, which computes them
//! from moments as the reference's queries do).
#![forbid(unsafe_code)]

use super::num::{atom_f64, widen_f};
use super::spec::Builtin;
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::{is_numeric, is_temporal, type_name};
use crate::query::{Agg, Spread};

const fn binary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_BINARY, f).aggregate()
}

pub const BUILTINS: &[Builtin] = &[
    binary("pearson_corr", pearson_corr),
    binary("cov", cov),
    binary("scov", scov),
    binary("wsum", wsum),
    binary("wavg", wavg),
    binary("quantile", quantile),
    binary("percentile", percentile),
    Builtin::agg("stddev_pop", stddev_pop).grouped(Agg::Spread(Spread::DevPop)),
    Builtin::agg("dev_pop", stddev_pop).grouped(Agg::Spread(Spread::DevPop)),
];

/// A finite value, or the null `0Nf`.
fn f64_or_null(x: f64) -> Value {
    if x.is_finite() { Value::f64(x) } else { crate::ops::typed_null(RAY_F64) }
}

fn null_f64() -> Value {
    crate::ops::typed_null(RAY_F64)
}

/// The sums over the rows where neither side is null (builtins.md 3.1).
#[derive(Default)]
struct PairSums {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

/// Checks `(name x y)` (typed vectors, equal lengths, numeric; in that
/// order) and accumulates the pair sums left to right.
fn pair_sums(name: &str, args: &[Value]) -> Result<PairSums> {
    let (x, y) = (&args[0], &args[1]);
    let is_vec = |v: &ray_t| v.type_ > 0 && v.type_ <= RAY_STR;
    if !is_vec(x) || !is_vec(y) {
        return Err(RayError::type_err(format!(
            "{name} expects two numeric vectors, got {} and {}",
            type_name(x.type_),
            type_name(y.type_)
        )));
    }
    if x.len() != y.len() {
        return Err(RayError::length(format!("{name}: vectors must have equal length, got {} and {}", x.len(), y.len())));
    }
    if !is_numeric(x.type_) || !is_numeric(y.type_) {
        return Err(RayError::type_err(format!(
            "{name} expects numeric vectors, got {} and {}",
            type_name(x.type_),
            type_name(y.type_)
        )));
    }
    let mut s = PairSums::default();
    for (&a, &b) in widen_f(x).iter().zip(widen_f(y).iter()) {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        s.n += 1.0;
        s.sx += a;
        s.sy += b;
        s.sxx += a * a;
        s.syy += b * b;
        s.sxy += a * b;
    }
    Ok(s)
}

fn cov(args: &[Value]) -> Result<Value> {
    let s = pair_sums("cov", args)?;
    if s.n == 0.0 {
        return Ok(null_f64());
    }
    Ok(f64_or_null((s.sxy - s.sx * s.sy / s.n) / s.n))
}

fn scov(args: &[Value]) -> Result<Value> {
    let s = pair_sums("scov", args)?;
    if s.n <= 1.0 {
        return Ok(null_f64());
    }
    Ok(f64_or_null((s.sxy - s.sx * s.sy / s.n) / (s.n - 1.0)))
}

fn pearson_corr(args: &[Value]) -> Result<Value> {
    let s = pair_sums("pearson_corr", args)?;
    if s.n < 2.0 {
        return Ok(null_f64());
    }
    let num = s.n * s.sxy - s.sx * s.sy;
    let dx = s.n * s.sxx - s.sx * s.sx;
    let dy = s.n * s.syy - s.sy * s.sy;
    if dx <= 0.0 || dy <= 0.0 {
        return Ok(null_f64());
    }
    Ok(f64_or_null(num / (dx * dy).sqrt()))
}

/// `(wsum w v)`: the weights come first.
fn wsum(args: &[Value]) -> Result<Value> {
    let s = pair_sums("wsum", args)?;
    Ok(f64_or_null(s.sxy))
}

/// `(wavg w v)`: the weights come first.
fn wavg(args: &[Value]) -> Result<Value> {
    let s = pair_sums("wavg", args)?;
    if s.n == 0.0 || s.sx == 0.0 {
        return Ok(null_f64());
    }
    Ok(f64_or_null(s.sxy / s.sx))
}

/// The values a one-column statistic reads, nulls dropped, or the value
/// of an atom (the caller answers for it). `prefix` names the builtin in
/// the reference's messages (`var/stddev`, `quantile`, `med`). An empty
/// vector of any type is an empty sample.
pub(super) enum Sample {
    Atom(f64),
    Values(Vec<f64>),
}

pub(super) fn sample(prefix: &str, v: &ray_t) -> Result<Sample> {
    if v.type_ < 0 {
        // A null atom of any type (temporal ones too) reads as the null.
        if v.is_null_atom() {
            return Ok(Sample::Atom(f64::NAN));
        }
        if !is_numeric(-v.type_) {
            return Err(RayError::type_err(format!("{prefix} expects a numeric atom, got {}", type_name(v.type_))));
        }
        return Ok(Sample::Atom(atom_f64(v)));
    }
    if v.type_ == RAY_LIST {
        let mut out = Vec::with_capacity(v.len() as usize);
        for item in v.items() {
            let t = item.map_or(RAY_LIST, |x| x.type_);
            let Some(x) = item.filter(|x| x.type_ < 0 && is_numeric(-x.type_)) else {
                return Err(RayError::type_err(format!("{prefix}: list elements must be numeric, got {}", type_name(t))));
            };
            let f = atom_f64(x);
            if !f.is_nan() {
                out.push(f);
            }
        }
        return Ok(Sample::Values(out));
    }
    if v.type_ > RAY_STR || v.type_ <= 0 {
        return Err(RayError::type_err(format!(
            "{prefix} expects a numeric atom, vector, or list, got {}",
            type_name(v.type_)
        )));
    }
    if v.len() == 0 {
        return Ok(Sample::Values(Vec::new()));
    }
    if !is_numeric(v.type_) && !is_temporal(v.type_) {
        return Err(RayError::type_err(format!("expects a numeric or temporal vector, got {}", type_name(v.type_))));
    }
    Ok(Sample::Values(widen_f(v).iter().copied().filter(|x| !x.is_nan()).collect()))
}

/// The variance of a sample: `mean = sum/n`, the squared deviations
/// summed (both in two lanes), divided by `n` (population) or `n - 1`
/// (`sample_variance`; fewer than two values have none). `None` when
/// there is no answer; an atom has variance 0.
fn variance(v: &ray_t, sample_variance: bool) -> Result<Option<f64>> {
    let xs = match sample("var/stddev", v)? {
        Sample::Atom(x) => return Ok((!x.is_nan() && !sample_variance).then_some(0.0)),
        Sample::Values(xs) => xs,
    };
    let n = xs.len();
    if n == 0 || (sample_variance && n < 2) {
        return Ok(None);
    }
    let mean = two_lane_sum(xs.iter().copied()) / n as f64;
    let sq = two_lane_sum(xs.iter().map(|&x| (x - mean) * (x - mean)));
    Ok(Some(sq / if sample_variance { (n - 1) as f64 } else { n as f64 }))
}

fn answer(x: Option<f64>) -> Value {
    x.map_or_else(null_f64, f64_or_null)
}

/// Population standard deviation (`dev`, `stddev_pop`, `dev_pop`; builtins.md 3.2).
pub(super) fn stddev_pop(args: &[Value]) -> Result<Value> {
    Ok(answer(variance(&args[0], false)?.map(f64::sqrt)))
}

/// Sample standard deviation.
pub(super) fn stddev(args: &[Value]) -> Result<Value> {
    Ok(answer(variance(&args[0], true)?.map(f64::sqrt)))
}

/// Sample variance.
pub(super) fn var(args: &[Value]) -> Result<Value> {
    Ok(answer(variance(&args[0], true)?))
}

/// Population variance.
pub(super) fn var_pop(args: &[Value]) -> Result<Value> {
    Ok(answer(variance(&args[0], false)?))
}

/// The reference's vectorised sum: even and odd positions in two
/// accumulators (added together), then an odd last element.
fn two_lane_sum(xs: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = xs.len();
    let (mut even, mut odd, mut last) = (0.0, 0.0, None);
    for (i, x) in xs.enumerate() {
        if i + 1 == n && n % 2 == 1 {
            last = Some(x);
        } else if i % 2 == 0 {
            even += x;
        } else {
            odd += x;
        }
    }
    let s = even + odd;
    last.map_or(s, |x| s + x)
}

fn quantile(args: &[Value]) -> Result<Value> {
    let q = probability("quantile", &args[1], 1.0)?;
    quantile_of("quantile", &args[0], q)
}

fn percentile(args: &[Value]) -> Result<Value> {
    let p = probability("percentile", &args[1], 100.0)?;
    quantile_of("percentile", &args[0], p / 100.0)
}

/// The probability argument: a non-null numeric atom in `0..=max`.
fn probability(name: &str, p: &ray_t, max: f64) -> Result<f64> {
    if p.type_ >= 0 || !is_numeric(-p.type_) {
        return Err(RayError::type_err(format!("{name}: probability must be a numeric atom")));
    }
    let x = atom_f64(p);
    if x.is_nan() {
        return Err(RayError::domain(format!("{name}: probability must be non-null")));
    }
    if !(0.0..=max).contains(&x) {
        return Err(RayError::domain(format!("{name}: probability out of range")));
    }
    Ok(x)
}

/// Linear interpolation between the two nearest sorted values.
fn quantile_of(name: &str, v: &ray_t, q: f64) -> Result<Value> {
    let mut xs = match sample(name, v)? {
        Sample::Atom(x) => return Ok(if x.is_nan() { null_f64() } else { Value::f64(x) }),
        Sample::Values(xs) => xs,
    };
    if xs.is_empty() {
        return Ok(null_f64());
    }
    xs.sort_by(f64::total_cmp);
    let pos = q * (xs.len() - 1) as f64;
    let lo = pos.floor();
    let frac = pos - lo;
    let lo = lo as usize;
    if frac == 0.0 || lo + 1 >= xs.len() {
        return Ok(Value::f64(xs[lo]));
    }
    Ok(Value::f64(frac * (xs[lo + 1] - xs[lo]) + xs[lo]))
}
