//! Reading parsed query expressions: names, calls and their heads, which
//! calls are aggregates, and which expressions are row-wise (so that they may
//! be evaluated once over whole columns instead of once per group). What a
//! call head is comes from the builtin registry through
//! [`super::builtin_traits`]; this module keeps no list of names.
//!
//! In parsed code a name reference is an unquoted SYM atom, a literal symbol
//! a quoted one, and a call a LIST whose head is a name (or, once resolved,
//! a builtin object carrying its name).
#![forbid(unsafe_code)]

use crate::abi::*;
use super::{CallTraits, builtin_traits};
use crate::core::Value;

/// The symbol id of a name or symbol literal (`x` or `'x`).
pub fn name_id(e: &ray_t) -> Option<i64> {
    (e.type_() == -RAY_SYM).then(|| e.i64_val())
}

/// The symbol id of a name reference (an unquoted SYM atom).
pub fn bare_name(e: &ray_t) -> Option<i64> {
    (e.type_() == -RAY_SYM && !e.is_quoted()).then(|| e.i64_val())
}

/// A call's head (as a symbol id) and arguments: `(f a b)` -> (f, [a, b]).
pub fn call(e: &ray_t) -> Option<(i64, Vec<&ray_t>)> {
    if e.type_() != RAY_LIST || e.is_empty() {
        return None;
    }
    let items = e.items();
    let head = items[0]?;
    let id = if head.is_builtin() { head.builtin_name_id() } else { bare_name(head)? };
    let args: Option<Vec<&ray_t>> = items[1..].iter().copied().collect();
    Some((id, args?))
}

/// What the registry says about a call's head (nothing for a non-call).
pub fn call_traits(e: &ray_t) -> Option<(CallTraits, Vec<&ray_t>)> {
    call(e).map(|(id, args)| (builtin_traits(id), args))
}

/// True when `e` is a call whose head is an aggregate.
pub fn is_aggregate_call(e: &ray_t) -> bool {
    call(e).is_some_and(|(id, _)| builtin_traits(id).aggregate)
}

/// True when an aggregate call occurs anywhere in `e`.
pub fn contains_aggregate(e: &ray_t) -> bool {
    if is_aggregate_call(e) {
        return true;
    }
    e.type_() == RAY_LIST && e.items().iter().skip(1).flatten().any(|c| contains_aggregate(c))
}

/// True when `e` is built only from row-wise calls, names and atoms.
pub fn is_row_wise(e: &ray_t) -> bool {
    if e.type_() == RAY_LIST {
        return match call_traits(e) {
            Some((t, args)) => t.row_wise && args.iter().all(|a| is_row_wise(a)),
            None => false,
        };
    }
    e.is_atom() && !e.is_builtin() && e.type_() != RAY_LAMBDA
}

/// True when `e` mentions (outside aggregate calls) a name for which `is_col` holds.
pub fn mentions_outside_aggregates(e: &ray_t, is_col: &dyn Fn(i64) -> bool) -> bool {
    if let Some(id) = name_id(e) {
        return is_col(id);
    }
    if is_aggregate_call(e) {
        return false;
    }
    e.type_() == RAY_LIST && e.items().iter().flatten().any(|c| mentions_outside_aggregates(c, is_col))
}

/// True when `e` is a call whose head is uniform (order-dependent and
/// length-preserving, see [`CallTraits::uniform`]).
pub fn is_uniform_call(e: &ray_t) -> bool {
    call(e).is_some_and(|(id, _)| builtin_traits(id).uniform)
}

/// True when a call for which `is_target` holds occurs anywhere in `e`.
pub fn contains_call(e: &ray_t, is_target: &dyn Fn(&ray_t) -> bool) -> bool {
    if is_target(e) {
        return true;
    }
    e.type_() == RAY_LIST && e.items().iter().skip(1).flatten().any(|c| contains_call(c, is_target))
}

/// `e` with every aggregate call replaced by the name `replace(call)` returns.
pub fn replace_aggregates(e: &ray_t, replace: &mut dyn FnMut(&ray_t) -> Option<i64>) -> Option<Value> {
    replace_calls(e, &is_aggregate_call, replace)
}

/// `e` with every outermost call for which `is_target` holds replaced by
/// the name `replace(call)` returns (None when `replace` declines one).
pub fn replace_calls(
    e: &ray_t,
    is_target: &dyn Fn(&ray_t) -> bool,
    replace: &mut dyn FnMut(&ray_t) -> Option<i64>,
) -> Option<Value> {
    if is_target(e) {
        return replace(e).map(Value::sym_id);
    }
    if e.type_() != RAY_LIST {
        return Some(e.to_value());
    }
    let mut items = Vec::with_capacity(e.len() as usize);
    for (i, c) in e.items().iter().enumerate() {
        let c = (*c)?;
        items.push(if i == 0 { c.to_value() } else { replace_calls(c, is_target, replace)? });
    }
    Some(Value::list(items))
}
