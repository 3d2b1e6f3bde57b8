//! Cutting a CSV file into a header and rows: the mapping of the file, the
//! delimiter, the header's fields, the row count and where rows start, and
//! reading one row's fields.
//!
//! Rules (RayforceDB's, with two fixes): the delimiter is TAB when the first
//! line holds more tabs than commas, else comma. A field starting with `"`
//! is quoted: `""` stands for `"`, the next lone `"` closes it, it may span
//! line breaks; text after the closing quote up to the delimiter is kept.
//! A `"` anywhere else is an ordinary character (RayforceDB treats it as a
//! quote and merges the following rows). Rows end at `\n`, `\r\n` or `\r`
//! outside quotes; an unterminated quote is an error naming its line
//! (RayforceDB runs it to the end of the file).
//!
//! The row count and row starts come from one pass over the file: in
//! parallel with `memchr` when the body holds no `"` and no bare `\r`
//! (rows then end at `\n` only), else one sequential quote-aware pass. Every
//! [`STEP`]-th row start is kept, so any row is found after at most
//! `STEP - 1` skipped rows.
//!
//! This module knows nothing of column types or values.

use memchr::{memchr, memchr_iter, memchr3};
use std::ops::Range;

/// Every `STEP`-th row start is remembered.
pub const STEP: usize = 128;

/// A row that cannot be cut: an opening quote without its closing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated {
    /// Byte offset of the opening quote.
    pub at: usize,
}

/// The file's bytes, the header and the rows.
pub struct Layout {
    pub delim: u8,
    /// The header's fields (quoted ones decoded).
    pub names: Vec<Vec<u8>>,
    /// Rows counted.
    pub rows: usize,
    /// The body holds no `"` and no bare `\r`: rows end at `\n` (a `\r`
    /// before it ends the last field) and fields at the delimiter, so
    /// `parse` may take its fused fast path.
    pub plain: bool,
    /// Byte offsets of rows `0, STEP, 2*STEP, ...` (per piece).
    pieces: Vec<Piece>,
}

/// A run of whole rows with its own row marks.
struct Piece {
    first_row: usize,
    rows: usize,
    marks: Vec<usize>,
}

/// Physical line (1-based) of byte offset `at`.
pub fn line_of(bytes: &[u8], at: usize) -> usize {
    1 + memchr_iter(b'\n', &bytes[..at.min(bytes.len())]).count()
}

/// Reads the header line and picks the delimiter. None for an empty file.
pub fn header(bytes: &[u8]) -> Result<(u8, Vec<Vec<u8>>, usize), Unterminated> {
    let first_end = memchr::memchr2(b'\n', b'\r', bytes).unwrap_or(bytes.len());
    let line = &bytes[..first_end];
    let tabs = memchr_iter(b'\t', line).count();
    let commas = memchr_iter(b',', line).count();
    let delim = if tabs > commas { b'\t' } else { b',' };
    let mut names = Vec::new();
    let mut scratch = Vec::new();
    let next = read_row(bytes, 0, delim, &mut scratch, |_, f| names.push(f.to_vec()))?;
    Ok((delim, names, next))
}

/// Reads the row starting at `pos` (`pos < bytes.len()`), calling
/// `field(column, bytes)` for each of its fields in order; returns the start
/// of the next row. Quoted fields are decoded into `scratch`.
#[inline]
pub fn read_row(
    bytes: &[u8],
    pos: usize,
    delim: u8,
    scratch: &mut Vec<u8>,
    mut field: impl FnMut(usize, &[u8]),
) -> Result<usize, Unterminated> {
    let end = bytes.len();
    let mut p = pos;
    let mut col = 0;
    loop {
        let k;
        if p < end && bytes[p] == b'"' {
            scratch.clear();
            let after = unquote(bytes, p, scratch)?;
            k = scan_field(bytes, after, delim);
            scratch.extend_from_slice(&bytes[after..k]);
            field(col, scratch);
        } else {
            k = scan_field(bytes, p, delim);
            field(col, &bytes[p..k]);
        }
        col += 1;
        if k >= end {
            return Ok(end);
        }
        match bytes[k] {
            b'\n' => return Ok(k + 1),
            b'\r' => return Ok(if bytes.get(k + 1) == Some(&b'\n') { k + 2 } else { k + 1 }),
            _ => p = k + 1,
        }
    }
}

