//! Joining what the parse's workers gathered into the final columns. The
//! rows were parsed in chunks that whichever worker was free took, each
//! worker with its own SYM dictionaries and STR byte pools; here the
//! dictionaries are interned into the global symbol table chunk by chunk
//! in file order (so symbols are created in the order of their first row,
//! whatever the scheduling), each chunk's local ids are rewritten through
//! its worker's map, the pools are concatenated with each chunk's long
//! cells shifted by its worker's pool start, and INT columns are narrowed.
//!
//! This module owns those joins; the parse loop is `parse`'s.

use super::parse::{Aux, WorkerOut};
use crate::abi::*;
use crate::core::vec_ops::sym_width_for;
use crate::core::{RayError, Result, Value, sym};
use crate::ops::par;
use std::ops::Range;

/// Which worker parsed each chunk, and what it created there.
pub(super) struct Plan {
    /// Per chunk, in file order.
    chunks: Vec<ChunkInfo>,
}

struct ChunkInfo {
    rows: usize,
    worker: usize,
    /// Per column: the local SYM ids first seen in this chunk.
    created: Vec<Range<u32>>,
}

impl Plan {
    pub(super) fn new(outs: &[WorkerOut], lens: &[usize]) -> Plan {
        let mut chunks: Vec<ChunkInfo> =
            lens.iter().map(|&rows| ChunkInfo { rows, worker: 0, created: Vec::new() }).collect();
        for (w, o) in outs.iter().enumerate() {
            // Id 0 (`""`) exists before any chunk.
            let mut prev = vec![1u32; o.aux.len()];
            for (c, sizes) in &o.chunks {
                let info = &mut chunks[*c];
                info.worker = w;
                info.created = prev.iter().zip(sizes).map(|(&a, &b)| a..b.max(a)).collect();
                prev.clone_from(sizes);
            }
        }
        Plan { chunks }
    }
}

/// Column `col` (SYM) from the local ids in `local` and the workers'
/// dictionaries in `aux`.
pub(super) fn sym_column(local: &[u32], col: usize, aux: Vec<Aux>, plan: &Plan, threads: usize) -> Result<Value> {
    let empty = sym::intern(b"");
    let dicts: Vec<_> = aux.into_iter().map(|a| if let Aux::Syms(d) = a { Some(d) } else { None }).collect();
    let mut maps: Vec<Vec<i64>> = dicts.iter().map(|d| vec![empty; d.as_ref().map_or(1, |d| d.len() as usize)]).collect();
    for ch in &plan.chunks {
        if let (Some(d), Some(r)) = (&dicts[ch.worker], ch.created.get(col)) {
            d.intern_into(r.clone(), &mut maps[ch.worker]);
        }
    }
    let width = sym_width_for(maps.iter().flatten().copied().max().unwrap_or(0));
    let mut v = Value::vec_zeroed(RAY_SYM, width, local.len() as i64)?;
    match width {
        RAY_SYM_W8 => remap(v.as_mut_slice::<u8>()?, local, &maps, plan, threads, |id| id as u8),
        RAY_SYM_W16 => remap(v.as_mut_slice::<u16>()?, local, &maps, plan, threads, |id| id as u16),
        RAY_SYM_W32 => remap(v.as_mut_slice::<u32>()?, local, &maps, plan, threads, |id| id as u32),
        _ => remap(v.as_mut_slice::<i64>()?, local, &maps, plan, threads, |id| id),
    }
    Ok(v)
}

/// Writes each chunk's global ids (through its worker's map) into `dst`,
/// the chunks shared out over `threads` threads.
fn remap<T: Send>(dst: &mut [T], local: &[u32], maps: &[Vec<i64>], plan: &Plan, threads: usize, conv: fn(i64) -> T) {
    let k = threads.clamp(1, plan.chunks.len().max(1));
    let mut groups: Vec<Vec<(&mut [T], &[u32], &[i64])>> = (0..k).map(|_| Vec::new()).collect();
    let (mut rest, mut at) = (dst, 0);
    for (i, ch) in plan.chunks.iter().enumerate() {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(ch.rows);
        rest = tail;
        groups[i * k / plan.chunks.len()].push((part, &local[at..at + ch.rows], &maps[ch.worker]));
        at += ch.rows;
    }
    par::run_each(groups, |_, group| {
        for (d, s, m) in group {
            d.iter_mut().zip(s).for_each(|(d, &s)| *d = conv(m[s as usize]));
        }
    });
}

