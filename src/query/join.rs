//! Joins (rayfall.md 10): left, inner, full and anti joins on equal key
//! tuples, the as-of join (equal keys, then the last R row at or before L's
//! time) and window joins (aggregates over R rows inside a time window).
//!
//! Matching builds, for the R side, a head row per key and a chain to the
//! next R row with the same key (in R order), then probes every L row. One
//! fixed-width key column of the same type on both sides takes a direct path
//! (a direct-index table for small key ranges, else a hash map; the probe is
//! split over threads for large L); other keys are matched by grouping the
//! concatenated key columns.
#![forbid(unsafe_code)]

use super::Evaluator;
use crate::ops::{NO_ROW, Row, concat, from_atoms, gather_by, gather_ix};
use crate::ops::table::{columns, make_table, names};
use super::group::{FastMap, group_columns};
use crate::ops::par::{map_chunks, run_each, split, threads_for};
use crate::core::alloc::huge_zeroed;
use crate::ops::pack::{ints, pack_keys, with_ints};
use super::hash_join::{PARTITION_MIN_ROWS, partitioned_match};
use super::select::eval_in;
use super::view::{Sel, View};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

/// Parsed join arguments: key names, then L and R.
struct JoinArgs {
    keys: Vec<i64>,
    l: Value,
    r: Value,
}

fn join_args(args: &[Value], who: &str) -> Result<JoinArgs> {
    if args.len() != 3 {
        let msg = if who == "asof-join" {
            format!("asof-join: expects keys, left table and right table, got {} args", args.len())
        } else {
            format!("{who}: expected 3 args, got {}", args.len())
        };
        return Err(RayError::new("arity", msg));
    }
    if who == "asof-join" && (args[0].type_() != RAY_SYM || args[0].len() == 0) {
        return Err(RayError::domain("asof-join: keys must be a non-empty symbol list"));
    }
    // The key vector comes first; the reference also accepts it last.
    let (k, l, r) = if args[0].type_() == RAY_TABLE { (&args[2], &args[0], &args[1]) } else { (&args[0], &args[1], &args[2]) };
    if k.type_() != RAY_SYM {
        let got = crate::ops::type_name(k.type_());
        return Err(RayError::type_err(format!("join: keys must be a symbol list, got {got}")));
    }
    if l.type_() != RAY_TABLE || r.type_() != RAY_TABLE {
        return Err(RayError::type_err(format!("{who}: expected two tables")));
    }
    crate::ops::table::check_table(l)?;
    crate::ops::table::check_table(r)?;
    // Row maps: chains over R and a match per L row (4 bytes each, twice).
    let rows = (l.table_nrows().max(0) as usize).saturating_add(r.table_nrows().max(0) as usize);
    crate::core::alloc::check_room(rows.saturating_mul(8))?;
    let keys = (0..k.len() as usize).map(|i| k.sym_at(i)).collect();
    Ok(JoinArgs { keys, l: l.clone(), r: r.clone() })
}

fn key_cols(t: &ray_t, keys: &[i64], who: &str) -> Result<Vec<Value>> {
    let (tn, tc) = (names(t), columns(t));
    keys.iter()
        .map(|k| {
            tn.iter().position(|x| x == k).map(|p| tc[p].clone()).ok_or_else(|| {
                RayError::new("schema", format!("{who}: no column {}", String::from_utf8_lossy(sym::name_or_empty(*k))))
            })
        })
        .collect()
}

/// R rows matching each L row: `first[l]` is the first R row with L's key
/// (or NO_ROW) and `next[r]` the following R row with the same key.
pub struct Matches {
    pub first: Vec<Row>,
    pub next: Vec<Row>,
    /// True when some R key occurs more than once.
    pub dup: bool,
}

/// Where each R key's chain starts: a direct-index table or a hash map.
enum Heads {
    Dense { lo: i64, head: Vec<Row> },
    Hash(FastMap<i64, Row>),
}

