//! Builtins: temporal family (spec/rayfall.md section 8, "Temporal
//! accessors", and quirk 13): yyyy mm dd dow doy on dates and timestamps,
//! hh minute ss on times and timestamps (i64 results, mapped over vectors),
//! and the `date`/`time`/`timestamp` helpers. Registered by the evaluator
//! from `BUILTINS`.
#![forbid(unsafe_code)]

use super::spec::{Builtin, PureFn};
use super::util_args::*;
use crate::ops::{Prim, vec_from};
use crate::abi::*;
use crate::core::temporal::{NS_PER_DAY, civil_from_days, days_from_civil, weekday};
use crate::core::{Result, Value};

const fn unary(name: &'static str, f: PureFn) -> Builtin {
    Builtin::pure(name, RAY_UNARY, f)
}

pub const BUILTINS: &[Builtin] = &[
    unary("yyyy", yyyy),
    unary("mm", mm),
    unary("dd", dd),
    unary("dow", dow),
    unary("doy", doy),
    unary("hh", hh),
    unary("minute", minute),
    unary("ss", ss),
    unary("date", date),
    unary("time", time),
    unary("timestamp", timestamp),
];

const NS_PER_MS: i64 = 1_000_000;

/// Which part of a value an accessor reads.
#[derive(Clone, Copy)]
enum Part {
    /// Calendar fields: from days since 2000.01.01.
    Day(fn(i64) -> i64),
    /// Clock fields: from milliseconds since midnight.
    Clock(fn(i64) -> i64),
}

fn year(d: i64) -> i64 {
    civil_from_days(d).0
}
fn month(d: i64) -> i64 {
    civil_from_days(d).1 as i64
}
fn day(d: i64) -> i64 {
    civil_from_days(d).2 as i64
}
fn day_of_year(d: i64) -> i64 {
    d - days_from_civil(year(d), 1, 1) + 1
}
fn hour(ms: i64) -> i64 {
    ms.div_euclid(3_600_000)
}
fn minute_of(ms: i64) -> i64 {
    ms.div_euclid(60_000).rem_euclid(60)
}
fn second(ms: i64) -> i64 {
    ms.div_euclid(1000).rem_euclid(60)
}

/// Applies an accessor to one raw value of type `t`; None = wrong type.
fn apply(part: Part, t: i8, raw: i64) -> Option<i64> {
    match (part, t) {
        (Part::Day(f), RAY_DATE) => Some(f(raw)),
        (Part::Day(f), RAY_TIMESTAMP) => Some(f(raw.div_euclid(NS_PER_DAY))),
        (Part::Clock(f), RAY_TIME) => Some(f(raw)),
        (Part::Clock(f), RAY_TIMESTAMP) => Some(f(raw.rem_euclid(NS_PER_DAY) / NS_PER_MS)),
        _ => None,
    }
}

fn accessor(name: &str, args: &[Value], part: Part) -> Result<Value> {
    expect_arity(name, args, 1)?;
    let x = &args[0];
    let bad = || type_err(name, "expected a temporal value");
    if x.type_ < 0 {
        let t = -x.type_;
        let raw = match t {
            RAY_DATE | RAY_TIME => {
                let v = x.i32_val();
                if v.is_null() { NULL_I64 } else { v as i64 }
            }
            RAY_TIMESTAMP => x.i64_val(),
            _ => return Err(bad()),
        };
        apply(part, t, 0).ok_or_else(bad)?;
        if raw == NULL_I64 {
            return Value::typed_null(-RAY_I64);
        }
        return Ok(Value::i64(apply(part, t, raw).ok_or_else(bad)?));
    }
    let t = x.type_;
    apply(part, t, 0).ok_or_else(bad)?;
    let out: Vec<i64> = match t {
        RAY_DATE | RAY_TIME => x
            .elems::<i32>()
            .iter()
            .map(|&v| if v.is_null() { NULL_I64 } else { apply(part, t, v as i64).unwrap_or(NULL_I64) })
            .collect(),
        _ => x
            .elems::<i64>()
            .iter()
            .map(|&v| if v.is_null() { NULL_I64 } else { apply(part, t, v).unwrap_or(NULL_I64) })
            .collect(),
    };
    vec_from(RAY_I64, out)
}

