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
use crate::ops::type_name_of as type_name;

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
    /// The operation's name in `length` error messages.
    fn label(self) -> &'static str {
        match self {
            Op::Add => "ADD",
            Op::Sub => "SUB",
            Op::Mul => "MUL",
            Op::Div => "DIV",
            Op::Rem => "MOD",
            Op::IDiv => "IDIV",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "subtract",
            Op::Mul => "multiply",
            Op::Div => "divide",
            Op::Rem => "take the remainder of",
            Op::IDiv => "divide",
        }
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

fn int_rank(t: i8) -> i8 {
    match t {
        RAY_BOOL => 0,
        RAY_U8 => 1,
        RAY_I16 => 2,
        RAY_I32 => 3,
        _ => 4,
    }
}

/// `+ * %`: the wider integer type; b8 with b8 gives i64.
fn int_promote(a: i8, b: i8) -> i8 {
    let t = if int_rank(a) >= int_rank(b) { a } else { b };
    if t == RAY_BOOL { RAY_I64 } else { t }
}

/// `-`: the right operand's integer width (a b8 right side defers to the left).
fn sub_promote(a: i8, b: i8) -> i8 {
    if b != RAY_BOOL {
        b
    } else if a != RAY_BOOL {
        a
    } else {
        RAY_I64
    }
}

fn plan(op: Op, a: &ray_t, b: &ray_t) -> Result<Plan> {
    let (ta, tb) = (base(a), base(b));
    let type_err = || RayError::type_err(format!("cannot {} {} and {}", op.verb(), type_name(a), type_name(b)));
    if !is_num_operand(a) || !is_num_operand(b) {
        return Err(type_err());
    }
    let p = |out, float| Ok(Plan { out, float, scale_a: 1, scale_b: 1 });
    let (ia, ib) = (is_int(ta), is_int(tb));
    let (fa, fb) = (is_float(ta), is_float(tb));
    let temporal = is_temporal(ta) || is_temporal(tb);
    if temporal {
        let ms = 1_000_000;
        return match (op, ta, tb) {
            (Op::Add, t, i) | (Op::Add, i, t) if is_temporal(t) && is_int(i) => p(t, false),
            (Op::Sub, t, i) if is_temporal(t) && is_int(i) => p(t, false),
            (Op::Add, RAY_DATE, RAY_TIME) => Ok(Plan { out: RAY_TIMESTAMP, float: false, scale_a: NS_PER_DAY, scale_b: ms }),
            (Op::Add, RAY_TIME, RAY_DATE) => Ok(Plan { out: RAY_TIMESTAMP, float: false, scale_a: ms, scale_b: NS_PER_DAY }),
            (Op::Add, RAY_TIMESTAMP, RAY_TIME) | (Op::Sub, RAY_TIMESTAMP, RAY_TIME) => {
                Ok(Plan { out: RAY_TIMESTAMP, float: false, scale_a: 1, scale_b: ms })
            }
            (Op::Add, RAY_TIME, RAY_TIMESTAMP) => Ok(Plan { out: RAY_TIMESTAMP, float: false, scale_a: ms, scale_b: 1 }),
            (Op::Add | Op::Sub, RAY_TIME, RAY_TIME) => p(RAY_TIME, false),
            (Op::Sub, RAY_DATE, RAY_DATE) => p(RAY_I32, false),
            (Op::Sub, RAY_TIMESTAMP, RAY_TIMESTAMP) => p(RAY_I64, false),
            _ => Err(type_err()),
        };
    }
    match op {
        Op::Div => p(RAY_F64, true),
        Op::IDiv => p(RAY_I64, fa || fb),
        _ if fa || fb => p(RAY_F64, true),
        Op::Sub => p(sub_promote(ta, tb), false),
        _ => {
            debug_assert!(ia && ib);
            p(int_promote(ta, tb), false)
        }
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
fn emit_int(a: &[i64], b: &[i64], n: usize, out: i8, nulls: bool, f: impl Fn(i64, i64) -> i64 + Copy) -> Result<Value> {
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
    let pl = plan(op, a, b)?;
    let n = common_len(op.label(), a, b)?;
    let atom = a.type_ < 0 && b.type_ < 0;
    let nulls = has_nulls(a) || has_nulls(b);
    let may_null = nulls || matches!(op, Op::Div | Op::Rem | Op::IDiv);
    let v = if pl.float {
        match op {
            Op::Add => fmap2(a, b, n, |p, q| p + q),
            Op::Sub => fmap2(a, b, n, |p, q| p - q),
            Op::Mul => fmap2(a, b, n, |p, q| p * q),
            Op::Div => fmap2(a, b, n, |p, q| if q == 0.0 { f64::NAN } else { p / q }),
            Op::Rem => fmap2(a, b, n, rem_f),
            Op::IDiv => fmap2_to(a, b, n, RAY_I64, |p: f64, q: f64| {
                let r = (p / q).floor();
                if q == 0.0 || r.is_nan() { NULL_I64 } else { r as i64 }
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
    let v = map2(&widen_f(a), &widen_f(b), n, RAY_F64, f64::powf)?;
    finish(v, a.type_ < 0 && b.type_ < 0, has_nulls(a) || has_nulls(b))
}

/// `(xbar v n)`: `v` rounded down to a multiple of `n`, in `v`'s type.
fn xbar(args: &[Value]) -> Result<Value> {
    let (v, n) = (&args[0], &args[1]);
    if !is_num_operand(v) || !is_num_operand(n) {
        return Err(RayError::type_err("xbar: numeric arguments expected"));
    }
    let atom = v.type_ < 0 && n.type_ < 0;
    let len = common_len("XBAR", v, n)?;
    let tv = base(v);
    if is_float(tv) || is_float(base(n)) {
        let r = map2(&widen_f(v), &widen_f(n), len, RAY_F64, |x, m| if m == 0.0 { f64::NAN } else { (x / m).floor() * m })?;
        return finish(r, atom, true);
    }
    let out = if tv == RAY_BOOL { RAY_I64 } else { tv };
    let r = emit_int(&widen_i(v, 1), &widen_i(n, 1), len, out, true, |x, m| if m == 0 { NULL_I64 } else { x - x.rem_euclid(m) })?;
    finish(r, atom, true)
}

fn numeric_only(v: &ray_t) -> Result<()> {
    if !is_num_operand(v) || is_temporal(base(v)) {
        return Err(RayError::type_err(format!("expected a number, got {}", type_name(v))));
    }
    Ok(())
}

/// Maps a unary verb over LIST items.
fn list_map1(v: &ray_t, f: fn(&[Value]) -> Result<Value>) -> Result<Value> {
    let items: Result<Vec<Value>> = v.items().iter().map(|x| f(&[x.map_or_else(Value::null, |x| x.to_value())])).collect();
    crate::ops::collect(items?)
}

/// Same-width integer map (neg, abs): nulls stay nulls because the
/// sentinel is the minimum value and wrapping keeps it.
fn same_width(v: &ray_t, fi: fn(i64) -> i64, ff: fn(f64) -> f64) -> Result<Value> {
    let t = base(v);
    if t == RAY_BOOL || !is_num_operand(v) || is_temporal(t) {
        return Err(RayError::type_err(format!("expected a number, got {}", type_name(v))));
    }
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
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], neg);
    }
    same_width(&args[0], |x| if x == NULL_I64 { x } else { x.wrapping_neg() }, |x| -x)
}

fn abs(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], abs);
    }
    same_width(&args[0], |x| if x == NULL_I64 { x } else { x.wrapping_abs() }, f64::abs)
}

