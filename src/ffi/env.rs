//! The global environment seen from C: `ray_env_get` / `ray_env_set`.

use crate::abi::*;
use crate::core::{env, sym, vec_ops};
use crate::ffi::borrow;
use crate::ffi_guard;
use crate::store::parted;
use core::ptr;

/// The IPC hooks a program may bind although `.ipc` is a system namespace.
const IPC_HOOKS: [&[u8]; 5] = [b".ipc.on.open", b".ipc.on.close", b".ipc.on.sync", b".ipc.on.async", b".ipc.on.auth"];

/// True for names in the system namespaces (`.sys.*`, `.ipc.*`), except
/// the five `.ipc.on.*` hooks.
fn is_reserved(name: &[u8]) -> bool {
    (name.starts_with(b".sys.") || name.starts_with(b".ipc.") || name == b".sys" || name == b".ipc")
        && !IPC_HOOKS.contains(&name)
}

/// Walks one dotted segment into a table (column) or a dict with a LIST of
/// values (the stored item), returning a borrowed child.
fn walk(v: &ray_t, seg: i64) -> Option<&ray_t> {
    match v.type_ {
        RAY_TABLE => {
            let schema = v.table_schema()?;
            let i = schema.elems::<i64>().iter().position(|&id| id == seg)?;
            v.table_cols()?.item(i)
        }
        RAY_DICT => {
            let key = crate::core::Value::sym_id(seg);
            let i = vec_ops::find_key(v.dict_keys()?, &key)?;
            let vals = v.dict_vals()?;
            if vals.type_ == RAY_LIST { vals.item(i) } else { None }
        }
        _ => None,
    }
}

/// Replaces a partitioned table bound to `id` by the ordinary table it
/// stands for, so that C never borrows the lazy representation. False when
/// that fails (its files are gone).
fn settle_binding(id: i64) -> bool {
    match env::get(id).filter(|v| parted::is_parted(v)) {
        None => true,
        Some(v) => match parted::materialize(&v) {
            Ok(m) => {
                env::set(id, m);
                true
            }
            Err(_) => false,
        },
    }
}

/// The global binding of symbol `sym_id` (borrowed: valid until the name is
/// rebound), or NULL when unbound. A dotted name ("t.col") not bound as a
/// whole walks from the binding of its first segment into table columns
/// and dicts whose values are a LIST. A partitioned table (`.db.parted.get`)
/// is first rebound as the ordinary table it stands for. Call from one
/// thread at a time.
#[unsafe(no_mangle)]
pub extern "C" fn ray_env_get(sym_id: i64) -> *mut ray_t {
    ffi_guard!({
        if !settle_binding(sym_id) {
            return ptr::null_mut();
        }
        let direct = env::with(sym_id, |v| v.map(|v| v.as_ptr()));
        if let Some(p) = direct {
            return p;
        }
        let Some(name) = sym::name(sym_id) else { return ptr::null_mut() };
        let mut segs = name.split(|&b| b == b'.').filter(|s| !s.is_empty());
        let (Some(first), Some(_)) = (segs.next(), name.contains(&b'.').then_some(())) else {
            return ptr::null_mut();
        };
        let Some(root_id) = sym::find(first) else { return ptr::null_mut() };
        if !settle_binding(root_id) {
            return ptr::null_mut();
        }
        let rest: Vec<i64> = segs.map(|s| sym::find(s).unwrap_or(-1)).collect();
        env::with(root_id, |root| {
            let mut cur: &ray_t = match root {
                Some(r) => r,
                None => return ptr::null_mut(),
            };
            for &seg in &rest {
                match walk(cur, seg) {
                    Some(c) => cur = c,
                    None => return ptr::null_mut(),
                }
            }
            cur as *const ray_t as *mut ray_t
        })
    })
}

/// Binds symbol `sym_id` globally to `val` (borrowed: the environment
/// takes its own reference; a previous value is released). Returns RAY_OK,
/// RAY_ERR_RESERVED for system names (`.sys.*`, `.ipc.*` except the
/// `.ipc.on.open/close/sync/async/auth` hooks), RAY_ERR_TYPE for NULL or
/// an error object, RAY_ERR_DOMAIN for an unknown symbol id. Call from one
/// thread at a time.
///
/// # Safety
/// `val` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_env_set(sym_id: i64, val: *mut ray_t) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        let Some(v) = (unsafe { borrow(val) }) else { return RAY_ERR_TYPE };
        if v.is_error() {
            return RAY_ERR_TYPE;
        }
        let Some(name) = sym::name(sym_id) else { return RAY_ERR_DOMAIN };
        if is_reserved(name) {
            return RAY_ERR_RESERVED;
        }
        let old = env::set(sym_id, v.to_value());
        drop(old);
        RAY_OK
    })
}
