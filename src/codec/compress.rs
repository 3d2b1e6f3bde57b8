//! Payload compression (wire.md §5): a byte-wise delta (`d[0] = p[0]`,
//! `d[i] = p[i] - p[i-1]`) followed by a run-length code over the deltas:
//! a control byte `c` in 1..=127 repeats the next byte `c` times; a control
//! byte `-len` (len 1..=128) is followed by `len` literal bytes. The
//! encoder reproduces the reference's choices exactly (runs start wherever
//! two equal deltas meet, literals stop before a run or at 128 bytes).
//!
//! Speed: the deltas are computed a chunk at a time into a small buffer
//! that stays in cache, and runs / run starts are found eight bytes at a
//! time with word compares. The decoder undoes RLE and delta in one pass
//! and turns runs of zero deltas (the common case) into fills.

use super::limits::{COMPRESS_THRESHOLD, MAX_DECOMPRESSED, MAX_EXPANSION};
use crate::core::{RayError, Result};

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
/// Longest run one control byte can say.
const MAX_RUN: usize = 127;
/// Longest literal block one control byte can say.
const MAX_LITERAL: usize = 128;
/// Deltas computed per step; a token never looks further ahead than
/// `LOOKAHEAD` bytes, so each chunk is tokenised up to `CHUNK - LOOKAHEAD`
/// and the tail carried over.
const CHUNK: usize = 64 * 1024;
const LOOKAHEAD: usize = MAX_LITERAL + 16;
/// Bytes past a token start the fast path may read (runs: up to 127 + 8;
/// literals: up to 128 + 9; short literal copies: 16).
const FAST_MARGIN: usize = MAX_LITERAL + 16;

/// Index (0..8) of the lowest zero byte of `x`, if any.
#[inline(always)]
fn first_zero_byte(x: u64) -> Option<usize> {
    let z = x.wrapping_sub(LO) & !x & HI;
    (z != 0).then(|| (z.trailing_zeros() / 8) as usize)
}

#[inline(always)]
fn word(d: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(d[at..at + 8].try_into().unwrap_or([0; 8]))
}

/// Output buffer with a hard capacity: writing past it abandons the stream.
struct Sink<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Sink<'_> {
    #[inline(always)]
    fn run(&mut self, count: usize, value: u8) -> Option<()> {
        let o = self.out.get_mut(self.len..self.len + 2)?;
        o[0] = count as u8;
        o[1] = value;
        self.len += 2;
        Some(())
    }

    /// Literal `d[i..j]`; when at most 16 bytes, copies a fixed 16-byte
    /// block (the excess is overwritten by the next token) when it fits.
    #[inline(always)]
    fn short_or_long_literal(&mut self, d: &[u8], i: usize, j: usize) -> Option<()> {
        let n = j - i;
        if n <= 16 {
            if let Some(o) = self.out.get_mut(self.len..self.len + 17) {
                o[0] = (n as u8).wrapping_neg();
                o[1..17].copy_from_slice(&d[i..i + 16]);
                self.len += 1 + n;
                return Some(());
            }
        }
        self.literal(&d[i..j])
    }

    #[inline(always)]
    fn literal(&mut self, bytes: &[u8]) -> Option<()> {
        let n = bytes.len();
        let o = self.out.get_mut(self.len..self.len + 1 + n)?;
        o[0] = (n as u8).wrapping_neg();
        o[1..].copy_from_slice(bytes);
        self.len += 1 + n;
        Some(())
    }
}

