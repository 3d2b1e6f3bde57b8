//! Builtins: collection family (spec/rayfall.md section 8, "Collections"):
//! til distinct reverse asc desc iasc idesc rank take drop at find in where
//! enlist list concat except union sect rotate cut raze group sums deltas
//! maxs fills. Registered by the evaluator from `BUILTINS`.
//!
//! Every function works a column at a time on typed slices; atoms are only
//! built for results that are atoms, and for LIST items.
#![forbid(unsafe_code)]

use super::spec::Spec;
use super::util_args::*;
use crate::ops::keys::{contains_mask, groups, keys, positions};
use crate::ops::*;
use crate::ops::table;
use crate::abi::*;
use crate::core::vector::MAX_VEC_LEN;
use crate::core::{RayError, Result, Value, sym};
use std::cmp::Ordering;

const fn unary(name: &'static str, f: super::spec::PureFn) -> Spec {
    Spec { name, kind: RAY_UNARY, restricted: false, aggregate: false, f }
}
const fn binary(name: &'static str, f: super::spec::PureFn) -> Spec {
    Spec { name, kind: RAY_BINARY, restricted: false, aggregate: false, f }
}
const fn vary(name: &'static str, f: super::spec::PureFn) -> Spec {
    Spec { name, kind: RAY_VARY, restricted: false, aggregate: false, f }
}

pub const BUILTINS: &[Spec] = &[
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
    binary("at", at),
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
    unary("sums", sums),
    unary("deltas", deltas),
    unary("maxs", maxs),
    unary("mins", mins),
    unary("fills", fills),
];

fn len_of(v: &ray_t) -> usize {
    v.len().max(0) as usize
}

/// True for the values that behave as sequences (typed vectors and LIST).
fn is_seq(v: &ray_t) -> bool {
    v.is_vec() || v.type_ == RAY_LIST
}

// ---------------------------------------------------------------- til

