//! Builtins: cast family (spec/rayfall.md section 8, "Type and cast"):
//! `(as 'type x)` for the targets i16 i32 i64 u8 f32 f64 b8 str sym date
//! time timestamp guid (any letter case). Atoms convert to atoms, vectors
//! column-wise to vectors, LISTs item by item. Floats truncate toward zero,
//! typed nulls become the target's null, text is parsed (`domain` when it
//! cannot be). Registered by the evaluator from `BUILTINS`.
#![forbid(unsafe_code)]

use super::spec::Builtin;
use super::util_args::*;
use crate::ops::{Prim, atom_at, fill_vec, is_temporal, pack_values, sym_ids, vec_from};
use crate::abi::*;
use crate::core::temporal::{NS_PER_DAY, days_from_civil};
use crate::core::{RayError, Result, Value, sym};

pub const BUILTINS: &[Builtin] =
    &[Builtin::pure("as", RAY_BINARY, as_)];

const NS_PER_MS: i64 = 1_000_000;

fn as_(args: &[Value]) -> Result<Value> {
    expect_arity("as", args, 2)?;
    cast_to(&args[0], &args[1])
}

/// The vector tag named by a cast target symbol (`domain` when unknown).
pub fn target_type(target: &ray_t) -> Result<i8> {
    if target.type_ != -RAY_SYM {
        return Err(type_err("as", &format!("target type must be sym, got {}", crate::ops::type_name_of(target))));
    }
    let name = sym::name_or_empty(target.i64_val()).to_ascii_lowercase();
    Ok(match name.as_slice() {
        b"b8" | b"bool" => RAY_BOOL,
        b"u8" => RAY_U8,
        b"i16" => RAY_I16,
        b"i32" => RAY_I32,
        b"i64" => RAY_I64,
        b"f32" => RAY_F32,
        b"f64" => RAY_F64,
        b"date" => RAY_DATE,
        b"time" => RAY_TIME,
        b"timestamp" => RAY_TIMESTAMP,
        b"guid" => RAY_GUID,
        b"sym" | b"symbol" => RAY_SYM,
        b"str" | b"string" => RAY_STR,
        _ => return Err(domain_err("as", "unknown target type name")),
    })
}

/// `(as target x)`.
pub fn cast_to(target: &ray_t, x: &ray_t) -> Result<Value> {
    let tt = target_type(target)?;
    convert(tt, x)
}

/// `x` converted to type `tt` (what `as` does once the target is known).
pub(super) fn convert(tt: i8, x: &ray_t) -> Result<Value> {
    convert_at(tt, x, 0)
}

fn convert_at(tt: i8, x: &ray_t, depth: usize) -> Result<Value> {
    check_depth("as", depth)?;
    match x.type_ {
        RAY_LIST => {
            let items = x
                .items()
                .iter()
                .map(|it| convert_at(tt, it.unwrap_or(&Value::null()), depth + 1))
                .collect::<Result<Vec<_>>>()?;
            if items.is_empty() {
                return Value::vec_with_capacity(tt, 0);
            }
            pack_values(&items)
        }
        t if x.is_vec() => convert_vec(tt, t, x),
        t if t < 0 && is_vector_type(-t) => convert_atom(tt, x),
        RAY_NULL => null_of(tt),
        _ => Err(type_err("as", "cannot convert this value")),
    }
}

// ------------------------------------------------------------ numbers

/// A number read from any numeric or temporal element.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    I(i64),
    F(f64),
    Null,
}

fn num_of_atom(x: &ray_t) -> Option<Num> {
    let t = -x.type_;
    if x.null_flag() && t != RAY_BOOL && t != RAY_U8 {
        return Some(Num::Null);
    }
    Some(match t {
        RAY_BOOL | RAY_U8 => Num::I(x.u8_val() as i64),
        RAY_I16 => int_num(x.i16_val()),
        RAY_I32 | RAY_DATE | RAY_TIME => int_num(x.i32_val()),
        RAY_I64 | RAY_TIMESTAMP => int_num(x.i64_val()),
        RAY_F32 | RAY_F64 => float_num(x.f64_val()),
        _ => return None,
    })
}

