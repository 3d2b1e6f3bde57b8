//! Startup with `-l B` / `-L B` (storage.md 7.5): load `B.qdb`, replay
//! `B.log`, open it for appending; the server listens only afterwards.
//!
//! Where the reference stops (it exits with status 2 at any framing error
//! and asks a person to truncate), this recovers what is safe to recover:
//! - a torn tail (the last frame cut short by a crash, or bytes holding no
//!   whole frame) is cut off, with one line saying how many bytes went;
//! - a damaged frame that whole frames follow, or a whole frame that does
//!   not decode, refuses to start with a message naming the byte, unless
//!   the caller asked to truncate there (`--journal-truncate`).
//!
//! Owns: the startup sequence and its log lines. Must not: listen or exit
//! (the binary does, from the `Err` it gets).

use super::frame::{Tail, classify_tail};
use super::log::{self, Mode};
use super::replay::{End, replay, warn_line};
use super::snapshot;
use std::path::Path;

/// How startup treats a damaged journal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Truncate at a damaged or undecodable frame instead of refusing to
    /// start (the frames after it are lost).
    pub truncate_damaged: bool,
}

/// Loads, replays and opens the journal of `base`; each line it reports
/// goes to `say`. `Err` holds the reason to refuse to start.
pub fn startup(mode: Mode, base: &Path, opts: Options, say: &mut dyn FnMut(&str)) -> Result<(), String> {
    let settled = snapshot::settle(base).map_err(|e| format!("log: ERROR unfinished snapshot of {}: {e}", base.display()))?;
    if let Some(line) = settled {
        say(&line);
    }
    let qdb = log::snapshot_path(base);
    if qdb.exists() {
        let loaded =
            snapshot::load(&qdb).map_err(|e| format!("log: ERROR cannot load snapshot {}: {e}", qdb.display()))?;
        say(&format!("log: loaded snapshot {} ({} bound, {} skipped, 0 errors)", qdb.display(), loaded.bound, loaded.skipped));
    }
    let path = log::active_path(base);
    if path.exists() {
        recover_log(&path, opts, say)?;
    }
    log::open(mode, base).map_err(|e| format!("log: ERROR cannot open {}: {e}", path.display()))
}

fn recover_log(path: &Path, opts: Options, say: &mut dyn FnMut(&str)) -> Result<(), String> {
    let shown = path.display();
    let r = replay(path, &mut |i, e| say(&warn_line(i, e))).map_err(|e| format!("log: ERROR cannot read {shown}: {e}"))?;
    let len = std::fs::metadata(path).map_err(|e| format!("log: ERROR {shown}: {e}"))?.len();
    let cut = |what: &str| -> Result<String, String> {
        truncate(path, r.valid_bytes).map_err(|e| format!("log: ERROR cannot truncate {shown}: {e}"))?;
        Ok(format!(
            "log: WARN  {what} in {shown}: dropped {} bytes after {} entries (valid bytes = {})",
            len - r.valid_bytes,
            r.frames,
            r.valid_bytes
        ))
    };
    let refuse = |what: String| {
        format!(
            "log: ERROR {what} in {shown} at byte {} after {} entries; refusing to start.\n\
             log: restart with --journal-truncate to drop everything from byte {} ({} bytes), or repair the file",
            r.valid_bytes,
            r.frames,
            r.valid_bytes,
            len - r.valid_bytes
        )
    };
    match r.end {
        End::Clean => {}
        End::Cancelled => return Err(format!("log: ERROR replay of {shown} interrupted after {} entries", r.frames)),
        End::Broken => match classify_tail(path, r.valid_bytes).map_err(|e| format!("log: ERROR {shown}: {e}"))? {
            Tail::Clean => {}
            Tail::Torn => say(&cut("torn tail")?),
            Tail::Damaged { resumes_at } if opts.truncate_damaged => {
                say(&cut(&format!("damaged frame (whole frames resumed at byte {resumes_at})"))?)
            }
            Tail::Damaged { resumes_at } => {
                return Err(refuse(format!("damaged frame followed by whole frames from byte {resumes_at}")));
            }
        },
        End::Undecodable(e) if opts.truncate_damaged => say(&cut(&format!("undecodable frame ({})", e.code_str()))?),
        End::Undecodable(e) => return Err(refuse(format!("undecodable frame ({e})"))),
    }
    say(&format!("log: replayed {} entries ({} eval errors) from {shown}", r.frames, r.errors));
    Ok(())
}

/// Cuts `path` to `len` bytes and makes that durable.
fn truncate(path: &Path, len: u64) -> std::io::Result<()> {
    let f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    f.sync_all()
}
