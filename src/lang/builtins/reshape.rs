//! Builtins: reshaping tables (builtins.md section 6): `ungroup pivot xcol
//! xcols xkey xgroup fkeys row modify`. The kernels are in
//! `crate::query` (`reshape`, `pivot`); this family adds the two that call
//! a function (`pivot`'s aggregate, `modify`'s column function) through
//! the evaluator, and checks their variadic argument counts with the
//! reference's wording.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};
use crate::lang::eval::{Evaluator, is_callable};
use crate::lang::registry::Builtin;
use crate::ops::table::{columns, find_col, with_columns};
use crate::ops::{is_collection, type_name_of};
use crate::query;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("ungroup", RAY_UNARY, query::ungroup),
    Builtin::pure("xcol", RAY_BINARY, query::xcol),
    Builtin::pure("xcols", RAY_BINARY, query::xcols),
    Builtin::pure("xkey", RAY_BINARY, query::xkey),
    Builtin::pure("xgroup", RAY_BINARY, query::xgroup),
    Builtin::pure("fkeys", RAY_UNARY, query::fkeys),
    Builtin::pure("row", RAY_BINARY, query::row),
    Builtin::ctx("modify", RAY_VARY, modify).restricted(),
    Builtin::ctx("pivot", RAY_VARY, pivot),
];

/// The aggregates whose pivot cells are typed from the value column.
const PIVOT_BUILTINS: [&str; 7] = ["sum", "avg", "min", "max", "count", "first", "last"];

fn pivot(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args.len() != 5 {
        return Err(RayError::new("arity", "pivot expects 5 arguments: table, index, pivot-col, value-col, agg-fn"));
    }
    let f = &args[4];
    if !is_callable(f) {
        return Err(RayError::type_err(format!("pivot: agg-fn must be a function, got {}", type_name_of(f))));
    }
    let builtin = if f.is_builtin() {
        let name = crate::core::sym::name_or_empty(f.builtin_name_id());
        PIVOT_BUILTINS.iter().copied().find(|b| b.as_bytes() == name)
    } else {
        None
    };
    let mut apply = |vals: Value| ev.apply(f, vec![vals]);
    query::pivot(&args[..4], query::PivotAgg { apply: &mut apply, builtin, float_label: crate::lang::fmt::f64_display })
}

/// `(modify t col f)`: `t` with column `col` replaced by `(f column)`.
/// Arguments past the third are ignored, as the reference ignores them.
fn modify(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args.len() < 3 {
        return Err(RayError::new("arity", format!("modify expects 3 arguments: table, column, function, got {}", args.len())));
    }
    let (t, col, f) = (&args[0], &args[1], &args[2]);
    if t.type_() != RAY_TABLE {
        return Err(RayError::type_err(format!("modify: first arg must be a table, got {}", type_name_of(t))));
    }
    if col.type_() != -RAY_SYM {
        return Err(RayError::type_err(format!("modify: second arg must be a symbol, got {}", type_name_of(col))));
    }
    let pos = find_col(t, col.i64_val()).ok_or_else(|| RayError::domain("modify: column not found"))?;
    if !is_callable(f) {
        return Err(RayError::type_err(format!("call: expected a callable function, got {}", type_name_of(f))));
    }
    let mut cols = columns(t);
    let new = ev.apply(f, vec![cols[pos].clone()])?;
    // RayforceDB stores whatever comes back; a column of another length
    // would make a corrupt table, so it is refused here.
    let n = t.table_nrows();
    if !is_collection(&new) || new.len() != n {
        return Err(RayError::length(format!("modify: the function must return a column of {n} rows")));
    }
    cols[pos] = new;
    with_columns(t, cols)
}
