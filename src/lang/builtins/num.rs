//! Column kernels shared by the arithmetic, comparison and aggregate
//! families: operands widened to an i64 or f64 compute domain (borrowed, not
//! copied, when they already are one), and chunked map loops that write
//! straight into the result vector. Nothing here boxes an element.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{Elem, RayError, Result, Value};
use crate::ops::par::{par_parts, threads_for};
use std::borrow::Cow;

/// Elements computed per chunk before they are appended to the result.
const CHUNK: usize = 1024;

/// The kernels this family shares with the rest of the engine.
pub use crate::ops::{is_temporal, scan_nulls};

/// The element/atom type code without its atom sign.
#[inline]
pub fn base(v: &ray_t) -> i8 {
    v.type_.abs()
}

pub fn is_int(t: i8) -> bool {
    (RAY_BOOL..=RAY_I64).contains(&t)
}

pub fn is_float(t: i8) -> bool {
    t == RAY_F32 || t == RAY_F64
}

pub fn is_numeric_like(t: i8) -> bool {
    (RAY_BOOL..=RAY_TIMESTAMP).contains(&t)
}

/// True for a numeric/temporal atom or vector.
pub fn is_num_operand(v: &ray_t) -> bool {
    (v.is_vec() || (v.type_ < 0 && v.type_ > -RAY_GUID)) && is_numeric_like(base(v))
}

/// Whether the operand holds nulls: an atom by value, a vector by its
/// HAS_NULLS attribute (trusted, as the reference does).
pub fn has_nulls(v: &ray_t) -> bool {
    if v.type_ < 0 { v.is_null_atom() } else { v.attrs & RAY_ATTR_HAS_NULLS != 0 }
}

/// Element count for broadcasting: atoms are 1.
pub fn width(v: &ray_t) -> usize {
    if v.type_ < 0 { 1 } else { v.len().max(0) as usize }
}

/// The common length of two operands (atoms broadcast). Errors: `length`,
/// whose message starts with the operation's upper-case `label` (`ADD`).
pub fn common_len(label: &str, a: &ray_t, b: &ray_t) -> Result<usize> {
    match (a.type_ < 0, b.type_ < 0) {
        (true, true) => Ok(1),
        (true, false) => Ok(width(b)),
        (false, true) => Ok(width(a)),
        (false, false) => {
            if a.len() != b.len() {
                return Err(RayError::length(format!("{label}: operand lengths must match, got {} and {}", a.len(), b.len())));
            }
            Ok(width(a))
        }
    }
}

/// An atom's value in the i64 domain (sentinels become `NULL_I64`).
pub fn atom_i64(v: &ray_t) -> i64 {
    match base(v) {
        RAY_BOOL | RAY_U8 => v.u8_val() as i64,
        RAY_I16 => {
            let x = v.i16_val();
            if x == NULL_I16 { NULL_I64 } else { x as i64 }
        }
        RAY_I32 | RAY_DATE | RAY_TIME => {
            let x = v.i32_val();
            if x == NULL_I32 { NULL_I64 } else { x as i64 }
        }
        RAY_F32 | RAY_F64 => {
            let x = v.f64_val();
            if x.is_nan() { NULL_I64 } else { x as i64 }
        }
        _ => v.i64_val(),
    }
}

/// An atom's value in the f64 domain (nulls become NaN).
pub fn atom_f64(v: &ray_t) -> f64 {
    match base(v) {
        RAY_F32 | RAY_F64 => v.f64_val(),
        _ => {
            let x = atom_i64(v);
            if x == NULL_I64 { f64::NAN } else { x as f64 }
        }
    }
}

fn scale_i(x: i64, scale: i64) -> i64 {
    if x == NULL_I64 { x } else { x.wrapping_mul(scale) }
}

