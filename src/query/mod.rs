//! Tables and queries: select/update/insert/upsert and joins, column at a
//! time (rayfall.md section 10). The evaluator calls these for its special
//! forms and lends them an `Evaluator` to run the query's expressions.
#![forbid(unsafe_code)]

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
