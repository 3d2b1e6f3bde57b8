//! Building vectors: from typed slices and iterators (HAS_NULLS set from
//! the data), from atoms (`pack_atoms`, `collect`), by repeating an atom,
//! and boxing a vector's elements into a LIST. Element reading lives in
//! `access`, index selection in `gather`.
#![forbid(unsafe_code)]

use super::access::atom_at;
use super::prim::{Prim, has_sentinel, with_prim};
use crate::abi::*;
use crate::core::{Elem, RayError, Result, Value};

/// Builds a typed vector from a slice, setting HAS_NULLS when a sentinel
/// is present.
pub fn vec_of<T: Prim>(t: i8, items: &[T]) -> Result<Value> {
    let mut v = Value::vec_from_slice(t, items)?;
    if has_sentinel(t) && items.iter().any(|x| x.is_null()) {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}

/// Builds a typed vector from an owned Vec (same rules as `vec_of`).
pub fn vec_from<T: Prim>(t: i8, items: Vec<T>) -> Result<Value> {
    vec_of(t, &items)
}

/// Builds a typed vector of `n` elements straight from an iterator, in
/// cache-sized chunks (no intermediate buffer of the whole column), setting
/// HAS_NULLS when a sentinel shows up.
pub fn fill_vec<T: Prim>(t: i8, n: usize, items: impl Iterator<Item = T>) -> Result<Value> {
    const CHUNK: usize = 2048;
    let mut out = Value::vec_with_capacity(t, n as i64)?;
    let mut buf: Vec<T> = Vec::with_capacity(CHUNK.min(n.max(1)));
    let track = has_sentinel(t);
    let mut nulls = false;
    for x in items {
        buf.push(x);
        if buf.len() == CHUNK {
            nulls |= track && buf.iter().any(|x| x.is_null());
            out.extend_from_slice(&buf)?;
            buf.clear();
        }
    }
    nulls |= track && buf.iter().any(|x| x.is_null());
    out.extend_from_slice(&buf)?;
    if nulls {
        out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(out)
}

/// A STR vector of byte strings.
pub fn str_vec_of<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Result<Value> {
    Value::str_vec(items)
}

/// The fixed-width element held by an atom (its value slot read as `T`).
/// Typed-null atoms give the sentinel.
pub fn atom_elem<T: Prim>(x: &ray_t) -> T {
    T::from_atom(x)
}


/// Boxes every element of a vector into a LIST (a LIST is returned as is).
pub fn to_list(v: &ray_t) -> Result<Value> {
    if v.type_ == RAY_LIST {
        return Ok(v.to_value());
    }
    if !v.is_vec() {
        return Ok(Value::list(vec![v.to_value()]));
    }
    let n = v.len().max(0) as usize;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(atom_at(v, i)?);
    }
    Value::container(RAY_LIST, out)
}

/// The vector type atoms `items` can share: all one atom type, or a mix of
/// i64 and f64 (F64). None means they belong in a LIST.
pub fn common_atom_type(items: &[&ray_t]) -> Option<i8> {
    let first = items.first()?.type_;
    if first >= 0 || !is_vector_type(-first) {
        return None;
    }
    let mut t = -first;
    for x in &items[1..] {
        let u = -x.type_;
        if x.type_ >= 0 || !is_vector_type(u) {
            return None;
        }
        if u == t {
            continue;
        }
        if (u == RAY_F64 && t == RAY_I64) || (u == RAY_I64 && t == RAY_F64) {
            t = RAY_F64;
        } else {
            return None;
        }
    }
    Some(t)
}

/// Packs atoms into a typed vector when they share a type (`enlist`'s
/// rule), otherwise into a LIST.
pub fn pack_atoms(items: &[&ray_t]) -> Result<Value> {
    let Some(t) = common_atom_type(items) else {
        return Value::container(RAY_LIST, items.iter().map(|x| x.to_value()).collect());
    };
    if t == RAY_F64 {
        let out: Vec<f64> = items
            .iter()
            .map(|x| if x.type_ == -RAY_I64 { if x.i64_val() == NULL_I64 { f64::NAN } else { x.i64_val() as f64 } } else { x.f64_val() })
            .collect();
        return vec_from(RAY_F64, out);
    }
    with_prim!(t, T => vec_from(t, items.iter().map(|x| atom_elem::<T>(x)).collect::<Vec<T>>()), _ => match t {
        RAY_SYM => Value::sym_vec(&items.iter().map(|x| x.i64_val()).collect::<Vec<_>>()),
        _ => str_vec_of(items.iter().map(|x| x.str_bytes())),
    })
}

/// Packs owned values (results of a per-element map) the same way.
pub fn pack_values(items: &[Value]) -> Result<Value> {
    let refs: Vec<&ray_t> = items.iter().map(|v| &**v).collect();
    if refs.is_empty() {
        return Value::container(RAY_LIST, Vec::new());
    }
    pack_atoms(&refs)
}

/// Elements buffered on the stack before being appended to a vector.
const CHUNK: usize = 512;

/// Appends elements to a vector through a small stack buffer, so building a
/// column costs one bounds-checked store per element and a memcpy per chunk.
pub struct VecWriter<T: Elem> {
    out: Value,
    buf: [T; CHUNK],
    len: usize,
}

impl<T: Elem + Default> VecWriter<T> {
    /// A writer into `out` (an empty vector whose element size is `T`'s).
    pub fn new(out: Value) -> VecWriter<T> {
        VecWriter { out, buf: [T::default(); CHUNK], len: 0 }
    }

    #[inline(always)]
    pub fn push(&mut self, x: T) -> Result<()> {
        self.buf[self.len] = x;
        self.len += 1;
        if self.len == CHUNK { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> Result<()> {
        self.out.extend_from_slice(&self.buf[..self.len])?;
        self.len = 0;
        Ok(())
    }

    /// The finished vector.
    pub fn finish(mut self) -> Result<Value> {
        self.flush()?;
        Ok(self.out)
    }
}

/// An empty vector shaped like `col` (same type, same SYM width) with room for `cap`.
pub fn empty_like(col: &ray_t, cap: usize) -> Result<Value> {
    if col.type_ == RAY_SYM {
        Value::sym_vec_with_capacity(col.attrs & RAY_SYM_WIDTH_MASK, cap as i64)
    } else if col.type_ == RAY_LIST {
        Value::list_with_capacity(cap as i64)
    } else {
        Value::vec_with_capacity(col.type_, cap as i64)
    }
}

/// `n` copies of atom `a` as a vector of its type (a LIST for non-atoms).
pub fn broadcast(a: &ray_t, n: usize) -> Result<Value> {
    let t = a.type_;
    if !(t < 0 && is_vector_type(-t)) {
        let mut out = Value::list_with_capacity(n as i64)?;
        for _ in 0..n {
            out.list_push(Some(a.to_value()))?;
        }
        return Ok(out);
    }
    let vt = -t;
    let mut out = Value::vec_with_capacity(vt, n as i64)?;
    match vt {
        RAY_STR => {
            for _ in 0..n {
                out.str_vec_push(a.str_bytes())?;
            }
            return Ok(out);
        }
        RAY_GUID => {
            let g = a.guid_bytes().copied().unwrap_or([0; 16]);
            out.extend_from_slice(&vec![g; n])?;
        }
        _ => match elem_size(vt, out.attrs) {
            1 => out.extend_from_slice(&vec![a.u8_val(); n])?,
            2 => out.extend_from_slice(&vec![a.i16_val(); n])?,
            4 => out.extend_from_slice(&vec![if vt == RAY_F32 { (a.f64_val() as f32).to_bits() as i32 } else { a.i32_val() }; n])?,
            _ => out.extend_from_slice(&vec![a.i64_val(); n])?,
        },
    }
    if n > 0 && a.is_null_atom() && has_sentinel(vt) {
        out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(out)
}

/// A vector of `n` nulls shaped like `col` (`'` for SYM, `""` for STR, null objects for LIST).
pub fn nulls_like(col: &ray_t, n: usize) -> Result<Value> {
    super::gather::gather_ix::<super::gather::Row>(col, &vec![super::gather::NO_ROW; n])
}

/// Appends one atom to a vector of the same type. Errors: `type`.
pub fn push_atom(v: &mut Value, a: &ray_t) -> Result<()> {
    let vt = v.type_;
    if vt == RAY_LIST {
        return v.list_push(Some(a.to_value()));
    }
    if a.type_ != -vt {
        return Err(RayError::type_err("value type does not match the column"));
    }
    match vt {
        RAY_STR => v.str_vec_push(a.str_bytes())?,
        RAY_GUID => v.push(a.guid_bytes().copied().unwrap_or([0; 16]))?,
        RAY_SYM => {
            let id = a.i64_val();
            match v.attrs & RAY_SYM_WIDTH_MASK {
                RAY_SYM_W8 if id <= u8::MAX as i64 => v.push(id as u8)?,
                RAY_SYM_W16 if id <= u16::MAX as i64 => v.push(id as u16)?,
                RAY_SYM_W32 if id <= u32::MAX as i64 => v.push(id as u32)?,
                RAY_SYM_W64 => v.push(id)?,
                _ => {
                    let mut wide = widen_sym(v)?;
                    wide.push(id)?;
                    *v = wide;
                }
            }
        }
        RAY_F32 => v.push(a.f64_val() as f32)?,
        _ => match elem_size(vt, v.attrs) {
            1 => v.push(a.u8_val())?,
            2 => v.push(a.i16_val())?,
            4 => v.push(a.i32_val())?,
            _ => v.push(a.i64_val())?,
        },
    }
    if a.is_null_atom() && has_sentinel(vt) {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(())
}

/// A W64 copy of a SYM vector of any width.
pub fn widen_sym(v: &ray_t) -> Result<Value> {
    let n = v.len() as usize;
    let mut w = VecWriter::<i64>::new(Value::vec_with_capacity(RAY_SYM, n as i64)?);
    for i in 0..n {
        w.push(v.sym_at(i))?;
    }
    w.finish()
}

/// [`collect`] of borrowed atoms.
pub fn from_atoms(items: &[Value]) -> Result<Value> {
    collect(items.to_vec())
}


/// Regroups values: a typed vector when all are atoms of one vector-able
/// type (HAS_NULLS set when a null is among them), else a LIST.
pub fn collect(items: Vec<Value>) -> Result<Value> {
    let Some(first) = items.first() else {
        return Ok(Value::list(items));
    };
    let t0 = first.type_;
    let vectorable = t0 < 0 && is_vector_type(-t0) && items.iter().all(|x| x.type_ == t0);
    if !vectorable {
        return Ok(Value::list(items));
    }
    let t = -t0;
    let nulls = t != RAY_SYM && t != RAY_STR && items.iter().any(|x| x.is_null_atom());
    let mut v = match t {
        RAY_BOOL | RAY_U8 => Value::vec_from_slice(t, &items.iter().map(|e| e.u8_val()).collect::<Vec<_>>())?,
        RAY_I16 => Value::vec_from_slice(t, &items.iter().map(|e| e.i16_val()).collect::<Vec<_>>())?,
        RAY_I32 | RAY_DATE | RAY_TIME => Value::vec_from_slice(t, &items.iter().map(|e| e.i32_val()).collect::<Vec<_>>())?,
        RAY_I64 | RAY_TIMESTAMP => Value::vec_from_slice(t, &items.iter().map(|e| e.i64_val()).collect::<Vec<_>>())?,
        RAY_F32 => Value::vec_from_slice(t, &items.iter().map(|e| e.f64_val() as f32).collect::<Vec<_>>())?,
        RAY_F64 => Value::vec_from_slice(t, &items.iter().map(|e| e.f64_val()).collect::<Vec<_>>())?,
        RAY_GUID => Value::vec_from_slice(t, &items.iter().map(|e| *e.guid_bytes().unwrap_or(&[0; 16])).collect::<Vec<_>>())?,
        RAY_SYM => Value::sym_vec(&items.iter().map(|e| e.i64_val()).collect::<Vec<_>>())?,
        RAY_STR => Value::str_vec(items.iter().map(|e| e.str_bytes()))?,
        _ => return Ok(Value::list(items)),
    };
    if nulls {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_atoms_promotes_i64_with_f64_and_falls_back_to_list() {
        let (a, b) = (Value::i64(1), Value::f64(2.5));
        let v = pack_atoms(&[&a, &b]).unwrap();
        assert_eq!(v.type_, RAY_F64);
        assert_eq!(v.elems::<f64>(), &[1.0, 2.5]);
        let s = Value::str(b"a");
        assert_eq!(pack_atoms(&[&a, &s]).unwrap().type_, RAY_LIST);
        let d = Value::date(5);
        let v = pack_atoms(&[&d, &d]).unwrap();
        assert_eq!((v.type_, v.elems::<i32>()), (RAY_DATE, &[5, 5][..]));
    }


    #[test]
    fn atoms_broadcast_into_vectors() {
        let v = broadcast(&Value::sym("a"), 3).unwrap();
        assert_eq!(v.type_, RAY_SYM);
        assert_eq!(v.len(), 3);
        let g = broadcast(&Value::guid(&[1; 16]), 2).unwrap();
        assert_eq!(g.elems::<[u8; 16]>(), &[[1u8; 16]; 2]);
    }

    #[test]
    fn atoms_of_one_type_collect_into_a_vector_and_mixed_into_a_list() {
        let v = from_atoms(&[Value::i64(1), Value::i64(2)]).unwrap();
        assert_eq!(v.type_, RAY_I64);
        let l = from_atoms(&[Value::i64(1), Value::f64(2.0)]).unwrap();
        assert_eq!(l.type_, RAY_LIST);
        let n = from_atoms(&[Value::i64(1), Value::typed_null(-RAY_I64).unwrap()]).unwrap();
        assert!(n.attrs & RAY_ATTR_HAS_NULLS != 0);
    }


    #[test]
    fn broadcast_repeats_an_atom() {
        let b = broadcast(&Value::f64(2.5), 3).unwrap();
        assert_eq!(b.elems::<f64>(), &[2.5, 2.5, 2.5]);
        let s = broadcast(&Value::str(b"hello world!!"), 2).unwrap();
        assert_eq!(s.str_at(1), b"hello world!!");
    }

}
