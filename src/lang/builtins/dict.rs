//! Builtins: dict family (spec/rayfall.md section 8, "Dicts and tables",
//! the dict part): dict get key value remove, plus the dict lookup and
//! merge used by `at` and `concat`. Registered by the evaluator from
//! `BUILTINS`.
#![forbid(unsafe_code)]

use crate::ops::table;
use super::spec::Builtin;
use super::util_args::*;
use crate::ops::keys::{keys, positions};
use crate::ops::*;
use crate::abi::*;
use crate::core::{RayError, Result, Value};

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("dict", RAY_BINARY, dict),
    Builtin::pure("get", RAY_BINARY, get),
    Builtin::pure("key", RAY_UNARY, key),
    Builtin::pure("value", RAY_UNARY, value),
    Builtin::pure("remove", RAY_BINARY, remove),
];

/// The items of a value used as dict values: a LIST's items, a vector's
/// elements as atoms, or the value itself.
fn value_items(v: &ray_t) -> Result<Vec<Value>> {
    if v.type_ == RAY_LIST {
        Ok(v.items().iter().map(|x| x.map_or_else(Value::null, |x| x.to_value())).collect())
    } else if v.is_vec() {
        (0..v.len().max(0) as usize).map(|i| atom_at(v, i)).collect()
    } else {
        Ok(vec![v.to_value()])
    }
}

fn dict(args: &[Value]) -> Result<Value> {
    expect_arity("dict", args, 2)?;
    let (k, v) = (&args[0], &args[1]);
    if !(k.is_vec() || k.type_ == RAY_LIST) {
        return Err(type_err("dict", "keys must be a vector or a list"));
    }
    let nk = k.len().max(0) as usize;
    let mut vals = value_items(v)?;
    // The reference fills missing values with 0 and ignores extra ones.
    vals.truncate(nk);
    while vals.len() < nk {
        vals.push(Value::i64(0));
    }
    Ok(Value::dict(k.to_value(), Value::container(RAY_LIST, vals)?))
}

/// Value `i` of a dict's value column (LIST item or vector element).
fn val_at(vals: &ray_t, i: usize) -> Result<Value> {
    if vals.type_ == RAY_LIST || vals.is_vec() {
        if i < vals.len().max(0) as usize {
            return atom_at(vals, i);
        }
        return Value::typed_null(-RAY_I64);
    }
    Err(RayError::type_err("malformed dict"))
}

/// True when `k` is one key of a dict whose key column is `keys`, rather
/// than a vector of keys to look up one by one.
fn is_single_key(keys_col: &ray_t, k: &ray_t) -> bool {
    k.type_ < 0 || keys_col.type_ == RAY_LIST || !k.is_vec()
}

/// Looks `k` up in dict `d`: one value for one key (`0Nl` when absent), a
/// packed vector or LIST for a vector of keys.
pub fn lookup(d: &ray_t, k: &ray_t) -> Result<Value> {
    let (Some(kc), Some(vc)) = (d.dict_keys(), d.dict_vals()) else {
        return Err(RayError::type_err("malformed dict"));
    };
    let single = is_single_key(kc, k);
    let pos = key_positions(kc, k)?;
    let found = pos
        .iter()
        .map(|&p| if p == NULL_I64 { Value::typed_null(-RAY_I64) } else { val_at(vc, p as usize) })
        .collect::<Result<Vec<_>>>()?;
    if single {
        return Ok(found.into_iter().next().unwrap_or_else(Value::null));
    }
    pack_values(&found)
}

fn get(args: &[Value]) -> Result<Value> {
    expect_arity("get", args, 2)?;
    let (d, k) = (&args[0], &args[1]);
    match d.type_ {
        RAY_DICT => lookup(d, k),
        RAY_TABLE if k.type_ == -RAY_SYM => {
            table::column(d, k.i64_val()).map_or_else(|| Value::typed_null(-RAY_I64), Ok)
        }
        _ => Err(type_err("get", "expected a dict")),
    }
}

fn key(args: &[Value]) -> Result<Value> {
    expect_arity("key", args, 1)?;
    let d = &args[0];
    match d.type_ {
        RAY_DICT => d.dict_keys().map(|k| k.to_value()).ok_or_else(|| RayError::type_err("malformed dict")),
        RAY_TABLE => table::names_vec(d),
        _ => Err(type_err("key", &format!("expected a dict or table, got {}", crate::ops::type_name_of(d)))),
    }
}

fn value(args: &[Value]) -> Result<Value> {
    expect_arity("value", args, 1)?;
    let d = &args[0];
    match d.type_ {
        RAY_DICT => d.dict_vals().map(|v| v.to_value()).ok_or_else(|| RayError::type_err("malformed dict")),
        RAY_TABLE => d.table_cols().map(|c| c.to_value()).ok_or_else(|| RayError::type_err("malformed table")),
        _ => Err(type_err("value", &format!("expected a dict or table, got {}", crate::ops::type_name_of(d)))),
    }
}

/// Positions (in `kc`) of the keys named by `k` (an atom or a vector).
fn key_positions(kc: &ray_t, k: &ray_t) -> Result<Vec<i64>> {
    let needles = if is_single_key(kc, k) {
        if kc.type_ == RAY_LIST || k.type_ >= 0 || !is_vector_type(-k.type_) {
            Value::list(vec![k.to_value()])
        } else {
            broadcast(k, 1)?
        }
    } else {
        k.to_value()
    };
    Ok(positions(&keys(kc)?, &keys(&needles)?))
}

