//! `(window {from: T part: P order: O frame: F funcs: {name: (agg col) ...}})`
//! (builtins.md section 7): `T` with one column appended per `funcs:`
//! entry, each row holding `agg` over its frame, rows in their original
//! order.
//!
//! Rows are split into partitions by the `part:` columns, ordered inside a
//! partition by the `order:` columns (ascending, stable, nulls last), and
//! each row's frame is its whole partition (`'whole`, the default), the
//! partition up to the row (`'running`) or the row and the `k-1` before
//! it (`k`). `sum avg min max` run the moving-window kernels the caller
//! lends ([`MovingKernel`]: the `msum`... builtins) over each partition
//! with the frame as window; `count first last` are positions in the
//! partition and need no kernel.
//!
//! This module owns reading the clauses (the dict is not evaluated except
//! `from:`), the partition/order/frame bookkeeping and the scatter back to
//! row order; it must not compute the aggregates itself.
#![forbid(unsafe_code)]

use super::Evaluator;
use super::expr::{bare_name, name_id};
use super::group::group_columns;
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::ops::sort::{Nulls, sort_perm};
use crate::ops::table::{column, columns, make_table, names};
use crate::ops::{Prim, Row, gather_ix, type_name_of, vec_from, with_prim};

/// The moving aggregates a window needs from its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moving {
    Sum,
    Avg,
    Min,
    Max,
}

/// Runs the moving aggregate over a typed vector with a trailing window
/// of the given number of rows (`msum mavg mmin mmax`).
pub type MovingKernel = fn(Moving, usize, &Value) -> Result<Value>;

/// The functions `funcs:` may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Func {
    Agg(Moving),
    Count,
    First,
    Last,
}

impl Func {
    fn parse(name: &[u8]) -> Option<Func> {
        Some(match name {
            b"sum" => Func::Agg(Moving::Sum),
            b"avg" => Func::Agg(Moving::Avg),
            b"min" => Func::Agg(Moving::Min),
            b"max" => Func::Agg(Moving::Max),
            b"count" => Func::Count,
            b"first" => Func::First,
            b"last" => Func::Last,
            _ => return None,
        })
    }
}

/// The rows a frame covers, relative to a row's position in its partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    Whole,
    Running,
    Trailing(usize),
}

fn err(code: &str, msg: &str) -> RayError {
    RayError::new(code, format!("window: {msg}"))
}

/// The clauses of the window dict (raw expressions).
#[derive(Default)]
struct Clauses<'a> {
    from: Option<&'a ray_t>,
    part: Option<&'a ray_t>,
    order: Option<&'a ray_t>,
    frame: Option<&'a ray_t>,
    funcs: Option<&'a ray_t>,
}

fn dict_entries(d: &ray_t) -> Option<Vec<(i64, &ray_t)>> {
    let (ks, vs) = (d.dict_keys()?, d.dict_vals()?);
    if ks.type_() != RAY_SYM || vs.type_() != RAY_LIST || ks.len() != vs.len() {
        return None;
    }
    vs.items().iter().enumerate().map(|(i, v)| v.map(|v| (ks.sym_at(i), v))).collect()
}

fn clauses(q: &ray_t) -> Result<Clauses<'_>> {
    let entries = dict_entries(q).ok_or_else(|| err("type", "argument must be a dict with symbol keys"))?;
    let mut c = Clauses::default();
    for (id, v) in entries {
        let slot = match sym::name_or_empty(id) {
            b"from" => &mut c.from,
            b"part" => &mut c.part,
            b"order" => &mut c.order,
            b"frame" => &mut c.frame,
            b"funcs" => &mut c.funcs,
            _ => continue,
        };
        slot.get_or_insert(v);
    }
    Ok(c)
}

/// Column names of `part:`/`order:`: a bare name or a SYM vector; anything
/// else names no column (as in RayforceDB).
fn column_names(e: Option<&ray_t>) -> Vec<i64> {
    match e {
        Some(e) if bare_name(e).is_some() => vec![e.i64_val()],
        Some(e) if e.type_() == RAY_SYM => (0..e.len() as usize).map(|i| e.sym_at(i)).collect(),
        _ => Vec::new(),
    }
}

