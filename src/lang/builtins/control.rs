//! Special forms and control flow: quote set let del if do fn and or try
//! raise return eval parse, and the query forms (select update insert upsert
//! and the special joins), which hand over to `crate::query`.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, env, sym};
use crate::lang::eval::{Evaluator, RETURN_CODE, dict_get_sym, is_callable};
use crate::lang::parser;
use crate::lang::registry::Builtin;
use crate::lang::values::{self, arity_err};
use crate::ops::{self, truthy};

pub const BUILTINS: &[Builtin] = &[
    Builtin::special("quote", quote).args(1, 1),
    Builtin::special("set", set).args(2, 2).restricted(),
    Builtin::special("let", let_).args(2, 2),
    Builtin::special("del", del).args(1, 1).restricted(),
    Builtin::special("if", if_),
    Builtin::special("do", do_),
    Builtin::special("fn", fn_),
    Builtin::special("and", and),
    Builtin::special("or", or),
    Builtin::special("try", try_).args(2, 2),
    Builtin::special("timeit", timeit).args(1, 1),
    Builtin::special("alter", alter).args(4, 4).restricted(),
    Builtin::ctx("raise", RAY_UNARY, raise),
    Builtin::ctx("return", RAY_UNARY, return_),
    Builtin::ctx("eval", RAY_UNARY, eval),
    Builtin::pure("parse", RAY_UNARY, parse),
    Builtin::pure("not", RAY_UNARY, not),
];

/// The symbol a binding form names: a SYM atom (quoted or not) in the
/// form, or an expression that evaluates to one.
fn target_id(ev: &mut Evaluator, form: &Value) -> Result<i64> {
    if form.type_ == -RAY_SYM {
        return Ok(form.i64_val());
    }
    let v = ev.eval(form)?;
    if v.type_ == -RAY_SYM {
        Ok(v.i64_val())
    } else {
        Err(RayError::type_err("expected a name"))
    }
}

fn is_reserved(name: &[u8]) -> bool {
    name.first() == Some(&b'.') && !name.starts_with(b".ipc.on.")
}

/// The reference reports a reserved name with the bare code (no message).
fn reserve_err() -> RayError {
    RayError::code("reserve")
}

fn quote(_ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let x = &args[0];
    if x.type_ == -RAY_SYM && !x.is_quoted() {
        return Ok(Value::quoted_sym(x.i64_val()));
    }
    Ok(x.clone())
}

fn set(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let id = target_id(ev, &args[0])?;
    let name = sym::name_or_empty(id);
    if is_reserved(name) {
        return Err(reserve_err());
    }
    let v = ev.eval(&args[1])?;
    // `a.b.c` sets a path in dict `a`; a dotted name that starts with a
    // dot (`.ipc.on.open`) is one global name, as `lookup` reads it.
    if name.len() > 1 && name[0] != b'.' && name.contains(&b'.') {
        let parts: Vec<&[u8]> = name.split(|&c| c == b'.').collect();
        let root = sym::intern(parts[0]);
        let ids: Vec<i64> = parts[1..].iter().map(|p| sym::intern(p)).collect();
        let cur = env::get(root).filter(|d| d.type_ == RAY_DICT);
        let nested = set_path(cur, &ids, v.clone())?;
        env::set(root, nested);
        return Ok(v);
    }
    env::set(id, v.clone());
    Ok(v)
}

/// `d` with the value at the key path `ids` replaced by `v` (missing dicts created).
fn set_path(d: Option<Value>, ids: &[i64], v: Value) -> Result<Value> {
    let Some((&k, rest)) = ids.split_first() else { return Ok(v) };
    let d = d.unwrap_or_else(|| Value::dict(Value::sym_vec(&[]).expect("oom"), Value::list(vec![])));
    let inner = if rest.is_empty() { None } else { dict_get_sym(&d, k).filter(|x| x.type_ == RAY_DICT) };
    let newv = set_path(inner, rest, v)?;
    dict_set_sym(&d, k, newv)
}

/// A copy of dict `d` with key `k` bound to `v`.
pub fn dict_set_sym(d: &ray_t, k: i64, v: Value) -> Result<Value> {
    let keys = d.dict_keys().ok_or_else(|| RayError::type_err("not a dict"))?;
    let vals = d.dict_vals().ok_or_else(|| RayError::type_err("not a dict"))?;
    let mut key_items: Vec<Value> = (0..ops::count(keys) as usize).map(|i| ops::elem(keys, i)).collect();
    let mut val_items: Vec<Value> = (0..ops::count(vals) as usize).map(|i| ops::elem(vals, i)).collect();
    match key_items.iter().position(|x| x.type_ == -RAY_SYM && x.i64_val() == k) {
        Some(i) if i < val_items.len() => val_items[i] = v,
        _ => {
            key_items.push(Value::sym_id(k));
            val_items.push(v);
        }
    }
    let kv = if key_items.iter().all(|x| x.type_ == -RAY_SYM) {
        Value::sym_vec(&key_items.iter().map(|x| x.i64_val()).collect::<Vec<_>>())?
    } else {
        Value::list(key_items)
    };
    Ok(Value::dict(kv, Value::list(val_items)))
}

