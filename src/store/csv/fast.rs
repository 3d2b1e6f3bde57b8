//! The parse's fast path for plain bodies (no `"` and no bare `\r`
//! anywhere: `split::Layout::plain`). There a field ends at the delimiter,
//! `\r` or `\n`, so one pass over an integer or float field both finds its
//! end and computes its value, where the general path cuts the field
//! first (`split::read_row`) and parses it again (`cells`). Other columns
//! cut the field and store it through `parse::put`, as the general path
//! does.
//!
//! Every row gives exactly what the general path gives (missing fields
//! null, extra fields ignored, `\r\n` line ends, a last line without
//! terminator); the tests in `parse` compare the two on the same files.
//! This module owns no storage and reads no file.

use super::cells;
use super::parse::{Aux, Out, put};
use super::split::scan_field;
use crate::abi::NULL_I64;
use memchr::memchr;

#[inline(always)]
fn ends_field(c: u8, delim: u8) -> bool {
    c == delim || c == b'\n' || c == b'\r'
}

/// The integer field at `p`: its value (None for no integer) and its end.
#[inline]
fn int_field(bytes: &[u8], p: usize, delim: u8) -> (Option<i64>, usize) {
    let end = bytes.len();
    let mut q = p;
    let neg = match bytes.get(q) {
        Some(b'-') => {
            q += 1;
            true
        }
        Some(b'+') => {
            q += 1;
            false
        }
        _ => false,
    };
    let first = q;
    let mut v: i64 = 0;
    while q < end {
        let d = bytes[q].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v.wrapping_mul(10).wrapping_add(d as i64);
        q += 1;
    }
    // Up to 18 digits cannot overflow; longer ones and anything that is
    // not all digits go the general way.
    if (q == end || ends_field(bytes[q], delim)) && (1..=18).contains(&(q - first)) {
        return (Some(if neg { -v } else { v }), q);
    }
    let k = scan_field(bytes, q, delim);
    (cells::int(&bytes[p..k]), k)
}

/// The float field at `p`: its value (None for null) and its end.
#[inline]
fn float_field<T: fast_float2::FastFloat + cells::Float>(bytes: &[u8], p: usize, delim: u8) -> (Option<T>, usize) {
    if let Ok((x, n)) = fast_float2::parse_partial::<T, _>(&bytes[p..]) {
        let k = p + n;
        if n > 0 && (k == bytes.len() || ends_field(bytes[k], delim)) {
            return ((cells::float_start(&bytes[p..k]) && x.finite()).then(|| x.unsigned_zero()), k);
        }
    }
    let k = scan_field(bytes, p, delim);
    (cells::float(&bytes[p..k]), k)
}

/// Stores the field at `p` as row `i` of `out`; returns (stored a null,
/// the field's end).
#[inline]
fn field(out: &mut Out<'_>, aux: &mut Aux, i: usize, bytes: &[u8], p: usize, delim: u8) -> (bool, usize) {
    match out {
        Out::I64(s) => {
            let (v, k) = int_field(bytes, p, delim);
            s[i] = v.unwrap_or(NULL_I64);
            (s[i] == NULL_I64, k)
        }
        Out::F64(s) => {
            let (v, k) = float_field::<f64>(bytes, p, delim);
            s[i] = v.unwrap_or(f64::NAN);
            (v.is_none(), k)
        }
        Out::F32(s) => {
            let (v, k) = float_field::<f32>(bytes, p, delim);
            s[i] = v.unwrap_or(f32::NAN);
            (v.is_none(), k)
        }
        _ => {
            let k = scan_field(bytes, p, delim);
            (put(out, aux, i, &bytes[p..k]), k)
        }
    }
}

