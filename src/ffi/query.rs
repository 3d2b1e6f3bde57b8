//! The query entry points `ray_select`, `ray_update`, `ray_insert` and
//! `ray_upsert` (storage.md section 9): an array of unevaluated argument
//! expressions in, one call into `lang::query_forms`, the result out.

use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::ffi::{borrow, give};
use crate::ffi_guard;
use crate::lang::{RequestCtx, query_forms};
use crate::runtime;

/// More arguments than any query form takes: refused before the array is read.
const MAX_ARGS: i64 = 16;

/// New references to the `n` objects of `args`.
///
/// # Safety
/// `args` is NULL or points to `n` pointers, each NULL or a live object.
unsafe fn arg_values(args: *mut *mut ray_t, n: i64) -> Result<Vec<Value>> {
    if !(0..=MAX_ARGS).contains(&n) {
        return Err(RayError::new("arity", format!("argument count {n} outside 0..{MAX_ARGS}")));
    }
    if n > 0 && args.is_null() {
        return Err(RayError::domain("NULL argument array"));
    }
    (0..n as usize)
        .map(|i| {
            // SAFETY: caller contract: `args` holds `n` pointers.
            let p = unsafe { *args.add(i) };
            // SAFETY: caller contract: each pointer is NULL or live.
            let arg = unsafe { borrow(p) };
            arg.map(|x| x.to_value()).ok_or_else(|| RayError::type_err(format!("argument {i} is NULL")))
        })
        .collect()
}

/// Runs `form` on the argument array with the full rights of a local caller.
///
/// # Safety
/// As [`arg_values`].
unsafe fn run(args: *mut *mut ray_t, n: i64, form: fn(&[Value], RequestCtx) -> Result<Value>) -> *mut ray_t {
    if !runtime::is_live() {
        return give(Err(RayError::new("nyi", "no runtime")));
    }
    if runtime::interrupted() {
        return give(Err(RayError::new("cancel", "interrupted")));
    }
    // SAFETY: caller contract.
    let values = unsafe { arg_values(args, n) };
    give(values.and_then(|v| form(&v, RequestCtx { restricted: false, handle: -1 })))
}

/// The `select` special form on an argument array: `args[0]` is a query
/// dict whose values are unevaluated expressions, as a `{...}` literal
/// parses (`ray_eval_str("{from: t where: (> a 1) b: b}")` makes one);
/// `from:` is evaluated and must give a table.
///
/// `args`: `n` borrowed objects (the caller keeps and releases them).
/// Returns a new reference (a table), or an error object: "arity" for
/// `n < 1`, "type" when `args[0]` is not a dict or `from:` not a table,
/// "domain" without `from:`, "nyi" without a runtime.
///
/// # Safety
/// `args` is NULL or points to `n` pointers, each NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_select(args: *mut *mut ray_t, n: i64) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe { run(args, n, query_forms::select) }
    })
}

/// The `update` special form on an argument array: the same query dict as
/// `ray_select`. When `from:` evaluates to a symbol (`from: 't`) the
/// global it names is replaced by the result and the symbol returned;
/// otherwise the new table is returned.
///
/// `args`: borrowed. Returns a new reference or an error object ("arity",
/// "type", "domain", "nyi" for `by:` with `where:`).
///
/// # Safety
/// `args` is NULL or points to `n` pointers, each NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_update(args: *mut *mut ray_t, n: i64) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe { run(args, n, query_forms::update) }
    })
}

/// The `insert` form on an argument array (`n >= 2`: target, rows). When
/// `args[0]` is a TABLE every argument is taken as a value and the new
/// table is returned (the input is not changed); otherwise each argument
/// is evaluated, and a target that evaluates to a symbol names a global
/// table, which is replaced (the symbol is returned). Rows: a LIST of
/// values, a DICT or a TABLE.
///
/// `args`: borrowed. Returns a new reference or an error object: "arity",
/// "type", "domain" (unbound symbol), "length", "value".
///
/// # Safety
/// `args` is NULL or points to `n` pointers, each NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_insert(args: *mut *mut ray_t, n: i64) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe { run(args, n, query_forms::insert) }
    })
}

/// The `upsert` form on an argument array (`n >= 3`: target, key, rows).
/// The key is a symbol naming the key column or a count of leading key
/// columns; a row whose key exists replaces that row, others are
/// appended. Values and evaluation as for `ray_insert`.
///
/// `args`: borrowed. Returns a new reference or an error object: "arity",
/// "type", "domain" (unknown key column, unbound symbol), "value".
///
/// # Safety
/// `args` is NULL or points to `n` pointers, each NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_upsert(args: *mut *mut ray_t, n: i64) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        unsafe { run(args, n, query_forms::upsert) }
    })
}
