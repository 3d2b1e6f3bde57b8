//! Reading one element: element `i` of a vector or LIST as an owned atom
//! (null sentinels become typed null atoms), and element counts. Callers
//! that read many elements should take a typed slice (`elems`) instead.
#![forbid(unsafe_code)]

use super::nulls::{elem_is_null, typed_null};
use super::prim::Prim;
use crate::abi::*;
use crate::core::{Result, Value};
use std::borrow::Cow;

/// Element `i` of vector `v` as an atom; sentinels become typed nulls.
/// Items of a LIST are returned as they are (NULL slots as the null object).
/// Errors: `type` for a value that is not a vector or LIST.
pub fn atom_at(v: &ray_t, i: usize) -> Result<Value> {
    let t = v.type_;
    if t == RAY_LIST {
        return Ok(v.item(i).map_or_else(Value::null, |x| x.to_value()));
    }
    if elem_is_null(v, i) {
        return Value::typed_null(-t);
    }
    crate::core::vec_ops::atom_at(v, i)
}

/// The evaluator's element access: [`atom_at`] on vectors and LISTs, the
/// `i`-th character (a 1-char string) of a string atom, and any other
/// value itself. Never fails.
pub fn elem(v: &ray_t, i: usize) -> Value {
    match v.type_ {
        t if t == -RAY_STR => Value::str(&v.str_bytes()[i..i + 1]),
        t if is_vector_type(t) || t == RAY_LIST => atom_at(v, i).unwrap_or_else(|_| typed_null(t)),
        _ => v.to_value(),
    }
}

/// Number of elements `elem` can reach (vectors, lists, strings; 1 for atoms).
pub fn count(v: &ray_t) -> i64 {
    match v.type_ {
        t if is_vector_type(t) || t == RAY_LIST => v.len(),
        RAY_TABLE => v.table_nrows(),
        RAY_DICT => v.dict_keys().map_or(0, count),
        t if t == -RAY_STR => v.str_bytes().len() as i64,
        _ if v.is_null_obj() => 0,
        _ => 1,
    }
}

/// True for a vector or LIST (something `map` walks).
pub fn is_collection(v: &ray_t) -> bool {
    v.is_vec() || v.type_ == RAY_LIST
}

/// The elements of an integer-like vector (bool, u8, i16, i32, i64 and
/// the temporal types) as i64 with every null as `NULL_I64`, so nulls
/// match across widths; borrowed when the storage already is i64. None for
/// other types.
pub fn widen_ints(v: &ray_t) -> Option<Cow<'_, [i64]>> {
    fn widen<T: Prim + Into<i64>>(s: &[T]) -> Cow<'static, [i64]> {
        Cow::Owned(s.iter().map(|&x| if x.is_null() { NULL_I64 } else { x.into() }).collect())
    }
    Some(match v.type_ {
        RAY_BOOL | RAY_U8 => widen(v.elems::<u8>()),
        RAY_I16 => widen(v.elems::<i16>()),
        RAY_I32 | RAY_DATE | RAY_TIME => widen(v.elems::<i32>()),
        RAY_I64 | RAY_TIMESTAMP => Cow::Borrowed(v.elems::<i64>()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_carry_typed_nulls() {
        let v = Value::vec_from_slice(RAY_I64, &[1i64, NULL_I64]).unwrap();
        assert_eq!(atom_at(&v, 0).unwrap().i64_val(), 1);
        assert!(atom_at(&v, 1).unwrap().is_null_atom());
        assert_eq!(elem(&Value::str(b"ab"), 1).str_bytes(), b"b");
        assert_eq!(count(&v), 2);
        let w = Value::vec_from_slice(RAY_I32, &[7i32, NULL_I32]).unwrap();
        assert_eq!(&*widen_ints(&w).unwrap(), &[7, NULL_I64]);
        assert!(widen_ints(&Value::vec_from_slice(RAY_F64, &[1.0]).unwrap()).is_none());
    }
}
