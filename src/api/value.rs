//! The safe, typed face of `Value` for Rust users: constructors from Rust
//! data, checked accessors (`as_i64`, zero-copy `as_slice`), REPL-format
//! `Display`, and `serialize`/`deserialize` in the wire format.

use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

/// Rust element types that map to a vector type.
pub trait VecElem: crate::core::Elem {
    /// The vector type `Value::vec` builds.
    const DEFAULT_TYPE: i8;
    /// Every vector type whose elements are stored as `Self`.
    const TYPES: &'static [i8];
}

macro_rules! vec_elem {
    ($t:ty, $default:expr, [$($ty:expr),*]) => {
        impl VecElem for $t {
            const DEFAULT_TYPE: i8 = $default;
            const TYPES: &'static [i8] = &[$($ty),*];
        }
    };
}
vec_elem!(i64, RAY_I64, [RAY_I64, RAY_TIMESTAMP]);
vec_elem!(f64, RAY_F64, [RAY_F64]);
vec_elem!(i32, RAY_I32, [RAY_I32, RAY_DATE, RAY_TIME]);
vec_elem!(i16, RAY_I16, [RAY_I16]);
vec_elem!(u8, RAY_U8, [RAY_U8, RAY_BOOL]);
vec_elem!(f32, RAY_F32, [RAY_F32]);

/// Lets APIs that take "a value" (`ipc::Connection::write`) accept a
/// `Value` and a `RayVector` alike.
impl AsRef<Value> for Value {
    fn as_ref(&self) -> &Value {
        self
    }
}

fn type_error(what: &str, v: &Value) -> RayError {
    RayError::type_err(format!("expected {what}, found type {}", v.type_()))
}

impl Value {
    /// A vector holding a copy of `items` (`Value::vec(&[1i64, 2, 3])`).
    pub fn vec<T: VecElem>(items: &[T]) -> Value {
        Value::vec_from_slice(T::DEFAULT_TYPE, items).unwrap_or_else(|_| crate::core::alloc::out_of_memory())
    }

    /// A SYM vector from names.
    pub fn syms<S: AsRef<str>>(names: &[S]) -> Value {
        let ids: Vec<i64> = names.iter().map(|n| sym::intern(n.as_ref().as_bytes())).collect();
        Value::sym_vec(&ids).unwrap_or_else(|_| crate::core::alloc::out_of_memory())
    }

    /// A STR atom.
    pub fn string(s: &str) -> Value {
        Value::str(s.as_bytes())
    }

    /// A quoted symbol atom (`'ping`), as Rayfall writes a literal symbol.
    pub fn symbol(name: &str) -> Value {
        Value::quoted_sym(sym::intern(name.as_bytes()))
    }

    /// A table from `(column name, column vector)` pairs.
    pub fn new_table(columns: Vec<(&str, Value)>) -> Result<Value> {
        let cols = columns.into_iter().map(|(n, c)| (sym::intern(n.as_bytes()), c)).collect();
        Value::table_from(cols)
    }

    /// The integer of an I64/I32/I16/U8/BOOL/DATE/TIME/TIMESTAMP atom.
    pub fn as_i64(&self) -> Result<i64> {
        match -self.type_() {
            RAY_I64 | RAY_TIMESTAMP => Ok(self.i64_val()),
            RAY_I32 | RAY_DATE | RAY_TIME => Ok(self.i32_val() as i64),
            RAY_I16 => Ok(self.i16_val() as i64),
            RAY_U8 | RAY_BOOL => Ok(self.u8_val() as i64),
            _ => Err(type_error("an integer atom", self)),
        }
    }

    /// The number of an F64/F32 atom (integers are widened).
    pub fn as_f64(&self) -> Result<f64> {
        match -self.type_() {
            RAY_F64 | RAY_F32 => Ok(self.f64_val()),
            _ => self.as_i64().map(|i| i as f64).map_err(|_| type_error("a numeric atom", self)),
        }
    }

    /// The bool of a BOOL atom.
    pub fn as_bool(&self) -> Result<bool> {
        if self.type_() == -RAY_BOOL { Ok(self.bool_val()) } else { Err(type_error("a bool atom", self)) }
    }

