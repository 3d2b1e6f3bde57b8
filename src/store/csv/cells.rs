//! One CSV field's text as a value of a column type (storage spec 5.4):
//! integers, floats, booleans, dates, times, timestamps and GUIDs. Text
//! that does not fit gives `None` (the caller stores the type's null).
//!
//! Floats go through `fast-float2` (correctly rounded, several times faster
//! than `str::parse` and needing no UTF-8 check); everything else is a few
//! lines of digit arithmetic. This module owns no buffers and no files.

use crate::core::temporal::{NS_PER_DAY, days_from_civil};

/// A whole-field integer with an optional sign; None on anything else or
/// on overflow.
#[inline]
pub fn int(f: &[u8]) -> Option<i64> {
    let (neg, digits) = match f.first() {
        Some(b'-') => (true, &f[1..]),
        Some(b'+') => (false, &f[1..]),
        _ => (false, f),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    if neg {
        if v > i64::MAX as u64 + 1 { None } else { Some((v as i64).wrapping_neg()) }
    } else {
        i64::try_from(v).ok()
    }
}

/// A decimal or exponent float; None for `nan`, `inf` and overflow.
#[inline]
pub fn float<T: fast_float2::FastFloat + Float>(f: &[u8]) -> Option<T> {
    if !float_start(f) {
        return None;
    }
    let x: T = fast_float2::parse(f).ok()?;
    x.finite().then(|| x.unsigned_zero())
}

/// True when `f` starts as a decimal number does (an optional sign, then a
/// digit or `.`): the words `nan` and `inf` are not numbers here.
#[inline]
pub fn float_start(f: &[u8]) -> bool {
    let body = match f.first() {
        Some(b'-' | b'+') => &f[1..],
        _ => f,
    };
    matches!(body.first(), Some(b'0'..=b'9' | b'.'))
}

/// What both float widths share: the finiteness test, and the zero the
/// reference's parser gives for a negative zero (`-0`, `-0.0`, `-1e-400`
/// all read as `0.0`, sign dropped).
pub trait Float: Copy {
    fn finite(self) -> bool;
    fn unsigned_zero(self) -> Self;
}
impl Float for f64 {
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn unsigned_zero(self) -> Self {
        self + 0.0
    }
}
impl Float for f32 {
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn unsigned_zero(self) -> Self {
        self + 0.0
    }
}

/// `true TRUE 1` are true; everything else false.
#[inline]
pub fn bool(f: &[u8]) -> bool {
    matches!(f, b"true" | b"TRUE" | b"1")
}

fn digits(f: &[u8]) -> Option<u32> {
    if f.is_empty() {
        return None;
    }
    f.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
}

/// Days since 2000-01-01 of `YYYY?MM?DD` at the start of `f` (separators
/// not checked, a day past the month's end rolls over).
pub fn date(f: &[u8]) -> Option<i64> {
    if f.len() < 10 {
        return None;
    }
    let (y, m, d) = (digits(&f[..4])?, digits(&f[5..7])?, digits(&f[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y as i64, m, d))
}

/// `[-]H..H:MM:SS[.fff]` as milliseconds (hours not limited to 23).
pub fn time(f: &[u8]) -> Option<i32> {
    let (neg, rest) = match f.first() {
        Some(b'-') => (true, &f[1..]),
        _ => (false, f),
    };
    let colon = rest.iter().position(|&c| c == b':')?;
    if !(1..=7).contains(&colon) || rest.len() < colon + 6 || rest[colon + 3] != b':' {
        return None;
    }
    let h = digits(&rest[..colon])? as i64;
    let (m, s) = (digits(&rest[colon + 1..colon + 3])?, digits(&rest[colon + 4..colon + 6])?);
    if m > 59 || s > 59 {
        return None;
    }
    let tail = &rest[colon + 6..];
    let ms = match tail.split_first() {
        None => 0,
        Some((b'.', frac)) => fraction(frac, 3)?,
        Some(_) => return None,
    };
    let v = h * 3_600_000 + m as i64 * 60_000 + s as i64 * 1000 + ms;
    let v = if neg { -v } else { v };
    i32::try_from(v).ok().filter(|&v| v != i32::MIN)
}

/// Up to `places` fraction digits (more are ignored) scaled to `places`.
fn fraction(frac: &[u8], places: u32) -> Option<i64> {
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let kept = &frac[..frac.len().min(places as usize)];
    let v = digits(kept)? as i64;
    Some(v * 10i64.pow(places - kept.len() as u32))
}

/// `YYYY-MM-DD?HH:MM:SS[.n..n][Z|±HH|±HHMM|±HH:MM]` as nanoseconds since
/// 2000-01-01 UTC; a bare date is its midnight (RayforceDB gives null).
pub fn timestamp(f: &[u8]) -> Option<i64> {
    let day = date(f)?;
    if f.len() == 10 {
        return day.checked_mul(NS_PER_DAY);
    }
    if f.len() < 19 || f[13] != b':' || f[16] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&f[11..13])?, digits(&f[14..16])?, digits(&f[17..19])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let mut rest = &f[19..];
    let mut ns = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        ns = fraction(&frac[..n], 9)?;
        rest = &frac[n..];
    }
    let offset_s = zone(rest)?;
    let secs = (h * 3600 + m * 60 + s) as i64 - offset_s;
    day.checked_mul(NS_PER_DAY)?.checked_add(secs * 1_000_000_000 + ns).filter(|&v| v != i64::MIN)
}

