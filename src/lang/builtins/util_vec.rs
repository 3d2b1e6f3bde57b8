//! Column helpers shared by the builtin families: the element type behind
//! each vector tag (`with_prim!`), null sentinels and their ordering,
//! element <-> atom conversion, index gathers and vector building.
//! Everything here works on whole slices; only the atom/list bridges box.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::hash::Hash;

/// A fixed-width vector element: its null sentinel, null test, the
/// "nulls are smallest" order and a hash key that treats all NaNs alike.
pub trait Prim: crate::core::Elem + Copy + PartialEq {
    type Key: Hash + Eq + Copy;
    /// The sentinel stored for a missing value (0 for types without nulls).
    fn null() -> Self;
    /// True when this element is the type's null sentinel.
    fn is_null(self) -> bool;
    /// Total order with nulls smallest.
    fn order(self, other: Self) -> Ordering;
    /// Equality key for hashing.
    fn key(self) -> Self::Key;
    /// Reads an atom's value slot as this element type.
    fn from_atom(x: &ray_t) -> Self;
    /// Appends the little-endian bytes of `key()` to `out`.
    fn put_key(self, out: &mut Vec<u8>);
}

macro_rules! int_prim {
    ($t:ty, $null:expr, $read:ident) => {
        impl Prim for $t {
            type Key = $t;
            #[inline]
            fn null() -> Self {
                $null
            }
            #[inline]
            fn is_null(self) -> bool {
                self == $null
            }
            #[inline]
            fn order(self, other: Self) -> Ordering {
                self.cmp(&other)
            }
            #[inline]
            fn key(self) -> Self::Key {
                self
            }
            #[inline]
            fn from_atom(x: &ray_t) -> Self {
                x.$read()
            }
            #[inline]
            fn put_key(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    };
}
int_prim!(i16, NULL_I16, i16_val);
int_prim!(i32, NULL_I32, i32_val);
int_prim!(i64, NULL_I64, i64_val);

impl Prim for u8 {
    type Key = u8;
    fn null() -> Self {
        0
    }
    fn is_null(self) -> bool {
        false
    }
    fn order(self, other: Self) -> Ordering {
        self.cmp(&other)
    }
    fn key(self) -> u8 {
        self
    }
    fn from_atom(x: &ray_t) -> Self {
        x.u8_val()
    }
    fn put_key(self, out: &mut Vec<u8>) {
        out.push(self);
    }
}

impl Prim for [u8; 16] {
    type Key = [u8; 16];
    fn null() -> Self {
        [0; 16]
    }
    fn is_null(self) -> bool {
        self == [0; 16]
    }
    fn order(self, other: Self) -> Ordering {
        self.cmp(&other)
    }
    fn key(self) -> [u8; 16] {
        self
    }
    fn from_atom(x: &ray_t) -> Self {
        x.guid_bytes().copied().unwrap_or([0; 16])
    }
    fn put_key(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self);
    }
}

macro_rules! float_prim {
    ($t:ty, $bits:ty) => {
        impl Prim for $t {
            type Key = $bits;
            #[inline]
            fn null() -> Self {
                <$t>::NAN
            }
            #[inline]
            fn is_null(self) -> bool {
                self.is_nan()
            }
            #[inline]
            fn order(self, other: Self) -> Ordering {
                match (self.is_nan(), other.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    _ => self.partial_cmp(&other).unwrap_or(Ordering::Equal),
                }
            }
            #[inline]
            fn key(self) -> Self::Key {
                if self.is_nan() {
                    <$t>::NAN.to_bits()
                } else if self == 0.0 {
                    0
                } else {
                    self.to_bits()
                }
            }
            #[inline]
            fn from_atom(x: &ray_t) -> Self {
                x.f64_val() as $t
            }
            #[inline]
            fn put_key(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.key().to_le_bytes());
            }
        }
    };
}
float_prim!(f32, u32);
float_prim!(f64, u64);

/// Runs `$body` with `$T` bound to the element type of the fixed-width
/// vector tag `$t` (BOOL U8 I16 I32 I64 F32 F64 DATE TIME TIMESTAMP GUID);
/// evaluates `$other` for SYM, STR and non-vector tags.
macro_rules! with_prim {
    ($t:expr, $T:ident => $body:expr, _ => $other:expr) => {{
        use crate::abi::*;
        match $t {
            RAY_BOOL | RAY_U8 => {
                type $T = u8;
                $body
            }
            RAY_I16 => {
                type $T = i16;
                $body
            }
            RAY_I32 | RAY_DATE | RAY_TIME => {
                type $T = i32;
                $body
            }
            RAY_I64 | RAY_TIMESTAMP => {
                type $T = i64;
                $body
            }
            RAY_F32 => {
                type $T = f32;
                $body
            }
            RAY_F64 => {
                type $T = f64;
                $body
            }
            RAY_GUID => {
                type $T = [u8; 16];
                $body
            }
            _ => $other,
        }
    }};
}
pub(crate) use with_prim;

