//! Builtins: comparisons (rayfall.md sections 7 and 9): `== != < > <= >=`
//! and `within`. Numbers compare across widths, dates/timestamps by
//! instant, symbols by name, strings lexicographically; nulls equal each
//! other and sort below every value.
#![forbid(unsafe_code)]

use super::num::*;
use crate::abi::*;
use crate::core::temporal::NS_PER_DAY;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::registry::Builtin;
use crate::ops::elem_type_name;
use std::cmp::Ordering;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("==", RAY_BINARY, eq).row_wise(),
    Builtin::pure("!=", RAY_BINARY, ne).row_wise(),
    Builtin::pure("<", RAY_BINARY, lt).row_wise(),
    Builtin::pure(">", RAY_BINARY, gt).row_wise(),
    Builtin::pure("<=", RAY_BINARY, le).row_wise(),
    Builtin::pure(">=", RAY_BINARY, ge).row_wise(),
    Builtin::pure("within", RAY_BINARY, within),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Cmp {
    /// The operation's name in `length` error messages.
    fn label(self) -> &'static str {
        match self {
            Cmp::Eq => "EQ",
            Cmp::Ne => "NE",
            Cmp::Lt => "LT",
            Cmp::Gt => "GT",
            Cmp::Le => "LE",
            Cmp::Ge => "GE",
        }
    }

    #[inline]
    fn test<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Gt => a > b,
            Cmp::Le => a <= b,
            Cmp::Ge => a >= b,
        }
    }
    fn of(self, o: Ordering) -> bool {
        self.test(o, Ordering::Equal)
    }
}

/// f64 compare key: NaN (null) below every value, equal to itself.
#[inline]
fn fkey(x: f64) -> f64 {
    if x.is_nan() { f64::NEG_INFINITY } else { x }
}

fn type_err(a: &ray_t, b: &ray_t) -> RayError {
    RayError::type_err(format!("cannot compare {} and {}", elem_type_name(a), elem_type_name(b)))
}

/// The reference's wording for `==` and `!=` of incomparable operands.
fn incomparable(op: Cmp, a: &ray_t, b: &ray_t) -> RayError {
    let name = if op == Cmp::Ne { "<>" } else { "=" };
    RayError::type_err(format!("{name}: incomparable operand types, got {} and {}", elem_type_name(a), elem_type_name(b)))
}

/// `==`/`!=` of incomparable operands where one is a null atom: a null
/// equals only a null (of any type), so each position is "is the other
/// operand null there", shaped like the other operand.
fn null_against(op: Cmp, a: &ray_t, b: &ray_t) -> Option<Result<Value>> {
    let null_atom = |v: &ray_t| v.type_ < 0 && v.type_ != -RAY_SYM && v.type_ != -RAY_STR && v.is_null_atom();
    if !matches!(op, Cmp::Eq | Cmp::Ne) || !(null_atom(a) || null_atom(b)) {
        return None;
    }
    let other = if null_atom(a) { b } else { a };
    let answer = |null: bool| (null == (op == Cmp::Eq)) as u8;
    Some(if other.is_vec() {
        let bits: Vec<u8> = (0..other.len() as usize).map(|i| answer(crate::ops::elem_is_null(other, i))).collect();
        Value::vec_from_slice(RAY_BOOL, &bits)
    } else {
        Ok(Value::bool(answer(null_atom(other)) != 0))
    })
}

/// Scales for comparing two temporal/numeric operands by instant.
fn temporal_scales(a: &ray_t, b: &ray_t) -> Result<(i64, i64)> {
    let (ta, tb) = (base(a), base(b));
    match (ta, tb) {
        _ if ta == tb => Ok((1, 1)),
        (RAY_DATE, RAY_TIMESTAMP) => Ok((NS_PER_DAY, 1)),
        (RAY_TIMESTAMP, RAY_DATE) => Ok((1, NS_PER_DAY)),
        (RAY_TIME, RAY_DATE) => Ok((1_000_000, NS_PER_DAY)),
        (RAY_DATE, RAY_TIME) => Ok((NS_PER_DAY, 1_000_000)),
        (RAY_TIME, RAY_TIMESTAMP) => Ok((1_000_000, 1)),
        (RAY_TIMESTAMP, RAY_TIME) => Ok((1, 1_000_000)),
        _ => Err(type_err(a, b)),
    }
}

pub fn compare(op: Cmp, a: &ray_t, b: &ray_t) -> Result<Value> {
    if a.type_ == RAY_LIST || b.type_ == RAY_LIST {
        // Items compared with an integer atom answer in that atom's type, 0 or 1,
        // as the reference does: `(== (list 1 2) 1h)` is `(1h 0h)`.
        let int_atom = [a, b].into_iter().map(|v| v.type_).find(|&t| matches!(-t, RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64));
        return list_map2(op.label(), a, b, &|x, y| {
            let r = compare(op, x, y)?;
            Ok(match int_atom {
                Some(t) if r.type_ == -RAY_BOOL => int_atom_of(t, r.u8_val() as i64),
                _ => r,
            })
        });
    }
    compare_typed(op, a, b).or_else(|e| match null_against(op, a, b) {
        Some(answer) if e.code_str() == "type" => answer,
        // An empty vector against an atom, dict or table it cannot be compared with is `[]` (i64).
        _ if e.code_str() == "type" && empty_against_scalar(a, b) => Value::vec_from_slice(RAY_I64, &[] as &[i64]),
        _ if e.code_str() == "type" && matches!(op, Cmp::Eq | Cmp::Ne) => Err(incomparable(op, a, b)),
        _ => Err(e),
    })
}

