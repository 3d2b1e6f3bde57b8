//! Payload compression (wire.md §5): a byte-wise delta (`d[0] = p[0]`,
//! `d[i] = p[i] - p[i-1]`) followed by a run-length code over the deltas:
//! a control byte `c` in 1..=127 repeats the next byte `c` times; a control
//! byte `-len` (len 1..=128) is followed by `len` literal bytes. The
//! encoder reproduces the reference's choices exactly (runs start wherever
//! two equal deltas meet, literals stop before a run or at 128 bytes).
//!
//! Speed: the encoder never materialises the deltas to find tokens. A run
//! starts at `j` exactly when `2 p[j] == p[j+1] + p[j-1]`, so run starts
//! are computed as bitmaps (64 positions at a time, byte-parallel
//! compares) and each token is one or two bit scans; token bytes far from
//! the ends are written as fixed 16-byte blocks. Where the CPU has AVX-512,
//! dense regions go to `simd::rle`, which writes 64 positions per step.
//! The decoder expands tokens into deltas with fixed-size stores, then
//! turns them into values in place a cache-sized chunk at a time.

use super::limits::{COMPRESS_THRESHOLD, MAX_DECOMPRESSED, MAX_EXPANSION};
use crate::core::{RayError, Result, alloc};
use crate::simd::{self, rle::DenseExit};

/// Longest run one control byte can say.
pub(crate) const MAX_RUN: usize = 127;
/// Longest literal block one control byte can say.
pub(crate) const MAX_LITERAL: usize = 128;

/// Multiplying a word whose bytes are each 0 or 1 by this gathers byte k
/// into bit 56 + k (the partial products never overlap, so no carries).
const GATHER: u64 = 0x0102_0408_1020_4080;

/// Run-start bits of the 64 payload positions `q..q + 64` given
/// `a = p[q - 1..q + 65]`: bit k says `d[q+k] == d[q+k+1]`, that is
/// `2 p[j] == p[j+1] + p[j-1]` (mod 256) for `j = q + k`.
#[inline(always)]
fn block_bits(a: &[u8; 66]) -> u64 {
    let (before, at, after) = (&a[..64], &a[1..65], &a[2..]);
    let mut eq = [0u8; 64];
    for k in 0..64 {
        eq[k] = (at[k].wrapping_add(at[k]) == after[k].wrapping_add(before[k])) as u8;
    }
    let mut bits = 0u64;
    for (c, chunk) in eq.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        bits |= (w.wrapping_mul(GATHER) >> 56) << (8 * c);
    }
    bits
}

/// Run-start bits of positions `q..q + 64` one at a time, with every edge
/// rule: `p[-1]` reads as 0 and positions from `n - 1` on never start a run.
fn edge_bits(p: &[u8], q: usize) -> u64 {
    let n = p.len();
    let mut bits = 0u64;
    for k in 0..64 {
        let j = q + k;
        if j + 1 >= n {
            break;
        }
        let before = if j == 0 { 0 } else { p[j - 1] };
        if p[j].wrapping_add(p[j]) == p[j + 1].wrapping_add(before) {
            bits |= 1 << k;
        }
    }
    bits
}

/// Run-start bits of the 64 positions from `q`, with a marker bit at
/// position `n` (the end acts as one more run start).
fn run_start_word(p: &[u8], q: usize) -> u64 {
    let n = p.len();
    let mut bits = match p.get(q.wrapping_sub(1)..q + 65) {
        Some(a) if q >= 1 => block_bits(a.try_into().unwrap_or(&[0; 66])),
        _ if q > n => 0,
        _ => edge_bits(p, q),
    };
    if (q..q + 64).contains(&n) {
        bits |= 1 << (n - q);
    }
    bits
}

/// Token starts of one word of `e` (given the word before it), ignoring
/// the 127/128 caps: a run starts where a block of run-start bits begins;
/// a run swallows the position after its block, and when that position is
/// followed by one that starts no run, a literal starts there.
#[inline(always)]
pub(crate) fn token_starts(e: u64, before: u64) -> u64 {
    let e1 = (e << 1) | (before >> 63); // bit j: e[j - 1]
    let e2 = (e << 2) | (before >> 62); // bit j: e[j - 2]
    (e & !e1) | (e2 & !e1 & !e)
}

