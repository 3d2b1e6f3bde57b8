//! `insert` and `upsert` (rayfall.md 10).
use crate::core::{RayError, Result, Value};

/// `(insert T rows)` / `(insert 'T rows)`: evaluated args.
pub fn insert(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "insert"))
}

/// `(upsert T n rows)` / `(upsert 'T n rows)`: evaluated args.
pub fn upsert(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "upsert"))
}
