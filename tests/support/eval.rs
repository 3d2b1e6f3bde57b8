//! Running Rayfall lines in tests: one evaluator entry and the answer texts
//! tests compare against, so every test file evaluates and prints the same way.
//!
//! Tests without the full `support` module include this file alone with
//! `#[path = "support/eval.rs"] mod eval;`.
#![allow(dead_code)]

use rayforce::lang::{RequestCtx, format};
use rayforce::{Result, Value};

/// Evaluates `src` as a local request with `ctx`, every builtin family
/// installed (the IPC family registers itself from above the language).
pub fn ev_ctx(src: &str, ctx: RequestCtx) -> Result<Value> {
    rayforce::ipc::install();
    rayforce::lang::eval_str(src, ctx)
}

/// Evaluates `src` as a local, unrestricted request.
pub fn ev(src: &str) -> Result<Value> {
    ev_ctx(src, RequestCtx::default())
}

/// How an error shows in an answer text.
#[derive(Clone, Copy)]
pub enum Errors {
    /// `error: CODE`: the code is the normative part of the reference's errors.
    Code,
    /// `error: CODE: message`, for tests that check what the message names.
    WithMessage,
}

/// The text of the answer to `src` in a `format` mode (0 compact, 1 REPL).
pub fn answer(src: &str, mode: i32, errors: Errors) -> String {
    match ev(src) {
        Ok(v) => format(&v, mode),
        Err(e) => match errors {
            Errors::Code => format!("error: {}", e.code_str()),
            Errors::WithMessage => format!("error: {}: {}", e.code_str(), e.message().unwrap_or_default()),
        },
    }
}

/// The compact text of the answer; an error as `error: CODE`.
pub fn text(src: &str) -> String {
    answer(src, 0, Errors::Code)
}

/// The compact text of the answer; an error as `error: CODE: message`.
pub fn text_msg(src: &str) -> String {
    answer(src, 0, Errors::WithMessage)
}