fn let_(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let id = target_id(ev, &args[0])?;
    let name = sym::name_or_empty(id);
    if name.first() == Some(&b'.') {
        return Err(reserve_err());
    }
    let v = ev.eval(&args[1])?;
    ev.bind_local(id, v.clone());
    Ok(v)
}

fn del(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let id = target_id(ev, &args[0])?;
    let name = sym::name_or_empty(id);
    if name.first() == Some(&b'.') {
        return Err(reserve_err());
    }
    env::remove(id);
    Ok(Value::null())
}

fn if_(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args.len() < 2 {
        return Err(RayError::domain("if: needs a condition and a then branch"));
    }
    let c = ev.eval(&args[0])?;
    if c.type_ == RAY_BOOL && args.len() > 2 && ev.in_query() {
        return per_row_if(&c, &ev.eval(&args[1])?, &ev.eval(&args[2])?);
    }
    if truthy(&c) {
        ev.eval(&args[1])
    } else if args.len() > 2 {
        ev.eval(&args[2])
    } else {
        Ok(Value::i64(0))
    }
}

/// `(if c a b)` inside a query with a B8 condition column: row `i` takes
/// `a`'s row `i` where `c` is true, else `b`'s (an atom stands for every
/// row), as RayforceDB's queries do. Outside queries `if` takes one truth
/// value.
fn per_row_if(c: &Value, a: &Value, b: &Value) -> Result<Value> {
    let n = c.len().max(0) as usize;
    let rows = |v: &Value| -> Result<Value> {
        if v.is_atom() {
            crate::lang::builtins::collection::take_of(v, n as i64)
        } else if v.len() as usize == n {
            Ok(v.clone())
        } else {
            Err(RayError::length(format!("if: a branch has {} rows where the condition has {n}", v.len())))
        }
    };
    let (a, b) = (rows(a)?, rows(b)?);
    if a.type_ != b.type_ || !a.is_vec() {
        // The reference converts here (strings to SYM, I64 beside F64 to
        // F64); until that is done the mix is refused rather than guessed.
        return Err(RayError::type_err("if: per-row branches must be vectors of one type"));
    }
    let both = crate::ops::concat(&a, &b)?;
    let pick: Vec<i64> = c.elems::<u8>().iter().enumerate().map(|(i, &t)| if t != 0 { i as i64 } else { (n + i) as i64 }).collect();
    crate::ops::gather(&both, &pick)
}

fn do_(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    ev.eval_scoped(args)
}

fn fn_(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args.is_empty() {
        return Err(arity_err("1+", 0));
    }
    let p = &args[0];
    let params = match p.type_ {
        RAY_SYM => p.clone(),
        t if t >= 0 && t <= RAY_STR && p.is_empty() => Value::sym_vec(&[])?,
        RAY_LIST if p.is_empty() => Value::sym_vec(&[])?,
        _ => return Err(RayError::type_err("fn: parameters must be a vector of names")),
    };
    // The source it is written in travels with it (for error traces).
    let mut parts = vec![params, Value::list(args[1..].to_vec())];
    parts.extend(ev.source_context());
    Value::container(RAY_LAMBDA, parts)
}

/// Truthiness of each element of a vector, or of an atom.
fn truth_vec(v: &ray_t) -> Option<Vec<bool>> {
    if !v.is_vec() {
        return None;
    }
    Some((0..v.len() as usize).map(|i| truthy(&ops::elem(v, i)) || elem_nonzero(v, i)).collect())
}

fn elem_nonzero(v: &ray_t, i: usize) -> bool {
    match v.type_ {
        RAY_BOOL | RAY_U8 => v.elems::<u8>()[i] != 0,
        RAY_I16 => v.elems::<i16>()[i] != 0 && v.elems::<i16>()[i] != NULL_I16,
        RAY_I32 | RAY_DATE | RAY_TIME => v.elems::<i32>()[i] != 0 && v.elems::<i32>()[i] != NULL_I32,
        _ => false,
    }
}

