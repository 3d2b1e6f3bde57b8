//! Builtins: arithmetic (rayfall.md section 7): `+ - * / % div neg abs
//! sqrt exp log pow round floor ceil xbar`. Operands are widened to an i64
//! or f64 domain once per column and combined by the chunked kernels of
//! `num`; the result type follows the reference's promotion rules.
#![forbid(unsafe_code)]

use super::num::*;
use crate::abi::*;
use crate::core::temporal::NS_PER_DAY;
use crate::core::{RayError, Result, Value};
use crate::lang::registry::Builtin;
use crate::ops::{elem_type_name, type_name_of as type_name};

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("+", RAY_BINARY, add).row_wise(),
    Builtin::pure("-", RAY_BINARY, sub).row_wise(),
    Builtin::pure("*", RAY_BINARY, mul).row_wise(),
    Builtin::pure("/", RAY_BINARY, fdiv).row_wise(),
    Builtin::pure("%", RAY_BINARY, rem).row_wise(),
    Builtin::pure("div", RAY_BINARY, idiv).row_wise(),
    Builtin::pure("pow", RAY_BINARY, pow),
    Builtin::pure("xbar", RAY_BINARY, xbar),
    Builtin::pure("neg", RAY_UNARY, neg).row_wise(),
    Builtin::pure("abs", RAY_UNARY, abs).row_wise(),
    Builtin::pure("sqrt", RAY_UNARY, sqrt).row_wise(),
    Builtin::pure("exp", RAY_UNARY, exp).row_wise(),
    Builtin::pure("log", RAY_UNARY, log).row_wise(),
    Builtin::pure("round", RAY_UNARY, round).row_wise(),
    Builtin::pure("floor", RAY_UNARY, floor).row_wise(),
    Builtin::pure("ceil", RAY_UNARY, ceil).row_wise(),
    Builtin::pure("reciprocal", RAY_UNARY, reciprocal).row_wise(),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    IDiv,
}

impl Op {
    /// The operation's name in `length` error messages (`div` has none in
    /// the reference and says `UNKNOWN`).
    fn label(self) -> &'static str {
        match self {
            Op::Add => "ADD",
            Op::Sub => "SUB",
            Op::Mul => "MUL",
            Op::Div => "DIV",
            Op::Rem => "MOD",
            Op::IDiv => "UNKNOWN",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "subtract",
            Op::Mul => "multiply",
            Op::Div => "divide",
            Op::Rem => "mod",
            Op::IDiv => "div",
        }
    }

    /// The `type` error for operands the operation does not take:
    /// `cannot add i64 and sym`, `cannot divide i64 by sym`.
    fn type_error(self, a: &ray_t, b: &ray_t) -> RayError {
        let joint = if matches!(self, Op::Add | Op::Sub | Op::Mul) { "and" } else { "by" };
        RayError::type_err(format!("cannot {} {} {joint} {}", self.verb(), elem_type_name(a), elem_type_name(b)))
    }
}

/// How an operation runs: the result type, the compute domain and the
/// scale each side is multiplied by first (date/time to ns for timestamps).
struct Plan {
    out: i8,
    float: bool,
    scale_a: i64,
    scale_b: i64,
}

