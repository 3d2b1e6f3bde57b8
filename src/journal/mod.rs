//! The transaction journal (storage.md 7): `-l B` / `-L B`, the `.log.*`
//! builtins, replay and startup recovery, the `B.qdb` snapshot, roll and
//! purge. A journal file is IPC frames back to back, byte-compatible with
//! RayforceDB's in both directions.
//!
//! The promise: a server started with a journal and killed at any moment
//! has, after a restart on the same journal, applied every request it
//! acknowledged (and at most the one in flight). Each sync request is
//! written before it is evaluated; in sync mode its answer leaves only once
//! its frame is fsynced.
//!
//! | module | owns |
//! |---|---|
//! | `frame` | reading frames from a file; torn tail vs damaged frame |
//! | `log` | the open journal: append with durability, group commit, roll, purge |
//! | `replay` | evaluating a journal's frames in order |
//! | `recover` | startup: snapshot, replay, truncating a torn tail, open |
//! | `snapshot` | `B.qdb`: the user's globals, written and loaded |
//! | `builtins` | `.log.open/write/sync/close/roll/snapshot/replay/validate/purge` |
//!
//! Sits above `lang` (replay evaluates) and beside `ipc`, whose handler
//! calls [`log_request`] for every sync request; `net` knows none of it.
#![forbid(unsafe_code)]

pub mod builtins;
pub mod frame;
pub mod log;
pub mod recover;
pub mod replay;
pub mod snapshot;

pub use log::{Mode, Ticket};

use crate::core::Result;
use crate::proto::header::{FLAG_RESTRICTED, Header};

/// Registers the `.log.*` builtins (called by `ipc::install`, before the
/// registry is built).
pub fn install() {
    let _ = crate::lang::registry::register_family(builtins::BUILTINS);
}

/// Journals one sync request as it arrived (its header's flags, the restricted
/// flag added for a read-only connection, its payload still compressed if
/// it was). Returns the ticket to wait on before answering (sync mode).
/// An error means the request must not be evaluated.
pub fn log_request(header: &Header, payload: &[u8], restricted: bool) -> Result<Option<Ticket>> {
    if !log::is_open() || log::replaying() {
        return Ok(None);
    }
    let mut h = *header;
    if restricted {
        h.flags |= FLAG_RESTRICTED;
    }
    log::append(&h.to_bytes(), payload)
}

/// Returns once the request of `ticket` is as durable as the mode promises.
pub fn await_durable(ticket: Option<Ticket>) -> Result<()> {
    ticket.map_or(Ok(()), log::await_durable)
}
