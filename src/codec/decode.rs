//! Object decoding (wire.md §4, limits §4.11). Total: every input gives a
//! value or a clean error, never a panic; nesting is bounded by
//! `DecodeOptions::max_depth` (at most `MAX_DEPTH`); every count is checked
//! against the bytes actually left before anything is allocated, so no
//! input can make the decoder allocate much more than its own length.
//!
//! Errors: an unknown type byte is `type`; truncated or malformed input,
//! out-of-range counts and excessive nesting are `domain`; a builtin name
//! bound to nothing is `name`. An ERROR object on the wire is *data*: it
//! decodes to `Ok(error value)`, and (reference quirk, replicated) an ERROR
//! anywhere inside a LIST/DICT/TABLE/LAMBDA makes the whole result that ERROR.

use super::limits::{MAX_COUNT, MAX_DEPTH};
use crate::abi::*;
use crate::core::{RayError, Result, Value, env, sym};

/// How to decode builtins and how deep to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeOptions {
    /// true: a builtin name is looked up in the global env (whatever is
    /// bound there is returned; unbound is error `name`). false: it becomes
    /// a placeholder `Value::builtin(kind, name_id, -1, 0)` that re-encodes
    /// to the same bytes (usable before the evaluator exists).
    pub resolve_builtins: bool,
    /// Nesting limit (clamped to `MAX_DEPTH`).
    pub max_depth: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { resolve_builtins: true, max_depth: MAX_DEPTH }
    }
}

/// Decodes one object from the start of `buf`; returns it and the bytes
/// consumed (trailing bytes are left alone).
pub fn decode_with(buf: &[u8], opts: DecodeOptions) -> Result<(Value, usize)> {
    let mut r = Reader { buf, pos: 0, opts, max_depth: opts.max_depth.min(MAX_DEPTH) };
    let v = r.object(1)?;
    Ok((v, r.pos))
}

