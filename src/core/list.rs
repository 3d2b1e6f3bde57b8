//! Containers whose payload is owned child pointers: LIST (0), DICT (99:
//! keys, vals), TABLE (98: I64 vector of column-name ids, LIST of columns)
//! and LAMBDA (100: evaluator-defined slots).

use crate::abi::*;
use crate::core::{alloc, error::RayError, value::Value};
use core::ptr;

type Result<T> = std::result::Result<T, RayError>;

fn alloc_container(type_: i8, cap: usize) -> Result<Value> {
    let bytes = cap.checked_mul(8).ok_or_else(RayError::oom)?;
    let p = alloc::alloc_block_zeroed(bytes);
    if p.is_null() {
        return Err(RayError::oom());
    }
    // SAFETY: fresh block with zeroed header and slots.
    unsafe {
        (*p).type_ = type_;
        Ok(Value::from_new_block(p))
    }
}

impl Value {
    /// An empty LIST with `cap` zeroed slots. Errors: `range`, `oom`.
    pub fn list_with_capacity(cap: i64) -> Result<Value> {
        if cap < 0 {
            return Err(RayError::range("negative capacity"));
        }
        alloc_container(RAY_LIST, cap as usize)
    }

    /// A LIST owning `items`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::container(RAY_LIST, items).unwrap_or_else(|_| crate::core::alloc::out_of_memory())
    }

    /// A container of `type_` (LIST/DICT/TABLE/LAMBDA) owning `items`.
    pub fn container(type_: i8, items: Vec<Value>) -> Result<Value> {
        let mut v = alloc_container(type_, items.len())?;
        let n = items.len();
        // SAFETY: room for n slots; each item's reference moves into a slot.
        unsafe {
            let slots = v.data_ptr() as *mut *mut ray_t;
            for (i, it) in items.into_iter().enumerate() {
                *slots.add(i) = it.into_raw();
            }
            v.header_mut().val.i64_ = n as i64;
        }
        Ok(v)
    }

    /// A DICT of `keys` and `vals` (both moved in).
    pub fn dict(keys: Value, vals: Value) -> Value {
        Value::container(RAY_DICT, vec![keys, vals]).unwrap_or_else(|_| crate::core::alloc::out_of_memory())
    }

    /// A TABLE from an I64 vector of column-name ids and a LIST of columns.
    pub fn table(schema: Value, cols: Value) -> Value {
        Value::container(RAY_TABLE, vec![schema, cols]).unwrap_or_else(|_| crate::core::alloc::out_of_memory())
    }

    /// A TABLE from (name id, column) pairs.
    pub fn table_from(columns: Vec<(i64, Value)>) -> Result<Value> {
        let ids: Vec<i64> = columns.iter().map(|c| c.0).collect();
        let schema = Value::vec_from_slice(RAY_I64, &ids)?;
        let cols = Value::container(RAY_LIST, columns.into_iter().map(|c| c.1).collect())?;
        Ok(Value::table(schema, cols))
    }

    /// Appends `item` (moved in; None stores a NULL slot) to a container.
    pub fn list_push(&mut self, item: Option<Value>) -> Result<()> {
        if !is_container_type(self.type_) {
            return Err(RayError::type_err("not a list"));
        }
        self.reserve(1)?;
        let n = self.len() as usize;
        // SAFETY: room for n + 1 slots in a unique block.
        unsafe {
            *(self.data_ptr() as *mut *mut ray_t).add(n) = item.map_or(ptr::null_mut(), Value::into_raw);
            self.header_mut().val.i64_ = n as i64 + 1;
        }
        Ok(())
    }

    /// Replaces slot `i` of a container, releasing the old child.
    pub fn list_set(&mut self, i: usize, item: Option<Value>) -> Result<()> {
        if !is_container_type(self.type_) {
            return Err(RayError::type_err("not a list"));
        }
        if i >= self.len() as usize {
            return Err(RayError::range("index out of range"));
        }
        self.make_unique()?;
        // SAFETY: i < len; the slot's old reference is released.
        unsafe {
            let slot = (self.data_ptr() as *mut *mut ray_t).add(i);
            let old = core::mem::replace(&mut *slot, item.map_or(ptr::null_mut(), Value::into_raw));
            drop(Value::from_raw(old));
        }
        Ok(())
    }

    /// Owned copies of a container's children (NULL slots become the null object).
    pub fn to_vec(&self) -> Vec<Value> {
        self.items().iter().map(|c| c.map_or_else(Value::null, |r| r.to_value())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_own_their_children() {
        let a = Value::i64(1);
        let mut l = Value::list(vec![a.clone(), Value::str(b"two")]);
        assert_eq!(a.rc(), 2);
        l.list_push(None).unwrap();
        assert_eq!(l.len(), 3);
        assert!(l.item(2).is_none());
        l.list_set(0, Some(Value::i64(5))).unwrap();
        assert_eq!(a.rc(), 1);
        drop(l);
    }

    #[test]
    fn tables_expose_schema_columns_and_rows() {
        let id = crate::core::sym::intern(b"col_a");
        let t = Value::table_from(vec![(id, Value::vec_from_slice(RAY_I64, &[1i64, 2, 3]).unwrap())]).unwrap();
        assert_eq!(t.table_nrows(), 3);
        assert_eq!(t.table_schema().unwrap().elems::<i64>(), &[id]);
    }

    #[test]
    fn deep_nesting_frees_without_recursion() {
        let mut v = Value::i64(0);
        for _ in 0..200_000 {
            v = Value::list(vec![v]);
        }
        drop(v);
    }
}