impl Heads {
    #[inline(always)]
    fn get(&self, k: i64) -> Row {
        match self {
            Heads::Dense { lo, head } => {
                let i = k.wrapping_sub(*lo) as u64;
                if i < head.len() as u64 { head[i as usize] } else { NO_ROW }
            }
            Heads::Hash(m) => m.get(&k).copied().unwrap_or(NO_ROW),
        }
    }
}

/// The least R key and the span of a direct-index table over R's keys,
/// when their range is small enough for one (below 2^20 slots or 4 per row).
fn dense_span<T: Copy + Into<i64>>(r: &[T]) -> Option<(i64, usize)> {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &x in r {
        let x: i64 = x.into();
        lo = lo.min(x);
        hi = hi.max(x);
    }
    let span = hi as i128 - lo as i128;
    (!r.is_empty() && span < (1i128 << 20).max(4 * r.len() as i128)).then_some((lo, span as usize + 1))
}

fn build_heads<T: Copy + Into<i64>>(r: &[T], dense: Option<(i64, usize)>) -> (Heads, Vec<Row>, bool) {
    let nr = r.len();
    let mut next = vec![NO_ROW; nr];
    let mut dup = false;
    if let Some((lo, span)) = dense {
        let mut head = vec![NO_ROW; span];
        for i in (0..nr).rev() {
            let h = &mut head[(r[i].into() - lo) as usize];
            dup |= *h != NO_ROW;
            next[i] = *h;
            *h = i as Row;
        }
        (Heads::Dense { lo, head }, next, dup)
    } else {
        let mut head = FastMap::<i64, Row>::with_capacity_and_hasher(nr, Default::default());
        for i in (0..nr).rev() {
            let h = head.entry(r[i].into()).or_insert(NO_ROW);
            dup |= *h != NO_ROW;
            next[i] = *h;
            *h = i as Row;
        }
        (Heads::Hash(head), next, dup)
    }
}

/// First R row for every L key, split over threads for large L.
fn probe<T: Copy + Into<i64> + Sync>(l: &[T], heads: &Heads) -> Vec<Row> {
    let n = l.len();
    let mut first = vec![NO_ROW; n];
    let ranges = split(n, threads_for(n));
    let run = |out: &mut [Row], keys: &[T]| {
        for (o, &k) in out.iter_mut().zip(keys) {
            *o = heads.get(k.into());
        }
    };
    if ranges.len() == 1 {
        run(&mut first, l);
        return first;
    }
    std::thread::scope(|s| {
        let mut rest = first.as_mut_slice();
        for &(a, b) in &ranges {
            let (part, tail) = rest.split_at_mut(b - a);
            rest = tail;
            let run = &run;
            s.spawn(move || crate::ops::par::worker(|| run(part, &l[a..b])));
        }
    });
    first
}

/// Matches integer keys: a direct-index table for a small R key range, a
/// partitioned hash join for many R rows, else one hash map.
fn match_ints<L, R>(l: &[L], r: &[R]) -> Matches
where
    L: Copy + Into<i64> + Sync,
    R: Copy + Into<i64> + Sync,
{
    let dense = dense_span(r);
    if dense.is_none() && r.len() >= PARTITION_MIN_ROWS {
        let (first, next, dup) = partitioned_match(l, r);
        return Matches { first, next, dup };
    }
    let (heads, next, dup) = build_heads(r, dense);
    let first = probe(l, &heads);
    Matches { first, next, dup }
}

fn match_one_int(l: &ray_t, r: &ray_t) -> Option<Matches> {
    use crate::ops::pack::Ints::*;
    Some(match (ints(l)?, ints(r)?) {
        (U8(a), U8(b)) => match_ints(a, b),
        (U16(a), U16(b)) => match_ints(a, b),
        (U32(a), U32(b)) => match_ints(a, b),
        (I16(a), I16(b)) => match_ints(a, b),
        (I32(a), I32(b)) => match_ints(a, b),
        (I64(a), I64(b)) => match_ints(a, b),
        _ => return None,
    })
}

