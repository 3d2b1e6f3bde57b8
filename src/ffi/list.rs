//! Lists (type 0): arrays of owned child pointers. Items are retained when
//! stored and released when replaced or when the list is freed; NULL items
//! are allowed.

use crate::abi::*;
use crate::core::vec_ops;
use crate::core::{RayError, value::Value};
use crate::ffi::{borrow, give, mutate, null_arg};
use crate::ffi_guard;
use core::ptr;

fn require_list(v: &ray_t, what: &str) -> crate::core::Result<()> {
    if v.type_ != RAY_LIST {
        return Err(RayError::type_err(format!("{what}: not a list")));
    }
    Ok(())
}

/// A borrowed item as an owned reference (NULL stays NULL).
///
/// # Safety
/// `item` is NULL or a live object.
unsafe fn item_ref(item: *mut ray_t) -> Option<Value> {
    // SAFETY: caller contract (retains; errors are stored as-is, uncounted).
    unsafe { item.as_ref() }.map(|r| {
        if r.is_error() {
            // SAFETY: errors are not counted: store the caller's pointer.
            unsafe { Value::from_raw(item) }.expect("non-null")
        } else {
            r.to_value()
        }
    })
}

/// An empty LIST with `capacity` zeroed slots. Errors: "range" (< 0), "oom".
#[unsafe(no_mangle)]
pub extern "C" fn ray_list_new(capacity: i64) -> *mut ray_t {
    ffi_guard!({ give(Value::list_with_capacity(capacity)) })
}

/// Appends `item` (borrowed: the list takes its own reference; NULL
/// allowed). `list` is consumed (use the result: the block may move).
/// Errors: the input error itself; "type" (not a list); "oom".
///
/// # Safety
/// `list` is NULL or a live object handed over by the caller; `item` is
/// NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_list_append(list: *mut ray_t, item: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(list, "ray_list_append", |v| require_list(v, "ray_list_append"), |v, ()| {
                v.reserve(1)?;
                v.list_push(item_ref(item))
            })
        }
    })
}

/// Item `idx` (borrowed: valid while the list holds it). NULL for NULL,
/// errors, non-lists, out-of-range indexes and NULL slots.
///
/// # Safety
/// `list` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_list_get(list: *mut ray_t, idx: i64) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(l) = (unsafe { borrow(list) }) else { return ptr::null_mut() };
        if l.type_ != RAY_LIST || idx < 0 || idx >= l.len() {
            return ptr::null_mut();
        }
        l.item(idx as usize).map_or(ptr::null_mut(), |c| c as *const ray_t as *mut ray_t)
    })
}

/// Replaces item `idx`: the old item is released, `item` (borrowed) is
/// retained. `list` is consumed. Errors: the input error itself; "type";
/// "range".
///
/// # Safety
/// As `ray_list_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_list_set(list: *mut ray_t, idx: i64, item: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                list,
                "ray_list_set",
                |v| {
                    require_list(v, "ray_list_set")?;
                    if idx < 0 || idx >= v.len() {
                        return Err(RayError::range("ray_list_set: index out of range"));
                    }
                    Ok(())
                },
                |v, ()| {
                    crate::ffi::slot_put(v.as_ptr(), idx as usize, item_ref(item));
                    Ok(())
                },
            )
        }
    })
}

/// Inserts `item` (borrowed, retained) before index `idx` (0..len). `list`
/// is CONSUMED (unlike ray_list_insert_many). Errors: the input error
/// itself; "type"; "range".
///
/// # Safety
/// As `ray_list_append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_list_insert_at(list: *mut ray_t, idx: i64, item: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe {
            mutate(
                list,
                "ray_list_insert_at",
                |v| {
                    require_list(v, "ray_list_insert_at")?;
                    if idx < 0 || idx > v.len() {
                        return Err(RayError::range("ray_list_insert_at: index out of range"));
                    }
                    Ok(())
                },
                |v, ()| {
                    v.reserve(1)?;
                    let n = v.len() as usize;
                    let i = idx as usize;
                    let slots = v.data_ptr() as *mut *mut ray_t;
                    // SAFETY: unique list with room for n + 1 slots; the
                    // tail moves up one slot, then the new item fills i.
                    ptr::copy(slots.add(i), slots.add(i + 1), n - i);
                    *slots.add(i) = item_ref(item).map_or(ptr::null_mut(), Value::into_raw);
                    (*v.as_ptr()).val.i64_ = n as i64 + 1;
                    Ok(())
                },
            )
        }
    })
}

/// A NEW list with N items inserted at N pre-insertion positions (`idxs`:
/// an I64 vector or atom, each in 0..len; `vals`: a LIST of 1 item
/// (repeated) or N items). Equal positions keep their order. All arguments
/// BORROWED; with N == 0 the result is `list` itself with a new reference.
/// Errors: an input error itself; "type"; "range"; "length".
///
/// # Safety
/// Each pointer is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_list_insert_many(list: *mut ray_t, idxs: *mut ray_t, vals: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let (Some(l), Some(ix), Some(vs)) = (unsafe { borrow(list) }, unsafe { borrow(idxs) }, unsafe { borrow(vals) })
        else {
            return null_arg("ray_list_insert_many").into_raw();
        };
        for (r, p) in [(l, list), (ix, idxs), (vs, vals)] {
            if r.is_error() {
                return p;
            }
        }
        let result = (|| {
            require_list(l, "ray_list_insert_many")?;
            let positions = vec_ops::positions(ix)?;
            if positions.is_empty() {
                return Ok(l.to_value());
            }
            require_list(vs, "ray_list_insert_many (vals)")?;
            let n = l.len().max(0) as usize;
            let plan = vec_ops::insertion_plan(&positions, n, vs.len().max(0) as usize)?;
            let mut out = Value::list_with_capacity((n + plan.len()) as i64)?;
            let mut next = 0;
            let keep = |out: &mut Value, c: Option<&ray_t>| out.list_push(c.map(|r| r.to_value()));
            for &(p, k) in &plan {
                for i in next..p {
                    keep(&mut out, l.item(i))?;
                }
                next = p;
                keep(&mut out, vs.item(k))?;
            }
            for i in next..n {
                keep(&mut out, l.item(i))?;
            }
            Ok(out)
        })();
        give(result)
    })
}