fn til(args: &[Value]) -> Result<Value> {
    expect_arity("til", args, 1)?;
    let x = &args[0];
    if x.type_ != -RAY_I64 {
        return Err(type_err("til", "expected an i64"));
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

// ------------------------------------------------------------- ordering

/// Stable ascending permutation of a vector (nulls first; SYM by name).
pub fn grade(v: &ray_t, descending: bool) -> Result<Vec<usize>> {
    let n = len_of(v);
    let mut idx: Vec<usize> = (0..n).collect();
    let t = v.type_;
    let dir = |o: Ordering| if descending { o.reverse() } else { o };
    with_prim!(t, T => {
        let s = v.as_slice::<T>();
        idx.sort_by(|&a, &b| dir(s[a].order(s[b])));
    }, _ => match t {
        RAY_SYM => {
            let ids = sym_ids(v);
            let names: Vec<&'static [u8]> = sym::with_names(|f| ids.iter().map(|&i| f(i)).collect());
            idx.sort_by(|&a, &b| dir(names[a].cmp(names[b])));
        }
        RAY_STR => {
            let strs: Vec<&[u8]> = (0..n).map(|i| v.str_at(i)).collect();
            idx.sort_by(|&a, &b| dir(strs[a].cmp(strs[b])));
        }
        _ => return Err(RayError::type_err("sort: expected a vector")),
    });
    Ok(idx)
}

fn sorted(name: &str, args: &[Value], descending: bool) -> Result<Value> {
    expect_arity(name, args, 1)?;
    let v = &args[0];
    if !v.is_vec() {
        return Err(type_err(name, "expected a vector"));
    }
    let t = v.type_;
    // Fast path: plain integer columns sort by value (equal values are
    // indistinguishable, so stability does not matter).
    with_prim!(t, T => {
        let mut s = v.as_slice::<T>().to_vec();
        sort_values(t, &mut s, descending);
        vec_from(t, s)
    }, _ => {
        let idx: Vec<i64> = grade(v, descending)?.into_iter().map(|i| i as i64).collect();
        gather(v, &idx)
    })
}

/// Sorts elements by value, nulls first. Integer-like elements that
/// compare equal are identical, so an unstable sort gives the same bytes.
fn sort_values<T: Prim>(t: i8, s: &mut [T], descending: bool) {
    let exact = !matches!(t, RAY_F32 | RAY_F64);
    match (exact, descending) {
        (true, false) => s.sort_unstable_by(|a, b| a.order(*b)),
        (true, true) => s.sort_unstable_by(|a, b| b.order(*a)),
        (false, false) => s.sort_by(|a, b| a.order(*b)),
        (false, true) => s.sort_by(|a, b| b.order(*a)),
    }
}

fn asc(args: &[Value]) -> Result<Value> {
    sorted("asc", args, false)
}

fn desc(args: &[Value]) -> Result<Value> {
    sorted("desc", args, true)
}

fn grade_fn(name: &str, args: &[Value], descending: bool) -> Result<Value> {
    expect_arity(name, args, 1)?;
    if !args[0].is_vec() {
        return Err(type_err(name, "expected a vector"));
    }
    let idx: Vec<i64> = grade(&args[0], descending)?.into_iter().map(|i| i as i64).collect();
    Value::vec_from_slice(RAY_I64, &idx)
}

fn iasc(args: &[Value]) -> Result<Value> {
    grade_fn("iasc", args, false)
}

fn idesc(args: &[Value]) -> Result<Value> {
    grade_fn("idesc", args, true)
}

fn rank(args: &[Value]) -> Result<Value> {
    expect_arity("rank", args, 1)?;
    if !args[0].is_vec() {
        return Err(type_err("rank", "expected a vector"));
    }
    let g = grade(&args[0], false)?;
    let mut r = vec![0i64; g.len()];
    for (k, &i) in g.iter().enumerate() {
        r[i] = k as i64;
    }
    Value::vec_from_slice(RAY_I64, &r)
}

// ------------------------------------------------------------- distinct

fn distinct(args: &[Value]) -> Result<Value> {
    expect_arity("distinct", args, 1)?;
    distinct_of(&args[0])
}

/// `distinct`: sorted for numeric and temporal vectors, first appearance
/// for the others; distinct rows for a table.
pub fn distinct_of(v: &ray_t) -> Result<Value> {
    let t = v.type_;
    if t == RAY_TABLE {
        return crate::query::distinct_rows(v);
    }
    if !is_seq(v) {
        return Err(type_err("distinct", "expected a vector"));
    }
    if is_numeric(t) || is_temporal(t) {
        return with_prim!(t, T => {
            let mut s = v.as_slice::<T>().to_vec();
            sort_values(t, &mut s, false);
            s.dedup_by(|a, b| a.order(*b) == Ordering::Equal);
            vec_from(t, s)
        }, _ => unreachable_type());
    }
    let (firsts, _) = groups(&keys(v)?);
    let idx: Vec<i64> = firsts.into_iter().map(|i| i as i64).collect();
    gather(v, &idx)
}

fn unreachable_type() -> Result<Value> {
    Err(RayError::type_err("unsupported type"))
}

// ---------------------------------------------------------------- reverse

fn reverse(args: &[Value]) -> Result<Value> {
    expect_arity("reverse", args, 1)?;
    let v = &args[0];
    if v.type_ == RAY_TABLE {
        let n = v.table_nrows();
        let idx: Vec<i64> = (0..n).rev().collect();
        return table::rows(v, &idx);
    }
    if v.type_ == RAY_DICT {
        let (k, vals) = dict_parts(v)?;
        return Ok(Value::dict(reverse(&[k])?, reverse(&[vals])?));
    }
    if !is_seq(v) {
        // Atoms (strings included) come back unchanged.
        return Ok(v.clone());
    }
    let idx: Vec<i64> = (0..v.len().max(0)).rev().collect();
    gather(v, &idx)
}

// ---------------------------------------------------------------- take / drop

/// Indices for `take n` on a sequence of length `len`, cycling.
fn take_indices(len: usize, n: i64) -> Vec<i64> {
    let m = n.unsigned_abs() as usize;
    if len == 0 {
        return vec![-1; m];
    }
    let l = len as i64;
    if n >= 0 {
        (0..m as i64).map(|k| k % l).collect()
    } else {
        (0..m as i64).map(|k| (l - m as i64 + k).rem_euclid(l)).collect()
    }
}

fn take(args: &[Value]) -> Result<Value> {
    expect_arity("take", args, 2)?;
    let x = &args[0];
    let n = int_arg("take", args, 1)?;
    if n == NULL_I64 {
        return Err(domain_err("take", "null count"));
    }
    if n.unsigned_abs() > MAX_VEC_LEN as u64 {
        return Err(RayError::new("limit", "take: count too large"));
    }
    take_of(x, n)
}

/// `take` on any value (the count already checked).
pub fn take_of(x: &ray_t, n: i64) -> Result<Value> {
    match x.type_ {
        RAY_TABLE => table::rows(x, &take_indices(x.table_nrows().max(0) as usize, n)),
        RAY_DICT => {
            let (k, v) = dict_parts(x)?;
            Ok(Value::dict(take_of(&k, n)?, take_of(&v, n)?))
        }
        t if t == -RAY_STR => {
            let b = x.str_bytes();
            let idx = take_indices(b.len(), n);
            let out: Vec<u8> = idx.iter().map(|&i| if i < 0 { b' ' } else { b[i as usize] }).collect();
            Value::try_str(&out)
        }
        _ if is_seq(x) => {
            let len = len_of(x);
            let m = n.unsigned_abs() as usize;
            if m <= len {
                // No cycling: one contiguous copy.
                let off = if n >= 0 { 0 } else { len - m };
                return range_copy(x, off, m);
            }
            if len > 0 {
                if let Some(v) = cycle_prim(x, len, n)? {
                    return Ok(v);
                }
            }
            gather(x, &take_indices(len, n))
        }
        _ if x.is_atom() && !x.is_builtin() && x.type_ != RAY_LAMBDA && !x.is_null_obj() => {
            repeat_atom(x, n.unsigned_abs() as usize)
        }
        _ => Err(type_err("take", "cannot take from this value")),
    }
}

/// `take` past the end of a fixed-width vector: whole copies of the
/// column plus a partial one, without an index vector.
fn cycle_prim(x: &ray_t, len: usize, n: i64) -> Result<Option<Value>> {
    let m = n.unsigned_abs() as usize;
    // Taking from the back starts `m mod len` elements before the end.
    let start = if n >= 0 { 0 } else { (len - m % len) % len };
    let t = x.type_;
    with_prim!(t, T => {
        let s = x.as_slice::<T>();
        let mut out = Value::vec_with_capacity(t, m as i64)?;
        let mut left = m;
        let mut pos = start;
        while left > 0 {
            let k = (len - pos).min(left);
            out.extend_from_slice(&s[pos..pos + k])?;
            left -= k;
            pos = 0;
        }
        if x.attrs & RAY_ATTR_HAS_NULLS != 0 || (has_sentinel(t) && s.iter().any(|e| e.is_null())) {
            out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        }
        Ok(Some(out))
    }, _ => Ok(None))
}

fn dict_parts(d: &ray_t) -> Result<(Value, Value)> {
    match (d.dict_keys(), d.dict_vals()) {
        (Some(k), Some(v)) => Ok((k.to_value(), v.to_value())),
        _ => Err(RayError::type_err("malformed dict")),
    }
}

fn drop(args: &[Value]) -> Result<Value> {
    expect_arity("drop", args, 2)?;
    let x = &args[0];
    let n = int_arg("drop", args, 1)?;
    drop_of(x, n)
}

/// `drop` on any sequence.
pub fn drop_of(x: &ray_t, n: i64) -> Result<Value> {
    let range = |len: usize| -> (usize, usize) {
        let m = (n.unsigned_abs() as usize).min(len);
        if n >= 0 { (m, len - m) } else { (0, len - m) }
    };
    match x.type_ {
        RAY_TABLE => {
            let (off, len) = range(x.table_nrows().max(0) as usize);
            let idx: Vec<i64> = (off as i64..(off + len) as i64).collect();
            table::rows(x, &idx)
        }
        RAY_DICT => {
            let (k, v) = dict_parts(x)?;
            Ok(Value::dict(drop_of(&k, n)?, drop_of(&v, n)?))
        }
        t if t == -RAY_STR => {
            let b = x.str_bytes();
            let (off, len) = range(b.len());
            Value::try_str(&b[off..off + len])
        }
        _ if is_seq(x) => {
            let (off, len) = range(len_of(x));
            range_copy(x, off, len)
        }
        _ => Err(type_err("drop", "cannot drop from this value")),
    }
}

// ---------------------------------------------------------------- at

/// Integer indices of an index value (atom or integer vector).
fn int_indices(i: &ray_t) -> Option<Vec<i64>> {
    if let Some(x) = int_atom_value(i) {
        return Some(vec![x]);
    }
    let widen = |v: Vec<i64>| Some(v);
    match i.type_ {
        RAY_I64 => widen(i.as_slice::<i64>().to_vec()),
        RAY_I32 => widen(i.as_slice::<i32>().iter().map(|&x| if x == NULL_I32 { NULL_I64 } else { x as i64 }).collect()),
        RAY_I16 => widen(i.as_slice::<i16>().iter().map(|&x| if x == NULL_I16 { NULL_I64 } else { x as i64 }).collect()),
        RAY_U8 => widen(i.as_slice::<u8>().iter().map(|&x| x as i64).collect()),
        _ => None,
    }
}

fn at(args: &[Value]) -> Result<Value> {
    expect_arity("at", args, 2)?;
    at_of(&args[0], &args[1])
}

/// `at`: indexing of vectors, lists, strings, dicts and tables.
pub fn at_of(x: &ray_t, i: &ray_t) -> Result<Value> {
    at_nested(x, i, 0)
}

fn at_nested(x: &ray_t, i: &ray_t, depth: usize) -> Result<Value> {
    check_depth("at", depth)?;
    match x.type_ {
        RAY_DICT => return super::dict::lookup(x, i),
        RAY_TABLE => return table_at(x, i),
        t if t == -RAY_STR => {
            let b = x.str_bytes();
            let idx = int_indices(i).ok_or_else(|| type_err("at", "index must be an integer"))?;
            let out: Vec<u8> =
                idx.iter().filter_map(|&k| usize::try_from(k).ok().and_then(|k| b.get(k).copied())).collect();
            return Value::try_str(&out);
        }
        _ => {}
    }
    if !is_seq(x) {
        return Err(type_err("at", "cannot index this value"));
    }
    if i.type_ == RAY_LIST {
        let items = i.items().iter().map(|k| at_nested(x, k.unwrap_or(&Value::null()), depth + 1)).collect::<Result<Vec<_>>>()?;
        return Value::container(RAY_LIST, items);
    }
    let idx = int_indices(i).ok_or_else(|| type_err("at", "index must be an integer"))?;
    if i.type_ < 0 {
        let k = idx[0];
        return if (0..x.len()).contains(&k) {
            atom_at(x, k as usize)
        } else if x.type_ == RAY_LIST {
            Ok(Value::null())
        } else {
            Value::typed_null(-x.type_)
        };
    }
    gather(x, &idx)
}

fn table_at(t: &ray_t, i: &ray_t) -> Result<Value> {
    if i.type_ == -RAY_SYM {
        return table::column(t, i.i64_val()).ok_or_else(|| RayError::new("schema", "at: no such column"));
    }
    if i.type_ == RAY_SYM {
        let ids = sym_ids(i);
        let mut cols = Vec::with_capacity(ids.len());
        for &id in ids.iter() {
            cols.push(table::column(t, id).ok_or_else(|| RayError::new("schema", "at: no such column"))?);
        }
        return Value::container(RAY_LIST, cols);
    }
    let idx = int_indices(i).ok_or_else(|| type_err("at", "table index must be an integer or a column name"))?;
    let rows = if i.type_ < 0 { table::row(t, idx[0]) } else { table::rows(t, &idx) };
    rows.map_err(|e| RayError::domain(format!("at: {}", e.message().unwrap_or_default())))
}

// ---------------------------------------------------------------- find / in

/// A vector view of `x`: vectors and lists as they are, atoms as a
/// one-element vector. The flag tells whether `x` was an atom.
fn as_column(x: &ray_t) -> Result<(Value, bool)> {
    if is_seq(x) {
        Ok((x.to_value(), false))
    } else if x.type_ < 0 && is_vector_type(-x.type_) {
        Ok((repeat_atom(x, 1)?, true))
    } else {
        Ok((Value::list(vec![x.to_value()]), true))
    }
}

fn find(args: &[Value]) -> Result<Value> {
    expect_arity("find", args, 2)?;
    let v = &args[0];
    if !is_seq(v) {
        return Err(type_err("find", "expected a vector"));
    }
    let (needles, atom) = as_column(&args[1])?;
    let pos = positions(&keys(v)?, &keys(&needles)?);
    if atom {
        return Ok(if pos[0] == NULL_I64 { Value::typed_null(-RAY_I64)? } else { Value::i64(pos[0]) });
    }
    vec_from(RAY_I64, pos)
}

/// Membership mask: for each element of `x`, whether it occurs in `v`.
fn member_mask(x: &ray_t, v: &ray_t) -> Result<(Vec<u8>, bool)> {
    let (hay, _) = as_column(v)?;
    let (needles, atom) = as_column(x)?;
    Ok((contains_mask(&keys(&hay)?, &keys(&needles)?), atom))
}

fn in_(args: &[Value]) -> Result<Value> {
    expect_arity("in", args, 2)?;
    let (mask, atom) = member_mask(&args[0], &args[1])?;
    if atom {
        return Ok(Value::bool(mask[0] != 0));
    }
    Value::vec_from_slice(RAY_BOOL, &mask)
}

fn where_(args: &[Value]) -> Result<Value> {
    expect_arity("where", args, 1)?;
    let b = &args[0];
    if b.type_ != RAY_BOOL {
        return Err(type_err("where", "expected a B8 vector"));
    }
    let idx: Vec<i64> =
        b.as_slice::<u8>().iter().enumerate().filter(|(_, x)| **x != 0).map(|(i, _)| i as i64).collect();
    Value::vec_from_slice(RAY_I64, &idx)
}

// ---------------------------------------------------------------- enlist / list

fn enlist(args: &[Value]) -> Result<Value> {
    let refs: Vec<&ray_t> = args.iter().map(|v| &**v).collect();
    pack_atoms(&refs)
}

fn list(args: &[Value]) -> Result<Value> {
    Value::container(RAY_LIST, args.to_vec())
}

// ---------------------------------------------------------------- concat

fn concat(args: &[Value]) -> Result<Value> {
    expect_arity("concat", args, 2)?;
    concat_of(&args[0], &args[1])
}

/// `concat` of two values (see spec: strings, vectors, atoms, dicts, tables).
pub fn concat_of(a: &ray_t, b: &ray_t) -> Result<Value> {
    let (ta, tb) = (a.type_, b.type_);
    if ta == -RAY_STR && tb == -RAY_STR {
        let mut s = a.str_bytes().to_vec();
        s.extend_from_slice(b.str_bytes());
        return Value::try_str(&s);
    }
    if (ta == -RAY_STR && b.is_vec()) || (tb == -RAY_STR && a.is_vec()) {
        return Err(type_err("concat", "cannot join a string and a vector"));
    }
    if ta == RAY_DICT && tb == RAY_DICT {
        return super::dict::merge(a, b);
    }
    if ta == RAY_TABLE && tb == RAY_TABLE {
        return concat_tables(a, b);
    }
    let vec_type = |x: &ray_t| -> Option<i8> {
        if x.is_vec() {
            Some(x.type_)
        } else if x.type_ < 0 && is_vector_type(-x.type_) {
            Some(-x.type_)
        } else {
            None
        }
    };
    if let (Some(ua), Some(ub)) = (vec_type(a), vec_type(b)) {
        if ua == ub {
            let (ca, _) = as_column(a)?;
            let (cb, _) = as_column(b)?;
            return concat_same(&ca, &cb);
        }
    }
    let la = seq_items(a)?;
    let lb = seq_items(b)?;
    concat_same(&la, &lb)
}

/// A LIST of the elements of a sequence, or of the value itself.
fn seq_items(x: &ray_t) -> Result<Value> {
    if is_seq(x) { to_list(x) } else { Ok(Value::list(vec![x.to_value()])) }
}

fn concat_tables(a: &ray_t, b: &ray_t) -> Result<Value> {
    let na = table::names_vec(a)?;
    let nb = table::names_vec(b)?;
    if sym_ids(&na) != sym_ids(&nb) {
        return Err(RayError::new("schema", "concat: tables have different columns"));
    }
    let cols = table::columns(a)
        .iter()
        .zip(table::columns(b).iter())
        .map(|(x, y)| concat_of(x, y))
        .collect::<Result<Vec<_>>>()?;
    table::with_columns(a, cols)
}

// ---------------------------------------------------------------- set operations

fn set_filter(name: &str, args: &[Value], keep_members: bool) -> Result<Value> {
    expect_arity(name, args, 2)?;
    let a = &args[0];
    if !is_seq(a) {
        return Err(type_err(name, "expected a vector"));
    }
    let (mask, _) = member_mask(a, &args[1])?;
    let idx: Vec<i64> =
        mask.iter().enumerate().filter(|(_, m)| (**m != 0) == keep_members).map(|(i, _)| i as i64).collect();
    gather(a, &idx)
}

fn except(args: &[Value]) -> Result<Value> {
    set_filter("except", args, false)
}

fn sect(args: &[Value]) -> Result<Value> {
    set_filter("sect", args, true)
}

fn union(args: &[Value]) -> Result<Value> {
    expect_arity("union", args, 2)?;
    let all = concat_of(&args[0], &args[1])?;
    if !is_seq(&all) {
        return Err(type_err("union", "expected vectors"));
    }
    let (firsts, _) = groups(&keys(&all)?);
    let idx: Vec<i64> = firsts.into_iter().map(|i| i as i64).collect();
    gather(&all, &idx)
}

// ---------------------------------------------------------------- rotate / cut / raze

/// Splits `(f v n)` / `(f n v)` into the sequence and the integer.
fn seq_and_count<'a>(name: &str, args: &'a [Value]) -> Result<(&'a Value, i64)> {
    expect_arity(name, args, 2)?;
    if let Some(n) = int_atom_value(&args[1]) {
        return Ok((&args[0], n));
    }
    if let Some(n) = int_atom_value(&args[0]) {
        return Ok((&args[1], n));
    }
    Err(type_err(name, "expected an integer count"))
}

fn rotate(args: &[Value]) -> Result<Value> {
    let (v, n) = seq_and_count("rotate", args)?;
    if v.type_ == -RAY_STR {
        let b = v.str_bytes();
        if b.is_empty() {
            return Ok(v.clone());
        }
        let k = n.rem_euclid(b.len() as i64) as usize;
        let mut out = b[k..].to_vec();
        out.extend_from_slice(&b[..k]);
        return Value::try_str(&out);
    }
    if !is_seq(v) {
        return Err(type_err("rotate", "expected a vector"));
    }
    let l = v.len().max(0);
    if l == 0 {
        return Ok(v.clone());
    }
    let idx: Vec<i64> = (0..l).map(|i| (i + n.rem_euclid(l)) % l).collect();
    gather(v, &idx)
}

fn cut(args: &[Value]) -> Result<Value> {
    expect_arity("cut", args, 2)?;
    let (v, spec) = if is_seq(&args[0]) || args[0].type_ == -RAY_STR { (&args[0], &args[1]) } else { (&args[1], &args[0]) };
    let len = if v.type_ == -RAY_STR { v.str_bytes().len() } else if is_seq(v) { len_of(v) } else {
        return Err(type_err("cut", "expected a vector"));
    };
    let starts: Vec<usize> = if let Some(n) = int_atom_value(spec) {
        if n <= 0 || n == NULL_I64 {
            return Err(domain_err("cut", "chunk size must be positive"));
        }
        (0..len).step_by(n as usize).collect()
    } else {
        let idx = int_indices(spec).ok_or_else(|| type_err("cut", "expected integer positions"))?;
        let mut prev = 0i64;
        for &i in &idx {
            if i < prev || i > len as i64 {
                return Err(domain_err("cut", "positions must ascend within the vector"));
            }
            prev = i;
        }
        idx.into_iter().map(|i| i as usize).collect()
    };
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(len).min(len);
        out.push(if v.type_ == -RAY_STR { Value::try_str(&v.str_bytes()[s..e])? } else { range_copy(v, s, e - s)? });
    }
    Value::container(RAY_LIST, out)
}

