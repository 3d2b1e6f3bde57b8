//! A table seen through a row selection (all rows, a where-mask, or a row
//! list such as one group). Columns are materialised lazily, on the first
//! time an expression names them, and cached for the rest of the query.
#![forbid(unsafe_code)]

use crate::ops::par::{PAR_MIN_ROWS, map_chunks, threads_for};
use crate::ops::{Row, compress, count_set, gather_ix, mask_rows};
use crate::ops::table::{columns, names};
use crate::abi::*;
use crate::core::{RayError, Result, Value};
use std::cell::RefCell;

/// Which rows of the table a view shows.
pub enum Sel {
    All,
    /// A B8 mask vector and the number of set bytes.
    Mask(Value, usize),
    Rows(Vec<Row>),
}

pub struct View {
    pub names: Vec<i64>,
    pub cols: Vec<Value>,
    pub nrows_all: usize,
    sel: Sel,
    cache: RefCell<Vec<Option<Value>>>,
}

impl View {
    /// All rows of table `t`.
    pub fn of_table(t: &ray_t) -> View {
        let cols = columns(t);
        let n = t.table_nrows().max(0) as usize;
        View::new(names(t), cols, n, Sel::All)
    }

    pub fn new(names: Vec<i64>, cols: Vec<Value>, nrows_all: usize, sel: Sel) -> View {
        let k = cols.len();
        View { names, cols, nrows_all, sel, cache: RefCell::new(vec![None; k]) }
    }

    /// The same table under another selection (of the underlying rows).
    pub fn reselect(&self, sel: Sel) -> View {
        View::new(self.names.clone(), self.cols.clone(), self.nrows_all, sel)
    }

    /// Rows visible.
    pub fn nrows(&self) -> usize {
        match &self.sel {
            Sel::All => self.nrows_all,
            Sel::Mask(_, c) => *c,
            Sel::Rows(r) => r.len(),
        }
    }

    /// The underlying row ids visible, in order.
    pub fn row_ids(&self) -> Vec<Row> {
        match &self.sel {
            Sel::All => (0..self.nrows_all as Row).collect(),
            Sel::Mask(m, _) => m.elems::<u8>().iter().enumerate().filter(|(_, b)| **b != 0).map(|(i, _)| i as Row).collect(),
            Sel::Rows(r) => r.clone(),
        }
    }

    /// Position of column `id`.
    pub fn position(&self, id: i64) -> Option<usize> {
        self.names.iter().position(|&n| n == id)
    }

    /// Column `i` under the selection.
    pub fn col(&self, i: usize) -> Result<Value> {
        if let Some(v) = &self.cache.borrow()[i] {
            return Ok(v.clone());
        }
        let v = select_rows(&self.cols[i], &self.sel)?;
        self.cache.borrow_mut()[i] = Some(v.clone());
        Ok(v)
    }

    /// The selected column named `id`, if there is one.
    pub fn lookup(&self, id: i64) -> Option<Value> {
        self.position(id).and_then(|i| self.col(i).ok())
    }

    /// Every selected column. When each column's selection is too short to
    /// be split over threads (a sparse where), the columns are.
    pub fn all_cols(&self) -> Result<Vec<Value>> {
        let missing: Vec<usize> = (0..self.cols.len()).filter(|&i| self.cache.borrow()[i].is_none()).collect();
        let rows = self.nrows();
        if rows < PAR_MIN_ROWS && missing.len() > 1 && !matches!(self.sel, Sel::All) {
            let (cols, sel) = (&self.cols, &self.sel);
            let k = threads_for(rows.saturating_mul(missing.len()));
            let done = map_chunks(&missing, k, |&i| select_rows(&cols[i], sel));
            for (i, v) in missing.into_iter().zip(done) {
                self.cache.borrow_mut()[i] = Some(v?);
            }
        }
        (0..self.cols.len()).map(|i| self.col(i)).collect()
    }
}

/// The rows of `src` that `sel` shows.
fn select_rows(src: &Value, sel: &Sel) -> Result<Value> {
    match sel {
        Sel::All => Ok(src.clone()),
        Sel::Mask(m, c) => compress(src, m.elems::<u8>(), *c),
        Sel::Rows(r) => gather_ix(src, r),
    }
}

/// A mask keeping at most one row in this many becomes a row list: gathering
/// the kept rows reads less than compressing every column through the mask.
const SPARSE: usize = 8;

