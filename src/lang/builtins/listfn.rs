//! Builtins: ordering and list functions (builtins.md section 5): `top bot
//! xrank cross diverse prior scan-right` (`scan-left` and `pmap` are rows
//! of the higher-order family: the same functions as `scan` and `map`).
//!
//! Deviations from the reference, on purpose: a float count of
//! `top`/`bot`/`xrank` is truncated to an integer (the reference reads the
//! float's bit pattern as the count). This module owns the checks and the
//! kernels; it must not know about queries.
#![forbid(unsafe_code)]

use super::spec::Builtin;
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::eval::Evaluator;
use crate::ops::keys::{groups, key_of, keys};
use crate::ops::sort::grade;
use crate::ops::{count, elem, elem_is_null, gather, is_numeric, type_name, vec_from};

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("top", RAY_BINARY, top),
    Builtin::pure("bot", RAY_BINARY, bot),
    Builtin::ctx("prior", RAY_VARY, prior),
    Builtin::pure("cross", RAY_BINARY, cross),
    Builtin::pure("diverse", RAY_UNARY, diverse),
    Builtin::ctx("scan-right", RAY_VARY, scan_right),
    Builtin::pure("xrank", RAY_BINARY, xrank),
];

/// A typed vector (not a LIST, not an atom).
fn is_typed_vector(v: &ray_t) -> bool {
    v.type_ > 0 && v.type_ <= RAY_STR
}

/// A count argument: an integer or bool atom by value (a null i64 is the
/// smallest i64), a float truncated; `None` for anything else.
fn count_arg(n: &ray_t) -> Option<i64> {
    match n.type_ {
        t if t == -RAY_F64 || t == -RAY_F32 => {
            let x = n.f64_val();
            Some(if x.is_nan() { i64::MIN } else { x as i64 })
        }
        t if t < 0 && is_numeric(-t) => Some(crate::lang::builtins::num::atom_i64(n)),
        _ => None,
    }
}

fn top(args: &[Value]) -> Result<Value> {
    extremes("top", args, true)
}

fn bot(args: &[Value]) -> Result<Value> {
    extremes("bot", args, false)
}

/// The `n` largest (`top`, descending) or smallest (`bot`, ascending)
/// elements. Null placement follows the reference: when `n` reaches the
/// length the whole vector is sorted (nulls last for `top`, first for
/// `bot`); below it nulls count as the largest values.
fn extremes(name: &str, args: &[Value], largest: bool) -> Result<Value> {
    let n = count_arg(&args[1]).ok_or_else(|| RayError::type_err(format!("{name}: n must be integer")))?;
    let v = &args[0];
    if !is_typed_vector(v) {
        return Err(RayError::type_err("top/bot expects a vector"));
    }
    let len = v.len() as usize;
    let take = n.clamp(0, len as i64) as usize;
    let mut order = grade(v, largest)?;
    if take < len {
        // Nulls (first in ascending order, last in descending) move to the
        // large end: the front for `top`, the back for `bot`.
        let (nulls, values): (Vec<usize>, Vec<usize>) = order.iter().partition(|&&i| elem_is_null(v, i));
        order = if largest { nulls.into_iter().chain(values).collect() } else { values.into_iter().chain(nulls).collect() };
    }
    let idx: Vec<i64> = order[..take].iter().map(|&i| i as i64).collect();
    gather(v, &idx)
}

/// `(xrank n v)`: bucket `floor(i * n / len)` for the element at sorted
/// position `i` (stable, nulls first, SYM by name), in the original order.
fn xrank(args: &[Value]) -> Result<Value> {
    let n = count_arg(&args[0]).ok_or_else(|| RayError::type_err("xrank: first arg must be integer"))?;
    let v = &args[1];
    if !is_typed_vector(v) {
        return Err(RayError::type_err("xrank: second arg must be a vector"));
    }
    let len = v.len() as usize;
    if n <= 0 || len == 0 {
        return vec_from::<i64>(RAY_I64, Vec::new());
    }
    let mut out = vec![0i64; len];
    for (pos, &i) in grade(v, false)?.iter().enumerate() {
        out[i] = (pos as i128 * n as i128 / len as i128) as i64;
    }
    vec_from(RAY_I64, out)
}

/// The elements `cross` pairs up: a vector's or LIST's items, or the
/// value itself (a string atom is one atom).
fn cross_items(v: &ray_t) -> Result<Vec<Value>> {
    match v.type_ {
        t if t < 0 => Ok(vec![v.to_value()]),
        t if t <= RAY_STR => Ok((0..count(v) as usize).map(|i| elem(v, i)).collect()),
        _ => Err(RayError::type_err("cross: expected atoms or vectors/lists")),
    }
}

