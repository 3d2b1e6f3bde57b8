//! Evaluation limits (after rhai's `Limits`): how deep calls and
//! expressions may nest, how much source one request may hold, how many
//! evaluation steps it may take, and when to stop with `cancel`: the
//! runtime's process-wide interrupt flag (`runtime::request_interrupt`,
//! `ray_request_interrupt`, Ctrl-C) or the cancel flag of the request this
//! thread evaluates. A hostile query hits one of these and gets an error
//! object (`limit`, `cancel`), never a stack overflow or an endless
//! evaluation.
#![forbid(unsafe_code)]

use crate::core::RayError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The bounds one evaluation runs under.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nested calls (builtin or lambda) plus nested evaluations.
    pub max_call_depth: usize,
    /// Nesting of `( [ {` in source text (the parser's own recursion).
    pub max_expr_depth: usize,
    /// Bytes of source text one `eval_str` accepts.
    pub max_source_bytes: usize,
    /// Top-level forms one message may hold (rayfall.md section 1).
    pub max_top_forms: usize,
    /// Elements of one vector literal (rayfall.md section 2).
    pub max_vector_literal: usize,
    /// Evaluation steps before `limit` (0 = unbounded).
    pub max_operations: u64,
    /// Stack bytes the evaluator may use below its entry point. Checked on
    /// every nested evaluation, so it holds whatever the thread's stack size.
    pub max_stack_bytes: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_call_depth: 4000,
        max_expr_depth: 512,
        max_source_bytes: 64 << 20,
        max_top_forms: 256,
        max_vector_literal: 4096,
        max_operations: 0,
        max_stack_bytes: 1 << 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

static MAX_OPERATIONS: AtomicU64 = AtomicU64::new(0);

/// The limits in force for new evaluations (the operation budget can be set
/// process-wide with `set_max_operations`).
pub fn current() -> Limits {
    Limits { max_operations: MAX_OPERATIONS.load(Ordering::Relaxed), ..Limits::DEFAULT }
}

/// Sets the operation budget for later evaluations (0 = unbounded).
pub fn set_max_operations(n: u64) {
    MAX_OPERATIONS.store(n, Ordering::Relaxed);
}

thread_local! {
    /// The cancel flag of the request this thread evaluates (the IPC
    /// server's out-of-band cancel of one connection), if any.
    static REQUEST_CANCEL: std::cell::RefCell<Option<Arc<AtomicBool>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `flag` as this thread's request cancel flag: while it
/// runs, setting `flag` stops the evaluation with `cancel` as the
/// process-wide flag does, without touching other threads' evaluations.
pub fn with_request_cancel<R>(flag: &Arc<AtomicBool>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<AtomicBool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            REQUEST_CANCEL.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(REQUEST_CANCEL.with(|c| c.replace(Some(flag.clone()))));
    f()
}

/// True when a cancel was requested (the runtime's process-wide interrupt
/// flag, or the flag of the request this thread evaluates) and not yet
/// cleared.
pub fn cancel_requested() -> bool {
    crate::runtime::interrupted()
        || REQUEST_CANCEL.with(|c| c.borrow().as_ref().is_some_and(|f| f.load(Ordering::Relaxed)))
}

pub(crate) fn limit_error(what: &str) -> RayError {
    RayError::new("limit", what.to_string())
}
