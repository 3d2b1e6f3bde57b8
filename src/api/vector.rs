//! `RayVector<T>`: a typed vector value built from Rust data (`collect()`,
//! `From<Vec<T>>`) that converts into a `Value` and reads back as `&[T]`.
//! It owns no storage of its own: it is a `Value` whose type is known to
//! hold `T`s, so every conversion is checked once, at construction.

use super::value::VecElem;
use crate::core::{RayError, Result, Value};
use std::marker::PhantomData;

/// A vector value whose elements are stored as `T` (`RayVector<i64>` is an
/// I64 vector; `(1..=5).collect::<RayVector<i64>>()`).
#[derive(Clone)]
pub struct RayVector<T: VecElem> {
    value: Value,
    elem: PhantomData<T>,
}

impl<T: VecElem> RayVector<T> {
    /// The elements, without a copy.
    pub fn as_values(&self) -> &[T] {
        self.value.as_slice::<T>().expect("checked at construction")
    }

    pub fn len(&self) -> usize {
        self.as_values().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The vector as a `Value` (to send, or to pass to any `Value` API).
    pub fn into_value(self) -> Value {
        self.value
    }

    pub fn value(&self) -> &Value {
        &self.value
    }
}

impl<T: VecElem> From<Vec<T>> for RayVector<T> {
    fn from(items: Vec<T>) -> Self {
        RayVector { value: Value::vec(&items), elem: PhantomData }
    }
}

impl<T: VecElem> FromIterator<T> for RayVector<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<T>>().into()
    }
}

impl<T: VecElem> From<RayVector<T>> for Value {
    fn from(v: RayVector<T>) -> Value {
        v.value
    }
}

impl<T: VecElem> AsRef<Value> for RayVector<T> {
    fn as_ref(&self) -> &Value {
        &self.value
    }
}

impl<T: VecElem> TryFrom<Value> for RayVector<T> {
    type Error = RayError;
    /// Accepts a vector whose elements are stored as `T` (`type` error otherwise).
    fn try_from(value: Value) -> Result<Self> {
        value.as_slice::<T>()?;
        Ok(RayVector { value, elem: PhantomData })
    }
}

impl<T: VecElem> std::ops::Deref for RayVector<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_values()
    }
}

impl<T: VecElem> std::fmt::Debug for RayVector<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RayVector({})", self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_into_a_typed_vector_value() {
        let v: RayVector<i64> = (1..=5).collect();
        assert_eq!(&*v, &[1, 2, 3, 4, 5]);
        let value: Value = v.into();
        assert_eq!(value.type_(), crate::abi::RAY_I64);
        assert_eq!(value.to_string(), "[1 2 3 4 5]");
        let back = RayVector::<i64>::try_from(value).unwrap();
        assert_eq!(back.len(), 5);
        assert!(RayVector::<f64>::try_from(Value::vec(&[1i64])).is_err());
        assert!(RayVector::<f64>::from(vec![]).is_empty());
    }
}