fn yyyy(args: &[Value]) -> Result<Value> {
    accessor("yyyy", args, Part::Day(year))
}
fn mm(args: &[Value]) -> Result<Value> {
    accessor("mm", args, Part::Day(month))
}
fn dd(args: &[Value]) -> Result<Value> {
    accessor("dd", args, Part::Day(day))
}
fn dow(args: &[Value]) -> Result<Value> {
    accessor("dow", args, Part::Day(weekday))
}
fn doy(args: &[Value]) -> Result<Value> {
    accessor("doy", args, Part::Day(day_of_year))
}
fn hh(args: &[Value]) -> Result<Value> {
    accessor("hh", args, Part::Clock(hour))
}
fn minute(args: &[Value]) -> Result<Value> {
    accessor("minute", args, Part::Clock(minute_of))
}
fn ss(args: &[Value]) -> Result<Value> {
    accessor("ss", args, Part::Clock(second))
}

/// A DATE, TIME or TIMESTAMP atom or vector as timestamps (a date at
/// midnight, a time on 2000.01.01), nulls kept; None for other types.
pub(super) fn as_timestamps(x: &Value) -> Option<Result<Value>> {
    let scale = match x.type_.abs() {
        RAY_TIMESTAMP => return Some(Ok(x.clone())),
        RAY_DATE => NS_PER_DAY,
        RAY_TIME => NS_PER_MS,
        _ => return None,
    };
    let conv = |v: i32| if v.is_null() { NULL_I64 } else { v as i64 * scale };
    Some(if x.type_ < 0 {
        let v = conv(x.i32_val());
        if v == NULL_I64 { Value::typed_null(-RAY_TIMESTAMP) } else { Ok(Value::timestamp(v)) }
    } else {
        vec_from(RAY_TIMESTAMP, x.elems::<i32>().iter().map(|&v| conv(v)).collect())
    })
}

/// The field accessor a query-only extractor name stands for.
pub(super) fn field_accessor(name: &[u8]) -> Option<PureFn> {
    Some(match name {
        b"year" => yyyy,
        b"month" => mm,
        b"day" => dd,
        b"hour" => hh,
        b"minute" => minute,
        b"second" => ss,
        b"dayofweek" => dow,
        b"dayofyear" => doy,
        _ => return None,
    })
}

/// The truncation of a timestamp to the start of the named unit, for the
/// query-only dotted forms `c.year c.month c.date c.hour c.time`.
pub(super) fn truncation(name: &[u8]) -> Option<fn(i64) -> i64> {
    Some(match name {
        b"year" => |v| {
            let (y, _, _) = civil_from_days(v.div_euclid(NS_PER_DAY));
            days_from_civil(y, 1, 1) * NS_PER_DAY
        },
        b"month" => |v| {
            let (y, m, _) = civil_from_days(v.div_euclid(NS_PER_DAY));
            days_from_civil(y, m, 1) * NS_PER_DAY
        },
        b"date" => |v| v - v.rem_euclid(NS_PER_DAY),
        b"hour" => |v| v - v.rem_euclid(3_600_000_000_000),
        b"time" => |v| v - v.rem_euclid(1_000_000_000),
        _ => return None,
    })
}

/// Applies `f` to every timestamp of `x` (see [`map_timestamps`]).
pub(super) fn map_ts(x: &ray_t, f: fn(i64) -> i64) -> Result<Value> {
    map_timestamps(x, f)
}

/// Nanoseconds since 2000.01.01 of the system clock (UTC).
fn now_ns() -> i64 {
    let since_1970 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64);
    since_1970 - 10_957 * NS_PER_DAY
}

/// The local clock's offset from UTC in nanoseconds. Without a time zone
/// database the server runs on UTC (as the reference does in containers).
fn local_offset_ns() -> i64 {
    0
}

/// `'local` / `'global` clock selector: Some(ns now) for those symbols.
fn clock_arg(x: &ray_t) -> Option<i64> {
    if x.type_ != -RAY_SYM {
        return None;
    }
    match crate::core::sym::name_or_empty(x.i64_val()) {
        b"local" => Some(now_ns() + local_offset_ns()),
        b"global" => Some(now_ns()),
        _ => None,
    }
}