#[inline(always)]
fn delta(p: &[u8], k: usize) -> u8 {
    if k == 0 { p[0] } else { p[k].wrapping_sub(p[k - 1]) }
}

/// The encoder state: the output written so far and the open token (its
/// start `s` and whether it is a run), which ends at the next token start.
struct Encoder<'a> {
    p: &'a [u8],
    out: &'a mut [u8],
    o: usize,
    s: usize,
    run: bool,
}

impl Encoder<'_> {
    /// A token start at `t` (`t_run`: a run starts there): closes the open
    /// token, applying the caps. A capped run that leaves one position makes
    /// it a literal, which goes on past literal starts to the next run start.
    fn step(&mut self, t: usize, t_run: bool) -> Option<()> {
        if self.run {
            let mut len = t - self.s;
            while len > MAX_RUN {
                self.put_run(self.s, MAX_RUN)?;
                self.s += MAX_RUN;
                len -= MAX_RUN;
            }
            if len >= 2 {
                self.put_run(self.s, len)?;
                self.s = t;
                self.run = t_run;
                return Some(());
            }
            self.run = false;
        }
        if !t_run {
            return Some(());
        }
        let mut len = t - self.s;
        while len > MAX_LITERAL {
            self.put_literal(self.s, MAX_LITERAL)?;
            self.s += MAX_LITERAL;
            len -= MAX_LITERAL;
        }
        self.put_literal(self.s, len)?;
        self.s = t;
        self.run = true;
        Some(())
    }

    fn put_run(&mut self, s: usize, len: usize) -> Option<()> {
        let t = self.out.get_mut(self.o..self.o + 2)?;
        t[0] = len as u8;
        t[1] = delta(self.p, s);
        self.o += 2;
        Some(())
    }

    fn put_literal(&mut self, s: usize, len: usize) -> Option<()> {
        let t = self.out.get_mut(self.o..self.o + 1 + len)?;
        t[0] = (len as u8).wrapping_neg();
        for (k, b) in t[1..].iter_mut().enumerate() {
            *b = delta(self.p, s + k);
        }
        self.o += 1 + len;
        Some(())
    }
}

/// Payload bytes before a word's first position that the fast path reads
/// (an open token starts at most 127 positions back, plus its delta base).
const FAST_BACK: usize = MAX_RUN + 1;
/// The payload window of a fast word: `p[pos - FAST_BACK..][..FAST_P]`.
/// Indices into it stay below 256 (see `fast_word`); 17 more for a block.
const FAST_P: usize = 256 + 17;
/// The output window of a fast word: tokens ending in one word write at
/// most 64 positions + 127 back + 64 control bytes < 256, then a block of
/// up to 129 bytes past the last start.
const FAST_O: usize = 256 + MAX_LITERAL + 1;

