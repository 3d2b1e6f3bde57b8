//! Tables (type 98): slot 0 is an I64 vector of column-name symbol ids,
//! slot 1 a LIST of column vectors; the row count is the first column's
//! length.

use crate::abi::*;
use crate::core::{RayError, value::Value};
use crate::ffi::{borrow, give, mutate, slot_put, slot_take};
use crate::ffi_guard;
use core::ptr;

fn table<'a>(p: *mut ray_t) -> Option<&'a ray_t> {
    // SAFETY: every export below takes `tbl` as NULL or a live object.
    unsafe { borrow(p) }.filter(|t| t.type_ == RAY_TABLE && t.len() >= 2)
}

/// An empty table with room for `ncols` columns. Errors: "range" (< 0), "oom".
#[unsafe(no_mangle)]
pub extern "C" fn ray_table_new(ncols: i64) -> *mut ray_t {
    ffi_guard!({
        if ncols < 0 {
            return RayError::range("ray_table_new: negative column count").into_raw();
        }
        let r = Value::vec_with_capacity(RAY_I64, ncols)
            .and_then(|schema| Ok(Value::table(schema, Value::list_with_capacity(ncols)?)));
        give(r)
    })
}

/// Applies `f` to child `i` of a uniquely owned container, in place when
/// the child is not shared (copy-on-write otherwise).
fn with_child(c: &mut Value, i: usize, f: impl FnOnce(&mut Value) -> crate::core::Result<()>) -> crate::core::Result<()> {
    // SAFETY: c is unique (mutate's contract) and has more than i slots.
    let mut child = unsafe { slot_take(c.as_ptr(), i) }.ok_or_else(|| RayError::type_err("missing slot"))?;
    let r = f(&mut child);
    // SAFETY: as above; the slot is empty.
    unsafe { slot_put(c.as_ptr(), i, Some(child)) };
    r
}

/// Appends column `col_vec` (borrowed: the table takes its own reference)
/// named `name_id`; lengths are not checked. `tbl` is consumed (copied
/// when shared). Errors: the input error itself; "type" (not a table, or
/// `col_vec` NULL or an error).
///
/// # Safety
/// `tbl` is NULL or a live object handed over by the caller; `col_vec` is
/// NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_add_col(tbl: *mut ray_t, name_id: i64, col_vec: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let col = unsafe { borrow(col_vec) };
        // SAFETY: caller contract.
        unsafe {
            mutate(
                tbl,
                "ray_table_add_col",
                |t| {
                    if table(t as *const ray_t as *mut ray_t).is_none() {
                        return Err(RayError::type_err("ray_table_add_col: not a table"));
                    }
                    match col {
                        Some(c) if !c.is_error() => Ok(()),
                        _ => Err(RayError::type_err("ray_table_add_col: NULL or error column")),
                    }
                },
                |t, ()| {
                    let col = col.expect("validated").to_value();
                    with_child(t, 0, |schema| schema.push(name_id))?;
                    with_child(t, 1, |cols| cols.list_push(Some(col)))
                },
            )
        }
    })
}

/// The column named `name_id` (borrowed), or NULL.
///
/// # Safety
/// `tbl` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_get_col(tbl: *mut ray_t, name_id: i64) -> *mut ray_t {
    ffi_guard!({
        let Some(t) = table(tbl) else { return ptr::null_mut() };
        let Some(schema) = t.table_schema() else { return ptr::null_mut() };
        match schema.elems::<i64>().iter().position(|&id| id == name_id) {
            Some(i) => t.table_cols().and_then(|c| c.item(i)).map_or(ptr::null_mut(), |c| c as *const ray_t as *mut ray_t),
            None => ptr::null_mut(),
        }
    })
}

/// Column `idx` (borrowed), or NULL.
///
/// # Safety
/// `tbl` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_get_col_idx(tbl: *mut ray_t, idx: i64) -> *mut ray_t {
    ffi_guard!({
        let Some(t) = table(tbl) else { return ptr::null_mut() };
        let Some(cols) = t.table_cols() else { return ptr::null_mut() };
        if idx < 0 || idx >= cols.len() {
            return ptr::null_mut();
        }
        cols.item(idx as usize).map_or(ptr::null_mut(), |c| c as *const ray_t as *mut ray_t)
    })
}

/// The name id of column `idx`, or -1.
///
/// # Safety
/// `tbl` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_col_name(tbl: *mut ray_t, idx: i64) -> i64 {
    ffi_guard!({
        table(tbl)
            .and_then(|t| t.table_schema())
            .and_then(|s| usize::try_from(idx).ok().and_then(|i| s.elems::<i64>().get(i).copied()))
            .unwrap_or(-1)
    })
}

/// Renames column `idx` to `name_id` IN PLACE (the caller must own `tbl`
/// uniquely; a shared schema is copied). Bad input is silently ignored.
///
/// # Safety
/// `tbl` is NULL or a live object owned uniquely by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_set_col_name(tbl: *mut ray_t, idx: i64, name_id: i64) {
    ffi_guard!({
        let Some(t) = table(tbl) else { return };
        if idx < 0 || idx >= t.table_schema().map_or(0, |s| s.len()) {
            return;
        }
        // SAFETY: tbl is a live table the caller owns; slot 0 exists.
        let Some(mut schema) = (unsafe { slot_take(tbl, 0) }) else { return };
        if let Ok(ids) = schema.as_mut_slice::<i64>() {
            ids[idx as usize] = name_id;
        }
        // SAFETY: as above; the slot is empty.
        unsafe { slot_put(tbl, 0, Some(schema)) };
    })
}

/// Replaces column `idx` IN PLACE with `col_vec` (borrowed: retained; the
/// old column is released). The caller must own `tbl` uniquely. Bad input
/// (including a NULL or error column) is silently ignored.
///
/// # Safety
/// `tbl` is NULL or a live object owned uniquely by the caller; `col_vec`
/// is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_set_col_idx(tbl: *mut ray_t, idx: i64, col_vec: *mut ray_t) {
    ffi_guard!({
        let Some(t) = table(tbl) else { return };
        // SAFETY: caller contract.
        let Some(col) = (unsafe { borrow(col_vec) }).filter(|c| !c.is_error()) else { return };
        if idx < 0 || idx >= t.table_cols().map_or(0, |c| c.len()) {
            return;
        }
        let col = col.to_value();
        // SAFETY: tbl is a live table the caller owns; slot 1 exists.
        let Some(mut cols) = (unsafe { slot_take(tbl, 1) }) else { return };
        let _ = cols.list_set(idx as usize, Some(col));
        // SAFETY: as above; the slot is empty.
        unsafe { slot_put(tbl, 1, Some(cols)) };
    })
}

/// Number of columns (0 for bad input).
///
/// # Safety
/// `tbl` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_ncols(tbl: *mut ray_t) -> i64 {
    ffi_guard!({ table(tbl).and_then(|t| t.table_schema()).map_or(0, |s| s.len()) })
}

/// Number of rows: the first column's length (0 without columns or for bad input).
///
/// # Safety
/// `tbl` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_nrows(tbl: *mut ray_t) -> i64 {
    ffi_guard!({ table(tbl).map_or(0, |t| t.table_nrows()) })
}

/// The I64 vector of column-name ids (borrowed), or NULL.
///
/// # Safety
/// `tbl` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_table_schema(tbl: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        table(tbl).and_then(|t| t.table_schema()).map_or(ptr::null_mut(), |s| s as *const ray_t as *mut ray_t)
    })
}