fn int_num<T: Prim + Into<i64>>(v: T) -> Num {
    if v.is_null() { Num::Null } else { Num::I(v.into()) }
}

fn float_num(f: f64) -> Num {
    if f.is_nan() { Num::Null } else { Num::F(f) }
}

fn nums_of_vec(v: &ray_t) -> Option<Vec<Num>> {
    Some(match v.type_ {
        RAY_BOOL | RAY_U8 => v.elems::<u8>().iter().map(|&x| Num::I(x as i64)).collect(),
        RAY_I16 => v.elems::<i16>().iter().map(|&x| int_num(x)).collect(),
        RAY_I32 | RAY_DATE | RAY_TIME => v.elems::<i32>().iter().map(|&x| int_num(x)).collect(),
        RAY_I64 | RAY_TIMESTAMP => v.elems::<i64>().iter().map(|&x| int_num(x)).collect(),
        RAY_F32 => v.elems::<f32>().iter().map(|&x| float_num(x as f64)).collect(),
        RAY_F64 => v.elems::<f64>().iter().map(|&x| float_num(x)).collect(),
        _ => return None,
    })
}

/// A fixed-width source element read as a number.
trait AsNum: Prim {
    fn as_num(self) -> Num;
}

macro_rules! as_num_int {
    ($($t:ty),*) => {$(
        impl AsNum for $t {
            #[inline]
            fn as_num(self) -> Num {
                if self.is_null() { Num::Null } else { Num::I(self as i64) }
            }
        }
    )*};
}
as_num_int!(u8, i16, i32, i64);

impl AsNum for f32 {
    #[inline]
    fn as_num(self) -> Num {
        float_num(self as f64)
    }
}

impl AsNum for f64 {
    #[inline]
    fn as_num(self) -> Num {
        float_num(self)
    }
}

/// A fixed-width target element built from a number (nulls become the
/// sentinel; floats truncate toward zero).
trait FromNum: Prim {
    fn from_num(n: Num) -> Self;
}

macro_rules! from_num_int {
    ($($t:ty),*) => {$(
        impl FromNum for $t {
            #[inline]
            fn from_num(n: Num) -> Self {
                to_int(n).map_or(<$t as Prim>::null(), |i| i as $t)
            }
        }
    )*};
}
from_num_int!(i16, i32, i64);

impl FromNum for u8 {
    #[inline]
    fn from_num(n: Num) -> Self {
        to_int(n).unwrap_or(0) as u8
    }
}

impl FromNum for f32 {
    #[inline]
    fn from_num(n: Num) -> Self {
        to_float(n) as f32
    }
}

impl FromNum for f64 {
    #[inline]
    fn from_num(n: Num) -> Self {
        to_float(n)
    }
}

/// Column path for numeric conversions that need no unit change: one pass
/// from the source slice into the target vector. None when not applicable.
fn fast_numeric(tt: i8, src: i8, v: &ray_t) -> Option<Result<Value>> {
    if (is_temporal(src) && is_temporal(tt)) || tt == RAY_BOOL {
        return None;
    }
    fn go<S: AsNum>(tt: i8, s: &[S]) -> Option<Result<Value>> {
        fn col<S: AsNum, T: FromNum>(tt: i8, s: &[S]) -> Result<Value> {
            fill_vec(tt, s.len(), s.iter().map(|&x| T::from_num(x.as_num())))
        }
        Some(match tt {
            RAY_U8 => col::<S, u8>(tt, s),
            RAY_I16 => col::<S, i16>(tt, s),
            RAY_I32 | RAY_DATE | RAY_TIME => col::<S, i32>(tt, s),
            RAY_I64 | RAY_TIMESTAMP => col::<S, i64>(tt, s),
            RAY_F32 => col::<S, f32>(tt, s),
            RAY_F64 => col::<S, f64>(tt, s),
            _ => return None,
        })
    }
    match src {
        RAY_BOOL | RAY_U8 => go(tt, v.elems::<u8>()),
        RAY_I16 => go(tt, v.elems::<i16>()),
        RAY_I32 | RAY_DATE | RAY_TIME => go(tt, v.elems::<i32>()),
        RAY_I64 | RAY_TIMESTAMP => go(tt, v.elems::<i64>()),
        RAY_F32 => go(tt, v.elems::<f32>()),
        RAY_F64 => go(tt, v.elems::<f64>()),
        _ => None,
    }
}