fn truncated() -> RayError {
    RayError::domain("truncated object")
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    opts: DecodeOptions,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(truncated());
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// An element count: 0..=1e9.
    fn count(&mut self) -> Result<usize> {
        let n = self.i64()?;
        if !(0..=MAX_COUNT).contains(&n) {
            return Err(RayError::domain(format!("count {n} out of range")));
        }
        Ok(n as usize)
    }

    /// A count of items that each take at least `min_bytes` more bytes.
    fn bounded_count(&mut self, min_bytes: usize) -> Result<usize> {
        let n = self.count()?;
        if n.saturating_mul(min_bytes) > self.remaining() {
            return Err(truncated());
        }
        Ok(n)
    }

    /// Bytes up to a NUL terminator within the buffer (the NUL is consumed).
    fn cstr(&mut self) -> Result<&'a [u8]> {
        let rest = &self.buf[self.pos..];
        let end = memchr::memchr(0, rest).ok_or_else(|| RayError::domain("unterminated name"))?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        if depth > self.max_depth {
            return Err(RayError::domain("nesting too deep"));
        }
        let t = self.byte()? as i8;
        match t {
            t if t < 0 && t >= -RAY_STR => self.atom(t),
            RAY_LIST => self.list(depth),
            RAY_SYM => {
                let attrs = self.byte()?;
                self.sym_vec(attrs)
            }
            RAY_STR => self.str_vec(),
            t if is_vector_type(t) => self.fixed_vec(t),
            RAY_DICT => {
                let attrs = self.byte()? & 0x60;
                let keys = self.object(depth + 1)?;
                if keys.is_error() {
                    return Ok(keys);
                }
                let vals = self.object(depth + 1)?;
                if vals.is_error() {
                    return Ok(vals);
                }
                let mut d = Value::container(RAY_DICT, vec![keys, vals])?;
                if attrs != 0 {
                    d.set_attr(attrs, true)?;
                }
                Ok(d)
            }
            RAY_TABLE => self.table(depth),
            RAY_LAMBDA => {
                self.byte()?; // attrs: forced to 0
                let params = self.object(depth + 1)?;
                if params.is_error() {
                    return Ok(params);
                }
                let body = self.object(depth + 1)?;
                if body.is_error() {
                    return Ok(body);
                }
                Value::container(RAY_LAMBDA, vec![params, body])
            }
            RAY_UNARY | RAY_BINARY | RAY_VARY => self.builtin(t),
            RAY_NULL => Ok(Value::null()),
            RAY_ERROR => {
                let field: [u8; 8] = self.array()?;
                let n = field[..7].iter().position(|&b| b == 0).unwrap_or(7);
                let code = String::from_utf8_lossy(&field[..n]);
                Ok(Value::from_error(RayError::code(&code)))
            }
            t => Err(RayError::type_err(format!("type byte {t} is not valid on the wire"))),
        }
    }

    fn atom(&mut self, t: i8) -> Result<Value> {
        let flags = self.byte()?;
        let null = flags & 0x01 != 0;
        let quoted = flags & RAY_ATTR_QUOTED != 0;
        let v = match -t {
            RAY_BOOL => Value::bool(self.byte()? != 0),
            RAY_U8 => Value::u8(self.byte()?),
            RAY_I16 => Value::i16(i16::from_le_bytes(self.array()?)),
            RAY_I32 => Value::i32(i32::from_le_bytes(self.array()?)),
            RAY_I64 => Value::i64(i64::from_le_bytes(self.array()?)),
            RAY_F32 => Value::f32(f32::from_le_bytes(self.array()?)),
            RAY_F64 => Value::f64(f64::from_le_bytes(self.array()?)),
            RAY_DATE => Value::date(i32::from_le_bytes(self.array()?) as i64),
            RAY_TIME => Value::time(i32::from_le_bytes(self.array()?) as i64),
            RAY_TIMESTAMP => Value::timestamp(i64::from_le_bytes(self.array()?)),
            RAY_GUID => Value::guid(&self.array()?),
            RAY_SYM => {
                let name = self.cstr()?;
                // SYM has no null: flag 1 gives the empty, unquoted symbol.
                return Ok(match (null, quoted) {
                    (true, _) => Value::sym_id(0),
                    (false, true) => Value::quoted_sym(sym::intern(name)),
                    (false, false) => Value::sym_id(sym::intern(name)),
                });
            }
            RAY_STR => {
                let n = self.i64()?;
                if n < 0 || n as u64 > self.remaining() as u64 {
                    return Err(truncated());
                }
                let bytes = self.take(n as usize)?;
                return if null { Value::typed_null(t) } else { Value::try_str(bytes) };
            }
            _ => return Err(RayError::type_err("bad atom type")),
        };
        // Flag 1 is the typed null whatever the value bytes said.
        if null { Value::typed_null(t) } else { Ok(v) }
    }

    fn fixed_vec(&mut self, t: i8) -> Result<Value> {
        let attrs = self.byte()?;
        let n = self.count()?;
        let bytes = n
            .checked_mul(elem_size(t, 0))
            .filter(|&b| b <= self.remaining())
            .ok_or_else(truncated)?;
        let data = self.take(bytes)?;
        let mut v = Value::vec_with_capacity(t, n as i64)?;
        v.extend_from_bytes(data)?;
        if attrs & RAY_ATTR_HAS_NULLS != 0 {
            v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        }
        Ok(v)
    }

    fn sym_vec(&mut self, attrs: u8) -> Result<Value> {
        let n = self.bounded_count(1)?;
        let mut v = Value::vec_with_capacity(RAY_SYM, n as i64)?;
        let mut cache = NameCache::new(n);
        // Ids go to the vector a chunk at a time (no n-sized temporary).
        let mut ids = [0i64; 256];
        let mut filled = 0;
        for _ in 0..n {
            let (name, key) = self.name()?;
            ids[filled] = cache.intern(name, key);
            filled += 1;
            if filled == ids.len() {
                v.extend_from_slice(&ids)?;
                filled = 0;
            }
        }
        v.extend_from_slice(&ids[..filled])?;
        if attrs & RAY_ATTR_HAS_NULLS != 0 {
            v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        }
        Ok(v)
    }

    /// One NUL-terminated name (the NUL is consumed) and its first eight
    /// bytes as a little-endian word (zero-padded): short names are found
    /// with one word test instead of a search.
    #[inline(always)]
    fn name(&mut self) -> Result<(&'a [u8], u64)> {
        let at = self.pos;
        if let Some(w) = self.buf.get(at..at + 8) {
            let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
            let zero = w.wrapping_sub(LOW_BYTES) & !w & HIGH_BITS;
            if zero != 0 {
                let len = (zero.trailing_zeros() / 8) as usize;
                self.pos = at + len + 1;
                return Ok((&self.buf[at..at + len], w & ((1u64 << (8 * len)) - 1)));
            }
        }
        let name = self.cstr()?;
        let mut key = [0u8; 8];
        let k = name.len().min(8);
        key[..k].copy_from_slice(&name[..k]);
        Ok((name, u64::from_le_bytes(key)))
    }

    fn str_vec(&mut self) -> Result<Value> {
        let attrs = self.byte()?;
        let n = self.bounded_count(8)?;
        let mut v = Value::vec_with_capacity(RAY_STR, n as i64)?;
        for _ in 0..n {
            let len = self.i64()?;
            if len < 0 || len as u64 > self.remaining() as u64 {
                return Err(truncated());
            }
            v.str_vec_push(self.take(len as usize)?)?;
        }
        if attrs & RAY_ATTR_HAS_NULLS != 0 {
            v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
        }
        Ok(v)
    }

    fn list(&mut self, depth: usize) -> Result<Value> {
        let attrs = self.byte()? & 0x60;
        let n = self.bounded_count(1)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            let item = self.object(depth + 1)?;
            if item.is_error() {
                return Ok(item);
            }
            items.push(item);
        }
        let mut l = Value::container(RAY_LIST, items)?;
        if attrs != 0 {
            l.set_attr(attrs, true)?;
        }
        Ok(l)
    }

    fn table(&mut self, depth: usize) -> Result<Value> {
        self.byte()?; // attrs: ignored
        let names = self.object(depth + 1)?;
        if names.is_error() {
            return Ok(names);
        }
        let cols = self.object(depth + 1)?;
        if cols.is_error() {
            return Ok(cols);
        }
        if cols.type_ != RAY_LIST {
            return Err(RayError::domain("table columns are not a LIST"));
        }
        let ids: Vec<i64> = match names.type_ {
            RAY_SYM => (0..names.len() as usize).map(|i| names.sym_at(i)).collect(),
            // Legacy: process-local ids (meaningless across processes).
            RAY_I64 => names.elems::<i64>().to_vec(),
            _ => return Err(RayError::domain("table column names are not symbols")),
        };
        let ncols = ids.len().min(cols.len() as usize);
        let schema = Value::vec_from_slice(RAY_I64, &ids[..ncols])?;
        let cols = if cols.len() as usize == ncols {
            cols
        } else {
            let mut kept = cols.to_vec();
            kept.truncate(ncols);
            Value::container(RAY_LIST, kept)?
        };
        Value::container(RAY_TABLE, vec![schema, cols])
    }

    fn builtin(&mut self, kind: i8) -> Result<Value> {
        let name = self.cstr()?;
        if !self.opts.resolve_builtins {
            return Ok(Value::builtin(kind, sym::intern(name), -1, 0));
        }
        // By name only: the kind byte is ignored and whatever is bound wins.
        sym::find(name)
            .and_then(env::get)
            .ok_or_else(|| RayError::new("name", format!("unknown builtin {}", String::from_utf8_lossy(name))))
    }
}