/// Tokenises deltas `d[from..]` while a token can start before `stop`.
/// `d` holds every delta up to `d.len()`; `last` says it is the end of the
/// payload (otherwise `stop + LOOKAHEAD <= d.len()`). Returns the position
/// reached, or None when the sink is full.
fn tokenise(d: &[u8], from: usize, stop: usize, last: bool, sink: &mut Sink) -> Option<usize> {
    let n = d.len();
    let mut i = from;
    // Fast region: every read a token can make (up to i + 137) is in
    // bounds, so no end checks; short literals are copied as a fixed block.
    let fast_end = stop.min(n.saturating_sub(FAST_MARGIN));
    while i < fast_end {
        let v = d[i];
        if d[i + 1] == v {
            let splat = LO.wrapping_mul(v as u64);
            let mut run = 2;
            loop {
                let x = word(d, i + run) ^ splat;
                if x != 0 {
                    run += (x.trailing_zeros() / 8) as usize;
                    break;
                }
                run += 8;
                if run >= MAX_RUN {
                    break;
                }
            }
            let run = run.min(MAX_RUN);
            sink.run(run, v)?;
            i += run;
        } else {
            let end = i + MAX_LITERAL;
            let mut j = i + 1;
            loop {
                if let Some(k) = first_zero_byte(word(d, j) ^ word(d, j + 1)) {
                    j += k;
                    break;
                }
                j += 8;
                if j >= end {
                    break;
                }
            }
            let j = j.min(end);
            sink.short_or_long_literal(d, i, j)?;
            i = j;
        }
    }
    while i < stop {
        let v = d[i];
        if i + 1 < n && d[i + 1] == v {
            // A run: extend while equal, up to 127.
            let max = MAX_RUN.min(n - i);
            let mut run = 2;
            let splat = LO.wrapping_mul(v as u64);
            while run + 8 <= max {
                let x = word(d, i + run) ^ splat;
                if x != 0 {
                    run += (x.trailing_zeros() / 8) as usize;
                    break;
                }
                run += 8;
            }
            while run < max && d[i + run] == v {
                run += 1;
            }
            sink.run(run, v)?;
            i += run;
        } else {
            // A literal: up to the next run start (d[j] == d[j+1]) or 128 bytes.
            let end = (i + MAX_LITERAL).min(n);
            let mut j = i + 1;
            loop {
                if j + 9 <= n && j + 8 <= end {
                    if let Some(k) = first_zero_byte(word(d, j) ^ word(d, j + 1)) {
                        j += k;
                        break;
                    }
                    j += 8;
                } else {
                    while j < end && !(j + 1 < n && d[j] == d[j + 1]) {
                        j += 1;
                    }
                    break;
                }
            }
            let j = j.min(end);
            sink.literal(&d[i..j])?;
            i = j;
        }
        debug_assert!(last || i <= stop + LOOKAHEAD);
    }
    Some(i)
}

/// Writes the compressed stream of `p` into `out`; None when it does not
/// fit (the caller's "not smaller" rule is the size of `out`).
pub fn compress_into(p: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut sink = Sink { out, len: 0 };
    let n = p.len();
    if n == 0 {
        return Some(0);
    }
    // `buf` holds the deltas of the payload bytes not yet tokenised, ending
    // at payload offset `filled`; `i` is the next token start within `buf`.
    let mut buf: Vec<u8> = Vec::with_capacity((CHUNK + LOOKAHEAD).min(n));
    let mut filled = 0usize;
    loop {
        let start = buf.len();
        let take = (CHUNK + LOOKAHEAD - start).min(n - filled);
        buf.resize(start + take, 0);
        let src = &p[filled..filled + take];
        let dst = &mut buf[start..];
        if take > 0 {
            dst[0] = if filled == 0 { src[0] } else { src[0].wrapping_sub(p[filled - 1]) };
            for ((d, &a), &b) in dst[1..].iter_mut().zip(&src[1..]).zip(&src[..take - 1]) {
                *d = a.wrapping_sub(b);
            }
        }
        filled += take;
        let last = filled == n;
        let stop = if last { buf.len() } else { buf.len() - LOOKAHEAD };
        let i = tokenise(&buf, 0, stop, last, &mut sink)?;
        if last {
            return Some(sink.len);
        }
        // Carry the untokenised tail (< LOOKAHEAD bytes) to the front.
        buf.drain(..i);
    }
}