/// Re-bases a number between temporal units (`src` and `tt` vector tags).
fn rebase(src: i8, tt: i8, n: Num) -> Result<Num> {
    let Num::I(v) = n else { return Ok(n) };
    Ok(match (src, tt) {
        (RAY_DATE, RAY_TIMESTAMP) => Num::I(v.wrapping_mul(NS_PER_DAY)),
        (RAY_DATE, RAY_TIME) => Num::I(0),
        (RAY_TIMESTAMP, RAY_DATE) => Num::I(v.div_euclid(NS_PER_DAY)),
        (RAY_TIMESTAMP, RAY_TIME) => Num::I(v.rem_euclid(NS_PER_DAY) / NS_PER_MS),
        (RAY_TIME, RAY_TIMESTAMP) => Num::I(v.wrapping_mul(NS_PER_MS)),
        (RAY_TIME, RAY_DATE) => return Err(type_err("as", "cannot convert a time to a date")),
        _ => n,
    })
}

/// The integer a number becomes (floats truncate toward zero).
fn to_int(n: Num) -> Option<i64> {
    match n {
        Num::I(v) => Some(v),
        Num::F(f) => Some(f.trunc() as i64),
        Num::Null => None,
    }
}

fn to_float(n: Num) -> f64 {
    match n {
        Num::I(v) => v as f64,
        Num::F(f) => f,
        Num::Null => f64::NAN,
    }
}

/// Builds the atom of numeric/temporal/bool type `tt` from a number.
fn num_atom(tt: i8, n: Num) -> Result<Value> {
    if n == Num::Null {
        return null_of(tt);
    }
    let i = to_int(n).unwrap_or(0);
    Ok(match tt {
        RAY_BOOL => Value::bool(to_float(n) != 0.0),
        RAY_U8 => Value::u8(i as u8),
        RAY_I16 => Value::i16(i as i16),
        RAY_I32 => Value::i32(i as i32),
        RAY_I64 => Value::i64(i),
        RAY_F32 => Value::f32(to_float(n) as f32),
        RAY_F64 => Value::f64(to_float(n)),
        RAY_DATE => Value::date(i as i32 as i64),
        RAY_TIME => Value::time(i as i32 as i64),
        RAY_TIMESTAMP => Value::timestamp(i),
        _ => return Err(type_err("as", "not a numeric target")),
    })
}

/// Builds the vector of numeric/temporal/bool type `tt` from numbers.
fn num_vec(tt: i8, ns: &[Num]) -> Result<Value> {
    fn ints<T: Prim>(tt: i8, ns: &[Num], f: fn(i64) -> T) -> Result<Value> {
        vec_from(tt, ns.iter().map(|&n| to_int(n).map_or(T::null(), f)).collect::<Vec<T>>())
    }
    match tt {
        RAY_BOOL => Value::vec_from_slice(
            RAY_BOOL,
            &ns.iter().map(|&n| (n != Num::Null && to_float(n) != 0.0) as u8).collect::<Vec<u8>>(),
        ),
        RAY_U8 => Value::vec_from_slice(RAY_U8, &ns.iter().map(|&n| to_int(n).unwrap_or(0) as u8).collect::<Vec<u8>>()),
        RAY_I16 => ints(tt, ns, |i| i as i16),
        RAY_I32 | RAY_DATE | RAY_TIME => ints(tt, ns, |i| i as i32),
        RAY_I64 | RAY_TIMESTAMP => ints(tt, ns, |i| i),
        RAY_F32 => vec_from(tt, ns.iter().map(|&n| to_float(n) as f32).collect::<Vec<f32>>()),
        RAY_F64 => vec_from(tt, ns.iter().map(|&n| to_float(n)).collect::<Vec<f64>>()),
        _ => Err(type_err("as", "not a numeric target")),
    }
}