/// True for the types whose vectors carry null sentinels (HAS_NULLS).
pub fn has_sentinel(t: i8) -> bool {
    matches!(
        t,
        RAY_I16 | RAY_I32 | RAY_I64 | RAY_F32 | RAY_F64 | RAY_DATE | RAY_TIME | RAY_TIMESTAMP | RAY_GUID
    )
}

/// True for numeric vector tags (bool and u8 included).
pub fn is_numeric(t: i8) -> bool {
    matches!(t, RAY_BOOL | RAY_U8 | RAY_I16 | RAY_I32 | RAY_I64 | RAY_F32 | RAY_F64)
}

/// True for DATE, TIME and TIMESTAMP.
pub fn is_temporal(t: i8) -> bool {
    matches!(t, RAY_DATE | RAY_TIME | RAY_TIMESTAMP)
}

/// The SYM ids of a SYM vector as i64, whatever its width.
pub fn sym_ids(v: &ray_t) -> Cow<'_, [i64]> {
    if v.attrs & RAY_SYM_WIDTH_MASK == RAY_SYM_W64 {
        Cow::Borrowed(v.as_slice::<i64>())
    } else {
        Cow::Owned((0..v.len().max(0) as usize).map(|i| v.sym_at(i)).collect())
    }
}

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

/// Recomputes the HAS_NULLS attribute of a vector from its elements.
pub fn fix_has_nulls(v: &mut Value) -> Result<()> {
    let t = v.type_;
    let any = with_prim!(t, T => v.as_slice::<T>().iter().any(|x| x.is_null()) && has_sentinel(t), _ => false);
    if any != (v.attrs & RAY_ATTR_HAS_NULLS != 0) {
        v.set_attr(RAY_ATTR_HAS_NULLS, any)?;
    }
    Ok(())
}

/// True when element `i` of vector `v` is a null sentinel.
pub fn elem_is_null(v: &ray_t, i: usize) -> bool {
    with_prim!(v.type_, T => has_sentinel(v.type_) && v.as_slice::<T>()[i].is_null(), _ => false)
}

/// The typed null atom of vector type `t` (SYM gives `'`, STR gives "").
pub fn null_atom(t: i8) -> Result<Value> {
    Value::typed_null(-t)
}

/// Element `i` of vector `v` as an atom; sentinels become typed nulls.
/// Items of a LIST are returned as they are (NULL slots as the null object).
pub fn elem_atom(v: &ray_t, i: usize) -> Result<Value> {
    let t = v.type_;
    if t == RAY_LIST {
        return Ok(v.item(i).map_or_else(Value::null, |x| x.to_value()));
    }
    if elem_is_null(v, i) {
        return null_atom(t);
    }
    crate::core::vec_ops::atom_at(v, i)
}

/// The fixed-width element held by an atom (its value slot read as `T`).
/// Typed-null atoms give the sentinel.
pub fn atom_elem<T: Prim>(x: &ray_t) -> T {
    T::from_atom(x)
}

/// Elements of `v` at `idx`; indices out of range give the type's null
/// (`'` for SYM, "" for STR, the null object for LIST).
pub fn gather(v: &ray_t, idx: &[i64]) -> Result<Value> {
    let n = v.len().max(0);
    let pick = |i: i64| (0..n).contains(&i).then_some(i as usize);
    let t = v.type_;
    with_prim!(t, T => {
        let s = v.as_slice::<T>();
        let out: Vec<T> = idx.iter().map(|&i| pick(i).map_or(T::null(), |i| s[i])).collect();
        vec_from(t, out)
    }, _ => match t {
        RAY_SYM => {
            let ids = sym_ids(v);
            let out: Vec<i64> = idx.iter().map(|&i| pick(i).map_or(0, |i| ids[i])).collect();
            Value::sym_vec(&out)
        }
        RAY_STR => {
            let mut out = Value::vec_with_capacity(RAY_STR, idx.len() as i64)?;
            for &i in idx {
                out.str_vec_push(pick(i).map_or(&b""[..], |i| v.str_at(i)))?;
            }
            Ok(out)
        }
        RAY_LIST => {
            let items = v.items();
            let out: Vec<Value> = idx
                .iter()
                .map(|&i| pick(i).and_then(|i| items[i]).map_or_else(Value::null, |x| x.to_value()))
                .collect();
            Value::container(RAY_LIST, out)
        }
        _ => Err(RayError::type_err("gather: not a vector")),
    })
}

