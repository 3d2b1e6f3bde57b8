//! Builtins: table family (see spec/rayfall.md sections 8 and 10). Registered
//! by the evaluator from `BUILTINS`. All take evaluated arguments; the
//! in-place forms of `insert`/`upsert` (a symbol as first argument) rebind
//! the global themselves and return the symbol. `select`, `update`,
//! `window-join` and `window-join1` need the evaluator: see `crate::query`.
#![forbid(unsafe_code)]

use super::spec::{Builtin, PureFn};
use crate::abi::{RAY_BINARY, RAY_UNARY, RAY_VARY};
use crate::query;

const fn spec(name: &'static str, kind: i8, f: PureFn) -> Builtin {
    Builtin::pure(name, kind, f)
}

pub const BUILTINS: &[Builtin] = &[
    spec("table", RAY_BINARY, query::table),
    spec("cols", RAY_UNARY, query::cols),
    spec("xasc", RAY_BINARY, query::xasc),
    spec("xdesc", RAY_BINARY, query::xdesc),
    spec("union-all", RAY_BINARY, query::union_all),
    spec("insert", RAY_VARY, query::insert).restricted(),
    spec("upsert", RAY_VARY, query::upsert).restricted(),
    spec("left-join", RAY_VARY, query::left_join),
    spec("inner-join", RAY_VARY, query::inner_join),
    spec("full-join", RAY_VARY, query::full_join),
    spec("anti-join", RAY_VARY, query::anti_join),
    spec("asof-join", RAY_VARY, query::asof_join),
];
