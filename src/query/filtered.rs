//! Evaluating a query expression over the rows that pass `where:`
//! (builtins.md 0.4), for `select` without `by:` and for `update`:
//!
//! * each uniform call (order-dependent and length-preserving: `msum`,
//!   `lag`, `sums`, ...) runs over the whole, unfiltered columns, and the
//!   filter applies to its result;
//! * each spread aggregate (`var dev stddev_pop ...`) runs the query's
//!   moments kernel ([`super::moments`], the same as per group) over its
//!   argument on the kept rows;
//! * everything else (other aggregates included) sees only the kept rows.
#![forbid(unsafe_code)]

use super::Evaluator;
use super::agg::Agg;
use super::expr;
use super::view::View;
use crate::abi::*;
use crate::core::{Result, Value, sym};
use crate::ops::{gather_ix, is_collection as is_column};

/// Evaluates `e` over `view`, the rows of `full` that pass `where:` (`view`
/// may be `full` itself), with the rules of this module.
pub fn eval_filtered(ev: &mut dyn Evaluator, full: &View, view: &View, e: &ray_t) -> Result<Value> {
    let mut temps: Vec<(i64, Value)> = Vec::new();
    if !expr::contains_call(e, &is_spread_call) {
        return eval_uniform_whole(ev, full, view, e, &temps);
    }
    let rewritten = bind_calls(e, &is_spread_call, &mut temps, &mut |call, _| {
        match spread_of_call(ev, full, view, call)? {
            Some(v) => Ok(v),
            None => eval_uniform_whole(ev, full, view, call, &[]),
        }
    })?;
    eval_uniform_whole(ev, full, view, &rewritten, &temps)
}

/// True for `(f x)` where `f` is a spread aggregate.
fn is_spread_call(e: &ray_t) -> bool {
    spread_kind(e).is_some()
}

fn spread_kind(e: &ray_t) -> Option<(super::moments::Spread, &ray_t)> {
    let (traits, args) = expr::call_traits(e)?;
    match (traits.grouped, args.as_slice()) {
        (Some(Agg::Spread(kind)), [arg]) => Some((kind, *arg)),
        _ => None,
    }
}

/// The spread `call` over the kept rows by the moments kernel (None for an
/// argument that is no numeric or temporal column: left to the builtin).
fn spread_of_call(ev: &mut dyn Evaluator, full: &View, view: &View, call: &ray_t) -> Result<Option<Value>> {
    let Some((kind, arg)) = spread_kind(call) else { return Ok(None) };
    let col = eval_filtered(ev, full, view, arg)?;
    Ok(if is_column(&col) { super::moments::spread_of_column(kind, &col) } else { None })
}

/// `e` with each outermost call for which `is_target` holds replaced by a
/// fresh name bound in `temps` to `value_of(call)`.
fn bind_calls(
    e: &ray_t,
    is_target: &dyn Fn(&ray_t) -> bool,
    temps: &mut Vec<(i64, Value)>,
    value_of: &mut dyn FnMut(&ray_t, &[(i64, Value)]) -> Result<Value>,
) -> Result<Value> {
    let mut failed = None;
    let rewritten = expr::replace_calls(e, is_target, &mut |call| {
        if failed.is_some() {
            return None;
        }
        match value_of(call, temps) {
            Ok(v) => {
                let id = sym::intern(format!("\u{1}query{}", temps.len()).as_bytes());
                temps.push((id, v));
                Some(id)
            }
            Err(err) => {
                failed = Some(err);
                None
            }
        }
    });
    match (failed, rewritten) {
        (Some(err), _) => Err(err),
        (None, Some(v)) => Ok(v),
        // `value_of` never declines: only an empty item in `e` stops the
        // rewrite; `e` is then evaluated as written (and fails there).
        (None, None) => Ok(e.to_value()),
    }
}

/// `e` over `view` with `temps` in scope, its uniform calls evaluated over
/// the whole of `full` and filtered to the view's rows.
fn eval_uniform_whole(ev: &mut dyn Evaluator, full: &View, view: &View, e: &ray_t, temps: &[(i64, Value)]) -> Result<Value> {
    let temp = |temps: &[(i64, Value)], id: i64| temps.iter().find(|t| t.0 == id).map(|t| t.1.clone());
    if view.nrows() == full.nrows() || !expr::contains_call(e, &expr::is_uniform_call) {
        return ev.eval_with_columns(e, &|id| temp(temps, id).or_else(|| view.lookup(id)));
    }
    let rows = view.row_ids();
    let mut uniform: Vec<(i64, Value)> = temps.to_vec();
    let rewritten = bind_calls(e, &expr::is_uniform_call, &mut uniform, &mut |call, bound| {
        let whole = ev.eval_with_columns(call, &|id| temp(bound, id).or_else(|| full.lookup(id)))?;
        if is_column(&whole) && whole.len() as usize == full.nrows() { gather_ix(&whole, &rows) } else { Ok(whole) }
    })?;
    ev.eval_with_columns(&rewritten, &|id| temp(&uniform, id).or_else(|| view.lookup(id)))
}
