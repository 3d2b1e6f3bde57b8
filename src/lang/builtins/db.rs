//! Builtins: the on-disk database family, `.db.splayed.set`,
//! `.db.splayed.get`, `.db.parted.get`, `.db.parted.tables`,
//! `.db.parted.fill`. Thin adapters: they check arguments the way the
//! reference does (arity errors are `domain`, paths are non-empty strings
//! under 1024 bytes) and call `crate::store`. Writers are restricted.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::lang::registry::Builtin;
use crate::ops::type_name_of as type_name;
use crate::store::{parted, splayed};
use std::path::PathBuf;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".db.splayed.set", RAY_VARY, splayed_set).accepts_parted().restricted(),
    Builtin::pure(".db.splayed.get", RAY_VARY, splayed_get),
    Builtin::pure(".db.parted.get", RAY_VARY, parted_get),
    Builtin::pure(".db.parted.tables", RAY_VARY, parted_tables),
    Builtin::pure(".db.parted.fill", RAY_VARY, parted_fill).restricted(),
];

/// Longest path argument (bytes), as in the reference.
const MAX_PATH: usize = 1023;

fn arity(name: &str, min: usize, max: usize, args: &[Value]) -> Result<()> {
    if (min..=max).contains(&args.len()) {
        return Ok(());
    }
    let want = if min == max { min.to_string() } else { format!("{min} or {max}") };
    Err(RayError::domain(format!("{name} expects {want} arguments, got {}", args.len())))
}

fn is_str(v: &Value) -> bool {
    v.type_ == -RAY_STR
}

/// A directory path argument: a non-empty STR atom under 1024 bytes.
fn dir_arg(name: &str, v: &Value) -> Result<PathBuf> {
    let ok = is_str(v) && !v.str_bytes().is_empty() && v.str_bytes().len() <= MAX_PATH;
    if !ok {
        return Err(RayError::type_err(format!("{name} expects a string dir path, got {}", type_name(v))));
    }
    Ok(path_of(v.str_bytes()))
}

/// A path from a string's bytes, cut at a NUL as a C path would be.
fn path_of(bytes: &[u8]) -> PathBuf {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    PathBuf::from(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

/// An optional symbol file argument: used when a string, else ignored.
fn sym_arg(args: &[Value], i: usize) -> Option<PathBuf> {
    args.get(i).filter(|v| is_str(v) && !v.str_bytes().is_empty()).map(|v| path_of(v.str_bytes()))
}

fn splayed_set(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".db.splayed.set";
    arity(NAME, 2, 3, args)?;
    let dir = dir_arg(NAME, &args[0])?;
    let table = &args[1];
    if parted::is_parted(table) {
        return Err(RayError::new("nyi", format!("{NAME}: a partitioned table cannot be splayed")));
    }
    if table.type_ != RAY_TABLE {
        return Err(RayError::type_err(format!("{NAME} expects a table, got {}", type_name(table))));
    }
    splayed::save(&dir, table, sym_arg(args, 2).as_deref())?;
    Ok(table.clone())
}

fn splayed_get(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".db.splayed.get";
    arity(NAME, 1, 2, args)?;
    let dir = dir_arg(NAME, &args[0])?;
    splayed::load(&dir, sym_arg(args, 1).as_deref())
}

fn parted_get(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".db.parted.get";
    arity(NAME, 2, 2, args)?;
    let root = dir_arg(NAME, &args[0])?;
    if args[1].type_ != -RAY_SYM {
        return Err(RayError::type_err(format!("{NAME} expects a table name symbol, got {}", type_name(&args[1]))));
    }
    let table = crate::core::sym::name_or_empty(args[1].i64_val());
    parted::load(&root, table)
}

fn parted_tables(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".db.parted.tables";
    arity(NAME, 1, 1, args)?;
    parted::tables(&dir_arg(NAME, &args[0])?)
}

fn parted_fill(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".db.parted.fill";
    arity(NAME, 1, 1, args)?;
    parted::fill(&dir_arg(NAME, &args[0])?)
}
