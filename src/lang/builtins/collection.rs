//! Builtins: collection family (spec/rayfall.md section 8, "Collections"):
//! til distinct reverse asc desc iasc idesc rank take drop at find in where
//! enlist list concat except union sect rotate cut raze group sums deltas
//! maxs fills. Registered by the evaluator from `BUILTINS`.
//!
//! Every function works a column at a time on typed slices; atoms are only
//! built for results that are atoms, and for LIST items.
//!
//! This file holds the family's table; the builtins live by job in
//! `collection/{order,index,set,shape,running}.rs`, over the kernels of
//! `crate::ops`.
#![forbid(unsafe_code)]

mod index;
pub use index::take_of;
mod order;
mod running;
mod set;
mod shape;
#[cfg(test)]
mod tests;

use index::*;
use order::*;
use running::*;
use set::*;
use shape::*;
use shape::concat;

use super::spec::Builtin;
use super::util_args::*;
use crate::ops::keys::{contains_mask, groups, keys, loose_keys, positions};
use crate::ops::sort::{grade, sort_values};
use crate::ops::*;
use crate::ops::table;
use crate::abi::*;
use crate::core::vector::MAX_VEC_LEN;
use crate::core::{RayError, Result, Value};
use std::cmp::Ordering;

const fn unary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_UNARY, f)
}
const fn binary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_BINARY, f)
}
const fn vary(name: &'static str, f: super::spec::PureFn) -> Builtin {
    Builtin::pure(name, RAY_VARY, f)
}

pub const BUILTINS: &[Builtin] = &[
    unary("til", til),
    unary("distinct", distinct),
    unary("reverse", reverse),
    unary("asc", asc),
    unary("desc", desc),
    unary("iasc", iasc),
    unary("idesc", idesc),
    unary("rank", rank),
    binary("take", take),
    binary("drop", drop),
    binary("at", at).accepts_parted(),
    binary("find", find),
    binary("in", in_),
    unary("where", where_),
    vary("enlist", enlist),
    vary("list", list),
    binary("concat", concat),
    binary("except", except),
    binary("union", union),
    binary("sect", sect),
    binary("rotate", rotate),
    binary("cut", cut),
    unary("raze", raze),
    unary("group", group),
    unary("sums", sums).uniform(),
    unary("deltas", deltas).uniform(),
    unary("maxs", maxs).uniform(),
    unary("mins", mins).uniform(),
    unary("fills", fills).uniform(),
];

fn len_of(v: &ray_t) -> usize {
    v.len().max(0) as usize
}


// ---------------------------------------------------------------- til

fn til(args: &[Value]) -> Result<Value> {
    expect_arity("til", args, 1)?;
    let x = &args[0];
    if x.type_ != -RAY_I64 {
        return Err(type_err("til", &format!("argument must be an i64 atom, got {}", type_name_of(x))));
    }
    let n = x.i64_val();
    if n < 0 {
        return Err(domain_err("til", &format!("count must be non-negative, got {n}")));
    }
    if n > MAX_VEC_LEN {
        return Err(RayError::new("limit", "til: count too large"));
    }
    // Filled in fixed-size chunks: no second n-element buffer.
    let mut out = Value::vec_with_capacity(RAY_I64, n)?;
    let mut chunk = [0i64; 4096];
    let mut next = 0i64;
    while next < n {
        let k = ((n - next) as usize).min(chunk.len());
        for (j, slot) in chunk[..k].iter_mut().enumerate() {
            *slot = next + j as i64;
        }
        out.extend_from_slice::<i64>(&chunk[..k])?;
        next += k as i64;
    }
    Ok(out)
}
