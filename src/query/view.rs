//! A table seen through a row selection (all rows, a where-mask, or a row
//! list such as one group). Columns are materialised lazily, on the first
//! time an expression names them, and cached for the rest of the query.
#![forbid(unsafe_code)]

use crate::ops::{Row, compress, gather_ix};
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
            Sel::Mask(m, _) => m.as_slice::<u8>().iter().enumerate().filter(|(_, b)| **b != 0).map(|(i, _)| i as Row).collect(),
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
        let src = &self.cols[i];
        let v = match &self.sel {
            Sel::All => src.clone(),
            Sel::Mask(m, c) => compress(src, m.as_slice::<u8>(), *c)?,
            Sel::Rows(r) => gather_ix(src, r)?,
        };
        self.cache.borrow_mut()[i] = Some(v.clone());
        Ok(v)
    }

    /// The selected column named `id`, if there is one.
    pub fn lookup(&self, id: i64) -> Option<Value> {
        self.position(id).and_then(|i| self.col(i).ok())
    }

    /// Every selected column.
    pub fn all_cols(&self) -> Result<Vec<Value>> {
        (0..self.cols.len()).map(|i| self.col(i)).collect()
    }
}

/// Turns a `where:` result into a selection over `n` rows.
pub fn selection(pred: &Value, n: usize) -> Result<Sel> {
    match pred.type_() {
        RAY_BOOL if pred.len() as usize == n => {
            let c = pred.as_slice::<u8>().iter().filter(|b| **b != 0).count();
            Ok(if c == n { Sel::All } else { Sel::Mask(pred.clone(), c) })
        }
        RAY_BOOL => Err(RayError::length("where: mask length differs from the table")),
        t if t == -RAY_BOOL => Ok(if pred.bool_val() { Sel::All } else { Sel::Rows(Vec::new()) }),
        RAY_I64 => {
            let mut rows = Vec::with_capacity(pred.len() as usize);
            for &i in pred.as_slice::<i64>() {
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