const LOW_BYTES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// A direct-mapped cache of the names met in one SYM vector, in front of
/// the global intern table (whose lock and hash are paid once per distinct
/// name, not once per element). A slot holds the name, its first eight
/// bytes (`key`, the usual whole comparison) and its id. Colliding names
/// just replace each other, so no input can make a lookup cost more than
/// one comparison plus one global intern.
struct NameCache<'a> {
    slots: Vec<Option<(u64, &'a [u8], i64)>>,
    shift: u32,
}

impl<'a> NameCache<'a> {
    fn new(n: usize) -> Self {
        // About two slots per element, at most 4096.
        let bits = (2 * n).clamp(2, 4096).next_power_of_two().trailing_zeros();
        NameCache { slots: vec![None; 1 << bits], shift: 64 - bits }
    }

    #[inline(always)]
    fn intern(&mut self, name: &'a [u8], key: u64) -> i64 {
        let h = (key ^ (name.len() as u64).rotate_right(8)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut self.slots[(h >> self.shift) as usize];
        if let Some((k, cached, id)) = *slot
            && k == key
            && cached.len() == name.len()
            && (name.len() <= 8 || cached == name)
        {
            return id;
        }
        let id = sym::intern(name);
        *slot = Some((key, name, id));
        id
    }
}
