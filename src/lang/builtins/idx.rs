//! Builtins: vector indexes (builtins.md "Vector indexes"): `.idx.zone`,
//! `.idx.hash`, `.idx.sort`, `.idx.bloom` attach an index and answer the
//! vector (values and type unchanged; a shared vector is copied, so the
//! variable it came from keeps no index), `.idx.drop` takes it off,
//! `.idx.has?` and `.idx.info` describe it. The index object is
//! `core::index`; building it is `ops::index`. Queries do not use indexes.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::index::{IndexRef, Kind, attached, with_index};
use crate::core::{Result, Value};
use crate::lang::registry::Builtin;
use crate::lang::values::sym_dict;
use crate::ops::index::build;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".idx.zone", RAY_UNARY, idx_zone),
    Builtin::pure(".idx.hash", RAY_UNARY, idx_hash),
    Builtin::pure(".idx.sort", RAY_UNARY, idx_sort),
    Builtin::pure(".idx.bloom", RAY_UNARY, idx_bloom),
    Builtin::pure(".idx.drop", RAY_UNARY, idx_drop),
    Builtin::pure(".idx.has?", RAY_UNARY, idx_has),
    Builtin::pure(".idx.info", RAY_UNARY, idx_info),
];

/// `v` with a fresh index of `kind` (markers cleared, as the reference).
fn attach(kind: Kind, v: &Value) -> Result<Value> {
    let idx = build(kind, v, 0)?;
    with_index(v, Some(idx))
}

fn idx_zone(args: &[Value]) -> Result<Value> {
    attach(Kind::Zone, &args[0])
}

fn idx_hash(args: &[Value]) -> Result<Value> {
    attach(Kind::Hash, &args[0])
}

fn idx_sort(args: &[Value]) -> Result<Value> {
    attach(Kind::Sort, &args[0])
}

fn idx_bloom(args: &[Value]) -> Result<Value> {
    attach(Kind::Bloom, &args[0])
}

/// `(.idx.drop v)`: `v` without index; anything else as it came.
fn idx_drop(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    if attached(v).is_none() {
        return Ok(v.clone());
    }
    with_index(v, None)
}

fn idx_has(args: &[Value]) -> Result<Value> {
    Ok(Value::bool(attached(&args[0]).is_some()))
}

/// `(.idx.info v)`: `{kind length parent_type saved_attrs ...}` plus the
/// kind's own fields, or the null object when `v` carries no index.
fn idx_info(args: &[Value]) -> Result<Value> {
    match attached(&args[0]) {
        Some(idx) => describe(idx),
        None => Ok(Value::null()),
    }
}

fn describe(idx: IndexRef<'_>) -> Result<Value> {
    let h = idx.header();
    let mut fields: Vec<(&str, Value)> = vec![
        ("kind", Value::sym(h.kind.name())),
        ("length", Value::i64(h.parent_len)),
        ("parent_type", Value::i64(i64::from(h.parent_type))),
        ("saved_attrs", Value::i64(i64::from(h.saved_attrs))),
    ];
    let child_len = |i: usize| idx.child(i).map_or(0, |c| c.len());
    let float_parent = matches!(h.parent_type, RAY_F32 | RAY_F64);
    match h.kind {
        Kind::Hash => {
            fields.push(("capacity", Value::i64(idx.word(4) + 1)));
            fields.push(("n_keys", Value::i64(idx.word(5))));
            fields.push(("n_groups", Value::i64(idx.word(6))));
        }
        Kind::Sort => fields.push(("perm_len", Value::i64(child_len(0)))),
        Kind::Zone => {
            let bound = |w: i64| if float_parent { Value::f64(f64::from_bits(w as u64)) } else { Value::i64(w) };
            fields.push(("min", bound(idx.word(0))));
            fields.push(("max", bound(idx.word(1))));
            fields.push(("n_nulls", Value::i64(idx.word(2))));
        }
        Kind::Bloom => {
            fields.push(("m_bits", Value::i64(idx.word(1) + 1)));
            fields.push(("k", Value::i64(idx.word(2))));
            fields.push(("n_keys", Value::i64(idx.word(3))));
        }
        Kind::Part => fields.push(("n_parts", Value::i64(idx.word(3)))),
        Kind::None | Kind::ChunkZone | Kind::Dict => {}
    }
    sym_dict(fields)
}