/// Matches L rows to R rows on equal key tuples.
pub fn match_rows(lk: &[Value], rk: &[Value]) -> Result<Matches> {
    if let ([l], [r]) = (lk, rk) {
        if l.type_() == r.type_() {
            if let Some(m) = match_one_int(l, r) {
                return Ok(m);
            }
        }
    }
    let lrefs: Vec<&ray_t> = lk.iter().map(|c| &**c).collect();
    let rrefs: Vec<&ray_t> = rk.iter().map(|c| &**c).collect();
    if let Some((packed, _)) = pack_keys(&[&lrefs, &rrefs]) {
        return Ok(match_ints(&packed[0], &packed[1]));
    }
    let nl = lk.first().map_or(0, |c| c.len().max(0) as usize);
    let nr = rk.first().map_or(0, |c| c.len().max(0) as usize);
    let both = lk.iter().zip(rk).map(|(a, b)| concat(a, b)).collect::<Result<Vec<_>>>()?;
    let refs: Vec<&ray_t> = both.iter().map(|c| &**c).collect();
    let g = group_columns(&refs)?;
    let gid = g.global_gid();
    let mut head = vec![NO_ROW; g.ngroups];
    let mut next = vec![NO_ROW; nr];
    let mut dup = false;
    for i in (0..nr).rev() {
        let h = &mut head[gid[nl + i] as usize];
        dup |= *h != NO_ROW;
        next[i] = *h;
        *h = i as Row;
    }
    let first = gid[..nl].iter().map(|&x| head[x as usize]).collect();
    Ok(Matches { first, next, dup })
}

/// Pairs (L row, R row) of a join: every match, and for `keep_unmatched` L
/// rows without a match once with NO_ROW. None when the pairs are exactly
/// one per L row in order (then L's columns are reused as they are).
fn pairs(m: Matches, keep_unmatched: bool) -> (Option<Vec<Row>>, Vec<Row>) {
    if !m.dup && keep_unmatched {
        return (None, m.first);
    }
    let (first, next) = (&m.first, &m.next);
    let chain = |mut r: Row| {
        let mut k = 0;
        while r != NO_ROW {
            k += 1;
            r = next[r as usize];
        }
        k
    };
    let emitted = |f: Row| match f {
        NO_ROW => keep_unmatched as usize,
        _ if !m.dup => 1,
        f => chain(f),
    };
    // Pairs per run of L rows, then each run fills its own part.
    let ranges = split(first.len(), threads_for(first.len()));
    let counts = map_chunks(&ranges, ranges.len(), |&(a, b)| first[a..b].iter().map(|&f| emitted(f)).sum::<usize>());
    let total = counts.iter().sum();
    let (mut ls, mut rs) = (huge_zeroed::<Row>(total), huge_zeroed::<Row>(total));
    let mut jobs = Vec::with_capacity(ranges.len());
    let (mut rest_l, mut rest_r) = (ls.as_mut_slice(), rs.as_mut_slice());
    for (&(a, b), &c) in ranges.iter().zip(&counts) {
        let (pl, tl) = rest_l.split_at_mut(c);
        let (pr, tr) = rest_r.split_at_mut(c);
        (rest_l, rest_r) = (tl, tr);
        jobs.push((a, b, pl, pr));
    }
    run_each(jobs, |_, (a, b, pl, pr)| {
        let mut k = 0;
        for (l, &f) in (a..b).zip(&first[a..b]) {
            if f == NO_ROW {
                if keep_unmatched {
                    (pl[k], pr[k]) = (l as Row, NO_ROW);
                    k += 1;
                }
                continue;
            }
            let mut r = f;
            while r != NO_ROW {
                (pl[k], pr[k]) = (l as Row, r);
                k += 1;
                r = next[r as usize];
            }
        }
    });
    (Some(ls), rs)
}

/// L's columns (gathered by `ls`), then R's non-key columns (gathered by `rs`).
fn assemble(j: &JoinArgs, ls: Option<&[Row]>, rs: &[Row]) -> Result<Value> {
    let mut ids = names(&j.l);
    let mut cols = match ls {
        None => columns(&j.l),
        Some(ls) => columns(&j.l).iter().map(|c| gather_ix(c, ls)).collect::<Result<Vec<_>>>()?,
    };
    for (id, c) in names(&j.r).into_iter().zip(columns(&j.r)) {
        if !j.keys.contains(&id) {
            ids.push(id);
            cols.push(gather_ix(&c, rs)?);
        }
    }
    make_table(&ids, cols)
}

