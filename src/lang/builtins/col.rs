//! Builtins: linked columns, `.col.link`, `.col.unlink`, `.col.link?`,
//! `.col.target`. A link marks an I32/I64 column as row indexes into the
//! table a global symbol names (`fkeys` lists them); it is a mark on the
//! vector only: nothing follows it automatically, and derived vectors
//! (arithmetic, filtered rows, casts) come out unlinked, as in the
//! reference. Saved tables keep it in a `<column>.link` sidecar
//! (`store::splayed`).
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, env};
use crate::lang::registry::Builtin;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".col.link", RAY_BINARY, link),
    Builtin::pure(".col.unlink", RAY_UNARY, unlink),
    Builtin::pure(".col.link?", RAY_UNARY, is_linked),
    Builtin::pure(".col.target", RAY_UNARY, target),
];

/// `(.col.link 'table column)`: the column linked to the table that the
/// global `table` holds. Checks in the reference's order: the target is a
/// symbol (`type`), the column is I32/I64 (`type`), the symbol names a
/// table (`name`).
fn link(args: &[Value]) -> Result<Value> {
    let (target, column) = (&args[0], &args[1]);
    if target.type_ != -RAY_SYM {
        return Err(RayError::type_err("(.col.link target v): target must be a sym"));
    }
    let id = target.i64_val();
    let mut out = column.clone();
    out.set_link_target(Some(id))?;
    if env::get(id).is_none_or(|t| t.type_ != RAY_TABLE) {
        return Err(RayError::new("name", "link: target sym does not name a table"));
    }
    Ok(out)
}

/// `(.col.unlink v)`: `v` without its link; anything unlinked as it is.
fn unlink(args: &[Value]) -> Result<Value> {
    let mut out = args[0].clone();
    if out.link_target().is_some() {
        out.set_link_target(None)?;
    }
    Ok(out)
}

fn is_linked(args: &[Value]) -> Result<Value> {
    Ok(Value::bool(args[0].link_target().is_some()))
}

/// `(.col.target v)`: the linked table's name, null when `v` has no link.
fn target(args: &[Value]) -> Result<Value> {
    Ok(args[0].link_target().map_or_else(Value::null, Value::sym_id))
}
