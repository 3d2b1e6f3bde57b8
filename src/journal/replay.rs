//! Replaying a journal (storage.md 7.5): every whole frame is decoded and
//! evaluated in order, as the request it was, with the restricted flag
//! (0x02) of the connection it came from imposed. An evaluation error is
//! reported and counted and replay goes on; a frame that does not decode
//! stops it. Nothing is journaled while a replay runs.
//!
//! Owns: the replay loop and what it reports (`Replayed`, how it ended).
//! Must not: truncate or otherwise change the file (startup recovery in
//! `recover` decides that from the outcome).

use super::frame::{Frame, Reader};
use super::log;
use crate::core::{RayError, Result, Value};
use crate::lang::{self, RequestCtx};
use crate::proto::frame as proto_frame;
use crate::proto::header::FLAG_RESTRICTED;
use std::path::Path;

/// How a replay ended.
#[derive(Debug)]
pub enum End {
    /// Every byte of the file was a whole frame.
    Clean,
    /// The framing broke at `valid_bytes` (a bad header or a short frame).
    Broken,
    /// The whole frame at `valid_bytes` does not decode (`decompr` or
    /// `deser`); frames after it were not looked at.
    Undecodable(RayError),
    /// Interrupted (`cancel`) before the frame at `valid_bytes`.
    Cancelled,
}

/// What a replay did.
#[derive(Debug)]
pub struct Replayed {
    /// Frames evaluated, those that raised included.
    pub frames: u64,
    /// Frames whose evaluation raised an error.
    pub errors: u64,
    /// Bytes of the frames evaluated (where the file is good up to).
    pub valid_bytes: u64,
    pub end: End,
}

/// Replays `path`; each frame's evaluation error goes to `on_error` with
/// the frame's index. Fails only when the file cannot be read.
pub fn replay(path: &Path, on_error: &mut dyn FnMut(u64, &RayError)) -> std::io::Result<Replayed> {
    let mut reader = Reader::open(path)?;
    log::while_replaying(|| {
        let mut errors = 0;
        loop {
            if crate::runtime::interrupted() {
                return Ok(finish(&reader, errors, End::Cancelled));
            }
            let start = reader.valid_bytes();
            let Some(frame) = reader.next_frame()? else {
                let end = if reader.broken() { End::Broken } else { End::Clean };
                return Ok(finish(&reader, errors, end));
            };
            let value = match decode(&frame) {
                Ok(v) => v,
                Err(e) => {
                    return Ok(Replayed { frames: reader.frames() - 1, errors, valid_bytes: start, end: End::Undecodable(e) });
                }
            };
            let restricted = frame.header.flags & FLAG_RESTRICTED != 0;
            if let Err(e) = lang::eval_request(&value, RequestCtx { restricted, handle: -1 }) {
                errors += 1;
                on_error(reader.frames() - 1, &e);
            }
        }
    })
}

fn finish(reader: &Reader, errors: u64, end: End) -> Replayed {
    Replayed { frames: reader.frames(), errors, valid_bytes: reader.valid_bytes(), end }
}

/// The value a frame carries: `decompr` when a compressed payload does not
/// expand to its stated size, `deser` when the bytes are not a value.
fn decode(frame: &Frame) -> Result<Value> {
    let plain = proto_frame::plain_payload(&frame.header, &frame.payload)
        .map_err(|e| RayError::new("decompr", e.message().unwrap_or("bad compressed payload").to_string()))?;
    crate::codec::decode(&plain)
        .map(|(v, _)| v)
        .map_err(|e| RayError::new("deser", e.message().unwrap_or("payload does not decode").to_string()))
}

/// The reference's warning for a frame that raised.
pub fn warn_line(index: u64, e: &RayError) -> String {
    format!("log: WARN  chunk {index} raised: {} (during replay)", e.code_str())
}

/// `.log.replay PATH`: frames processed, or the reference's errors.
pub fn replay_builtin(path: &Path) -> Result<u64> {
    let shown = path.display();
    let r = replay(path, &mut |i, e| eprintln!("{}", warn_line(i, e)))
        .map_err(|_| RayError::io(format!("{shown}: I/O failure after 0 entries")))?;
    match r.end {
        End::Clean => Ok(r.frames),
        End::Broken => Err(RayError::new(
            "badtail",
            format!("{shown}: framing broken after {} entries (valid bytes = {})", r.frames, r.valid_bytes),
        )),
        End::Undecodable(e) => Err(e),
        End::Cancelled => Err(RayError::new("cancel", format!("{shown}: replay interrupted after {} entries", r.frames))),
    }
}