/// `step` for the starts of one word (at `pos`, run-start bits `ew`) where
/// the payload window `pw` and the output window `ow` hold everything the
/// tokens can touch: each token is a couple of bit operations and one
/// fixed-size write of the control byte and 16 deltas (window indices are
/// masked to 255, which never changes them, so no bounds checks remain).
/// Stops at a start that needs a cap or continues a literal; returns the
/// starts left (the lowest is the one to hand to `step`; 0 when done) and
/// the bytes written. `open` is the open token (start, is a run). Kept out
/// of line: on its own the loop keeps all its state in registers.
#[inline(never)]
fn fast_word(open: &mut (usize, bool), pos: usize, ew: u64, mut starts: u64, pw: &[u8; FAST_P], ow: &mut [u8; FAST_O]) -> (u64, usize) {
    let p0 = pos - FAST_BACK;
    // Positions relative to the payload window; `run` as 0/1 so the
    // control byte and the output advance are arithmetic, not branches.
    let mut s = open.0.wrapping_sub(p0);
    let mut run = open.1 as usize;
    let mut ro = 0usize;
    while starts != 0 {
        let bit = starts.trailing_zeros() as usize;
        let t = bit + FAST_BACK;
        let t_run = ((ew >> bit) & 1) as usize;
        let len = t.wrapping_sub(s);
        if len > MAX_RUN || (run | t_run) == 0 {
            break;
        }
        starts &= starts - 1;
        // Here s >= t - 127 >= 1: p[s - 1..s + 16] and out[o..o + 17] are
        // inside the windows, and masking the indices changes nothing.
        let pi = s.wrapping_sub(1) & 255;
        let oi = ro & 255;
        let literal = run ^ 1;
        let lit_mask = literal.wrapping_neg();
        // A run says len; a literal -len (two's complement: !len + 1).
        ow[oi] = ((len ^ lit_mask).wrapping_add(literal)) as u8;
        ow[oi + 1..oi + 17].copy_from_slice(&deltas_block(pw, pi));
        if len & lit_mask > 16 {
            let mut k = 16;
            while k < len {
                let ok = (oi + k) & 255;
                ow[ok + 1..ok + 17].copy_from_slice(&deltas_block(pw, (pi + k) & 255));
                k += 16;
            }
        }
        ro += 1 + (len & lit_mask) + run;
        s = t;
        run = t_run;
    }
    *open = (p0.wrapping_add(s), run == 1);
    (starts, ro)
}

/// The 16 deltas `w[i+1] - w[i]` of the window bytes at `i..i + 17`.
#[inline(always)]
fn deltas_block(w: &[u8; FAST_P], i: usize) -> [u8; 16] {
    let src: &[u8; 17] = w[i..i + 17].try_into().unwrap_or(&[0; 17]);
    let mut d = [0u8; 16];
    for k in 0..16 {
        d[k] = src[k + 1].wrapping_sub(src[k]);
    }
    d
}

/// Writes the compressed stream of `p` into `out`; None when it does not
/// fit (the caller's "not smaller" rule is the size of `out`).
///
/// Token starts are computed as bitmaps a word of 64 positions at a time
/// (`token_starts`), so tokens are walked by popping set bits; the 127/128
/// caps are applied when a gap between starts exceeds them. Dense regions
/// go to the vector encoder (`simd::rle`) where the CPU has it.
pub fn compress_into(p: &[u8], out: &mut [u8]) -> Option<usize> {
    encode_stream(p, out, simd::rle::available())
}

/// `compress_into` without the vector encoder (the path of CPUs without
/// AVX-512), for tests and benchmarks on CPUs that have it.
#[doc(hidden)]
pub fn compress_into_portable(p: &[u8], out: &mut [u8]) -> Option<usize> {
    encode_stream(p, out, false)
}

fn encode_stream(p: &[u8], out: &mut [u8], vector: bool) -> Option<usize> {
    let n = p.len();
    if n == 0 {
        return Some(0);
    }
    let mut enc = Encoder { p, out, o: 0, s: 0, run: false };
    let mut before = 0u64;
    let mut pos = 0usize;
    // Starts at or below this position are already written (after the
    // vector encoder stopped in the middle of a word).
    let mut written_to: Option<usize> = None;
    while pos <= n {
        let ew = run_start_word(p, pos);
        let mut starts = token_starts(ew, before);
        before = ew;
        if pos == 0 {
            enc.run = ew & 1 == 1;
            starts &= !1; // position 0 opens the first token
        }
        if let Some(at) = written_to.take() {
            starts &= !0u64 << (at - pos) << 1;
        }
        // The payload window of the fast path, when this word has one.
        let pw: Option<&[u8; FAST_P]> =
            pos.checked_sub(FAST_BACK).and_then(|b| p.get(b..b + FAST_P)).and_then(|w| w.try_into().ok());
        // The word's first start may hand over to the vector encoder.
        let mut try_vector = vector;
        while starts != 0 {
            let o = enc.o;
            let ow = enc.out.get_mut(o..o + FAST_O).and_then(|w| <&mut [u8; FAST_O]>::try_from(w).ok());
            if let (false, Some(pw), Some(ow)) = (try_vector, pw, ow) {
                let mut open = (enc.s, enc.run);
                let (left, wrote) = fast_word(&mut open, pos, ew, starts, pw, ow);
                (enc.s, enc.run, enc.o, starts) = (open.0, open.1, o + wrote, left);
                if starts == 0 {
                    break;
                }
            }
            let bit = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let (t, t_run) = (pos + bit, (ew >> bit) & 1 == 1);
            enc.step(t, t_run)?;
            if t == n {
                return Some(enc.o);
            }
            if std::mem::take(&mut try_vector) && enc.s == t && enc.run == t_run {
                match simd::rle::encode_dense(p, t, t_run, enc.out, enc.o) {
                    DenseExit::Full => return None,
                    DenseExit::At { pos: at, o, run } if at > t => {
                        (enc.s, enc.run, enc.o) = (at, run, o);
                        // Resume in the word of `at`, after it.
                        pos = at & !63;
                        before = run_start_word(p, pos - 64);
                        written_to = Some(at);
                        break;
                    }
                    DenseExit::At { .. } => {}
                }
            }
        }
        if written_to.is_none() {
            pos += 64;
        }
    }
    Some(enc.o)
}