fn is_num_target(tt: i8) -> bool {
    matches!(
        tt,
        RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_F32 | RAY_F64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP
    )
}

/// The null of target type `tt` as an atom (`""` for str, `'` for sym).
fn null_of(tt: i8) -> Result<Value> {
    match tt {
        RAY_STR => Value::try_str(b""),
        RAY_SYM => Ok(Value::sym_id(0)),
        _ => Value::typed_null(-tt),
    }
}

// ------------------------------------------------------------ text

/// The text of an atom for `str`/`sym` targets: strings and symbols raw,
/// nulls empty, GUIDs canonical, floats as `%g`, anything else as the
/// REPL prints it.
fn text_of_atom(x: &ray_t) -> Vec<u8> {
    match -x.type_ {
        RAY_STR => x.str_bytes().to_vec(),
        RAY_SYM => sym::name_or_empty(x.i64_val()).to_vec(),
        RAY_GUID => x.guid_bytes().map_or_else(Vec::new, |g| guid_text(g).into_bytes()),
        _ if x.is_null_atom() && -x.type_ != RAY_BOOL && -x.type_ != RAY_U8 => Vec::new(),
        _ => crate::lang::fmt::display(x).into_bytes(),
    }
}

/// The name of the symbol an atom casts to: as `text_of_atom`, but a float
/// keeps every digit (`%.17g`: `0.10000000000000001`), as RayforceDB's.
fn sym_text_of_atom(x: &ray_t) -> Vec<u8> {
    match -x.type_ {
        RAY_F32 | RAY_F64 if !x.is_null_atom() => crate::lang::fmt::f64_exact(x.f64_val()).into_bytes(),
        _ => text_of_atom(x),
    }
}

pub fn guid_text(g: &[u8; 16]) -> String {
    let h: String = g.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn parse_err(what: &str) -> RayError {
    domain_err("as", &format!("cannot parse str as {what}"))
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, &d| a * 10 + (d - b'0') as i64))
}

/// Parses text as a number for a numeric target (`tt` chooses int/float).
fn parse_number(s: &[u8], tt: i8) -> Result<Num> {
    let text = std::str::from_utf8(s).map_err(|_| parse_err("a number"))?;
    let text = text.trim();
    if text.is_empty() || text.starts_with("0N") {
        return Ok(Num::Null);
    }
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Num::I(i));
    }
    let numeric_start = text.trim_start_matches(['-', '+']).starts_with(|c: char| c.is_ascii_digit() || c == '.');
    match text.parse::<f64>() {
        Ok(f) if numeric_start && f.is_finite() => Ok(Num::F(f)),
        _ => Err(parse_err(match tt {
            RAY_F32 | RAY_F64 => "f64",
            RAY_I16 => "i16",
            RAY_I32 => "i32",
            RAY_U8 => "u8",
            _ => "i64",
        })),
    }
}

fn parse_bool(s: &[u8]) -> Result<Num> {
    match s.trim_ascii() {
        b"true" | b"1" | b"t" => Ok(Num::I(1)),
        b"false" | b"0" | b"f" => Ok(Num::I(0)),
        b"" => Ok(Num::Null),
        _ => Err(parse_err("b8")),
    }
}

/// `YYYY.MM.DD` (or with `-`): days since 2000.01.01.
fn parse_date_days(s: &[u8], seps: &[u8]) -> Option<i64> {
    let sep = *s.get(4)?;
    if !seps.contains(&sep) || s.len() != 10 || s[7] != sep {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m as u32, d as u32))
}