    /// The text of a STR atom or the name of a SYM atom.
    pub fn as_str(&self) -> Result<&str> {
        let bytes = match -self.type_() {
            RAY_STR => self.str_bytes(),
            RAY_SYM => sym::name(self.i64_val()).unwrap_or(b""),
            _ => return Err(type_error("a string or symbol atom", self)),
        };
        std::str::from_utf8(bytes).map_err(|_| RayError::domain("not UTF-8"))
    }

    /// The elements of a vector stored as `T`, without a copy; a `type`
    /// error for any other value (`v.as_slice::<i64>()?`, as RayforceDB's
    /// Rust client documents it). `elems` is the unchecked accessor.
    pub fn as_slice<T: VecElem>(&self) -> Result<&[T]> {
        if T::TYPES.contains(&self.type_()) {
            Ok(self.elems::<T>())
        } else {
            Err(type_error("a vector of the requested element type", self))
        }
    }

    /// The former name of `as_slice`.
    #[deprecated(note = "use `as_slice`, which returns the same `Result`")]
    pub fn try_slice<T: VecElem>(&self) -> Result<&[T]> {
        self.as_slice()
    }

    /// Names of a SYM vector.
    pub fn sym_names(&self) -> Result<Vec<&'static str>> {
        if self.type_() != RAY_SYM {
            return Err(type_error("a SYM vector", self));
        }
        Ok((0..self.len() as usize)
            .map(|i| std::str::from_utf8(sym::name(self.sym_at(i)).unwrap_or(b"")).unwrap_or(""))
            .collect())
    }

    /// The error this value carries, if it is an error object.
    pub fn as_error(&self) -> Option<RayError> {
        self.is_error().then(|| self.err_code())
    }

    /// The wire format of `(ser x)`: a 16-byte header (msgtype 0, never
    /// compressed) followed by the object's encoding.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let body = crate::codec::encode(self)?;
        let mut out = Vec::with_capacity(16 + body.len());
        out.extend_from_slice(&0xcefa_defa_u32.to_le_bytes());
        out.extend_from_slice(&[3, 0, 0, 0]);
        out.extend_from_slice(&(body.len() as i64).to_le_bytes());
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decodes what `serialize` (or the `ser` builtin) produced.
    pub fn deserialize(bytes: &[u8]) -> Result<Value> {
        if bytes.len() < 16 || bytes[..4] != 0xcefa_defa_u32.to_le_bytes() {
            return Err(RayError::domain("not a serialized value"));
        }
        if bytes[4] != 3 {
            return Err(RayError::new("version", "wire version is not 3"));
        }
        let size = i64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
        if size < 0 || size as u64 != (bytes.len() - 16) as u64 {
            return Err(RayError::domain("size does not match the buffer"));
        }
        crate::codec::decode(&bytes[16..]).map(|(v, _)| v)
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::lang::format(self, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_accessors_check_the_type() {
        assert_eq!(Value::i64(3).as_i64().unwrap(), 3);
        assert!(Value::f64(1.5).as_i64().is_err());
        assert_eq!(Value::f64(1.5).as_f64().unwrap(), 1.5);
        assert_eq!(Value::string("hi").as_str().unwrap(), "hi");
        assert_eq!(Value::symbol("ping").as_str().unwrap(), "ping");
        assert!(Value::symbol("ping").is_quoted());
    }

    #[test]
    fn slices_are_zero_copy_views_of_the_vector() {
        let v = Value::vec(&[1i64, 2, 3]);
        let s = v.as_slice::<i64>().unwrap();
        assert_eq!(s, &[1, 2, 3]);
        assert_eq!(s.as_ptr() as *const u8, v.data_ptr());
        assert!(v.as_slice::<f64>().is_err());
        assert!(Value::i64(1).as_slice::<i64>().is_err());
        assert_eq!(v.elems::<i64>(), s);
    }

    #[test]
    fn sym_takes_a_name_and_sym_id_an_intern_id() {
        let v = Value::sym("ping");
        assert_eq!(v.as_str().unwrap(), "ping");
        assert!(!v.is_quoted());
        assert_eq!(Value::sym_id(v.i64_val()).as_str().unwrap(), "ping");
    }

    #[test]
    fn tables_are_built_from_named_columns() {
        let t = Value::new_table(vec![("a", Value::vec(&[1i64, 2])), ("b", Value::syms(&["x", "y"]))]).unwrap();
        assert_eq!(t.table_nrows(), 2);
        assert_eq!(t.table_cols().unwrap().item(1).unwrap().to_value().sym_names().unwrap(), vec!["x", "y"]);
    }
}