/// Applies `f` to a timestamp atom or each element of a TIMESTAMP vector,
/// keeping the type and nulls.
fn map_timestamps(x: &ray_t, f: fn(i64) -> i64) -> Result<Value> {
    if x.type_ == -RAY_TIMESTAMP {
        let v = x.i64_val();
        return if v == NULL_I64 { Value::typed_null(-RAY_TIMESTAMP) } else { Ok(Value::timestamp(f(v))) };
    }
    let out: Vec<i64> = x.elems::<i64>().iter().map(|&v| if v == NULL_I64 { v } else { f(v) }).collect();
    vec_from(RAY_TIMESTAMP, out)
}

fn date(args: &[Value]) -> Result<Value> {
    expect_arity("date", args, 1)?;
    let x = &args[0];
    if let Some(ns) = clock_arg(x) {
        return Ok(Value::date(ns.div_euclid(NS_PER_DAY)));
    }
    match x.type_.abs() {
        // Quirk 13: the date part of a timestamp stays a timestamp.
        RAY_TIMESTAMP => map_timestamps(x, |v| v - v.rem_euclid(NS_PER_DAY)),
        RAY_DATE => Ok(x.clone()),
        _ => super::cast::cast_to(&Value::sym("date"), x),
    }
}

fn time(args: &[Value]) -> Result<Value> {
    expect_arity("time", args, 1)?;
    let x = &args[0];
    if let Some(ns) = clock_arg(x) {
        return Ok(Value::time(ns.rem_euclid(NS_PER_DAY) / NS_PER_MS));
    }
    match x.type_.abs() {
        // Quirk 13: a timestamp stays a timestamp, without its sub-second part.
        RAY_TIMESTAMP => map_timestamps(x, |v| v - v.rem_euclid(1_000_000_000)),
        RAY_TIME => Ok(x.clone()),
        _ => super::cast::cast_to(&Value::sym("time"), x),
    }
}

fn timestamp(args: &[Value]) -> Result<Value> {
    expect_arity("timestamp", args, 1)?;
    let x = &args[0];
    if let Some(ns) = clock_arg(x) {
        return Ok(Value::timestamp(ns));
    }
    super::cast::cast_to(&Value::sym("timestamp"), x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_fields_of_a_date() {
        // temporal-005
        let d = Value::date(days_from_civil(2024, 3, 15));
        let got: Vec<i64> = [yyyy, mm, dd, dow, doy].iter().map(|f| f(std::slice::from_ref(&d)).unwrap().i64_val()).collect();
        assert_eq!(got, [2024, 3, 15, 5, 75]);
    }

    #[test]
    fn clock_fields_of_a_time_and_a_timestamp() {
        // temporal-006
        let t = Value::time(12 * 3_600_000 + 34 * 60_000 + 56_789);
        let got: Vec<i64> = [hh, minute, ss].iter().map(|f| f(std::slice::from_ref(&t)).unwrap().i64_val()).collect();
        assert_eq!(got, [12, 34, 56]);
        let ts = Value::timestamp(days_from_civil(2024, 1, 15) * NS_PER_DAY + 9 * 3_600_000 * NS_PER_MS);
        assert_eq!(hh(std::slice::from_ref(&ts)).unwrap().i64_val(), 9);
        assert_eq!(yyyy(&[ts]).unwrap().i64_val(), 2024);
    }

    #[test]
    fn accessors_map_over_vectors_and_keep_nulls() {
        let v = vec_from(RAY_DATE, vec![0i32, NULL_I32]).unwrap();
        let y = yyyy(&[v]).unwrap();
        assert_eq!(y.elems::<i64>(), &[2000, NULL_I64]);
        assert_ne!(y.attrs & RAY_ATTR_HAS_NULLS, 0);
        assert_eq!(hh(&[Value::date(1)]).unwrap_err().code_str(), "type");
        assert!(yyyy(&[Value::typed_null(-RAY_DATE).unwrap()]).unwrap().null_flag());
    }

    #[test]
    fn date_and_time_of_a_timestamp_stay_timestamps() {
        let ts = Value::timestamp(NS_PER_DAY + 1_500_000_000);
        let d = date(std::slice::from_ref(&ts)).unwrap();
        assert_eq!((d.type_, d.i64_val()), (-RAY_TIMESTAMP, NS_PER_DAY));
        let t = time(&[ts]).unwrap();
        assert_eq!((t.type_, t.i64_val()), (-RAY_TIMESTAMP, NS_PER_DAY + 1_000_000_000));
        assert_eq!(date(&[Value::sym("global")]).unwrap().type_, -RAY_DATE);
    }
}
