//! Element-level vector operations built on the safe `Value` API: reading
//! one element as a `Cell`, building vectors cell by cell (SYM at any
//! width, STR through the pool), boxing an element into an atom, atom and
//! element equality. The C API's splice/insert/concat/dict functions use
//! these; nothing here mutates a shared block.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value};

/// One element, independent of where it came from.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// Fixed-width bytes (the first `n` of `buf`), native order.
    Fixed([u8; 16], usize),
    /// A symbol id (SYM vectors, any width).
    Sym(i64),
    /// String bytes (STR vectors).
    Str(&'a [u8]),
}

/// The narrowest SYM width code that holds `id`.
pub fn sym_width_for(id: i64) -> u8 {
    match id {
        0..=0xff => RAY_SYM_W8,
        0x100..=0xffff => RAY_SYM_W16,
        0x1_0000..=0xffff_ffff => RAY_SYM_W32,
        _ => RAY_SYM_W64,
    }
}

/// Element `i` of vector `v` (slice-aware). Panics when `i` is out of range.
pub fn vec_cell(v: &ray_t, i: usize) -> Cell<'_> {
    match v.type_ {
        RAY_SYM => Cell::Sym(v.sym_at(i)),
        RAY_STR => Cell::Str(v.str_at(i)),
        t => {
            let w = elem_size(t, v.attrs);
            let bytes = &v.vec_bytes()[i * w..(i + 1) * w];
            let mut buf = [0u8; 16];
            buf[..w].copy_from_slice(bytes);
            Cell::Fixed(buf, w)
        }
    }
}

/// The element an atom `a` stores into a vector of `vec_type`. Error
/// `type` unless `a` is an atom of exactly that type (`-vec_type`).
pub fn atom_cell(a: &ray_t, vec_type: i8) -> Result<Cell<'_>> {
    if !is_vector_type(vec_type) || a.type_ != -vec_type {
        return Err(RayError::type_err("atom type does not match the vector"));
    }
    let mut buf = [0u8; 16];
    let w = elem_size(vec_type, if vec_type == RAY_SYM { RAY_SYM_W64 } else { 0 });
    match vec_type {
        RAY_SYM => return Ok(Cell::Sym(a.i64_val())),
        RAY_STR => return Ok(Cell::Str(a.str_bytes())),
        RAY_F32 => buf[..4].copy_from_slice(&(a.f64_val() as f32).to_ne_bytes()),
        RAY_GUID => buf = a.guid_bytes().copied().unwrap_or([0; 16]),
        _ => buf[..8].copy_from_slice(&a.i64_val().to_ne_bytes()),
    }
    Ok(Cell::Fixed(buf, w))
}

/// The widest SYM width code needed by `cells` (at least `base`).
pub fn sym_width_needed<'a>(base: u8, cells: impl IntoIterator<Item = &'a Cell<'a>>) -> u8 {
    cells.into_iter().fold(base, |w, c| match c {
        Cell::Sym(id) => w.max(sym_width_for(*id)),
        _ => w,
    })
}

/// Builds a vector of one type cell by cell.
pub struct VecBuilder {
    out: Value,
}

impl VecBuilder {
    /// An empty vector of `type_` (SYM at width code `sym_width`) with room
    /// for `cap` elements.
    pub fn new(type_: i8, sym_width: u8, cap: usize) -> Result<VecBuilder> {
        let out = if type_ == RAY_SYM {
            Value::sym_vec_with_capacity(sym_width, cap as i64)?
        } else {
            Value::vec_with_capacity(type_, cap as i64)?
        };
        Ok(VecBuilder { out })
    }

    /// An empty vector shaped like `proto` (type and SYM width).
    pub fn like(proto: &ray_t, cap: usize) -> Result<VecBuilder> {
        VecBuilder::new(proto.type_, proto.attrs & RAY_SYM_WIDTH_MASK, cap)
    }

