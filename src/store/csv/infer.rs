//! Column types of a CSV file: the schema names users write (`I64`,
//! `SYMBOL`, ...) and the inference from a sample of rows when none is
//! given, by RayforceDB's rules (storage spec 5.3): each sampled field votes
//! for a class, the votes fold into the column's class, text becomes SYM
//! or, when the sample's values are mostly distinct, STR.
//!
//! This module decides types only; it parses no values and reads no file.

use std::collections::HashSet;

/// A column type a CSV column is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    B8,
    U8,
    I16,
    I32,
    I64,
    /// The narrowest of I16/I32/I64 holding every value.
    Int,
    F32,
    F64,
    Sym,
    Str,
    Date,
    Time,
    Timestamp,
    Guid,
}

impl ColType {
    /// The schema name (upper case only, as RayforceDB accepts them).
    pub fn from_name(name: &[u8]) -> Option<ColType> {
        Some(match name {
            b"B8" => ColType::B8,
            b"U8" => ColType::U8,
            b"I16" => ColType::I16,
            b"I32" => ColType::I32,
            b"I64" => ColType::I64,
            b"INT" => ColType::Int,
            b"F32" => ColType::F32,
            b"F64" => ColType::F64,
            b"SYMBOL" => ColType::Sym,
            b"STR" => ColType::Str,
            b"DATE" => ColType::Date,
            b"TIME" => ColType::Time,
            b"TIMESTAMP" => ColType::Timestamp,
            b"GUID" => ColType::Guid,
            _ => return None,
        })
    }
}

/// What one sampled field looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Bool,
    I64,
    F64,
    Date,
    Timestamp,
    Time,
    Text,
}

const NULL_TOKENS: &[&[u8]] = &[b"N/A", b"n/a", b"NA", b"na", b"null", b"NULL", b"None", b"none", b"."];

fn classify(f: &[u8]) -> Option<Class> {
    if f.is_empty() || NULL_TOKENS.contains(&f) {
        return None;
    }
    let unsigned = f.strip_prefix(b"+").or_else(|| f.strip_prefix(b"-")).unwrap_or(f);
    if f.eq_ignore_ascii_case(b"nan") || unsigned.eq_ignore_ascii_case(b"inf") {
        return Some(Class::F64);
    }
    if matches!(f, b"true" | b"false" | b"TRUE" | b"FALSE") {
        return Some(Class::Bool);
    }
    if let Some(c) = number_class(unsigned) {
        return Some(c);
    }
    if f.len() == 10 && is_date(f) {
        return Some(Class::Date);
    }
    if f.len() >= 19 && is_date(&f[..10]) && matches!(f[10], b'T' | b' ') && is_hms(&f[11..19]) {
        return Some(Class::Timestamp);
    }
    if f.len() >= 8 && is_hms(&f[..8]) {
        return Some(Class::Time);
    }
    Some(Class::Text)
}