fn raze(args: &[Value]) -> Result<Value> {
    expect_arity("raze", args, 1)?;
    let l = &args[0];
    if l.type_ != RAY_LIST {
        return Ok(l.clone());
    }
    let items: Vec<&ray_t> = l.items().iter().flatten().copied().collect();
    let Some((first, rest)) = items.split_first() else {
        return Ok(l.clone());
    };
    let mut acc = if is_seq(first) { first.to_value() } else { as_column(first)?.0 };
    for x in rest {
        acc = concat_of(&acc, x)?;
    }
    Ok(acc)
}

// ---------------------------------------------------------------- group

fn group(args: &[Value]) -> Result<Value> {
    expect_arity("group", args, 1)?;
    let v = &args[0];
    if !is_seq(v) {
        return Err(type_err("group", "expected a vector"));
    }
    let (firsts, ids) = groups(&keys(v)?);
    let mut members: Vec<Vec<i64>> = vec![Vec::new(); firsts.len()];
    for (i, g) in ids.into_iter().enumerate() {
        members[g].push(i as i64);
    }
    let key_idx: Vec<i64> = firsts.into_iter().map(|i| i as i64).collect();
    let vals = members.iter().map(|m| Value::vec_from_slice(RAY_I64, m)).collect::<Result<Vec<_>>>()?;
    Ok(Value::dict(gather(v, &key_idx)?, Value::container(RAY_LIST, vals)?))
}