fn frame(e: Option<&ray_t>) -> Result<Frame> {
    let bad = || err("domain", "frame must be 'whole, 'running, or a positive row count");
    let Some(e) = e else { return Ok(Frame::Whole) };
    if let Some(id) = name_id(e) {
        return match sym::name_or_empty(id) {
            b"whole" => Ok(Frame::Whole),
            b"running" => Ok(Frame::Running),
            _ => Err(bad()),
        };
    }
    let k = match e.type_() {
        t if t == -RAY_I64 => (!e.is_null_atom()).then(|| e.i64_val()),
        t if t == -RAY_I32 => (!e.is_null_atom()).then(|| e.i32_val() as i64),
        t if t == -RAY_I16 => (!e.is_null_atom()).then(|| e.i16_val() as i64),
        t if t == -RAY_U8 || t == -RAY_BOOL => Some(e.u8_val() as i64),
        _ => return Err(bad()),
    };
    match k {
        Some(k) if k >= 1 => Ok(Frame::Trailing(k as usize)),
        _ => Err(err("range", "trailing frame row count must be >= 1")),
    }
}

/// One `funcs:` entry: output name, function, input column.
struct Entry {
    name: i64,
    func: Func,
    input: i64,
}

/// The `funcs:` dict's entries (raw), refused when missing or empty.
fn funcs_dict(funcs: Option<&ray_t>) -> Result<Vec<(i64, &ray_t)>> {
    let invalid = || err("domain", "missing or invalid `funcs:` clause (must be a dict)");
    let funcs = funcs.filter(|f| f.type_() == RAY_DICT).ok_or_else(invalid)?;
    if funcs.dict_keys().is_none_or(|k| k.len() == 0) {
        return Err(err("domain", "`funcs:` must have at least 1 entry, got 0"));
    }
    dict_entries(funcs).ok_or_else(invalid)
}

fn entries(funcs: Vec<(i64, &ray_t)>, ordered: bool) -> Result<Vec<Entry>> {
    let mut out = Vec::with_capacity(funcs.len());
    for (i, (name, call)) in funcs.into_iter().enumerate() {
        let items = if call.type_() == RAY_LIST && call.len() >= 2 { call.items() } else { &[] };
        let (Some(head), Some(arg)) = (items.first().copied().flatten(), items.get(1).copied().flatten()) else {
            return Err(err("domain", &format!("`funcs:` value must be a function call like (min v), got wrong shape at entry {i}")));
        };
        let fname = if head.is_builtin() { Some(head.builtin_name_id()) } else { name_id(head) };
        let fname = fname.ok_or_else(|| err("domain", "function name must be a symbol"))?;
        let text = sym::name_or_empty(fname);
        let func = Func::parse(text).ok_or_else(|| {
            err("domain", &format!("unsupported window function '{}'", String::from_utf8_lossy(text)))
        })?;
        if matches!(func, Func::First | Func::Last) && !ordered {
            return Err(err("domain", "first/last require order:"));
        }
        let input = name_id(arg).ok_or_else(|| err("domain", "function input must be a column name symbol"))?;
        out.push(Entry { name, func, input });
    }
    Ok(out)
}

/// Runs `(window q ...)`: `args` are the special form's unevaluated
/// arguments (only the first is read).
pub fn window(args: &[Value], ev: &mut dyn Evaluator, moving: MovingKernel) -> Result<Value> {
    let q = args.first().ok_or_else(|| err("arity", &format!("expects a query dict, got {} args", args.len())))?;
    if q.type_() != RAY_DICT {
        return Err(err("type", &format!("argument must be a dict, got {}", type_name_of(q))));
    }
    let c = clauses(q)?;
    let from = c.from.ok_or_else(|| err("domain", "missing `from:` clause"))?;
    let t = crate::store::parted::materialize(&ev.eval(from)?)?;
    if t.type_() != RAY_TABLE {
        return Err(err("type", &format!("`from:` must evaluate to a table, got {}", type_name_of(&t))));
    }
    crate::ops::table::check_table(&t)?;
    // RayforceDB's order of checks: the `funcs:` dict, `frame:`, then each entry.
    let funcs = funcs_dict(c.funcs)?;
    let frame = frame(c.frame)?;
    let part = column_names(c.part);
    let order = column_names(c.order);
    let entries = entries(funcs, !order.is_empty())?;
    let lookup = |id: i64| column(&t, id).ok_or_else(|| RayError::code("nyi"));
    let part_cols = part.iter().map(|&id| lookup(id)).collect::<Result<Vec<_>>>()?;
    let order_cols = order.iter().map(|&id| lookup(id)).collect::<Result<Vec<_>>>()?;
    let inputs = entries.iter().map(|e| lookup(e.input)).collect::<Result<Vec<_>>>()?;
    let parts = partitions(&t, &part_cols, &order_cols)?;
    let mut out_names = names(&t);
    let mut out_cols = columns(&t);
    for (e, col) in entries.iter().zip(&inputs) {
        out_names.push(e.name);
        out_cols.push(apply(e.func, frame, col, &parts, moving)?);
    }
    make_table(&out_names, out_cols)
}

