//! The `.log.*` builtins (storage.md 7.8), thin adapters over the journal's
//! modules, registered into `lang`'s registry by `journal::install`.
//!
//! `.log.write` from a restricted (`-U`) evaluation writes its frame with
//! the restricted flag (0x02), so replay runs it restricted too (the
//! reference writes it unflagged: a privilege escalation).

use super::log::{self, Mode};
use super::{frame, replay, snapshot};
use crate::abi::{RAY_STR, RAY_SYM, RAY_UNARY, RAY_VARY};
use crate::core::{RayError, Result, Value, sym};
use crate::lang::builtins::spec::Builtin;
use crate::lang::eval::Evaluator;
use crate::proto::header::FLAG_RESTRICTED;
use std::path::PathBuf;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".log.open", RAY_VARY, log_open).restricted(),
    Builtin::ctx(".log.write", RAY_UNARY, log_write),
    Builtin::pure(".log.sync", RAY_VARY, log_sync),
    Builtin::pure(".log.close", RAY_VARY, log_close).restricted(),
    Builtin::pure(".log.roll", RAY_VARY, log_roll).restricted(),
    Builtin::pure(".log.snapshot", RAY_VARY, log_snapshot).restricted(),
    Builtin::pure(".log.replay", RAY_UNARY, log_replay).restricted(),
    Builtin::pure(".log.validate", RAY_UNARY, log_validate),
    Builtin::pure(".log.purge", RAY_VARY, log_purge).restricted(),
];

/// The path a STR atom names.
fn path_arg(v: &Value, what: &str) -> Result<PathBuf> {
    if v.type_() != -RAY_STR {
        return Err(RayError::type_err(what.to_string()));
    }
    let bytes = v.str_bytes();
    let end = bytes.iter().position(|&c| c == 0).unwrap_or(bytes.len());
    Ok(PathBuf::from(String::from_utf8_lossy(&bytes[..end]).into_owned()))
}

fn log_open(args: &[Value]) -> Result<Value> {
    let [mode, base] = args else {
        return Err(RayError::new("rank", ".log.open expects (`async|`sync; \"base\")"));
    };
    if mode.type_() != -RAY_SYM {
        return Err(RayError::type_err(".log.open mode must be a symbol"));
    }
    let mode = match sym::name(mode.i64_val()) {
        Some(b"async") => Mode::Async,
        Some(b"sync") => Mode::Sync,
        _ => return Err(RayError::domain(".log.open mode must be `async or `sync")),
    };
    let base = path_arg(base, ".log.open base must be a string")?;
    if base.as_os_str().is_empty() {
        return Err(RayError::domain(".log.open base must not be empty"));
    }
    log::open(mode, &base)?;
    Ok(Value::null())
}

fn log_write(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if !log::is_open() {
        return Err(RayError::new("noopen", ".log.write: no journal open (start with -l/-L)"));
    }
    let x = args.first().ok_or_else(|| RayError::new("rank", ".log.write expects one value"))?;
    let mut bytes = crate::codec::ser(x)?;
    if bytes.len() <= crate::codec::frame::HEADER_LEN {
        return Err(RayError::domain(".log.write: nothing to write"));
    }
    if ev.ctx.restricted {
        bytes[5] |= FLAG_RESTRICTED;
    }
    let (head, payload) = bytes.split_at(crate::codec::frame::HEADER_LEN);
    if let Some(ticket) = log::append(head, payload)? {
        log::await_durable(ticket)?;
    }
    Ok(Value::null())
}

fn log_sync(_args: &[Value]) -> Result<Value> {
    log::sync()?;
    Ok(Value::null())
}

fn log_close(_args: &[Value]) -> Result<Value> {
    log::close()?;
    Ok(Value::null())
}

fn log_roll(_args: &[Value]) -> Result<Value> {
    log::roll(std::time::SystemTime::now(), &mut |_| Ok(()))?;
    Ok(Value::null())
}

fn log_snapshot(_args: &[Value]) -> Result<Value> {
    let base = log::open_base().ok_or_else(|| RayError::domain(".log.snapshot: no journal open"))?;
    if !log::replaying() {
        snapshot::take(&base)?;
    }
    Ok(Value::null())
}

fn log_replay(args: &[Value]) -> Result<Value> {
    let path = path_arg(&args[0], ".log.replay expects a string path")?;
    replay::replay_builtin(&path).map(|n| Value::i64(n as i64))
}

fn log_validate(args: &[Value]) -> Result<Value> {
    let path = path_arg(&args[0], ".log.validate expects a string path")?;
    let (frames, bytes) = frame::validate(&path).map_err(|_| RayError::code("io"))?;
    Ok(Value::list(vec![Value::i64(frames as i64), Value::i64(bytes as i64)]))
}

fn log_purge(_args: &[Value]) -> Result<Value> {
    log::purge()?;
    Ok(Value::null())
}
