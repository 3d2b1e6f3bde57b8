//! IPC wire: handshake and 16-byte frame header, frame check then parse.
//!
//! Layout:
//! - `header`: the 16-byte frame header (constants, parse, write).
//! - `frame`: `check` (is a whole frame buffered? *incomplete* vs *invalid*),
//!   payload decode (decompress + codec) and outbound frame building
//!   (one buffer per frame, or a head plus a borrowed vector body).
//! - `handshake`: greeting bytes, credential text, the padded secret and its
//!   constant-time compare.
//!
//! Nothing here does I/O: `net` feeds bytes in and takes bytes out.
#![forbid(unsafe_code)]

pub mod frame;
pub mod handshake;
pub mod header;

pub use frame::{FrameError, OutFrame};
pub use header::{Header, HeaderError};
