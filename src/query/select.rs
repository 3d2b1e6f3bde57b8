//! `select`: where, by, projection, asc/desc, take (rayfall.md 10).
use super::Evaluator;
use crate::abi::ray_t;
use crate::core::{RayError, Result, Value};

/// Runs `(select q)`; `q` is the unevaluated dict literal.
pub fn select(_q: &ray_t, _ev: &mut dyn Evaluator) -> Result<Value> {
    Err(RayError::new("nyi", "select"))
}
