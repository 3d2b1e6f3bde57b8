//! Joins: left, inner, full, anti, as-of and window (rayfall.md 10).
use super::Evaluator;
use crate::core::{RayError, Result, Value};

pub fn left_join(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "left-join"))
}
pub fn inner_join(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "inner-join"))
}
pub fn full_join(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "full-join"))
}
pub fn anti_join(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "anti-join"))
}
pub fn asof_join(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "asof-join"))
}
/// `(window-join [k t] (list lo hi) L R {name: (agg col)})`, evaluated args.
/// `prevailing`: true for `window-join` (adds the last R row before `lo`),
/// false for `window-join1`.
pub fn window_join(_args: &[Value], _ev: &mut dyn Evaluator, _prevailing: bool) -> Result<Value> {
    Err(RayError::new("nyi", "window-join"))
}
