//! Value helpers the evaluator and its builtin families share: element
//! access on any vector, regrouping atoms into a typed vector, type names,
//! truthiness, null atoms, and argument checks that read the same everywhere.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

/// Element `i` of a vector or LIST as an owned atom/value (sentinel
/// elements become typed nulls with the null flag). Strings give a 1-char string.
pub fn elem(v: &ray_t, i: usize) -> Value {
    let t = v.type_;
    match t {
        RAY_LIST => v.item(i).map_or_else(Value::null, |x| x.to_value()),
        RAY_BOOL => Value::bool(v.as_slice::<u8>()[i] != 0),
        RAY_U8 => Value::u8(v.as_slice::<u8>()[i]),
        RAY_I16 => null_or(v.as_slice::<i16>()[i] == NULL_I16, t, || Value::i16(v.as_slice::<i16>()[i])),
        RAY_I32 => null_or(v.as_slice::<i32>()[i] == NULL_I32, t, || Value::i32(v.as_slice::<i32>()[i])),
        RAY_DATE => null_or(v.as_slice::<i32>()[i] == NULL_I32, t, || Value::date(v.as_slice::<i32>()[i] as i64)),
        RAY_TIME => null_or(v.as_slice::<i32>()[i] == NULL_I32, t, || Value::time(v.as_slice::<i32>()[i] as i64)),
        RAY_I64 => null_or(v.as_slice::<i64>()[i] == NULL_I64, t, || Value::i64(v.as_slice::<i64>()[i])),
        RAY_TIMESTAMP => null_or(v.as_slice::<i64>()[i] == NULL_I64, t, || Value::timestamp(v.as_slice::<i64>()[i])),
        RAY_F32 => {
            let x = v.as_slice::<f32>()[i];
            null_or(x.is_nan(), t, || Value::f32(x))
        }
        RAY_F64 => {
            let x = v.as_slice::<f64>()[i];
            null_or(x.is_nan(), t, || Value::f64(x))
        }
        RAY_GUID => Value::guid(&v.as_slice::<[u8; 16]>()[i]),
        RAY_SYM => Value::sym(v.sym_at(i)),
        RAY_STR => Value::str(v.str_at(i)),
        _ if t == -RAY_STR => Value::str(&v.str_bytes()[i..i + 1]),
        _ => v.to_value(),
    }
}

fn null_or(is_null: bool, t: i8, f: impl FnOnce() -> Value) -> Value {
    if is_null { typed_null(t) } else { f() }
}

/// The typed null atom of vector/atom type `t` (either sign), flag set.
pub fn typed_null(t: i8) -> Value {
    Value::typed_null(-t.abs()).unwrap_or_else(|_| Value::null())
}

/// Number of elements `elem` can reach (vectors, lists, strings; 1 for atoms).
pub fn count(v: &ray_t) -> i64 {
    match v.type_ {
        t if is_vector_type(t) || t == RAY_LIST => v.len(),
        RAY_TABLE => v.table_nrows(),
        RAY_DICT => v.dict_keys().map_or(0, count),
        t if t == -RAY_STR => v.str_bytes().len() as i64,
        _ if v.is_null_obj() => 0,
        _ => 1,
    }
}

/// True for a vector or LIST (something `map` walks).
pub fn is_collection(v: &ray_t) -> bool {
    v.is_vec() || v.type_ == RAY_LIST
}

/// Regroups values: a typed vector when all are atoms of one vector-able
/// type (HAS_NULLS set when a null is among them), else a LIST.
pub fn collect(items: Vec<Value>) -> Result<Value> {
    let Some(first) = items.first() else {
        return Ok(Value::list(items));
    };
    let t0 = first.type_;
    let vectorable = t0 < 0 && is_vector_type(-t0) && items.iter().all(|x| x.type_ == t0);
    if !vectorable {
        return Ok(Value::list(items));
    }
    let t = -t0;
    let nulls = t != RAY_SYM && t != RAY_STR && items.iter().any(|x| x.is_null_atom());
    let mut v = match t {
        RAY_BOOL | RAY_U8 => Value::vec_from_slice(t, &items.iter().map(|e| e.u8_val()).collect::<Vec<_>>())?,
        RAY_I16 => Value::vec_from_slice(t, &items.iter().map(|e| e.i16_val()).collect::<Vec<_>>())?,
        RAY_I32 | RAY_DATE | RAY_TIME => Value::vec_from_slice(t, &items.iter().map(|e| e.i32_val()).collect::<Vec<_>>())?,
        RAY_I64 | RAY_TIMESTAMP => Value::vec_from_slice(t, &items.iter().map(|e| e.i64_val()).collect::<Vec<_>>())?,
        RAY_F32 => Value::vec_from_slice(t, &items.iter().map(|e| e.f64_val() as f32).collect::<Vec<_>>())?,
        RAY_F64 => Value::vec_from_slice(t, &items.iter().map(|e| e.f64_val()).collect::<Vec<_>>())?,
        RAY_GUID => Value::vec_from_slice(t, &items.iter().map(|e| *e.guid_bytes().unwrap_or(&[0; 16])).collect::<Vec<_>>())?,
        RAY_SYM => Value::sym_vec(&items.iter().map(|e| e.i64_val()).collect::<Vec<_>>())?,
        RAY_STR => Value::str_vec(items.iter().map(|e| e.str_bytes()))?,
        _ => return Ok(Value::list(items)),
    };
    if nulls {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}

/// Rayfall truthiness (rayfall.md section 4): false, i64 0, f64 0.0, typed
/// null atoms and the null object are false; everything else is true.
pub fn truthy(v: &ray_t) -> bool {
    if v.is_null_obj() || v.type_ == RAY_NULL {
        return false;
    }
    match v.type_ {
        t if t == -RAY_BOOL => v.bool_val() && !v.null_flag(),
        t if t == -RAY_I64 => v.i64_val() != 0 && v.i64_val() != NULL_I64,
        t if t == -RAY_F64 => v.f64_val() != 0.0 && !v.f64_val().is_nan(),
        t if t < 0 && t != -RAY_SYM && t != -RAY_STR => !v.is_null_atom() && !v.null_flag(),
        _ => true,
    }
}

/// The name `type` returns: lowercase for atoms, uppercase for vectors.
pub fn type_name(v: &ray_t) -> &'static str {
    if v.is_null_obj() || v.type_ == RAY_NULL {
        return "null";
    }
    const ATOMS: [&str; 14] = ["", "b8", "u8", "i16", "i32", "i64", "f32", "f64", "date", "time", "timestamp", "guid", "sym", "str"];
    const VECS: [&str; 14] = ["LIST", "B8", "U8", "I16", "I32", "I64", "F32", "F64", "DATE", "TIME", "TIMESTAMP", "GUID", "SYM", "STR"];
    match v.type_ {
        t if (-13..=-1).contains(&t) => ATOMS[(-t) as usize],
        t if (0..=13).contains(&t) => VECS[t as usize],
        RAY_TABLE => "TABLE",
        RAY_DICT => "DICT",
        RAY_ERROR => "error",
        _ => "?",
    }
}

