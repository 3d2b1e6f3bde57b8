//! Names that exist only inside `select` expressions (builtins.md 9): the
//! calls `(year c) (month c) (day c) (hour c) (minute c) (second c)
//! (dayofweek c) (dayofyear c)` and `(ilike c pattern)`, and the dotted
//! truncations `c.year c.month c.date c.hour c.time`. Outside a query these
//! names stay undefined (`name`), as in RayforceDB. Also the query-only
//! rule that a string compared with a SYM column is a symbol.
//!
//! This module owns the name tables and the conversion of DATE/TIME input
//! to timestamps; the evaluator asks it only while a query's columns are in
//! scope and the name is otherwise unbound. The field and pattern kernels
//! are the temporal and string families'.
#![forbid(unsafe_code)]

use super::{string, temporal};
use crate::core::{RayError, Result, Value};

/// True when `(name ...)` with `nargs` arguments is a query-only call.
pub fn is_call(name: &[u8], nargs: usize) -> bool {
    match nargs {
        1 => temporal::field_accessor(name).is_some(),
        2 => name == b"ilike",
        _ => false,
    }
}

/// Runs the query-only call `name` (checked by [`is_call`]) on evaluated args.
pub fn run(name: &[u8], args: &[Value]) -> Result<Value> {
    match temporal::field_accessor(name) {
        Some(accessor) if args.len() == 1 => {
            let ts = temporal::as_timestamps(&args[0])
                .unwrap_or_else(|| Err(RayError::type_err(format!("{}: expected a temporal column", String::from_utf8_lossy(name)))))?;
            accessor(&[ts])
        }
        _ => string::ilike(args),
    }
}

/// `x.name` inside a query: the truncation of DATE/TIME/TIMESTAMP `x` to
/// the named unit, as TIMESTAMP; None when `name` is not one or `x` is not
/// temporal.
pub fn dotted(x: &Value, name: &[u8]) -> Option<Result<Value>> {
    let trunc = temporal::truncation(name)?;
    let ts = temporal::as_timestamps(x)?;
    Some(ts.and_then(|ts| temporal::map_ts(&ts, trunc)))
}

/// Inside a query a comparison between a SYM column (or symbol) and a
/// string compares by name, as RayforceDB's queries do (`(== sym "AAPL")`):
/// the string argument of `== != < > <= >=` becomes the symbol of that
/// name. Outside queries the two types stay incomparable (`type`).
pub fn strings_as_symbols(name: &str, args: &mut [Value]) {
    use crate::abi::{RAY_STR, RAY_SYM};
    if !matches!(name, "==" | "!=" | "<" | ">" | "<=" | ">=") || args.len() != 2 {
        return;
    }
    let is_sym = |v: &Value| v.type_ == RAY_SYM || v.type_ == -RAY_SYM;
    for (text, other) in [(0, 1), (1, 0)] {
        if args[text].type_ == -RAY_STR && is_sym(&args[other]) {
            let id = crate::core::sym::intern(args[text].str_bytes());
            args[text] = Value::sym_id(id);
        }
    }
}
