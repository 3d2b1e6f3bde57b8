//! Atom constructors. Each returns a fresh `Value` with rc 1. Atoms are
//! header-only blocks except long strings (> 6 bytes) and GUIDs, which own a
//! U8 child block. Infallible constructors unwind with
//! `alloc::OutOfMemory` on OOM (the request and FFI boundaries turn that
//! into the "oom" error); `try_str` reports it instead.

use crate::abi::*;
use crate::core::{alloc, error::RayError, sym, value::Value};

fn atom(type_: i8, val: [u8; 8]) -> Value {
    let p = alloc::alloc_block(0);
    if p.is_null() {
        alloc::out_of_memory();
    }
    // SAFETY: fresh block with zeroed header.
    unsafe {
        (*p).type_ = type_;
        (*p).val.bytes = val;
        Value::from_new_block(p)
    }
}

fn set_null_flag(v: &mut Value) {
    // SAFETY: v is a fresh atom we own uniquely.
    unsafe { v.header_mut().aux.bytes[0] |= 1 };
}

impl Value {
    pub fn bool(b: bool) -> Value {
        atom(-RAY_BOOL, [b as u8, 0, 0, 0, 0, 0, 0, 0])
    }
    pub fn u8(x: u8) -> Value {
        atom(-RAY_U8, [x, 0, 0, 0, 0, 0, 0, 0])
    }
    pub fn i16(x: i16) -> Value {
        let mut b = [0u8; 8];
        b[..2].copy_from_slice(&x.to_le_bytes());
        atom(-RAY_I16, b)
    }
    pub fn i32(x: i32) -> Value {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&x.to_le_bytes());
        atom(-RAY_I32, b)
    }
    pub fn i64(x: i64) -> Value {
        atom(-RAY_I64, x.to_le_bytes())
    }
    /// F32 atoms keep their value widened to double, like the reference.
    pub fn f32(x: f32) -> Value {
        atom(-RAY_F32, (x as f64).to_le_bytes())
    }
    pub fn f64(x: f64) -> Value {
        atom(-RAY_F64, x.to_le_bytes())
    }
    /// Days since 2000-01-01 (stored in the 8-byte slot).
    pub fn date(x: i64) -> Value {
        atom(-RAY_DATE, x.to_le_bytes())
    }
    /// Milliseconds since midnight.
    pub fn time(x: i64) -> Value {
        atom(-RAY_TIME, x.to_le_bytes())
    }
    /// Nanoseconds since 2000-01-01T00:00:00.
    pub fn timestamp(x: i64) -> Value {
        atom(-RAY_TIMESTAMP, x.to_le_bytes())
    }
    /// A symbol atom by intern id (not validated).
    pub fn sym_id(id: i64) -> Value {
        atom(-RAY_SYM, id.to_le_bytes())
    }
    /// A quoted symbol literal (`'name`).
    pub fn quoted_sym(id: i64) -> Value {
        let mut v = Value::sym_id(id);
        v.header_mut().attrs |= RAY_ATTR_QUOTED;
        v
    }
    /// A symbol atom by name (interned): `Value::sym("ping")`, as
    /// RayforceDB's Rust client documents it. `sym_id` takes an intern id.
    pub fn sym(name: &str) -> Value {
        Value::sym_id(sym::intern(name.as_bytes()))
    }

    /// A STR atom holding a copy of `bytes`.
    pub fn str(bytes: &[u8]) -> Value {
        Value::try_str(bytes).unwrap_or_else(|_| crate::core::alloc::out_of_memory())
    }

    /// A STR atom; `oom` on allocation failure.
    pub fn try_str(bytes: &[u8]) -> Result<Value, RayError> {
        if bytes.len() <= STR_ATOM_SSO_MAX {
            let mut b = [0u8; 8];
            b[0] = bytes.len() as u8;
            b[1..1 + bytes.len()].copy_from_slice(bytes);
            return Ok(atom(-RAY_STR, b));
        }
        let child = alloc::alloc_block(bytes.len() + 1);
        if child.is_null() {
            return Err(RayError::oom());
        }
        // SAFETY: child holds len + 1 bytes; we write the bytes and a NUL.
        unsafe {
            (*child).type_ = RAY_U8;
            (*child).val.i64_ = bytes.len() as i64;
            let d = (child as *mut u8).add(32);
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), d, bytes.len());
            *d.add(bytes.len()) = 0;
        }
        let p = alloc::alloc_block(0);
        if p.is_null() {
            // SAFETY: child is ours and unused.
            unsafe { alloc::free_block(child) };
            return Err(RayError::oom());
        }
        // SAFETY: fresh block.
        unsafe {
            (*p).type_ = -RAY_STR;
            (*p).val.obj = child;
            Ok(Value::from_new_block(p))
        }
    }

    /// A GUID atom holding a copy of `bytes`.
    pub fn guid(bytes: &[u8; 16]) -> Value {
        let child = Value::vec_from_slice::<u8>(RAY_U8, bytes).unwrap_or_else(|_| crate::core::alloc::out_of_memory());
        let p = alloc::alloc_block(0);
        if p.is_null() {
            alloc::out_of_memory();
        }
        // SAFETY: fresh block; the child reference moves into it.
        unsafe {
            (*p).type_ = -RAY_GUID;
            (*p).val.obj = child.into_raw();
            Value::from_new_block(p)
        }
    }

    /// The typed null of atom type `t` (< 0), as `ray_typed_null` builds it.
    pub fn typed_null(t: i8) -> Result<Value, RayError> {
        let mut v = match -t {
            RAY_BOOL => Value::bool(false),
            RAY_U8 => Value::u8(0),
            RAY_I16 => Value::i16(NULL_I16),
            RAY_I32 => Value::i32(NULL_I32),
            RAY_I64 => Value::i64(NULL_I64),
            RAY_F32 => Value::f32(f32::NAN),
            RAY_F64 => Value::f64(f64::NAN),
            RAY_DATE => atom(-RAY_DATE, (NULL_I32 as i64).to_le_bytes()),
            RAY_TIME => atom(-RAY_TIME, (NULL_I32 as i64).to_le_bytes()),
            RAY_TIMESTAMP => Value::timestamp(NULL_I64),
            RAY_GUID => Value::guid(&[0; 16]),
            RAY_SYM => return Ok(Value::sym_id(0)),
            RAY_STR => Value::str(b""),
            _ => return Err(RayError::type_err("typed null of a non-atom type")),
        };
        set_null_flag(&mut v);
        Ok(v)
    }
}