/// A zone suffix as seconds east of UTC.
fn zone(z: &[u8]) -> Option<i64> {
    let (sign, hm) = match z {
        [] | [b'Z' | b'z'] => return Some(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (h, m) = match hm {
        [a, b] => (digits(&[*a, *b])?, 0),
        [a, b, c, d] | [a, b, b':', c, d] => (digits(&[*a, *b])?, digits(&[*c, *d])?),
        _ => return None,
    };
    Some(sign * (h as i64 * 3600 + m as i64 * 60))
}

/// `8-4-4-4-12` hex digits (either case).
pub fn guid(f: &[u8]) -> Option<[u8; 16]> {
    if f.len() != 36 || [8, 13, 18, 23].iter().any(|&i| f[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    let mut hex = f.iter().filter(|&&c| c != b'-');
    for b in out.iter_mut() {
        let hi = (*hex.next()? as char).to_digit(16)?;
        let lo = (*hex.next()? as char).to_digit(16)?;
        *b = (hi * 16 + lo) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats() {
        assert_eq!(int(b"+5"), Some(5));
        assert_eq!(int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(int(b"99999999999999999999"), None);
        assert_eq!(int(b" 5"), None);
        assert_eq!(int(b"5 "), None);
        assert_eq!(float::<f64>(b".5"), Some(0.5));
        assert_eq!(float::<f64>(b"5."), Some(5.0));
        assert_eq!(float::<f64>(b"1.5e3"), Some(1500.0));
        assert_eq!(float::<f64>(b"1e400"), None);
        assert_eq!(float::<f64>(b"nan"), None);
        assert_eq!(float::<f64>(b"-inf"), None);
        assert_eq!(float::<f32>(b"71.372748"), Some(71.372748f32));
        // A negative zero reads as 0.0, as in the reference's files.
        for z in [&b"-0"[..], b"-0.0", b"-0e3", b"-1e-400", b"-.0"] {
            assert_eq!(float::<f64>(z).map(f64::to_bits), Some(0), "{}", String::from_utf8_lossy(z));
            assert_eq!(float::<f32>(z).map(f32::to_bits), Some(0));
        }
        assert_eq!(float::<f64>(b"-0.5"), Some(-0.5));
    }

    #[test]
    fn temporal_fields() {
        assert_eq!(date(b"2024-02-30"), Some(days_from_civil(2024, 3, 1)));
        assert_eq!(date(b"2024.01.15"), Some(8780));
        assert_eq!(date(b"2024-13-01"), None);
        assert_eq!(time(b"9:30:00"), Some(34_200_000));
        assert_eq!(time(b"24:00:00.5"), Some(86_400_500));
        assert_eq!(time(b"-01:02:03"), Some(-3_723_000));
        assert_eq!(time(b"12:60:00"), None);
        let noon = 8780 * NS_PER_DAY + 12 * 3600 * 1_000_000_000;
        assert_eq!(timestamp(b"2024-01-15T12:00:00"), Some(noon));
        assert_eq!(timestamp(b"2024-01-15T14:00:00+02:00"), Some(noon));
        assert_eq!(timestamp(b"2024-01-15 12:00:00.123456789123Z"), Some(noon + 123_456_789));
        assert_eq!(timestamp(b"2024-01-15"), Some(8780 * NS_PER_DAY));
        assert_eq!(timestamp(b"2024-01-15T24:00:00"), None);
        assert_eq!(guid(b"01020304-0506-0708-090a-0B0C0D0E0F10").unwrap()[15], 0x10);
        assert_eq!(guid(b"x"), None);
    }
}
