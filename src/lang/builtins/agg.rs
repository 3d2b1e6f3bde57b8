//! Builtins: aggregates (rayfall.md section 8): `sum avg med min max count
//! first last prod all any mode`, and the rows of `dev var stddev
//! var_pop`, whose kernels live with the other statistics in `stats`
//! (whose reading of a sample `med` shares).
//!
//! Each reads its argument as the reference does ([`Arg`]): an atom (most
//! answer it as itself), a typed vector (nulls skipped; a vector's
//! HAS_NULLS attribute says whether to look for them), a LIST of numeric
//! atoms ([`list_numbers`]), and anything else refused with the
//! reference's wording. The loops run over the raw slices.
#![forbid(unsafe_code)]

use super::num::*;
use super::stats::{self, Sample, sample};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::registry::Builtin;
use crate::ops::{self, elem, is_numeric, type_name, typed_null};
use crate::query::{Agg, Spread};

pub const BUILTINS: &[Builtin] = &[
    Builtin::agg("sum", sum).grouped(Agg::Sum),
    Builtin::agg("avg", avg).grouped(Agg::Avg),
    Builtin::agg("med", med),
    Builtin::agg("min", min).grouped(Agg::Min),
    Builtin::agg("max", max).grouped(Agg::Max),
    Builtin::agg("count", count).grouped(Agg::Count).accepts_parted(),
    Builtin::agg("first", first).grouped(Agg::First),
    Builtin::agg("last", last).grouped(Agg::Last),
    Builtin::agg("dev", stats::stddev_pop).grouped(Agg::Spread(Spread::DevPop)),
    Builtin::agg("var", stats::var).grouped(Agg::Spread(Spread::Var)),
    Builtin::agg("stddev", stats::stddev).grouped(Agg::Spread(Spread::Dev)),
    Builtin::agg("var_pop", stats::var_pop).grouped(Agg::Spread(Spread::VarPop)),
    Builtin::agg("prod", prod),
    Builtin::agg("all", all),
    Builtin::agg("any", any),
    Builtin::agg("mode", mode),
];

/// The shapes an aggregate tells apart.
enum Arg<'a> {
    Atom(&'a Value),
    Vector(&'a Value),
    List(&'a Value),
    /// A dict, a table, the null object, a function.
    Other(&'a Value),
}

fn arg(v: &Value) -> Arg<'_> {
    match v.type_ {
        t if t < 0 => Arg::Atom(v),
        RAY_LIST => Arg::List(v),
        t if t <= RAY_STR => Arg::Vector(v),
        _ => Arg::Other(v),
    }
}

/// A present (non-null) number of a LIST.
#[derive(Clone, Copy)]
enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(x) => x as f64,
            Num::F(x) => x,
        }
    }
}

/// The numbers of a LIST whose elements must all be numeric atoms: the
/// present ones, and whether any element (a null one too) is a float, which
/// makes the answer a float. `label` names the builtin in the error.
fn list_numbers(label: &str, v: &ray_t) -> Result<(Vec<Num>, bool)> {
    let mut out = Vec::with_capacity(v.len().max(0) as usize);
    let mut any_float = false;
    for item in v.items() {
        let Some(x) = item.filter(|x| x.type_ < 0 && is_numeric(-x.type_)) else {
            let t = item.map_or(RAY_NULL, |x| x.type_);
            return Err(RayError::type_err(format!("{label}: list elements must be numeric, got {}", type_name(t))));
        };
        let float = is_float(-x.type_);
        any_float |= float;
        if !x.is_null_atom() {
            out.push(if float { Num::F(x.f64_val()) } else { Num::I(atom_i64(x)) });
        }
    }
    Ok((out, any_float))
}

fn i64_or_null(x: i64) -> Value {
    if x == NULL_I64 { typed_null(RAY_I64) } else { Value::i64(x) }
}

