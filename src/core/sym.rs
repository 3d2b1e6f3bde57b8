//! The process-global symbol intern table: name <-> id (id 0 is `""`).
//!
//! Names are stored once and never moved or freed (they are leaked on
//! purpose), so `name(id)` can hand out `&'static [u8]` without holding the
//! lock. `destroy` forgets the mapping (ids restart after the next `init`)
//! but leaves earlier names readable, so a stale id never dangles.

use std::collections::HashMap;

/// The name index hashes with foldhash: several times faster than SipHash
/// on short names, still seeded per process (no precomputed collisions).
type NameMap = HashMap<&'static [u8], i64, foldhash::fast::RandomState>;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

struct Interner {
    names: Vec<&'static [u8]>,
    ids: NameMap,
    /// Arena STR atoms handed out by `ray_sym_str`, created on demand.
    str_atoms: Vec<usize>,
}

static TABLE: RwLock<Option<Interner>> = RwLock::new(None);
static INITIALISED: AtomicBool = AtomicBool::new(false);

fn leak(bytes: &[u8]) -> &'static [u8] {
    Box::leak(bytes.to_vec().into_boxed_slice())
}

fn with_write<R>(f: impl FnOnce(&mut Interner) -> R) -> R {
    let mut g = TABLE.write().unwrap_or_else(|e| e.into_inner());
    let t = g.get_or_insert_with(|| {
        INITIALISED.store(true, Ordering::Release);
        let empty: &'static [u8] = b"";
        let mut ids = NameMap::default();
        ids.insert(empty, 0);
        Interner { names: vec![empty], ids, str_atoms: Vec::new() }
    });
    f(t)
}

/// Creates the table if needed (idempotent), as `ray_sym_init` does.
pub fn init() {
    with_write(|_| ());
}

/// True after `init` (or any interning) and before `destroy`.
pub fn is_initialised() -> bool {
    INITIALISED.load(Ordering::Acquire)
}

/// Bumped by `destroy` (ids handed out before it mean other names after).
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Changes whenever the id -> name mapping is forgotten (`destroy`).
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Forgets every mapping (`ray_sym_destroy`).
pub fn destroy() {
    let mut g = TABLE.write().unwrap_or_else(|e| e.into_inner());
    GENERATION.fetch_add(1, Ordering::AcqRel);
    *g = None;
    INITIALISED.store(false, Ordering::Release);
}

/// Finds or adds `name`; returns its id (>= 0).
pub fn intern(name: &[u8]) -> i64 {
    if let Some(id) = find(name) {
        return id;
    }
    with_write(|t| intern_locked(t, name))
}

fn intern_locked(t: &mut Interner, name: &[u8]) -> i64 {
    if let Some(&id) = t.ids.get(name) {
        return id;
    }
    let s = leak(name);
    let id = t.names.len() as i64;
    t.names.push(s);
    t.ids.insert(s, id);
    id
}

/// Interns many names under one lock (decoding SYM vectors).
pub fn intern_many<'a>(names: impl IntoIterator<Item = &'a [u8]>, out: &mut Vec<i64>) {
    with_write(|t| {
        for n in names {
            out.push(intern_locked(t, n));
        }
    })
}

/// Convenience: interns a `&str`.
pub fn intern_str(name: &str) -> i64 {
    intern(name.as_bytes())
}

/// Looks `name` up without adding it.
pub fn find(name: &[u8]) -> Option<i64> {
    let g = TABLE.read().unwrap_or_else(|e| e.into_inner());
    g.as_ref().and_then(|t| t.ids.get(name).copied())
}

/// The bytes of symbol `id`, or None for an unknown id.
pub fn name(id: i64) -> Option<&'static [u8]> {
    let g = TABLE.read().unwrap_or_else(|e| e.into_inner());
    let t = g.as_ref()?;
    usize::try_from(id).ok().and_then(|i| t.names.get(i).copied())
}

/// The bytes of symbol `id`, or `""` for an unknown id.
pub fn name_or_empty(id: i64) -> &'static [u8] {
    name(id).unwrap_or(b"")
}

/// Resolves many ids under one lock (encoding SYM vectors).
pub fn with_names<R>(f: impl FnOnce(&dyn Fn(i64) -> &'static [u8]) -> R) -> R {
    let g = TABLE.read().unwrap_or_else(|e| e.into_inner());
    let lookup = |id: i64| -> &'static [u8] {
        g.as_ref()
            .and_then(|t| usize::try_from(id).ok().and_then(|i| t.names.get(i).copied()))
            .unwrap_or(b"")
    };
    f(&lookup)
}

/// Number of symbols (0 when the table does not exist).
pub fn count() -> u32 {
    let g = TABLE.read().unwrap_or_else(|e| e.into_inner());
    g.as_ref().map_or(0, |t| t.names.len() as u32)
}

/// The cached arena STR atom of symbol `id` (address as usize), creating it
/// with `make` the first time. None for unknown ids.
pub fn str_atom(id: i64, make: impl FnOnce(&'static [u8]) -> usize) -> Option<usize> {
    let i = usize::try_from(id).ok()?;
    with_write(|t| {
        let name = *t.names.get(i)?;
        if t.str_atoms.len() <= i {
            t.str_atoms.resize(i + 1, 0);
        }
        if t.str_atoms[i] == 0 {
            t.str_atoms[i] = make(name);
        }
        Some(t.str_atoms[i])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_empty_is_zero() {
        let a = intern(b"sym_test_alpha");
        assert_eq!(intern(b"sym_test_alpha"), a);
        assert_eq!(name(a), Some(&b"sym_test_alpha"[..]));
        assert_eq!(intern(b""), 0);
        assert_eq!(find(b"sym_test_never_added"), None);
    }
}
