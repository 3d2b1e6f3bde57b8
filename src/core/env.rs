//! Global variable bindings (symbol id -> value), shared by the evaluator,
//! `ray_env_get/set` and the IPC hooks. A read-write lock lets read-only
//! evaluations run in parallel.

use crate::core::value::Value;
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bindings: symbol ids are small dense integers, so most live in a vector
/// indexed by id (no hashing on the lookup path); ids far past the vector's
/// end (a hostile `ray_env_set`) go to a map instead of growing it.
#[derive(Default)]
struct Globals {
    dense: Vec<Option<Value>>,
    sparse: HashMap<i64, Value>,
    /// Ids in the order they were first bound (`env`), each once.
    order: Vec<i64>,
    ordered: std::collections::HashSet<i64>,
}

impl Globals {
    fn get(&self, id: i64) -> Option<&Value> {
        match usize::try_from(id) {
            Ok(i) if i < self.dense.len() => self.dense[i].as_ref(),
            _ => self.sparse.get(&id),
        }
    }

    fn set(&mut self, id: i64, v: Value) -> Option<Value> {
        if self.ordered.insert(id) {
            self.order.push(id);
        }
        match usize::try_from(id) {
            Ok(i) if i < self.dense.len() => self.dense[i].replace(v),
            Ok(i) if i <= self.dense.len() * 2 + 1024 => {
                self.dense.resize_with(i + 1, || None);
                let old = self.sparse.remove(&id);
                self.dense[i] = Some(v);
                old
            }
            _ => self.sparse.insert(id, v),
        }
    }

    fn remove(&mut self, id: i64) -> Option<Value> {
        match usize::try_from(id) {
            Ok(i) if i < self.dense.len() => self.dense[i].take(),
            _ => self.sparse.remove(&id),
        }
    }
}

static GLOBALS: RwLock<Option<Globals>> = RwLock::new(None);
/// Bumped by `clear`: lets callers cache "already initialised" cheaply.
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// The value bound to `id`, if any.
pub fn get(id: i64) -> Option<Value> {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    g.as_ref().and_then(|m| m.get(id).cloned())
}

/// Binds `id` to `v`, returning the previous value.
pub fn set(id: i64, v: Value) -> Option<Value> {
    let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(Globals::default).set(id, v)
}

/// Binds every `(id, value)` pair in order under one lock, so no other
/// thread's binding lands between them (the builtins at start).
pub fn set_many(pairs: Vec<(i64, Value)>) {
    let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
    let m = g.get_or_insert_with(Globals::default);
    let old: Vec<Option<Value>> = pairs.into_iter().map(|(id, v)| m.set(id, v)).collect();
    drop(g);
    drop(old); // released outside the lock
}

/// Removes the binding of `id`.
pub fn remove(id: i64) -> Option<Value> {
    let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
    g.as_mut().and_then(|m| m.remove(id))
}

/// Calls `f` with the binding of `id` without cloning it (the pointer stays
/// valid until the name is rebound: `ray_env_get`'s contract).
pub fn with<R>(id: i64, f: impl FnOnce(Option<&Value>) -> R) -> R {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    f(g.as_ref().and_then(|m| m.get(id)))
}

/// How many names are bound (builtins included): `.sys.cmd "env"`.
pub fn count() -> usize {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    g.as_ref().map_or(0, |m| m.dense.iter().filter(|v| v.is_some()).count() + m.sparse.len())
}

/// Every binding, in symbol id order (a snapshot of the globals).
pub fn entries() -> Vec<(i64, Value)> {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    let Some(m) = g.as_ref() else { return Vec::new() };
    let dense = m.dense.iter().enumerate().filter_map(|(i, v)| v.as_ref().map(|v| (i as i64, v.clone())));
    let mut all: Vec<(i64, Value)> = dense.chain(m.sparse.iter().map(|(&id, v)| (id, v.clone()))).collect();
    all.sort_by_key(|(id, _)| *id);
    all
}

/// Every binding in the order the names were first bound (a name bound
/// again keeps its first position).
pub fn entries_in_binding_order() -> Vec<(i64, Value)> {
    let g = GLOBALS.read().unwrap_or_else(|e| e.into_inner());
    let Some(m) = g.as_ref() else { return Vec::new() };
    m.order.iter().filter_map(|&id| m.get(id).map(|v| (id, v.clone()))).collect()
}

/// Changes whenever every binding is dropped (`clear`).
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Drops every binding (runtime destroy).
pub fn clear() {
    let old = {
        let mut g = GLOBALS.write().unwrap_or_else(|e| e.into_inner());
        GENERATION.fetch_add(1, Ordering::AcqRel);
        g.take()
    };
    drop(old);
}
