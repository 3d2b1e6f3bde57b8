//! Column helpers.
use crate::abi::ray_t;
use crate::core::{RayError, Result, Value};

/// Elements of `col` at `idx`.
pub fn gather(_col: &ray_t, _idx: &[usize]) -> Result<Value> {
    Err(RayError::new("nyi", "gather"))
}
/// The rows of `t` at `idx` as a table.
pub fn take_rows(_t: &ray_t, _idx: &[usize]) -> Result<Value> {
    Err(RayError::new("nyi", "take_rows"))
}
/// Row `i` of `t` as a dict.
pub fn table_row(_t: &ray_t, _i: usize) -> Result<Value> {
    Err(RayError::new("nyi", "table_row"))
}