/// End of an unquoted field starting at `p`: the next delimiter, CR or LF.
#[inline]
pub fn scan_field(bytes: &[u8], mut p: usize, delim: u8) -> usize {
    while p < bytes.len() {
        let c = bytes[p];
        if c == delim || c == b'\n' || c == b'\r' {
            break;
        }
        p += 1;
    }
    p
}

/// Decodes the quoted field opening at `q` into `out`; returns the offset
/// just past its closing quote.
fn unquote(bytes: &[u8], q: usize, out: &mut Vec<u8>) -> Result<usize, Unterminated> {
    let mut p = q + 1;
    loop {
        let Some(i) = memchr(b'"', &bytes[p..]) else { return Err(Unterminated { at: q }) };
        out.extend_from_slice(&bytes[p..p + i]);
        let close = p + i;
        if bytes.get(close + 1) == Some(&b'"') {
            out.push(b'"');
            p = close + 2;
        } else {
            return Ok(close + 1);
        }
    }
}

/// Start of the row after the one at `pos`, without decoding fields.
fn skip_row(bytes: &[u8], pos: usize, delim: u8) -> Result<usize, Unterminated> {
    let end = bytes.len();
    let mut p = pos;
    loop {
        if p < end && bytes[p] == b'"' {
            p = skip_quoted(bytes, p)?;
        }
        let Some(i) = memchr3(delim, b'\n', b'\r', &bytes[p..]) else { return Ok(end) };
        let k = p + i;
        match bytes[k] {
            b'\n' => return Ok(k + 1),
            b'\r' => return Ok(if bytes.get(k + 1) == Some(&b'\n') { k + 2 } else { k + 1 }),
            _ => p = k + 1,
        }
    }
}

fn skip_quoted(bytes: &[u8], q: usize) -> Result<usize, Unterminated> {
    let mut p = q + 1;
    loop {
        let Some(i) = memchr(b'"', &bytes[p..]) else { return Err(Unterminated { at: q }) };
        let close = p + i;
        if bytes.get(close + 1) == Some(&b'"') {
            p = close + 2;
        } else {
            return Ok(close + 1);
        }
    }
}

impl Layout {
    /// Counts the rows of `bytes[body..]` and marks their starts, on up to
    /// `threads` threads.
    #[cfg(test)]
    pub fn scan(
        bytes: &[u8],
        delim: u8,
        names: Vec<Vec<u8>>,
        body: usize,
        threads: usize,
    ) -> Result<Layout, Unterminated> {
        Layout::scan_releasing(bytes, delim, names, body, threads, &|_| ())
    }

    /// [`Layout::scan`], telling `release` which bytes it has read (so a
    /// mapping's pages can be dropped behind the count).
    pub fn scan_releasing(
        bytes: &[u8],
        delim: u8,
        names: Vec<Vec<u8>>,
        body: usize,
        threads: usize,
        release: &(dyn Fn(Range<usize>) + Sync),
    ) -> Result<Layout, Unterminated> {
        let (pieces, plain) = match count_plain(bytes, body, threads, release) {
            Some(p) => (p, true),
            None => (vec![count_quoted(bytes, body, delim, release)?], false),
        };
        let rows = pieces.iter().map(|p| p.rows).sum();
        Ok(Layout { delim, names, rows, plain, pieces })
    }

    /// Byte offset where row `r` (< rows) starts.
    pub fn row_start(&self, bytes: &[u8], r: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.first_row + p.rows <= r);
        let piece = &self.pieces[i];
        let local = r - piece.first_row;
        let mut pos = piece.marks[local / STEP];
        for _ in 0..local % STEP {
            // Rows were cut once already, so skipping cannot fail.
            pos = skip_row(bytes, pos, self.delim).unwrap_or(bytes.len());
        }
        pos
    }

    /// Rows `range` cut into `k` nearly equal runs, each with its first
    /// row's byte offset.
    pub fn runs(&self, bytes: &[u8], range: Range<usize>, k: usize) -> Vec<(Range<usize>, usize)> {
        let n = range.len();
        let k = k.clamp(1, n.max(1));
        (0..k)
            .map(|i| {
                let a = range.start + n * i / k;
                let b = range.start + n * (i + 1) / k;
                let pos = if a < self.rows { self.row_start(bytes, a) } else { bytes.len() };
                (a..b, pos)
            })
            .collect()
    }
}

