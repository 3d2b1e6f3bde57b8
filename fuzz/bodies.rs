//! What each fuzz target does with one input, shared by the libFuzzer
//! targets (fuzz_targets/*.rs) and the replay test that runs every saved
//! input and crash reproducer under `cargo test` (tests/fuzz_replay.rs).
//! Each body must return normally for any input: a panic is a finding.

use rayforce::lang::{self, RequestCtx, limits};
use rayforce::proto::frame::{self, FrameError};
use rayforce::proto::{handshake, header::HEADER_LEN};
use std::sync::Once;

/// A byte stream as the server reads it: the client's greeting, credentials
/// (a length byte and that many bytes, when the input's first byte is odd,
/// as if the server asked for a password), then frames cut off the front
/// one at a time (header check, optional decompression, decoding).
pub fn connection(data: &[u8]) {
    let Some((&mode, data)) = data.split_first() else { return };
    let Some((greeting, mut rest)) = data.split_first_chunk::<2>() else { return };
    if !handshake::client_greeting_ok(greeting) {
        return;
    }
    if mode & 1 == 1 {
        let Some((&len, body)) = rest.split_first() else { return };
        let Some((creds, after)) = body.split_at_checked(len as usize) else { return };
        let _ = handshake::parse_credentials(creds);
        rest = after;
    }
    while let Ok((h, total)) = frame::check(rest) {
        let _ = frame::decode_payload(&h, &rest[HEADER_LEN..total]);
        rest = &rest[total..];
    }
    let _ = matches!(frame::check(rest), Err(FrameError::Incomplete));
}

/// Any bytes as Rayfall source: values or a clean error, and every parsed
/// value formats.
pub fn parse(data: &[u8]) {
    if let Ok(forms) = rayforce::lang::parser::parse_all(data, &limits::Limits::DEFAULT) {
        for f in &forms {
            let _ = lang::format(f, 1);
        }
    }
}

static START: Once = Once::new();

/// Any text evaluated as a read-only client's request (restricted: no
/// `set`, no `exit`, no file or system access) under an operation budget:
/// a value or an error object, formatted as the REPL would.
pub fn eval(data: &[u8]) {
    START.call_once(|| {
        let _ = rayforce::runtime::create(None);
        lang::reset();
        limits::set_max_operations(20_000);
    });
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(v) = lang::eval_str(src, RequestCtx { restricted: true, handle: 0 }) {
        let _ = lang::format(&v, 1);
    }
}