/// Parses the plain row at `pos` into row `i` of `outs`; returns the start
/// of the next row.
#[inline]
pub fn row(bytes: &[u8], pos: usize, delim: u8, outs: &mut [Out<'_>], aux: &mut [Aux], i: usize, nulls: &mut [bool]) -> usize {
    let end = bytes.len();
    let n = outs.len();
    let mut p = pos;
    for c in 0..n {
        let (null, k) = field(&mut outs[c], &mut aux[c], i, bytes, p, delim);
        nulls[c] |= null;
        if k < end && bytes[k] == delim {
            p = k + 1;
            continue;
        }
        // The row ends here: its missing fields are empty.
        for r in c + 1..n {
            nulls[r] |= put(&mut outs[r], &mut aux[r], i, b"");
        }
        return match bytes.get(k) {
            None => end,
            Some(b'\r') if bytes.get(k + 1) == Some(&b'\n') => k + 2,
            Some(_) => k + 1,
        };
    }
    // More fields than columns: the rest of the line is ignored.
    memchr(b'\n', &bytes[p..]).map_or(end, |j| p + j + 1)
}

#[cfg(test)]
mod tests {
    use super::super::infer::ColType;
    use super::super::parse::parse;
    use super::super::split::Layout;
    use crate::abi::*;
    use crate::core::Value;

    const TYPES: [ColType; 11] = [
        ColType::I64,
        ColType::I32,
        ColType::I16,
        ColType::Int,
        ColType::F64,
        ColType::F32,
        ColType::Sym,
        ColType::Str,
        ColType::Date,
        ColType::B8,
        ColType::U8,
    ];

    /// Field texts that test the edges of the fused parsers, for any column.
    const CELLS: &[&str] = &[
        "",
        "0",
        "-7",
        "+42",
        "-",
        "+",
        "123456789012345678",
        "1234567890123456789",
        "9223372036854775807",
        "-9223372036854775808",
        "99999999999999999999",
        "12a",
        " 5",
        "5 ",
        "1.5",
        ".5",
        "5.",
        "-1.25e3",
        "1e",
        "1e400",
        "nan",
        "inf",
        "-inf",
        "1.5x",
        "0x10",
        "2024-01-15",
        "true",
        "id042",
        "id0000000001",
        "a much longer text value that goes to the pool",
    ];

    /// A file of `rows` rows cycling through CELLS (a deterministic mix),
    /// with short and long rows, blank lines, CRLF and LF line ends and a
    /// very long line.
    fn file(rows: usize, crlf_every: usize, last_terminated: bool) -> Vec<u8> {
        let mut b = b"a,b,c,d,e,f,g,h,i,j,k\n".to_vec();
        let mut x: u64 = 7;
        for r in 0..rows {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let width = match r % 17 {
                0 => 0,
                1 => 3,
                2 => 14,
                _ => TYPES.len(),
            };
            let fields: Vec<String> = (0..width)
                .map(|c| {
                    if r == rows / 2 && c == 6 {
                        "z".repeat(70_000)
                    } else {
                        CELLS[((x >> (c * 5 % 59)) as usize + c) % CELLS.len()].to_string()
                    }
                })
                .collect();
            b.extend_from_slice(fields.join(",").as_bytes());
            if r + 1 < rows || last_terminated {
                b.extend_from_slice(if r % crlf_every == 0 { b"\r\n" } else { b"\n" });
            }
        }
        b
    }

    fn same_column(a: &Value, b: &Value, what: &str) {
        assert_eq!((a.type_, a.attrs(), a.len()), (b.type_, b.attrs(), b.len()), "{what}");
        for i in 0..a.len() as usize {
            match a.type_ {
                RAY_SYM => assert_eq!(a.sym_at(i), b.sym_at(i), "{what} row {i}"),
                RAY_STR => assert_eq!(a.str_at(i), b.str_at(i), "{what} row {i}"),
                _ => {}
            }
        }
        if !matches!(a.type_, RAY_SYM | RAY_STR) {
            assert_eq!(a.vec_bytes(), b.vec_bytes(), "{what}");
        }
    }

    #[test]
    fn the_fast_path_gives_what_the_general_path_gives() {
        for (rows, crlf_every, last_terminated) in [(200, 3, true), (200, 1, false), (40_000, 5, false), (1, 2, true)] {
            let bytes = file(rows, crlf_every, last_terminated);
            let body = bytes.iter().position(|&c| c == b'\n').unwrap() + 1;
            let names: Vec<Vec<u8>> = (0..TYPES.len()).map(|c| vec![b'a' + c as u8]).collect();
            for threads in [1, 2] {
                let mut layout = Layout::scan(&bytes, b',', names.clone(), body, threads).unwrap();
                assert!(layout.plain);
                assert_eq!(layout.rows, rows);
                let fast = parse(&bytes, &layout, 0..layout.rows, &TYPES, threads, &|_| ()).unwrap();
                layout.plain = false;
                let general = parse(&bytes, &layout, 0..layout.rows, &TYPES, threads, &|_| ()).unwrap();
                for (c, (f, g)) in fast.iter().zip(&general).enumerate() {
                    same_column(f, g, &format!("rows {rows} threads {threads} column {c} ({:?})", TYPES[c]));
                }
            }
        }
    }
}