    /// Appends one cell (a SYM id is truncated to the vector's width).
    pub fn push(&mut self, c: &Cell<'_>) -> Result<()> {
        match *c {
            Cell::Sym(id) => match self.out.attrs & RAY_SYM_WIDTH_MASK {
                RAY_SYM_W8 => self.out.push(id as u8),
                RAY_SYM_W16 => self.out.push(id as u16),
                RAY_SYM_W32 => self.out.push(id as u32),
                _ => self.out.push(id),
            },
            Cell::Str(s) => self.out.str_vec_push(s),
            Cell::Fixed(buf, n) => self.out.extend_from_bytes(&buf[..n]),
        }
    }

    /// Appends elements `range` of `v` (same type).
    pub fn extend_from(&mut self, v: &ray_t, range: std::ops::Range<usize>) -> Result<()> {
        let same_width = v.type_ != RAY_SYM || (v.attrs & RAY_SYM_WIDTH_MASK) == (self.out.attrs & RAY_SYM_WIDTH_MASK);
        if v.type_ != RAY_STR && same_width {
            let w = elem_size(v.type_, v.attrs);
            return self.out.extend_from_bytes(&v.vec_bytes()[range.start * w..range.end * w]);
        }
        for i in range {
            self.push(&vec_cell(v, i))?;
        }
        Ok(())
    }

    /// The finished vector; `has_nulls` sets RAY_ATTR_HAS_NULLS.
    pub fn finish(mut self, has_nulls: bool) -> Result<Value> {
        if has_nulls {
            self.out.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        }
        Ok(self.out)
    }
}

/// Element `i` of vector `v` boxed as a new atom.
pub fn atom_at(v: &ray_t, i: usize) -> Result<Value> {
    Ok(match v.type_ {
        RAY_BOOL => Value::bool(v.elems::<u8>()[i] != 0),
        RAY_U8 => Value::u8(v.elems::<u8>()[i]),
        RAY_I16 => Value::i16(v.elems::<i16>()[i]),
        RAY_I32 => Value::i32(v.elems::<i32>()[i]),
        RAY_I64 => Value::i64(v.elems::<i64>()[i]),
        RAY_F32 => Value::f32(v.elems::<f32>()[i]),
        RAY_F64 => Value::f64(v.elems::<f64>()[i]),
        RAY_DATE => Value::date(v.elems::<i32>()[i] as i64),
        RAY_TIME => Value::time(v.elems::<i32>()[i] as i64),
        RAY_TIMESTAMP => Value::timestamp(v.elems::<i64>()[i]),
        RAY_GUID => Value::guid(&v.elems::<[u8; 16]>()[i]),
        RAY_SYM => Value::sym_id(v.sym_at(i)),
        RAY_STR => Value::try_str(v.str_at(i))?,
        _ => return Err(RayError::type_err("not a vector")),
    })
}

/// Child `i` of a LIST, or element `i` of a vector boxed as an atom
/// (NULL list slots become the null object).
pub fn item_at(v: &ray_t, i: usize) -> Result<Value> {
    if v.type_ == RAY_LIST {
        return Ok(v.item(i).map_or_else(Value::null, |c| c.to_value()));
    }
    atom_at(v, i)
}

/// Null-aware equality of two cells of the same vector type (NaN equals NaN).
pub fn cell_eq(type_: i8, a: &Cell<'_>, b: &Cell<'_>) -> bool {
    match (a, b) {
        (Cell::Sym(x), Cell::Sym(y)) => x == y,
        (Cell::Str(x), Cell::Str(y)) => x == y,
        (Cell::Fixed(x, n), Cell::Fixed(y, m)) if n == m => {
            if type_ == RAY_F64 || type_ == RAY_F32 {
                let (fx, fy) = if type_ == RAY_F64 {
                    (f64::from_ne_bytes(x[..8].try_into().unwrap()), f64::from_ne_bytes(y[..8].try_into().unwrap()))
                } else {
                    (
                        f32::from_ne_bytes(x[..4].try_into().unwrap()) as f64,
                        f32::from_ne_bytes(y[..4].try_into().unwrap()) as f64,
                    )
                };
                return fx == fy || (fx.is_nan() && fy.is_nan());
            }
            x[..*n] == y[..*m]
        }
        _ => false,
    }
}