/// Each partition's row ids in frame order (the partitions in order of
/// first appearance; one partition of every row without `part:`).
fn partitions(t: &ray_t, part: &[Value], order: &[Value]) -> Result<Vec<Vec<Row>>> {
    let n = t.table_nrows().max(0) as usize;
    let sequence: Vec<Row> = if order.is_empty() {
        (0..n as Row).collect()
    } else {
        let keys: Vec<(&ray_t, bool)> = order.iter().map(|c| (&**c, false)).collect();
        sort_perm(&keys, Nulls::Largest)?
    };
    if part.is_empty() || n == 0 {
        return Ok(vec![sequence]);
    }
    let refs: Vec<&ray_t> = part.iter().map(|c| &**c).collect();
    let groups = group_columns(&refs)?;
    let gid = groups.global_gid();
    let mut out: Vec<Vec<Row>> = vec![Vec::new(); groups.ngroups];
    for r in sequence {
        out[gid[r as usize] as usize].push(r);
    }
    Ok(out)
}

/// The first position (in its partition) of the frame at position `pos`
/// of a partition of `m` rows, and the frame's window length.
fn frame_span(frame: Frame, pos: usize, m: usize) -> (usize, usize) {
    match frame {
        Frame::Whole => (0, m),
        Frame::Running => (0, pos + 1),
        Frame::Trailing(k) => ((pos + 1).saturating_sub(k), (pos + 1).min(k)),
    }
}

/// One output column: `func` of `col` over every row's frame.
fn apply(func: Func, frame: Frame, col: &Value, parts: &[Vec<Row>], moving: MovingKernel) -> Result<Value> {
    let n = col.len().max(0) as usize;
    match func {
        Func::Count => {
            let mut counts = vec![0i64; n];
            for rows in parts {
                for (pos, &r) in rows.iter().enumerate() {
                    counts[r as usize] = frame_span(frame, pos, rows.len()).1 as i64;
                }
            }
            vec_from(RAY_I64, counts)
        }
        Func::First | Func::Last => {
            let mut src: Vec<Row> = vec![0; n];
            for rows in parts {
                let m = rows.len();
                for (pos, &r) in rows.iter().enumerate() {
                    let at = match (func, frame) {
                        (Func::First, _) => frame_span(frame, pos, m).0,
                        (_, Frame::Whole) => m - 1,
                        _ => pos,
                    };
                    src[r as usize] = rows[at];
                }
            }
            gather_ix(col, &src)
        }
        Func::Agg(kind) => {
            let mut results = Vec::with_capacity(parts.len());
            for rows in parts {
                let sub = gather_ix(col, rows)?;
                let w = match frame {
                    Frame::Trailing(k) => k,
                    _ => rows.len().max(1),
                };
                results.push(moving(kind, w, &sub)?);
            }
            scatter(&results, parts, frame, n)
        }
    }
}

/// Places each partition's kernel result at its rows (every row of a
/// `'whole` frame gets the partition's last, complete, value).
fn scatter(results: &[Value], parts: &[Vec<Row>], frame: Frame, n: usize) -> Result<Value> {
    let t = results.first().map_or(RAY_I64, |r| r.type_());
    with_prim!(t, T => {
        let mut out: Vec<T> = vec![T::null(); n];
        for (r, rows) in results.iter().zip(parts) {
            let vals = r.elems::<T>();
            if vals.len() != rows.len() {
                return Err(err("length", "kernel result length differs from the partition"));
            }
            for (pos, &row) in rows.iter().enumerate() {
                out[row as usize] = if frame == Frame::Whole { vals[rows.len() - 1] } else { vals[pos] };
            }
        }
        vec_from(t, out)
    }, _ => Err(err("type", &format!("unexpected kernel result {}", type_name_of(&results[0])))))
}
