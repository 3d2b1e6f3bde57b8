//! `select ... by:` over a partitioned table, one partition at a time: when
//! every output is a decomposable aggregate (`sum count min max first last
//! avg`) of a column and `by:` names columns, each surviving partition is
//! read, filtered and aggregated on its own, and the small per-partition
//! results are combined (sums of sums and of counts, min of mins, max of
//! maxes, first of firsts and last of lasts in partition order, `avg` as
//! the combined sum over the combined count of non-null cells). The rows of
//! all partitions are never gathered at once. Groups come out in the order
//! of their first row, as over the gathered table, because partitions are
//! combined in partition order.
//!
//! Anything else (an expression key, a non-aggregate output, a `where:`
//! that is not row-wise so that it could mean something else over one
//! partition) returns None and the query runs over the gathered rows. This
//! module owns the decomposition; which partitions a query needs is
//! `parted`'s.
#![forbid(unsafe_code)]

use super::Evaluator;
use super::agg::{Agg, group_and_aggregate};
use super::select::{Clauses, eval_in};
use super::view::{View, selection};
use super::{expr, parted};
use crate::abi::*;
use crate::core::vec_ops::VecBuilder;
use crate::core::{RayError, Result, Value};
use crate::ops::gather_ix;
use crate::ops::nulls::null_mask;
use crate::ops::table::make_table;
use crate::store::parted::Parted;

/// One output: its name, aggregate and the column it reads.
struct Out {
    id: i64,
    agg: Agg,
    col: i64,
}

/// The grouped result of `c` over `p` computed partition by partition
/// (before `asc:`/`desc:`/`take:`), or None when the query does not
/// decompose (see the module doc).
pub fn grouped_by_partition(ev: &mut dyn Evaluator, c: &Clauses, p: &Parted) -> Result<Option<Value>> {
    let names = p.names();
    let Some((keys, outs)) = plan(c, &names) else { return Ok(None) };
    let parts = parted::surviving_partitions(ev, c, p, &names)?;
    if parts.len() < 2 {
        return Ok(None);
    }
    let cols = parted::needed_columns(c, &names);
    // Per partition: the key columns, then per output its partial columns.
    let mut partials: Vec<Vec<Value>> = Vec::with_capacity(parts.len());
    for &part in &parts {
        let t = p.gather(&[part], &cols)?;
        let mut view = View::of_table(&t);
        if let Some(w) = c.where_ {
            let pred = eval_in(ev, w, &view)?;
            view = view.reselect(selection(&pred, view.nrows_all)?);
        }
        partials.push(partial(&view, &keys, &outs)?);
    }
    let mut all = Vec::with_capacity(partials[0].len());
    for i in 0..partials[0].len() {
        all.push(concat(partials.iter().map(|cols| &cols[i]))?);
    }
    combine(&keys, &outs, &all).map(Some)
}

/// The key names and outputs, when `c` decomposes over partitions.
fn plan(c: &Clauses, names: &[i64]) -> Option<(Vec<i64>, Vec<Out>)> {
    let by = c.by?;
    let keys: Vec<i64> = match by.type_() {
        t if t == -RAY_SYM && !by.is_quoted() => vec![by.i64_val()],
        RAY_SYM => (0..by.len().max(0) as usize).map(|i| by.sym_at(i)).collect(),
        _ => return None,
    };
    if keys.is_empty() || !keys.iter().all(|k| names.contains(k)) || c.outputs.is_empty() {
        return None;
    }
    if c.where_.is_some_and(|w| !expr::is_row_wise(w)) {
        return None;
    }
    let mut outs = Vec::with_capacity(c.outputs.len());
    for &(id, e) in &c.outputs {
        let (traits, args) = expr::call_traits(e)?;
        let (Some(agg), [arg]) = (traits.grouped, args.as_slice()) else { return None };
        // Spreads do not combine from per-partition partials.
        if matches!(agg, Agg::Spread(_)) {
            return None;
        }
        let col = expr::bare_name(arg).filter(|n| names.contains(n))?;
        outs.push(Out { id, agg, col });
    }
    Some((keys, outs))
}

