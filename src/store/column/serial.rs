//! Serialized column files: list columns (`LSTG` + one element), lists of
//! strings (`STRL`), recognised by their first four bytes; `TTBL` (a table
//! as a column) and the legacy `STRV` are recognised and refused (`nyi`).
//! These columns are decoded into ordinary heap values, never mapped.
//!
//! Element encoding (little-endian): string and symbol atoms as type byte,
//! u32 length, bytes; other atoms as type byte and an 8-byte slot (value
//! at its natural width, DATE/TIME as i32, F32 widened, rest zero); SYM
//! vectors as type, i64 length, u32 length + bytes per cell; STR vectors
//! as type, i64 length, attrs byte, descriptors, u64 pool length, pool;
//! other vectors as type, i64 length, raw cells; LIST as 0, i64 count,
//! elements; DICT as 99, keys, values.
//!
//! Fixes of the reference (spec section 10): a GUID atom is refused on
//! save (it wrote a pointer); nested vectors get HAS_NULLS back on load
//! (it lost the flag); tables nested in a list are refused on save (it
//! wrote process symbol ids as column names).

use super::write::str_layout;
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::ops::nulls::mark_nulls;
use std::path::Path;

const LSTG: &[u8; 4] = b"LSTG";
const STRL: &[u8; 4] = b"STRL";
/// The magics that mark a serialized column.
const MAGICS: [&[u8; 4]; 4] = [LSTG, STRL, b"TTBL", b"STRV"];
/// Deepest nesting decoded or encoded.
const MAX_DEPTH: usize = 64;

/// The serialized-column magic `bytes` start with, if any.
pub fn magic(bytes: &[u8]) -> Option<&'static [u8; 4]> {
    MAGICS.iter().copied().find(|m| bytes.len() >= 4 && &bytes[..4] == *m)
}

fn corrupt(path: &Path, what: &str) -> RayError {
    RayError::new("corrupt", format!("col {}: {what}", path.display()))
}

/// The decoded value when `bytes` is a serialized column; None for a raw
/// column file. Errors: `corrupt` (truncated, trailing bytes, bad type),
/// `nyi` (table or legacy layouts).
pub fn decode_file(bytes: &[u8], path: &Path) -> Result<Option<Value>> {
    let Some(m) = magic(bytes) else { return Ok(None) };
    let mut r = Reader { bytes, at: 4 };
    let v = match m {
        m if m == LSTG => r.element(0).map_err(|e| corrupt(path, e))?,
        m if m == STRL => r.string_list().map_err(|e| corrupt(path, e))?,
        _ => return Err(RayError::new("nyi", format!("col {}: table and legacy string columns are not read", path.display()))),
    };
    if r.at != bytes.len() {
        return Err(corrupt(path, "trailing bytes after the list"));
    }
    Ok(Some(v))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Step<T> = std::result::Result<T, &'static str>;

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Step<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or("truncated list element")?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Step<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Step<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn i64(&mut self) -> Step<i64> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn count(&mut self) -> Step<usize> {
        let n = self.i64()?;
        // Every element takes at least one byte: a count beyond the file is a lie.
        usize::try_from(n).ok().filter(|&n| n <= self.bytes.len() - self.at).ok_or("bad element count")
    }
    fn string(&mut self) -> Step<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn string_list(&mut self) -> Step<Value> {
        let n = self.count()?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(Value::try_str(self.string()?).map_err(|_| "string too long")?);
        }
        Value::container(RAY_LIST, items).map_err(|_| "out of memory")
    }

    fn element(&mut self, depth: usize) -> Step<Value> {
        if depth > MAX_DEPTH {
            return Err("list nested too deeply");
        }
        let t = self.u8()? as i8;
        match t {
            RAY_LIST => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.element(depth + 1)?);
                }
                Value::container(RAY_LIST, items).map_err(|_| "out of memory")
            }
            RAY_DICT => {
                let keys = self.element(depth + 1)?;
                let vals = self.element(depth + 1)?;
                Ok(Value::dict(keys, vals))
            }
            RAY_SYM => {
                let n = self.count()?;
                let mut ids = Vec::with_capacity(n);
                for _ in 0..n {
                    ids.push(sym::intern(self.string()?));
                }
                Value::sym_vec(&ids).map_err(|_| "out of memory")
            }
            RAY_STR => self.str_vector(),
            t if is_vector_type(t) => {
                let n = self.count()?;
                let w = elem_size(t, 0);
                let raw = self.take(n.checked_mul(w).ok_or("bad element count")?)?;
                let mut v = Value::vec_with_capacity(t, n as i64).map_err(|_| "out of memory")?;
                v.extend_from_bytes(raw).map_err(|_| "out of memory")?;
                mark_nulls(v).map_err(|_| "out of memory")
            }
            t if t == -RAY_STR => Value::try_str(self.string()?).map_err(|_| "string too long"),
            t if t == -RAY_SYM => Ok(Value::sym_id(sym::intern(self.string()?))),
            t if (-RAY_TIMESTAMP..=-RAY_BOOL).contains(&t) => atom(t, self.take(8)?.try_into().unwrap()),
            _ => Err("unknown element type"),
        }
    }

    fn str_vector(&mut self) -> Step<Value> {
        let n = self.count()?;
        let _attrs = self.u8()?;
        let cells = self.take(n.checked_mul(16).ok_or("bad element count")?)?;
        let pool_len = usize::try_from(self.i64()?).map_err(|_| "bad string pool")?;
        let pool = self.take(pool_len)?;
        let mut v = Value::vec_with_capacity(RAY_STR, n as i64).map_err(|_| "out of memory")?;
        for cell in cells.chunks_exact(16) {
            let len = u32::from_le_bytes(cell[0..4].try_into().unwrap()) as usize;
            let s = if len <= 12 {
                &cell[4..4 + len]
            } else {
                let off = u32::from_le_bytes(cell[8..12].try_into().unwrap()) as usize;
                pool.get(off..off + len).ok_or("string outside its pool")?
            };
            v.str_vec_push(s).map_err(|_| "out of memory")?;
        }
        Ok(v)
    }
}