/// Integer result types, as the reference's kernels pick them: indexed by
/// the left and right operand kind (b8 u8 i16 i32 i64 atoms, then the same
/// five as vectors). `L` i64, `i` i32, `h` i16, `u` u8. The tables are not
/// symmetric and differ between atoms and vectors; they are the reference's
/// observed answers (`(type (- [5 6] 0x02))` is `I64`, `(type (- 5 0x02))` `u8`).
const INT_RESULT: [(Op, [&[u8; 10]; 10]); 5] = [
    (Op::Add, [b"LLhiLLuhiL", b"LuhiLLuhiL", b"hhhiLhhhiL", b"iiiiLiiiiL", b"LLLLLLLLLL", b"LLhLLLLhLL", b"LuhiLLuhiL", b"hhhiLhhhiL", b"iiiiLiiiiL", b"LLLLLLLLLL"]),
    (Op::Sub, [b"LuhiLLuhiL", b"uuhiLuuhiL", b"huhiLhhhiL", b"iuhiLiiiiL", b"LuhiLLLLLL", b"LuhLLLuhLL", b"uuhiLuuhiL", b"hhhiLhhhiL", b"iiiiLiiiiL", b"LLLLLLLLLL"]),
    (Op::Mul, [b"LLhiLLuhiL", b"LuhiLLuhiL", b"hhhiLhhhiL", b"iiiiLiiiiL", b"LLLLLLLLLL", b"LLhLLLLhLL", b"LuhiLLuhiL", b"hhhiLhhhiL", b"iiiiLiiiiL", b"LLLLLLLLLL"]),
    (Op::Rem, [b"LuhiLLuhiL", b"LuhiLLuhiL", b"LuhiLLuhiL", b"LuhiLLuhiL", b"LuhiLLuhiL", b"LuhLLLuhLL", b"LuhLLLuhLL", b"LhhLLLhhLL", b"LiiiLLiiiL", b"LLLLLLLLLL"]),
    (Op::IDiv, [b"LLLLLLuhiL", b"LLLLLLuhiL", b"LLLLLLuhiL", b"LLLLLLuhiL", b"LLLLLLuhiL", b"LLLLLLLLLL", b"LuhLLLuhLL", b"LhhLLLhhLL", b"LiiiLLiiiL", b"LLLLLLLLLL"]),
];

/// The row/column of an integer operand in [`INT_RESULT`]. An empty
/// vector counts as an atom of its type, as in the reference
/// (`(type (- (take [1i] 0) 0x03))` is `U8`, `(type (- [] 3h))` `I16`).
fn int_kind(v: &ray_t) -> usize {
    let rank = int_rank(v);
    if atom_like(v) { rank } else { rank + 5 }
}

/// An atom, or an empty vector (which types arithmetic as an atom does).
fn atom_like(v: &ray_t) -> bool {
    v.type_ < 0 || (v.is_vec() && v.is_empty())
}

/// b8 u8 i16 i32 i64 as 0..4.
fn int_rank(v: &ray_t) -> usize {
    match base(v) {
        RAY_BOOL => 0,
        RAY_U8 => 1,
        RAY_I16 => 2,
        RAY_I32 => 3,
        _ => 4,
    }
}

fn int_result(op: Op, a: &ray_t, b: &ray_t) -> i8 {
    let table = INT_RESULT.iter().find(|(o, _)| *o == op).map_or(&INT_RESULT[0].1, |(_, t)| t);
    let out = match table[int_kind(a)][int_kind(b)] {
        b'u' => RAY_U8,
        b'h' => RAY_I16,
        b'i' => RAY_I32,
        _ => RAY_I64,
    };
    // A null atom in `-` or `%` of two atoms is the null of the wider operand
    // type, where the table narrows: `(- 0Nl 3i)` is 0Nl (`(- 5 3i)` is i32),
    // `(% 3i 0Nh)` 0Ni; a u8 remainder stays u8 (`(% 0Nl 0x03)` is 0x00).
    let narrowing = op == Op::Sub || (op == Op::Rem && out != RAY_U8);
    if narrowing && atom_like(a) && atom_like(b) && (has_nulls(a) || has_nulls(b)) {
        return match int_rank(a).max(int_rank(b)).max(int_rank_of(out)) {
            0 | 4 => RAY_I64,
            1 => RAY_U8,
            2 => RAY_I16,
            _ => RAY_I32,
        };
    }
    out
}

fn int_rank_of(t: i8) -> usize {
    match t {
        RAY_U8 => 1,
        RAY_I16 => 2,
        RAY_I32 => 3,
        _ => 4,
    }
}

fn plan(op: Op, a: &ray_t, b: &ray_t) -> Result<Plan> {
    let (ta, tb) = (base(a), base(b));
    if !is_num_operand(a) || !is_num_operand(b) {
        return Err(op.type_error(a, b));
    }
    let p = |out, float| Ok(Plan { out, float, scale_a: 1, scale_b: 1 });
    let (fa, fb) = (is_float(ta), is_float(tb));
    if is_temporal(ta) || is_temporal(tb) {
        return temporal_plan(op, a, b);
    }
    match op {
        Op::Div => p(RAY_F64, true),
        Op::IDiv => p(if fa || fb { RAY_I64 } else { int_result(op, a, b) }, fa || fb),
        _ if fa || fb => p(RAY_F64, true),
        _ => p(int_result(op, a, b), false),
    }
}

