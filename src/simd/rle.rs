//! AVX-512 kernels of the wire compression (wire.md §5), driven by
//! `codec::compress`: the dense-region encoder (64 payload positions per
//! step with byte permutes and the VBMI2 byte compress/expand), and the
//! decoder's two passes (`expand_deltas`: tokens to deltas with 64-byte
//! stores; `undelta_blocks`: running sums 64 bytes at a time).
//!
//! The encoder: the encoded stream is, position by position, a control
//! byte where a token starts and the position's delta where the position
//! is a literal byte or the first byte of a run. So a block's output is
//! the byte compaction of its (control, delta) pairs under two masks. The
//! token starts are the bitmap starts of `token_starts`, plus a new literal
//! start 128 positions into a longer literal; a run longer than 127 goes
//! back to the portable encoder. A control byte is its token's length
//! (negated for a literal): the distance to the next start, computed for
//! all starts of a block at once from the compacted list of start lanes;
//! the block's last token is patched once the next start is seen.

use crate::codec::compress::token_starts;

/// Where the dense encoder stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum DenseExit {
    /// Everything before payload position `pos` is written (`o` output
    /// bytes); a token starts at `pos` (a run when `run`), none of it
    /// written yet. `pos` is the `start` given when nothing could be done.
    At { pos: usize, o: usize, run: bool },
    /// The output does not fit the buffer.
    Full,
}

/// Whether this CPU runs the kernels of this module. Checked once: the
/// kernels ask on every call (the encoder may call per 64 payload bytes).
pub fn available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vbmi")
                && std::arch::is_x86_feature_detected!("avx512vbmi2")
                && std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("popcnt")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// Encodes from `start`, a token start (a run when `run`) with every byte
/// before it already in `out[..o]`, while no run is longer than 127, the
/// payload's end is more than a block away and the output has room for
/// 128 more bytes; then hands the open token back unwritten. Does nothing
/// (returns `At { pos: start, .. }`) on a CPU without the instructions.
pub fn encode_dense(p: &[u8], start: usize, run: bool, out: &mut [u8], o: usize) -> DenseExit {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has every feature `dense` is compiled for (just
        // checked); `dense` checks its own memory bounds.
        return unsafe { x86::dense(p, start, run, out, o) };
    }
    DenseExit::At { pos: start, o, run }
}

/// Expands the tokens of `stream` from `s` into deltas at `out[o..]`
/// (runs as repeated bytes, literals copied) until `o` reaches `until` or
/// fewer than 129 stream bytes or 128 output bytes remain; returns the new
/// `(s, o)`. Writes up to 128 bytes past the final `o` (later tokens
/// overwrite them). Returns `(s, o)` unchanged on a CPU without AVX-512.
pub fn expand_deltas(stream: &[u8], s: usize, out: &mut [u8], o: usize, until: usize) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has the features `expand` is compiled for (just
        // checked); `expand` checks its own memory bounds.
        return unsafe { x86::expand(stream, s, out, o, until) };
    }
    (s, o)
}