/// The reference sender's rule: compress only payloads over 2000 bytes and
/// only when `stream + 4 < n`. Returns the stream (without the size prefix).
pub fn compress(payload: &[u8]) -> Option<Vec<u8>> {
    let n = payload.len();
    if n <= COMPRESS_THRESHOLD {
        return None;
    }
    let mut out = vec![0u8; n - 5];
    let len = compress_into(payload, &mut out)?;
    out.truncate(len);
    Some(out)
}

fn malformed(msg: &str) -> RayError {
    RayError::domain(format!("compressed stream: {msg}"))
}

/// Decompresses `stream` into exactly `out.len()` bytes (bytes left in the
/// stream after that are ignored). Errors (`domain`): the stream ends early
/// or a block would overrun the output.
pub fn decompress_into(stream: &[u8], out: &mut [u8]) -> Result<()> {
    let size = out.len();
    let mut s = 0usize;
    let mut o = 0usize;
    let mut prev = 0u8;
    while o < size {
        let c = *stream.get(s).ok_or_else(|| malformed("ends early"))? as i8;
        s += 1;
        if c > 0 {
            let cnt = c as usize;
            let v = *stream.get(s).ok_or_else(|| malformed("ends early"))?;
            s += 1;
            if o + cnt > size {
                return Err(malformed("run overruns the size"));
            }
            if v == 0 && o + 144 <= size {
                // A fill in whole 16-byte blocks (the excess is overwritten
                // by the next block): no variable-length memset call.
                let block = &mut out[o..o + 144];
                let splat = [prev; 16];
                let mut k = 0;
                while k < cnt {
                    block[k..k + 16].copy_from_slice(&splat);
                    k += 16;
                }
                o += cnt;
                continue;
            }
            let dst = &mut out[o..o + cnt];
            if v == 0 {
                dst.fill(prev);
            } else {
                for b in dst {
                    prev = prev.wrapping_add(v);
                    *b = prev;
                }
            }
            o += cnt;
        } else {
            let cnt = (c as i16).unsigned_abs() as usize;
            let src = stream.get(s..s + cnt).ok_or_else(|| malformed("ends early"))?;
            s += cnt;
            let dst = out.get_mut(o..o + cnt).ok_or_else(|| malformed("literal overruns the size"))?;
            for (b, &x) in dst.iter_mut().zip(src) {
                prev = prev.wrapping_add(x);
                *b = prev;
            }
            o += cnt;
        }
    }
    Ok(())
}

/// Decompresses a stream into exactly `size` bytes (1..=256 MiB). The size
/// is checked against what the stream could possibly produce before the
/// output is allocated.
pub fn decompress(stream: &[u8], size: usize) -> Result<Vec<u8>> {
    if size == 0 || size > MAX_DECOMPRESSED {
        return Err(malformed("size out of range"));
    }
    if size / MAX_EXPANSION > stream.len() {
        return Err(malformed("size larger than the stream can produce"));
    }
    let mut out = vec![0u8; size];
    decompress_into(stream, &mut out)?;
    Ok(out)
}

/// The textbook form of the encoder (one byte at a time), kept as the
/// oracle the fast encoder is tested against.
#[doc(hidden)]
pub fn compress_simple(p: &[u8], cap: usize) -> Option<Vec<u8>> {
    let n = p.len();
    let d: Vec<u8> = (0..n).map(|i| if i == 0 { p[0] } else { p[i].wrapping_sub(p[i - 1]) }).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if i + 1 < n && d[i] == d[i + 1] {
            let mut run = 2;
            while run < MAX_RUN && i + run < n && d[i + run] == d[i] {
                run += 1;
            }
            out.push(run as u8);
            out.push(d[i]);
            i += run;
        } else {
            let start = i;
            i += 1;
            while i < n && i - start < MAX_LITERAL && !(i + 1 < n && d[i] == d[i + 1]) {
                i += 1;
            }
            out.push(((i - start) as u8).wrapping_neg());
            out.extend_from_slice(&d[start..i]);
        }
        if out.len() > cap {
            return None;
        }
    }
    Some(out)
}
