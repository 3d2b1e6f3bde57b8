//! Builtins: math (builtins.md section 4): the trigonometric `sin cos tan
//! asin acos atan`, `signum`, and the binary searches `bin`/`binr`
//! (`reciprocal` lives with the arithmetic family).
//!
//! Trigonometric atoms are computed as the C library does and are not
//! normalised: an out-of-domain `(asin 2)` is a NaN atom without the null
//! flag, exactly as the reference answers (its corpus case math-006 pins
//! the bytes); vectors turn every NaN/Inf into a flagged null. This module
//! owns those element rules; it must not know about queries.
#![forbid(unsafe_code)]

use super::num::{atom_f64, finish, map1, widen_f, widen_i};
use super::spec::Builtin;
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::{collect, is_numeric, type_name};

const fn unary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_UNARY, f).row_wise()
}

pub const BUILTINS: &[Builtin] = &[
    unary("sin", sin),
    unary("asin", asin),
    unary("cos", cos),
    unary("acos", acos),
    unary("tan", tan),
    unary("atan", atan),
    unary("signum", signum),
    Builtin::pure("bin", RAY_BINARY, bin),
    Builtin::pure("binr", RAY_BINARY, binr),
];

fn sin(args: &[Value]) -> Result<Value> {
    trig("sin", &args[0], f64::sin)
}
fn asin(args: &[Value]) -> Result<Value> {
    trig("asin", &args[0], f64::asin)
}
fn cos(args: &[Value]) -> Result<Value> {
    trig("cos", &args[0], f64::cos)
}
fn acos(args: &[Value]) -> Result<Value> {
    trig("acos", &args[0], f64::acos)
}
fn tan(args: &[Value]) -> Result<Value> {
    trig("tan", &args[0], f64::tan)
}
fn atan(args: &[Value]) -> Result<Value> {
    trig("atan", &args[0], f64::atan)
}

fn numeric_error(name: &str, v: &ray_t) -> RayError {
    RayError::type_err(format!("{name}: expects a numeric argument, got {}", type_name(v.type_)))
}

/// True for a numeric atom or a numeric typed vector.
fn numeric_operand(v: &ray_t) -> bool {
    (v.type_ < 0 && is_numeric(-v.type_)) || (v.type_ > 0 && is_numeric(v.type_))
}

/// Maps `name` over a LIST's items; all-atom results collapse to a vector,
/// an empty LIST gives an empty vector of `empty_type`.
fn over_list(name: &str, v: &ray_t, empty_type: i8, f: impl Fn(&ray_t) -> Result<Value>) -> Result<Value> {
    if v.is_empty() {
        return Value::vec_with_capacity(empty_type, 0);
    }
    let mut out = Vec::with_capacity(v.len() as usize);
    for item in v.items() {
        let x = item.ok_or_else(|| RayError::type_err(format!("{name}: expects a numeric argument, got null")))?;
        out.push(f(x)?);
    }
    collect(out)
}

fn trig(name: &str, v: &ray_t, f: fn(f64) -> f64) -> Result<Value> {
    if v.type_ == RAY_LIST {
        return over_list(name, v, RAY_F64, |x| trig(name, x, f));
    }
    // A null atom of any type (temporal ones too) gives the null.
    if v.type_ < 0 && v.is_null_atom() {
        return Ok(crate::ops::typed_null(RAY_F64));
    }
    if !numeric_operand(v) {
        return Err(numeric_error(name, v));
    }
    if v.type_ < 0 {
        let y = f(atom_f64(v));
        return Ok(Value::f64(if y.is_nan() { f64::NAN } else { y }));
    }
    let r = map1(&widen_f(v), RAY_F64, |x| {
        let y = f(x);
        if y.is_finite() { y } else { f64::NAN }
    })?;
    finish(r, false, true)
}

fn signum(args: &[Value]) -> Result<Value> {
    signum_of(&args[0])
}

fn signum_of(v: &ray_t) -> Result<Value> {
    if v.type_ == RAY_LIST {
        return over_list("signum", v, RAY_I64, signum_of);
    }
    // A null date/time/timestamp atom is answered before the type check: 0Nl
    // (a vector of them, or any other temporal value, is the type error).
    if v.type_ < 0 && matches!(-v.type_, RAY_DATE | RAY_TIME | RAY_TIMESTAMP) && v.is_null_atom() {
        return Value::typed_null(-RAY_I64);
    }
    if !numeric_operand(v) {
        return Err(numeric_error("signum", v));
    }
    let r = map1(&widen_f(v), RAY_I64, |x| {
        if x.is_nan() {
            NULL_I64
        } else {
            (x > 0.0) as i64 - (x < 0.0) as i64
        }
    })?;
    finish(r, v.type_ < 0, true)
}

fn bin(args: &[Value]) -> Result<Value> {
    search("bin", args, |s, x| {
        // Inclusive bounds, midpoint rounded down: the probe order matters
        // on unsorted input, which is searched as it is.
        let (mut lo, mut hi, mut found) = (0i64, s.len() as i64 - 1, -1i64);
        while lo <= hi {
            let mid = lo + (hi - lo) / 2;
            if s[mid as usize] <= x {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        found
    })
}

/// Like `bin` from the other side: the first index at or above `x`, or the
/// last index when every element is smaller (-1 on an empty vector).
fn binr(args: &[Value]) -> Result<Value> {
    search("binr", args, |s, x| {
        let (mut lo, mut hi, mut found) = (0i64, s.len() as i64 - 1, s.len() as i64 - 1);
        while lo <= hi {
            let mid = lo + (hi - lo) / 2;
            if s[mid as usize] >= x {
                found = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        found
    })
}

/// `(bin sorted x)`: `sorted` an I64 vector, `x` an i64/i32 atom or an I64
/// vector. The reference reads an i32 atom's bits zero-extended (a negative
/// i32 searches as a huge number); we use its value (README deviations).
fn search(name: &str, args: &[Value], find: fn(&[i64], i64) -> i64) -> Result<Value> {
    let (sorted, x) = (&args[0], &args[1]);
    if sorted.type_ != RAY_I64 {
        return Err(RayError::type_err(format!("{name}: sorted arg must be an i64 vector, got {}", type_name(sorted.type_))));
    }
    let s = sorted.elems::<i64>();
    match x.type_ {
        t if t == -RAY_I64 || t == -RAY_I32 => Ok(Value::i64(find(s, widen_i(x, 1)[0]))),
        RAY_I64 => map1(x.elems::<i64>(), RAY_I64, |v| find(s, v)),
        _ => Err(RayError::type_err(format!("{name}: val must be an i64 atom or vector, got {}", type_name(x.type_)))),
    }
}