/// Concatenates the workers' pools into the vector's pool, shifting each
/// chunk's long cells by where its worker's pool starts.
pub(super) fn pools(v: &mut Value, aux: Vec<Aux>, plan: &Plan) -> Result<()> {
    let pools: Vec<Vec<u8>> = aux.into_iter().map(|a| if let Aux::Pool(p) = a { p } else { Vec::new() }).collect();
    let total: usize = pools.iter().map(Vec::len).sum();
    if total == 0 {
        return Ok(());
    }
    if total > u32::MAX as usize {
        return Err(RayError::range("csv read: text column over 4 GiB"));
    }
    let bases: Vec<u32> = pools
        .iter()
        .scan(0u32, |acc, p| {
            let b = *acc;
            *acc += p.len() as u32;
            Some(b)
        })
        .collect();
    let cells = v.as_mut_slice::<StrCell>()?;
    let mut at = 0;
    for ch in &plan.chunks {
        let base = bases.get(ch.worker).copied().unwrap_or(0);
        if base > 0 {
            for c in cells[at..at + ch.rows].iter_mut().filter(|c| c.len as usize > STR_INLINE_MAX) {
                let off = u32::from_le_bytes([c.bytes[4], c.bytes[5], c.bytes[6], c.bytes[7]]) + base;
                c.bytes[4..8].copy_from_slice(&off.to_le_bytes());
            }
        }
        at += ch.rows;
    }
    let mut pool = Value::vec_with_capacity(RAY_U8, total as i64)?;
    for p in &pools {
        pool.extend_from_slice::<u8>(p)?;
    }
    v.set_str_pool(pool)
}

/// An INT column as the narrowest of I16/I32/I64 holding its values.
pub(super) fn narrow_int(v: &Value) -> Result<Value> {
    let xs = v.elems::<i64>();
    let (lo, hi) = xs.iter().filter(|&&x| x != NULL_I64).fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if lo > hi {
        // No values: RayforceDB keeps I64.
        Ok(v.clone())
    } else if lo > NULL_I16 as i64 && hi <= i16::MAX as i64 {
        narrowed(xs, RAY_I16, |x| if x == NULL_I64 { NULL_I16 } else { x as i16 })
    } else if lo > NULL_I32 as i64 && hi <= i32::MAX as i64 {
        narrowed(xs, RAY_I32, |x| if x == NULL_I64 { NULL_I32 } else { x as i32 })
    } else {
        Ok(v.clone())
    }
}

fn narrowed<T: crate::core::Elem>(xs: &[i64], t: i8, conv: fn(i64) -> T) -> Result<Value> {
    let mut out = Value::vec_zeroed(t, 0, xs.len() as i64)?;
    out.as_mut_slice::<T>()?.iter_mut().zip(xs).for_each(|(d, &x)| *d = conv(x));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::infer::ColType;
    use super::super::parse::parse;
    use super::super::split::Layout;
    use crate::core::sym;

    #[test]
    fn symbols_are_created_in_file_order_on_any_schedule() {
        // Values new to the symbol table, first seen in this order; later
        // rows repeat earlier values, so chunks parsed by different
        // workers share them.
        let name = |i: usize| format!("join_order_{i}_{}", "q".repeat(i % 9));
        // Long enough every other row to go to the workers' pools.
        let text = |r: usize| format!("x{}{}", r % 5, "long".repeat(r % 4));
        let mut b = b"s,t\n".to_vec();
        let mut first_seen = Vec::new();
        for r in 0..20_000 {
            let i = if r % 3 == 0 { r / 3 } else { (r * 7919) % (r / 3 + 1) };
            if i == r / 3 && r % 3 == 0 {
                first_seen.push(name(i));
            }
            b.extend_from_slice(format!("{},{}\n", name(i), text(r)).as_bytes());
        }
        let layout = Layout::scan(&b, b',', vec![b"s".to_vec(), b"t".to_vec()], 4, 2).unwrap();
        let cols = parse(&b, &layout, 0..layout.rows, &[ColType::Sym, ColType::Str], 2, &|_| ()).unwrap();
        let ids: Vec<i64> = first_seen.iter().map(|n| sym::find(n.as_bytes()).unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "symbols interned out of file order");
        for r in 0..20_000 {
            let i = if r % 3 == 0 { r / 3 } else { (r * 7919) % (r / 3 + 1) };
            assert_eq!(sym::name_or_empty(cols[0].sym_at(r)), name(i).as_bytes(), "row {r}");
            assert_eq!(cols[1].str_at(r), text(r).as_bytes(), "row {r}");
        }
    }
}