/// The operand in the i64 domain, scaled (for date/time to ns); borrowed
/// when it already is an unscaled i64 vector.
pub fn widen_i(v: &ray_t, scale: i64) -> Cow<'_, [i64]> {
    if v.type_ < 0 {
        return Cow::Owned(vec![scale_i(atom_i64(v), scale)]);
    }
    let s = |x: i64| scale_i(x, scale);
    match v.type_ {
        RAY_I64 | RAY_TIMESTAMP if scale == 1 => Cow::Borrowed(v.elems::<i64>()),
        RAY_I64 | RAY_TIMESTAMP => Cow::Owned(v.elems::<i64>().iter().map(|&x| s(x)).collect()),
        RAY_BOOL | RAY_U8 => Cow::Owned(v.elems::<u8>().iter().map(|&x| x as i64 * scale).collect()),
        RAY_I16 => Cow::Owned(v.elems::<i16>().iter().map(|&x| if x == NULL_I16 { NULL_I64 } else { x as i64 * scale }).collect()),
        RAY_I32 | RAY_DATE | RAY_TIME => {
            Cow::Owned(v.elems::<i32>().iter().map(|&x| if x == NULL_I32 { NULL_I64 } else { (x as i64).wrapping_mul(scale) }).collect())
        }
        RAY_F64 => Cow::Owned(v.elems::<f64>().iter().map(|&x| if x.is_nan() { NULL_I64 } else { x as i64 }).collect()),
        RAY_F32 => Cow::Owned(v.elems::<f32>().iter().map(|&x| if x.is_nan() { NULL_I64 } else { x as i64 }).collect()),
        _ => Cow::Owned(Vec::new()),
    }
}

/// The operand in the f64 domain (nulls NaN); borrowed for F64 vectors.
pub fn widen_f(v: &ray_t) -> Cow<'_, [f64]> {
    if v.type_ < 0 {
        return Cow::Owned(vec![atom_f64(v)]);
    }
    match v.type_ {
        RAY_F64 => Cow::Borrowed(v.elems::<f64>()),
        RAY_F32 => Cow::Owned(v.elems::<f32>().iter().map(|&x| x as f64).collect()),
        RAY_I64 | RAY_TIMESTAMP => Cow::Owned(v.elems::<i64>().iter().map(|&x| if x == NULL_I64 { f64::NAN } else { x as f64 }).collect()),
        _ => widen_i(v, 1).iter().map(|&x| if x == NULL_I64 { f64::NAN } else { x as f64 }).collect::<Vec<_>>().into(),
    }
}

/// `out[i] = f(a[i], b[i])` over `n` elements, where a side of length 1 is
/// broadcast. Written chunk by chunk into a vector of type `out_t`; many
/// elements are split over threads, each filling its part of the result.
pub fn map2<A: Copy + Sync, B: Copy + Sync, R: Elem + Default + Send>(a: &[A], b: &[B], n: usize, out_t: i8, f: impl Fn(A, B) -> R + Sync) -> Result<Value> {
    let k = threads_for(n);
    if k > 1 {
        return map_parts(n, out_t, k, |dst, s, e| {
            match (a.len() == n, b.len() == n) {
                (true, true) => dst.iter_mut().zip(&a[s..e]).zip(&b[s..e]).for_each(|((d, &x), &y)| *d = f(x, y)),
                (true, false) => dst.iter_mut().zip(&a[s..e]).for_each(|(d, &x)| *d = f(x, b[0])),
                (false, true) => dst.iter_mut().zip(&b[s..e]).for_each(|(d, &y)| *d = f(a[0], y)),
                (false, false) => dst.iter_mut().for_each(|d| *d = f(a[0], b[0])),
            }
        });
    }
    // Atoms and short vectors: a small staging buffer (clearing a whole
    // chunk would cost more than the work).
    if n <= SMALL {
        map2_staged(&mut [R::default(); SMALL], a, b, n, out_t, f)
    } else {
        map2_staged(&mut [R::default(); CHUNK], a, b, n, out_t, f)
    }
}

/// A vector of `n` elements of `out_t` whose parts are filled by `fill(part,
/// start, end)` on `k` threads.
fn map_parts<R: Elem + Send>(n: usize, out_t: i8, k: usize, fill: impl Fn(&mut [R], usize, usize) + Sync) -> Result<Value> {
    let width = if out_t == RAY_SYM { RAY_SYM_W64 } else { 0 };
    let mut out = Value::vec_zeroed(out_t, width, n as i64)?;
    par_parts(out.as_mut_slice::<R>()?, k, |dst, s, e| {
        fill(dst, s, e);
        false
    });
    Ok(out)
}

/// Staging buffer length for short inputs.
const SMALL: usize = 16;