/// The parallel count for bodies without `"` or bare `\r`; None when the
/// body holds either (the quote-aware pass must cut it).
fn count_plain(
    bytes: &[u8],
    body: usize,
    threads: usize,
    release: &(dyn Fn(Range<usize>) + Sync),
) -> Option<Vec<Piece>> {
    const CHUNK: usize = 4 << 20;
    let len = bytes.len();
    let mut bounds = vec![body];
    let mut at = body;
    while at < len {
        let guess = (at + CHUNK).min(len);
        let next = if guess >= len { len } else { memchr(b'\n', &bytes[guess..]).map_or(len, |i| guess + i + 1) };
        bounds.push(next);
        at = next;
    }
    let spans: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let counted = crate::ops::par::map_chunks(&spans, threads, |&(s, e)| {
        let c = count_span(bytes, s, e);
        release(s..e);
        c
    });
    let mut pieces = Vec::with_capacity(counted.len());
    let mut first_row = 0;
    for (i, c) in counted.into_iter().enumerate() {
        let (rows, marks) = c?;
        let last = i + 1 == spans.len();
        // A last line without a terminator is a row too.
        let rows = rows + usize::from(last && spans[i].1 > spans[i].0 && bytes[len - 1] != b'\n');
        pieces.push(Piece { first_row, rows, marks });
        first_row += rows;
    }
    Some(pieces)
}

/// Newlines of one span and every STEP-th row start; None when the span
/// holds a `"` or a `\r` not followed by `\n`.
fn count_span(bytes: &[u8], s: usize, e: usize) -> Option<(usize, Vec<usize>)> {
    let span = &bytes[s..e];
    if memchr(b'"', span).is_some() {
        return None;
    }
    if memchr_iter(b'\r', span).any(|i| span.get(i + 1) != Some(&b'\n')) {
        return None;
    }
    let mut marks = vec![s];
    let mut n = 0;
    for i in memchr_iter(b'\n', span) {
        n += 1;
        if n % STEP == 0 {
            marks.push(s + i + 1);
        }
    }
    Some((n, marks))
}

/// The sequential quote-aware count.
fn count_quoted(
    bytes: &[u8],
    body: usize,
    delim: u8,
    release: &(dyn Fn(Range<usize>) + Sync),
) -> Result<Piece, Unterminated> {
    const RELEASE_EVERY: usize = 4 << 20;
    let mut marks = vec![body];
    let mut rows = 0;
    let (mut pos, mut released) = (body, body);
    while pos < bytes.len() {
        pos = skip_row(bytes, pos, delim)?;
        rows += 1;
        if rows % STEP == 0 {
            marks.push(pos);
            if pos - released >= RELEASE_EVERY {
                release(released..pos);
                released = pos;
            }
        }
    }
    Ok(Piece { first_row: 0, rows, marks })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(bytes: &[u8], pos: usize) -> (Vec<String>, usize) {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        let next =
            read_row(bytes, pos, b',', &mut scratch, |_, f| out.push(String::from_utf8_lossy(f).into_owned())).unwrap();
        (out, next)
    }

    #[test]
    fn quoted_fields_decode_and_stray_quotes_are_text() {
        let b = b"\"a,b\",\"x\"\"y\"z,q\"r\n2";
        let (f, next) = fields(b, 0);
        assert_eq!(f, ["a,b", "x\"yz", "q\"r"]);
        assert_eq!(next, 18);
        assert_eq!(read_row(b"\"open,1\n", 0, b',', &mut Vec::new(), |_, _| ()), Err(Unterminated { at: 0 }));
    }

    #[test]
    fn rows_end_at_lf_crlf_and_cr_and_marks_find_them() {
        for body in [&b"h\n1\n2\r\n3\r4\n\n"[..], b"h\n1\n2\n3\n4\n\n", b"h\n1\n2\n3\n4\n\n"] {
            let l = Layout::scan(body, b',', vec![], 2, 2).unwrap();
            assert_eq!(l.rows, 5, "{body:?}");
            let (f, _) = fields(body, l.row_start(body, 3));
            assert_eq!(f, ["4"]);
        }
        let b = b"h\nx\"y\n2";
        let l = Layout::scan(b, b',', vec![], 2, 1).unwrap();
        assert_eq!(l.rows, 2, "a stray quote merges nothing");
    }

    #[test]
    fn many_rows_split_into_runs() {
        let mut b = b"h\n".to_vec();
        for i in 0..1000 {
            b.extend_from_slice(format!("{i}\n").as_bytes());
        }
        let l = Layout::scan(&b, b',', vec![], 2, 2).unwrap();
        assert_eq!(l.rows, 1000);
        for (range, pos) in l.runs(&b, 0..1000, 3) {
            assert_eq!(fields(&b, pos).0, [range.start.to_string()]);
        }
    }
}
