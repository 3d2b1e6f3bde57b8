//! Builtins: files and serialization (storage.md section 6): `read`,
//! `write`, `load`, `.fs.size`, `.fs.list`, `ser`, `de`.
//!
//! Paths are STR atoms, cut at a NUL byte as a C path would be, relative
//! to the working directory. Every file error is `io` with a message
//! naming the file and the OS's reason. `write` replaces a file
//! atomically (`store::whole_file`), unlike the reference, which
//! truncates and writes in place. `ser`/`de` are the wire codec's frame
//! (`crate::codec`); there is no second encoding here.
//!
//! This module owns argument checks and error wording; reading and writing
//! bytes belongs to `store::whole_file`, evaluation to the evaluator.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::codec;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::eval::Evaluator;
use crate::lang::parser;
use crate::lang::registry::Builtin;
use crate::ops::type_name_of;
use crate::store::file::FileError;
use crate::store::whole_file::{self, reason};
use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("read", RAY_UNARY, read).restricted(),
    Builtin::pure("write", RAY_BINARY, write).restricted(),
    Builtin::ctx("load", RAY_UNARY, load).restricted(),
    Builtin::pure(".fs.size", RAY_UNARY, fs_size),
    Builtin::pure(".fs.list", RAY_UNARY, fs_list),
    Builtin::pure("ser", RAY_UNARY, ser),
    Builtin::pure("de", RAY_UNARY, de),
];

/// The longest path `.fs.size`/`.fs.list` accept, in bytes (exclusive).
const MAX_FS_PATH: usize = 1024;

/// The path a STR atom names (up to its first NUL byte).
fn path_of(bytes: &[u8]) -> PathBuf {
    let end = bytes.iter().position(|&c| c == 0).unwrap_or(bytes.len());
    PathBuf::from(OsStr::from_bytes(&bytes[..end]))
}

/// `who`'s STR argument `what` (`path`, `content`), else `type`.
fn str_arg<'a>(v: &'a Value, who: &str, what: &str) -> Result<&'a [u8]> {
    if v.type_ != -RAY_STR {
        return Err(RayError::type_err(format!("{who}: {what} must be str, got {}", type_name_of(v))));
    }
    Ok(v.str_bytes())
}

/// A file error as the builtins report it: `io` (`oom` when the content
/// does not fit in memory), naming the file.
fn file_error(who: &str, e: &FileError) -> RayError {
    let code = if e.source.kind() == io::ErrorKind::OutOfMemory { "oom" } else { "io" };
    RayError::new(code, format!("{who}: {}: {}", e.path.display(), reason(&e.source)))
}

fn io_error(path: &Path, e: &io::Error) -> RayError {
    RayError::io(format!("{}: {}", path.display(), reason(e)))
}

/// `(read PATH)`: the whole file as one STR atom, bytes verbatim.
fn read(args: &[Value]) -> Result<Value> {
    let path = path_of(str_arg(&args[0], "read", "path")?);
    let bytes = whole_file::read_whole(&path).map_err(|e| file_error("read", &e))?;
    Value::try_str(&bytes)
}

/// `(write PATH TEXT)`: replaces the file's content with TEXT's bytes; 0.
fn write(args: &[Value]) -> Result<Value> {
    let path = path_of(str_arg(&args[0], "write", "path")?);
    let text = str_arg(&args[1], "write", "content")?;
    whole_file::write_whole(&path, text).map_err(|e| file_error("write", &e))?;
    Ok(Value::i64(0))
}

/// `(load PATH)`: evaluates the file's Rayfall source in the global scope
/// and returns its last value; an empty file gives 0. Errors: `parse`
/// (naming the file), the source's own evaluation errors.
fn load(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let path = path_of(str_arg(&args[0], "load", "path")?);
    let size = std::fs::metadata(&path).map_err(|e| RayError::io(format!("load: {}: {}", path.display(), reason(&e))))?.len();
    if size > ev.limits.max_source_bytes as u64 {
        return Err(RayError::new("limit", format!("load: {}: {size} bytes of source is too large", path.display())));
    }
    let src = whole_file::read_whole(&path).map_err(|e| file_error("load", &e))?;
    if src.is_empty() {
        return Ok(Value::i64(0));
    }
    let named = |e: RayError| {
        let msg = e.message().map_or(String::new(), |m| format!(": {m}"));
        RayError::new(e.code_str(), format!("load: {}{msg}", path.display()))
    };
    let forms = parser::parse_all(&src, &ev.limits).map_err(named)?;
    if forms.is_empty() {
        return Err(named(RayError::new("parse", "nothing to evaluate")));
    }
    ev.eval_global(&forms)
}

/// A path argument of `.fs.size`/`.fs.list`: a STR atom of 1..1023 bytes.
fn fs_path(v: &Value, who: &str) -> Result<PathBuf> {
    if v.type_ != -RAY_STR {
        return Err(RayError::type_err(format!("{who} expects a string path")));
    }
    let bytes = v.str_bytes();
    if bytes.is_empty() || bytes.len() >= MAX_FS_PATH {
        return Err(RayError::domain(format!("{who} path is empty or too long, got {} bytes", bytes.len())));
    }
    Ok(path_of(bytes))
}

/// `(.fs.size PATH)`: the file's size in bytes (I64).
fn fs_size(args: &[Value]) -> Result<Value> {
    let path = fs_path(&args[0], ".fs.size")?;
    let meta = std::fs::metadata(&path).map_err(|e| io_error(&path, &e))?;
    if meta.is_dir() {
        return Err(io_error(&path, &whole_file::is_a_directory()));
    }
    i64::try_from(meta.len()).map(Value::i64).map_err(|_| RayError::range(format!("{}: size out of range", path.display())))
}

/// `(.fs.list PATH)`: the directory's entry names as a SYM vector, sorted
/// byte-wise, dotfiles included (`.` and `..` are not entries).
fn fs_list(args: &[Value]) -> Result<Value> {
    let path = fs_path(&args[0], ".fs.list")?;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&path).map_err(|e| io_error(&path, &e))? {
        names.push(entry.map_err(|e| io_error(&path, &e))?.file_name());
    }
    names.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let ids: Vec<i64> = names.iter().map(|n| sym::intern(n.as_bytes())).collect();
    Value::sym_vec(&ids)
}

/// `(ser X)`: a U8 vector holding X's `ser` frame (wire.md 4.12).
fn ser(args: &[Value]) -> Result<Value> {
    codec::ser_vector(&args[0]).map_err(|e| RayError::domain(format!("ser: {}", e.message().unwrap_or(e.code_str()))))
}

/// `(de BYTES)`: the value a `ser` frame holds. Errors: not a U8 vector
/// `type`; a bad header or size `domain`; another wire version `version`.
fn de(args: &[Value]) -> Result<Value> {
    let x = &args[0];
    if x.type_ != RAY_U8 {
        return Err(RayError::type_err(format!("de: input must be a u8 byte buffer, got {}", type_name_of(x))));
    }
    codec::de(x.elems::<u8>())
}
