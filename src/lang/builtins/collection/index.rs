//! Indexing builtins: `take drop at` on vectors, lists, strings, dicts and
//! tables (table rows through `ops::table`, one out-of-range rule).
#![forbid(unsafe_code)]

use super::*;

// ---------------------------------------------------------------- take / drop

/// Indices for `take n` on a sequence of length `len`, cycling (-1 where
/// an empty sequence has nothing to give). The buffer is checked against
/// the memory budget: it lives outside the block allocator.
pub(super) fn take_indices(len: usize, n: i64) -> Result<Vec<i64>> {
    let m = n.unsigned_abs() as usize;
    let mut out = crate::core::budget::try_vec_with_capacity(m)?;
    if len == 0 {
        out.resize(m, -1);
        return Ok(out);
    }
    let l = len as i64;
    if n >= 0 {
        out.extend((0..m as i64).map(|k| k % l));
    } else {
        out.extend((0..m as i64).map(|k| (l - m as i64 + k).rem_euclid(l)));
    }
    Ok(out)
}

pub(super) fn take(args: &[Value]) -> Result<Value> {
    expect_arity("take", args, 2)?;
    let (x, count) = (&args[0], &args[1]);
    if matches!(-count.type_, RAY_F64 | RAY_F32) && count.type_ < 0 {
        return Err(type_err("take", &format!("count must be an integer, got {}", type_name_of(count))));
    }
    if count.type_ == RAY_I64 && count.len() == 2 {
        return take_range(x, count.elems::<i64>());
    }
    let n = if count.type_ == -RAY_BOOL { count.u8_val() as i64 } else {
        int_atom_value(count).ok_or_else(|| {
            type_err("take", &format!("requires a list and a numeric count, got {} and {}", list_type_name(x), type_name_of(count)))
        })?
    };
    // A null i16 count is its bits, -32768, as in the reference: the last 32768 items, cycled.
    let n = if n == NULL_I64 && count.type_ == -RAY_I16 && x.type_ != -RAY_STR { NULL_I16 as i64 } else { n };
    if n == NULL_I64 {
        return Err(domain_err("take", "null count"));
    }
    if n.unsigned_abs() > MAX_VEC_LEN as u64 {
        return Err(RayError::new("limit", "take: count too large"));
    }
    take_of(x, n)
}

/// `(take x [start len])`: `len` items of `x` from `start` (clamped to `x`).
fn take_range(x: &ray_t, range: &[i64]) -> Result<Value> {
    let (start, len) = (range[0], range[1]);
    if !(is_collection(x) || x.type_ == -RAY_STR) {
        return Err(type_err("take", &format!("range take unsupported for {}", type_name_of(x))));
    }
    if len < 0 || start < 0 {
        return Err(RayError::length(format!("take: range amount must be non-negative, got {}", len.min(start))));
    }
    let total = if x.type_ == -RAY_STR { x.str_bytes().len() } else { len_of(x) };
    let from = (start as usize).min(total);
    let n = (len as usize).min(total - from);
    if x.type_ == -RAY_STR {
        return Value::try_str(&x.str_bytes()[from..from + n]);
    }
    range_copy(x, from, n)
}

/// `take` on any value (the count already checked).
pub fn take_of(x: &ray_t, n: i64) -> Result<Value> {
    match x.type_ {
        RAY_TABLE => table::rows(x, &take_indices(x.table_nrows().max(0) as usize, n)?),
        RAY_DICT => {
            let (k, v) = dict_parts(x)?;
            Ok(Value::dict(take_of(&k, n)?, take_of(&v, n)?))
        }
        t if t == -RAY_STR => {
            let b = x.str_bytes();
            let idx = take_indices(b.len(), n)?;
            let out: Vec<u8> = idx.iter().map(|&i| if i < 0 { b' ' } else { b[i as usize] }).collect();
            Value::try_str(&out)
        }
        _ if is_collection(x) => {
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
            gather(x, &take_indices(len, n)?)
        }
        _ if x.is_atom() && !x.is_builtin() && x.type_ != RAY_LAMBDA && !x.is_null_obj() => {
            broadcast(x, n.unsigned_abs() as usize)
        }
        _ => Err(type_err("take", "cannot take from this value")),
    }
}