// ---------------------------------------------------------------- running folds

fn numeric_vec<'a>(name: &str, args: &'a [Value]) -> Result<&'a Value> {
    expect_arity(name, args, 1)?;
    let v = &args[0];
    if !v.is_vec() || !(is_numeric(v.type_) || is_temporal(v.type_)) {
        return Err(type_err(name, "expected a numeric vector"));
    }
    Ok(v)
}

fn widen_ints(v: &ray_t) -> Vec<i64> {
    match v.type_ {
        RAY_BOOL | RAY_U8 => v.as_slice::<u8>().iter().map(|&x| x as i64).collect(),
        RAY_I16 => v.as_slice::<i16>().iter().map(|&x| if x.is_null() { NULL_I64 } else { x as i64 }).collect(),
        RAY_I32 | RAY_DATE | RAY_TIME => {
            v.as_slice::<i32>().iter().map(|&x| if x.is_null() { NULL_I64 } else { x as i64 }).collect()
        }
        _ => v.as_slice::<i64>().to_vec(),
    }
}

fn sums(args: &[Value]) -> Result<Value> {
    if let Some(x) = args.first().filter(|x| x.type_ < 0 && args.len() == 1) {
        return Ok(x.clone());
    }
    let v = numeric_vec("sums", args)?;
    match v.type_ {
        RAY_F64 | RAY_F32 => {
            let s: Vec<f64> = match v.type_ {
                RAY_F64 => v.as_slice::<f64>().to_vec(),
                _ => v.as_slice::<f32>().iter().map(|&x| x as f64).collect(),
            };
            let mut acc = 0.0;
            let out: Vec<f64> = s.iter().map(|&x| {
                if !x.is_nan() {
                    acc += x;
                }
                acc
            }).collect();
            vec_from(RAY_F64, out)
        }
        t if is_temporal(t) => Err(type_err("sums", "expected a numeric vector")),
        RAY_I64 => {
            let mut acc = 0i64;
            let s = v.as_slice::<i64>();
            fill_vec(RAY_I64, s.len(), s.iter().map(|&x| {
                if x != NULL_I64 {
                    acc = acc.wrapping_add(x);
                }
                acc
            }))
        }
        _ => {
            let mut acc = 0i64;
            let w = widen_ints(v);
            fill_vec(RAY_I64, w.len(), w.into_iter().map(|x| {
                if x != NULL_I64 {
                    acc = acc.wrapping_add(x);
                }
                acc
            }))
        }
    }
}