/// The integer atom of type `t` (< 0) holding `x`.
fn int_atom_of(t: i8, x: i64) -> Value {
    match -t {
        RAY_U8 => Value::u8(x as u8),
        RAY_I16 => Value::i16(x as i16),
        RAY_I32 => Value::i32(x as i32),
        _ => Value::i64(x),
    }
}

fn compare_typed(op: Cmp, a: &ray_t, b: &ray_t) -> Result<Value> {
    let atom = a.type_ < 0 && b.type_ < 0;
    // A dict or table operand is a type error before any length check.
    let plain = |v: &ray_t| v.is_vec() || v.type_ < 0;
    if !plain(a) || !plain(b) {
        return Err(type_err(a, b));
    }
    let n = common_len(op.label(), a, b)?;
    let v = if is_num_operand(a) && is_num_operand(b) {
        let (ta, tb) = (base(a), base(b));
        if is_temporal(ta) || is_temporal(tb) {
            if is_float(ta) || is_float(tb) || !is_temporal(ta) || !is_temporal(tb) {
                return Err(type_err(a, b));
            }
            let (sa, sb) = temporal_scales(a, b)?;
            map2(&widen_i(a, sa), &widen_i(b, sb), n, RAY_BOOL, |x, y| op.test(x, y) as u8)?
        } else if is_float(ta) || is_float(tb) {
            map2(&widen_f(a), &widen_f(b), n, RAY_BOOL, |x, y| op.test(fkey(x), fkey(y)) as u8)?
        } else {
            map2(&widen_i(a, 1), &widen_i(b, 1), n, RAY_BOOL, |x, y| op.test(x, y) as u8)?
        }
    } else {
        let (ta, tb) = (base(a), base(b));
        let both = |t| ta == t && tb == t && (a.is_vec() || a.type_ < 0) && (b.is_vec() || b.type_ < 0);
        let bools: Vec<u8> = if both(RAY_SYM) {
            let id = |v: &ray_t, i: usize| if v.type_ < 0 { v.i64_val() } else { v.sym_at(i) };
            (0..n)
                .map(|i| {
                    let (x, y) = (id(a, i), id(b, i));
                    let o = if x == y { Ordering::Equal } else { sym::name_or_empty(x).cmp(sym::name_or_empty(y)) };
                    op.of(o) as u8
                })
                .collect()
        } else if both(RAY_STR) {
            let s = |v: &ray_t, i: usize| -> Vec<u8> { if v.type_ < 0 { v.str_bytes().to_vec() } else { v.str_at(i).to_vec() } };
            (0..n).map(|i| op.of(s(a, i).cmp(&s(b, i))) as u8).collect()
        } else if both(RAY_GUID) {
            let g = |v: &ray_t, i: usize| -> [u8; 16] {
                if v.type_ < 0 { *v.guid_bytes().unwrap_or(&[0; 16]) } else { v.elems::<[u8; 16]>()[i] }
            };
            (0..n).map(|i| op.of(g(a, i).cmp(&g(b, i))) as u8).collect()
        } else {
            return Err(type_err(a, b));
        };
        Value::vec_from_slice(RAY_BOOL, &bools)?
    };
    if atom {
        return Ok(Value::bool(v.elems::<u8>()[0] != 0));
    }
    Ok(v)
}

fn eq(args: &[Value]) -> Result<Value> {
    compare(Cmp::Eq, &args[0], &args[1])
}
fn ne(args: &[Value]) -> Result<Value> {
    compare(Cmp::Ne, &args[0], &args[1])
}
fn lt(args: &[Value]) -> Result<Value> {
    compare(Cmp::Lt, &args[0], &args[1])
}
fn gt(args: &[Value]) -> Result<Value> {
    compare(Cmp::Gt, &args[0], &args[1])
}
fn le(args: &[Value]) -> Result<Value> {
    compare(Cmp::Le, &args[0], &args[1])
}
fn ge(args: &[Value]) -> Result<Value> {
    compare(Cmp::Ge, &args[0], &args[1])
}

/// `(within v [lo hi])`: `lo <= v <= hi` element by element; `v` a vector.
fn within(args: &[Value]) -> Result<Value> {
    let (v, r) = (&args[0], &args[1]);
    if !v.is_vec() || !r.is_vec() {
        let name = crate::ops::type_name_of;
        return Err(RayError::type_err(format!("within: vals and range must be vectors, got {} and {}", name(v), name(r))));
    }
    if r.len() != 2 {
        return Err(RayError::length(format!("within: range must have 2 elements, got {}", r.len())));
    }
    let lo = crate::ops::elem(r, 0);
    let hi = crate::ops::elem(r, 1);
    let a = compare(Cmp::Ge, v, &lo)?;
    let b = compare(Cmp::Le, v, &hi)?;
    let out: Vec<u8> = a.elems::<u8>().iter().zip(b.elems::<u8>()).map(|(&x, &y)| x & y).collect();
    Value::vec_from_slice(RAY_BOOL, &out)
}