fn matches_of(j: &JoinArgs, who: &str) -> Result<Matches> {
    let lk = key_cols(&j.l, &j.keys, who)?;
    let rk = key_cols(&j.r, &j.keys, who)?;
    match_rows(&lk, &rk)
}

/// Left join on one fixed-width key of one type whose R values are all
/// distinct (a lookup table): R's columns are gathered straight through the
/// probe, with no row-id vector. None when another path applies.
fn left_join_unique(j: &JoinArgs) -> Option<Result<Value>> {
    let (Ok(lk), Ok(rk)) = (key_cols(&j.l, &j.keys, "left-join"), key_cols(&j.r, &j.keys, "left-join")) else { return None };
    let ([l], [r]) = (&lk[..], &rk[..]) else { return None };
    if l.type_() != r.type_() {
        return None;
    }
    let (li, ri) = (ints(l)?, ints(r)?);
    let (heads, _, dup) = with_ints!(&ri, s => build_heads(s, dense_span(s)));
    if dup {
        return None;
    }
    let mut ids = names(&j.l);
    let mut cols = columns(&j.l);
    for (id, c) in names(&j.r).into_iter().zip(columns(&j.r)) {
        if !j.keys.contains(&id) {
            ids.push(id);
            // One closure per head kind, so the probe loop does not branch on it.
            let col = match &heads {
                Heads::Dense { lo, head } => with_ints!(li, s => gather_by(&c, s.len(), |i| {
                    let at = Into::<i64>::into(s[i]).wrapping_sub(*lo) as u64;
                    if at < head.len() as u64 { head[at as usize] } else { NO_ROW }
                })),
                Heads::Hash(_) => with_ints!(li, s => gather_by(&c, s.len(), |i| heads.get(s[i].into()))),
            };
            match col {
                Ok(col) => cols.push(col),
                Err(e) => return Some(Err(e)),
            }
        }
    }
    Some(make_table(&ids, cols))
}

/// `(left-join [k] L R)`: every L row in order with R's non-key columns
/// added (nulls, `'` for SYM, where nothing matches).
pub fn left_join(args: &[Value]) -> Result<Value> {
    let j = join_args(args, "left-join")?;
    if let Some(t) = left_join_unique(&j) {
        return t;
    }
    let m = matches_of(&j, "left-join")?;
    let (ls, rs) = pairs(m, true);
    assemble(&j, ls.as_deref(), &rs)
}

/// `(inner-join [k] L R)`: only matching rows; each key column once.
pub fn inner_join(args: &[Value]) -> Result<Value> {
    let j = join_args(args, "inner-join")?;
    let m = matches_of(&j, "inner-join")?;
    let nl = m.first.len();
    let (ls, rs) = pairs(m, false);
    let ls = ls.unwrap_or_else(|| (0..nl as Row).collect());
    assemble(&j, Some(&ls), &rs)
}

/// `(anti-join [k] L R)`: the L rows with no match, L's columns only.
pub fn anti_join(args: &[Value]) -> Result<Value> {
    let j = join_args(args, "anti-join")?;
    let m = matches_of(&j, "anti-join")?;
    let ls: Vec<Row> = m.first.iter().enumerate().filter(|(_, f)| **f == NO_ROW).map(|(l, _)| l as Row).collect();
    let cols = columns(&j.l).iter().map(|c| gather_ix(c, &ls)).collect::<Result<Vec<_>>>()?;
    make_table(&names(&j.l), cols)
}

