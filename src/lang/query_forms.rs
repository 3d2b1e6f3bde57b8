//! The query forms called with an argument array from outside Rayfall
//! source: the bodies behind the C entry points `ray_select`,
//! `ray_update`, `ray_insert` and `ray_upsert` (storage.md section 9).
//!
//! The arguments are what the parser would hand the special forms:
//! unevaluated expressions. `select`/`update` take the query dict as
//! written (`from:` and the clauses are evaluated by `crate::query`);
//! `insert`/`upsert` evaluate each argument, unless the first is already a
//! TABLE, in which case every argument is taken as a value. A first
//! argument that evaluates to a symbol names a global table, which is
//! replaced and the symbol returned.
//!
//! This module owns that argument convention and the arity checks; the
//! query kernels are `crate::query`, the pointer handling `ffi::query`.
#![forbid(unsafe_code)]

use super::RequestCtx;
use super::eval::Evaluator;
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ops::type_name_of;
use crate::query;

fn at_least(who: &str, args: &[Value], n: usize) -> Result<()> {
    if args.len() < n {
        return Err(RayError::new("arity", format!("{who}: expected at least {n} args, got {}", args.len())));
    }
    Ok(())
}

/// The query dict of `select`/`update`: `args[0]`, a DICT.
fn query_dict<'a>(who: &str, args: &'a [Value]) -> Result<&'a Value> {
    at_least(who, args, 1)?;
    let q = &args[0];
    if q.type_ != RAY_DICT {
        return Err(RayError::type_err(format!("{who}: expected a query dict, got {}", type_name_of(q))));
    }
    Ok(q)
}

/// `ray_select`: `args[0]` is a query dict (`{from: t where: ... col: expr}`).
pub fn select(args: &[Value], ctx: RequestCtx) -> Result<Value> {
    let q = query_dict("select", args)?;
    super::ensure_bound();
    query::select(q, &mut Evaluator::new(ctx))
}

/// `ray_update`: like [`select`]; `from: 't` updates the global `t` and
/// returns the symbol.
pub fn update(args: &[Value], ctx: RequestCtx) -> Result<Value> {
    let q = query_dict("update", args)?;
    super::ensure_bound();
    query::update(q, &mut Evaluator::new(ctx))
}

/// The argument values of `insert`/`upsert`: as given when the first is a
/// TABLE, else each one evaluated. Read-only requests may not insert
/// (the `insert`/`upsert` rows are restricted).
fn values(args: &[Value], ctx: RequestCtx) -> Result<Vec<Value>> {
    if ctx.restricted {
        return Err(RayError::new("access", "insert/upsert on a read-only request"));
    }
    if args[0].type_ == RAY_TABLE {
        return Ok(args.to_vec());
    }
    super::ensure_bound();
    let mut ev = Evaluator::new(ctx);
    args.iter().map(|a| ev.eval(a)).collect()
}

/// `ray_insert`: `(insert target rows)` with `n >= 2` arguments.
pub fn insert(args: &[Value], ctx: RequestCtx) -> Result<Value> {
    at_least("insert", args, 2)?;
    query::insert(&values(args, ctx)?)
}

/// `ray_upsert`: `(upsert target key rows)` with `n >= 3` arguments.
pub fn upsert(args: &[Value], ctx: RequestCtx) -> Result<Value> {
    at_least("upsert", args, 3)?;
    query::upsert(&values(args, ctx)?)
}
