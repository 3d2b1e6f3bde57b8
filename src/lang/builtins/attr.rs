//! Builtins: vector attributes, `.attr.set`, `.attr.get`, `.attr.drop`.
//! `sorted` is the header bit that column files store; `unique`, `grouped`
//! and `parted` live in the vector's index (`core::index`): `unique` is a
//! marker on whatever index the vector has (a marker-only one when none),
//! `grouped` is a hash index and `parted` a part index, both keeping the
//! `unique` marker. Checks and errors follow the reference.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::index::{Kind, MARK_UNIQUE, attached, with_index};
use crate::core::{RayError, Result, Value, sym};
use crate::ops::index::{build, check_unique, markers_only};
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
    let unique_marker = attached(v).map_or(0, |i| i.header().markers & MARK_UNIQUE);
    match name {
        b"unique" => {
            check_unique(v)?;
            let idx = match attached(v) {
                Some(i) => i.with_markers(i.header().markers | MARK_UNIQUE)?,
                None => markers_only(v, MARK_UNIQUE)?,
            };
            return with_index(v, Some(idx));
        }
        b"grouped" => return with_index(v, Some(build(Kind::Hash, v, unique_marker)?)),
        b"parted" => return with_index(v, Some(build(Kind::Part, v, unique_marker)?)),
        _ => {}
    }
    if !v.is_vec() {
        return Err(RayError::type_err("sorted: attribute applies to vectors only"));
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

fn has_sorted_bit(v: &ray_t) -> bool {
    v.is_vec() && v.type_ != RAY_SYM && v.attrs & RAY_ATTR_SORTED != 0
}

/// `(.attr.get v)`: the attributes `v` carries, in the order sorted,
/// unique, grouped, parted.
fn attr_get(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    let mut names: Vec<&[u8]> = Vec::new();
    if has_sorted_bit(v) {
        names.push(b"sorted");
    }
    if let Some(idx) = attached(v) {
        let h = idx.header();
        if h.markers & MARK_UNIQUE != 0 {
            names.push(b"unique");
        }
        match h.kind {
            Kind::Hash => names.push(b"grouped"),
            Kind::Part => names.push(b"parted"),
            _ => {}
        }
    }
    let ids: Vec<i64> = names.into_iter().map(sym::intern).collect();
    Value::sym_vec(&ids)
}

/// `(.attr.drop v)`: `v` without `sorted` and without its index.
fn attr_drop(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    let mut out = if attached(v).is_some() { with_index(v, None)? } else { v.clone() };
    if has_sorted_bit(&out) {
        out.set_attr(RAY_ATTR_SORTED, false)?;
    }
    Ok(out)
}
