//! Object encoding (wire.md §4): `encoded_size` and `encode_into`.
//!
//! Both walk the value the same way and must agree byte for byte. The
//! encoder writes straight into the caller's `Vec`: fixed-width vectors are
//! one copy of their payload, SYM vectors one fixed-size copy per element
//! (through a cache of each name's wire form), STR vectors one append per
//! element, never a temporary per element. Nesting is capped at `MAX_DEPTH` so a
//! value the evaluator built arbitrarily deep cannot overflow the stack.

use super::limits::MAX_DEPTH;
use crate::abi::*;
use crate::core::vector::ByteWriter;
use crate::core::{RayError, Result, Value, sym};

/// Type byte of the untyped null (also written for a NULL container slot).
const NULL_BYTE: u8 = RAY_NULL as u8;
/// Atom flags bit: typed null.
const FLAG_NULL: u8 = 0x01;
/// Atom flags bit: quoted symbol.
const FLAG_QUOTED: u8 = 0x20;
/// The attrs byte of a TABLE's column-name SYM vector.
const TABLE_NAMES_ATTRS: u8 = 0x03;
/// Attrs bits LIST/DICT/TABLE keep on the wire.
const CONTAINER_ATTRS: u8 = 0x60;

/// Wire width of an atom value of type `t` (< 0) with a fixed size.
fn atom_width(t: i8) -> Option<usize> {
    match -t {
        RAY_BOOL | RAY_U8 => Some(1),
        RAY_I16 => Some(2),
        RAY_I32 | RAY_F32 | RAY_DATE | RAY_TIME => Some(4),
        RAY_I64 | RAY_F64 | RAY_TIMESTAMP => Some(8),
        RAY_GUID => Some(16),
        _ => None,
    }
}

/// A symbol name as it travels: the bytes up to the first NUL (the wire
/// terminator), so a name that somehow holds a NUL still decodes.
fn wire_name(name: &[u8]) -> &[u8] {
    match memchr::memchr(0, name) {
        Some(i) => &name[..i],
        None => name,
    }
}

fn sym_name(id: i64) -> &'static [u8] {
    wire_name(sym::name_or_empty(id))
}

fn unsupported(t: i8) -> RayError {
    RayError::type_err(format!("type {t} cannot be serialized"))
}

fn too_deep() -> RayError {
    RayError::new("limit", "value nested deeper than the wire allows")
}

/// Serialized payload size of `v` (no frame header).
pub fn encoded_size(v: &ray_t) -> Result<usize> {
    size_at(Some(v), 1)
}

fn size_at(v: Option<&ray_t>, depth: usize) -> Result<usize> {
    let Some(v) = v else { return Ok(1) };
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let t = v.type_;
    if v.is_null_obj() {
        return Ok(1);
    }
    if t < 0 {
        return match -t {
            RAY_SYM if v.null_flag() => Ok(3),
            RAY_SYM => Ok(3 + sym_name(v.i64_val()).len()),
            RAY_STR if v.null_flag() => Ok(10),
            RAY_STR => Ok(10 + v.str_bytes().len()),
            _ => atom_width(t).map(|w| 2 + w).ok_or_else(|| unsupported(t)),
        };
    }
    match t {
        RAY_SYM => Ok(10 + sym_vec_size(v)),
        RAY_STR => Ok(10 + (0..v.len().max(0) as usize).map(|i| 8 + v.str_at(i).len()).sum::<usize>()),
        t if is_vector_type(t) => Ok(10 + v.vec_bytes().len()),
        RAY_LIST => {
            let mut n = 10usize;
            for c in v.items() {
                n = n.checked_add(size_at(*c, depth + 1)?).ok_or_else(RayError::oom)?;
            }
            Ok(n)
        }
        RAY_DICT | RAY_LAMBDA => Ok(2 + size_at(v.item(0), depth + 1)? + size_at(v.item(1), depth + 1)?),
        RAY_TABLE => {
            let names = match v.item(0) {
                Some(s) => 10 + column_names(s)?.map(|id| sym_name(id).len() + 1).sum::<usize>(),
                None => 1,
            };
            Ok(2 + names + size_at(v.item(1), depth + 1)?)
        }
        RAY_UNARY | RAY_BINARY | RAY_VARY => Ok(2 + sym_name(v.builtin_name_id()).len()),
        RAY_NULL => Ok(1),
        RAY_ERROR => Ok(9),
        _ => Err(unsupported(t)),
    }
}

