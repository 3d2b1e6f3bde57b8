//! Builtins: higher-order functions (rayfall.md section 6): `map apply fold
//! fold-left fold-right scan map-left map-right filter`, and the aliases
//! `pmap` (= `map`) and `scan-left` (= `scan`) of builtins.md section 5. They call back into
//! the evaluator, so restricted builtins stay refused inside them.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::lang::eval::{Evaluator, is_callable};
use crate::lang::registry::{Builtin, registry};
use crate::lang::values::arity_err;
use crate::ops::{self, collect, count, elem, is_collection};

pub const BUILTINS: &[Builtin] = &[
    Builtin::ctx("map", RAY_VARY, map),
    Builtin::ctx("apply", RAY_VARY, apply),
    Builtin::ctx("fold", RAY_VARY, fold).args(2, 3),
    Builtin::ctx("fold-left", RAY_VARY, fold).args(2, 3),
    Builtin::ctx("fold-right", RAY_VARY, fold_right).args(2, 3),
    Builtin::ctx("scan", RAY_VARY, scan),
    // The reference's parallel map is `map`, run in order (builtins.md 5).
    Builtin::ctx("pmap", RAY_VARY, map),
    Builtin::ctx("scan-left", RAY_VARY, scan),
    Builtin::ctx("map-left", RAY_VARY, map_left).args(3, 3),
    Builtin::ctx("map-right", RAY_VARY, map_right).args(3, 3),
    Builtin::pure("filter", RAY_BINARY, filter),
];

/// The function argument of a higher-order builtin. A special form
/// (`and`, `if`, `set`...) cannot be called with evaluated arguments: the
/// reference's `type` error.
fn function(f: &Value) -> Result<&Value> {
    if !is_callable(f) {
        return Err(RayError::type_err("expected a function"));
    }
    if f.is_builtin() && registry().entry_of(f).is_some_and(|(_, e)| matches!(e.imp, crate::lang::registry::Imp::Special(_))) {
        return Err(RayError::type_err("call: expected a callable function, got ?"));
    }
    Ok(f)
}

/// The items `map` walks: elements of a vector/LIST, or the value itself.
fn items(v: &ray_t) -> Vec<Value> {
    if is_collection(v) { (0..count(v) as usize).map(|i| elem(v, i)).collect() } else { vec![v.to_value()] }
}

/// The reference's count check of `map`/`scan`: fewer than a function and
/// one argument ⇒ `domain` (the row takes any count).
fn need_fn_and_vec(name: &str, args: &[Value]) -> Result<()> {
    if args.len() < 2 {
        return Err(RayError::domain(format!("{name}: requires at least 2 args (fn and vec), got {}", args.len())));
    }
    Ok(())
}

fn vec_arg_err(name: &str, v: &ray_t) -> RayError {
    RayError::type_err(format!("{name}: vec arg must be a list, got {}", ops::type_name(v.type_)))
}

/// `(map f v)` calls `f` on each item of `v`; `(map f x v)` calls `(f x
/// item)` for each item of `v`, or once `(f x v)` when `v` is not a
/// collection. Arguments after the third are ignored, as in the reference.
fn map(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    need_fn_and_vec("map", args)?;
    let f = function(&args[0])?;
    let data = &args[1..args.len().min(3)];
    let (fixed, walked) = data.split_at(data.len() - 1);
    let walked = &walked[0];
    if !is_collection(walked) {
        if fixed.is_empty() {
            return Err(vec_arg_err("map", walked));
        }
        return apply_pair(ev, f, data.to_vec());
    }
    if fixed.is_empty() && count(walked) > 0 && f.is_builtin() && crate::lang::registry::registry().entry_of(f).is_some_and(|(_, e)| e.kind == RAY_BINARY) {
        // The reference refuses a two-argument builtin mapped over one collection this way.
        return Err(RayError::type_err("call: expected a callable function, got ?"));
    }
    let n = count(walked) as usize;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut call = fixed.to_vec();
        call.push(elem(walked, i));
        out.push(if fixed.is_empty() { ev.apply(f, call)? } else { apply_pair(ev, f, call)? });
    }
    Ok(Value::list(out))
}

/// `(apply f a b ...)`: a call with atoms, a zip over equal-length collections.
fn apply(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args.len() < 2 {
        return Err(arity_err("2+", args.len()));
    }
    let f = function(&args[0])?;
    let rest = &args[1..];
    if rest.iter().all(|a| !is_collection(a)) {
        return ev.apply(f, rest.to_vec());
    }
    if rest.len() < 2 || !rest.iter().all(|a| is_collection(a)) {
        return Err(RayError::domain("apply: expected a function and two collections"));
    }
    let n = count(&rest[0]);
    if rest.iter().any(|a| count(a) != n) {
        return Err(RayError::length("apply: collections differ in length"));
    }
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        out.push(ev.apply(f, rest.iter().map(|a| elem(a, i)).collect())?);
    }
    Ok(Value::list(out))
}

/// The collection `fold`/`scan` walk: a vector or LIST (a `type` error
/// names what came instead, as the reference's message).
fn walked_list<'a>(name: &str, v: &'a Value) -> Result<&'a Value> {
    if v.type_ < 0 || v.type_ > RAY_STR {
        return Err(vec_arg_err(name, v));
    }
    Ok(v)
}