/// Plans for operations with a date, time or timestamp operand.
fn temporal_plan(op: Op, a: &ray_t, b: &ray_t) -> Result<Plan> {
    let (ta, tb) = (base(a), base(b));
    let p = |out| Ok(Plan { out, float: false, scale_a: 1, scale_b: 1 });
    let scaled = |scale_a, scale_b| Ok(Plan { out: RAY_TIMESTAMP, float: false, scale_a, scale_b });
    let named = |what: &str| Err(RayError::type_err(format!("{what}, got {} and {}", elem_type_name(a), elem_type_name(b))));
    let ms = 1_000_000;
    let float_side = is_float(ta) || is_float(tb);
    match (op, ta, tb) {
        (Op::Add | Op::Sub, _, _) if float_side => named(&format!("{}: temporal arithmetic requires integer offsets", op.verb())),
        (Op::Mul, RAY_TIME, _) | (Op::Mul, _, RAY_TIME) if float_side => named("multiply: temporal arithmetic requires integer factors"),
        (Op::Add, t, i) | (Op::Add, i, t) if is_temporal(t) && is_int(i) => p(t),
        (Op::Sub, t, i) if is_temporal(t) && is_int(i) => p(t),
        (Op::Sub, i, RAY_TIME) if is_int(i) => p(RAY_TIME),
        (Op::Mul, RAY_TIME, i) | (Op::Mul, i, RAY_TIME) if is_int(i) => p(RAY_TIME),
        (Op::Mul, RAY_TIME, RAY_TIME) => Err(RayError::type_err("multiply: cannot multiply time by time")),
        // The remainder keeps the temporal type; a float divisor is truncated first.
        (Op::Rem, t, n) if is_temporal(t) && !is_temporal(n) => p(t),
        (Op::Add, RAY_DATE, RAY_TIME) => scaled(NS_PER_DAY, ms),
        (Op::Add, RAY_TIME, RAY_DATE) => scaled(ms, NS_PER_DAY),
        (Op::Sub, RAY_DATE, RAY_TIME) => scaled(NS_PER_DAY, ms),
        (Op::Add | Op::Sub, RAY_TIMESTAMP, RAY_TIME) => scaled(1, ms),
        (Op::Add, RAY_TIME, RAY_TIMESTAMP) => scaled(ms, 1),
        (Op::Add | Op::Sub, RAY_TIME, RAY_TIME) => p(RAY_TIME),
        (Op::Sub, RAY_DATE, RAY_DATE) => p(RAY_I32),
        (Op::Sub, RAY_TIMESTAMP, RAY_TIMESTAMP) => p(RAY_I64),
        (Op::Sub, RAY_TIMESTAMP, RAY_DATE) => Err(RayError::type_err("subtract: cannot subtract date from timestamp")),
        _ => Err(op.type_error(a, b)),
    }
}

/// Remainder with the sign of the divisor.
#[inline]
fn rem_i(x: i64, y: i64) -> i64 {
    if y == 0 {
        return NULL_I64;
    }
    let r = x.wrapping_rem(y);
    if r != 0 && ((r < 0) != (y < 0)) { r + y } else { r }
}

#[inline]
fn rem_f(x: f64, y: f64) -> f64 {
    if y == 0.0 {
        return f64::NAN;
    }
    let r = x % y;
    if r != 0.0 && ((r < 0.0) != (y < 0.0)) { r + y } else { r }
}

#[inline]
fn floor_div_i(x: i64, y: i64) -> i64 {
    if y == 0 {
        return NULL_I64;
    }
    let q = x.wrapping_div(y);
    if (x.wrapping_rem(y) != 0) && ((x < 0) != (y < 0)) { q - 1 } else { q }
}

/// Runs an i64-domain kernel, narrowing to the plan's output type.
fn emit_int(a: &[i64], b: &[i64], n: usize, out: i8, nulls: bool, f: impl Fn(i64, i64) -> i64 + Copy + Sync) -> Result<Value> {
    let g = move |x: i64, y: i64| if x == NULL_I64 || y == NULL_I64 { NULL_I64 } else { f(x, y) };
    match out {
        RAY_I64 | RAY_TIMESTAMP if !nulls => map2(a, b, n, out, f),
        RAY_I64 | RAY_TIMESTAMP => map2(a, b, n, out, g),
        RAY_I32 | RAY_DATE | RAY_TIME => map2(a, b, n, out, move |x, y| {
            let r = g(x, y);
            if r == NULL_I64 { NULL_I32 } else { r as i32 }
        }),
        RAY_I16 => map2(a, b, n, out, move |x, y| {
            let r = g(x, y);
            if r == NULL_I64 { NULL_I16 } else { r as i16 }
        }),
        _ => map2(a, b, n, out, move |x, y| g(x, y) as u8),
    }
}