/// One partition's key columns and partial aggregates: per output one
/// column (`avg`: the sum and the count of non-null cells).
fn partial(view: &View, keys: &[i64], outs: &[Out]) -> Result<Vec<Value>> {
    let col = |id: i64| view.lookup(id).ok_or_else(|| RayError::type_err("select: column missing in a partition"));
    let key_cols = keys.iter().map(|&k| col(k)).collect::<Result<Vec<_>>>()?;
    let mut jobs: Vec<(Agg, Value)> = Vec::new();
    for o in outs {
        let v = col(o.col)?;
        match o.agg {
            Agg::Avg => {
                let present = not_null(&v)?;
                jobs.push((Agg::Sum, v));
                jobs.push((Agg::Sum, present));
            }
            a => jobs.push((a, v)),
        }
    }
    aggregate(key_cols, &jobs)
}

/// Groups `keys` and runs `jobs`: the groups' key values, then the results.
fn aggregate(keys: Vec<Value>, jobs: &[(Agg, Value)]) -> Result<Vec<Value>> {
    let key_refs: Vec<&ray_t> = keys.iter().map(|k| &**k).collect();
    let job_refs: Vec<(Agg, &ray_t)> = jobs.iter().map(|(a, v)| (*a, &**v)).collect();
    let (groups, vals) = group_and_aggregate(&key_refs, &job_refs, false)?;
    let mut out = keys.iter().map(|k| gather_ix(k, &groups.first_row)).collect::<Result<Vec<_>>>()?;
    out.extend(vals);
    Ok(out)
}

/// 1 for each non-null cell of `v`, else 0 (I64).
fn not_null(v: &ray_t) -> Result<Value> {
    let m = null_mask(v)?;
    let ones: Vec<i64> = m.elems::<u8>().iter().map(|&b| i64::from(b == 0)).collect();
    Value::vec_from_slice(RAY_I64, &ones)
}

/// The per-partition columns `segs` one after the other.
fn concat<'a>(segs: impl Iterator<Item = &'a Value> + Clone) -> Result<Value> {
    let total = segs.clone().map(|s| s.len().max(0) as usize).sum();
    let width = segs.clone().map(|s| s.attrs() & RAY_SYM_WIDTH_MASK).max().unwrap_or(0);
    let first = segs.clone().next().ok_or_else(|| RayError::domain("select: no partitions"))?;
    let mut b = if first.type_() == RAY_SYM { VecBuilder::new(RAY_SYM, width, total)? } else { VecBuilder::like(first, total)? };
    let mut has_nulls = false;
    for s in segs {
        b.extend_from(s, 0..s.len().max(0) as usize)?;
        has_nulls |= s.attrs() & RAY_ATTR_HAS_NULLS != 0;
    }
    b.finish(has_nulls)
}

/// The answer from the concatenated partials `all` (keys first).
fn combine(keys: &[i64], outs: &[Out], all: &[Value]) -> Result<Value> {
    let (key_cols, partial_cols) = all.split_at(keys.len());
    let mut jobs: Vec<(Agg, Value)> = Vec::new();
    let mut at = 0;
    for o in outs {
        let again = match o.agg {
            Agg::Sum | Agg::Count | Agg::Avg => Agg::Sum,
            a => a,
        };
        jobs.push((again, partial_cols[at].clone()));
        at += 1;
        if o.agg == Agg::Avg {
            jobs.push((Agg::Sum, partial_cols[at].clone()));
            at += 1;
        }
    }
    let done = aggregate(key_cols.to_vec(), &jobs)?;
    let (out_keys, vals) = done.split_at(keys.len());
    let mut ids = keys.to_vec();
    let mut cols = out_keys.to_vec();
    let mut vals = vals.iter();
    for o in outs {
        ids.push(o.id);
        let v = vals.next().expect("one result per job").clone();
        cols.push(match o.agg {
            Agg::Avg => ratio(&v, vals.next().expect("avg's count"))?,
            _ => v,
        });
    }
    make_table(&ids, cols)
}

/// `sums / counts` as F64, null where the count is 0.
fn ratio(sums: &ray_t, counts: &ray_t) -> Result<Value> {
    let counts = counts.elems::<i64>();
    let q: Vec<f64> = match sums.type_() {
        RAY_F64 => sums.elems::<f64>().iter().zip(counts).map(|(&s, &n)| if n == 0 { f64::NAN } else { s / n as f64 }).collect(),
        _ => sums.elems::<i64>().iter().zip(counts).map(|(&s, &n)| if n == 0 { f64::NAN } else { s as f64 / n as f64 }).collect(),
    };
    crate::ops::nulls::mark_nulls(Value::vec_from_slice(RAY_F64, &q)?)
}