/// `HH:MM[:SS[.f...]]`: the clock in nanoseconds (fraction up to 9 digits).
fn parse_clock_ns(s: &[u8]) -> Option<i64> {
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (main, frac) = match s.iter().position(|&c| c == b'.') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    let parts: Vec<&[u8]> = main.split(|&c| c == b':').collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let h = digits(parts[0])?;
    let m = digits(parts[1])?;
    let sec = if parts.len() == 3 { digits(parts[2])? } else { 0 };
    if m > 59 || sec > 59 {
        return None;
    }
    let mut ns = ((h * 60 + m) * 60 + sec) * 1_000_000_000;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || parts.len() != 3 {
            return None;
        }
        ns += digits(f)? * 10i64.pow(9 - f.len() as u32);
    }
    Some(if neg { -ns } else { ns })
}

fn parse_timestamp_ns(s: &[u8]) -> Option<i64> {
    match s.iter().position(|&c| c == b'D' || c == b'T' || c == b' ') {
        Some(p) => {
            let days = parse_date_days(&s[..p], b".-")?;
            let clock = parse_clock_ns(&s[p + 1..])?;
            days.checked_mul(NS_PER_DAY)?.checked_add(clock)
        }
        None => parse_date_days(s, b".-")?.checked_mul(NS_PER_DAY),
    }
}