/// `(full-join [k] L R)`: the left join, then the R rows that matched
/// nothing, with nulls in L's non-key columns and R's keys in L's key columns.
pub fn full_join(args: &[Value]) -> Result<Value> {
    let j = join_args(args, "full-join")?;
    let m = matches_of(&j, "full-join")?;
    let nl = m.first.len();
    let (ls, mut rs) = pairs(m, true);
    let mut ls = ls.unwrap_or_else(|| (0..nl as Row).collect());
    let nr = j.r.table_nrows().max(0) as usize;
    let mut hit = vec![false; nr];
    for &r in &rs {
        if r != NO_ROW {
            hit[r as usize] = true;
        }
    }
    let extra: Vec<Row> = (0..nr as Row).filter(|&r| !hit[r as usize]).collect();
    let n_left = ls.len();
    ls.extend(std::iter::repeat_n(NO_ROW, extra.len()));
    rs.extend_from_slice(&extra);
    let mut out_ids = names(&j.l);
    let (rn, rc) = (names(&j.r), columns(&j.r));
    let mut cols = Vec::new();
    for (id, c) in out_ids.iter().zip(columns(&j.l)) {
        match j.keys.iter().position(|k| k == id) {
            Some(_) => {
                let p = rn.iter().position(|x| x == id).expect("key in R");
                let left = gather_ix(&c, &ls[..n_left])?;
                let right = gather_ix(&rc[p], &extra)?;
                cols.push(concat(&left, &right)?);
            }
            None => cols.push(gather_ix(&c, &ls)?),
        }
    }
    for (id, c) in rn.into_iter().zip(rc) {
        if !j.keys.contains(&id) {
            out_ids.push(id);
            cols.push(gather_ix(&c, &rs)?);
        }
    }
    make_table(&out_ids, cols)
}

/// Time values of a column as i64 (nulls as i64::MIN).
fn times(c: &ray_t) -> Result<Vec<i64>> {
    Ok(match c.type_() {
        RAY_I64 | RAY_TIMESTAMP => c.elems::<i64>().to_vec(),
        RAY_I32 | RAY_DATE | RAY_TIME => c.elems::<i32>().iter().map(|&x| if x == NULL_I32 { i64::MIN } else { x as i64 }).collect(),
        RAY_I16 => c.elems::<i16>().iter().map(|&x| if x == NULL_I16 { i64::MIN } else { x as i64 }).collect(),
        RAY_F64 => c.elems::<f64>().iter().map(|&x| if x.is_nan() { i64::MIN } else { x as i64 }).collect(),
        _ => return Err(RayError::type_err("join: the time key must be numeric or temporal")),
    })
}

/// R rows per equality key, each list sorted by time (stable), and for each
/// L row the index of its list (or None).
struct TimeIndex {
    lists: Vec<Vec<Row>>,
    of_l: Vec<Option<usize>>,
    rt: Vec<i64>,
}

fn time_index(j: &JoinArgs, who: &str) -> Result<(TimeIndex, Vec<i64>)> {
    let (eq, t) = j.keys.split_at(j.keys.len().checked_sub(1).ok_or_else(|| RayError::domain(format!("{who}: no keys")))?);
    let lt = times(&key_cols(&j.l, t, who)?[0])?;
    let rt = times(&key_cols(&j.r, t, who)?[0])?;
    let nl = lt.len();
    let nr = rt.len();
    let (lists, of_l) = if eq.is_empty() {
        (vec![(0..nr as Row).collect::<Vec<_>>()], vec![Some(0); nl])
    } else {
        let m = match_rows(&key_cols(&j.l, eq, who)?, &key_cols(&j.r, eq, who)?)?;
        let mut list_of_head = FastMap::<Row, usize>::default();
        let mut lists: Vec<Vec<Row>> = Vec::new();
        let mut of_l = Vec::with_capacity(nl);
        for &f in &m.first {
            if f == NO_ROW {
                of_l.push(None);
                continue;
            }
            let id = *list_of_head.entry(f).or_insert_with(|| {
                let mut rows = Vec::new();
                let mut r = f;
                while r != NO_ROW {
                    rows.push(r);
                    r = m.next[r as usize];
                }
                lists.push(rows);
                lists.len() - 1
            });
            of_l.push(Some(id));
        }
        (lists, of_l)
    };
    let mut lists = lists;
    for l in &mut lists {
        l.sort_by_key(|&r| (rt[r as usize], r));
    }
    Ok((TimeIndex { lists, of_l, rt }, lt))
}