/// Null-aware equality of two atoms (same type and value).
pub fn atom_eq(a: &ray_t, b: &ray_t) -> bool {
    if a.type_ != b.type_ {
        return false;
    }
    if a.type_ == RAY_NULL {
        return true;
    }
    let t = -a.type_;
    if !is_vector_type(t) {
        return core::ptr::eq(a, b);
    }
    match (atom_cell(a, t), atom_cell(b, t)) {
        (Ok(x), Ok(y)) => cell_eq(t, &x, &y),
        _ => false,
    }
}

/// Position of `key` (an atom) in `keys` (a typed vector or a LIST of
/// atoms), by null-aware equality.
pub fn find_key(keys: &ray_t, key: &ray_t) -> Option<usize> {
    let n = keys.len().max(0) as usize;
    if keys.type_ == RAY_LIST {
        return (0..n).find(|&i| keys.item(i).is_some_and(|k| atom_eq(k, key)));
    }
    let want = atom_cell(key, keys.type_).ok()?;
    (0..n).find(|&i| cell_eq(keys.type_, &vec_cell(keys, i), &want))
}

/// `a ++ b` for two vectors of one type: SYM takes the wider width, STR
/// strings are copied into a fresh pool, HAS_NULLS is kept from either.
pub fn concat(a: &ray_t, b: &ray_t) -> Result<Value> {
    if !a.is_vec() || a.type_ != b.type_ {
        return Err(RayError::type_err("concat of different types"));
    }
    let (na, nb) = (a.len().max(0) as usize, b.len().max(0) as usize);
    let w = (a.attrs & RAY_SYM_WIDTH_MASK).max(b.attrs & RAY_SYM_WIDTH_MASK);
    let mut out = VecBuilder::new(a.type_, w, na + nb)?;
    out.extend_from(a, 0..na)?;
    out.extend_from(b, 0..nb)?;
    out.finish((a.attrs | b.attrs) & RAY_ATTR_HAS_NULLS != 0)
}

/// The values of `vals` as cells for inserting into a vector of
/// `vec_type`: an atom, or a vector of that type (STR/SYM of any width).
pub fn value_cells(vals: &ray_t, vec_type: i8) -> Result<Vec<Cell<'_>>> {
    if vals.is_vec() {
        if vals.type_ != vec_type {
            return Err(RayError::type_err("values do not match the vector type"));
        }
        return Ok((0..vals.len().max(0) as usize).map(|i| vec_cell(vals, i)).collect());
    }
    Ok(vec![atom_cell(vals, vec_type)?])
}

/// The insertion plan of `insert_many`: for `n` indexes into a sequence of
/// `len` elements, the (position, value number) pairs sorted by position,
/// stable for equal positions. `nvals` is 1 (broadcast) or `n`.
pub fn insertion_plan(idxs: &[i64], len: usize, nvals: usize) -> Result<Vec<(usize, usize)>> {
    if nvals != 1 && nvals != idxs.len() {
        return Err(RayError::length("values must be 1 or one per index"));
    }
    let mut plan = Vec::with_capacity(idxs.len());
    for (k, &p) in idxs.iter().enumerate() {
        if p < 0 || p as u64 > len as u64 {
            return Err(RayError::range("insert position out of range"));
        }
        plan.push((p as usize, if nvals == 1 { 0 } else { k }));
    }
    plan.sort_by_key(|&(p, _)| p);
    Ok(plan)
}

