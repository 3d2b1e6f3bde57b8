//! Global variable bindings (symbol id -> value), shared by the evaluator,
//! `ray_env_get/set` and the IPC hooks. A read-write lock lets read-only
//! evaluations run in parallel.

use crate::core::value::Value;
use std::collections::HashMap;
use std::sync::RwLock;

static GLOBALS: RwLock<Option<HashMap<i64, Value>>> = RwLock::new(None);

/// The value bound to `id`, if any.
pub fn get(id: i64) -> Option<Value> {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    g.as_ref().and_then(|m| m.get(&id).cloned())
}

/// Binds `id` to `v`, returning the previous value.
pub fn set(id: i64, v: Value) -> Option<Value> {
    let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(HashMap::new).insert(id, v)
}

/// Removes the binding of `id`.
pub fn remove(id: i64) -> Option<Value> {
    let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
    g.as_mut().and_then(|m| m.remove(&id))
}

/// Calls `f` with the binding of `id` without cloning it (the pointer stays
/// valid until the name is rebound: `ray_env_get`'s contract).
pub fn with<R>(id: i64, f: impl FnOnce(Option<&Value>) -> R) -> R {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    f(g.as_ref().and_then(|m| m.get(&id)))
}

/// Drops every binding (runtime destroy).
pub fn clear() {
    let old = {
        let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
        g.take()
    };
    drop(old);
}
