//! Builtins: table family (see spec/rayfall.md sections 8 and 10). Registered
//! by the evaluator from `BUILTINS`. All take evaluated arguments; the
//! in-place forms of `insert`/`upsert` rebind the global themselves.
#![forbid(unsafe_code)]

use super::spec::Spec;
use crate::abi::{RAY_BINARY, RAY_VARY};
use crate::query;

const fn vary(name: &'static str, f: super::spec::PureFn) -> Spec {
    Spec { name, kind: RAY_VARY, restricted: false, aggregate: false, f }
}
const fn binary(name: &'static str, f: super::spec::PureFn) -> Spec {
    Spec { name, kind: RAY_BINARY, restricted: false, aggregate: false, f }
}

pub const BUILTINS: &[Spec] = &[
    binary("xasc", query::xasc),
    binary("xdesc", query::xdesc),
    vary("insert", query::insert),
    vary("upsert", query::upsert),
    vary("left-join", query::left_join),
    vary("inner-join", query::inner_join),
    vary("full-join", query::full_join),
    vary("anti-join", query::anti_join),
    vary("asof-join", query::asof_join),
];
