//! The snapshot `B.qdb` (storage.md 7.6): a `ser` frame holding a DICT of
//! every user-defined global (name -> value), loaded at startup before the
//! journal is replayed.
//!
//! Taking one must never leave files that restart into a different state,
//! whatever moment a crash hits. The reference renames `B.qdb` into place
//! and then rolls `B.log`: a crash between the two replays the old journal
//! on top of the new snapshot (every write applied twice). Here:
//! 1. `B.qdb.tmp` is written atomically (present only when complete);
//! 2. `B.log` is renamed to its archive;
//! 3. `B.qdb.tmp` is renamed over `B.qdb`; 4. a new `B.log` is opened.
//! At startup ([`settle`]) a `B.qdb.tmp` beside a `B.log` is an unfinished
//! step 1 (removed); without a `B.log` it is an unfinished step 3 (finished).
//!
//! Owns: which globals are the user's, the snapshot's shape, taking,
//! settling and loading it.

use crate::core::{RayError, Result, Value, env, sym};
use crate::lang::registry::registry;
use std::path::Path;

/// True when `id` is bound to what the runtime binds at start (a builtin
/// under its own name, or a namespace's dict of its members): not the user's.
fn is_runtime_binding(id: i64, v: &Value) -> bool {
    if let Some((i, _)) = registry().by_id(id) {
        let b = registry().object(i);
        return v.type_() == b.type_() && v.builtin_name_id() == id;
    }
    let name = sym::name_or_empty(id);
    v.type_() == crate::abi::RAY_DICT && name.first() == Some(&b'.') && registry().namespace(name).is_some()
}

/// A DICT of the user's globals, in symbol order.
pub fn user_globals() -> Result<Value> {
    let mut ids = Vec::new();
    let mut vals = Vec::new();
    for (id, v) in env::entries() {
        if !is_runtime_binding(id, &v) {
            ids.push(id);
            // A partitioned table is saved as the rows it stands for.
            vals.push(crate::store::parted::materialize(&v)?);
        }
    }
    Ok(Value::dict(Value::sym_vec(&ids)?, Value::list(vals)))
}

/// `B.qdb.tmp`.
pub fn temp_path(base: &Path) -> std::path::PathBuf {
    let mut p = super::log::snapshot_path(base).into_os_string();
    p.push(".tmp");
    p.into()
}

/// `.log.snapshot` on the open journal of `base`: the steps of the module
/// doc, with the roll of step 2.
pub fn take(base: &Path) -> Result<()> {
    let globals = user_globals()?;
    let bytes = crate::codec::ser(&globals)?;
    let temp = temp_path(base);
    crate::store::file::write_atomic(&temp, &bytes).map_err(|e| RayError::io(e.to_string()))?;
    super::log::roll(std::time::SystemTime::now(), &mut |base| promote(base))?;
    Ok(())
}

/// Step 3: `B.qdb.tmp` replaces `B.qdb`, durably.
fn promote(base: &Path) -> Result<()> {
    let (temp, qdb) = (temp_path(base), super::log::snapshot_path(base));
    std::fs::rename(&temp, &qdb).map_err(|e| RayError::io(format!("{}: rename: {e}", temp.display())))?;
    let dir = qdb.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::store::file::sync_dir(dir).map_err(|e| RayError::io(format!("{}: fsync: {e}", dir.display())))
}

/// Startup: finishes or discards a snapshot a crash interrupted (see the
/// module doc); returns a line saying which, when there was one.
pub fn settle(base: &Path) -> Result<Option<String>> {
    let temp = temp_path(base);
    if !temp.exists() {
        return Ok(None);
    }
    if super::log::active_path(base).exists() {
        std::fs::remove_file(&temp).map_err(|e| RayError::io(format!("{}: remove: {e}", temp.display())))?;
        return Ok(Some(format!("log: WARN  removed {}, a snapshot interrupted before its roll", temp.display())));
    }
    promote(base)?;
    Ok(Some(format!("log: WARN  finished a snapshot interrupted after its roll ({})", temp.display())))
}

/// What loading a snapshot bound.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub bound: u64,
    /// Keys that are not names (the empty symbol).
    pub skipped: u64,
}

/// Binds every key of the snapshot at `path` as a global.
pub fn load(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path).map_err(|e| RayError::io(format!("{}: {e}", path.display())))?;
    let dict = crate::codec::de(&bytes)?;
    let (Some(keys), Some(vals)) = (dict.dict_keys(), dict.dict_vals()) else {
        return Err(RayError::new("corrupt", format!("{}: the snapshot is not a dictionary", path.display())));
    };
    if keys.type_ != crate::abi::RAY_SYM || keys.len() != vals.len() {
        return Err(RayError::new("corrupt", format!("{}: the snapshot's keys are not names", path.display())));
    }
    let mut loaded = Loaded::default();
    for i in 0..keys.len() as usize {
        let id = keys.sym_at(i);
        if sym::name(id).is_none_or(|n| n.is_empty()) {
            loaded.skipped += 1;
            continue;
        }
        env::set(id, crate::core::vec_ops::item_at(vals, i)?);
        loaded.bound += 1;
    }
    Ok(loaded)
}