/// The reference sender's rule: compress only payloads over 2000 bytes and
/// only when `stream + 4 < n`. Returns the stream (without the size prefix).
pub fn compress(payload: &[u8]) -> Option<Vec<u8>> {
    compress_with_room(payload, 0)
}

/// `compress`, with the stream written after `room` zero bytes of the
/// returned buffer (where a frame puts its header and size prefix, so the
/// stream is never copied).
pub fn compress_with_room(payload: &[u8], room: usize) -> Option<Vec<u8>> {
    let n = payload.len();
    if n <= COMPRESS_THRESHOLD {
        return None;
    }
    // The stream must stay below n - 4 bytes.
    let mut out = alloc::zeroed_bytes(room + n - 5);
    let len = compress_into(payload, &mut out[room..])?;
    out.truncate(room + len);
    Some(out)
}

fn malformed(msg: &str) -> RayError {
    RayError::domain(format!("compressed stream: {msg}"))
}

const EVEN_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
const LANES16: u64 = 0x0001_0001_0001_0001;
const EVERY_BYTE: u64 = 0x0101_0101_0101_0101;

/// Running sums (mod 256) of the 8 deltas in `x` (byte 0 first), from 0.
/// The even and odd bytes are summed separately in 16-bit lanes (a
/// multiply by 1+2^16+2^32+2^48 adds every lane into those above it; sums
/// stay below 2^16, so no lane carries into the next), then each byte is
/// the low byte of its lane: even byte 2j = E[j] + O[j-1], odd byte
/// 2j+1 = E[j] + O[j].
#[inline(always)]
fn prefix8(x: u64) -> u64 {
    let sum_even = (x & EVEN_BYTES).wrapping_mul(LANES16);
    let sum_odd = ((x >> 8) & EVEN_BYTES).wrapping_mul(LANES16);
    ((sum_even + (sum_odd << 16)) & EVEN_BYTES) | (((sum_even + sum_odd) & EVEN_BYTES) << 8)
}

/// Adds `b` to every byte of `a`, mod 256 per byte.
#[inline(always)]
fn add_to_bytes(a: u64, b: u8) -> u64 {
    let bb = b as u64 * EVERY_BYTE;
    let even = (a & EVEN_BYTES) + (bb & EVEN_BYTES);
    let odd = ((a >> 8) & EVEN_BYTES) + (bb & EVEN_BYTES);
    (even & EVEN_BYTES) | ((odd & EVEN_BYTES) << 8)
}

/// Turns deltas into values in place, starting from `prev` (the value
/// before `d[0]`); returns the last value. Words of 8 are summed on their
/// own; only their last bytes chain from word to word.
fn undelta_in_place(d: &mut [u8], mut prev: u8) -> u8 {
    let mut words = d.chunks_exact_mut(8);
    for w in &mut words {
        let local = prefix8(u64::from_le_bytes((&*w).try_into().unwrap_or([0; 8])));
        w.copy_from_slice(&add_to_bytes(local, prev).to_le_bytes());
        prev = prev.wrapping_add((local >> 56) as u8);
    }
    for b in words.into_remainder() {
        prev = prev.wrapping_add(*b);
        *b = prev;
    }
    prev
}

