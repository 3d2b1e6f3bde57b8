//! REPL formatting (`ray_fmt`, the conformance `text` field): rayfall.md section 13.
#![forbid(unsafe_code)]

use crate::abi::ray_t;

/// The REPL's text for a value (mode 0 compact, 1 REPL, 2 unlimited).
pub fn format(_v: &ray_t, _mode: i32) -> String {
    String::new()
}
