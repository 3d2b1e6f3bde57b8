//! The open journal (storage.md 7.1, 7.4, 7.7): the process's one active
//! `B.log`, its mode, appending frames with the mode's durability, and the
//! file operations on a base (roll to a time-stamped archive, purge).
//!
//! Durability: async mode hands each frame to the OS (`write`) before
//! returning; sync mode returns a [`Ticket`] that [`await_durable`] turns
//! into an `fsync` covering that frame. Frames that arrive while an `fsync`
//! runs are covered by the next one (group commit), so a server answers
//! each request only once its frame is on disk, without one `fsync` per
//! request under load.
//!
//! Owns: the process-wide journal state and every write to `B.log`.
//! Must not: evaluate anything or read frames (replay does).

use crate::core::{RayError, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// How a journal keeps its frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `-l`: each frame is written before the request runs; no fsync.
    Async,
    /// `-L`: each frame is fsynced before its request is answered.
    Sync,
}

struct Open {
    file: Arc<File>,
    mode: Mode,
    /// Bumped whenever a new file is opened (roll, open).
    generation: u64,
    /// Bytes appended to this file since it was opened.
    written: u64,
}

#[derive(Default)]
struct State {
    /// The base of the last journal opened (kept after close, for purge).
    base: Option<PathBuf>,
    open: Option<Open>,
    generations: u64,
}

static STATE: Mutex<State> = Mutex::new(State { base: None, open: None, generations: 0 });

/// How far the current file is known to be on disk: (generation, bytes).
static SYNCED: Mutex<(u64, u64)> = Mutex::new((0, 0));

/// Replays in progress: nothing is written while one runs.
static REPLAYING: AtomicUsize = AtomicUsize::new(0);

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A frame appended in sync mode: durable once [`await_durable`] returns.
pub use crate::net::handler::LogTicket as Ticket;

/// `B.log`.
pub fn active_path(base: &Path) -> PathBuf {
    suffixed(base, ".log")
}

/// `B.qdb`.
pub fn snapshot_path(base: &Path) -> PathBuf {
    suffixed(base, ".qdb")
}

fn suffixed(base: &Path, suffix: &str) -> PathBuf {
    let mut s = base.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The directory holding `path` (`.` for a bare name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn io_err(path: &Path, what: &str, e: std::io::Error) -> RayError {
    RayError::io(format!("{}: {what}: {e}", path.display()))
}

/// Opens `B.log` for appending (created empty when missing).
pub fn open(mode: Mode, base: &Path) -> Result<()> {
    let mut st = state();
    if st.open.is_some() {
        return Err(RayError::domain(".log.open: a journal is already open"));
    }
    let path = active_path(base);
    let file = OpenOptions::new().create(true).append(true).open(&path).map_err(|e| io_err(&path, "open", e))?;
    st.generations += 1;
    st.open = Some(Open { file: Arc::new(file), mode, generation: st.generations, written: 0 });
    st.base = Some(base.to_path_buf());
    Ok(())
}

/// True while a journal is open.
pub fn is_open() -> bool {
    state().open.is_some()
}

/// The mode of the open journal.
pub fn mode() -> Option<Mode> {
    state().open.as_ref().map(|o| o.mode)
}

/// Runs `f` with journal writes suspended (a replay: it must not log what
/// it applies).
pub fn while_replaying<R>(f: impl FnOnce() -> R) -> R {
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            REPLAYING.fetch_sub(1, Ordering::AcqRel);
        }
    }
    REPLAYING.fetch_add(1, Ordering::AcqRel);
    let _g = Guard;
    f()
}

pub fn replaying() -> bool {
    REPLAYING.load(Ordering::Acquire) > 0
}

/// Appends one whole frame (`head` then `payload`). `Ok(None)` when no
/// journal is open or a replay runs; in sync mode the ticket to wait on.
pub fn append(head: &[u8], payload: &[u8]) -> Result<Option<Ticket>> {
    if replaying() {
        return Ok(None);
    }
    let mut st = state();
    let base = st.base.clone().unwrap_or_default();
    let Some(open) = st.open.as_mut() else { return Ok(None) };
    let mut f: &File = &open.file;
    let r = if head.len() + payload.len() <= 1 << 16 {
        f.write_all(&[head, payload].concat())
    } else {
        f.write_all(head).and_then(|_| f.write_all(payload))
    };
    if let Err(e) = r {
        // A partial frame may be on disk: later frames would be framed
        // wrongly behind it, so the journal stops taking frames.
        st.open = None;
        return Err(io_err(&active_path(&base), "write (journal closed)", e));
    }
    open.written += (head.len() + payload.len()) as u64;
    Ok((open.mode == Mode::Sync).then_some(Ticket { generation: open.generation, end: open.written }))
}

/// Returns once the frame of `ticket` is on disk: one `fsync` covers every
/// frame appended before it started.
pub fn await_durable(ticket: Ticket) -> Result<()> {
    let mut synced = SYNCED.lock().unwrap_or_else(|e| e.into_inner());
    if synced.0 == ticket.generation && synced.1 >= ticket.end {
        return Ok(());
    }
    let (file, generation, end) = {
        let st = state();
        match st.open.as_ref() {
            Some(o) if o.generation == ticket.generation => (o.file.clone(), o.generation, o.written),
            // That file was closed or rolled, which synced it first.
            _ => return Ok(()),
        }
    };
    file.sync_data().map_err(|e| RayError::io(format!("journal fsync: {e}")))?;
    *synced = (generation, end);
    Ok(())
}

