//! `RayError`: the Rust-side error (a short code plus an optional message),
//! and its conversion to and from C error objects (`type == RAY_ERROR`,
//! code in `slen`/`sdata`, at most 7 bytes; the message lives in a
//! per-thread buffer, as in the reference, never in the object).

use crate::abi::*;
use crate::core::{alloc, statics};
use std::cell::RefCell;
use std::fmt;

/// An error with a reference-compatible code (`"type"`, `"domain"`, ...).
#[derive(Clone, PartialEq, Eq)]
pub struct RayError {
    code: [u8; 7],
    code_len: u8,
    msg: Option<String>,
}

pub type Result<T> = std::result::Result<T, RayError>;

impl RayError {
    /// A new error; `code` is truncated to 7 bytes like the reference's.
    pub fn new(code: &str, msg: impl Into<String>) -> Self {
        let mut e = Self::code(code);
        let m: String = msg.into();
        e.msg = (!m.is_empty()).then_some(m);
        e
    }

    /// An error with a code and no message.
    pub fn code(code: &str) -> Self {
        let b = code.as_bytes();
        let n = b.len().min(7);
        let mut c = [0u8; 7];
        c[..n].copy_from_slice(&b[..n]);
        RayError { code: c, code_len: n as u8, msg: None }
    }

    /// The out-of-memory error; its message says what this thread's last
    /// refused allocation asked for (and the budget, when that refused it).
    pub fn oom() -> Self {
        match crate::core::budget::refusal_message() {
            Some(m) => Self::new("oom", m),
            None => Self::code("oom"),
        }
    }
    pub fn type_err(msg: impl Into<String>) -> Self {
        Self::new("type", msg)
    }
    pub fn domain(msg: impl Into<String>) -> Self {
        Self::new("domain", msg)
    }
    pub fn range(msg: impl Into<String>) -> Self {
        Self::new("range", msg)
    }
    pub fn length(msg: impl Into<String>) -> Self {
        Self::new("length", msg)
    }
    pub fn io(msg: impl Into<String>) -> Self {
        Self::new("io", msg)
    }

    /// The code as text (at most 7 bytes).
    pub fn code_str(&self) -> &str {
        std::str::from_utf8(&self.code[..self.code_len as usize]).unwrap_or("error")
    }

    pub fn message(&self) -> Option<&str> {
        self.msg.as_deref()
    }

    /// Builds the C error object and records the message in this thread's
    /// message buffer. Returns the static OOM error if allocation fails.
    pub fn into_raw(self) -> *mut ray_t {
        set_last_message(self.msg.as_deref());
        raw_error(&self.code[..self.code_len as usize])
    }

    /// Reads the code of a C error object (`p` must be an error).
    ///
    /// # Safety
    /// `p` points to a live object with `type_ == RAY_ERROR`.
    pub unsafe fn from_raw_code(p: *const ray_t) -> Self {
        // SAFETY: reading the 8 value bytes of a live header.
        let b = unsafe { (*p).val.bytes };
        let n = (b[0] as usize).min(7);
        let mut c = [0u8; 7];
        c[..n].copy_from_slice(&b[1..1 + n]);
        let n = c.iter().position(|&x| x == 0).unwrap_or(n);
        RayError { code: c, code_len: n as u8, msg: None }
    }
}

/// Allocates an error object holding `code` (truncated to 7 bytes).
pub fn raw_error(code: &[u8]) -> *mut ray_t {
    let p = alloc::alloc_block(0);
    if p.is_null() {
        return statics::oom_ptr();
    }
    let n = code.len().min(7);
    let mut v = [0u8; 8];
    v[0] = n as u8;
    v[1..1 + n].copy_from_slice(&code[..n]);
    // SAFETY: p is a fresh block with a zeroed header.
    unsafe {
        (*p).type_ = RAY_ERROR;
        (*p).val.bytes = v;
    }
    p
}

impl fmt::Debug for RayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.msg {
            Some(m) => write!(f, "RayError({}: {})", self.code_str(), m),
            None => write!(f, "RayError({})", self.code_str()),
        }
    }
}

impl fmt::Display for RayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.msg {
            Some(m) => write!(f, "{}: {}", self.code_str(), m),
            None => f.write_str(self.code_str()),
        }
    }
}

impl std::error::Error for RayError {}

thread_local! {
    static LAST_MESSAGE: RefCell<Option<std::ffi::CString>> = const { RefCell::new(None) };
}

/// Records (or clears) this thread's last error message (`ray_error_msg`).
pub fn set_last_message(msg: Option<&str>) {
    let c = msg.map(|m| std::ffi::CString::new(m.replace('\0', " ")).unwrap_or_default());
    let _ = LAST_MESSAGE.try_with(|cell| *cell.borrow_mut() = c);
}

/// Calls `f` with this thread's last error message, if any.
pub fn with_last_message<R>(f: impl FnOnce(Option<&std::ffi::CStr>) -> R) -> R {
    let mut f = Some(f);
    let r = LAST_MESSAGE.try_with(|cell| (f.take().unwrap())(cell.borrow().as_deref()));
    match r {
        Ok(r) => r,
        Err(_) => (f.take().unwrap())(None),
    }
}

/// Maps a code string to `ray_err_t` (unknown codes are `RAY_ERR_DOMAIN`).
pub fn err_from_code(code: &str) -> ray_err_t {
    match code {
        "ok" => RAY_OK,
        "oom" => RAY_ERR_OOM,
        "type" => RAY_ERR_TYPE,
        "range" => RAY_ERR_RANGE,
        "length" => RAY_ERR_LENGTH,
        "rank" => RAY_ERR_RANK,
        "domain" => RAY_ERR_DOMAIN,
        "nyi" => RAY_ERR_NYI,
        "io" => RAY_ERR_IO,
        "schema" => RAY_ERR_SCHEMA,
        "corrupt" => RAY_ERR_CORRUPT,
        "cancel" => RAY_ERR_CANCEL,
        "parse" => RAY_ERR_PARSE,
        "name" => RAY_ERR_NAME,
        "limit" => RAY_ERR_LIMIT,
        "reserve" => RAY_ERR_RESERVED,
        "version" => RAY_ERR_VERSION,
        _ => RAY_ERR_DOMAIN,
    }
}

/// Maps `ray_err_t` to its code string; out of range gives `"error"`.
pub fn code_from_err(e: ray_err_t) -> &'static str {
    const CODES: [&str; 17] = [
        "ok", "oom", "type", "range", "length", "rank", "domain", "nyi", "io", "schema", "corrupt",
        "cancel", "parse", "name", "limit", "reserve", "version",
    ];
    usize::try_from(e).ok().and_then(|i| CODES.get(i).copied()).unwrap_or("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_truncate_to_seven_bytes() {
        assert_eq!(RayError::code("restricted").code_str(), "restric");
        assert_eq!(err_from_code("arity"), RAY_ERR_DOMAIN);
        assert_eq!(code_from_err(15), "reserve");
        assert_eq!(code_from_err(99), "error");
    }

    #[test]
    fn raw_error_round_trips_its_code() {
        let p = RayError::new("type", "bad").into_raw();
        let e = unsafe { RayError::from_raw_code(p) };
        assert_eq!(e.code_str(), "type");
        with_last_message(|m| assert_eq!(m.unwrap().to_str().unwrap(), "bad"));
        unsafe { crate::core::rc::free_error(p) };
    }
}
