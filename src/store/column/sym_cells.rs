//! SYM cells on disk (positions in the table's symbol file, 1, 2, 4 or 8
//! bytes each) into process symbol ids of any in-memory width: the one
//! translation every SYM column read goes through. Narrow positions go
//! through a lookup table indexed by the position (no bounds test per
//! cell); large columns are split over the parallel workers.

use crate::abi::*;
use crate::ops::par;

/// A process symbol id narrowed to an output cell (the width was chosen
/// from the largest id, so nothing is lost).
pub trait SymCell: Copy + Send + Sync {
    fn from_id(id: i64) -> Self;
}
impl SymCell for u8 {
    fn from_id(id: i64) -> Self {
        id as u8
    }
}
impl SymCell for u16 {
    fn from_id(id: i64) -> Self {
        id as u16
    }
}
impl SymCell for u32 {
    fn from_id(id: i64) -> Self {
        id as u32
    }
}
impl SymCell for i64 {
    fn from_id(id: i64) -> Self {
        id
    }
}

/// Maps the positions `cells` (cell width `disk`, a SYM width attribute)
/// to process ids through `ids` (id of each position) into `out`; a
/// position outside `ids` becomes the empty symbol (id 0). Returns the
/// first such position, if any.
pub fn translate_from<T: SymCell>(disk: u8, cells: &[u8], ids: &[i64], out: &mut [T]) -> Option<u64> {
    match disk {
        RAY_SYM_W8 => translate::<1, T>(cells, ids, out),
        RAY_SYM_W16 => translate::<2, T>(cells, ids, out),
        RAY_SYM_W32 => translate::<4, T>(cells, ids, out),
        _ => translate::<8, T>(cells, ids, out),
    }
}

fn translate<const W: usize, T: SymCell>(cells: &[u8], ids: &[i64], out: &mut [T]) -> Option<u64> {
    let n = out.len().min(cells.len() / W);
    let out = &mut out[..n];
    let threads = par::threads_for(n);
    let stray = if W <= 2 {
        // Every position a W-byte cell can hold has an entry: the stray
        // ones map to the empty symbol and are found afterwards from the
        // largest position seen.
        let lut: Vec<T> = (0..1usize << (8 * W)).map(|p| T::from_id(ids.get(p).copied().unwrap_or(0))).collect();
        par::par_parts(out, threads, |part, a, b| {
            let max = if W == 1 {
                let lut: &[T; 256] = lut.as_slice().try_into().expect("256 entries");
                let mut max = 0u8;
                for (&c, o) in cells[a..b].iter().zip(part.iter_mut()) {
                    *o = lut[c as usize];
                    max = max.max(c);
                }
                max as usize
            } else {
                let lut: &[T; 65536] = lut.as_slice().try_into().expect("65536 entries");
                let mut max = 0u16;
                for (c, o) in cells[a * 2..b * 2].chunks_exact(2).zip(part.iter_mut()) {
                    let p = u16::from_le_bytes([c[0], c[1]]);
                    *o = lut[p as usize];
                    max = max.max(p);
                }
                max as usize
            };
            max >= ids.len()
        })
    } else {
        par::par_parts(out, threads, |part, a, b| {
            let mut stray = false;
            for (c, o) in cells[a * W..b * W].chunks_exact(W).zip(part.iter_mut()) {
                *o = match ids.get(position::<W>(c) as usize) {
                    Some(&id) => T::from_id(id),
                    None => {
                        stray = true;
                        T::from_id(0)
                    }
                };
            }
            stray
        })
    };
    if !stray {
        return None;
    }
    cells[..n * W].chunks_exact(W).map(position::<W>).find(|&p| p >= ids.len() as u64)
}

fn position<const W: usize>(c: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..W].copy_from_slice(c);
    u64::from_le_bytes(b)
}