/// Pairwise combination for `and`/`or` once no atom stopped the walk.
fn combine(acc: Option<Value>, v: Value, is_and: bool) -> Result<Value> {
    let Some(acc) = acc else {
        return Ok(match truth_vec(&v) {
            Some(t) => bool_vec(&t)?,
            None => Value::bool(truthy(&v)),
        });
    };
    let a = truth_vec(&acc);
    let b = truth_vec(&v);
    let op = |x: bool, y: bool| if is_and { x && y } else { x || y };
    match (a, b) {
        (None, None) => Ok(Value::bool(op(truthy(&acc), truthy(&v)))),
        (Some(a), None) => {
            let t = truthy(&v);
            bool_vec(&a.iter().map(|&x| op(x, t)).collect::<Vec<_>>())
        }
        (None, Some(b)) => {
            let t = truthy(&acc);
            bool_vec(&b.iter().map(|&y| op(t, y)).collect::<Vec<_>>())
        }
        (Some(a), Some(b)) => {
            if a.len() != b.len() {
                let label = if is_and { "AND" } else { "OR" };
                return Err(RayError::length(format!("{label}: operand lengths must match, got {} and {}", a.len(), b.len())));
            }
            bool_vec(&a.iter().zip(&b).map(|(&x, &y)| op(x, y)).collect::<Vec<_>>())
        }
    }
}

pub fn bool_vec(b: &[bool]) -> Result<Value> {
    Value::vec_from_slice(RAY_BOOL, &b.iter().map(|&x| x as u8).collect::<Vec<u8>>())
}

fn and(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    logic(ev, args, true)
}

fn or(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    logic(ev, args, false)
}

fn logic(ev: &mut Evaluator, args: &[Value], is_and: bool) -> Result<Value> {
    if args.is_empty() {
        return Err(arity_err("1+", 0));
    }
    let mut acc: Option<Value> = None;
    for a in args {
        let v = ev.eval(a)?;
        if v.is_atom() && truthy(&v) != is_and {
            return Ok(v);
        }
        acc = Some(combine(acc, v, is_and)?);
    }
    Ok(acc.unwrap_or_else(|| Value::bool(is_and)))
}

fn try_(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    match ev.eval(&args[0]) {
        Ok(v) => Ok(v),
        Err(e) if e.code_str() == RETURN_CODE || e.code_str() == "limit" || e.code_str() == "cancel" => Err(e),
        Err(_) => {
            ev.forget_failure();
            let payload = ev.raised.take().unwrap_or_else(|| Value::i64(0));
            let h = ev.eval(&args[1])?;
            let unary = h.type_ == RAY_LAMBDA || h.type_ == RAY_UNARY || h.type_ == RAY_VARY;
            if unary && is_callable(&h) {
                ev.apply(&h, vec![payload])
            } else {
                Ok(h)
            }
        }
    }
}

fn timeit(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let t0 = std::time::Instant::now();
    ev.eval(&args[0])?;
    Ok(Value::f64(t0.elapsed().as_secs_f64() * 1000.0))
}

/// `(alter 'name f i v)`: replaces element `i` of the global `name` by `v`
/// (`f` = `set`) or by `(f old v)`. Restricted, unlike the reference (wire.md 9).
fn alter(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let id = target_id(ev, &args[0])?;
    let f = ev.eval(&args[1])?;
    let idx = ev.eval(&args[2])?;
    let v = ev.eval(&args[3])?;
    let cur = crate::store::parted::materialize(&ev.lookup(id)?)?;
    if !ops::is_collection(&cur) {
        return Err(RayError::type_err("alter: target is not a vector"));
    }
    let mut items: Vec<Value> = (0..cur.len() as usize).map(|i| ops::elem(&cur, i)).collect();
    let i = values::int_arg(&idx, "alter")?;
    let slot = usize::try_from(i).ok().filter(|&i| i < items.len()).ok_or_else(|| RayError::new("index", "alter: index out of range"))?;
    let is_set = f.is_builtin() && sym::name_or_empty(f.builtin_name_id()) == b"set";
    items[slot] = if is_set { v } else { ev.apply(&f, vec![items[slot].clone(), v])? };
    let out = if cur.type_ == RAY_LIST { Value::list(items) } else { ops::collect(items)? };
    env::set(id, out);
    Ok(Value::quoted_sym(id))
}

fn raise(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    ev.raised = Some(args[0].clone());
    // An uncaught raise is the bare `domain` code (rayfall.md section 11).
    Err(RayError::code("domain"))
}

fn return_(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    ev.returned = Some(args[0].clone());
    Err(RayError::code(RETURN_CODE))
}

fn eval(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let x = &args[0];
    if x.type_ == -RAY_STR {
        let f = parser::parse_one(x.str_bytes(), &ev.limits)?;
        return ev.eval(&f);
    }
    ev.eval(x)
}

fn parse(args: &[Value]) -> Result<Value> {
    let x = &args[0];
    if x.type_ != -RAY_STR {
        return Err(RayError::type_err("parse: expected a string"));
    }
    parser::parse_one(x.str_bytes(), &crate::lang::limits::current())
}

fn not(args: &[Value]) -> Result<Value> {
    let x = &args[0];
    if x.type_ == RAY_BOOL {
        let b: Vec<u8> = x.elems::<u8>().iter().map(|&b| (b == 0) as u8).collect();
        return Value::vec_from_slice(RAY_BOOL, &b);
    }
    Ok(Value::bool(!truthy(x)))
}
