//! Tables and queries: select/update/insert/upsert and joins, column at a
//! time (rayfall.md section 10). The evaluator calls these for its special
//! forms and lends them an `Evaluator` to run the query's expressions.
//!
//! # Wiring for the evaluator (the whole contract)
//!
//! | Rayfall form | call | arguments |
//! |---|---|---|
//! | `(select {...})` | [`select`] | the **unevaluated** dict literal (DICT: SYM keys, LIST of raw expressions) |
//! | `(update {...})` | [`update`] | the same |
//! | `(window-join k (list lo hi) L R {agg...})` | [`window_join`] | the 5 **evaluated** args (the dict literal evaluates to itself, its raw expressions are what we want); `window-join1` passes `prevailing = false` |
//! | `(window {...})` | [`window`] | the **unevaluated** arguments, and the moving kernels (`msum mavg mmin mmax`) of the caller |
//! | `insert upsert left-join inner-join full-join anti-join asof-join table cols xasc xdesc union-all` | ordinary builtins in `lang::builtins::table::BUILTINS` | evaluated args |
//!
//! Helpers for other builtin families: [`distinct_rows`] (`distinct` on a
//! table), [`install_builtin_traits`] (how the upper layer tells select which
//! call heads are aggregates, row-wise, or have a grouped kernel). Column
//! and row kernels (gather, nulls, table rows) live in `crate::ops`.
//!
//! In-place forms: when `from:` of `update` (or the first argument of
//! `insert`/`upsert`) evaluates to a SYM atom, the global it names is read and
//! replaced through `core::env` **by this module**, and the plain (unquoted)
//! symbol is returned. An unbound symbol ⇒ `domain`. On a restricted
//! connection `update` in place ⇒ `access`.
//!
//! Expressions are evaluated with `Evaluator::eval_with_columns`, whose
//! lookup closure returns the column (or per-group slice of it) for a symbol
//! id. The evaluator's side of that contract (rayfall.md 10): columns before
//! globals; tick symbols naming a column resolve to it; an unknown argument
//! name ⇒ `schema`, but an unknown *call head* such as `=` ⇒ `name`
//! (corpus select-002); `(nil? col)` is element-wise inside the columns
//! scope (select-020); `==` between a SYM column and a string compares names.
#![forbid(unsafe_code)]

mod agg;
mod dense;
mod expr;
mod filtered;
mod group;
mod hash_join;
mod insert;
mod join;
mod moments;
mod parted;
mod parted_agg;
mod pivot;
mod reshape;
mod select;
mod sort;
mod table;
mod update;
mod view;
mod window;

pub use agg::Agg;
pub use moments::Spread;
pub use insert::{insert, upsert};
pub use join::{anti_join, asof_join, full_join, inner_join, left_join, window_join};
pub use pivot::{PivotAgg, pivot};
pub use reshape::{fkeys, row, ungroup, xcol, xcols, xgroup, xkey};
pub use select::select;
pub use sort::{xasc, xdesc};
pub use table::{cols, distinct_rows, table, union_all};
pub use update::update;
pub use window::{Moving, MovingKernel, window};

use crate::abi::ray_t;
use crate::core::{Result, Value};

/// What the query engine needs from the evaluator.
pub trait Evaluator {
    /// Evaluates `expr` (parsed Rayfall data) where a name first resolves
    /// through `columns` (a column of the from-table, by symbol id), then as usual.
    fn eval_with_columns(&mut self, expr: &ray_t, columns: &dyn Fn(i64) -> Option<Value>) -> Result<Value>;
    /// Evaluates `expr` in the caller's ordinary scope.
    fn eval(&mut self, expr: &ray_t) -> Result<Value>;
    /// True for read-only (`-U`) connections.
    fn restricted(&self) -> bool;
}


/// What the query engine needs to know about a builtin named at the head of
/// a call (from its registry row; all false/None for any other name).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallTraits {
    /// Collapses a column to one value: select collapses to one row.
    pub aggregate: bool,
    /// Element-wise: may run once over whole columns instead of per group.
    pub row_wise: bool,
    /// The kernel a grouped select runs for `(name column)` directly.
    pub grouped: Option<Agg>,
    /// Length-preserving and order-dependent: with `where:` and no `by:` it
    /// sees the whole column, and the filter applies to its result.
    pub uniform: bool,
}

static BUILTIN_TRAITS: std::sync::OnceLock<fn(i64) -> CallTraits> = std::sync::OnceLock::new();

/// Installs the function that answers [`CallTraits`] for a symbol id. The
/// builtin registry (`lang::registry`) installs it when it is built; until
/// then no name is an aggregate or row-wise. The first install wins.
pub fn install_builtin_traits(traits: fn(i64) -> CallTraits) {
    let _ = BUILTIN_TRAITS.set(traits);
}

/// The installed answer for symbol id `id`.
pub(crate) fn builtin_traits(id: i64) -> CallTraits {
    BUILTIN_TRAITS.get().map_or_else(CallTraits::default, |f| f(id))
}