/// The cartesian product as a LIST of two-item LISTs, `a` varying slowest.
fn cross(args: &[Value]) -> Result<Value> {
    let a = cross_items(&args[0])?;
    let b = cross_items(&args[1])?;
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in &a {
        for y in &b {
            out.push(Value::list(vec![x.clone(), y.clone()]));
        }
    }
    Ok(Value::list(out))
}

/// True when the elements are pairwise distinct (two nulls are equal;
/// numbers compare by value across types, as `1` and `1.0` do).
fn diverse(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    if v.type_ < 0 {
        return Ok(Value::bool(true));
    }
    if v.type_ > RAY_STR {
        return Err(RayError::type_err("diverse expects a collection"));
    }
    let n = v.len() as usize;
    let distinct = if v.type_ == RAY_LIST {
        let ks: Vec<Vec<u8>> = v.items().iter().map(|x| x.map_or_else(Vec::new, value_key)).collect();
        let mut seen = std::collections::HashSet::with_capacity(n);
        ks.into_iter().filter(|k| seen.insert(k.clone())).count()
    } else {
        groups(&keys(v)?).0.len()
    };
    Ok(Value::bool(distinct == n))
}

/// An equality key where numeric atoms compare by value (`1` = `1.0`).
fn value_key(x: &ray_t) -> Vec<u8> {
    if x.type_ < 0 && is_numeric(-x.type_) {
        let f = crate::lang::builtins::num::atom_f64(x);
        let bits = if f.is_nan() { f64::NAN.to_bits() } else { (f + 0.0).to_bits() };
        let mut k = vec![b'n'];
        k.extend_from_slice(&bits.to_le_bytes());
        return k;
    }
    key_of(x)
}

/// The collection argument of `prior`/`scan-right`: a vector or LIST.
fn walked<'a>(name: &str, args: &'a [Value], min_err: &str) -> Result<(&'a Value, &'a Value)> {
    if args.len() < 2 {
        return Err(RayError::domain(format!("{name}: {min_err}, got {}", args.len())));
    }
    let v = &args[1];
    if v.type_ < 0 || v.type_ > RAY_STR {
        return Err(RayError::type_err(format!("{name}: vec arg must be a list, got {}", type_name(v.type_))));
    }
    Ok((&args[0], v))
}

/// The comparison builtins `prior` answers with a B8 vector, and the value
/// of its first element (`v[0]` compared with itself).
fn comparison(f: &ray_t) -> Option<(&'static str, bool)> {
    if !f.is_builtin() {
        return None;
    }
    let name = sym::with_names(|n| n(f.builtin_name_id()).to_vec());
    [("<", false), (">", false), ("<=", true), (">=", true), ("==", true), ("!=", false)]
        .into_iter()
        .find(|(s, _)| s.as_bytes() == name.as_slice())
}

/// `(prior f v)`: `out[i] = (f v[i] v[i-1])`, `out[0] = (f v[0] v[0])`.
fn prior(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let (f, v) = walked("prior", args, "requires fn and vec args")?;
    let n = count(v) as usize;
    let fast_type = matches!(v.type_, RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_F64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP);
    let cmp = comparison(f).filter(|(name, _)| {
        let sym_ok = v.type_ == RAY_SYM && matches!(*name, "==" | "!=");
        n > 0 && (fast_type || sym_ok) && v.attrs & RAY_ATTR_HAS_NULLS == 0
    });
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let prev = elem(v, i.saturating_sub(1));
        out.push(super::higher::apply_pair(ev, f, vec![elem(v, i), prev])?);
    }
    if let Some((_, first)) = cmp {
        let mut bits: Vec<u8> = out.iter().map(|b| u8::from(crate::ops::truthy(b))).collect();
        bits[0] = u8::from(first);
        return vec_from(RAY_BOOL, bits);
    }
    Ok(Value::list(out))
}

/// `(scan-right f v)`: `out[n-1] = v[n-1]`, `out[i] = (f v[i] out[i+1])`;
/// always a LIST. A third argument is ignored, as in the reference.
fn scan_right(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let (f, v) = walked("scan-right", args, "requires at least 2 args (fn and vec)")?;
    let n = count(v) as usize;
    let mut out: Vec<Value> = Vec::with_capacity(n);
    for i in (0..n).rev() {
        let x = elem(v, i);
        let next = match out.last() {
            None => x,
            Some(acc) => super::higher::apply_pair(ev, f, vec![x, acc.clone()])?,
        };
        out.push(next);
    }
    out.reverse();
    Ok(Value::list(out))
}
