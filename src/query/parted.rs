//! `select` over a partitioned table (storage.md 4.5): which partitions and
//! which columns a query needs, before anything is read.
//!
//! Partitions: every conjunct of `where:` (split on `and`) that compares
//! the partition column with a value that is not a column (`== != < > <=
//! >=`, `in`, or `not` of one of those) is evaluated once on the key vector,
//! one row per partition; a partition whose key fails it cannot hold a
//! matching row and is dropped. The comparison is the language's own, so a
//! DATE key compared with a TIMESTAMP literal is compared as the in-memory
//! query would (the reference compares raw numbers there, defect 10#6); a
//! conjunct that fails on the keys prunes nothing and the ordinary `where:`
//! then reports its error. Columns: only those the query names (all of them
//! when it has no output columns).
//!
//! `take:` with no `where:`, `by:` or sort and row-wise outputs reads
//! only the leading (or, negative, trailing) partitions that hold its rows.
//!
//! The whole `where:` still runs over the gathered rows, so the result is
//! the in-memory query's. This module owns the decision only: reading the
//! files is `store::parted`'s, running the query `select`'s.
#![forbid(unsafe_code)]

use super::Evaluator;
use super::select::Clauses;
use crate::abi::*;
use crate::core::{Result, Value, sym};
use crate::store::parted::Parted;

/// The ordinary table `c` runs over: the partitions of `p` its `where:`
/// may match (and its `take:` may reach), and the columns it names. When
/// `take:` was evaluated to prune partitions, its value comes back too.
pub fn gather_for(ev: &mut dyn Evaluator, c: &Clauses, p: &Parted) -> Result<(Value, Option<Value>)> {
    let names = p.names();
    let mut parts = surviving_partitions(ev, c, p, &names)?;
    let mut took = None;
    if let Some(tk) = c.take.filter(|_| takes_leading_rows(c)) {
        let n = ev.eval(tk)?;
        parts = reached_by_take(p, parts, &n)?;
        took = Some(n);
    }
    let cols = needed_columns(c, &names);
    Ok((p.gather(&parts, &cols)?, took))
}

/// True when `take:` keeps rows of the table itself in partition order:
/// no `where:`, `by:` or sort, and only row-wise outputs.
fn takes_leading_rows(c: &Clauses) -> bool {
    c.where_.is_none() && c.by.is_none() && c.order.is_empty() && c.outputs.iter().all(|o| super::expr::is_row_wise(o.1))
}

/// The partitions of `parts` that `take:` value `n` reaches: for `n >= 0`
/// the first ones holding `n` rows, for `n < 0` the last ones holding
/// `-n`; every partition for any other form (`[offset count]`).
fn reached_by_take(p: &Parted, parts: Vec<usize>, n: &Value) -> Result<Vec<usize>> {
    let k = match n.type_() {
        t if t == -RAY_I64 => n.i64_val(),
        t if t == -RAY_I32 => i64::from(n.i32_val()),
        t if t == -RAY_I16 => i64::from(n.i16_val()),
        _ => return Ok(parts),
    };
    let rows = p.rows()?;
    let want = k.unsigned_abs() as usize;
    let mut kept = Vec::new();
    let mut held = 0usize;
    let order: Box<dyn Iterator<Item = &usize>> = if k >= 0 { Box::new(parts.iter()) } else { Box::new(parts.iter().rev()) };
    for &part in order {
        kept.push(part);
        held += rows[part];
        if held >= want {
            break;
        }
    }
    kept.sort_unstable();
    Ok(kept)
}

pub(super) fn surviving_partitions(ev: &mut dyn Evaluator, c: &Clauses, p: &Parted, names: &[i64]) -> Result<Vec<usize>> {
    let mut keep = vec![true; p.nparts()];
    let Some(w) = c.where_ else { return Ok((0..keep.len()).collect()) };
    let mut conjuncts = Vec::new();
    split_and(w, &mut conjuncts);
    let keys = p.keys()?.to_value();
    let key_id = names[0];
    for conj in conjuncts.into_iter().filter(|e| is_key_filter(e, key_id, names)) {
        let Ok(mask) = ev.eval_with_columns(conj, &|id| (id == key_id).then(|| keys.clone())) else { continue };
        match mask.type_() {
            RAY_BOOL if mask.len() as usize == keep.len() => {
                for (k, &m) in keep.iter_mut().zip(mask.elems::<u8>()) {
                    *k &= m != 0;
                }
            }
            t if t == -RAY_BOOL && !mask.bool_val() => keep.iter_mut().for_each(|k| *k = false),
            _ => {}
        }
    }
    Ok(keep.iter().enumerate().filter(|(_, k)| **k).map(|(i, _)| i).collect())
}