fn null_f64() -> Value {
    typed_null(RAY_F64)
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

/// `sum`: numbers and TIME (a duration) add up; an atom is its own sum,
/// bytes and i16 widened to i64.
fn sum(args: &[Value]) -> Result<Value> {
    let v = match arg(&args[0]) {
        Arg::Atom(v) if matches!(-v.type_, RAY_U8 | RAY_I16) => return Ok(i64_or_null(atom_i64(v))),
        Arg::Atom(v) => return Ok(v.clone()),
        Arg::List(v) => {
            let (xs, any_float) = list_numbers("sum", v)?;
            return Ok(if any_float {
                Value::f64(xs.iter().map(|x| x.f()).sum())
            } else {
                Value::i64(xs.iter().fold(0i64, |a, x| a.wrapping_add(if let Num::I(x) = x { *x } else { 0 })))
            });
        }
        Arg::Other(v) => {
            return Err(RayError::type_err(format!("sum expects a numeric vector, atom, or list, got {}", type_name(v.type_))));
        }
        Arg::Vector(v) => v,
    };
    match v.type_ {
        t if is_float(t) => Ok(Value::f64(sum_f64(&widen_f(v)).0)),
        // Bytes are never null: summed in place, not widened to a copy.
        RAY_BOOL | RAY_U8 => Ok(Value::i64(sum_bytes(v.elems::<u8>()))),
        RAY_TIME => Ok(Value::time(sum_i64(&widen_i(v, 1), has_nulls(v)) as i32 as i64)),
        t if is_numeric(t) => Ok(Value::i64(sum_i64(&widen_i(v, 1), has_nulls(v)))),
        t => Err(RayError::type_err(format!("sum expects a numeric or time-duration vector, got {}", type_name(t)))),
    }
}

/// `avg`: the mean of the non-null values as f64; a non-numeric atom that
/// is not null is its own average.
fn avg(args: &[Value]) -> Result<Value> {
    let v = match arg(&args[0]) {
        Arg::Atom(v) if is_numeric(-v.type_) || (is_temporal(-v.type_) && v.is_null_atom()) => {
            return Ok(if v.is_null_atom() { null_f64() } else { Value::f64(atom_f64(v)) });
        }
        Arg::Atom(v) => return Ok(v.clone()),
        Arg::List(v) => {
            if v.len() == 0 {
                return Err(RayError::domain("avg: empty list has no average"));
            }
            let (xs, _) = list_numbers("avg", v)?;
            if xs.is_empty() {
                return Ok(null_f64());
            }
            return Ok(Value::f64(xs.iter().map(|x| x.f()).sum::<f64>() / xs.len() as f64));
        }
        Arg::Other(v) => {
            return Err(RayError::type_err(format!("avg expects a numeric vector, atom, or list, got {}", type_name(v.type_))));
        }
        Arg::Vector(v) => v,
    };
    if !is_numeric_like(v.type_) {
        return Err(RayError::type_err(format!("avg expects a numeric or temporal vector, got {}", type_name(v.type_))));
    }
    let (s, n) = if is_float(v.type_) {
        sum_f64(&widen_f(v))
    } else {
        let xs = widen_i(v, 1);
        let nulls = has_nulls(v);
        (sum_i64(&xs, nulls) as f64, non_null_count_i64(&xs, nulls))
    };
    if n == 0 {
        return Ok(null_f64());
    }
    Ok(Value::f64(s / n as f64))
}

/// `med`: the median of the non-null values (the mean of the middle two
/// for an even count), read as the statistics read a sample.
fn med(args: &[Value]) -> Result<Value> {
    let mut xs = match sample("med", &args[0])? {
        Sample::Atom(x) => return Ok(if x.is_nan() { null_f64() } else { Value::f64(x) }),
        Sample::Values(xs) => xs,
    };
    if xs.is_empty() {
        return Ok(null_f64());
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    Ok(Value::f64(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }))
}

/// Index of the smallest (or largest) non-null element, by the type's order.
fn extreme_index(v: &ray_t, want_max: bool) -> Option<usize> {
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
    match v.type_ {
        RAY_SYM => pick(n, &|i, j| sym::name_or_empty(v.sym_at(i)).cmp(sym::name_or_empty(v.sym_at(j))), &|_| true),
        RAY_STR => pick(n, &|i, j| v.str_at(i).cmp(v.str_at(j)), &|_| true),
        RAY_GUID => {
            let xs = v.elems::<[u8; 16]>();
            pick(n, &|i, j| xs[i].cmp(&xs[j]), &|_| true)
        }
        t if is_float(t) => {
            let xs = widen_f(v);
            pick(n, &|i, j| xs[i].total_cmp(&xs[j]), &|i| !xs[i].is_nan())
        }
        t => {
            let xs = widen_i(v, 1);
            let nulls = t != RAY_BOOL && t != RAY_U8;
            if !want_max && !nulls {
                xs.iter().enumerate().min_by_key(|&(_, x)| *x).map(|(i, _)| i)
            } else {
                pick(n, &|i, j| xs[i].cmp(&xs[j]), &|i| !nulls || xs[i] != NULL_I64)
            }
        }
    }
}

/// The extreme of a LIST's numbers: f64 when any element is a float, i64
/// otherwise. (The reference answers 0 when the extreme is a non-i64
/// integer atom in an all-integer list; this answers its value.)
fn list_extreme(name: &str, v: &ray_t, want_max: bool) -> Result<Value> {
    if v.len() == 0 {
        let what = if want_max { "maximum" } else { "minimum" };
        return Err(RayError::domain(format!("{name}: empty list has no {what}")));
    }
    let (xs, any_float) = list_numbers(name, v)?;
    let better = |a: f64, b: f64| if want_max { a > b } else { a < b };
    let best = xs.iter().copied().reduce(|b, x| if better(x.f(), b.f()) { x } else { b });
    Ok(match (best, any_float) {
        (None, true) => null_f64(),
        (None, false) => typed_null(RAY_I64),
        (Some(x), true) => Value::f64(x.f()),
        (Some(x), false) => i64_or_null(if let Num::I(x) = x { x } else { 0 }),
    })
}

/// `min`/`max`: an atom is its own extreme; a vector of any type by its
/// order (nulls skipped); a LIST by [`list_extreme`].
fn extreme(name: &str, v: &Value, want_max: bool) -> Result<Value> {
    match arg(v) {
        Arg::Atom(v) => Ok(v.clone()),
        Arg::List(v) => list_extreme(name, v, want_max),
        Arg::Other(v) => Err(RayError::type_err(format!("{name} expects a vector, atom, or list, got {}", type_name(v.type_)))),
        // Fast path for the common column.
        Arg::Vector(v) if v.type_ == RAY_I64 && !has_nulls(v) => {
            let xs = v.elems::<i64>();
            let r = if want_max { xs.iter().max() } else { xs.iter().min() };
            Ok(r.map_or_else(|| typed_null(RAY_I64), |&x| Value::i64(x)))
        }
        Arg::Vector(v) => Ok(extreme_index(v, want_max).map_or_else(|| typed_null(v.type_), |i| elem(v, i))),
    }
}

fn min(args: &[Value]) -> Result<Value> {
    extreme("min", &args[0], false)
}

fn max(args: &[Value]) -> Result<Value> {
    extreme("max", &args[0], true)
}

fn count(args: &[Value]) -> Result<Value> {
    if let Some(p) = crate::store::parted::Parted::of(&args[0]) {
        return Ok(Value::i64(p.count()?));
    }
    Ok(Value::i64(ops::count(&args[0])))
}

/// `first`/`last`: the element at that end (skipping nulls in I64 and F64
/// vectors only; an empty LIST's is `0Nl`); a string's character; a
/// table's row.
fn first_or_last(name: &str, v: &Value, from_end: bool) -> Result<Value> {
    match v.type_ {
        t if t == -RAY_STR => {
            let s = v.str_bytes();
            let c = if from_end { s.last() } else { s.first() };
            let Some(c) = c else {
                let what = if from_end { "last" } else { "first" };
                return Err(RayError::domain(format!("{name}: empty string has no {what} char")));
            };
            Ok(Value::str(std::slice::from_ref(c)))
        }
        RAY_TABLE => {
            let n = v.table_nrows();
            if n == 0 {
                return Ok(Value::null());
            }
            crate::ops::table::row(v, if from_end { n - 1 } else { 0 })
        }
        t if t < 0 || (t != RAY_LIST && !v.is_vec()) => {
            if t == RAY_DICT {
                return Err(RayError::type_err(format!("{name}: unsupported type DICT")));
            }
            Ok(v.clone())
        }
        t => {
            let n = v.len().max(0) as usize;
            let mut order: Box<dyn Iterator<Item = usize>> = if from_end { Box::new((0..n).rev()) } else { Box::new(0..n) };
            // As the reference: I64 and F64 vectors skip their nulls, the
            // other types (and LISTs) take the end element as it is.
            let skip_nulls = matches!(t, RAY_I64 | RAY_F64) && has_nulls(v);
            match order.find(|&i| !skip_nulls || !ops::elem_is_null(v, i)) {
                Some(i) => Ok(elem(v, i)),
                None => Ok(typed_null(if t == RAY_LIST { RAY_I64 } else { t })),
            }
        }
    }
}

fn first(args: &[Value]) -> Result<Value> {
    first_or_last("first", &args[0], false)
}

fn last(args: &[Value]) -> Result<Value> {
    first_or_last("last", &args[0], true)
}

/// `prod`: the product of the non-null numbers; an atom is its own.
fn prod(args: &[Value]) -> Result<Value> {
    let v = match arg(&args[0]) {
        Arg::Atom(v) => return Ok(v.clone()),
        Arg::List(v) => {
            let (xs, any_float) = list_numbers("prod", v)?;
            return Ok(if any_float {
                Value::f64(xs.iter().map(|x| x.f()).product())
            } else {
                Value::i64(xs.iter().fold(1i64, |a, x| a.wrapping_mul(if let Num::I(x) = x { *x } else { 1 })))
            });
        }
        Arg::Other(v) => {
            return Err(RayError::type_err(format!("prod expects a numeric vector, atom, or list, got {}", type_name(v.type_))));
        }
        Arg::Vector(v) => v,
    };
    if !is_numeric(v.type_) {
        return Err(RayError::type_err(format!("prod expects a numeric vector, got {}", type_name(v.type_))));
    }
    if is_float(v.type_) {
        return Ok(Value::f64(widen_f(v).iter().filter(|x| !x.is_nan()).product()));
    }
    let nulls = has_nulls(v);
    Ok(Value::i64(widen_i(v, 1).iter().filter(|&&x| !nulls || x != NULL_I64).fold(1i64, |a, &x| a.wrapping_mul(x))))
}

/// Whether each non-null number is nonzero (nulls are skipped: `all`
/// of nulls only is true, `any` false).
fn number_truths(v: &ray_t) -> Vec<bool> {
    match base(v) {
        RAY_BOOL | RAY_U8 if v.type_ < 0 => vec![v.u8_val() != 0],
        RAY_BOOL | RAY_U8 => v.elems::<u8>().iter().map(|&b| b != 0).collect(),
        RAY_F32 | RAY_F64 => widen_f(v).iter().filter(|x| !x.is_nan()).map(|&x| x != 0.0).collect(),
        _ => widen_i(v, 1).iter().filter(|&&x| x != NULL_I64).map(|&x| x != 0).collect(),
    }
}

/// `all`/`any` over numbers: atoms, numeric vectors, LISTs of numeric atoms.
fn truths(name: &str, v: &Value) -> Result<Vec<bool>> {
    match arg(v) {
        Arg::Atom(v) if is_numeric(-v.type_) => Ok(number_truths(v)),
        Arg::Atom(v) => Err(RayError::type_err(format!("{name} expects numeric values, got {}", type_name(v.type_)))),
        Arg::Vector(v) if is_numeric(v.type_) => Ok(number_truths(v)),
        Arg::List(v) => {
            list_numbers(name, v)?;
            Ok(v.items().iter().flatten().flat_map(|x| number_truths(x)).collect())
        }
        Arg::Vector(v) | Arg::Other(v) => {
            Err(RayError::type_err(format!("{name} expects a numeric vector, got {}", type_name(v.type_))))
        }
    }
}

fn all(args: &[Value]) -> Result<Value> {
    Ok(Value::bool(truths("all", &args[0])?.iter().all(|&b| b)))
}

fn any(args: &[Value]) -> Result<Value> {
    Ok(Value::bool(truths("any", &args[0])?.iter().any(|&b| b)))
}

/// The most frequent of `keys` among the `present` positions, the first
/// seen winning a tie.
fn most_frequent(keys: &ops::keys::Keys, present: impl Fn(usize) -> bool) -> Option<usize> {
    let (firsts, ids) = ops::keys::groups(keys);
    let mut counts = vec![0usize; firsts.len()];
    for (i, &g) in ids.iter().enumerate() {
        if present(i) {
            counts[g] += 1;
        }
    }
    // Groups are numbered in first-appearance order: the earliest of the
    // most frequent is the first maximum.
    let best = (0..counts.len()).filter(|&g| counts[g] > 0).fold(None, |b: Option<usize>, g| match b {
        Some(b) if counts[b] >= counts[g] => Some(b),
        _ => Some(g),
    })?;
    Some(firsts[best])
}

/// `mode`: the most frequent non-null element; numbers in a LIST compare
/// by value (`1` and `1i` are equal). An atom is its own mode.
fn mode(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    match arg(v) {
        Arg::Atom(v) => Ok(v.clone()),
        Arg::Other(v) => Err(RayError::type_err(format!("mode expects an atom, vector, or list, got {}", type_name(v.type_)))),
        Arg::List(v) => {
            let items = v.items();
            let keys = ops::keys::Keys::Any(
                items
                    .iter()
                    .map(|x| match x {
                        Some(x) if x.type_ < 0 && is_numeric(-x.type_) => [b"n".as_slice(), &atom_f64(x).to_bits().to_le_bytes()].concat(),
                        Some(x) => ops::keys::key_of(x),
                        None => vec![],
                    })
                    .collect(),
            );
            let present = |i: usize| items[i].is_some_and(|x| !(x.type_ < 0 && x.is_null_atom()));
            Ok(most_frequent(&keys, present).map_or_else(|| typed_null(RAY_I64), |i| elem(v, i)))
        }
        Arg::Vector(v) => {
            let keys = ops::keys::keys(v)?;
            let nulls = has_nulls(v);
            let best = most_frequent(&keys, |i| !nulls || !ops::elem_is_null(v, i));
            Ok(best.map_or_else(|| typed_null(v.type_), |i| elem(v, i)))
        }
    }
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