/// A copy of `len` elements of `v` starting at `off` (caller checks range).
pub fn range_copy(v: &ray_t, off: usize, len: usize) -> Result<Value> {
    let t = v.type_;
    with_prim!(t, T => vec_of(t, &v.as_slice::<T>()[off..off + len]), _ => match t {
        RAY_SYM => Value::sym_vec(&sym_ids(v)[off..off + len]),
        RAY_STR => str_vec_of((off..off + len).map(|i| v.str_at(i))),
        RAY_LIST => Value::container(
            RAY_LIST,
            v.items()[off..off + len].iter().map(|x| x.map_or_else(Value::null, |x| x.to_value())).collect(),
        ),
        _ => Err(RayError::type_err("not a vector")),
    })
}

/// A vector of type `-x.type_` holding `n` copies of atom `x` (a LIST of
/// copies when `x` has no vector type).
pub fn repeat_atom(x: &ray_t, n: usize) -> Result<Value> {
    let t = -x.type_;
    if x.type_ >= 0 || !is_vector_type(t) {
        return Value::container(RAY_LIST, (0..n).map(|_| x.to_value()).collect());
    }
    with_prim!(t, T => vec_from(t, vec![atom_elem::<T>(x); n]), _ => match t {
        RAY_SYM => Value::sym_vec(&vec![x.i64_val(); n]),
        _ => str_vec_of((0..n).map(|_| x.str_bytes())),
    })
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
        out.push(elem_atom(v, i)?);
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

/// Joins two vectors of the same type into a new vector.
pub fn concat_same(a: &ray_t, b: &ray_t) -> Result<Value> {
    let t = a.type_;
    debug_assert_eq!(t, b.type_);
    with_prim!(t, T => {
        let mut out = Vec::with_capacity((a.len() + b.len()).max(0) as usize);
        out.extend_from_slice(a.as_slice::<T>());
        out.extend_from_slice(b.as_slice::<T>());
        vec_from(t, out)
    }, _ => match t {
        RAY_SYM => {
            let mut ids = sym_ids(a).into_owned();
            ids.extend_from_slice(&sym_ids(b));
            Value::sym_vec(&ids)
        }
        RAY_STR => {
            let (na, nb) = (a.len().max(0) as usize, b.len().max(0) as usize);
            str_vec_of((0..na).map(|i| a.str_at(i)).chain((0..nb).map(|i| b.str_at(i))))
        }
        RAY_LIST => {
            let items = a.items().iter().chain(b.items()).map(|x| x.map_or_else(Value::null, |x| x.to_value()));
            Value::container(RAY_LIST, items.collect())
        }
        _ => Err(RayError::type_err("concat: not a vector")),
    })
}

/// The canonical name of a value's type, as `type` reports it.
pub fn type_name(t: i8) -> &'static str {
    const LOWER: [&str; 14] = ["list", "b8", "u8", "i16", "i32", "i64", "f32", "f64", "date", "time", "timestamp", "guid", "sym", "str"];
    const UPPER: [&str; 14] = ["LIST", "B8", "U8", "I16", "I32", "I64", "F32", "F64", "DATE", "TIME", "TIMESTAMP", "GUID", "SYM", "STR"];
    match t {
        RAY_TABLE => "TABLE",
        RAY_DICT => "DICT",
        RAY_NULL => "null",
        t if (0..=13).contains(&t) => UPPER[t as usize],
        t if (-13..0).contains(&t) => LOWER[(-t) as usize],
        _ => "?",
    }
}

/// Appends a structural equality key of `x` to `out`: equal values (same
/// type and content) give equal keys. Used to hash LIST items and rows.
pub fn write_key(x: &ray_t, out: &mut Vec<u8>) {
    // Pre-order walk with an explicit stack: nesting depth never reaches
    // the thread's stack. Containers write their length first, so the
    // encoding stays unambiguous.
    let mut stack: Vec<Option<&ray_t>> = vec![Some(x)];
    while let Some(node) = stack.pop() {
        let Some(x) = node else {
            out.push(RAY_NULL as u8);
            continue;
        };
        write_node(x, out);
        if is_container_type(x.type_) {
            stack.extend(x.items().iter().rev().copied());
        }
    }
}