fn sym_vec_size(v: &ray_t) -> usize {
    let mut blocks = NameBlocks::new(v.len().max(0) as usize);
    let mut size = 0;
    sym::with_names(|name| for_each_sym_id(v, &mut |id| size += blocks.wire_len(id, name)));
    size
}

/// The column-name ids of a TABLE schema: an I64 vector of ids (the core
/// layout) or a SYM vector.
fn column_names(schema: &ray_t) -> Result<impl Iterator<Item = i64> + '_> {
    match schema.type_ {
        RAY_I64 | RAY_SYM => Ok((0..schema.len().max(0) as usize).map(move |i| {
            if schema.type_ == RAY_SYM { schema.sym_at(i) } else { schema.elems::<i64>()[i] }
        })),
        t => Err(RayError::type_err(format!("table schema of type {t}"))),
    }
}

/// Appends the payload encoding of `v` to `out`. On error `out` may hold a
/// partial encoding; callers discard it.
pub fn encode_into(v: &ray_t, out: &mut Vec<u8>) -> Result<()> {
    write_at(Some(v), out, 1)
}

/// Appends the payload encoding of `v` to the U8 vector `out`, written
/// straight into its spare capacity (reserve `encoded_size(v)` first): a
/// large value is written once, into its final memory. Errors as
/// `encode_into`, and `domain` when the encoding does not fit the room.
pub fn encode_into_bytes(v: &ray_t, out: &mut Value) -> Result<()> {
    let (written, overflow) = out.fill_bytes(|w| (write_at(Some(v), w, 1), w.overflowed()))?;
    written?;
    if overflow {
        return Err(RayError::domain("encoding larger than the room reserved"));
    }
    Ok(())
}

/// Where an encoding goes: a growing byte vector, or a buffer sized in
/// advance by `encoded_size`.
trait Sink {
    fn push(&mut self, b: u8);
    fn extend_from_slice(&mut self, bytes: &[u8]);
    /// Makes room for `n` more bytes if the sink can grow.
    fn reserve(&mut self, n: usize);
    /// Bytes writable without growing.
    fn spare(&self) -> usize;
    /// Appends `block[..len]` by writing the whole block (the caller
    /// checked `spare() >= 16`): one fixed-size copy.
    fn put_block(&mut self, block: &[u8; 16], len: usize);
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn push(&mut self, b: u8) {
        Vec::push(self, b)
    }
    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Vec::extend_from_slice(self, bytes)
    }
    fn reserve(&mut self, n: usize) {
        Vec::reserve(self, n)
    }
    #[inline(always)]
    fn spare(&self) -> usize {
        self.capacity() - self.len()
    }
    #[inline(always)]
    fn put_block(&mut self, block: &[u8; 16], len: usize) {
        let at = self.len();
        Vec::extend_from_slice(self, block);
        self.truncate(at + len);
    }
}

impl Sink for ByteWriter<'_> {
    #[inline(always)]
    fn push(&mut self, b: u8) {
        ByteWriter::push(self, b)
    }
    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        ByteWriter::extend_from_slice(self, bytes)
    }
    fn reserve(&mut self, _: usize) {}
    #[inline(always)]
    fn spare(&self) -> usize {
        ByteWriter::spare(self)
    }
    #[inline(always)]
    fn put_block(&mut self, block: &[u8; 16], len: usize) {
        ByteWriter::put_block(self, block, len)
    }
}

fn write_count(out: &mut impl Sink, n: usize) {
    out.extend_from_slice(&(n as i64).to_le_bytes());
}

