//! Argument helpers the evaluator and its builtin families share: arity
//! errors worded as the reference words them, integer and symbol arguments,
//! small result dicts. Element access, type names and truthiness are
//! kernels: see `crate::ops`.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

/// The symbol name of a SYM atom.
pub fn sym_str(v: &ray_t) -> &'static [u8] {
    sym::name_or_empty(v.i64_val())
}

/// A fixed-arity builtin called with `got` arguments (`expected 1 arg, got 0`).
pub fn builtin_arity_err(expected: usize, got: usize) -> RayError {
    let unit = if expected == 1 { "arg" } else { "args" };
    RayError::new("arity", format!("expected {expected} {unit}, got {got}"))
}

/// A lambda or variadic builtin called with `got` arguments; the reference
/// words these `expected N args` whatever N is.
pub fn arity_err(expected: &str, got: usize) -> RayError {
    RayError::new("arity", format!("expected {expected} args, got {got}"))
}

/// Checks a variadic builtin's argument count.
pub fn need_args(args: &[Value], min: usize, max: usize) -> Result<()> {
    if args.len() < min || args.len() > max {
        let e = if min == max { min.to_string() } else { format!("{min}-{max}") };
        return Err(arity_err(&e, args.len()));
    }
    Ok(())
}

/// The i64 value of an integer atom (any width), else `type`.
pub fn int_arg(v: &ray_t, what: &str) -> Result<i64> {
    match -v.type_ {
        RAY_I64 => Ok(v.i64_val()),
        RAY_I32 => Ok(v.i32_val() as i64),
        RAY_I16 => Ok(v.i16_val() as i64),
        RAY_U8 | RAY_BOOL => Ok(v.u8_val() as i64),
        _ => Err(RayError::type_err(format!("{what}: expected an integer"))),
    }
}

/// A DICT with SYM keys and a LIST of values.
pub fn sym_dict(pairs: Vec<(&str, Value)>) -> Result<Value> {
    let ids: Vec<i64> = pairs.iter().map(|(k, _)| sym::intern(k.as_bytes())).collect();
    Ok(Value::dict(Value::sym_vec(&ids)?, Value::list(pairs.into_iter().map(|p| p.1).collect())))
}