/// The conjuncts of `(and a b ...)`, nested `and`s flattened.
fn split_and<'a>(e: &'a ray_t, out: &mut Vec<&'a ray_t>) {
    if let Some(args) = call_args(e, b"and") {
        for a in args.iter().flatten() {
            split_and(a, out);
        }
    } else {
        out.push(e);
    }
}

/// The arguments of `(name ...)`, when `e` is a call of `name`.
fn call_args<'a>(e: &'a ray_t, name: &[u8]) -> Option<&'a [Option<&'a ray_t>]> {
    if e.type_ != RAY_LIST || e.is_empty() {
        return None;
    }
    let items = e.items();
    let head = items[0]?;
    (head.type_ == -RAY_SYM && !head.is_quoted() && sym::name_or_empty(head.i64_val()) == name).then(|| &items[1..])
}

/// `(op key value)` / `(op value key)` for a comparison, `(in key value)`,
/// or `(not f)` of one: the value side naming no column.
fn is_key_filter(e: &ray_t, key_id: i64, names: &[i64]) -> bool {
    if let Some([Some(inner)]) = call_args(e, b"not") {
        return is_key_filter(inner, key_id, names);
    }
    let is_key = |a: &ray_t| a.type_ == -RAY_SYM && !a.is_quoted() && a.i64_val() == key_id;
    let is_value = |a: &ray_t| {
        let mut ids = Vec::new();
        mentioned(a, &mut ids, 0);
        a.type_ != RAY_LIST && !ids.iter().any(|id| names.contains(id))
    };
    for op in [&b"=="[..], b"!=", b"<", b">", b"<=", b">="] {
        if let Some([Some(a), Some(b)]) = call_args(e, op) {
            return (is_key(a) && is_value(b)) || (is_value(a) && is_key(b));
        }
    }
    matches!(call_args(e, b"in"), Some([Some(a), Some(b)]) if is_key(a) && is_value(b))
}

/// Indices into `names` of the columns the query names; every column when
/// it has no output columns; the virtual column alone when it names none
/// (a table needs one column to keep its row count).
pub(super) fn needed_columns(c: &Clauses, names: &[i64]) -> Vec<usize> {
    if c.outputs.is_empty() {
        return (0..names.len()).collect();
    }
    let mut ids = Vec::new();
    let forms = [c.where_, c.by, c.take].into_iter().flatten();
    for e in forms.chain(c.order.iter().map(|o| o.0)).chain(c.outputs.iter().map(|o| o.1)) {
        mentioned(e, &mut ids, 0);
    }
    let cols: Vec<usize> = (0..names.len()).filter(|&i| ids.contains(&names[i])).collect();
    if cols.is_empty() { vec![0] } else { cols }
}

/// Every symbol in `e`, quoted or not, inside lambdas too, with the first
/// segment of a dotted name (`price.year` names `price`) and the symbols of
/// symbol vectors: a superset of the columns the query can reach.
fn mentioned(e: &ray_t, out: &mut Vec<i64>, depth: usize) {
    if depth > 256 {
        return;
    }
    match e.type_ {
        t if t == -RAY_SYM => push_name(e.i64_val(), out),
        RAY_SYM => (0..e.len().max(0) as usize).for_each(|i| push_name(e.sym_at(i), out)),
        RAY_LIST | RAY_DICT | RAY_LAMBDA => {
            for item in e.items().iter().flatten() {
                mentioned(item, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn push_name(id: i64, out: &mut Vec<i64>) {
    out.push(id);
    let name = sym::name_or_empty(id);
    if let Some(dot) = name.iter().position(|&c| c == b'.').filter(|&d| d > 0) {
        if let Some(first) = sym::find(&name[..dot]) {
            out.push(first);
        }
    }
}
