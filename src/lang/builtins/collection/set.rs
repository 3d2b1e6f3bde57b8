//! Membership and set builtins: `find in where except sect union group`,
//! over the key columns and group ids of `ops::keys`.
#![forbid(unsafe_code)]

use super::*;

// ---------------------------------------------------------------- find / in

/// A vector view of `x`: vectors and lists as they are, atoms as a
/// one-element vector. The flag tells whether `x` was an atom.
pub(super) fn as_column(x: &ray_t) -> Result<(Value, bool)> {
    if is_collection(x) {
        Ok((x.to_value(), false))
    } else if x.type_ < 0 && is_vector_type(-x.type_) {
        Ok((broadcast(x, 1)?, true))
    } else {
        Ok((Value::list(vec![x.to_value()]), true))
    }
}

pub(super) fn find(args: &[Value]) -> Result<Value> {
    expect_arity("find", args, 2)?;
    let v = &args[0];
    if !is_collection(v) {
        return Err(type_err("find", &format!("vec arg must be a list, got {}", type_name_of(v))));
    }
    let (needles, atom) = as_column(&args[1])?;
    let pos = if v.type_ == RAY_LIST || needles.type_ == RAY_LIST {
        // Against a LIST items compare by `loose_key` (`(find (list 1.0 2.0) 1)` is 0).
        let hay = loose_keys(v)?;
        let mut first = std::collections::HashMap::new();
        for (i, k) in hay.iter().enumerate() {
            first.entry(k).or_insert(i as i64);
        }
        loose_keys(&needles)?.iter().map(|k| first.get(k).copied().unwrap_or(NULL_I64)).collect()
    } else {
        positions(&keys(v)?, &keys(&needles)?)
    };
    if atom {
        return Ok(if pos[0] == NULL_I64 { Value::typed_null(-RAY_I64)? } else { Value::i64(pos[0]) });
    }
    vec_from(RAY_I64, pos)
}

/// Membership mask: for each element of `x`, whether it occurs in `v`.
/// With a LIST on either side, items compare by [`loose_key`].
pub(super) fn member_mask(x: &ray_t, v: &ray_t) -> Result<(Vec<u8>, bool)> {
    let (hay, _) = as_column(v)?;
    let (needles, atom) = as_column(x)?;
    if hay.type_ == RAY_LIST || needles.type_ == RAY_LIST {
        let set: std::collections::HashSet<Vec<u8>> = loose_keys(&hay)?.into_iter().collect();
        return Ok((loose_keys(&needles)?.iter().map(|k| set.contains(k) as u8).collect(), atom));
    }
    Ok((contains_mask(&keys(&hay)?, &keys(&needles)?), atom))
}

pub(super) fn in_(args: &[Value]) -> Result<Value> {
    expect_arity("in", args, 2)?;
    in_nested(&args[0], &args[1], 0)
}

fn in_nested(x: &ray_t, v: &ray_t, depth: usize) -> Result<Value> {
    check_depth("in", depth)?;
    if matches!(v.type_, RAY_DICT | RAY_TABLE) {
        return Err(type_err("in", &format!("vec arg must be a list, got {}", type_name_of(v))));
    }
    // A string against a string or a LIST is its characters: each is looked
    // for among the other string's characters or the LIST's one-character
    // strings (`(in "hello" "hel")` is [true true true true false]).
    if x.type_ == -RAY_STR && (v.type_ == -RAY_STR || v.type_ == RAY_LIST) {
        let found = |c: u8| match v.type_ {
            RAY_LIST => v.items().iter().flatten().any(|it| it.type_ == -RAY_STR && it.str_bytes() == [c]),
            _ => v.str_bytes().contains(&c),
        };
        let mask: Vec<u8> = x.str_bytes().iter().map(|&c| found(c) as u8).collect();
        return Value::vec_from_slice(RAY_BOOL, &mask);
    }
    // A LIST holding vectors or strings answers item by item: `(in (list [1 2] 3) [1 3])`
    // is `([true false] true)` (items that are all atoms keep the one mask below).
    let nested = |it: &Option<&ray_t>| it.is_some_and(|it| is_collection(it) || it.type_ == -RAY_STR);
    if x.type_ == RAY_LIST && x.items().iter().any(nested) {
        let items = x.items().iter().map(|it| in_nested(it.unwrap_or(&Value::null()), v, depth + 1)).collect::<Result<Vec<_>>>()?;
        return if items.iter().all(|it| it.type_ < 0) { crate::ops::collect(items) } else { Value::container(RAY_LIST, items) };
    }
    // An empty vector or LIST is in nothing: the empty LIST, as in the reference.
    if is_collection(x) && x.is_empty() {
        return Value::container(RAY_LIST, vec![]);
    }
    let (mask, atom) = member_mask(x, v)?;
    if atom {
        return Ok(Value::bool(mask[0] != 0));
    }
    Value::vec_from_slice(RAY_BOOL, &mask)
}