/// The arithmetic entry point shared by the binary verbs.
pub fn arith(op: Op, a: &ray_t, b: &ray_t) -> Result<Value> {
    if a.type_ == RAY_LIST || b.type_ == RAY_LIST {
        return list_map2(op.label(), a, b, &|x, y| arith(op, x, y));
    }
    // Two vectors of different lengths are a length error before their types are looked at.
    if a.is_vec() && b.is_vec() {
        common_len(op.label(), a, b)?;
    }
    // An empty vector against an atom (or a dict/table) the operation does
    // not take is the empty i64 vector, as in the reference: `(+ [] 'a)` is `[]`.
    let pl = match plan(op, a, b) {
        Err(_) if empty_against_scalar(a, b) => return Value::vec_from_slice(RAY_I64, &[] as &[i64]),
        pl => pl?,
    };
    let n = common_len(op.label(), a, b)?;
    let atom = a.type_ < 0 && b.type_ < 0;
    let nulls = has_nulls(a) || has_nulls(b);
    // A float result that overflows is 0Nf: a vector holding one is marked
    // HAS_NULLS, an atom carries the null flag only for a null operand or a
    // zero divisor (`(* 1e300 1e300)` is NaN without it, `(/ 1 0)` with it).
    let zero_divisor = || op == Op::IDiv || (matches!(op, Op::Div | Op::Rem) && (!atom || atom_f64(b) == 0.0));
    let may_null = nulls || (pl.float && !atom) || zero_divisor();
    let v = if pl.float {
        match op {
            Op::Add => fmap2(a, b, n, |p, q| finite(p + q)),
            Op::Sub => fmap2(a, b, n, |p, q| finite(p - q)),
            Op::Mul => fmap2(a, b, n, |p, q| finite(p * q)),
            Op::Div => fmap2(a, b, n, |p, q| if q == 0.0 { f64::NAN } else { finite(p / q) }),
            Op::Rem => fmap2(a, b, n, rem_f),
            Op::IDiv => fmap2_to(a, b, n, RAY_I64, |p: f64, q: f64| {
                let r = (p / q).floor();
                if q == 0.0 || !r.is_finite() { NULL_I64 } else { r as i64 }
            }),
        }?
    } else {
        let (x, y) = (widen_i(a, pl.scale_a), widen_i(b, pl.scale_b));
        match op {
            Op::Add => emit_int(&x, &y, n, pl.out, nulls, i64::wrapping_add),
            Op::Sub => emit_int(&x, &y, n, pl.out, nulls, i64::wrapping_sub),
            Op::Mul => emit_int(&x, &y, n, pl.out, nulls, i64::wrapping_mul),
            Op::Rem => emit_int(&x, &y, n, pl.out, true, rem_i),
            Op::IDiv => emit_int(&x, &y, n, pl.out, true, floor_div_i),
            Op::Div => unreachable!("division always runs in f64"),
        }?
    };
    finish(v, atom, may_null)
}

/// A float result as the reference stores it: infinities are 0Nf.
#[inline]
fn finite(y: f64) -> f64 {
    if y.is_finite() { y } else { f64::NAN }
}

fn add(args: &[Value]) -> Result<Value> {
    arith(Op::Add, &args[0], &args[1])
}
fn sub(args: &[Value]) -> Result<Value> {
    arith(Op::Sub, &args[0], &args[1])
}
fn mul(args: &[Value]) -> Result<Value> {
    arith(Op::Mul, &args[0], &args[1])
}
fn fdiv(args: &[Value]) -> Result<Value> {
    arith(Op::Div, &args[0], &args[1])
}
fn rem(args: &[Value]) -> Result<Value> {
    arith(Op::Rem, &args[0], &args[1])
}
fn idiv(args: &[Value]) -> Result<Value> {
    arith(Op::IDiv, &args[0], &args[1])
}