/// The accumulator seed and the items folded over, for `(f v)` and `(f
/// init v)`; no items and no seed is the reference's `domain` error.
fn fold_parts(name: &str, args: &[Value], from_end: bool) -> Result<(Value, Vec<Value>)> {
    let v = walked_list(name, &args[args.len() - 1])?;
    if args.len() == 3 {
        return Ok((args[1].clone(), items(v)));
    }
    let mut xs = items(v);
    let seed = if from_end { xs.pop() } else { (!xs.is_empty()).then(|| xs.remove(0)) };
    let seed = seed.ok_or_else(|| RayError::domain(format!("{name}: empty list has no initial value, got 0")))?;
    Ok((seed, xs))
}

/// `(fold f v)`, `(fold f init v)` (and `fold-left`, whose errors say `fold`).
fn fold(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let (mut acc, xs) = fold_parts("fold", args, false)?;
    let f = function(&args[0])?;
    for x in xs {
        acc = apply_pair(ev, f, vec![acc, x])?;
    }
    Ok(acc)
}

/// `(fold-right f init v)`: `f(v0, f(v1, ... f(vn, init)))`.
fn fold_right(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let (mut acc, xs) = fold_parts("fold-right", args, true)?;
    let f = function(&args[0])?;
    for x in xs.into_iter().rev() {
        acc = apply_pair(ev, f, vec![x, acc])?;
    }
    Ok(acc)
}

/// `(scan f v)` (`scan-left`): the running fold of `v`'s items as a LIST
/// (a third argument is ignored, as in the reference); `+` and `*` over an
/// integer or float vector give a vector of its type (a null carries on).
fn scan(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    need_fn_and_vec("scan", args)?;
    let f = function(&args[0])?;
    let v = walked_list("scan", &args[1])?;
    let mut xs = items(v).into_iter();
    let mut out = Vec::with_capacity(count(v) as usize);
    if let Some(mut acc) = xs.next() {
        out.push(acc.clone());
        for x in xs {
            acc = apply_pair(ev, f, vec![acc, x])?;
            out.push(acc.clone());
        }
    }
    let running = matches!(builtin_name(f).as_deref(), Some(b"+" | b"*"));
    if running && !out.is_empty() && matches!(v.type_, RAY_I16 | RAY_I32 | RAY_I64 | RAY_F64) {
        return collect(out);
    }
    Ok(Value::list(out))
}

fn builtin_name(f: &Value) -> Option<Vec<u8>> {
    f.is_builtin().then(|| crate::core::sym::with_names(|n| n(f.builtin_name_id()).to_vec()))
}

/// `(map-left f x y)`: `(f x_i y)` for each item of `x` when `x` is a
/// collection, else the one call `(f x y)`; `(map-right f x y)` walks `y`
/// the same way. Atom results are regrouped into a typed vector, and no
/// items give an empty vector of the walked argument's type (as in the
/// reference). A unary builtin is called with its first argument only.
fn map_left(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    map_side(ev, args, true)
}

fn map_right(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    map_side(ev, args, false)
}

fn map_side(ev: &mut Evaluator, args: &[Value], left: bool) -> Result<Value> {
    let f = function(&args[0])?;
    let (x, y) = (&args[1], &args[2]);
    let walked = if left { x } else { y };
    if !is_collection(walked) {
        return apply_pair(ev, f, vec![x.clone(), y.clone()]);
    }
    let n = count(walked) as usize;
    let mut out = Vec::with_capacity(n);
    // Whether a unary builtin was given a vector or LIST (its first argument).
    let mut unary_of_collection = false;
    for i in 0..n {
        let item = elem(walked, i);
        let call = if left { vec![item, y.clone()] } else { vec![x.clone(), item] };
        unary_of_collection |= is_collection(&call[0]);
        out.push(apply_pair(ev, f, call)?);
    }
    if out.is_empty() {
        // No items from an empty LIST: the empty I64 vector (`(map-left * (list) "a")` is []).
        let t = walked.type_.abs();
        return match walked.type_ {
            RAY_LIST => Value::vec_with_capacity(RAY_I64, 0),
            _ if walked.type_ < 0 && crate::abi::is_vector_type(t) => Value::vec_with_capacity(t, 0),
            _ => ops::empty_like(walked, 0),
        };
    }
    // A unary builtin's results stay a LIST when it was called with a vector
    // or LIST (`(map-right min [1 2] [1 2])` is `(1 1)`); from atoms they are
    // regrouped (`(map-right min 3 [1.5 2])` is `[3 3]`), as the reference answers.
    if is_unary_builtin(f) && unary_of_collection { Ok(Value::list(out)) } else { collect(out) }
}

fn is_unary_builtin(f: &Value) -> bool {
    f.is_builtin() && registry().entry_of(f).is_some_and(|(_, e)| e.kind == RAY_UNARY)
}

/// Calls `f` with two arguments, or with the first only when `f` is a
/// unary builtin.
pub(crate) fn apply_pair(ev: &mut Evaluator, f: &Value, mut call: Vec<Value>) -> Result<Value> {
    if is_unary_builtin(f) {
        call.truncate(1);
    }
    ev.apply(f, call)
}

/// `(filter v mask)`: the elements of `v` where `mask` is true.
fn filter(args: &[Value]) -> Result<Value> {
    let (v, m) = (&args[0], &args[1]);
    if !is_collection(v) || !is_collection(m) {
        return Err(RayError::type_err(format!(
            "filter: vec and mask must be lists, got {} and {}",
            ops::list_type_name(v),
            ops::list_type_name(m)
        )));
    }
    if m.type_ != RAY_BOOL {
        return Err(RayError::type_err("filter: the mask must be a B8 vector"));
    }
    if ops::count(v) != m.len() {
        return Err(RayError::length("filter: mask length differs"));
    }
    let mask = m.elems::<u8>();
    ops::compress(v, mask, mask.iter().filter(|&&b| b != 0).count())
}