/// The symbol name of a SYM atom.
pub fn sym_str(v: &ray_t) -> &'static [u8] {
    sym::name_or_empty(v.i64_val())
}

/// A fixed-arity builtin called with `got` arguments (`expected 1 arg, got 0`).
pub fn builtin_arity_err(expected: usize, got: usize) -> RayError {
    let unit = if expected == 1 { "arg" } else { "args" };
    RayError::new("arity", format!("expected {expected} {unit}, got {got}"))
}

/// A lambda or variadic builtin called with `got` arguments; the reference
/// words these `expected N args` whatever N is.
pub fn arity_err(expected: &str, got: usize) -> RayError {
    RayError::new("arity", format!("expected {expected} args, got {got}"))
}

/// Checks a variadic builtin's argument count.
pub fn need_args(args: &[Value], min: usize, max: usize) -> Result<()> {
    if args.len() < min || args.len() > max {
        let e = if min == max { min.to_string() } else { format!("{min}-{max}") };
        return Err(arity_err(&e, args.len()));
    }
    Ok(())
}

/// The i64 value of an integer atom (any width), else `type`.
pub fn int_arg(v: &ray_t, what: &str) -> Result<i64> {
    match -v.type_ {
        RAY_I64 => Ok(v.i64_val()),
        RAY_I32 => Ok(v.i32_val() as i64),
        RAY_I16 => Ok(v.i16_val() as i64),
        RAY_U8 | RAY_BOOL => Ok(v.u8_val() as i64),
        _ => Err(RayError::type_err(format!("{what}: expected an integer"))),
    }
}

/// A DICT with SYM keys and a LIST of values.
pub fn sym_dict(pairs: Vec<(&str, Value)>) -> Result<Value> {
    let ids: Vec<i64> = pairs.iter().map(|(k, _)| sym::intern(k.as_bytes())).collect();
    Ok(Value::dict(Value::sym_vec(&ids)?, Value::list(pairs.into_iter().map(|p| p.1).collect())))
}

/// The elements of a vector or LIST at `idx`, in the same type.
pub fn gather(v: &ray_t, idx: &[usize]) -> Result<Value> {
    fn pick<T: crate::core::Elem>(v: &ray_t, idx: &[usize]) -> Result<Value> {
        let s = v.as_slice::<T>();
        let out: Vec<T> = idx.iter().map(|&i| s[i]).collect();
        let mut r = Value::vec_from_slice(v.type_, &out)?;
        if v.attrs & RAY_ATTR_HAS_NULLS != 0 {
            r.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        }
        Ok(r)
    }
    match v.type_ {
        RAY_LIST => Ok(Value::list(idx.iter().map(|&i| elem(v, i)).collect())),
        RAY_BOOL | RAY_U8 => pick::<u8>(v, idx),
        RAY_I16 => pick::<i16>(v, idx),
        RAY_I32 | RAY_DATE | RAY_TIME => pick::<i32>(v, idx),
        RAY_I64 | RAY_TIMESTAMP => pick::<i64>(v, idx),
        RAY_F32 => pick::<f32>(v, idx),
        RAY_F64 => pick::<f64>(v, idx),
        RAY_GUID => pick::<[u8; 16]>(v, idx),
        RAY_SYM => Value::sym_vec(&idx.iter().map(|&i| v.sym_at(i)).collect::<Vec<_>>()),
        RAY_STR => Value::str_vec(idx.iter().map(|&i| v.str_at(i))),
        _ => Err(RayError::type_err("expected a vector")),
    }
}