/// Turns the deltas of `d` into values in place, starting from `prev`;
/// returns how many bytes it did (a multiple of 64; 0 on a CPU without
/// AVX-512) and the last value.
pub fn undelta_blocks(d: &mut [u8], prev: u8) -> (usize, u8) {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has the features `undelta` is compiled for (just
        // checked); `undelta` checks its own memory bounds.
        return unsafe { x86::undelta(d, prev) };
    }
    (0, prev)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{DenseExit, token_starts};
    use crate::codec::compress::{MAX_LITERAL, MAX_RUN};
    use std::arch::x86_64::*;

    /// Lane numbers 0..64.
    const IOTA: [u8; 64] = lanes(Pattern::Iota);
    /// Lane k + 1 (lane 63 reads lane 0; it is never a start's successor).
    const NEXT: [u8; 64] = lanes(Pattern::Next);
    /// Interleaves lanes 0..32 of two vectors: a0 b0 a1 b1 ... (indices 64
    /// and up select the second vector).
    const PAIRS_LOW: [u8; 64] = lanes(Pattern::PairsLow);
    /// The same for lanes 32..64.
    const PAIRS_HIGH: [u8; 64] = lanes(Pattern::PairsHigh);
    const EVEN_BITS: u64 = 0x5555_5555_5555_5555;
    const ODD_BITS: u64 = 0xaaaa_aaaa_aaaa_aaaa;

    enum Pattern {
        Iota,
        Next,
        PairsLow,
        PairsHigh,
    }

    const fn lanes(pattern: Pattern) -> [u8; 64] {
        let mut a = [0u8; 64];
        let mut k = 0;
        while k < 64 {
            let i = k as u8;
            a[k] = match pattern {
                Pattern::Iota => i,
                Pattern::Next => (i + 1) & 63,
                Pattern::PairsLow if i.is_multiple_of(2) => i / 2,
                Pattern::PairsLow => 64 + i / 2,
                Pattern::PairsHigh if i.is_multiple_of(2) => 32 + i / 2,
                Pattern::PairsHigh => 96 + i / 2,
            };
            k += 1;
        }
        a
    }

    /// One block of 64 positions at `q`: its run-start bits (bit k: delta
    /// q+k equals delta q+k+1) and its deltas.
    #[derive(Clone, Copy)]
    struct Block {
        runs: u64,
        deltas: __m512i,
    }

    /// Whether `block` may read the block at `q`: p[q-1..q+65] exists, so
    /// no position of it is the payload's last (which never starts a run).
    fn readable(n: usize, q: usize) -> bool {
        q >= 1 && q + 65 <= n
    }

    #[target_feature(enable = "avx512f,avx512bw")]
    fn block(p: &[u8], q: usize) -> Block {
        assert!(readable(p.len(), q));
        // SAFETY: q - 1 + 66 <= p.len() (asserted): the three 64-byte
        // loads at q - 1, q and q + 1 are inside `p`.
        let (before, at, after) = unsafe {
            let b = p.as_ptr().add(q - 1);
            (
                _mm512_loadu_si512(b.cast()),
                _mm512_loadu_si512(b.add(1).cast()),
                _mm512_loadu_si512(b.add(2).cast()),
            )
        };
        let deltas = _mm512_sub_epi8(at, before);
        let next = _mm512_sub_epi8(after, at);
        Block { runs: _mm512_cmpeq_epi8_mask(deltas, next), deltas }
    }

    #[inline(always)]
    fn load(a: &[u8; 64]) -> __m512i {
        // SAFETY: a 64-byte load from a 64-byte array.
        unsafe { _mm512_loadu_si512(a.as_ptr().cast()) }
    }

    /// See `super::expand_deltas`.
    ///
    /// # Safety
    /// The CPU must have every feature this function is compiled for.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn expand(stream: &[u8], mut s: usize, out: &mut [u8], mut o: usize, until: usize) -> (usize, usize) {
        while o < until && o + 128 <= out.len() && s + 129 <= stream.len() {
            let c = stream[s] as i8;
            // SAFETY: stream[s..s + 129] and out[o..o + 128] are inside the
            // slices (loop condition); every load and store stays in them.
            unsafe {
                let src = stream.as_ptr().add(s + 1);
                let dst = out.as_mut_ptr().add(o);
                if c > 0 {
                    // Short runs (most of them) take one 16-byte store.
                    if c <= 16 {
                        _mm_storeu_si128(dst.cast(), _mm_set1_epi8(*src as i8));
                    } else {
                        let run = _mm512_set1_epi8(*src as i8);
                        _mm512_storeu_si512(dst.cast(), run);
                        if c > 64 {
                            _mm512_storeu_si512(dst.add(64).cast(), run);
                        }
                    }
                    s += 2;
                    o += c as usize;
                } else {
                    let len = (c as i16).unsigned_abs() as usize;
                    if len <= 16 {
                        _mm_storeu_si128(dst.cast(), _mm_loadu_si128(src.cast()));
                    } else {
                        _mm512_storeu_si512(dst.cast(), _mm512_loadu_si512(src.cast()));
                        if len > 64 {
                            _mm512_storeu_si512(dst.add(64).cast(), _mm512_loadu_si512(src.add(64).cast()));
                        }
                    }
                    s += 1 + len;
                    o += len;
                }
            }
        }
        (s, o)
    }

    /// See `super::undelta_blocks`. Per 64 bytes: running sums inside each
    /// 8-byte word by three shifted adds, then each word gets the sum of
    /// the words before it (their last bytes, summed across words the same
    /// way) and the value carried from the block before.
    ///
    /// # Safety
    /// The CPU must have every feature this function is compiled for.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) unsafe fn undelta(d: &mut [u8], prev: u8) -> (usize, u8) {
        // Shuffle indices (within 16-byte lanes) of each word's last byte.
        let (low, high) = (0x0707_0707_0707_0707, 0x0f0f_0f0f_0f0f_0f0f);
        let last_of_word = _mm512_set_epi64(high, low, high, low, high, low, high, low);
        let last_byte = _mm512_set1_epi8(63);
        let word_before = _mm512_set_epi64(6, 5, 4, 3, 2, 1, 0, 0);
        let two_before = _mm512_set_epi64(5, 4, 3, 2, 1, 0, 0, 0);
        let four_before = _mm512_set_epi64(3, 2, 1, 0, 0, 0, 0, 0);
        let mut carry = _mm512_set1_epi8(prev as i8);
        let blocks = d.len() / 64;
        for b in 0..blocks {
            // SAFETY: 64 * (b + 1) <= d.len(): the block is inside `d`.
            let p = unsafe { d.as_mut_ptr().add(64 * b) };
            // SAFETY: p..p + 64 is inside `d` (above).
            let mut x = unsafe { _mm512_loadu_si512(p.cast()) };
            x = _mm512_add_epi8(x, _mm512_slli_epi64(x, 8));
            x = _mm512_add_epi8(x, _mm512_slli_epi64(x, 16));
            x = _mm512_add_epi8(x, _mm512_slli_epi64(x, 32));
            // Word sums spread over their words, then summed over words.
            let mut w = _mm512_shuffle_epi8(x, last_of_word);
            w = _mm512_add_epi8(w, _mm512_maskz_permutexvar_epi64(0xfe, word_before, w));
            w = _mm512_add_epi8(w, _mm512_maskz_permutexvar_epi64(0xfc, two_before, w));
            w = _mm512_add_epi8(w, _mm512_maskz_permutexvar_epi64(0xf0, four_before, w));
            // Words before this one only.
            let before = _mm512_maskz_permutexvar_epi64(0xfe, word_before, w);
            x = _mm512_add_epi8(x, _mm512_add_epi8(before, carry));
            // SAFETY: as the load.
            unsafe { _mm512_storeu_si512(p.cast(), x) };
            carry = _mm512_permutexvar_epi8(last_byte, x);
        }
        let last = _mm_cvtsi128_si32(_mm512_castsi512_si128(carry)) as u8;
        (64 * blocks, last)
    }

    /// The token whose control byte is written but whose length is not
    /// known yet (its end lies past the blocks written so far).
    #[derive(Clone, Copy)]
    struct Open {
        start: usize,
        run: bool,
        /// Where its control byte sits in the output.
        at: usize,
    }

    /// See `super::encode_dense`.
    ///
    /// # Safety
    /// The CPU must have every feature this function is compiled for.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi1,bmi2,popcnt")]
    pub(super) unsafe fn dense(p: &[u8], start: usize, run: bool, out: &mut [u8], o: usize) -> DenseExit {
        let n = p.len();
        let mut q = start & !63;
        if q < 64 || !readable(n, q - 64) || !readable(n, q) {
            return DenseExit::At { pos: start, o, run };
        }
        let (iota, next_lane) = (load(&IOTA), load(&NEXT));
        let (pairs_low, pairs_high) = (load(&PAIRS_LOW), load(&PAIRS_HIGH));
        let mut lanes = !0u64 << (start - q);
        let mut prev = block(p, q - 64).runs;
        let mut o = o;
        // The entry token is written by the first block like any start.
        let mut open = Open { start, run, at: o };
        while readable(n, q) && o + 128 <= out.len() {
            let cur = block(p, q);
            let mut starts = token_starts(cur.runs, prev) & lanes;
            let open_len = q + (starts.trailing_zeros() as usize).min(64) - open.start;
            if open.run && open_len > MAX_RUN {
                // A run longer than a control byte says: the portable
                // encoder splits it.
                break;
            }
            if !open.run && open_len > MAX_LITERAL {
                // A literal longer than a control byte says goes on as a new
                // literal 128 positions on (inside this block: the block
                // before had no room for it).
                starts |= 1 << (open.start + MAX_LITERAL - q);
            }
            let in_run = cur.runs | (cur.runs << 1) | (prev >> 63);
            // Control bytes: each start's distance to the next start (the
            // last start's byte is patched once its end is known).
            let start_lanes = _mm512_maskz_compress_epi8(starts, iota);
            let lengths = _mm512_sub_epi8(_mm512_permutexvar_epi8(next_lane, start_lanes), start_lanes);
            let literal_starts = !_pext_u64(in_run, starts);
            let signed = _mm512_mask_sub_epi8(lengths, literal_starts, _mm512_setzero_si512(), lengths);
            let control = _mm512_maskz_expand_epi8(starts, signed);
            // Which of each position's (control, delta) pair is written.
            let delta_mask = (!in_run | starts) & lanes;
            let block_o = o;
            for (half, pairs) in [(0, pairs_low), (32, pairs_high)] {
                let c = (starts >> half) & 0xffff_ffff;
                let d = (delta_mask >> half) & 0xffff_ffff;
                let keep = _pdep_u64(c, EVEN_BITS) | _pdep_u64(d, ODD_BITS);
                let bytes = _mm512_maskz_compress_epi8(keep, _mm512_permutex2var_epi8(control, pairs, cur.deltas));
                // SAFETY: o + 64 <= out.len(): o was at most out.len() - 128
                // before this block, and the first half wrote at most 64.
                unsafe { _mm512_storeu_si512(out.as_mut_ptr().add(o).cast(), bytes) };
                o += keep.count_ones() as usize;
            }
            if starts != 0 {
                // The open token ends at this block's first start (unless it
                // is the entry token, written by this block).
                let len = (q + starts.trailing_zeros() as usize - open.start) as u8;
                if len != 0 {
                    out[open.at] = if open.run { len } else { len.wrapping_neg() };
                }
                let last = 63 - starts.leading_zeros() as usize;
                let below = (1u64 << last) - 1;
                let written_before = (starts & below).count_ones() + (delta_mask & below).count_ones();
                open = Open { start: q + last, run: (in_run >> last) & 1 == 1, at: block_o + written_before as usize };
            }
            prev = cur.runs;
            q += 64;
            lanes = !0;
        }
        // Hand the open token back unwritten: everything before its control
        // byte is final.
        DenseExit::At { pos: open.start, o: open.at, run: open.run }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_data_goes_through_the_vector_encoder_where_the_cpu_has_it() {
        if !available() {
            eprintln!("skipped: this CPU lacks AVX-512 VBMI2 (the portable encoder is tested in tests/codec_compress.rs)");
            return;
        }
        // Little-endian i64 0..300: element k < 256 has the deltas k, -k and
        // six zeros, so its tokens are the literal `fe k -k` and the run `06 00`.
        let p: Vec<u8> = (0..300i64).flat_map(|x| x.to_le_bytes()).collect();
        let mut out = vec![0u8; p.len()];
        let DenseExit::At { pos, o, .. } = encode_dense(&p, 8 * 20, false, &mut out, 0) else {
            panic!("the output buffer is large enough")
        };
        assert!(pos >= 8 * 200, "stopped early at {pos}");
        assert!(o >= 5 * 100, "wrote {o} bytes");
        for k in 20..120u8 {
            let at = 5 * (k as usize - 20);
            assert_eq!(out[at..at + 5], [0xfe, k, k.wrapping_neg(), 6, 0], "element {k}");
        }
    }
}