fn pow(args: &[Value]) -> Result<Value> {
    let (a, b) = (&args[0], &args[1]);
    if a.type_ == RAY_LIST || b.type_ == RAY_LIST {
        return list_map2("POW", a, b, &|x, y| pow(&[x.to_value(), y.to_value()]));
    }
    numeric_only(a)?;
    numeric_only(b)?;
    let n = common_len("POW", a, b)?;
    let v = map2(&widen_f(a), &widen_f(b), n, RAY_F64, |x, y| finite(x.powf(y)))?;
    let atom = a.type_ < 0 && b.type_ < 0;
    finish(v, atom, !atom || has_nulls(a) || has_nulls(b))
}

/// `(xbar v n)`: `v` rounded down to a multiple of `n`. For numbers it is
/// `(* (div v n) n)`, with that composition's result types; a date, time
/// or timestamp `v` keeps its type, and so does an i16, i32 or i64 vector
/// by an integer atom (its nulls stay null). A zero or null bucket (and,
/// otherwise, a null operand) is a `domain` error, as in the reference.
fn xbar(args: &[Value]) -> Result<Value> {
    let (v, n) = (&args[0], &args[1]);
    if v.type_ == RAY_LIST || n.type_ == RAY_LIST {
        // A u8/i16/i32 atom against a LIST gives its items an integer atom
        // of its own type (`(xbar 0x05 (list 1 2))` is `(0x05 0x04)`); a
        // vector or float item keeps the type it has alone.
        let own_type = (v.type_ < 0 && matches!(-v.type_, RAY_U8 | RAY_I16 | RAY_I32)).then_some(v.type_);
        return list_map2("UNKNOWN", v, n, &|x, y| {
            let r = xbar(&[x.to_value(), y.to_value()])?;
            match own_type {
                Some(t) if r.type_ == -RAY_I64 => super::cast::convert(-t, &r),
                _ => Ok(r),
            }
        });
    }
    // Lengths first. An empty side is `[]`, unless the bucket is a plain
    // non-zero number: then it runs through (`(xbar [] 2.5)` is an empty F64).
    if v.is_vec() && n.is_vec() {
        common_len("UNKNOWN", v, n)?;
    }
    if (v.is_vec() && v.is_empty()) || (n.is_vec() && n.is_empty()) {
        let plain_bucket = n.type_ < 0 && is_num_operand(v) && is_num_operand(n) && !has_nulls(n) && atom_f64(n) != 0.0;
        if !plain_bucket {
            return Value::vec_from_slice(RAY_I64, &[] as &[i64]);
        }
    }
    let (tv, tn) = (base(v), base(n));
    let unsupported = || RayError::type_err(format!("xbar: unsupported operand types, got {} and {}", elem_type_name(v), elem_type_name(n)));
    if !is_num_operand(v) || !is_num_operand(n) || (!is_temporal(tv) && is_temporal(tn)) || (is_temporal(tv) && is_float(tn)) {
        return Err(unsupported());
    }
    let zero_bucket = widen_i(n, 1).iter().any(|&x| x == 0);
    let null_bucket = has_nulls(n) && widen_i(n, 1).contains(&NULL_I64);
    if is_temporal(tv) {
        if zero_bucket || null_bucket {
            return Err(RayError::domain("xbar: bucket size must be non-zero and non-null"));
        }
        let len = common_len("UNKNOWN", v, n)?;
        let r = emit_int(&widen_i(v, 1), &widen_i(n, 1), len, tv, true, |x, m| floor_div_i(x, m).wrapping_mul(m))?;
        return finish(r, v.type_ < 0 && n.type_ < 0, true);
    }
    let null_value = has_nulls(v) && widen_f(v).iter().any(|x| x.is_nan());
    if is_float(tv) || is_float(tn) {
        let zero = widen_f(n).iter().any(|&x| x == 0.0);
        if null_value || widen_f(n).iter().any(|x| x.is_nan()) {
            return Err(RayError::domain("xbar: operands must be non-null"));
        }
        if zero {
            return Err(RayError::domain("xbar: bucket size must be non-zero"));
        }
        let len = common_len("UNKNOWN", v, n)?;
        let r = map2(&widen_f(v), &widen_f(n), len, RAY_F64, |x, m| (x / m).floor() * m)?;
        return finish(r, v.type_ < 0 && n.type_ < 0, false);
    }
    if v.is_vec() && n.type_ < 0 && matches!(tv, RAY_I16 | RAY_I32 | RAY_I64) && !null_bucket {
        // An integer vector by a non-null integer atom: rounded in the
        // vector's own width (`(xbar [5h] 2)` is I16), its nulls stay null.
        if zero_bucket {
            return Err(RayError::domain("xbar: bucket size must be non-zero"));
        }
        let r = emit_int(&widen_i(v, 1), &widen_i(n, 1), v.len() as usize, tv, true, |x, m| floor_div_i(x, m).wrapping_mul(m))?;
        return finish(r, false, has_nulls(v));
    }
    if zero_bucket || null_bucket || null_value {
        return Err(RayError::domain("xbar: bucket size must be non-zero and operands non-null"));
    }
    arith(Op::Mul, &*arith(Op::IDiv, v, n)?, n)
}