/// An atom of type `t` (negative) from its 8-byte slot.
fn atom(t: i8, slot: [u8; 8]) -> Step<Value> {
    let i32_at = || i32::from_le_bytes(slot[..4].try_into().unwrap());
    let i64_at = i64::from_le_bytes(slot);
    let v = match -t {
        RAY_BOOL => Value::bool(slot[0] != 0),
        RAY_U8 => Value::u8(slot[0]),
        RAY_I16 => Value::i16(i16::from_le_bytes([slot[0], slot[1]])),
        RAY_I32 => Value::i32(i32_at()),
        RAY_I64 => Value::i64(i64_at),
        RAY_F32 => Value::f32(f64::from_le_bytes(slot) as f32),
        RAY_F64 => Value::f64(f64::from_le_bytes(slot)),
        RAY_DATE => Value::date(i32_at() as i64),
        RAY_TIME => Value::time(i32_at() as i64),
        RAY_TIMESTAMP => Value::timestamp(i64_at),
        _ => return Err("unknown atom type"),
    };
    Ok(if v.is_null_atom() { Value::typed_null(t).unwrap_or(v) } else { v })
}

/// The bytes of a list column file (`LSTG`). Errors: `nyi` for what
/// cannot be stored (GUID atoms, tables, functions, ...).
pub fn encode_list(list: &ray_t) -> Result<Vec<u8>> {
    let mut out = LSTG.to_vec();
    write_element(list, &mut out, 0)?;
    Ok(out)
}

/// Checks that `v` can be stored in a list column (`nyi` otherwise),
/// without writing anything.
pub fn check_storable(v: &ray_t) -> Result<()> {
    write_element(v, &mut Vec::new(), 0).map(drop)
}

fn unstorable(what: &str) -> RayError {
    RayError::new("nyi", format!("a list column holding {what} cannot be stored"))
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as i64).to_le_bytes());
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) -> Result<()> {
    let n = u32::try_from(s.len()).map_err(|_| RayError::range("string over 4 GiB"))?;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(s);
    Ok(())
}

fn write_element(v: &ray_t, out: &mut Vec<u8>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(unstorable("lists nested too deeply"));
    }
    let t = v.type_;
    out.push(t as u8);
    match t {
        RAY_LIST => {
            put_len(out, v.len().max(0) as usize);
            for item in v.items() {
                write_element(item.ok_or_else(|| unstorable("an empty slot"))?, out, depth + 1)?;
            }
        }
        RAY_DICT => {
            write_element(v.dict_keys().ok_or_else(|| unstorable("a broken dict"))?, out, depth + 1)?;
            write_element(v.dict_vals().ok_or_else(|| unstorable("a broken dict"))?, out, depth + 1)?;
        }
        RAY_SYM => {
            put_len(out, v.len().max(0) as usize);
            for i in 0..v.len().max(0) as usize {
                put_string(out, sym::name_or_empty(v.sym_at(i)))?;
            }
        }
        RAY_STR => {
            let (cells, pool) = str_layout(v)?;
            put_len(out, v.len().max(0) as usize);
            out.push(v.attrs & RAY_ATTR_SORTED);
            out.extend_from_slice(&cells);
            put_len(out, pool.len());
            out.extend_from_slice(&pool);
        }
        t if is_vector_type(t) => {
            put_len(out, v.len().max(0) as usize);
            out.extend_from_slice(v.vec_bytes());
        }
        t if t == -RAY_STR => put_string(out, v.str_bytes())?,
        t if t == -RAY_SYM => put_string(out, sym::name_or_empty(v.i64_val()))?,
        t if t == -RAY_GUID => return Err(unstorable("a GUID atom")),
        t if (-RAY_TIMESTAMP..=-RAY_BOOL).contains(&t) => out.extend_from_slice(&atom_slot(v)),
        RAY_TABLE => return Err(unstorable("a table")),
        _ => return Err(unstorable(&format!("a value of type {t}"))),
    }
    Ok(())
}

/// An atom's 8-byte slot as the reference writes it.
fn atom_slot(v: &ray_t) -> [u8; 8] {
    let mut slot = [0u8; 8];
    match -v.type_ {
        RAY_BOOL | RAY_U8 => slot[0] = v.u8_val(),
        RAY_I16 => slot[..2].copy_from_slice(&v.i16_val().to_le_bytes()),
        RAY_I32 => slot[..4].copy_from_slice(&v.i32_val().to_le_bytes()),
        RAY_DATE | RAY_TIME => slot[..4].copy_from_slice(&(v.i64_val() as i32).to_le_bytes()),
        RAY_F32 | RAY_F64 => slot = v.f64_val().to_le_bytes(),
        _ => slot = v.i64_val().to_le_bytes(),
    }
    slot
}
