//! The shared shape of a context-free builtin, so builtin families can be
//! written apart from the evaluator and registered by it.

use crate::core::{Result, Value};

/// A builtin that needs no evaluator context: it gets evaluated arguments.
pub type PureFn = fn(&[Value]) -> Result<Value>;

/// One entry of a builtin family's table.
#[derive(Clone, Copy)]
pub struct Spec {
    /// The Rayfall name (`"til"`, `"str-join"`, ...).
    pub name: &'static str,
    /// `abi::RAY_UNARY`, `RAY_BINARY` or `RAY_VARY` (arity 1, 2, any).
    pub kind: i8,
    /// Refused on read-only (`-U`) connections with `access`.
    pub restricted: bool,
    /// True for aggregates (`sum`, `avg`, ...): select collapses to one row.
    pub aggregate: bool,
    pub f: PureFn,
}
