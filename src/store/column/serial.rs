//! Serialized column files: lists (`LSTG`), lists of strings (`STRL`),
//! tables (`TTBL`) and the legacy `STRV`, recognised by their first four
//! bytes. These columns are decoded into ordinary heap values.
//!
//! Today only recognition: such a file gives `nyi`.

use crate::core::{RayError, Result, Value};
use std::path::Path;

/// The magics that mark a serialized column.
const MAGICS: [&[u8; 4]; 4] = [b"LSTG", b"STRL", b"TTBL", b"STRV"];

/// The serialized-column magic `bytes` start with, if any.
pub fn magic(bytes: &[u8]) -> Option<&'static [u8; 4]> {
    MAGICS.iter().copied().find(|m| bytes.len() >= 4 && &bytes[..4] == *m)
}

/// The decoded value when `bytes` is a serialized column; None for a raw
/// column file.
pub fn decode_file(bytes: &[u8], path: &Path) -> Result<Option<Value>> {
    if magic(bytes).is_none() {
        return Ok(None);
    }
    Err(RayError::new("nyi", format!("col {}: list columns are not read yet", path.display())))
}