/// A float function of any number; NaN results carry the null flag only
/// when the input was null (`(sqrt -1)` is NaN without it).
fn float_fn(v: &ray_t, f: fn(f64) -> f64) -> Result<Value> {
    numeric_only(v)?;
    // NaN results are the positive quiet NaN the reference writes (x86 makes negative ones).
    let r = map1(&widen_f(v), RAY_F64, move |x| {
        let y = f(x);
        if y.is_nan() { f64::NAN } else { y }
    })?;
    finish(r, v.type_ < 0, has_nulls(v))
}

fn sqrt(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], sqrt);
    }
    float_fn(&args[0], f64::sqrt)
}
fn exp(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], exp);
    }
    float_fn(&args[0], f64::exp)
}
fn log(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], log);
    }
    float_fn(&args[0], f64::ln)
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
    if !is_num_operand(v) || is_temporal(base(v)) {
        return Err(RayError::type_err(format!("reciprocal: expects a numeric argument, got {}", type_name(v))));
    }
    let r = map1(&widen_f(v), RAY_F64, |x| {
        let y = 1.0 / x;
        if y.is_finite() { y } else { f64::NAN }
    })?;
    finish(r, v.type_ < 0, true)
}

fn round(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], round);
    }
    float_fn(&args[0], f64::round)
}

/// `floor`/`ceil`: f64 in, f64 out; integers come back unchanged.
fn int_preserving(v: &Value, f: fn(f64) -> f64) -> Result<Value> {
    numeric_only(v)?;
    if is_int(base(v)) {
        return Ok(v.clone());
    }
    float_fn(v, f)
}

fn floor(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], floor);
    }
    int_preserving(&args[0], f64::floor)
}
fn ceil(args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_LIST {
        return list_map1(&args[0], ceil);
    }
    int_preserving(&args[0], f64::ceil)
}
