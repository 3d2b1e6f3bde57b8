//! Builtins: higher family (rayfall.md sections 6-8).
#![forbid(unsafe_code)]

use crate::lang::registry::Entry;

pub const BUILTINS: &[Entry] = &[];
