//! Joining vectors end to end.
#![forbid(unsafe_code)]

use super::access::atom_at;
use super::build::{empty_like, to_list, widen_sym};
use super::gather::gather_ix;
use crate::abi::*;
use crate::core::{Result, Value};

/// `a` followed by `b` (same vector type; SYM widths are reconciled; a type
/// mismatch gives a LIST).
pub fn concat(a: &ray_t, b: &ray_t) -> Result<Value> {
    let (n, m) = (a.len() as usize, b.len() as usize);
    if a.type_ == b.type_ && a.type_ == RAY_SYM {
        if a.attrs & RAY_SYM_WIDTH_MASK != b.attrs & RAY_SYM_WIDTH_MASK {
            let (wa, wb) = (widen_sym(a)?, widen_sym(b)?);
            return concat(&wa, &wb);
        }
    }
    if a.type_ != b.type_ || a.type_ == RAY_LIST || a.type_ == RAY_STR {
        let idx: Vec<u32> = (0..n as u32).collect();
        let mut out = if a.type_ == b.type_ { gather_ix(a, &idx)? } else { to_list(a)? };
        for i in 0..m {
            if out.type_ == RAY_STR {
                out.str_vec_push(b.str_at(i))?;
            } else {
                out.list_push(Some(atom_at(b, i)?))?;
            }
        }
        return Ok(out);
    }
    let mut out = empty_like(a, n + m)?;
    match elem_size(a.type_, a.attrs) {
        1 => {
            out.extend_from_slice::<u8>(a.elems())?;
            out.extend_from_slice::<u8>(b.elems())?;
        }
        2 => {
            out.extend_from_slice::<u16>(a.elems())?;
            out.extend_from_slice::<u16>(b.elems())?;
        }
        4 => {
            out.extend_from_slice::<u32>(a.elems())?;
            out.extend_from_slice::<u32>(b.elems())?;
        }
        8 => {
            out.extend_from_slice::<i64>(a.elems())?;
            out.extend_from_slice::<i64>(b.elems())?;
        }
        _ => {
            out.extend_from_slice::<[u8; 16]>(a.elems())?;
            out.extend_from_slice::<[u8; 16]>(b.elems())?;
        }
    }
    if (a.attrs | b.attrs) & RAY_ATTR_HAS_NULLS != 0 {
        out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_joins_vectors_of_one_type() {
        let a = Value::vec_from_slice(RAY_I64, &[1i64]).unwrap();
        let b = Value::vec_from_slice(RAY_I64, &[2i64, 3]).unwrap();
        assert_eq!(concat(&a, &b).unwrap().elems::<i64>(), &[1, 2, 3]);
    }
}