/// Output bytes the block path may write for one token (a 127 run or a
/// 128 literal, in 16-byte blocks), and stream bytes it may read.
const DFAST_OUT: usize = 128;
const DFAST_IN: usize = 1 + MAX_LITERAL;
/// Deltas expanded before they are summed in place (while in L1).
const UNDELTA_CHUNK: usize = 8 * 1024;

/// Expands the token at `stream[s]` into deltas at `out[o..]` in 16-byte
/// blocks (writing up to 128 bytes); the caller guarantees 129 stream bytes
/// and 128 output bytes. Returns the positions after it.
#[inline(always)]
fn expand_token(stream: &[u8], s: usize, out: &mut [u8], o: usize) -> (usize, usize) {
    let sw: &[u8; DFAST_IN] = stream[s..s + DFAST_IN].try_into().unwrap_or(&[0; DFAST_IN]);
    let Ok(ow) = <&mut [u8; DFAST_OUT]>::try_from(&mut out[o..o + DFAST_OUT]) else { return (s, o) };
    let c = sw[0] as i8;
    if c > 0 {
        let cnt = c as usize;
        let fill = [sw[1]; 16];
        let mut k = 0;
        while k < cnt {
            ow[k & 112..(k & 112) + 16].copy_from_slice(&fill);
            k += 16;
        }
        (s + 2, o + cnt)
    } else {
        let cnt = (c as i16).unsigned_abs() as usize;
        let lit = &sw[1..];
        let mut k = 0;
        while k < cnt {
            let k7 = k & 112;
            ow[k7..k7 + 16].copy_from_slice(&lit[k7..k7 + 16]);
            k += 16;
        }
        (s + 1 + cnt, o + cnt)
    }
}

/// Decompresses `stream` into exactly `out.len()` bytes (bytes left in the
/// stream after that are ignored). Errors (`domain`): the stream ends early
/// or a block would overrun the output.
///
/// Far from both ends, tokens are expanded into deltas with fixed 16-byte
/// blocks (the excess is overwritten by the next token), and every 8 KiB of
/// deltas is summed in place while it is still in cache; the ends go one
/// byte at a time with every check.
pub fn decompress_into(stream: &[u8], out: &mut [u8]) -> Result<()> {
    decode_stream(stream, out, true)
}

/// `decompress_into` without the vector expansion (the path of CPUs
/// without AVX-512), for tests on CPUs that have it.
#[doc(hidden)]
pub fn decompress_into_portable(stream: &[u8], out: &mut [u8]) -> Result<()> {
    decode_stream(stream, out, false)
}

fn decode_stream(stream: &[u8], out: &mut [u8], vector: bool) -> Result<()> {
    let size = out.len();
    let (mut s, mut o) = (0usize, 0usize);
    let mut prev = 0u8;
    // out[..summed] holds values, out[summed..o] deltas.
    let mut summed = 0usize;
    let fast = |s: usize, o: usize| o + DFAST_OUT <= size && s + DFAST_IN <= stream.len();
    while fast(s, o) {
        let chunk_end = summed + UNDELTA_CHUNK;
        if vector {
            (s, o) = simd::rle::expand_deltas(stream, s, out, o, chunk_end);
        }
        while o < chunk_end && fast(s, o) {
            (s, o) = expand_token(stream, s, out, o);
        }
        let mut done = 0;
        if vector {
            (done, prev) = simd::rle::undelta_blocks(&mut out[summed..o], prev);
        }
        prev = undelta_in_place(&mut out[summed + done..o], prev);
        summed = o;
    }
    while o < size {
        let c = *stream.get(s).ok_or_else(|| malformed("ends early"))? as i8;
        s += 1;
        if c > 0 {
            let cnt = c as usize;
            let v = *stream.get(s).ok_or_else(|| malformed("ends early"))?;
            s += 1;
            let dst = out.get_mut(o..o + cnt).ok_or_else(|| malformed("run overruns the size"))?;
            for b in dst {
                prev = prev.wrapping_add(v);
                *b = prev;
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
    let mut out = alloc::zeroed_bytes(size);
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