fn map2_staged<A: Copy, B: Copy, R: Elem + Default>(buf: &mut [R], a: &[A], b: &[B], n: usize, out_t: i8, f: impl Fn(A, B) -> R) -> Result<Value> {
    let mut out = Value::vec_with_capacity(out_t, n as i64)?;
    let mut start = 0;
    while start < n {
        let k = buf.len().min(n - start);
        let dst = &mut buf[..k];
        match (a.len() == n, b.len() == n) {
            (true, true) => {
                for ((d, &x), &y) in dst.iter_mut().zip(&a[start..start + k]).zip(&b[start..start + k]) {
                    *d = f(x, y);
                }
            }
            (true, false) => {
                let y = b[0];
                for (d, &x) in dst.iter_mut().zip(&a[start..start + k]) {
                    *d = f(x, y);
                }
            }
            (false, true) => {
                let x = a[0];
                for (d, &y) in dst.iter_mut().zip(&b[start..start + k]) {
                    *d = f(x, y);
                }
            }
            (false, false) => {
                let (x, y) = (a[0], b[0]);
                for d in dst.iter_mut() {
                    *d = f(x, y);
                }
            }
        }
        out.extend_from_slice(dst)?;
        start += k;
    }
    Ok(out)
}

/// `out[i] = f(a[i])`, chunked (and split over threads) like `map2`.
pub fn map1<A: Copy + Sync, R: Elem + Default + Send>(a: &[A], out_t: i8, f: impl Fn(A) -> R + Sync) -> Result<Value> {
    let k = threads_for(a.len());
    if k > 1 {
        return map_parts(a.len(), out_t, k, |dst, s, e| dst.iter_mut().zip(&a[s..e]).for_each(|(d, &x)| *d = f(x)));
    }
    if a.len() <= SMALL {
        map1_staged(&mut [R::default(); SMALL], a, out_t, f)
    } else {
        map1_staged(&mut [R::default(); CHUNK], a, out_t, f)
    }
}

fn map1_staged<A: Copy, R: Elem + Default>(buf: &mut [R], a: &[A], out_t: i8, f: impl Fn(A) -> R) -> Result<Value> {
    let mut out = Value::vec_with_capacity(out_t, a.len() as i64)?;
    for chunk in a.chunks(buf.len()) {
        let dst = &mut buf[..chunk.len()];
        for (d, &x) in dst.iter_mut().zip(chunk) {
            *d = f(x);
        }
        out.extend_from_slice(dst)?;
    }
    Ok(out)
}