/// Number of rows in sorted `list` whose time is <= t (or < t when `strict`).
fn upper(ix: &TimeIndex, list: &[Row], t: i64, strict: bool) -> usize {
    list.partition_point(|&r| if strict { ix.rt[r as usize] < t } else { ix.rt[r as usize] <= t })
}

/// `(asof-join [k... t] L R)`: for each L row, the last R row with equal
/// `k` whose `t` is at or before L's; R's other columns added (nulls when none).
pub fn asof_join(args: &[Value]) -> Result<Value> {
    let j = join_args(args, "asof-join")?;
    let (ix, lt) = time_index(&j, "asof-join")?;
    let rs: Vec<Row> = lt
        .iter()
        .zip(&ix.of_l)
        .map(|(&t, l)| match l {
            Some(li) => {
                let list = &ix.lists[*li];
                let k = upper(&ix, list, t, false);
                if k == 0 { NO_ROW } else { list[k - 1] }
            }
            None => NO_ROW,
        })
        .collect();
    assemble(&j, None, &rs)
}

/// `(window-join [k t] (list lo hi) L R {name: (agg col) ...})`, evaluated
/// args. For each L row the R rows with equal `k` and `t` in `[lo, hi]`
/// (and, when `prevailing`, the last R row before `lo`), in time order, are
/// the columns each aggregate expression is evaluated over.
/// `window-join1` is `prevailing = false`.
pub fn window_join(args: &[Value], ev: &mut dyn Evaluator, prevailing: bool) -> Result<Value> {
    let who = if prevailing { "window-join" } else { "window-join1" };
    if args.len() != 5 {
        return Err(RayError::new("arity", format!("{who}: expected 5 args, got {}", args.len())));
    }
    let j = join_args(&[args[0].clone(), args[2].clone(), args[3].clone()], who)?;
    let nl = j.l.table_nrows().max(0) as usize;
    let bounds = &args[1];
    let bad_bounds = || RayError::domain(format!("{who}: intervals must be [lo hi] vectors matching left row count"));
    if bounds.type_() != RAY_LIST || bounds.len() != 2 {
        return Err(bad_bounds());
    }
    let bound = |i: usize| -> Result<Vec<i64>> {
        match bounds.item(i) {
            Some(b) if b.is_vec() && b.len() as usize == nl => times(b),
            _ => Err(bad_bounds()),
        }
    };
    let (lo, hi) = (bound(0)?, bound(1)?);
    let aggs = &args[4];
    let (Some(ak), Some(av)) = (aggs.dict_keys(), aggs.dict_vals()) else {
        return Err(RayError::type_err(format!("{who}: expected a dict of aggregates")));
    };
    if ak.type_() != RAY_SYM || av.type_() != RAY_LIST {
        return Err(RayError::type_err(format!("{who}: expected {{name: (agg col)}}")));
    }
    let (ix, _) = time_index(&j, who)?;
    let rview = View::of_table(&j.r);
    let mut windows: Vec<Vec<Row>> = Vec::with_capacity(nl);
    for (i, l) in ix.of_l.iter().enumerate() {
        let Some(li) = l else {
            windows.push(Vec::new());
            continue;
        };
        let list = &ix.lists[*li];
        let a = upper(&ix, list, lo[i], true);
        let b = upper(&ix, list, hi[i], false).max(a);
        // The prevailing row: the last one before lo, unless a row sits at lo.
        let at_lo = list.get(a).is_some_and(|&r| ix.rt[r as usize] == lo[i]);
        let start = if prevailing && a > 0 && !at_lo { a - 1 } else { a };
        windows.push(list[start..b].to_vec());
    }
    let mut ids = names(&j.l);
    let mut cols = columns(&j.l);
    for (k, e) in av.items().iter().enumerate() {
        let e = e.ok_or_else(|| RayError::type_err(format!("{who}: empty aggregate")))?;
        let mut vals = Vec::with_capacity(nl);
        for w in &windows {
            let v = rview.reselect(Sel::Rows(w.clone()));
            vals.push(eval_in(ev, e, &v)?);
        }
        ids.push(ak.sym_at(k));
        cols.push(from_atoms(&vals)?);
    }
    make_table(&ids, cols)
}
