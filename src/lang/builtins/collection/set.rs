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
    let pos = positions(&keys(v)?, &keys(&needles)?);
    if atom {
        return Ok(if pos[0] == NULL_I64 { Value::typed_null(-RAY_I64)? } else { Value::i64(pos[0]) });
    }
    vec_from(RAY_I64, pos)
}

/// Membership mask: for each element of `x`, whether it occurs in `v`.
pub(super) fn member_mask(x: &ray_t, v: &ray_t) -> Result<(Vec<u8>, bool)> {
    let (hay, _) = as_column(v)?;
    let (needles, atom) = as_column(x)?;
    Ok((contains_mask(&keys(&hay)?, &keys(&needles)?), atom))
}

pub(super) fn in_(args: &[Value]) -> Result<Value> {
    expect_arity("in", args, 2)?;
    let (mask, atom) = member_mask(&args[0], &args[1])?;
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
    let (mask, _) = member_mask(a, &args[1])?;
    let idx: Vec<i64> =
        mask.iter().enumerate().filter(|(_, m)| (**m != 0) == keep_members).map(|(i, _)| i as i64).collect();
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
    let all = concat_of(&args[0], &args[1])?;
    if !is_collection(&all) {
        return Err(type_err("union", "expected vectors"));
    }
    let (firsts, _) = groups(&keys(&all)?);
    let idx: Vec<i64> = firsts.into_iter().map(|i| i as i64).collect();
    gather(&all, &idx)
}

// ---------------------------------------------------------------- group

pub(super) fn group(args: &[Value]) -> Result<Value> {
    expect_arity("group", args, 1)?;
    let v = &args[0];
    if !is_collection(v) {
        return Err(type_err("group", &format!("argument must be a vector or list, got {}", type_name_of(v))));
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
