//! Argument helpers shared by the builtin families: arity checks, typed
//! argument readers and the error constructors, so `type`, `arity`,
//! `domain` and `length` errors read the same everywhere.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};

/// How deep the builtins that map over nested LISTs may recurse before
/// answering `limit` (the value may nest deeper than any stack allows).
pub const MAX_MAP_DEPTH: usize = 256;

/// Checks a recursion depth against `MAX_MAP_DEPTH`.
pub fn check_depth(name: &str, depth: usize) -> Result<()> {
    if depth > MAX_MAP_DEPTH {
        Err(RayError::new("limit", format!("{name}: nesting too deep")))
    } else {
        Ok(())
    }
}

/// The `arity` error (wrong number of arguments).
pub fn arity_err(name: &str, want: &str, got: usize) -> RayError {
    RayError::new("arity", format!("{name}: expected {want} argument(s), got {got}"))
}

/// The `type` error with a message naming the builtin.
pub fn type_err(name: &str, what: &str) -> RayError {
    RayError::type_err(format!("{name}: {what}"))
}

/// The `domain` error with a message naming the builtin.
pub fn domain_err(name: &str, what: &str) -> RayError {
    RayError::domain(format!("{name}: {what}"))
}

/// The `length` error with a message naming the builtin.
pub fn length_err(name: &str, what: &str) -> RayError {
    RayError::length(format!("{name}: {what}"))
}

/// Checks that exactly `n` arguments were passed.
pub fn expect_arity(name: &str, args: &[Value], n: usize) -> Result<()> {
    if args.len() == n { Ok(()) } else { Err(arity_err(name, &n.to_string(), args.len())) }
}

/// Checks that between `lo` and `hi` arguments were passed.
pub fn expect_arity_range(name: &str, args: &[Value], lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&args.len()) {
        Ok(())
    } else {
        Err(arity_err(name, &format!("{lo}..{hi}"), args.len()))
    }
}

/// Argument `i`, or an `arity` error when it is missing.
pub fn arg<'a>(name: &str, args: &'a [Value], i: usize) -> Result<&'a Value> {
    args.get(i).ok_or_else(|| arity_err(name, &(i + 1).to_string(), args.len()))
}

/// True for integer atom types (bool excluded): u8 i16 i32 i64.
pub fn is_int_atom(x: &ray_t) -> bool {
    matches!(-x.type_, RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64) && x.type_ < 0
}

/// The value of an integer atom widened to i64 (nulls become `NULL_I64`).
pub fn int_atom_value(x: &ray_t) -> Option<i64> {
    if x.type_ >= 0 {
        return None;
    }
    match -x.type_ {
        RAY_U8 => Some(x.u8_val() as i64),
        RAY_I16 => Some(if x.i16_val() == NULL_I16 { NULL_I64 } else { x.i16_val() as i64 }),
        RAY_I32 => Some(if x.i32_val() == NULL_I32 { NULL_I64 } else { x.i32_val() as i64 }),
        RAY_I64 => Some(x.i64_val()),
        _ => None,
    }
}

/// Reads an integer atom argument (`type` error otherwise).
pub fn int_arg(name: &str, args: &[Value], i: usize) -> Result<i64> {
    let x = arg(name, args, i)?;
    int_atom_value(x).ok_or_else(|| type_err(name, "expected an integer atom"))
}

/// Reads a STR atom argument's bytes (`type` error otherwise).
pub fn str_arg<'a>(name: &str, args: &'a [Value], i: usize) -> Result<&'a [u8]> {
    let x = arg(name, args, i)?;
    if x.type_ == -RAY_STR { Ok(x.str_bytes()) } else { Err(type_err(name, "expected a string")) }
}

/// Reads a SYM atom argument's id (`type` error otherwise).
pub fn sym_arg(name: &str, args: &[Value], i: usize) -> Result<i64> {
    let x = arg(name, args, i)?;
    if x.type_ == -RAY_SYM { Ok(x.i64_val()) } else { Err(type_err(name, "expected a symbol")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_arguments_are_arity_errors() {
        let args = [Value::i64(1)];
        assert_eq!(arg("f", &args, 1).unwrap_err().code_str(), "arity");
        assert_eq!(expect_arity("f", &args, 2).unwrap_err().code_str(), "arity");
        assert!(expect_arity_range("f", &args, 1, 3).is_ok());
    }

    #[test]
    fn integer_atoms_widen_and_keep_nulls() {
        assert_eq!(int_atom_value(&Value::i32(-5)), Some(-5));
        assert_eq!(int_atom_value(&Value::typed_null(-RAY_I32).unwrap()), Some(NULL_I64));
        assert_eq!(int_atom_value(&Value::f64(1.0)), None);
        assert_eq!(int_arg("f", &[Value::bool(true)], 0).unwrap_err().code_str(), "type");
    }
}
