//! Element types of fixed-width vectors: the [`Prim`] trait (null
//! sentinel, null test, "nulls are smallest" order, hash key with all NaNs
//! alike) and [`with_prim!`], which runs one generic body per vector tag so
//! kernels stay monomorphic over typed slices. Also the tag predicates
//! (`has_sentinel`, `is_numeric`, `is_temporal`) and SYM ids at any width.
//! Owns no allocation policy and no Rayfall semantics.
#![forbid(unsafe_code)]

use crate::abi::*;
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
        Cow::Borrowed(v.elems::<i64>())
    } else {
        Cow::Owned((0..v.len().max(0) as usize).map(|i| v.sym_at(i)).collect())
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_order_nan_first_and_hash_alike() {
        assert_eq!(f64::NAN.order(-1e300), Ordering::Less);
        assert_eq!(f64::NAN.key(), (-f64::NAN).key());
        assert_eq!(0.0f64.key(), (-0.0f64).key());
    }

}