/// Turns a `where:` result into a selection over `n` rows.
pub fn selection(pred: &Value, n: usize) -> Result<Sel> {
    match pred.type_() {
        RAY_BOOL if pred.len() as usize == n => {
            let mask = pred.elems::<u8>();
            let c = count_set(mask);
            Ok(if c == n {
                Sel::All
            } else if c <= n / SPARSE {
                Sel::Rows(mask_rows(mask, c))
            } else {
                Sel::Mask(pred.clone(), c)
            })
        }
        RAY_BOOL => Err(RayError::length("where: mask length differs from the table")),
        t if t == -RAY_BOOL => Ok(if pred.bool_val() { Sel::All } else { Sel::Rows(Vec::new()) }),
        RAY_I64 => {
            let mut rows = Vec::with_capacity(pred.len() as usize);
            for &i in pred.elems::<i64>() {
                if i < 0 || i as usize >= n {
                    return Err(RayError::new("index", "where: row index out of range"));
                }
                rows.push(i as Row);
            }
            Ok(Sel::Rows(rows))
        }
        _ => Err(RayError::type_err("where: expected a boolean vector")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sparse where-mask (a row list) gives the same columns as the plain
    /// compress through the mask, nulls and flags included.
    #[test]
    fn a_sparse_mask_selects_what_the_plain_compress_selects() {
        for n in [0usize, 1, 2, 100, 4000] {
            let ints: Vec<i64> = (0..n as i64).map(|i| if i % 5 == 0 { NULL_I64 } else { i * 3 }).collect();
            let floats: Vec<f64> = (0..n).map(|i| if i % 7 == 0 { f64::NAN } else { i as f64 / 2.0 }).collect();
            let mut a = Value::vec_from_slice(RAY_I64, &ints).unwrap();
            let mut b = Value::vec_from_slice(RAY_F64, &floats).unwrap();
            a.set_attr(RAY_ATTR_HAS_NULLS, n > 0).unwrap();
            b.set_attr(RAY_ATTR_HAS_NULLS, n > 0).unwrap();
            let s = Value::sym_vec(&(0..n as i64).map(|i| crate::core::sym::intern(format!("s{}", i % 3).as_bytes())).collect::<Vec<_>>()).unwrap();
            let cols = vec![a, b, s];
            for every in [1usize, 3, 20, 1000] {
                let bits: Vec<u8> = (0..n).map(|i| (i % every == every / 2) as u8).collect();
                let mask = Value::vec_from_slice(RAY_BOOL, &bits).unwrap();
                let c = bits.iter().filter(|&&m| m != 0).count();
                let sel = selection(&mask, n).unwrap();
                assert_eq!(matches!(sel, Sel::Rows(_)), c < n && c <= n / SPARSE, "n {n} every {every}");
                let view = View::new(vec![1, 2, 3], cols.clone(), n, sel);
                assert_eq!(view.nrows(), c);
                for (i, src) in cols.iter().enumerate() {
                    let fast = view.col(i).unwrap();
                    let plain = compress(src, &bits, c).unwrap();
                    assert_eq!(fast.type_, plain.type_);
                    assert_eq!(fast.attrs & RAY_ATTR_HAS_NULLS, plain.attrs & RAY_ATTR_HAS_NULLS, "n {n} every {every} col {i}");
                    let bytes = |v: &Value| v.elems::<i64>().to_vec();
                    assert_eq!(bytes(&fast), bytes(&plain), "n {n} every {every} col {i}");
                }
            }
        }
    }

    /// Columns selected together (on threads when each is short) equal
    /// the columns selected one by one.
    #[test]
    fn all_columns_at_once_equal_each_column_alone() {
        let n = 400_000usize;
        let ints: Vec<i64> = (0..n as i64).map(|i| if i % 9 == 0 { NULL_I64 } else { i * 7 }).collect();
        let mut a = Value::vec_from_slice(RAY_I64, &ints).unwrap();
        a.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
        let b = Value::vec_from_slice(RAY_F64, &(0..n).map(|i| i as f64).collect::<Vec<_>>()).unwrap();
        let c = Value::vec_from_slice(RAY_I32, &(0..n as i32).collect::<Vec<_>>()).unwrap();
        let cols = vec![a, b, c];
        let bits: Vec<u8> = (0..n).map(|i| (i % 4 == 1) as u8).collect();
        let mask = Value::vec_from_slice(RAY_BOOL, &bits).unwrap();
        let together = View::new(vec![1, 2, 3], cols.clone(), n, selection(&mask, n).unwrap());
        let alone = View::new(vec![1, 2, 3], cols.clone(), n, selection(&mask, n).unwrap());
        assert_eq!(together.nrows(), n / 4);
        assert!(together.nrows() < PAR_MIN_ROWS);
        let all = together.all_cols().unwrap();
        for (i, v) in all.iter().enumerate() {
            let one = alone.col(i).unwrap();
            assert_eq!(v.type_, one.type_);
            assert_eq!(v.attrs, one.attrs, "col {i}");
            match i {
                0 => assert_eq!(v.elems::<i64>(), one.elems::<i64>()),
                1 => assert_eq!(v.elems::<f64>(), one.elems::<f64>()),
                _ => assert_eq!(v.elems::<i32>(), one.elems::<i32>()),
            }
        }
    }
}
