//! `update`: by value or in place on a named table (rayfall.md 10).
use super::Evaluator;
use crate::abi::ray_t;
use crate::core::{RayError, Result, Value};

/// Runs `(update q)`; `q` is the unevaluated dict literal. When `from:`
/// yields a symbol, the global is replaced and the symbol returned.
pub fn update(_q: &ray_t, _ev: &mut dyn Evaluator) -> Result<Value> {
    Err(RayError::new("nyi", "update"))
}