fn parse_guid(s: &[u8]) -> Option<[u8; 16]> {
    let hex: Vec<u8> = match s.len() {
        36 => {
            if [8, 13, 18, 23].iter().any(|&i| s[i] != b'-') {
                return None;
            }
            s.iter().copied().filter(|&c| c != b'-').collect()
        }
        32 => s.to_vec(),
        _ => return None,
    };
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

/// Parses text for a numeric or temporal target.
fn parse_num_for(tt: i8, s: &[u8]) -> Result<Num> {
    let t = s.trim_ascii();
    if t.is_empty() {
        return Ok(Num::Null);
    }
    match tt {
        RAY_BOOL => parse_bool(t),
        RAY_DATE => parse_date_days(t, b".").map(Num::I).ok_or_else(|| parse_err("date")),
        RAY_TIME => parse_clock_ns(t).map(|ns| Num::I(ns / NS_PER_MS)).ok_or_else(|| parse_err("time")),
        RAY_TIMESTAMP => parse_timestamp_ns(t).map(Num::I).ok_or_else(|| parse_err("timestamp")),
        _ => parse_number(t, tt),
    }
}

// ------------------------------------------------------------ dispatch

fn convert_atom(tt: i8, x: &ray_t) -> Result<Value> {
    let src = -x.type_;
    match tt {
        RAY_STR => return Value::try_str(&text_of_atom(x)),
        RAY_SYM => return Ok(Value::sym_id(sym::intern(&sym_text_of_atom(x)))),
        RAY_GUID => {
            return match src {
                RAY_GUID => Ok(x.to_value()),
                RAY_STR | RAY_SYM => {
                    let t = text_of_atom(x);
                    if t.is_empty() {
                        return Value::typed_null(-RAY_GUID);
                    }
                    parse_guid(&t).map(|g| Value::guid(&g)).ok_or_else(|| parse_err("guid"))
                }
                _ => Err(type_err("as", "cannot convert to guid")),
            };
        }
        _ => {}
    }
    if src == RAY_STR || src == RAY_SYM {
        let n = parse_num_for(tt, &text_of_atom(x))?;
        return num_atom(tt, n);
    }
    let n = num_of_atom(x).ok_or_else(|| type_err("as", "cannot convert this value"))?;
    num_atom(tt, rebase(src, tt, n)?)
}

fn convert_vec(tt: i8, src: i8, v: &ray_t) -> Result<Value> {
    let n = v.len().max(0) as usize;
    if tt == src {
        return Ok(v.to_value());
    }
    match tt {
        RAY_SYM => {
            let ids: Vec<i64> = match src {
                RAY_STR => (0..n).map(|i| sym::intern(v.str_at(i))).collect(),
                _ => (0..n).map(|i| atom_at(v, i).map(|a| sym::intern(&sym_text_of_atom(&a)))).collect::<Result<_>>()?,
            };
            return Value::sym_vec(&ids);
        }
        RAY_STR => {
            let mut out = Value::vec_with_capacity(RAY_STR, n as i64)?;
            if src == RAY_SYM {
                for &id in sym_ids(v).iter() {
                    out.str_vec_push(sym::name_or_empty(id))?;
                }
            } else {
                for i in 0..n {
                    out.str_vec_push(&text_of_atom(&*atom_at(v, i)?))?;
                }
            }
            return Ok(out);
        }
        RAY_GUID => {
            let atoms = (0..n).map(|i| atom_at(v, i).and_then(|a| convert_atom(tt, &a))).collect::<Result<Vec<_>>>()?;
            let gs: Vec<[u8; 16]> = atoms.iter().map(|a| a.guid_bytes().copied().unwrap_or([0; 16])).collect();
            return vec_from(RAY_GUID, gs);
        }
        _ => {}
    }
    if !is_num_target(tt) {
        return Err(type_err("as", "unsupported target"));
    }
    if let Some(done) = fast_numeric(tt, src, v) {
        return done;
    }
    let nums: Vec<Num> = match src {
        RAY_STR => (0..n).map(|i| parse_num_for(tt, v.str_at(i))).collect::<Result<_>>()?,
        RAY_SYM => sym_ids(v).iter().map(|&id| parse_num_for(tt, sym::name_or_empty(id))).collect::<Result<_>>()?,
        _ => {
            let raw = nums_of_vec(v).ok_or_else(|| type_err("as", "cannot convert this vector"))?;
            raw.into_iter().map(|x| rebase(src, tt, x)).collect::<Result<_>>()?
        }
    };
    num_vec(tt, &nums)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_sym(name: &str) -> Value {
        Value::quoted_sym(sym::intern_str(name))
    }

    #[test]
    fn numbers_convert_with_truncation_toward_zero() {
        // type-005, type-006
        let v = as_(&[as_sym("f64"), Value::vec_from_slice(RAY_I64, &[1i64, 2, 3]).unwrap()]).unwrap();
        assert_eq!((v.type_, v.elems::<f64>()), (RAY_F64, &[1.0, 2.0, 3.0][..]));
        let i = as_(&[as_sym("i64"), Value::f64(3.9)]).unwrap();
        assert_eq!((i.type_, i.i64_val()), (-RAY_I64, 3));
        assert_eq!(as_(&[as_sym("i32"), Value::f64(-3.9)]).unwrap().i32_val(), -3);
    }

    #[test]
    fn bad_text_and_unknown_targets_are_domain_errors() {
        // type-007, type-010
        assert_eq!(as_(&[as_sym("i64"), Value::str(b"abc")]).unwrap_err().code_str(), "domain");
        assert_eq!(as_(&[as_sym("foo"), Value::i64(1)]).unwrap_err().code_str(), "domain");
        assert_eq!(as_(&[Value::i64(1), Value::i64(1)]).unwrap_err().code_str(), "type");
        assert_eq!(as_(&[as_sym("i64"), Value::str(b"42")]).unwrap().i64_val(), 42);
        assert_eq!(as_(&[as_sym("date"), Value::str(b"2024-01-15")]).unwrap_err().code_str(), "domain");
    }

    #[test]
    fn dates_and_timestamps_convert_by_instant() {
        // type-008, temporal-013
        let ts = as_(&[as_sym("timestamp"), Value::date(8780)]).unwrap();
        assert_eq!((ts.type_, ts.i64_val()), (-RAY_TIMESTAMP, 758_592_000_000_000_000));
        let d = as_(&[as_sym("date"), Value::timestamp(8840 * NS_PER_DAY + 45_000_000_000_000)]).unwrap();
        assert_eq!((d.type_, d.i32_val()), (-RAY_DATE, 8840));
        let p = as_(&[as_sym("timestamp"), Value::str(b"2024-01-15T12:30:00.000")]).unwrap();
        assert_eq!(p.i64_val(), 8780 * NS_PER_DAY + 45_000_000_000_000);
        let q = as_(&[as_sym("date"), Value::str(b"2024.01.15")]).unwrap();
        assert_eq!(q.i32_val(), 8780);
        let t = as_(&[as_sym("time"), Value::str(b"09:30:00.250")]).unwrap();
        assert_eq!(t.i32_val(), 34_200_250);
    }

    #[test]
    fn strings_become_symbols_in_any_case() {
        // type-009
        let v = as_(&[as_sym("SYM"), Value::str_vec([&b"a"[..], b"b"]).unwrap()]).unwrap();
        assert_eq!(v.type_, RAY_SYM);
        assert_eq!(sym::name_or_empty(v.sym_at(1)), b"b");
        let s = as_(&[as_sym("sym"), Value::str(b"xy")]).unwrap();
        assert_eq!((s.type_, s.is_quoted()), (-RAY_SYM, false));
    }

    #[test]
    fn typed_nulls_map_to_the_target_null() {
        let s = as_(&[as_sym("str"), Value::typed_null(-RAY_I64).unwrap()]).unwrap();
        assert_eq!((s.type_, s.str_bytes()), (-RAY_STR, &b""[..]));
        let f = as_(&[as_sym("f64"), Value::typed_null(-RAY_I32).unwrap()]).unwrap();
        assert!(f.f64_val().is_nan() && f.null_flag());
        let v = as_(&[as_sym("i32"), Value::vec_from_slice(RAY_F64, &[1.5, f64::NAN]).unwrap()]).unwrap();
        assert_eq!(v.elems::<i32>(), &[1, NULL_I32]);
        assert_ne!(v.attrs & RAY_ATTR_HAS_NULLS, 0);
    }

    #[test]
    fn column_conversions_keep_nulls_and_truncate() {
        let v = as_(&[as_sym("I64"), Value::vec_from_slice(RAY_I32, &[NULL_I32, 5]).unwrap()]).unwrap();
        assert_eq!((v.type_, v.elems::<i64>()), (RAY_I64, &[NULL_I64, 5][..]));
        assert_ne!(v.attrs & RAY_ATTR_HAS_NULLS, 0);
        let u = as_(&[as_sym("u8"), Value::vec_from_slice(RAY_F64, &[2.9, 300.0]).unwrap()]).unwrap();
        assert_eq!(u.elems::<u8>(), &[2, 44]);
        assert_eq!(u.attrs & RAY_ATTR_HAS_NULLS, 0);
        let d = as_(&[as_sym("date"), Value::vec_from_slice(RAY_I64, &[8780i64]).unwrap()]).unwrap();
        assert_eq!((d.type_, d.elems::<i32>()), (RAY_DATE, &[8780][..]));
        let t = as_(&[as_sym("timestamp"), Value::vec_from_slice(RAY_DATE, &[1i32, NULL_I32]).unwrap()]).unwrap();
        assert_eq!(t.elems::<i64>(), &[NS_PER_DAY, NULL_I64]);
    }

    #[test]
    fn guids_parse_from_canonical_text() {
        // atom-010
        let g = as_(&[as_sym("guid"), Value::str(b"daa76c35-3e3a-4f10-acce-5ec3dfb2fcab")]).unwrap();
        assert_eq!(g.type_, -RAY_GUID);
        assert_eq!(guid_text(g.guid_bytes().unwrap()), "daa76c35-3e3a-4f10-acce-5ec3dfb2fcab");
        assert_eq!(as_(&[as_sym("guid"), Value::str(b"zz")]).unwrap_err().code_str(), "domain");
    }
}
