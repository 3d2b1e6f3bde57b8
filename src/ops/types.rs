//! What a value is: the one table of type names (what `type` returns, what
//! a table header shows and what error messages say) and the one
//! truthiness rule (`if`, `and`, `or`, `while`, the IPC layer).
#![forbid(unsafe_code)]

use crate::abi::*;

/// The name of type tag `t`: lowercase for atoms (`i64`), uppercase for
/// vectors (`I64`), `LIST`, `DICT`, `TABLE`, `null`, `error`; functions
/// and anything else are `?`, as the reference prints them.
pub fn type_name(t: i8) -> &'static str {
    const ATOMS: [&str; 14] = ["", "b8", "u8", "i16", "i32", "i64", "f32", "f64", "date", "time", "timestamp", "guid", "sym", "str"];
    const VECS: [&str; 14] = ["LIST", "B8", "U8", "I16", "I32", "I64", "F32", "F64", "DATE", "TIME", "TIMESTAMP", "GUID", "SYM", "STR"];
    match t {
        -13..=-1 => ATOMS[(-t) as usize],
        0..=13 => VECS[t as usize],
        RAY_TABLE => "TABLE",
        RAY_DICT => "DICT",
        RAY_NULL => "null",
        RAY_ERROR => "error",
        _ => "?",
    }
}

/// The type name of a value ([`type_name`] of its tag; the null object is `null`).
pub fn type_name_of(v: &ray_t) -> &'static str {
    if v.is_null_obj() { "null" } else { type_name(v.type_) }
}

/// The name binary-operator errors give an operand (`cannot add i64 and
/// sym`): a vector is named by its element type in lowercase, as an atom
/// would be; LIST, DICT, TABLE and atoms keep their [`type_name_of`].
pub fn elem_type_name(v: &ray_t) -> &'static str {
    if (1..=RAY_STR).contains(&v.type_) { type_name(-v.type_) } else { type_name_of(v) }
}

/// The name the reference's collection builtins give an operand in their
/// errors (`union: both args must be lists, got i64 and LIST`): every
/// vector is a `LIST` there; anything else keeps its [`type_name_of`].
pub fn list_type_name(v: &ray_t) -> &'static str {
    if (0..=RAY_STR).contains(&v.type_) { "LIST" } else { type_name_of(v) }
}

/// Rayfall truthiness (rayfall.md section 4): false, i64 0, f64 0.0, typed
/// null atoms and the null object are false; everything else is true
/// (i32, i16 and u8 zeros, empty vectors and strings included).
pub fn truthy(v: &ray_t) -> bool {
    if v.is_null_obj() || v.type_ == RAY_NULL {
        return false;
    }
    match v.type_ {
        t if t == -RAY_BOOL => v.bool_val() && !v.null_flag(),
        t if t == -RAY_I64 => v.i64_val() != 0 && v.i64_val() != NULL_I64,
        t if t == -RAY_F64 => v.f64_val() != 0.0 && !v.f64_val().is_nan(),
        t if t < 0 && t != -RAY_SYM && t != -RAY_STR => !v.is_null_atom() && !v.null_flag(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Value;

    #[test]
    fn names_follow_the_reference() {
        assert_eq!(type_name_of(&Value::i64(1)), "i64");
        assert_eq!(type_name(RAY_I64), "I64");
        assert_eq!(type_name(RAY_LIST), "LIST");
        assert_eq!(type_name_of(&Value::null()), "null");
        assert_eq!(type_name(RAY_LAMBDA), "?");
        assert_eq!(type_name(RAY_BINARY), "?");
    }

    #[test]
    fn zero_is_false_only_for_i64_and_f64() {
        assert!(!truthy(&Value::i64(0)));
        assert!(!truthy(&Value::f64(0.0)));
        assert!(!truthy(&Value::typed_null(-RAY_F64).unwrap()));
        assert!(truthy(&Value::i32(0)));
        assert!(truthy(&Value::u8(0)));
        assert!(truthy(&Value::i16(0)));
        assert!(!truthy(&Value::typed_null(-RAY_DATE).unwrap()));
    }
}