/// `take` past the end of a fixed-width vector: whole copies of the
/// column plus a partial one, without an index vector.
pub(super) fn cycle_prim(x: &ray_t, len: usize, n: i64) -> Result<Option<Value>> {
    let m = n.unsigned_abs() as usize;
    // Taking from the back starts `m mod len` elements before the end.
    let start = if n >= 0 { 0 } else { (len - m % len) % len };
    let t = x.type_;
    with_prim!(t, T => {
        let s = x.elems::<T>();
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

pub(super) fn dict_parts(d: &ray_t) -> Result<(Value, Value)> {
    match (d.dict_keys(), d.dict_vals()) {
        (Some(k), Some(v)) => Ok((k.to_value(), v.to_value())),
        _ => Err(RayError::type_err("malformed dict")),
    }
}

pub(super) fn drop(args: &[Value]) -> Result<Value> {
    expect_arity("drop", args, 2)?;
    let x = &args[0];
    let n = int_atom_value(&args[1]).ok_or_else(|| type_err("drop", "count must be an integer atom"))?;
    if !(is_collection(x) || matches!(x.type_, RAY_TABLE | RAY_DICT) || x.type_ == -RAY_STR) {
        return Err(type_err("drop", &format!("expected a collection, got {}", type_name_of(x))));
    }
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
        _ if is_collection(x) => {
            let (off, len) = range(len_of(x));
            range_copy(x, off, len)
        }
        _ => Err(type_err("drop", "cannot drop from this value")),
    }
}

// ---------------------------------------------------------------- at

/// Integer indices of an index value (atom or integer vector).
pub(super) fn int_indices(i: &ray_t) -> Option<Vec<i64>> {
    if let Some(x) = int_atom_value(i) {
        return Some(vec![x]);
    }
    match i.type_ {
        RAY_I64 | RAY_I32 | RAY_I16 | RAY_U8 => widen_ints(i).map(|w| w.into_owned()),
        _ => None,
    }
}

pub(super) fn at(args: &[Value]) -> Result<Value> {
    expect_arity("at", args, 2)?;
    if let Some(p) = crate::store::parted::Parted::of(&args[0]) {
        // One column of a partitioned table reads only that column's files.
        if args[1].type_ == -RAY_SYM {
            if let Some(c) = p.names().iter().position(|&id| id == args[1].i64_val()) {
                let all: Vec<usize> = (0..p.nparts()).collect();
                let t = p.gather(&all, &[c])?;
                return table_at(&t, &args[1]);
            }
        }
        let whole = p.materialize()?;
        return at_of(&whole, &args[1]);
    }
    at_of(&args[0], &args[1])
}

/// `at`: indexing of vectors, lists, strings, dicts and tables.
pub fn at_of(x: &ray_t, i: &ray_t) -> Result<Value> {
    at_nested(x, i, 0)
}

pub(super) fn at_nested(x: &ray_t, i: &ray_t, depth: usize) -> Result<Value> {
    check_depth("at", depth)?;
    match x.type_ {
        RAY_DICT => return super::super::dict::lookup(x, i),
        RAY_TABLE => return table_at(x, i),
        _ => {}
    }
    let index_err = || type_err("at", &format!("index must be an integer, got {}", elem_type_name(i)));
    // An empty index of another type than I64 (or any empty index of an
    // atom) selects nothing: `()`, `""` from a string, before any type check.
    let empty_index = (i.is_vec() || i.type_ == RAY_LIST) && i.is_empty();
    if empty_index && x.type_ == -RAY_STR {
        return Value::try_str(b"");
    }
    if empty_index && (i.type_ != RAY_I64 || !is_collection(x)) {
        return Value::container(RAY_LIST, Vec::new());
    }
    // An atom indexed by a LIST answers item by item (the first error wins:
    // `(at 5 (list 1.0 2))` is the index error, `(at 5 (list 1 2.0))` `cannot index`).
    if i.type_ == RAY_LIST && !is_collection(x) && x.type_ != -RAY_STR {
        let items = i.items().iter().map(|k| at_nested(x, k.unwrap_or(&Value::null()), depth + 1)).collect::<Result<Vec<_>>>()?;
        return Value::container(RAY_LIST, items);
    }
    if i.type_ != RAY_LIST && int_indices(i).is_none() {
        return Err(index_err());
    }
    if x.type_ == -RAY_STR {
        let b = x.str_bytes();
        // A LIST of integer atoms indexes a string as a vector would (`(at "abc" (list 0 1))` is "ab").
        let idx = if i.type_ == RAY_LIST {
            let one = |k: Option<&ray_t>| {
                let k = k.ok_or_else(index_err)?;
                int_atom_value(k).ok_or_else(|| type_err("at", &format!("index must be an integer, got {}", type_name_of(k))))
            };
            i.items().iter().map(|k| one(*k)).collect::<Result<Vec<i64>>>()?
        } else {
            int_indices(i).ok_or_else(index_err)?
        };
        let mut out = Vec::with_capacity(idx.len());
        for &k in &idx {
            let c = usize::try_from(k).ok().and_then(|k| b.get(k).copied());
            out.push(c.ok_or_else(|| domain_err("at", &format!("string index {k} out of range for length {}", b.len())))?);
        }
        return Value::try_str(&out);
    }
    if !is_collection(x) {
        return Err(type_err("at", &format!("cannot index {}", elem_type_name(x))));
    }
    if i.type_ == RAY_LIST {
        let items = i.items().iter().map(|k| at_nested(x, k.unwrap_or(&Value::null()), depth + 1)).collect::<Result<Vec<_>>>()?;
        return Value::container(RAY_LIST, items);
    }
    let idx = int_indices(i).ok_or_else(index_err)?;
    let one = |k: i64| {
        if (0..x.len()).contains(&k) {
            atom_at(x, k as usize)
        } else if x.type_ == RAY_LIST {
            Ok(Value::null())
        } else {
            Value::typed_null(-x.type_)
        }
    };
    if i.type_ < 0 {
        return one(idx[0]);
    }
    // An I64 index wholly in range gathers a vector; any other index (a
    // narrower integer type, a null, a position past the end) gives a LIST
    // of atoms, as the reference's does.
    if i.type_ == RAY_I64 && idx.iter().all(|k| (0..x.len()).contains(k)) {
        return gather(x, &idx);
    }
    let items = idx.iter().map(|&k| if x.type_ == RAY_LIST && !(0..x.len()).contains(&k) { Value::typed_null(-RAY_I64) } else { one(k) });
    Value::container(RAY_LIST, items.collect::<Result<Vec<_>>>()?)
}

pub(super) fn table_at(t: &ray_t, i: &ray_t) -> Result<Value> {
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
    let in_range = |r: Result<Value>| r.map_err(|e| RayError::domain(format!("at: {}", e.message().unwrap_or_default())));
    // A LIST index answers item by item; an empty index that is not I64 is `()`.
    if i.type_ == RAY_LIST || (i.is_vec() && i.is_empty() && i.type_ != RAY_I64) {
        let items = i.items().iter().map(|k| table_at(t, k.unwrap_or(&Value::null()))).collect::<Result<Vec<_>>>()?;
        return Value::container(RAY_LIST, items);
    }
    let idx = int_indices(i).ok_or_else(|| type_err("at", &format!("index must be an integer, got {}", elem_type_name(i))))?;
    match i.type_ {
        k if k < 0 => in_range(table::row(t, idx[0])),
        RAY_I64 => in_range(table::rows(t, &idx)),
        // A narrower integer vector gives a LIST of row dicts: `(at t [1i])` is `({x:2 y:b})`.
        _ => {
            let rows = idx.iter().map(|&k| in_range(table::row(t, k))).collect::<Result<Vec<_>>>()?;
            Value::container(RAY_LIST, rows)
        }
    }
}