/// Writes one node's key bytes (a container's children are written by
/// the caller's walk).
fn write_node(x: &ray_t, out: &mut Vec<u8>) {
    out.push(x.type_ as u8);
    let t = x.type_;
    if t < 0 {
        match -t {
            RAY_STR => {
                let b = x.str_bytes();
                out.extend_from_slice(&(b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }
            RAY_GUID => out.extend_from_slice(&atom_elem::<[u8; 16]>(x)),
            RAY_F64 | RAY_F32 => out.extend_from_slice(&x.f64_val().key().to_le_bytes()),
            RAY_BOOL | RAY_U8 => out.push(x.u8_val()),
            RAY_I16 => out.extend_from_slice(&x.i16_val().to_le_bytes()),
            RAY_I32 | RAY_DATE | RAY_TIME => out.extend_from_slice(&x.i32_val().to_le_bytes()),
            _ => out.extend_from_slice(&x.i64_val().to_le_bytes()),
        }
        return;
    }
    let n = x.len().max(0) as usize;
    out.extend_from_slice(&(n as u64).to_le_bytes());
    if x.is_vec() {
        with_prim!(t, T => {
            for e in x.as_slice::<T>() {
                e.put_key(out);
            }
        }, _ => match t {
            RAY_SYM => (0..n).for_each(|i| out.extend_from_slice(&x.sym_at(i).to_le_bytes())),
            _ => (0..n).for_each(|i| {
                let b = x.str_at(i);
                out.extend_from_slice(&(b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }),
        });
    } else if !is_container_type(t) {
        out.extend_from_slice(&x.i64_val().to_le_bytes());
    }
}

/// The structural key of `x` as a fresh byte string.
pub fn key_of(x: &ray_t) -> Vec<u8> {
    let mut k = Vec::new();
    write_key(x, &mut k);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_fills_out_of_range_with_typed_nulls() {
        let v = Value::vec_from_slice(RAY_I64, &[10i64, 20, 30]).unwrap();
        let g = gather(&v, &[2, 5, -1]).unwrap();
        assert_eq!(g.as_slice::<i64>(), &[30, NULL_I64, NULL_I64]);
        assert_ne!(g.attrs & RAY_ATTR_HAS_NULLS, 0);
        let s = Value::str_vec([&b"a"[..], b"bb"]).unwrap();
        let g = gather(&s, &[1, 9]).unwrap();
        assert_eq!(g.str_at(0), b"bb");
        assert_eq!(g.str_at(1), b"");
    }

    #[test]
    fn floats_order_nan_first_and_hash_alike() {
        assert_eq!(f64::NAN.order(-1e300), Ordering::Less);
        assert_eq!(f64::NAN.key(), (-f64::NAN).key());
        assert_eq!(0.0f64.key(), (-0.0f64).key());
    }

    #[test]
    fn packing_atoms_promotes_i64_with_f64_and_falls_back_to_list() {
        let (a, b) = (Value::i64(1), Value::f64(2.5));
        let v = pack_atoms(&[&a, &b]).unwrap();
        assert_eq!(v.type_, RAY_F64);
        assert_eq!(v.as_slice::<f64>(), &[1.0, 2.5]);
        let s = Value::str(b"a");
        assert_eq!(pack_atoms(&[&a, &s]).unwrap().type_, RAY_LIST);
        let d = Value::date(5);
        let v = pack_atoms(&[&d, &d]).unwrap();
        assert_eq!((v.type_, v.as_slice::<i32>()), (RAY_DATE, &[5, 5][..]));
    }

    #[test]
    fn keys_of_deeply_nested_lists_need_no_recursion() {
        let mut v = Value::i64(0);
        for _ in 0..200_000 {
            v = Value::list(vec![v]);
        }
        let k = key_of(&v);
        assert!(k.len() > 200_000 * 9);
        let w = Value::list(vec![Value::i64(1), Value::list(vec![])]);
        let u = Value::list(vec![Value::list(vec![Value::i64(1)])]);
        assert_ne!(key_of(&w), key_of(&u));
    }

    #[test]
    fn atoms_repeat_into_vectors() {
        let v = repeat_atom(&Value::sym_name("a"), 3).unwrap();
        assert_eq!(v.type_, RAY_SYM);
        assert_eq!(v.len(), 3);
        let g = repeat_atom(&Value::guid(&[1; 16]), 2).unwrap();
        assert_eq!(g.as_slice::<[u8; 16]>(), &[[1u8; 16]; 2]);
    }
}
