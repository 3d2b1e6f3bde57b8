//! Table sorts.
use crate::core::{RayError, Result, Value};

pub fn xasc(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "xasc"))
}
pub fn xdesc(_args: &[Value]) -> Result<Value> {
    Err(RayError::new("nyi", "xdesc"))
}
