//! Null handling on whole vectors: the typed null atom of a type, the
//! null test of one element, null masks (`(nil? col)`), and keeping the
//! HAS_NULLS attribute equal to the data.
#![forbid(unsafe_code)]

use super::prim::{Prim, has_sentinel, with_prim};
use crate::abi::*;
use crate::core::{Result, Value};

/// Recomputes the HAS_NULLS attribute of a vector from its elements.
pub fn fix_has_nulls(v: &mut Value) -> Result<()> {
    let any = scan_nulls(v);
    if any != (v.attrs & RAY_ATTR_HAS_NULLS != 0) {
        v.set_attr(RAY_ATTR_HAS_NULLS, any)?;
    }
    Ok(())
}

/// True when element `i` of vector `v` is a null sentinel.
pub fn elem_is_null(v: &ray_t, i: usize) -> bool {
    with_prim!(v.type_, T => has_sentinel(v.type_) && v.elems::<T>()[i].is_null(), _ => false)
}


/// The typed null atom of vector/atom type `t` (either sign), flag set;
/// the null object for types without a typed null.
pub fn typed_null(t: i8) -> Value {
    Value::typed_null(-t.abs()).unwrap_or_else(|_| Value::null())
}

/// True when vector `col` holds at least one null sentinel.
pub fn scan_nulls(col: &ray_t) -> bool {
    let t = col.type_;
    has_sentinel(t) && with_prim!(t, T => col.elems::<T>().iter().any(|x| x.is_null()), _ => false)
}

/// Sets HAS_NULLS on `v` exactly when it holds a null sentinel.
pub fn mark_nulls(mut v: Value) -> Result<Value> {
    if v.is_vec() {
        fix_has_nulls(&mut v)?;
    }
    Ok(v)
}

/// Element-wise null test of a vector: a BOOL vector, true where the
/// element is its type's null (a LIST item: a null atom or the null object).
/// This is `(nil? col)` inside queries (rayfall.md 10).
pub fn null_mask(col: &ray_t) -> Result<Value> {
    let n = col.len().max(0) as usize;
    let t = col.type_;
    let m: Vec<u8> = if t == RAY_LIST {
        col.items().iter().map(|x| x.is_none_or(|x| x.is_atom() && (x.is_null_atom() || x.is_null_obj())) as u8).collect()
    } else if has_sentinel(t) {
        with_prim!(t, T => col.elems::<T>().iter().map(|x| x.is_null() as u8).collect(), _ => vec![0; n])
    } else {
        vec![0; n]
    };
    Value::vec_from_slice(RAY_BOOL, &m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_mask_is_true_exactly_at_each_types_null() {
        let v = Value::vec_from_slice(RAY_I64, &[1i64, NULL_I64, 3]).unwrap();
        assert_eq!(null_mask(&v).unwrap().elems::<u8>(), &[0, 1, 0]);
        let f = Value::vec_from_slice(RAY_F64, &[f64::NAN, 2.0]).unwrap();
        assert_eq!(null_mask(&f).unwrap().elems::<u8>(), &[1, 0]);
        let s = Value::sym_vec(&[5, 6]).unwrap();
        let m = null_mask(&s).unwrap();
        assert_eq!((m.type_, m.elems::<u8>()), (RAY_BOOL, &[0u8, 0][..]));
        let l = Value::list(vec![Value::i64(1), Value::typed_null(-RAY_I64).unwrap(), Value::null()]);
        assert_eq!(null_mask(&l).unwrap().elems::<u8>(), &[0, 1, 1]);
        assert!(scan_nulls(&v) && !scan_nulls(&s));
    }
}
