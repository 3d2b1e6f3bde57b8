//! Rayfall: lexer, parser (source -> values: code is data), evaluator,
//! builtins, REPL formatting.
//!
//! | module | owns |
//! |---|---|
//! | `lexer`, `parser` | source text to values |
//! | `eval` | the evaluator (names, calls, lambdas, scopes) |
//! | `registry` | builtin families merged into one indexed table |
//! | `limits` | depth, size, operation and cancel bounds |
//! | `values` | argument helpers (arity errors, integer and symbol arguments); kernels are in `crate::ops` |
//! | `builtins` | one file per builtin family |
//! | `query_forms` | select/update/insert/upsert called with argument arrays (the C entry points) |
//! | `fmt` | REPL text |
#![forbid(unsafe_code)]

pub mod builtins;
pub mod eval;
pub mod fmt;
pub mod lexer;
pub mod limits;
pub mod parse_cache;
pub mod parser;
pub mod query_forms;
pub mod registry;
pub mod timers;
pub mod trace;
pub mod values;

pub use fmt::format;

use crate::abi::*;
use crate::core::{RayError, Result, Value, env, sym};
use eval::{Evaluator, RETURN_CODE, is_callable};

/// How a request reaches the evaluator (IPC server, REPL, `ray_eval_str`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestCtx {
    /// Read-only connection (`-U`): restricted builtins fail with `access`.
    pub restricted: bool,
    /// `(.ipc.handle)` during this evaluation, -1 outside IPC.
    pub handle: i64,
}

/// Clears the global environment and binds every builtin again (runtime
/// create, tests).
pub fn reset() {
    env::clear();
    registry::bind_all();
}