/// Finishes a kernel result: an atom when both operands were atoms (null
/// flag only when `may_null` and the value is a sentinel), otherwise the
/// vector, with HAS_NULLS when `may_null` and a sentinel is present.
pub fn finish(mut v: Value, atom: bool, may_null: bool) -> Result<Value> {
    if atom {
        let x = crate::ops::elem(&v, 0);
        if !may_null && x.null_flag() {
            return Ok(strip_flag(&v));
        }
        return Ok(x);
    }
    if may_null && scan_nulls(&v) {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}

/// Element 0 of `v` as an atom without the null flag (overflow results).
fn strip_flag(v: &ray_t) -> Value {
    match v.type_ {
        RAY_I64 => Value::i64(v.elems::<i64>()[0]),
        RAY_TIMESTAMP => Value::timestamp(v.elems::<i64>()[0]),
        RAY_I32 => Value::i32(v.elems::<i32>()[0]),
        RAY_DATE => Value::date(v.elems::<i32>()[0] as i64),
        RAY_TIME => Value::time(v.elems::<i32>()[0] as i64),
        RAY_I16 => Value::i16(v.elems::<i16>()[0]),
        RAY_F64 => Value::f64(v.elems::<f64>()[0]),
        _ => crate::ops::elem(v, 0),
    }
}

/// One side an empty vector, the other no vector or LIST (an atom, a dict
/// or a table). Where such a pair is a type error, the binary verbs
/// (arithmetic, comparison) answer the empty i64 vector, as the reference does.
pub fn empty_against_scalar(a: &ray_t, b: &ray_t) -> bool {
    let empty = |v: &ray_t| v.is_vec() && v.is_empty();
    let scalar = |v: &ray_t| !v.is_vec() && v.type_ != RAY_LIST;
    (empty(a) && scalar(b)) || (scalar(a) && empty(b))
}

/// Applies `f` to every element pair of LIST operands (or a LIST and a
/// vector/atom). The result stays a LIST, as the reference's is; an empty
/// LIST operand counts as an empty i64 vector, so the result is the empty
/// vector of the type `f` gives for i64 (`(+ (list) 1.5)` is an empty F64).
pub fn list_map2(label: &str, a: &ray_t, b: &ray_t, f: &dyn Fn(&ray_t, &ray_t) -> Result<Value>) -> Result<Value> {
    use crate::ops::elem;
    let empty_list = |v: &ray_t| v.type_ == RAY_LIST && v.is_empty();
    if empty_list(a) || empty_list(b) {
        let no_i64 = Value::vec_from_slice(RAY_I64, &[] as &[i64])?;
        let pick = |v: &ray_t| if empty_list(v) { no_i64.clone() } else { v.to_value() };
        return f(&pick(a), &pick(b));
    }
    // A dict or table operand is taken whole by every item (its own type
    // error comes before any length check), as an atom is.
    let whole = |v: &ray_t| !v.is_vec() && v.type_ != RAY_LIST;
    let n = match (whole(a), whole(b)) {
        (true, true) => 1,
        (true, false) => width(b),
        (false, true) => width(a),
        (false, false) => common_len(label, a, b)?,
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let x = if whole(a) { a.to_value() } else { elem(a, i) };
        let y = if whole(b) { b.to_value() } else { elem(b, i) };
        out.push(f(&x, &y)?);
    }
    Ok(Value::list(out))
}

/// A borrowed view of an operand for f64 kernels: i64 columns are read as
/// they are and converted element by element, so no f64 copy is made.
pub enum FView<'a> {
    F(Cow<'a, [f64]>),
    I(Cow<'a, [i64]>),
}

pub fn fview(v: &ray_t) -> FView<'_> {
    match v.type_ {
        RAY_I64 => FView::I(Cow::Borrowed(v.elems::<i64>())),
        t if t == -RAY_I64 => FView::I(Cow::Owned(vec![v.i64_val()])),
        _ => FView::F(widen_f(v)),
    }
}

#[inline(always)]
fn i2f(x: i64) -> f64 {
    if x == NULL_I64 { f64::NAN } else { x as f64 }
}

/// `map2` in the f64 domain over any pair of numeric operands.
pub fn fmap2(a: &ray_t, b: &ray_t, n: usize, f: impl Fn(f64, f64) -> f64 + Copy + Sync) -> Result<Value> {
    fmap2_to(a, b, n, RAY_F64, f)
}

/// `fmap2` with another output element type (`div` writes i64).
pub fn fmap2_to<R: Elem + Default>(a: &ray_t, b: &ray_t, n: usize, out_t: i8, f: impl Fn(f64, f64) -> R + Copy + Sync) -> Result<Value> {
    match (fview(a), fview(b)) {
        (FView::F(x), FView::F(y)) => map2(&x, &y, n, out_t, f),
        (FView::I(x), FView::F(y)) => map2(&x, &y, n, out_t, move |p: i64, q: f64| f(i2f(p), q)),
        (FView::F(x), FView::I(y)) => map2(&x, &y, n, out_t, move |p: f64, q: i64| f(p, i2f(q))),
        (FView::I(x), FView::I(y)) => map2(&x, &y, n, out_t, move |p: i64, q: i64| f(i2f(p), i2f(q))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long inputs are split over threads: the result equals the plain
    /// element loop, for every broadcast shape and for `map1`.
    #[test]
    fn split_maps_equal_the_plain_loop() {
        for n in [0usize, 1, 17, 5000, 300_001] {
            let a: Vec<i64> = (0..n as i64).map(|i| if i % 11 == 0 { NULL_I64 } else { i * 3 - 7 }).collect();
            let b: Vec<f64> = (0..n).map(|i| if i % 13 == 0 { f64::NAN } else { i as f64 / 3.0 }).collect();
            let f = |x: i64, y: f64| (x as f64) < y || y.is_nan();
            let plain: Vec<u8> = a.iter().zip(&b).map(|(&x, &y)| f(x, y) as u8).collect();
            let v = map2(&a, &b, n, RAY_BOOL, |x, y| f(x, y) as u8).unwrap();
            assert_eq!(v.elems::<u8>(), &plain[..], "n {n}");
            if n == 0 {
                continue;
            }
            let left = map2(&a[..1], &b, n, RAY_F64, |x, y| x as f64 + y).unwrap();
            assert!(left.elems::<f64>().iter().zip(&b).all(|(&r, &y)| r.to_bits() == (a[0] as f64 + y).to_bits()));
            let right = map2(&a, &[2.5], n, RAY_I64, |x, y| x.wrapping_add(y as i64)).unwrap();
            assert_eq!(right.elems::<i64>(), &a.iter().map(|&x| x.wrapping_add(2)).collect::<Vec<_>>()[..]);
            let both = map2(&a[..1], &b[..1], n, RAY_I64, |x, _| x).unwrap();
            assert!(both.elems::<i64>().iter().all(|&r| r == a[0]) && both.len() as usize == n);
            let one = map1(&a, RAY_I64, |x| x ^ 5).unwrap();
            assert_eq!(one.elems::<i64>(), &a.iter().map(|&x| x ^ 5).collect::<Vec<_>>()[..]);
        }
    }
}
