//! Rayfall: lexer, parser (source -> values: code is data), evaluator,
//! builtins, REPL formatting. PLACEHOLDER entry points: the evaluator issue
//! replaces the bodies; the signatures are the contract IPC and FFI use.
#![forbid(unsafe_code)]

pub mod builtins;
pub mod fmt;

pub use fmt::format;

use crate::core::{RayError, Result, Value};

/// How a request reaches the evaluator (IPC server, REPL, `ray_eval_str`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestCtx {
    /// Read-only connection (`-U`): restricted builtins fail with `access`.
    pub restricted: bool,
    /// `(.ipc.handle)` during this evaluation, -1 outside IPC.
    pub handle: i64,
}

/// Parses and evaluates Rayfall source (all forms; the last value is returned).
pub fn eval_str(_src: &str, _ctx: RequestCtx) -> Result<Value> {
    Err(RayError::new("nyi", "evaluator not implemented"))
}

/// Evaluates a decoded IPC payload by wire.md 6.2 (STR parsed, LIST with a
/// callable head called, data echoed). Errors come back as `Err`.
pub fn eval_request(_payload: &Value, _ctx: RequestCtx) -> Result<Value> {
    Err(RayError::new("nyi", "evaluator not implemented"))
}