/// The environment generation the builtins were last found bound in.
static BOUND_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Binds the builtins if they are not bound yet (first use without
/// `reset`, or after the environment was cleared). One atomic load when
/// nothing changed.
fn ensure_bound() {
    use std::sync::atomic::Ordering;
    let generation = env::generation();
    if BOUND_GENERATION.load(Ordering::Acquire) == generation {
        return;
    }
    if env::get(sym::intern(b"+")).is_none() {
        registry::bind_all();
    }
    BOUND_GENERATION.store(generation, Ordering::Release);
}

/// Parses and evaluates Rayfall source (all forms; the last value is returned).
/// Empty, blank or comment-only source is a `parse` error; at most 256 forms.
pub fn eval_str(src: &str, ctx: RequestCtx) -> Result<Value> {
    eval_source(src, ctx).map_err(|f| f.error).and_then(|v| crate::store::parted::materialize(&v))
}

/// Why [`eval_source`] failed: the error, and where it was raised when that
/// was inside a lambda (the REPL then prints a boxed diagnostic).
#[derive(Debug)]
pub struct SourceError {
    pub error: RayError,
    /// Where the error passed when it left a lambda (innermost first, see
    /// [`trace`]); empty otherwise.
    pub trace: Vec<trace::TraceFrame>,
    /// Frames left out of `trace` (at most [`trace::MAX_FRAMES`] are kept).
    pub hidden_frames: usize,
}

impl SourceError {
    /// An error with no trace.
    pub fn plain(error: RayError) -> SourceError {
        SourceError { error, trace: Vec::new(), hidden_frames: 0 }
    }
}

/// [`eval_str`] that also reports where an error inside a lambda was raised,
/// for the REPL: a partitioned table comes back as the lazy value (`format`
/// draws it from the partitions that hold the rows it shows). Logged in the
/// query log (`.sys.querylog`) when that is enabled.
pub fn eval_source(src: &str, ctx: RequestCtx) -> std::result::Result<Value, SourceError> {
    use crate::runtime::querylog;
    let started = querylog::enabled().then(|| querylog::Start::now());
    let profiled = crate::runtime::profile::begin();
    let r = crate::core::alloc::catch_out_of_memory(|| eval_source_in(src, ctx, profiled.as_ref())).unwrap_or_else(|e| Err(SourceError::plain(e)));
    if let Some(p) = profiled {
        p.finish();
    }
    if let Some(start) = started {
        let (result_rows, status) = match &r {
            Ok(v) if v.type_ == RAY_TABLE => {
                let rows = crate::store::parted::Parted::of(v).map_or(Ok(v.table_nrows()), |p| p.count());
                (rows.unwrap_or(0), "ok".to_string())
            }
            Ok(v) if v.is_atom() => (1, "ok".to_string()),
            Ok(v) => (v.len(), "ok".to_string()),
            Err(f) => (0, f.error.code_str().to_string()),
        };
        querylog::record(start.finish(result_rows, status, src));
    }
    r
}

fn eval_source_in(src: &str, ctx: RequestCtx, profiled: Option<&crate::runtime::profile::Request>) -> std::result::Result<Value, SourceError> {
    ensure_bound();
    let mut ev = Evaluator::new(ctx);
    let parse_started = std::time::Instant::now();
    let parsed = parse_cache::parse(src.as_bytes(), &ev.limits).map_err(SourceError::plain);
    if let Some(p) = profiled {
        p.point("parse", parse_started);
    }
    let parsed = parsed?;
    if parsed.forms.is_empty() {
        return Err(SourceError::plain(RayError::new("parse", "empty input")));
    }
    ev.set_context(parsed.context.clone());
    let mut last = Value::null();
    for f in &parsed.forms {
        let r = ev.eval(f);
        match top_level(&mut ev, r) {
            Ok(v) => last = v,
            Err(error) => {
                let (trace, hidden_frames) = ev.take_failure().unwrap_or_default().finish();
                return Err(SourceError { error, trace, hidden_frames });
            }
        }
    }
    Ok(last)
}

/// A `return` outside any lambda ends the form with its value; a raise
/// that nobody caught becomes the plain `domain` error it is on the wire.
fn top_level(ev: &mut Evaluator, r: Result<Value>) -> Result<Value> {
    match r {
        Err(e) if e.code_str() == RETURN_CODE => Ok(ev.returned.take().unwrap_or_else(Value::null)),
        Err(e) => {
            ev.raised = None;
            Err(e)
        }
        ok => ok,
    }
}

/// Evaluates a decoded IPC payload by wire.md 6.2 (STR parsed, LIST with a
/// callable head called, data echoed). Errors come back as `Err`.
pub fn eval_request(payload: &Value, ctx: RequestCtx) -> Result<Value> {
    let v = crate::core::alloc::catch_out_of_memory(|| eval_request_in(payload, ctx))??;
    crate::store::parted::materialize(&v)
}

fn eval_request_in(payload: &Value, ctx: RequestCtx) -> Result<Value> {
    ensure_bound();
    match payload.type_ {
        t if t == -RAY_STR => {
            let bytes = payload.str_bytes();
            let end = bytes.iter().position(|&c| c == 0).unwrap_or(bytes.len());
            if bytes.is_empty() {
                return Ok(Value::null());
            }
            let text = String::from_utf8_lossy(&bytes[..end]);
            eval_str(&text, ctx)
        }
        t if t == -RAY_SYM => {
            if payload.is_quoted() {
                Ok(payload.clone())
            } else {
                let mut ev = Evaluator::new(ctx);
                ev.lookup(payload.i64_val())
            }
        }
        RAY_LIST if !payload.is_empty() => eval_list_payload(payload, ctx),
        _ => Ok(payload.clone()),
    }
}

/// A non-empty LIST payload: called when its head is callable (a `type`
/// error otherwise); nested lists are calls only when their own head is
/// callable, else data (wire.md 6.1 step 5).
fn eval_list_payload(payload: &Value, ctx: RequestCtx) -> Result<Value> {
    let mut ev = Evaluator::new(ctx);
    let callable = match payload.item(0) {
        Some(h) if h.type_ == -RAY_SYM => ev.lookup(h.i64_val()).is_ok_and(|f| is_callable(&f)),
        Some(h) => is_callable(h),
        None => false,
    };
    if !callable {
        return Err(RayError::type_err("the head of the message is not a function"));
    }
    let r = ev.eval_fallback(payload);
    top_level(&mut ev, r).and_then(|v| crate::store::parted::materialize(&v))
}

/// Evaluates an already-parsed expression (the C API's `ray_eval`): a
/// non-empty LIST as the server evaluates a LIST payload, anything else as
/// the evaluator does (an unquoted SYM is looked up; a STR is a string,
/// not source; other data is itself).
pub fn eval_value(x: &Value, ctx: RequestCtx) -> Result<Value> {
    ensure_bound();
    if x.type_ == RAY_LIST && !x.is_empty() {
        return eval_list_payload(x, ctx);
    }
    let mut ev = Evaluator::new(ctx);
    let r = ev.eval(x);
    top_level(&mut ev, r).and_then(|v| crate::store::parted::materialize(&v))
}

/// Calls the builtin `name` with argument values the caller already holds
/// (the C API's argument-array exports, `ray_insert_fn(args, n)`): the
/// arguments are not evaluated again, a special form (`update`) receives
/// them as its written form. Arity and restriction are checked as for any
/// call; an unknown name is a `name` error.
pub fn call_builtin(name: &str, args: Vec<Value>, ctx: RequestCtx) -> Result<Value> {
    ensure_bound();
    let f = registry::registry()
        .lookup(name.as_bytes())
        .ok_or_else(|| RayError::new("name", format!("no builtin named {name}")))?;
    let mut ev = Evaluator::new(ctx);
    let r = ev.apply(&f, args);
    top_level(&mut ev, r).and_then(|v| crate::store::parted::materialize(&v))
}
