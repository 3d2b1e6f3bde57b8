//! Builtins: CSV family (`.csv.read`/`read-csv`, `.csv.write`/`write-csv`,
//! `.csv.splayed`, `.csv.parted`),
//! thin adapters from Rayfall arguments to `crate::store::csv`. All are
//! restricted: they read and write files.
#![forbid(unsafe_code)]

use super::spec::Builtin;
use super::util_args::{str_arg, type_err};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::store::csv::{self, ColType, ReadOptions};
use std::path::Path;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".csv.read", RAY_VARY, read).args(1, 3).restricted(),
    Builtin::pure("read-csv", RAY_VARY, read).args(1, 3).restricted(),
    Builtin::pure(".csv.write", RAY_BINARY, write).restricted(),
    Builtin::pure(".csv.splayed", RAY_VARY, splayed).args(2, 4).restricted(),
    Builtin::pure(".csv.parted", RAY_VARY, parted).args(3, 6).restricted(),
    Builtin::pure("write-csv", RAY_BINARY, write).restricted(),
];

const READ: &str = "read-csv";

/// A path argument: a non-empty string.
fn path_arg<'a>(name: &str, args: &'a [Value], i: usize) -> Result<&'a Path> {
    let p = str_arg(name, args, i)?;
    let s = std::str::from_utf8(p).map_err(|_| type_err(name, "path is not UTF-8"))?;
    if s.is_empty() {
        return Err(type_err(name, "empty path"));
    }
    Ok(Path::new(s))
}

/// The names of a SYM vector argument.
fn sym_names(v: &ray_t, what: &str) -> Result<Vec<Vec<u8>>> {
    if v.type_ != RAY_SYM {
        return Err(type_err(READ, what));
    }
    Ok((0..v.len().max(0) as usize).map(|i| sym::name_or_empty(v.sym_at(i)).to_vec()).collect())
}

/// The options of the arguments before the source path: `[[NAMES] TYPES]`.
fn schema_opts(lead: &[Value]) -> Result<ReadOptions> {
    let mut opts = ReadOptions::default();
    if let Some(schema) = lead.last() {
        let names = sym_names(schema, "schema must be a symbol vector")?;
        if names.len() > csv::MAX_COLUMNS {
            return Err(RayError::new("limit", "read-csv: schema has more than 256 types"));
        }
        let types = names
            .iter()
            .map(|n| ColType::from_name(n))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| type_err(READ, "unknown column type name in schema"))?;
        opts.types = Some(types);
    }
    if lead.len() == 2 {
        let names = sym_names(&lead[0], "column names must be a symbol vector")?;
        if Some(names.len()) != opts.types.as_ref().map(Vec::len) {
            return Err(RayError::length("read-csv: names and types differ in length"));
        }
        opts.names = Some(names);
    }
    Ok(opts)
}

fn read(args: &[Value]) -> Result<Value> {
    let path = path_arg(READ, args, args.len() - 1)?;
    csv::read(path, schema_opts(&args[..args.len() - 1])?)
}

/// `([[NAMES] TYPES] SRC DIR)`.
fn splayed(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".csv.splayed";
    let n = args.len();
    let dir = path_arg(NAME, args, n - 1)?;
    let src = path_arg(NAME, args, n - 2)?;
    csv::to_splayed(src, dir, schema_opts(&args[..n - 2])?)
}

/// `([[NAMES] TYPES] SRC [ROWS] ROOT 'NAME)`.
fn parted(args: &[Value]) -> Result<Value> {
    const NAME: &str = ".csv.parted";
    let n = args.len();
    if args[n - 1].type_ != -RAY_SYM {
        return Err(type_err(NAME, "table name must be a symbol"));
    }
    let table = sym::name_or_empty(args[n - 1].i64_val());
    let root = path_arg(NAME, args, n - 2)?;
    let (rows, src_at) = match args.get(n.wrapping_sub(3)) {
        Some(r) if r.type_ < 0 && r.type_ != -RAY_STR && n >= 4 => {
            (super::util_args::int_atom_value(r).ok_or_else(|| type_err(NAME, "rows must be an integer"))?, n - 4)
        }
        _ => (1_000_000, n - 3),
    };
    let src = path_arg(NAME, args, src_at)?;
    csv::to_parted(src, root, table, rows, schema_opts(&args[..src_at])?)
}

fn write(args: &[Value]) -> Result<Value> {
    if args[0].type_ != RAY_TABLE {
        return Err(type_err("write-csv", "expected a table"));
    }
    let path = path_arg("write-csv", args, 1)?;
    csv::write(&args[0], path, &|x| crate::lang::format(x, 0).into_bytes())?;
    Ok(Value::i64(0))
}