/// Builtin function objects (types UNARY 101, BINARY 102, VARY 103).
///
/// Layout contract shared by the evaluator and the codec:
/// `val.i64_` = the evaluator's builtin index (-1 for an unresolved,
/// decoded-by-name placeholder), `aux.i64s[1]` = the name's symbol id,
/// `attrs` = function flags (evaluator-defined, never 0x80).
impl Value {
    pub fn builtin(kind: i8, name_id: i64, index: i64, flags: u8) -> Value {
        debug_assert!((RAY_UNARY..=RAY_VARY).contains(&kind));
        let mut v = atom(kind, index.to_le_bytes());
        let h = v.header_mut();
        h.attrs = flags & !RAY_ATTR_ARENA;
        // SAFETY: writing an integer arm of a fresh header's aux union.
        unsafe { h.aux.i64s[1] = name_id };
        v
    }
}

impl ray_t {
    /// True for UNARY/BINARY/VARY objects.
    pub fn is_builtin(&self) -> bool {
        (RAY_UNARY..=RAY_VARY).contains(&self.type_)
    }
    /// Symbol id of a builtin's name.
    pub fn builtin_name_id(&self) -> i64 {
        // SAFETY: integer arm of the aux union.
        unsafe { self.aux.i64s[1] }
    }
    /// The evaluator's index of a builtin (-1: unresolved placeholder).
    pub fn builtin_index(&self) -> i64 {
        self.i64_val()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_strings_follow_the_reference_threshold() {
        let s = Value::str(b"abcdef");
        assert_eq!(s.str_bytes(), b"abcdef");
        assert_eq!(unsafe { s.val.bytes[0] }, 6);
        let l = Value::str(b"(+ 1 2)");
        assert_eq!(l.str_bytes(), b"(+ 1 2)");
        assert!(unsafe { !crate::core::rc::str_atom_is_short(&*l) });
        let e = Value::str(b"");
        assert_eq!(e.str_bytes(), b"");
    }

    #[test]
    fn typed_nulls_are_null_except_sym_and_str() {
        for t in [RAY_BOOL, RAY_U8, RAY_I16, RAY_I32, RAY_I64, RAY_F32, RAY_F64, RAY_DATE, RAY_TIME, RAY_TIMESTAMP, RAY_GUID] {
            assert!(Value::typed_null(-t).unwrap().is_null_atom(), "type {t}");
        }
        assert!(!Value::typed_null(-RAY_SYM).unwrap().is_null_atom());
        assert!(!Value::typed_null(-RAY_STR).unwrap().is_null_atom());
        assert!(!Value::bool(false).is_null_atom());
        assert!(Value::typed_null(RAY_I64).is_err());
    }

    #[test]
    fn guid_atoms_own_their_bytes() {
        let g = Value::guid(&[7; 16]);
        assert_eq!(g.guid_bytes(), Some(&[7u8; 16]));
        let h = g.clone();
        drop(g);
        assert_eq!(h.guid_bytes(), Some(&[7u8; 16]));
    }
}