fn write_at(v: Option<&ray_t>, out: &mut impl Sink, depth: usize) -> Result<()> {
    let Some(v) = v else {
        out.push(NULL_BYTE);
        return Ok(());
    };
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let t = v.type_;
    if v.is_null_obj() {
        out.push(NULL_BYTE);
        return Ok(());
    }
    if t < 0 {
        return write_atom(v, out);
    }
    match t {
        RAY_SYM => {
            out.push(t as u8);
            out.push(v.attrs & RAY_ATTR_HAS_NULLS);
            write_sym_vec(v, out);
        }
        RAY_STR => {
            let n = v.len().max(0) as usize;
            out.push(t as u8);
            out.push(v.attrs & RAY_ATTR_HAS_NULLS);
            write_count(out, n);
            for i in 0..n {
                let s = v.str_at(i);
                out.extend_from_slice(&(s.len() as i64).to_le_bytes());
                out.extend_from_slice(s);
            }
        }
        t if is_vector_type(t) => {
            let bytes = v.vec_bytes();
            out.reserve(10 + bytes.len());
            out.push(t as u8);
            out.push(v.attrs & RAY_ATTR_HAS_NULLS);
            write_count(out, v.len().max(0) as usize);
            out.extend_from_slice(bytes);
        }
        RAY_LIST => {
            out.push(t as u8);
            out.push(v.attrs & CONTAINER_ATTRS);
            write_count(out, v.items().len());
            for c in v.items() {
                write_at(*c, out, depth + 1)?;
            }
        }
        RAY_DICT | RAY_LAMBDA => {
            out.push(t as u8);
            out.push(if t == RAY_DICT { v.attrs & CONTAINER_ATTRS } else { 0 });
            write_at(v.item(0), out, depth + 1)?;
            write_at(v.item(1), out, depth + 1)?;
        }
        RAY_TABLE => {
            out.push(t as u8);
            out.push(v.attrs & CONTAINER_ATTRS);
            match v.item(0) {
                Some(schema) => {
                    let ids = column_names(schema)?;
                    out.push(RAY_SYM as u8);
                    out.push(TABLE_NAMES_ATTRS);
                    write_count(out, schema.len().max(0) as usize);
                    for id in ids {
                        out.extend_from_slice(sym_name(id));
                        out.push(0);
                    }
                }
                None => out.push(NULL_BYTE),
            }
            write_at(v.item(1), out, depth + 1)?;
        }
        RAY_UNARY | RAY_BINARY | RAY_VARY => {
            out.push(t as u8);
            out.extend_from_slice(sym_name(v.builtin_name_id()));
            out.push(0);
        }
        RAY_NULL => out.push(NULL_BYTE),
        RAY_ERROR => {
            let code = v.err_code();
            let mut field = [0u8; 8];
            let b = code.code_str().as_bytes();
            let n = b.len().min(7);
            field[..n].copy_from_slice(&b[..n]);
            out.push(t as u8);
            out.extend_from_slice(&field);
        }
        _ => return Err(unsupported(t)),
    }
    Ok(())
}

fn write_sym_vec(v: &ray_t, out: &mut impl Sink) {
    let n = v.len().max(0) as usize;
    write_count(out, n);
    if out.spare() < 2 * n {
        out.reserve(sym_vec_size(v));
    }
    let mut blocks = NameBlocks::new(n);
    sym::with_names(|name| {
        let mut put = |id: i64| blocks.write(id, name, out);
        for_each_sym_id(v, &mut put);
    });
}

/// Calls `f` with every id of a SYM vector, whatever its width.
#[inline(always)]
fn for_each_sym_id(v: &ray_t, f: &mut impl FnMut(i64)) {
    match v.attrs & RAY_SYM_WIDTH_MASK {
        RAY_SYM_W8 => v.elems::<u8>().iter().for_each(|&id| f(id as i64)),
        RAY_SYM_W16 => v.elems::<u16>().iter().for_each(|&id| f(id as i64)),
        RAY_SYM_W32 => v.elems::<u32>().iter().for_each(|&id| f(id as i64)),
        _ => v.elems::<i64>().iter().for_each(|&id| f(id)),
    }
}