fn numeric_only(v: &ray_t) -> Result<()> {
    if !is_num_operand(v) || is_temporal(base(v)) {
        return Err(RayError::type_err(format!("expected a number, got {}", type_name(v))));
    }
    Ok(())
}

/// How a unary verb treats a null date/time/timestamp atom: the reference
/// answers before it checks the type, with the null itself or with 0Nf.
#[derive(Clone, Copy)]
enum TemporalNull {
    Keep,
    Float,
}

/// The shared frame of the unary numeric verbs: a LIST is mapped item by
/// item (each item must be an atom) and regrouped into a vector of the
/// first result's type; an empty LIST counts as an empty i64 vector.
/// `name` is the verb in error messages (`negate: expects a numeric argument, got sym`).
fn unary(name: &str, v: &ray_t, nulls: TemporalNull, accepts: fn(&ray_t) -> bool, f: &dyn Fn(&ray_t) -> Result<Value>) -> Result<Value> {
    let type_err = |t: &str| RayError::type_err(format!("{name}: expects a numeric argument, got {t}"));
    if v.type_ == RAY_LIST {
        if v.is_empty() {
            return f(&*Value::vec_from_slice(RAY_I64, &[] as &[i64])?);
        }
        let mut out = Vec::with_capacity(v.len() as usize);
        for item in v.items() {
            let item = item.map_or_else(Value::null, |x| x.to_value());
            if item.type_ >= 0 {
                return Err(type_err(type_name(&item)));
            }
            out.push(unary(name, &item, nulls, accepts, f)?);
        }
        let t = out[0].type_;
        let out = out.iter().map(|x| if x.type_ == t { Ok(x.clone()) } else { super::cast::convert(-t, x) }).collect::<Result<Vec<_>>>()?;
        return crate::ops::collect(out);
    }
    // A null date/time/timestamp, atom or vector with no other element, is
    // answered before the type check: `(exp [0Nd 0Nd])` is `[0Nf 0Nf]`.
    if is_temporal(base(v)) && all_null(v) {
        return match nulls {
            TemporalNull::Keep => Ok(v.to_value()),
            TemporalNull::Float if v.type_ < 0 => Value::typed_null(-RAY_F64),
            TemporalNull::Float => finish(map1(&widen_f(v), RAY_F64, |x| x)?, false, true),
        };
    }
    if !accepts(v) {
        return Err(type_err(elem_type_name(v)));
    }
    f(v)
}

/// True when every element of `v` (an atom: `v` itself) is null.
fn all_null(v: &ray_t) -> bool {
    if v.type_ < 0 { v.is_null_atom() } else { widen_i(v, 1).iter().all(|&x| x == NULL_I64) }
}

/// Integers (not b8 or u8) and floats: what `neg` and `abs` take.
fn signed_number(v: &ray_t) -> bool {
    is_num_operand(v) && !is_temporal(base(v)) && !matches!(base(v), RAY_BOOL | RAY_U8)
}

/// Any number, b8 included: what the float functions take.
fn any_number(v: &ray_t) -> bool {
    is_num_operand(v) && !is_temporal(base(v))
}
/// Same-width integer map (neg, abs): nulls stay nulls because the
/// sentinel is the minimum value and wrapping keeps it.
fn same_width(v: &ray_t, fi: fn(i64) -> i64, ff: fn(f64) -> f64) -> Result<Value> {
    let t = base(v);
    let atom = v.type_ < 0;
    let r = if is_float(t) {
        map1(&widen_f(v), RAY_F64, ff)?
    } else {
        let x = widen_i(v, 1);
        match t {
            RAY_I64 => map1(&x, RAY_I64, fi)?,
            RAY_I32 => map1(&x, RAY_I32, move |a| if a == NULL_I64 { NULL_I32 } else { fi(a) as i32 })?,
            RAY_I16 => map1(&x, RAY_I16, move |a| if a == NULL_I64 { NULL_I16 } else { fi(a) as i16 })?,
            _ => map1(&x, RAY_U8, move |a| fi(a) as u8)?,
        }
    };
    finish(r, atom, has_nulls(v))
}

