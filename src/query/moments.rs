//! The spread aggregates of a query (`var var_pop stddev dev stddev_pop
//! dev_pop` as an output of `select`): one kernel for the whole table
//! (no `by:`) and for each group.
//!
//! Inside a query the reference computes them from moments: the sum and the
//! sum of squares, each left to right in row order, then
//! `var_pop = max(0, sumsq/n - mean^2)` and `var = var_pop * n / (n - 1)`;
//! the deviations are their square roots. Outside a query the builtins
//! (`lang::builtins::stats`) use two passes over the deviations, so the two
//! differ in the last bits (builtins.md 3.2; tests/query_uniform.rs).
//! Nulls are skipped; no value (or one, for the sample forms) gives `0Nf`.
//!
//! Where the moments cancel (the values are large beside their spread:
//! `sumsq/n - mean^2` keeps fewer than 10 of its 16 digits) the reference's
//! answer is mostly rounding noise (`var_pop` of `3000000001 3000000002
//! 3000000003` is 0.0 there); we answer with the corrected two-pass
//! formula instead (a README deviation). Elsewhere the answer is the
//! reference's, bit for bit.
#![forbid(unsafe_code)]

use super::group::Groups;
use crate::abi::*;
use crate::core::{Result, Value};
use crate::ops::mark_nulls;
use std::borrow::Cow;

/// Which spread a query aggregate asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// Population variance (`var_pop`).
    VarPop,
    /// Sample variance (`var`).
    Var,
    /// Population standard deviation (`dev`, `stddev_pop`, `dev_pop`).
    DevPop,
    /// Sample standard deviation (`stddev`).
    Dev,
}

impl Spread {
    fn sample(self) -> bool {
        matches!(self, Spread::Var | Spread::Dev)
    }

    fn root(self) -> bool {
        matches!(self, Spread::DevPop | Spread::Dev)
    }

    /// The spread of the non-null values among `xs` (NaN when there is none).
    fn of(self, xs: impl Iterator<Item = f64> + Clone) -> f64 {
        let (mut n, mut sum, mut sum_sq) = (0usize, 0.0f64, 0.0f64);
        for x in xs.clone().filter(|x| !x.is_nan()) {
            n += 1;
            sum += x;
            sum_sq += x * x;
        }
        if n == 0 || (self.sample() && n < 2) {
            return f64::NAN;
        }
        let mean = sum / n as f64;
        let mean_sq = sum_sq / n as f64;
        let mut var_pop = (mean_sq - mean * mean).max(0.0);
        if var_pop < CANCELLED * mean_sq {
            var_pop = two_pass_var_pop(xs, mean, n);
        }
        let var = if self.sample() { var_pop * n as f64 / (n - 1) as f64 } else { var_pop };
        if self.root() { var.sqrt() } else { var }
    }
}

/// Below this fraction of `sumsq/n` the moments' variance has lost more
/// than 10 of its 16 digits to cancellation.
const CANCELLED: f64 = 1e-6;

/// The population variance of the non-null `xs` around `mean` by the
/// corrected two-pass formula (`(sum d^2 - (sum d)^2/n) / n`, `d = x -
/// mean`): exact to rounding however large the values are beside their
/// spread, 0 for equal values.
fn two_pass_var_pop(xs: impl Iterator<Item = f64>, mean: f64, n: usize) -> f64 {
    let (mut sum_d, mut sum_d_sq) = (0.0f64, 0.0f64);
    for d in xs.filter(|x| !x.is_nan()).map(|x| x - mean) {
        sum_d += d;
        sum_d_sq += d * d;
    }
    ((sum_d_sq - sum_d * sum_d / n as f64) / n as f64).max(0.0)
}

/// A numeric or temporal column as f64 values, nulls as NaN (None for
/// any other type: the caller leaves the call to the builtin, whose error
/// names the type).
fn as_f64(col: &ray_t) -> Option<Cow<'_, [f64]>> {
    fn widen<T: Copy>(xs: &[T], null: Option<T>, f: impl Fn(T) -> f64) -> Cow<'static, [f64]>
    where
        T: PartialEq,
    {
        Cow::Owned(xs.iter().map(|&x| if Some(x) == null { f64::NAN } else { f(x) }).collect())
    }
    if col.type_() < 0 || !crate::ops::is_collection(col) {
        return None;
    }
    Some(match col.type_() {
        RAY_F64 => Cow::Borrowed(col.elems::<f64>()),
        RAY_F32 => widen(col.elems::<f32>(), None, |x| x as f64),
        RAY_I64 | RAY_TIMESTAMP => widen(col.elems::<i64>(), Some(NULL_I64), |x| x as f64),
        RAY_I32 | RAY_DATE | RAY_TIME => widen(col.elems::<i32>(), Some(NULL_I32), |x| x as f64),
        RAY_I16 => widen(col.elems::<i16>(), Some(NULL_I16), |x| x as f64),
        RAY_U8 | RAY_BOOL => widen(col.elems::<u8>(), None, |x| x as f64),
        _ => return None,
    })
}

fn f64_atom(x: f64) -> Value {
    if x.is_finite() { Value::f64(x) } else { crate::ops::typed_null(RAY_F64) }
}

/// `kind` over the whole column `col` (None: not a numeric or temporal column).
pub fn spread_of_column(kind: Spread, col: &ray_t) -> Option<Value> {
    let xs = as_f64(col)?;
    Some(f64_atom(kind.of(xs.iter().copied())))
}

/// `kind` of `col` per group of `g`, one F64 per group (None: not a
/// numeric or temporal column, or the groups dropped their rows).
pub fn spread_per_group(kind: Spread, col: &ray_t, g: &Groups) -> Result<Option<Value>> {
    if !g.rows_kept || col.len().max(0) as usize != g.nrows {
        return Ok(None);
    }
    let Some(xs) = as_f64(col) else { return Ok(None) };
    let out: Vec<f64> = g.rows_per_group().iter().map(|rows| kind.of(rows.iter().map(|&r| xs[r as usize]))).collect();
    let out: Vec<f64> = out.into_iter().map(|x| if x.is_finite() { x } else { f64::NAN }).collect();
    Ok(Some(mark_nulls(Value::vec_from_slice(RAY_F64, &out)?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_clamp_at_zero_and_need_two_values_for_a_sample() {
        // sumsq/n - mean^2 is slightly negative for three equal 0.1s.
        assert_eq!(Spread::DevPop.of([0.1, 0.1, 0.1].into_iter()), 0.0);
        assert!(Spread::Var.of([4.0].into_iter()).is_nan());
        assert_eq!(Spread::VarPop.of([4.0, f64::NAN].into_iter()), 0.0);
        assert!(Spread::DevPop.of(std::iter::empty()).is_nan());
        assert_eq!(Spread::Var.of([1.0, 3.0].into_iter()), 2.0);
    }

    #[test]
    fn cancelling_moments_fall_back_to_two_passes() {
        // The reference's moments give 0.0 here; the spread is 2/3.
        let big = [3000000001.0, 3000000002.0, 3000000003.0];
        assert_eq!(Spread::VarPop.of(big.into_iter()), 2.0 / 3.0);
        assert_eq!(Spread::Var.of(big.into_iter()), 1.0);
        // Well-conditioned values keep the moments' bits: sumsq/n - mean^2.
        let xs = [0.1, 0.7, 2.3, 5.0];
        let (sum, sum_sq) = xs.iter().fold((0.0, 0.0), |(a, b), x| (a + x, b + x * x));
        assert_eq!(Spread::VarPop.of(xs.into_iter()), sum_sq / 4.0 - (sum / 4.0) * (sum / 4.0));
    }
}
