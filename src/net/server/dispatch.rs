//! Running one job: connection hooks, default evaluation, verbose output
//! capture, response frames. Everything language-specific goes through
//! the installed `net::Handler`. Must not: touch the loop's state (a job's
//! outcome goes back to the loop as an event).

use super::exec::{Job, JobKind, Outcome};
use crate::abi;
use crate::core::{Result, Value};
use crate::net::handler::{self, Caller, Hook, LogTicket};
use crate::net::sys;
use crate::proto::frame::{self, Compression, OutFrame};
use crate::proto::header::{Header, MSG_RESPONSE, MSG_SYNC};
use std::sync::Mutex;

/// Serializes stdout/stderr capture (verbose requests redirect fds 1 and 2
/// of the whole process).
pub(super) static CAPTURE_LOCK: Mutex<()> = Mutex::new(());

/// The function installed for `kind`, if any.
pub(super) fn hook(kind: Hook) -> Option<Value> {
    handler::handler().hook(kind)
}

/// Calls a hook with argument values (never evaluated: a hook sees the raw
/// payload).
pub(super) fn call_hook(f: Value, args: Vec<Value>, caller: Caller) -> Result<Value> {
    handler::handler().call(&f, args, caller)
}

pub(super) fn run_job(job: Job) -> Outcome {
    let ctx = Caller { restricted: job.restricted, handle: job.handle };
    let shared = job.shared.clone();
    let gate = Gate::enter(&shared.gate, job.restricted);
    crate::net::with_current_handle(job.handle, move || match job.kind {
        JobKind::Open => {
            if let Some(h) = hook(Hook::Open)
                && let Err(e) = call_hook(h, vec![Value::i64(job.handle)], ctx)
            {
                eprintln!("ipc: .ipc.on.open hook raised an error: {}", e.code_str());
            }
            Outcome::Opened
        }
        JobKind::Close => {
            if let Some(h) = hook(Hook::Close)
                && let Err(e) = call_hook(h, vec![Value::i64(job.handle)], ctx)
            {
                eprintln!("ipc: .ipc.on.close hook raised an error: {}", e.code_str());
            }
            Outcome::Closed(job.handle)
        }
        JobKind::Auth(creds) => {
            let ok = match hook(Hook::Auth) {
                Some(h) => call_hook(h, vec![Value::str(&creds.user), Value::str(&creds.password)], ctx)
                    .is_ok_and(|v| handler::handler().truthy(&v)),
                None => true,
            };
            Outcome::Auth(ok)
        }
        JobKind::Requests(frames) => {
            let mut replies: Vec<OutFrame> = Vec::new();
            let mut ticket = None;
            // The first reply whose request waits for the journal.
            let mut first_waiting = None;
            handler::handler().with_cancel(&job.cancel, &mut || {
                for (h, payload) in &frames {
                    let waiting = ticket.is_some();
                    let reply = run_request(h, payload, ctx, job.compression, &mut ticket);
                    if !waiting && ticket.is_some() {
                        first_waiting = Some(replies.len());
                    }
                    replies.extend(reply);
                }
            });
            // Others may evaluate while this answer waits for its journal
            // frame to reach the disk (one fsync then covers several).
            drop(gate);
            if let Some(t) = ticket
                && let Err(e) = handler::handler().await_durable(t)
            {
                refuse_from(&mut replies, first_waiting.unwrap_or(0), e.code_str());
            }
            if !replies.is_empty() {
                // Written here; on failure the loop sees the dead socket itself.
                let _ = job.out.send(replies);
            }
            Outcome::Reply(Vec::new())
        }
    })
}

/// Replaces the replies from index `from` on with error `code`: the fsync
/// that was to cover their journal frames failed, so none of those requests
/// may be acknowledged (one fsync covered the whole batch).
fn refuse_from(replies: &mut [OutFrame], from: usize, code: &str) {
    for r in replies.iter_mut().skip(from) {
        *r = frame::error_frame(code, MSG_RESPONSE);
    }
}

/// The evaluation gate as one job holds it: shared for read-only
/// connections, exclusive otherwise.
enum Gate<'a> {
    Shared(#[allow(dead_code)] std::sync::RwLockReadGuard<'a, ()>),
    Exclusive(#[allow(dead_code)] std::sync::RwLockWriteGuard<'a, ()>),
}

impl<'a> Gate<'a> {
    fn enter(lock: &'a std::sync::RwLock<()>, read_only: bool) -> Gate<'a> {
        if read_only {
            Gate::Shared(lock.read().unwrap_or_else(|e| e.into_inner()))
        } else {
            Gate::Exclusive(lock.write().unwrap_or_else(|e| e.into_inner()))
        }
    }
}

/// Decodes, journals and evaluates one request; the response frame for
/// sync ones. A journaled sync request leaves in `ticket` what its answer
/// must wait for.
pub(super) fn run_request(
    h: &Header,
    payload: &[u8],
    ctx: Caller,
    compression: Compression,
    ticket: &mut Option<LogTicket>,
) -> Option<OutFrame> {
    let sync = h.msgtype == MSG_SYNC;
    if handler::handler().cancel_requested() {
        // Cancelled before it started: nothing is evaluated.
        return sync.then(|| frame::error_frame("cancel", MSG_RESPONSE));
    }
    let Ok(value) = frame::decode_payload(h, payload) else {
        // The reference answers an undecodable request with the untyped null.
        return sync.then(|| frame::null_frame(MSG_RESPONSE));
    };
    if sync {
        // Journaled before it runs; a request the journal refuses does not run.
        match handler::handler().log_request(h, payload, ctx) {
            Ok(t) => *ticket = t.or(*ticket),
            Err(e) => return Some(frame::error_frame(e.code_str(), MSG_RESPONSE)),
        }
    } else {
        if let Some(hk) = hook(Hook::Async) {
            if call_hook(hk, vec![value], ctx).is_err() {
                eprintln!("ipc: .ipc.on.async hook raised an error");
            }
        } else {
            let _ = evaluate(&value, ctx);
        }
        return None;
    }
    let answer = if h.is_verbose() {
        let _one_at_a_time = CAPTURE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let cap = sys::capture_begin();
        let r = evaluate_sync(&value, ctx);
        let text = cap.map(sys::capture_end).unwrap_or_default();
        Value::list(vec![Value::str(&text), r.unwrap_or_else(Value::from_error)])
    } else {
        evaluate_sync(&value, ctx).unwrap_or_else(Value::from_error)
    };
    Some(frame::build_or_type_error(&answer, MSG_RESPONSE, 0, compression))
}

pub(super) fn evaluate_sync(v: &Value, ctx: Caller) -> Result<Value> {
    match hook(Hook::Sync) {
        Some(hk) => call_hook(hk, vec![v.clone()], ctx),
        None => evaluate(v, ctx),
    }
}

/// Default evaluation (wire.md 6.2): an empty string is the null object.
pub(super) fn evaluate(v: &Value, ctx: Caller) -> Result<Value> {
    if v.type_() == -abi::RAY_STR && v.str_bytes().is_empty() {
        return Ok(Value::null());
    }
    handler::handler().evaluate(v, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fsync_refuses_every_reply_it_was_to_cover() {
        let ok = || frame::null_frame(MSG_RESPONSE);
        let mut replies = vec![ok(), ok(), ok()];
        refuse_from(&mut replies, 1, "io");
        let io = frame::error_frame("io", MSG_RESPONSE).head;
        let heads: Vec<bool> = replies.iter().map(|r| r.head == io).collect();
        assert_eq!(heads, [false, true, true]);
    }
}
