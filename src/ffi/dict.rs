//! Dicts (type 99): slot 0 holds the keys (a typed vector, or a LIST of
//! atoms for mixed keys), slot 1 the values (a typed vector when
//! homogeneous, else a LIST). Lookups are linear and null-aware.

use crate::abi::*;
use crate::core::vec_ops;
use crate::core::{RayError, Result, rc, value::Value};
use crate::ffi::{borrow, give, mutate, slot_put, slot_take, take};
use crate::ffi_guard;
use core::ptr;

fn dict<'a>(p: *mut ray_t) -> Option<&'a ray_t> {
    // SAFETY: every export below takes `d` as NULL or a live object.
    unsafe { borrow(p) }.filter(|d| d.type_ == RAY_DICT && d.len() >= 2)
}

/// Wraps `keys` and `vals` into a new dict. BOTH ARE CONSUMED, also on
/// error. Errors: a key or value error object is returned as is (the other
/// argument is released); "type" when either is NULL or not a vector or
/// list.
///
/// # Safety
/// Each pointer is NULL or a live object handed over by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_new(keys: *mut ray_t, vals: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract: both references are handed over.
        let (k, v) = unsafe { (borrow(keys), borrow(vals)) };
        let release_other = |other: *mut ray_t| {
            // SAFETY: the caller handed this reference over.
            unsafe { rc::release(other) }
        };
        if k.is_some_and(|k| k.is_error()) {
            release_other(vals);
            return keys;
        }
        if v.is_some_and(|v| v.is_error()) {
            release_other(keys);
            return vals;
        }
        let container = |x: Option<&ray_t>| x.is_some_and(|x| x.is_vec() || x.type_ == RAY_LIST);
        if !container(k) || !container(v) {
            release_other(keys);
            release_other(vals);
            return RayError::type_err("ray_dict_new: keys and values must be vectors or lists").into_raw();
        }
        // SAFETY: both non-NULL (checked) and handed over.
        let (k, v) = unsafe { (take(keys).expect("keys"), take(vals).expect("vals")) };
        give(Value::container(RAY_DICT, vec![k, v]))
    })
}

/// The keys container (borrowed), or NULL if `d` is not a dict.
///
/// # Safety
/// `d` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_keys(d: *mut ray_t) -> *mut ray_t {
    ffi_guard!({ dict(d).and_then(|d| d.dict_keys()).map_or(ptr::null_mut(), |k| k as *const ray_t as *mut ray_t) })
}

/// The values container (borrowed), or NULL if `d` is not a dict.
///
/// # Safety
/// `d` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_vals(d: *mut ray_t) -> *mut ray_t {
    ffi_guard!({ dict(d).and_then(|d| d.dict_vals()).map_or(ptr::null_mut(), |v| v as *const ray_t as *mut ray_t) })
}

/// Number of pairs (the keys' length); 0 if `d` is not a dict.
///
/// # Safety
/// `d` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_len(d: *mut ray_t) -> i64 {
    ffi_guard!({ dict(d).and_then(|d| d.dict_keys()).map_or(0, |k| k.len()) })
}

/// The value for `key_atom` as a NEW reference (release it): an atom boxed
/// from typed values, or the stored item (retained) from a LIST of values.
/// NULL when the key is missing or `d` is not a dict. Both borrowed.
///
/// # Safety
/// Each pointer is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_get(d: *mut ray_t, key_atom: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(d), Some(key)) = (dict(d), unsafe { borrow(key_atom) }) else { return ptr::null_mut() };
        let (Some(keys), Some(vals)) = (d.dict_keys(), d.dict_vals()) else { return ptr::null_mut() };
        match vec_ops::find_key(keys, key) {
            Some(i) if (i as i64) < vals.len() => match vec_ops::item_at(vals, i) {
                Ok(v) if v.is_null_obj() && vals.item(i).is_none() => ptr::null_mut(),
                r => give(r),
            },
            _ => ptr::null_mut(),
        }
    })
}

/// Applies `f` to slot `i` of a uniquely owned dict.
fn with_slot(d: &mut Value, i: usize, f: impl FnOnce(Value) -> Result<Value>) -> Result<()> {
    // SAFETY: d is unique and has two slots.
    let child = unsafe { slot_take(d.as_ptr(), i) }.ok_or_else(|| RayError::type_err("dict slot missing"))?;
    let keep = child.clone();
    let r = f(child);
    let (out, res) = match r {
        Ok(v) => (v, Ok(())),
        Err(e) => (keep, Err(e)),
    };
    // SAFETY: as above; the slot is empty.
    unsafe { slot_put(d.as_ptr(), i, Some(out)) };
    res
}