/// `.log.sync`: fsync now (async mode; harmless otherwise).
pub fn sync() -> Result<()> {
    let file = state().open.as_ref().map(|o| o.file.clone());
    match file {
        Some(f) => f.sync_data().map_err(|e| RayError::io(format!("journal fsync: {e}"))),
        None => Ok(()),
    }
}

/// Closes the open journal (no-op when none is). A sync journal is synced
/// first so that no frame waiting for its fsync is left unsynced.
pub fn close() -> Result<()> {
    let mut st = state();
    let Some(open) = st.open.take() else { return Ok(()) };
    if open.mode == Mode::Sync {
        open.file.sync_data().map_err(|e| RayError::io(format!("journal fsync: {e}")))?;
    }
    Ok(())
}

/// The base of the open journal.
pub fn open_base() -> Option<PathBuf> {
    let st = state();
    st.open.as_ref().and(st.base.clone())
}

/// `.log.roll`: `B.log` becomes `B.<UTC stamp>.log` (never replacing an
/// earlier archive), the directory is synced and a new empty `B.log` opened.
/// `between` runs after the archive rename and before the new file exists
/// (the snapshot puts `B.qdb` in place there). Returns the archive's path.
/// A no-op while a replay runs.
pub fn roll(now: std::time::SystemTime, between: &mut dyn FnMut(&Path) -> Result<()>) -> Result<Option<PathBuf>> {
    if replaying() {
        return Ok(None);
    }
    let mut st = state();
    let base = match (&st.open, &st.base) {
        (Some(_), Some(b)) => b.clone(),
        _ => return Err(RayError::domain(".log.roll: no journal open")),
    };
    let open = st.open.take().expect("checked above");
    open.file.sync_data().map_err(|e| RayError::io(format!("journal fsync: {e}")))?;
    let active = active_path(&base);
    let archive = archive_path(&base, now);
    let dir = dir_of(&active);
    let step = fs::rename(&active, &archive)
        .map_err(|e| io_err(&active, "rename", e))
        .and_then(|_| crate::store::file::sync_dir(&dir).map_err(|e| io_err(&dir, "fsync", e)))
        .and_then(|_| between(&base));
    let file = OpenOptions::new().create(true).append(true).open(&active).map_err(|e| io_err(&active, "open", e))?;
    st.generations += 1;
    st.open = Some(Open { file: Arc::new(file), mode: open.mode, generation: st.generations, written: 0 });
    step.map(|_| Some(archive))
}

/// `B.YYYY.MM.DDThh.mm.ssZ.log`, or with `.N` before `.log` when that name
/// is taken (a second roll within the same second).
pub fn archive_path(base: &Path, now: std::time::SystemTime) -> PathBuf {
    let secs = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400) - 10_957;
    let (y, m, d) = crate::core::temporal::civil_from_days(days);
    let t = secs.rem_euclid(86_400);
    let stamp = format!("{y:04}.{m:02}.{d:02}T{:02}.{:02}.{:02}Z", t / 3600, t / 60 % 60, t % 60);
    let plain = suffixed(base, &format!(".{stamp}.log"));
    if !plain.exists() {
        return plain;
    }
    (1u64..).map(|n| suffixed(base, &format!(".{stamp}.{n}.log"))).find(|p| !p.exists()).unwrap_or(plain)
}

/// `.log.purge`: closes the journal and deletes `B.log`, `B.qdb`,
/// `B.qdb.tmp`, every `B.<anything>.log` and snapshot temporaries; then
/// forgets the base. Returns the files deleted.
pub fn purge() -> Result<Vec<PathBuf>> {
    let base = {
        let mut st = state();
        st.open = None;
        st.base.take().ok_or_else(|| RayError::domain(".log.purge: no journal was opened"))?
    };
    let dir = dir_of(&base);
    let stem = base.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&dir, "read directory", e)),
    };
    let mut gone = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if belongs_to(&stem, &name) {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| io_err(&path, "remove", e))?;
            gone.push(path);
        }
    }
    gone.sort();
    Ok(gone)
}

/// The files of base `stem`: `stem.log`, `stem.qdb`, `stem.qdb.tmp`,
/// `stem.<anything>.log`, and the atomic writer's `.stem.qdb.*.tmp`.
fn belongs_to(stem: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(stem) else {
        let snapshot_temp = format!(".{stem}.qdb.");
        return name.starts_with(&snapshot_temp) && name.ends_with(".tmp");
    };
    matches!(rest, ".log" | ".qdb" | ".qdb.tmp") || (rest.starts_with('.') && rest.ends_with(".log") && rest.len() > 5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn archives_are_stamped_in_utc_and_never_reuse_a_name() {
        let dir = std::env::temp_dir().join(format!("rayforce-roll-names-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let base = dir.join("b");
        // 2026-12-04T08:43:09Z.
        let t = UNIX_EPOCH + Duration::from_secs(1_796_373_789);
        let first = archive_path(&base, t);
        assert_eq!(first.file_name().unwrap(), "b.2026.12.04T08.43.09Z.log");
        fs::write(&first, b"").unwrap();
        let second = archive_path(&base, t);
        assert_eq!(second.file_name().unwrap(), "b.2026.12.04T08.43.09Z.1.log");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn purge_takes_only_the_bases_files() {
        for yes in ["b.log", "b.qdb", "b.qdb.tmp", "b.2026.12.04T08.43.09Z.log", "b.2026.12.04T08.43.09Z.1.log", ".b.qdb.7.0.tmp"]
        {
            assert!(belongs_to("b", yes), "{yes}");
        }
        for no in ["b", "bb.log", "c.log", "b.qdb.bak", "b.txt", "b..log"] {
            assert!(!belongs_to("b", no), "{no}");
        }
    }
}
