//! Builtins: vector attributes, `.attr.set`, `.attr.get`, `.attr.drop`.
//! Only `sorted` is kept today (the header bit that column files store);
//! `unique`, `grouped` and `parted` are index-backed in the reference and
//! answer `nyi` here. Argument errors follow the reference.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::registry::Builtin;
use crate::ops::nulls::scan_nulls;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".attr.set", RAY_BINARY, attr_set),
    Builtin::pure(".attr.get", RAY_UNARY, attr_get),
    Builtin::pure(".attr.drop", RAY_UNARY, attr_drop),
];

const ATTRIBUTES: [&[u8]; 4] = [b"sorted", b"unique", b"grouped", b"parted"];

fn attr_set(args: &[Value]) -> Result<Value> {
    let (name, v) = (&args[0], &args[1]);
    if name.type_ != -RAY_SYM {
        return Err(RayError::type_err("attr.set: first arg must be a symbol"));
    }
    let name = sym::name_or_empty(name.i64_val());
    if !ATTRIBUTES.contains(&name) {
        return Err(RayError::domain("attr.set: unknown attribute (want sorted/unique/grouped/parted)"));
    }
    let shown = String::from_utf8_lossy(name).into_owned();
    if !v.is_vec() {
        return Err(RayError::type_err(format!("{shown}: attribute applies to vectors only")));
    }
    if name != b"sorted" {
        return Err(RayError::new("nyi", format!("{shown}: index-backed attributes are not kept yet")));
    }
    if !is_numeric_layout(v.type_) {
        return Err(RayError::new("nyi", format!("sorted: only numeric vectors supported in v1 (type {})", v.type_)));
    }
    if scan_nulls(v) || !non_descending(v) {
        return Err(RayError::domain("sorted: column is not in non-descending order"));
    }
    let mut out = v.clone();
    out.set_attr(RAY_ATTR_SORTED, true)?;
    Ok(out)
}

fn is_numeric_layout(t: i8) -> bool {
    (RAY_BOOL..=RAY_TIMESTAMP).contains(&t)
}

/// True when every element is >= the one before (F32/F64 by value).
fn non_descending(v: &ray_t) -> bool {
    fn ordered<T: PartialOrd + Copy>(xs: &[T]) -> bool {
        xs.windows(2).all(|w| w[0] <= w[1])
    }
    match v.type_ {
        RAY_BOOL | RAY_U8 => ordered(v.elems::<u8>()),
        RAY_I16 => ordered(v.elems::<i16>()),
        RAY_I32 | RAY_DATE | RAY_TIME => ordered(v.elems::<i32>()),
        RAY_F32 => ordered(v.elems::<f32>()),
        RAY_F64 => ordered(v.elems::<f64>()),
        _ => ordered(v.elems::<i64>()),
    }
}

fn attr_get(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    let ids: Vec<i64> = if v.is_vec() && v.type_ != RAY_SYM && v.attrs & RAY_ATTR_SORTED != 0 {
        vec![sym::intern(b"sorted")]
    } else {
        Vec::new()
    };
    Value::sym_vec(&ids)
}

fn attr_drop(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    if !v.is_vec() || v.type_ == RAY_SYM || v.attrs & RAY_ATTR_SORTED == 0 {
        return Ok(v.clone());
    }
    let mut out = v.clone();
    out.set_attr(RAY_ATTR_SORTED, false)?;
    Ok(out)
}
