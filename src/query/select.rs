//! `select`: clauses are read from the dict literal, then applied in the
//! fixed order where -> group/project -> asc/desc -> take (rayfall.md 10),
//! whatever their position in the dict.
#![forbid(unsafe_code)]

use super::Evaluator;
use crate::ops::{broadcast, elem_is_null, from_atoms, gather_ix, is_collection as is_column};
use crate::ops::table::{make_table};
use super::expr;
use super::agg::{Agg, Job, aggregate, group_and_aggregate};
use super::group::Groups;
use super::sort::{key_names, sort_table};
use crate::ops::sort::Nulls;
use super::view::{Sel, View, selection};
pub use super::filtered::eval_filtered;
use crate::runtime::profile;
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

/// The clauses of a query dict, with output (or assignment) columns in dict order.
pub struct Clauses<'a> {
    pub from: Option<&'a ray_t>,
    pub where_: Option<&'a ray_t>,
    pub by: Option<&'a ray_t>,
    /// (column id, descending) in dict order.
    pub order: Vec<(&'a ray_t, bool)>,
    pub take: Option<&'a ray_t>,
    pub outputs: Vec<(i64, &'a ray_t)>,
}

struct Keys {
    from: i64,
    where_: i64,
    by: i64,
    asc: i64,
    desc: i64,
    take: i64,
}

fn keys() -> Keys {
    Keys {
        from: sym::intern(b"from"),
        where_: sym::intern(b"where"),
        by: sym::intern(b"by"),
        asc: sym::intern(b"asc"),
        desc: sym::intern(b"desc"),
        take: sym::intern(b"take"),
    }
}

impl<'a> Clauses<'a> {
    /// Splits the query dict `q` (SYM keys, LIST of raw expressions).
    pub fn parse(q: &'a ray_t) -> Result<Clauses<'a>> {
        let (Some(ks), Some(vs)) = (q.dict_keys(), q.dict_vals()) else {
            return Err(RayError::type_err("query: expected a dict"));
        };
        if ks.type_() != RAY_SYM || vs.type_() != RAY_LIST || ks.len() != vs.len() {
            return Err(RayError::type_err("query: expected a dict with symbol keys"));
        }
        let k = keys();
        let mut c = Clauses { from: None, where_: None, by: None, order: Vec::new(), take: None, outputs: Vec::new() };
        for (i, v) in vs.items().iter().enumerate() {
            let v = v.ok_or_else(|| RayError::type_err("query: empty clause"))?;
            let id = ks.sym_at(i);
            // Repeated clause keys: only the first counts (rayfall.md 14.15).
            if id == k.from {
                c.from.get_or_insert(v);
            } else if id == k.where_ {
                c.where_.get_or_insert(v);
            } else if id == k.by {
                c.by.get_or_insert(v);
            } else if id == k.asc || id == k.desc {
                c.order.push((v, id == k.desc));
            } else if id == k.take {
                c.take.get_or_insert(v);
            } else {
                c.outputs.push((id, v));
            }
        }
        Ok(c)
    }
}

/// Evaluates `from:` to a table. A quoted symbol or any non-table ⇒ `type`.
pub fn eval_from(from: Option<&ray_t>, ev: &mut dyn Evaluator) -> Result<Value> {
    let from = from.ok_or_else(|| RayError::domain("select: missing `from:` clause"))?;
    let t = ev.eval(from)?;
    if t.type_() != RAY_TABLE {
        return Err(RayError::type_err("query: from: expects a table"));
    }
    crate::ops::table::check_table(&t)?;
    Ok(t)
}

/// Evaluates `e` with the view's columns in scope.
pub fn eval_in(ev: &mut dyn Evaluator, e: &ray_t, view: &View) -> Result<Value> {
    ev.eval_with_columns(e, &|id| view.lookup(id))
}

/// Runs `(select q)`; `q` is the unevaluated dict literal.
pub fn select(q: &ray_t, ev: &mut dyn Evaluator) -> Result<Value> {
    let c = Clauses::parse(q)?;
    let mut t = eval_from(c.from, ev)?;
    let mut took = None;
    if let Some(p) = crate::store::parted::Parted::of(&t) {
        if let Some(out) = super::parted_agg::grouped_by_partition(ev, &c, &p)? {
            return order_and_take(ev, &c, out, None);
        }
        (t, took) = super::parted::gather_for(ev, &c, &p)?;
    }
    let full = View::of_table(&t);
    let mut view = full.reselect(Sel::All);
    if let Some(w) = c.where_ {
        view = profile::step("where", |v: &View| v.nrows() as i64, || {
            let pred = eval_in(ev, w, &view)?;
            Ok(view.reselect(selection(&pred, view.nrows_all)?))
        })?;
    }
    let out = match c.by {
        Some(by) => profile::step("group", |t: &Value| t.table_nrows(), || grouped(ev, &view, by, &c.outputs))?,
        None => project(ev, &full, &view, &c.outputs)?,
    };
    order_and_take(ev, &c, out, took)
}

/// `asc:`/`desc:` then `take:` on a query's result (`took`: the `take:`
/// value when it was already evaluated).
fn order_and_take(ev: &mut dyn Evaluator, c: &Clauses, mut out: Value, took: Option<Value>) -> Result<Value> {
    if !c.order.is_empty() {
        let mut ks = Vec::new();
        for &(arg, desc) in &c.order {
            ks.extend(key_names(arg)?.into_iter().map(|k| (k, desc)));
        }
        out = sort_table(&out, &ks, Nulls::Largest)?;
    }
    if let Some(tk) = c.take {
        let n = match took {
            Some(n) => n,
            None => ev.eval(tk)?,
        };
        out = take(&out, &n)?;
    }
    Ok(out)
}

/// Projection without `by:` over `view`, the rows of `full` that pass `where:`.
fn project(ev: &mut dyn Evaluator, full: &View, view: &View, outputs: &[(i64, &ray_t)]) -> Result<Value> {
    if outputs.is_empty() {
        return make_table(&view.names, view.all_cols()?);
    }
    let mut vals = Vec::with_capacity(outputs.len());
    let mut any_agg = false;
    for &(_, e) in outputs {
        any_agg |= expr::contains_aggregate(e);
        vals.push(eval_filtered(ev, full, view, e)?);
    }
    let mut len = None;
    for v in &vals {
        if is_column(v) {
            let n = v.len() as usize;
            if *len.get_or_insert(n) != n {
                return Err(RayError::length("select: output columns differ in length"));
            }
        }
    }
    let n = len.unwrap_or(if any_agg { 1 } else { view.nrows() });
    let cols = vals.iter().map(|v| if is_column(v) { Ok(v.clone()) } else { broadcast(v, n) }).collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = outputs.iter().map(|o| o.0).collect();
    make_table(&ids, cols)
}

/// The key columns of `by:`: (name, column) pairs over the view.
pub(crate) fn by_keys(ev: &mut dyn Evaluator, view: &View, by: &ray_t) -> Result<Vec<(i64, Value)>> {
    let key = |ev: &mut dyn Evaluator, name: i64, e: &ray_t| -> Result<(i64, Value)> {
        let v = match expr::name_id(e).and_then(|id| view.lookup(id)) {
            Some(col) => col,
            None => eval_in(ev, e, view)?,
        };
        let v = if is_column(&v) { v } else { broadcast(&v, view.nrows())? };
        if v.len() as usize != view.nrows() {
            return Err(RayError::length("by: key length differs from the table"));
        }
        Ok((name, v))
    };
    match by.type_() {
        RAY_SYM => (0..by.len() as usize)
            .map(|i| {
                let id = by.sym_at(i);
                key(ev, id, &Value::sym_id(id))
            })
            .collect(),
        RAY_DICT => {
            let (Some(ks), Some(vs)) = (by.dict_keys(), by.dict_vals()) else {
                return Err(RayError::type_err("by: bad dict"));
            };
            if ks.type_() != RAY_SYM || vs.type_() != RAY_LIST {
                return Err(RayError::type_err("by: expected {alias: column}"));
            }
            let mut out = Vec::new();
            for (i, e) in vs.items().iter().enumerate() {
                let e = e.ok_or_else(|| RayError::type_err("by: empty key"))?;
                let alias = ks.sym_at(i);
                if view.lookup(alias).is_some() && expr::name_id(e) != Some(alias) {
                    return Err(RayError::domain("by-dict alias shadows an existing input column"));
                }
                out.push(key(ev, alias, e)?);
            }
            Ok(out)
        }
        _ => {
            // A name keeps its own name; any other expression gets the empty name.
            let name = expr::name_id(by).unwrap_or(0);
            Ok(vec![key(ev, name, by)?])
        }
    }
}

/// Grouped projection: key columns first, then one value (or one LIST item) per group.
fn grouped(ev: &mut dyn Evaluator, view: &View, by: &ray_t, outputs: &[(i64, &ray_t)]) -> Result<Value> {
    let keys = by_keys(ev, view, by)?;
    let key_refs: Vec<&ray_t> = keys.iter().map(|k| &*k.1).collect();
    // With one key, an output that is a bare reference to the key's name
    // is left out (the key column is already there): RayforceDB answers
    // `{x: sym p: (sum price) by: sym}` with `sym p`, and whole first rows
    // when nothing else is asked. With several keys such an output is the
    // per-group values, as any column.
    let repeats_the_key = |e: &ray_t| keys.len() == 1 && expr::bare_name(e) == Some(keys[0].0);
    let outputs: Vec<(i64, &ray_t)> = outputs.iter().copied().filter(|&(_, e)| !repeats_the_key(e)).collect();
    let outputs = &outputs[..];
    // Outputs that are one aggregate of a column (or of a row-wise
    // expression) run as kernels inside the grouping pass.
    let mut planned: Vec<Option<(Agg, Value)>> = Vec::with_capacity(outputs.len());
    for &(_, e) in outputs {
        planned.push(plan_aggregate(ev, view, e)?);
    }
    let jobs: Vec<(Agg, &ray_t)> = planned.iter().flatten().map(|(a, c)| (*a, &**c)).collect();
    // Per-row group ids are kept only for outputs evaluated group by group.
    let keep_rows = planned.iter().any(|p| p.is_none());
    let (groups, mut direct) = group_and_aggregate(&key_refs, &jobs, keep_rows)?;
    let mut ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let mut cols = keys.iter().map(|k| gather_ix(&k.1, &groups.first_row)).collect::<Result<Vec<_>>>()?;
    if outputs.is_empty() {
        for (i, &id) in view.names.iter().enumerate() {
            if !ids.contains(&id) {
                ids.push(id);
                let c = view.col(i)?;
                cols.push(gather_ix(&c, &groups.first_row)?);
            }
        }
        return make_table(&ids, cols);
    }
    direct.reverse();
    let mut per_group: Option<Vec<Vec<u32>>> = None;
    for (&(id, e), plan) in outputs.iter().zip(&planned) {
        ids.push(id);
        cols.push(match plan {
            Some(_) => direct.pop().expect("one result per planned aggregate"),
            None => grouped_column(ev, view, &groups, e, &mut per_group)?,
        });
    }
    make_table(&ids, cols)
}

/// `(agg x)` with `agg` an aggregate with kernels: the aggregate and the
/// column it reads (a view column, or the row-wise `x` evaluated once).
fn aggregate_operand(ev: &mut dyn Evaluator, view: &View, e: &ray_t) -> Result<Option<(Agg, Value)>> {
    let Some((traits, args)) = expr::call_traits(e) else { return Ok(None) };
    let (Some(agg), [arg]) = (traits.grouped, args.as_slice()) else { return Ok(None) };
    let col = match expr::name_id(arg).and_then(|id| view.lookup(id)) {
        Some(c) => c,
        None if expr::is_row_wise(arg) && arg.type_() == RAY_LIST => {
            let v = eval_in(ev, arg, view)?;
            if !is_column(&v) || v.len() as usize != view.nrows() {
                return Ok(None);
            }
            v
        }
        // An aggregate of a uniform expression (`(sum (msum 2 x))`): the
        // uniform calls run over the whole, unfiltered columns, their
        // result is filtered like a column, then aggregated per group
        // (builtins.md 0.4, as the reference).
        None if arg.type_() == RAY_LIST && has_uniform_call(arg) && !expr::contains_aggregate(arg) => {
            let v = eval_filtered(ev, &view.reselect(Sel::All), view, arg)?;
            if !is_column(&v) || v.len() as usize != view.nrows() {
                return Ok(None);
            }
            v
        }
        None => return Ok(None),
    };
    Ok(Some((agg, col)))
}

/// `(agg x)` where `agg` has a kernel for `x`'s column type: the aggregate
/// and the column (a view column, or the row-wise `x` evaluated once).
fn plan_aggregate(ev: &mut dyn Evaluator, view: &View, e: &ray_t) -> Result<Option<(Agg, Value)>> {
    Ok(aggregate_operand(ev, view, e)?.filter(|(agg, col)| Job::new(*agg, col).is_some()))
}

/// Names used for aggregate results while evaluating a rewritten expression.
fn temp_name(i: usize) -> i64 {
    sym::intern(format!("\u{1}agg{i}").as_bytes())
}

/// `(agg col)` computed directly over the groups, when it has a kernel.
fn direct_aggregate(ev: &mut dyn Evaluator, view: &View, groups: &Groups, e: &ray_t) -> Result<Option<Value>> {
    let Some((agg, col)) = aggregate_operand(ev, view, e)? else { return Ok(None) };
    aggregate(agg, &col, groups)
}

/// One output column of a grouped select: direct kernels when the expression
/// is an aggregate of a row-wise argument (or a row-wise combination of such
/// aggregates), otherwise the expression evaluated group by group.
pub fn grouped_column(
    ev: &mut dyn Evaluator,
    view: &View,
    groups: &Groups,
    e: &ray_t,
    per_group: &mut Option<Vec<Vec<u32>>>,
) -> Result<Value> {
    if let Some(v) = direct_aggregate(ev, view, groups, e)? {
        return Ok(v);
    }
    if let Some(v) = combined_aggregates(ev, view, groups, e)? {
        return Ok(v);
    }
    let rows = per_group.get_or_insert_with(|| groups.rows_per_group());
    if let Some(v) = split_whole_column(ev, view, rows, e)? {
        return Ok(v);
    }
    let null_free = top_bot_rows(ev, view, rows, e)?;
    let rows = null_free.as_ref().unwrap_or(rows);
    let base = view.row_ids();
    let mut results = Vec::with_capacity(rows.len());
    for r in rows.iter() {
        let g = view.reselect(Sel::Rows(r.iter().map(|&i| base[i as usize]).collect()));
        results.push(eval_in(ev, e, &g)?);
    }
    if results.is_empty() {
        // No groups: evaluate once over no rows to learn the column type.
        let empty = view.reselect(Sel::Rows(Vec::new()));
        let v = eval_in(ev, e, &empty)?;
        return if v.type_() < 0 && is_vector_type(-v.type_()) { broadcast(&v, 0) } else { Value::list_with_capacity(0) };
    }
    from_atoms(&results)
}

/// `(top a n)` or `(bot a n)` under `by:` skips the rows where the
/// row-wise `a` is null, as the reference does there (outside a query its
/// nulls count as the largest values): each group's rows without them.
/// None for any other expression.
fn top_bot_rows(ev: &mut dyn Evaluator, view: &View, rows: &[Vec<u32>], e: &ray_t) -> Result<Option<Vec<Vec<u32>>>> {
    let Some((head, args)) = expr::call(e) else { return Ok(None) };
    let top_or_bot = head == sym::intern(b"top") || head == sym::intern(b"bot");
    if !top_or_bot || args.len() != 2 || !expr::is_row_wise(args[0]) {
        return Ok(None);
    }
    let a = eval_in(ev, args[0], view)?;
    if !is_column(&a) || a.len() as usize != view.nrows() {
        return Ok(None);
    }
    let kept = |r: &Vec<u32>| r.iter().copied().filter(|&i| !elem_is_null(&a, i as usize)).collect();
    Ok(Some(rows.iter().map(kept).collect()))
}

fn has_uniform_call(e: &ray_t) -> bool {
    expr::contains_call(e, &expr::is_uniform_call)
}

/// A row-wise call over uniform ones and no aggregate (`(+ 1 (lag x))`)
/// under `by:`: evaluated once over the rows that pass `where:` and cut
/// into one vector per group, so that the uniform calls see the whole
/// column, as in the reference. A uniform call at the top (`(lag x)`) or an
/// aggregate anywhere keeps the per-group evaluation (None).
fn split_whole_column(ev: &mut dyn Evaluator, view: &View, rows: &[Vec<u32>], e: &ray_t) -> Result<Option<Value>> {
    let row_wise_head = expr::call_traits(e).is_some_and(|(t, _)| t.row_wise && !t.uniform && !t.aggregate);
    if !row_wise_head || !has_uniform_call(e) || expr::contains_aggregate(e) {
        return Ok(None);
    }
    let v = eval_in(ev, e, view)?;
    if !is_column(&v) || v.len() as usize != view.nrows() {
        return Ok(None);
    }
    let parts = rows.iter().map(|r| gather_ix(&v, r)).collect::<Result<Vec<_>>>()?;
    Ok(Some(Value::list(parts)))
}

/// `(f (agg a) (agg b) ...)` with row-wise `f`: each aggregate computed by
/// its kernel into a column of one value per group, then `f` applied once
/// over those columns. None when the shape does not allow it.
fn combined_aggregates(ev: &mut dyn Evaluator, view: &View, groups: &Groups, e: &ray_t) -> Result<Option<Value>> {
    if e.type_() != RAY_LIST || !expr::contains_aggregate(e) || expr::is_aggregate_call(e) {
        return Ok(None);
    }
    if expr::mentions_outside_aggregates(e, &|id| view.position(id).is_some()) {
        return Ok(None);
    }
    let mut temps: Vec<(i64, Value)> = Vec::new();
    let mut failed = None;
    let rewritten = expr::replace_aggregates(e, &mut |call| {
        if failed.is_some() {
            return None;
        }
        match direct_aggregate(ev, view, groups, call) {
            Ok(Some(v)) => {
                let id = temp_name(temps.len());
                temps.push((id, v));
                Some(id)
            }
            Ok(None) => None,
            Err(err) => {
                failed = Some(err);
                None
            }
        }
    });
    if let Some(err) = failed {
        return Err(err);
    }
    let Some(rewritten) = rewritten else { return Ok(None) };
    if !is_row_wise_over_temps(&rewritten) {
        return Ok(None);
    }
    let v = ev.eval_with_columns(&rewritten, &|id| temps.iter().find(|t| t.0 == id).map(|t| t.1.clone()))?;
    if is_column(&v) && v.len() as usize == groups.ngroups {
        Ok(Some(v))
    } else if !is_column(&v) {
        Ok(Some(broadcast(&v, groups.ngroups)?))
    } else {
        Ok(None)
    }
}

fn is_row_wise_over_temps(e: &ray_t) -> bool {
    expr::is_row_wise(e)
}

/// `take:` on a result table: n, -n or [offset count], clamped.
fn take(t: &ray_t, n: &ray_t) -> Result<Value> {
    let rows = t.table_nrows().max(0) as usize;
    let (start, count) = match n.type_() {
        x if x == -RAY_I64 || x == -RAY_I32 || x == -RAY_I16 => {
            let k = if x == -RAY_I64 { n.i64_val() } else if x == -RAY_I32 { n.i32_val() as i64 } else { n.i16_val() as i64 };
            let k_abs = (k.unsigned_abs() as usize).min(rows);
            if k >= 0 { (0, k_abs) } else { (rows - k_abs, k_abs) }
        }
        RAY_I64 if n.len() == 2 => {
            let s = n.elems::<i64>();
            let off = (s[0].max(0) as usize).min(rows);
            (off, (s[1].max(0) as usize).min(rows - off))
        }
        _ => return Err(RayError::type_err("take: expected a count or [offset count]")),
    };
    let idx: Vec<u32> = (start as u32..(start + count) as u32).collect();
    let cols = crate::ops::table::columns(t).iter().map(|c| gather_ix(c, &idx)).collect::<Result<Vec<_>>>()?;
    make_table(&crate::ops::table::names(t), cols)
}