/// Appends `item` to a keys/values container: in place for a typed vector
/// of the item's type, else the container becomes (or stays) a LIST.
fn append_item(mut c: Value, item: &ray_t) -> Result<Value> {
    if c.is_vec() {
        if let Ok(cell) = vec_ops::atom_cell(item, c.type_) {
            vec_ops::push_cell(&mut c, &cell)?;
            return Ok(c);
        }
        c = vec_ops::to_list(&c)?;
    }
    c.list_push(Some(item.to_value()))?;
    Ok(c)
}

/// Sets element `i` of a values container (promoting to a LIST when the
/// item does not fit a typed vector).
fn set_item(mut c: Value, i: usize, item: &ray_t) -> Result<Value> {
    if c.is_vec() {
        if let Ok(cell) = vec_ops::atom_cell(item, c.type_) {
            vec_ops::set_cell(&mut c, i, &cell)?;
            return Ok(c);
        }
        c = vec_ops::to_list(&c)?;
    }
    c.list_set(i, Some(item.to_value()))?;
    Ok(c)
}

/// A one-element container for a new dict: a typed vector for an atom of
/// a vector type, else a LIST.
fn singleton(item: &ray_t) -> Result<Value> {
    let t = -item.type_;
    if item.type_ < 0 && is_vector_type(t) {
        let mut v = vec_ops::VecBuilder::new(t, RAY_SYM_W64, 1)?;
        v.push(&vec_ops::atom_cell(item, t)?)?;
        return v.finish(false);
    }
    Ok(Value::list(vec![item.to_value()]))
}

/// Sets `key_atom` to `val` (both borrowed; the dict keeps its own
/// references). `d` is CONSUMED, and RELEASED on error. Typed values are
/// promoted to a LIST when `val` does not fit; a NULL or non-dict `d` is
/// released and a fresh one-pair dict is built. Errors: an error `d`
/// itself; "type" for a NULL or error key or value.
///
/// # Safety
/// `d` is NULL or a live object handed over by the caller; `key_atom` and
/// `val` are NULL or live objects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_upsert(d: *mut ray_t, key_atom: *mut ray_t, val: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let (dr, key, v) = unsafe { (borrow(d), borrow(key_atom), borrow(val)) };
        if dr.is_some_and(|x| x.is_error()) {
            return d;
        }
        let (Some(key), Some(v)) = (key.filter(|k| !k.is_error()), v.filter(|v| !v.is_error())) else {
            // SAFETY: d is consumed, also on error.
            unsafe { rc::release(d) };
            return RayError::type_err("ray_dict_upsert: NULL or error key/value").into_raw();
        };
        if dict(d).is_none() {
            // SAFETY: d is consumed.
            unsafe { rc::release(d) };
            let fresh = singleton(key).and_then(|k| Ok((k, singleton(v)?)));
            return give(fresh.and_then(|(k, vv)| Value::container(RAY_DICT, vec![k, vv])));
        }
        // SAFETY: d is a live dict handed over by the caller.
        let mut dv = unsafe { take(d) }.expect("dict");
        let result = (|| {
            dv.make_unique()?;
            let pos = vec_ops::find_key(dv.dict_keys().expect("keys"), key);
            match pos {
                Some(i) => with_slot(&mut dv, 1, |vals| set_item(vals, i, v)),
                None => {
                    with_slot(&mut dv, 0, |keys| append_item(keys, key))?;
                    with_slot(&mut dv, 1, |vals| append_item(vals, v))
                }
            }
        })();
        match result {
            Ok(()) => dv.into_raw(),
            Err(e) => e.into_raw(), // dv dropped: released on error
        }
    })
}

/// Removes the pair of `key_atom` (borrowed) if present; returns `d`
/// unchanged when the key is missing. `d` is consumed (use the result).
/// Errors: the input error itself; "type" if `d` is not a dict (then `d`
/// is left to the caller).
///
/// # Safety
/// `d` is NULL or a live object handed over by the caller; `key_atom` is
/// NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_dict_remove(d: *mut ray_t, key_atom: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let key = unsafe { borrow(key_atom) };
        let pos = dict(d).zip(key).and_then(|(dd, k)| vec_ops::find_key(dd.dict_keys()?, k));
        if dict(d).is_some() && pos.is_none() {
            return d;
        }
        // SAFETY: caller contract.
        unsafe {
            mutate(
                d,
                "ray_dict_remove",
                |x| if x.type_ == RAY_DICT && x.len() >= 2 { Ok(()) } else { Err(RayError::type_err("ray_dict_remove: not a dict")) },
                |dv, ()| {
                    let i = pos.expect("found");
                    let keys = vec_ops::removed(dv.dict_keys().expect("keys"), i)?;
                    let vals = dv.dict_vals().expect("vals");
                    let vals = if (i as i64) < vals.len() { vec_ops::removed(vals, i)? } else { vals.to_value() };
                    slot_put(dv.as_ptr(), 0, Some(keys));
                    slot_put(dv.as_ptr(), 1, Some(vals));
                    Ok(())
                },
            )
        }
    })
}

