//! Objects that live inside memory-mapped files (`mmod` = 1): a column file
//! is a `ray_t` header followed by its payload, so a private (copy-on-write)
//! mapping of it is used in place. This module keeps each mapping alive
//! while any object inside it is: `register` hands over the mapping's owner
//! with the number of objects placed in it, and the last of those objects
//! to be freed (through `rc`) drops the owner, which unmaps the file.
//!
//! `lazy` registers its vectors' anonymous payload mappings here too
//! (`mmod` = 2).
//!
//! It owns the registry only; making mappings and writing their headers is
//! the storage layer's job. Mapped objects are never mutated in place
//! (`Value::is_unique` is false for them), so mutation copies to the heap
//! and the files never change.

use crate::abi::ray_t;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The `mmod` byte of an object inside a mapped file.
pub const MMOD_MAPPED: u8 = 1;

struct Region {
    len: usize,
    live: usize,
    _owner: Box<dyn Send>,
}

/// Mappings by base address.
static REGIONS: Mutex<BTreeMap<usize, Region>> = Mutex::new(BTreeMap::new());

fn regions() -> std::sync::MutexGuard<'static, BTreeMap<usize, Region>> {
    REGIONS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps `owner` (whose drop unmaps `len` bytes at `base`) until `objects`
/// objects inside the range have been freed. With `objects` = 0 the owner
/// is dropped at once.
pub fn register(base: *const u8, len: usize, objects: usize, owner: Box<dyn Send>) {
    if objects == 0 || len == 0 {
        return;
    }
    regions().insert(base as usize, Region { len, live: objects, _owner: owner });
}

/// Called by `rc` when an object with `mmod` != 0 is freed: one object of
/// its mapping is gone; the mapping goes with the last one. An address in
/// no registered mapping is ignored.
pub(crate) fn object_freed(p: *mut ray_t) {
    let addr = p as usize;
    let gone = {
        let mut map = regions();
        let Some((&base, region)) = map.range_mut(..=addr).next_back() else { return };
        if addr >= base + region.len {
            return;
        }
        region.live -= 1;
        if region.live > 0 {
            return;
        }
        map.remove(&base)
    };
    // Dropped outside the lock: unmapping may take a while.
    drop(gone);
}

/// Number of live mappings and their total bytes (diagnostics, `.sys.mem`).
pub fn stats() -> (usize, usize) {
    let map = regions();
    (map.len(), map.values().map(|r| r.len).sum())
}