fn deltas(args: &[Value]) -> Result<Value> {
    let v = numeric_vec("deltas", args)?;
    let t = v.type_;
    fn run<T: Prim>(s: &[T], sub: impl Fn(T, T) -> T) -> Vec<T> {
        let mut out = Vec::with_capacity(s.len());
        for i in 0..s.len() {
            out.push(if i == 0 || s[i].is_null() || s[i - 1].is_null() { T::null() } else { sub(s[i], s[i - 1]) });
        }
        out
    }
    match t {
        RAY_F64 => vec_from(t, run(v.as_slice::<f64>(), |a, b| a - b)),
        RAY_F32 => vec_from(t, run(v.as_slice::<f32>(), |a, b| a - b)),
        RAY_I16 => vec_from(t, run(v.as_slice::<i16>(), |a, b| a.wrapping_sub(b))),
        RAY_I32 | RAY_TIME => vec_from(t, run(v.as_slice::<i32>(), |a, b| a.wrapping_sub(b))),
        RAY_DATE => vec_from(RAY_I32, run(v.as_slice::<i32>(), |a, b| a.wrapping_sub(b))),
        RAY_I64 => vec_from(t, run(v.as_slice::<i64>(), |a, b| a.wrapping_sub(b))),
        RAY_TIMESTAMP => vec_from(RAY_I64, run(v.as_slice::<i64>(), |a, b| a.wrapping_sub(b))),
        _ => {
            let w = widen_ints(v);
            vec_from(RAY_I64, run(&w, |a, b| a.wrapping_sub(b)))
        }
    }
}