/// A vector's `len` elements with `plan` insertions applied, using `cells`
/// as the inserted values. The result has the vector's type; SYM widens to
/// fit the inserted ids.
pub fn splice(v: &ray_t, plan: &[(usize, usize)], cells: &[Cell<'_>]) -> Result<Value> {
    let n = v.len().max(0) as usize;
    let width = sym_width_needed(v.attrs & RAY_SYM_WIDTH_MASK, cells.iter());
    let mut out = VecBuilder::new(v.type_, width, n + plan.len())?;
    let mut next = 0usize;
    for &(p, k) in plan {
        out.extend_from(v, next..p)?;
        next = p;
        out.push(&cells[k])?;
    }
    out.extend_from(v, next..n)?;
    out.finish(v.attrs & RAY_ATTR_HAS_NULLS != 0)
}

/// The I64 positions of `idxs`: an I64 vector or an I64 atom.
pub fn positions(idxs: &ray_t) -> Result<Vec<i64>> {
    match idxs.type_ {
        RAY_I64 => Ok(idxs.elems::<i64>().to_vec()),
        t if t == -RAY_I64 => Ok(vec![idxs.i64_val()]),
        _ => Err(RayError::type_err("indexes must be I64")),
    }
}

/// True when `c` can be stored in vector `v` without widening it.
fn fits(v: &ray_t, c: &Cell<'_>) -> bool {
    match c {
        Cell::Sym(id) => v.type_ == RAY_SYM && sym_width_for(*id) <= (v.attrs & RAY_SYM_WIDTH_MASK),
        Cell::Str(_) => v.type_ == RAY_STR,
        Cell::Fixed(_, n) => v.is_vec() && v.type_ != RAY_STR && v.type_ != RAY_SYM && *n == elem_size(v.type_, v.attrs),
    }
}

/// Appends `c` to vector `v` (copy-on-write; a SYM vector is widened when
/// the id needs it).
pub fn push_cell(v: &mut Value, c: &Cell<'_>) -> Result<()> {
    if !fits(v, c) {
        let n = v.len().max(0) as usize;
        *v = splice(v, &[(n, 0)], std::slice::from_ref(c))?;
        return Ok(());
    }
    match *c {
        Cell::Sym(id) => match v.attrs & RAY_SYM_WIDTH_MASK {
            RAY_SYM_W8 => v.push(id as u8),
            RAY_SYM_W16 => v.push(id as u16),
            RAY_SYM_W32 => v.push(id as u32),
            _ => v.push(id),
        },
        Cell::Str(s) => v.str_vec_push(s),
        Cell::Fixed(buf, n) => v.extend_from_bytes(&buf[..n]),
    }
}

/// Overwrites element `i` of vector `v` with `c` (copy-on-write; a SYM
/// vector is widened when the id needs it). Panics when `i` is out of range.
pub fn set_cell(v: &mut Value, i: usize, c: &Cell<'_>) -> Result<()> {
    if !fits(v, c) {
        let n = v.len().max(0) as usize;
        let mut out = VecBuilder::new(v.type_, sym_width_needed(v.attrs & RAY_SYM_WIDTH_MASK, [c]), n)?;
        out.extend_from(v, 0..i)?;
        out.push(c)?;
        out.extend_from(v, i + 1..n)?;
        *v = out.finish(v.attrs & RAY_ATTR_HAS_NULLS != 0)?;
        return Ok(());
    }
    match *c {
        Cell::Sym(id) => match v.attrs & RAY_SYM_WIDTH_MASK {
            RAY_SYM_W8 => v.as_mut_slice::<u8>()?[i] = id as u8,
            RAY_SYM_W16 => v.as_mut_slice::<u16>()?[i] = id as u16,
            RAY_SYM_W32 => v.as_mut_slice::<u32>()?[i] = id as u32,
            _ => v.as_mut_slice::<i64>()?[i] = id,
        },
        Cell::Str(s) => {
            let cell = v.make_str_cell(s)?;
            v.as_mut_slice::<StrCell>()?[i] = cell;
        }
        Cell::Fixed(buf, n) => match n {
            1 => v.as_mut_slice::<u8>()?[i] = buf[0],
            2 => v.as_mut_slice::<i16>()?[i] = i16::from_ne_bytes([buf[0], buf[1]]),
            4 => v.as_mut_slice::<i32>()?[i] = i32::from_ne_bytes(buf[..4].try_into().unwrap()),
            8 => v.as_mut_slice::<i64>()?[i] = i64::from_ne_bytes(buf[..8].try_into().unwrap()),
            _ => v.as_mut_slice::<[u8; 16]>()?[i] = buf,
        },
    }
    Ok(())
}

/// A LIST holding the elements of `v` (atoms boxed; a LIST is copied).
pub fn to_list(v: &ray_t) -> Result<Value> {
    let n = v.len().max(0) as usize;
    let mut out = Value::list_with_capacity(n as i64)?;
    for i in 0..n {
        out.list_push(Some(item_at(v, i)?))?;
    }
    Ok(out)
}

/// A copy of vector or LIST `v` without element `i`.
pub fn removed(v: &ray_t, i: usize) -> Result<Value> {
    let n = v.len().max(0) as usize;
    if v.type_ == RAY_LIST {
        let mut out = Value::list_with_capacity(n.saturating_sub(1) as i64)?;
        for k in (0..n).filter(|&k| k != i) {
            out.list_push(v.item(k).map(|c| c.to_value()))?;
        }
        return Ok(out);
    }
    let mut out = VecBuilder::like(v, n.saturating_sub(1))?;
    out.extend_from(v, 0..i.min(n))?;
    out.extend_from(v, (i + 1).min(n)..n)?;
    out.finish(v.attrs & RAY_ATTR_HAS_NULLS != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_inserts_stably_at_pre_insertion_positions() {
        let v = Value::vec_from_slice(RAY_I64, &[10i64, 20, 30]).unwrap();
        let vals = Value::vec_from_slice(RAY_I64, &[1i64, 2, 3]).unwrap();
        let plan = insertion_plan(&[3, 0, 0], 3, 3).unwrap();
        let cells = value_cells(&vals, RAY_I64).unwrap();
        let out = splice(&v, &plan, &cells).unwrap();
        assert_eq!(out.elems::<i64>(), &[2, 3, 10, 20, 30, 1]);
        assert!(insertion_plan(&[4], 3, 1).is_err());
    }

    #[test]
    fn concat_widens_sym_vectors_and_copies_strings() {
        let mut a = Value::sym_vec_with_capacity(RAY_SYM_W8, 2).unwrap();
        a.push(7u8).unwrap();
        let b = Value::sym_vec(&[70_000]).unwrap();
        let c = concat(&a, &b).unwrap();
        assert_eq!(c.attrs & RAY_SYM_WIDTH_MASK, RAY_SYM_W64);
        assert_eq!((c.sym_at(0), c.sym_at(1)), (7, 70_000));
        let s = concat(&Value::str_vec([&b"x"[..]]).unwrap(), &Value::str_vec([&b"a long string here"[..]]).unwrap()).unwrap();
        assert_eq!(s.str_at(1), b"a long string here");
        assert!(concat(&a, &s).is_err());
    }

    #[test]
    fn keys_are_found_null_aware() {
        let keys = Value::vec_from_slice(RAY_F64, &[1.0f64, f64::NAN]).unwrap();
        assert_eq!(find_key(&keys, &Value::f64(f64::NAN)), Some(1));
        assert_eq!(find_key(&keys, &Value::i64(1)), None);
        let mixed = Value::list(vec![Value::i64(1), Value::str(b"k")]);
        assert_eq!(find_key(&mixed, &Value::str(b"k")), Some(1));
    }

    #[test]
    fn set_and_push_widen_narrow_sym_vectors_and_keep_sharers_intact() {
        let mut v = Value::sym_vec_with_capacity(RAY_SYM_W8, 2).unwrap();
        v.push(1u8).unwrap();
        let shared = v.clone();
        push_cell(&mut v, &Cell::Sym(300)).unwrap();
        set_cell(&mut v, 0, &Cell::Sym(70_000)).unwrap();
        assert_eq!((v.sym_at(0), v.sym_at(1)), (70_000, 300));
        assert_eq!((shared.len(), shared.sym_at(0)), (1, 1));
        let mut f = Value::vec_from_slice(RAY_F64, &[1.0f64, 2.0]).unwrap();
        set_cell(&mut f, 1, &atom_cell(&Value::f64(9.5), RAY_F64).unwrap()).unwrap();
        assert_eq!(f.elems::<f64>(), &[1.0, 9.5]);
        assert_eq!(removed(&f, 0).unwrap().elems::<f64>(), &[9.5]);
        assert_eq!(to_list(&f).unwrap().item(1).unwrap().f64_val(), 9.5);
    }

    #[test]
    fn atoms_box_every_vector_type() {
        let d = Value::vec_from_slice(RAY_DATE, &[5i32]).unwrap();
        let a = atom_at(&d, 0).unwrap();
        assert_eq!((a.type_, a.i32_val()), (-RAY_DATE, 5));
        let f = Value::vec_from_slice(RAY_F32, &[1.5f32]).unwrap();
        assert_eq!(atom_at(&f, 0).unwrap().f64_val(), 1.5);
    }
}
