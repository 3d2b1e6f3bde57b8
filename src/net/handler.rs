//! What the transport asks of the layer above it: evaluate a request,
//! find and call a connection hook, judge a hook's answer, scope a
//! request's cancel flag. `net` knows no language; the layer that does
//! (`crate::ipc`) implements [`Handler`] and installs it once, before any
//! connection is served.
//!
//! Owns: the trait, the process-wide installed handler, and the fallback
//! used when none is installed (every request then fails with `nyi`, hooks
//! are absent). Must not: name the evaluator, its limits or hook names.

use crate::core::{RayError, Result, Value};
use crate::proto::header::Header;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

/// Who a request comes from, as the evaluator needs to know it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    /// The connection's handle (`.ipc.handle` during the evaluation).
    pub handle: i64,
    /// A read-only (`-U`) connection: restricted builtins must fail.
    pub restricted: bool,
}

/// Where a journaled request's frame ends in the journal (file generation
/// and byte): its answer may leave once [`Handler::await_durable`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogTicket {
    pub generation: u64,
    pub end: u64,
}

/// The connection events a program may hook (wire.md section 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// Decides a login: called with user and password strings.
    Auth,
    /// A connection became ready: called with its handle.
    Open,
    /// A ready connection closed: called with its handle.
    Close,
    /// Replaces the default evaluation of sync requests (raw payload).
    Sync,
    /// Replaces the default evaluation of async requests (raw payload).
    Async,
}

/// The evaluator, as the transport sees it. Called on the poll thread and
/// on evaluation workers, once per request: implementations must not
/// allocate or lock beyond what evaluation itself needs.
pub trait Handler: Send + Sync {
    /// Evaluates a decoded request payload by wire.md 6.2 (a string is
    /// parsed, a list with a callable head is called, data is echoed).
    fn evaluate(&self, payload: &Value, caller: Caller) -> Result<Value>;

    /// The function installed for `hook`, if any.
    fn hook(&self, hook: Hook) -> Option<Value>;

    /// Calls `f` (a value `hook` returned) with argument values, which are
    /// passed as they are, never evaluated.
    fn call(&self, f: &Value, args: Vec<Value>, caller: Caller) -> Result<Value>;

    /// Called for each decoded sync request before it is evaluated, with
    /// its header and payload as received: the layer above journals it.
    /// `Err`: the request is not evaluated and the client gets the error.
    /// `Ok(Some(t))`: the answer waits for `await_durable(t)`.
    fn log_request(&self, _header: &Header, _payload: &[u8], _caller: Caller) -> Result<Option<LogTicket>> {
        Ok(None)
    }

    /// Returns once the journaled frame of `ticket` is on disk. Called
    /// after the evaluation, outside the evaluation gate, so one fsync can
    /// cover the frames of several requests.
    fn await_durable(&self, _ticket: LogTicket) -> Result<()> {
        Ok(())
    }

    /// The language's truthiness (an auth hook's answer).
    fn truthy(&self, v: &Value) -> bool;

    /// Runs `f` with `flag` as this thread's request cancel flag: setting
    /// it stops the running evaluation with `cancel`.
    fn with_cancel(&self, flag: &std::sync::Arc<AtomicBool>, f: &mut dyn FnMut());

    /// True when the running request (or the whole process) was asked to
    /// cancel.
    fn cancel_requested(&self) -> bool;
}

/// What serves requests while nothing is installed: no evaluator, no hooks.
struct NoEvaluator;

impl Handler for NoEvaluator {
    fn evaluate(&self, _payload: &Value, _caller: Caller) -> Result<Value> {
        Err(RayError::new("nyi", "no evaluator is installed for IPC requests"))
    }
    fn hook(&self, _hook: Hook) -> Option<Value> {
        None
    }
    fn call(&self, _f: &Value, _args: Vec<Value>, caller: Caller) -> Result<Value> {
        self.evaluate(&Value::null(), caller)
    }
    fn truthy(&self, _v: &Value) -> bool {
        false
    }
    fn with_cancel(&self, _flag: &std::sync::Arc<AtomicBool>, f: &mut dyn FnMut()) {
        f()
    }
    fn cancel_requested(&self) -> bool {
        false
    }
}

static HANDLER: OnceLock<&'static dyn Handler> = OnceLock::new();

/// Installs the process's handler; the first call wins and later calls are
/// ignored (returns whether this one was installed).
pub fn install(h: &'static dyn Handler) -> bool {
    HANDLER.set(h).is_ok()
}

/// True once a handler is installed.
pub fn installed() -> bool {
    HANDLER.get().is_some()
}

/// The installed handler (the fallback while none is).
pub fn handler() -> &'static dyn Handler {
    match HANDLER.get() {
        Some(h) => *h,
        None => &NoEvaluator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_refuses_requests_and_has_no_hooks() {
        let h = NoEvaluator;
        let caller = Caller { handle: 3, restricted: false };
        assert_eq!(h.evaluate(&Value::i64(1), caller).unwrap_err().code_str(), "nyi");
        assert!(h.hook(Hook::Sync).is_none());
        let mut ran = false;
        h.with_cancel(&std::sync::Arc::new(AtomicBool::new(true)), &mut || ran = true);
        assert!(ran && !h.cancel_requested());
    }
}