pub(super) fn where_(args: &[Value]) -> Result<Value> {
    expect_arity("where", args, 1)?;
    let b = &args[0];
    if b.type_ != RAY_BOOL {
        return Err(type_err("where", &format!("argument must be a b8 vector, got {}", type_name_of(b))));
    }
    let idx: Vec<i64> =
        b.elems::<u8>().iter().enumerate().filter(|(_, x)| **x != 0).map(|(i, _)| i as i64).collect();
    Value::vec_from_slice(RAY_I64, &idx)
}

// ---------------------------------------------------------------- set operations

pub(super) fn set_filter(name: &str, args: &[Value], keep_members: bool) -> Result<Value> {
    expect_arity(name, args, 2)?;
    let a = &args[0];
    if name == "sect" && (!is_collection(a) || !is_collection(&args[1])) {
        return Err(both_lists_err(name, a, &args[1]));
    }
    if !is_collection(a) {
        return Err(type_err(name, &format!("first arg must be a list, got {}", type_name_of(a))));
    }
    let b = &args[1];
    let mut mask = member_mask(a, b)?.0;
    // Two vectors of different kinds (integers, floats, dates, times,
    // timestamps): only nulls match (`(except [1.0 2.0] [1])` keeps 1.0,
    // `(except [2024.01.01] [8766])` keeps the date), as in the reference.
    let kind = |v: &ray_t| match v.type_.abs() {
        RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 => Some(0),
        RAY_F32 | RAY_F64 => Some(1),
        t @ (RAY_DATE | RAY_TIME | RAY_TIMESTAMP) => Some(t),
        _ => None,
    };
    if a.is_vec() && b.type_ != RAY_LIST && kind(a).is_some() && kind(b).is_some() && kind(a) != kind(b) {
        let nulls = member_mask(&*Value::typed_null(-a.type_)?, b)?.0[0];
        for (m, i) in mask.iter_mut().zip(0..) {
            *m &= (nulls != 0 && elem(a, i).is_null_atom()) as u8;
        }
    }
    let idx: Vec<i64> =
        mask.iter().enumerate().filter(|(_, m)| (**m != 0) == keep_members).map(|(i, _)| i as i64).collect();
    // With a LIST (or a dict taken whole) on either side the answer is a LIST.
    // (`except` that removes every item keeps the vector's type.)
    let (col, _) = as_column(b)?;
    if a.type_ != RAY_LIST && col.type_ == RAY_LIST && (keep_members || !idx.is_empty()) {
        return gather(&*to_list(a)?, &idx);
    }
    gather(a, &idx)
}

/// `union`/`sect` of anything but two vectors or lists.
fn both_lists_err(name: &str, a: &ray_t, b: &ray_t) -> RayError {
    type_err(name, &format!("both args must be lists, got {} and {}", crate::ops::list_type_name(a), crate::ops::list_type_name(b)))
}

pub(super) fn except(args: &[Value]) -> Result<Value> {
    set_filter("except", args, false)
}

pub(super) fn sect(args: &[Value]) -> Result<Value> {
    set_filter("sect", args, true)
}

pub(super) fn union(args: &[Value]) -> Result<Value> {
    expect_arity("union", args, 2)?;
    if !is_collection(&args[0]) || !is_collection(&args[1]) {
        return Err(both_lists_err("union", &args[0], &args[1]));
    }
    // `a` followed by the items of `b` not in `a`; neither side is deduplicated
    // (`(union [1 1 2] [2 3 3])` is `[1 1 2 3 3]`), as in the reference.
    // With a LIST on either side those items are distinct (`(union (list 1 1) [2 2])` is `(1 1 2)`).
    let mut rest = set_filter("except", &[args[1].clone(), args[0].clone()], false)?;
    if args[0].type_ == RAY_LIST || args[1].type_ == RAY_LIST {
        let k = loose_keys(&rest)?;
        let mut seen = std::collections::HashSet::new();
        let idx: Vec<i64> = (0..k.len()).filter(|&i| seen.insert(&k[i])).map(|i| i as i64).collect();
        rest = gather(&rest, &idx)?;
    }
    let all = concat_of(&args[0], &rest)?;
    if !is_collection(&all) {
        return Err(type_err("union", "expected vectors"));
    }
    Ok(all)
}

// ---------------------------------------------------------------- group

pub(super) fn group(args: &[Value]) -> Result<Value> {
    expect_arity("group", args, 1)?;
    let v = &args[0];
    if !is_collection(v) {
        return Err(type_err("group", &format!("argument must be a vector or list, got {}", type_name_of(v))));
    }
    // Nothing to group: both sides are empty LISTs, whatever the input's type.
    if v.is_empty() {
        let none = || Value::container(RAY_LIST, Vec::new());
        return Ok(Value::dict(none()?, none()?));
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