fn remove(args: &[Value]) -> Result<Value> {
    expect_arity("remove", args, 2)?;
    let (d, k) = (&args[0], &args[1]);
    match d.type_ {
        RAY_DICT => {
            let (Some(kc), Some(vc)) = (d.dict_keys(), d.dict_vals()) else {
                return Err(RayError::type_err("malformed dict"));
            };
            let gone = key_positions(kc, k)?;
            let keep: Vec<i64> = (0..kc.len()).filter(|i| !gone.contains(i)).collect();
            Ok(Value::dict(gather(kc, &keep)?, gather(vc, &keep)?))
        }
        RAY_TABLE => {
            let names = table::names_vec(d)?;
            let gone = key_positions(&names, k)?;
            let keep: Vec<i64> = (0..names.len()).filter(|i| !gone.contains(i)).collect();
            let cols = d.table_cols().ok_or_else(|| RayError::type_err("malformed table"))?;
            let kept_cols = keep.iter().filter_map(|&i| cols.item(i as usize).map(|c| c.to_value())).collect();
            let schema = gather(&names, &keep)?;
            let ids: Vec<i64> = sym_ids(&schema).into_owned();
            let t = Value::table(Value::vec_from_slice(RAY_I64, &ids)?, Value::container(RAY_LIST, kept_cols)?);
            Ok(t)
        }
        _ => Err(type_err("remove", "expected a dict")),
    }
}

/// `concat` of two dicts: the left keys in order, then the new right keys;
/// a key present in both takes the right value.
pub fn merge(a: &ray_t, b: &ray_t) -> Result<Value> {
    let (Some(ka), Some(va), Some(kb), Some(vb)) = (a.dict_keys(), a.dict_vals(), b.dict_keys(), b.dict_vals())
    else {
        return Err(RayError::type_err("malformed dict"));
    };
    let mut vals = value_items(va)?;
    let in_a = positions(&keys(ka)?, &keys(kb)?);
    let bvals = value_items(vb)?;
    let mut new_idx = Vec::new();
    for (j, &p) in in_a.iter().enumerate() {
        let v = bvals.get(j).cloned().unwrap_or_else(Value::null);
        if p == NULL_I64 {
            new_idx.push(j as i64);
        } else if let Some(slot) = vals.get_mut(p as usize) {
            *slot = v;
        }
    }
    for &j in &new_idx {
        vals.push(bvals.get(j as usize).cloned().unwrap_or_else(Value::null));
    }
    let new_keys = gather(kb, &new_idx)?;
    let all_keys = crate::ops::concat(ka, &new_keys)?;
    Ok(Value::dict(all_keys, Value::container(RAY_LIST, vals)?))
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sym;

    fn syms(names: &[&str]) -> Value {
        Value::sym_vec(&names.iter().map(|n| sym::intern_str(n)).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn dict_keeps_values_in_a_list_and_fills_missing_with_zero() {
        // dict-005, quirk 6
        let d = dict(&[syms(&["a", "b", "c"]), Value::vec_from_slice(RAY_I64, &[1i64, 2, 3]).unwrap()]).unwrap();
        let vals = d.dict_vals().unwrap();
        assert_eq!((vals.type_, vals.len()), (RAY_LIST, 3));
        assert_eq!(vals.item(2).unwrap().i64_val(), 3);
        let d = dict(&[syms(&["a", "b", "c"]), Value::vec_from_slice(RAY_I64, &[1i64, 2]).unwrap()]).unwrap();
        let z = d.dict_vals().unwrap().item(2).unwrap();
        assert_eq!((z.type_, z.i64_val()), (-RAY_I64, 0));
    }

    #[test]
    fn get_finds_values_and_gives_null_for_missing_keys() {
        // dict-006, dict-007
        let d = Value::dict(syms(&["host", "port"]), Value::list(vec![Value::str(b"db1"), Value::i64(5432)]));
        assert_eq!(get(&[d.clone(), Value::quoted_sym(sym::intern_str("port"))]).unwrap().i64_val(), 5432);
        let m = get(&[d.clone(), Value::sym("missing")]).unwrap();
        assert_eq!((m.type_, m.i64_val(), m.null_flag()), (-RAY_I64, NULL_I64, true));
        assert_eq!(key(&[Value::vec_from_slice(RAY_I64, &[1i64]).unwrap()]).unwrap_err().code_str(), "type");
        let r = remove(&[d, Value::sym("host")]).unwrap();
        assert_eq!(r.dict_keys().unwrap().len(), 1);
    }

    #[test]
    fn merged_dicts_take_right_values() {
        let a = Value::dict(syms(&["a", "b"]), Value::list(vec![Value::i64(1), Value::i64(2)]));
        let b = Value::dict(syms(&["b", "c"]), Value::list(vec![Value::i64(20), Value::i64(30)]));
        let m = merge(&a, &b).unwrap();
        assert_eq!(m.dict_keys().unwrap().len(), 3);
        let v = m.dict_vals().unwrap();
        assert_eq!(v.item(1).unwrap().i64_val(), 20);
        assert_eq!(v.item(2).unwrap().i64_val(), 30);
    }
}