/// A direct-mapped cache, by symbol id, of each name's wire form (bytes
/// then NUL, zero-padded to one 16-byte block), so a repeated symbol costs
/// one slot test and one fixed-size copy instead of a table lookup, a NUL
/// search and two appends. Names of 16 bytes or more are not cached.
struct NameBlocks {
    slots: Vec<(i64, u8, [u8; 16])>,
    mask: usize,
}

impl NameBlocks {
    fn new(n: usize) -> Self {
        let size = n.clamp(1, 1024).next_power_of_two();
        NameBlocks { slots: vec![(-1, 0, [0; 16]); size], mask: size - 1 }
    }

    /// The cached block of `id` and its wire length (NUL included), or
    /// None for a long name.
    #[inline(always)]
    fn block(&mut self, id: i64, name: &dyn Fn(i64) -> &'static [u8]) -> Option<(&[u8; 16], usize)> {
        let slot = &mut self.slots[id as usize & self.mask];
        if slot.0 != id || slot.1 == 0 {
            let wire = wire_name(name(id));
            if wire.len() >= 16 {
                return None;
            }
            let mut block = [0u8; 16];
            block[..wire.len()].copy_from_slice(wire);
            *slot = (id, wire.len() as u8 + 1, block);
        }
        Some((&slot.2, slot.1 as usize))
    }

    #[inline(always)]
    fn wire_len(&mut self, id: i64, name: &dyn Fn(i64) -> &'static [u8]) -> usize {
        match self.block(id, name) {
            Some((_, len)) => len,
            None => wire_name(name(id)).len() + 1,
        }
    }

    /// Appends the wire form of `id`: with room to spare, a whole block of
    /// which only the name's bytes are kept (`put_block`).
    #[inline(always)]
    fn write(&mut self, id: i64, name: &dyn Fn(i64) -> &'static [u8], out: &mut impl Sink) {
        match self.block(id, name) {
            Some((block, len)) if out.spare() >= 16 => out.put_block(block, len),
            Some((block, len)) => out.extend_from_slice(&block[..len]),
            None => {
                out.extend_from_slice(wire_name(name(id)));
                out.push(0);
            }
        }
    }
}

fn write_atom(v: &ray_t, out: &mut impl Sink) -> Result<()> {
    let t = v.type_;
    let null = v.null_flag();
    let mut flags = if null { FLAG_NULL } else { 0 };
    if v.is_quoted() {
        flags |= FLAG_QUOTED;
    }
    match -t {
        RAY_SYM | RAY_STR => {}
        _ if atom_width(t).is_none() => return Err(unsupported(t)),
        _ => {}
    }
    out.push(t as u8);
    out.push(flags);
    // A typed null travels as its sentinel (zero where a type has none).
    match -t {
        RAY_BOOL | RAY_U8 => out.push(if null { 0 } else { v.u8_val() }),
        RAY_I16 => out.extend_from_slice(&(if null { NULL_I16 } else { v.i16_val() }).to_le_bytes()),
        RAY_I32 | RAY_DATE | RAY_TIME => {
            out.extend_from_slice(&(if null { NULL_I32 } else { v.i32_val() }).to_le_bytes())
        }
        RAY_I64 | RAY_TIMESTAMP => out.extend_from_slice(&(if null { NULL_I64 } else { v.i64_val() }).to_le_bytes()),
        RAY_F32 => {
            let x = if null { f32::NAN } else { v.f64_val() as f32 };
            out.extend_from_slice(&x.to_le_bytes())
        }
        RAY_F64 => {
            let x = if null { f64::NAN } else { v.f64_val() };
            out.extend_from_slice(&x.to_le_bytes())
        }
        RAY_GUID => {
            let g = if null { None } else { v.guid_bytes() };
            out.extend_from_slice(g.unwrap_or(&[0u8; 16]))
        }
        RAY_SYM => {
            if !null {
                out.extend_from_slice(sym_name(v.i64_val()));
            }
            out.push(0)
        }
        RAY_STR => {
            let s = if null { &[][..] } else { v.str_bytes() };
            out.extend_from_slice(&(s.len() as i64).to_le_bytes());
            out.extend_from_slice(s)
        }
        _ => return Err(unsupported(t)),
    }
    Ok(())
}