fn running(name: &str, args: &[Value], want_max: bool) -> Result<Value> {
    let v = numeric_vec(name, args)?;
    let t = v.type_;
    with_prim!(t, T => {
        let s = v.as_slice::<T>();
        let mut out = Vec::with_capacity(s.len());
        let mut acc: Option<T> = None;
        for &x in s {
            let next = match acc {
                None => x,
                Some(a) if want_max => if x.order(a) == Ordering::Greater { x } else { a },
                // Running minimum skips nulls (they would win every step).
                Some(a) => if a.is_null() || (!x.is_null() && x.order(a) == Ordering::Less) { x } else { a },
            };
            acc = Some(next);
            out.push(next);
        }
        vec_from(t, out)
    }, _ => unreachable_type())
}

fn maxs(args: &[Value]) -> Result<Value> {
    running("maxs", args, true)
}

fn mins(args: &[Value]) -> Result<Value> {
    running("mins", args, false)
}

fn fills(args: &[Value]) -> Result<Value> {
    expect_arity("fills", args, 1)?;
    let v = &args[0];
    if !is_seq(v) {
        return Err(type_err("fills", "expected a vector"));
    }
    let t = v.type_;
    if !has_sentinel(t) {
        return Ok(v.clone());
    }
    with_prim!(t, T => {
        let s = v.as_slice::<T>();
        let mut out = Vec::with_capacity(s.len());
        let mut last = T::null();
        for &x in s {
            if !x.is_null() {
                last = x;
            }
            out.push(last);
        }
        vec_from(t, out)
    }, _ => Ok(v.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i64v(x: &[i64]) -> Value {
        vec_of(RAY_I64, x).unwrap()
    }
    fn syms(names: &[&str]) -> Value {
        Value::sym_vec(&names.iter().map(|n| sym::intern_str(n)).collect::<Vec<_>>()).unwrap()
    }
    fn sym_names(v: &ray_t) -> Vec<String> {
        sym_ids(v).iter().map(|&i| String::from_utf8_lossy(sym::name_or_empty(i)).into_owned()).collect()
    }
    fn call(f: fn(&[Value]) -> Result<Value>, args: &[Value]) -> Value {
        f(args).unwrap()
    }
    fn code(f: fn(&[Value]) -> Result<Value>, args: &[Value]) -> String {
        f(args).unwrap_err().code_str().to_string()
    }

    #[test]
    fn til_counts_up_and_rejects_bad_counts() {
        // collection-001, error-006
        let v = call(til, &[Value::i64(5)]);
        assert_eq!((v.type_, v.as_slice::<i64>()), (RAY_I64, &[0, 1, 2, 3, 4][..]));
        assert_eq!(code(til, &[Value::i64(-1)]), "domain");
        assert_eq!(code(til, &[Value::f64(2.5)]), "type");
        assert_eq!(code(til, &[]), "arity");
    }

    #[test]
    fn distinct_sorts_numbers_and_keeps_symbol_order() {
        // collection-002, collection-003
        let v = call(distinct, &[i64v(&[3, 1, 3, 2])]);
        assert_eq!(v.as_slice::<i64>(), &[1, 2, 3]);
        assert_eq!(v.attrs & RAY_ATTR_HAS_NULLS, 0);
        let s = call(distinct, &[syms(&["b", "a", "b"])]);
        assert_eq!(sym_names(&s), ["b", "a"]);
        let n = call(distinct, &[i64v(&[5, NULL_I64, 5, NULL_I64])]);
        assert_eq!(n.as_slice::<i64>(), &[NULL_I64, 5]);
    }

    #[test]
    fn sorts_put_nulls_first_and_grades_are_stable() {
        // collection-004, collection-005, collection-006
        assert_eq!(sym_names(&call(desc, &[syms(&["c", "a", "b"])])), ["c", "b", "a"]);
        assert_eq!(call(iasc, &[i64v(&[30, 10, 20])]).as_slice::<i64>(), &[1, 2, 0]);
        let a = call(asc, &[i64v(&[3, NULL_I64, 1])]);
        assert_eq!(a.as_slice::<i64>(), &[NULL_I64, 1, 3]);
        assert_eq!(a.attrs & RAY_ATTR_HAS_NULLS, RAY_ATTR_HAS_NULLS);
        let f = call(asc, &[vec_of(RAY_F64, &[2.0, f64::NAN, -1.0]).unwrap()]);
        assert!(f.as_slice::<f64>()[0].is_nan());
        assert_eq!(call(idesc, &[i64v(&[1, 3, 3, 2])]).as_slice::<i64>(), &[1, 2, 3, 0]);
        assert_eq!(call(rank, &[i64v(&[30, 10, 20])]).as_slice::<i64>(), &[2, 0, 1]);
    }

    #[test]
    fn take_cycles_counts_from_the_back_and_repeats_atoms() {
        // collection-007, collection-008, collection-009
        assert_eq!(call(take, &[i64v(&[10, 20, 30]), Value::i64(-2)]).as_slice::<i64>(), &[20, 30]);
        assert_eq!(call(take, &[i64v(&[1, 2, 3]), Value::i64(5)]).as_slice::<i64>(), &[1, 2, 3, 1, 2]);
        assert_eq!(call(take, &[i64v(&[1, 2, 3]), Value::i64(-5)]).as_slice::<i64>(), &[2, 3, 1, 2, 3]);
        let a = call(take, &[Value::sym_name("a"), Value::i64(3)]);
        assert_eq!(sym_names(&a), ["a", "a", "a"]);
        assert_eq!(code(take, &[Value::i64(2), i64v(&[1, 2])]), "type");
        assert_eq!(call(take, &[Value::str(b"hello"), Value::i64(3)]).str_bytes(), b"hel");
    }

    #[test]
    fn drop_removes_from_either_end() {
        assert_eq!(call(drop, &[i64v(&[1, 2, 3]), Value::i64(1)]).as_slice::<i64>(), &[2, 3]);
        assert_eq!(call(drop, &[i64v(&[1, 2, 3]), Value::i64(-1)]).as_slice::<i64>(), &[1, 2]);
        assert_eq!(call(drop, &[i64v(&[1, 2, 3]), Value::i64(9)]).len(), 0);
        assert_eq!(call(drop, &[Value::str(b"hello"), Value::i64(2)]).str_bytes(), b"llo");
    }

    #[test]
    fn at_indexes_and_gives_typed_nulls_out_of_range() {
        // collection-013, collection-014
        assert_eq!(call(at, &[i64v(&[10, 20, 30]), i64v(&[0, 2])]).as_slice::<i64>(), &[10, 30]);
        let n = call(at, &[i64v(&[10, 20, 30]), Value::i64(5)]);
        assert_eq!((n.type_, n.i64_val(), n.null_flag()), (-RAY_I64, NULL_I64, true));
        assert_eq!(call(at, &[i64v(&[10, 20, 30]), Value::i64(1)]).i64_val(), 20);
        assert_eq!(call(at, &[Value::str(b"abc"), Value::i64(1)]).str_bytes(), b"b");
        assert_eq!(code(at, &[i64v(&[1]), Value::f64(0.0)]), "type");
    }

    #[test]
    fn membership_and_where() {
        // collection-010, collection-011
        let m = call(in_, &[i64v(&[1, 5]), i64v(&[1, 2, 3])]);
        assert_eq!((m.type_, m.as_slice::<u8>()), (RAY_BOOL, &[1, 0][..]));
        assert!(call(in_, &[Value::i64(2), i64v(&[1, 2])]).bool_val());
        let b = Value::vec_from_slice(RAY_BOOL, &[1u8, 0, 1, 0, 1]).unwrap();
        assert_eq!(call(where_, &[b]).as_slice::<i64>(), &[0, 2, 4]);
        assert_eq!(code(where_, &[i64v(&[1, 2])]), "type");
        assert_eq!(call(find, &[i64v(&[5, 6]), Value::i64(6)]).i64_val(), 1);
        let miss = call(find, &[i64v(&[5, 6]), Value::i64(7)]);
        assert!(miss.null_flag() && miss.i64_val() == NULL_I64);
    }

    #[test]
    fn concat_joins_same_types_and_lists_mixed_ones() {
        // collection-012, string-008
        let l = call(concat, &[i64v(&[1, 2]), vec_of(RAY_F64, &[1.5]).unwrap()]);
        assert_eq!(l.type_, RAY_LIST);
        assert_eq!(l.len(), 3);
        assert_eq!(l.item(2).unwrap().type_, -RAY_F64);
        let s = call(concat, &[Value::str(b"hello"), Value::str(b" world")]);
        assert_eq!(s.str_bytes(), b"hello world");
        assert_eq!(call(concat, &[Value::i64(1), i64v(&[2])]).as_slice::<i64>(), &[1, 2]);
        assert_eq!(code(concat, &[i64v(&[1]), Value::str(b"a")]), "type");
    }

    #[test]
    fn set_operations_keep_order() {
        // collection-015
        assert_eq!(call(except, &[i64v(&[1, 2, 3]), i64v(&[2])]).as_slice::<i64>(), &[1, 3]);
        assert_eq!(call(union, &[i64v(&[1, 2]), i64v(&[2, 3])]).as_slice::<i64>(), &[1, 2, 3]);
        assert_eq!(call(sect, &[i64v(&[1, 2, 3]), i64v(&[2, 3, 4])]).as_slice::<i64>(), &[2, 3]);
    }

    #[test]
    fn running_folds() {
        // collection-016
        assert_eq!(call(sums, &[i64v(&[1, 2, 3])]).as_slice::<i64>(), &[1, 3, 6]);
        let d = call(deltas, &[i64v(&[10, 15, 13])]);
        assert_eq!(d.as_slice::<i64>(), &[NULL_I64, 5, -2]);
        assert_eq!(d.attrs & RAY_ATTR_HAS_NULLS, RAY_ATTR_HAS_NULLS);
        assert_eq!(call(maxs, &[i64v(&[1, 3, 2])]).as_slice::<i64>(), &[1, 3, 3]);
        let f = call(fills, &[i64v(&[NULL_I64, 1, NULL_I64, 2])]);
        assert_eq!(f.as_slice::<i64>(), &[NULL_I64, 1, 1, 2]);
    }

    #[test]
    fn group_maps_values_to_indices_in_first_appearance_order() {
        // dict-008
        let g = call(group, &[syms(&["a", "b", "a", "c"])]);
        assert_eq!(g.type_, RAY_DICT);
        assert_eq!(sym_names(g.dict_keys().unwrap()), ["a", "b", "c"]);
        let vals = g.dict_vals().unwrap();
        assert_eq!(vals.type_, RAY_LIST);
        assert_eq!(vals.item(0).unwrap().as_slice::<i64>(), &[0, 2]);
        assert_eq!(vals.item(2).unwrap().as_slice::<i64>(), &[3]);
    }

    #[test]
    fn enlist_packs_shared_types_and_list_never_does() {
        // list-003, list-004
        let v = call(enlist, &[Value::i64(1), Value::i64(2), Value::i64(3)]);
        assert_eq!((v.type_, v.as_slice::<i64>()), (RAY_I64, &[1, 2, 3][..]));
        assert_eq!(call(enlist, &[Value::i64(1), Value::str(b"a")]).type_, RAY_LIST);
        assert_eq!(call(list, &[Value::i64(1), Value::i64(2)]).type_, RAY_LIST);
    }

    #[test]
    fn rotate_cut_and_raze() {
        assert_eq!(call(rotate, &[i64v(&[1, 2, 3]), Value::i64(1)]).as_slice::<i64>(), &[2, 3, 1]);
        let c = call(cut, &[i64v(&[1, 2, 3, 4, 5]), Value::i64(2)]);
        assert_eq!(c.len(), 3);
        assert_eq!(c.item(2).unwrap().as_slice::<i64>(), &[5]);
        let r = call(raze, &[c]);
        assert_eq!(r.as_slice::<i64>(), &[1, 2, 3, 4, 5]);
    }

    #[test]
    fn tables_take_rows_and_index_columns() {
        let t = Value::table_from(vec![
            (sym::intern_str("a"), i64v(&[1, 2, 3])),
            (sym::intern_str("b"), syms(&["x", "y", "z"])),
        ])
        .unwrap();
        let t2 = call(take, &[t.clone(), Value::i64(2)]);
        assert_eq!(t2.type_, RAY_TABLE);
        assert_eq!(t2.table_nrows(), 2);
        let col = call(at, &[t.clone(), Value::sym_name("a")]);
        assert_eq!(col.as_slice::<i64>(), &[1, 2, 3]);
        let row = call(at, &[t, Value::i64(1)]);
        assert_eq!(row.type_, RAY_DICT);
        assert_eq!(row.dict_vals().unwrap().item(0).unwrap().i64_val(), 2);
    }
}