fn neg(args: &[Value]) -> Result<Value> {
    unary("negate", &args[0], TemporalNull::Keep, signed_number, &|v| {
        same_width(v, |x| if x == NULL_I64 { x } else { x.wrapping_neg() }, |x| if x.is_nan() { x } else { -x })
    })
}

fn abs(args: &[Value]) -> Result<Value> {
    unary("abs", &args[0], TemporalNull::Keep, signed_number, &|v| {
        same_width(v, |x| if x == NULL_I64 { x } else { x.wrapping_abs() }, f64::abs)
    })
}

/// A float function of any number. A result that is not finite (`(log 0)`,
/// `(sqrt -1)`, `(exp 1000.0)`) is `0Nf`, the positive quiet NaN the
/// reference writes (x86 makes negative ones). An atom carries the null
/// flag only when the input was null; a vector with any NaN is marked as
/// holding nulls.
fn float_fn(v: &ray_t, f: fn(f64) -> f64) -> Result<Value> {
    let r = map1(&widen_f(v), RAY_F64, move |x| finite(f(x)))?;
    let atom = v.type_ < 0;
    finish(r, atom, !atom || has_nulls(v))
}

/// A float verb in the unary frame.
fn float_verb(name: &str, v: &ray_t, f: fn(f64) -> f64) -> Result<Value> {
    unary(name, v, TemporalNull::Float, any_number, &|v| float_fn(v, f))
}

fn sqrt(args: &[Value]) -> Result<Value> {
    float_verb("sqrt", &args[0], f64::sqrt)
}
fn exp(args: &[Value]) -> Result<Value> {
    float_verb("exp", &args[0], f64::exp)
}
fn log(args: &[Value]) -> Result<Value> {
    float_verb("log", &args[0], f64::ln)
}
fn round(args: &[Value]) -> Result<Value> {
    float_verb("round", &args[0], f64::round)
}

/// `(reciprocal x)`: `1 / x` as f64, element-wise. A zero (also `-0.0`), a
/// null or a result too large for f64 gives `0Nf` (builtins.md 4.2).
fn reciprocal(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    if v.type_ == RAY_LIST {
        if v.is_empty() {
            return Value::vec_from_slice(RAY_F64, &[] as &[f64]);
        }
        return list_map1(v, reciprocal);
    }
    if v.type_ < 0 && is_temporal(base(v)) && v.is_null_atom() {
        return Value::typed_null(-RAY_F64);
    }
    if !is_num_operand(v) || is_temporal(base(v)) {
        return Err(RayError::type_err(format!("reciprocal: expects a numeric argument, got {}", type_name(v))));
    }
    let r = map1(&widen_f(v), RAY_F64, |x| {
        let y = 1.0 / x;
        if y.is_finite() { y } else { f64::NAN }
    })?;
    finish(r, v.type_ < 0, true)
}

/// Maps a unary verb over LIST items.
fn list_map1(v: &ray_t, f: fn(&[Value]) -> Result<Value>) -> Result<Value> {
    let items: Result<Vec<Value>> = v.items().iter().map(|x| f(&[x.map_or_else(Value::null, |x| x.to_value())])).collect();
    crate::ops::collect(items?)
}

/// `floor`/`ceil`: f64 in, f64 out; integers come back unchanged.
fn int_preserving(name: &str, v: &Value, f: fn(f64) -> f64) -> Result<Value> {
    unary(name, v, TemporalNull::Keep, any_number, &|v| if is_int(base(v)) { Ok(v.to_value()) } else { float_fn(v, f) })
}

fn floor(args: &[Value]) -> Result<Value> {
    int_preserving("floor", &args[0], f64::floor)
}
fn ceil(args: &[Value]) -> Result<Value> {
    int_preserving("ceil", &args[0], f64::ceil)
}