/// Digits with at most one `.` and an optional exponent: I64 or F64.
fn number_class(s: &[u8]) -> Option<Class> {
    let (mantissa, exp) = match s.iter().position(|&c| c == b'e' || c == b'E') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = mantissa.iter().filter(|c| c.is_ascii_digit()).count();
    let dots = mantissa.iter().filter(|&&c| c == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != mantissa.len() {
        return None;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(b"+").or_else(|| e.strip_prefix(b"-")).unwrap_or(e);
        if e.is_empty() || !e.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(if dots == 0 && exp.is_none() { Class::I64 } else { Class::F64 })
}

/// `DDDD-DD-DD` at the start of `f` (exactly 10 bytes checked).
fn is_date(f: &[u8]) -> bool {
    f.len() >= 10
        && f[..10].iter().enumerate().all(|(i, &c)| if i == 4 || i == 7 { c == b'-' } else { c.is_ascii_digit() })
}

/// `DD:DD:DD`.
fn is_hms(f: &[u8]) -> bool {
    f.iter().enumerate().all(|(i, &c)| if i == 2 || i == 5 { c == b':' } else { c.is_ascii_digit() })
}

fn fold(acc: Option<Class>, vote: Class) -> Class {
    use Class::*;
    let Some(a) = acc else { return vote };
    let rank = |c| match c {
        Bool => Some(0),
        I64 => Some(1),
        F64 => Some(2),
        _ => None,
    };
    match (a, vote) {
        _ if a == vote => a,
        (Text, _) | (_, Text) => Text,
        (Date, Timestamp) | (Timestamp, Date) => Timestamp,
        _ => match (rank(a), rank(vote)) {
            (Some(x), Some(y)) => if x >= y { a } else { vote },
            _ => Text,
        },
    }
}

/// The type of a column from its sampled fields.
pub fn infer<'a>(sample: impl IntoIterator<Item = &'a [u8]>) -> ColType {
    let mut class = None;
    let mut texts: Vec<&[u8]> = Vec::new();
    for f in sample {
        if !f.is_empty() {
            texts.push(f);
        }
        if let Some(c) = classify(f) {
            class = Some(fold(class, c));
        }
    }
    match class {
        Some(Class::Bool) => ColType::B8,
        Some(Class::I64) => ColType::I64,
        Some(Class::F64) => ColType::F64,
        Some(Class::Date) => ColType::Date,
        Some(Class::Time) => ColType::Time,
        Some(Class::Timestamp) => ColType::Timestamp,
        Some(Class::Text) | None => text_type(&texts),
    }
}

/// STR when the text values are many and mostly distinct, else SYM.
fn text_type(values: &[&[u8]]) -> ColType {
    let distinct = values.iter().collect::<HashSet<_>>().len();
    let n = values.len();
    if distinct >= 256 || (n >= 64 && distinct * 5 >= n * 4) { ColType::Str } else { ColType::Sym }
}

/// The sampled rows of an `n`-row file: all of them up to 4096, else 4096
/// evenly spaced (row `i*(n-1)/4095`, the first and last included).
pub fn sample_rows(n: usize) -> Vec<usize> {
    const SAMPLE: usize = 4096;
    if n <= SAMPLE {
        return (0..n).collect();
    }
    (0..SAMPLE).map(|i| i * (n - 1) / (SAMPLE - 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(fields: &[&str]) -> ColType {
        infer(fields.iter().map(|s| s.as_bytes()))
    }

    #[test]
    fn votes_fold_as_the_reference_does() {
        assert_eq!(ty(&["1", "2", ""]), ColType::I64);
        assert_eq!(ty(&["1", "2.5", "NA"]), ColType::F64);
        assert_eq!(ty(&["true", "1"]), ColType::I64);
        assert_eq!(ty(&["true", "FALSE"]), ColType::B8);
        assert_eq!(ty(&["True"]), ColType::Sym);
        assert_eq!(ty(&["2024-01-16", "2024-01-16 13:00:00"]), ColType::Timestamp);
        assert_eq!(ty(&["2024.01.15"]), ColType::Sym);
        assert_eq!(ty(&["09:30:00", "9:30:00"]), ColType::Sym);
        assert_eq!(ty(&["12:00:00.5"]), ColType::Time);
        assert_eq!(ty(&["nan", "-inf", "3"]), ColType::F64);
        assert_eq!(ty(&[" 5"]), ColType::Sym);
        assert_eq!(ty(&[]), ColType::Sym);
    }

    #[test]
    fn mostly_distinct_text_is_str() {
        let mk = |distinct: usize| -> Vec<String> { (0..100).map(|i| format!("v{}", i % distinct)).collect() };
        let t = |v: Vec<String>| infer(v.iter().map(|s| s.as_bytes()));
        assert_eq!(t(mk(90)), ColType::Str);
        assert_eq!(t(mk(79)), ColType::Sym);
        assert_eq!(sample_rows(3), [0, 1, 2]);
        let s = sample_rows(10_000);
        assert_eq!((s.len(), s[0], s[4095]), (4096, 0, 9999));
    }
}
