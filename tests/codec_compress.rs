//! Compression (wire.md §5): the encoder reproduces the reference's captured
//! streams byte for byte, agrees with the one-byte-at-a-time oracle on
//! varied data, and the decoder inverts it and rejects malformed streams.

use rayforce::Value;
use rayforce::abi::RAY_I64;
use rayforce::codec::{self, compress};

fn til_payload(n: i64) -> Vec<u8> {
    let v = Value::vec_from_slice(RAY_I64, &(0..n).collect::<Vec<i64>>()).unwrap();
    codec::encode(&v).unwrap()
}

/// A deterministic xorshift generator (no dependency needed).
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn a_1991_char_string_compresses_to_the_captured_stream() {
    let s = vec![b'a'; 1991];
    let payload = codec::encode(&Value::str(&s)).unwrap();
    assert_eq!(payload.len(), 2001);
    let mut want = vec![0xfb, 0xf3, 0x0d, 0xc7, 0x40, 0xf9, 0x05, 0x00, 0xff, 0x61];
    for _ in 0..15 {
        want.extend_from_slice(&[0x7f, 0x00]);
    }
    want.extend_from_slice(&[0x55, 0x00]);
    assert_eq!(codec::compress(&payload).unwrap(), want);
}

#[test]
fn til_10000_compresses_to_the_captured_size_and_prefix() {
    let payload = til_payload(10_000);
    assert_eq!(payload.len(), 80_010);
    let stream = codec::compress(&payload).unwrap();
    assert_eq!(stream.len() + 4, 59_711);
    assert_eq!(
        &stream[..18],
        &[0xfb, 0x05, 0xfb, 0x10, 0x17, 0xd9, 0x0d, 0x00, 0xfe, 0x01, 0xff, 0x06, 0x00, 0xfe, 0x02, 0xfe, 0x06, 0x00]
    );
    assert_eq!(codec::decompress(&stream, payload.len()).unwrap(), payload);
}

#[test]
fn til_one_million_compresses_to_the_captured_size() {
    let payload = til_payload(1_000_000);
    let stream = codec::compress(&payload).unwrap();
    assert_eq!(stream.len() + 4, 6_933_839);
}

#[test]
fn payloads_of_2000_bytes_or_less_are_never_compressed() {
    let s = vec![b'a'; 1990];
    let payload = codec::encode(&Value::str(&s)).unwrap();
    assert_eq!(payload.len(), 2000);
    assert!(codec::compress(&payload).is_none());
    assert!(codec::compress(&[0u8; 2001]).is_some());
}

#[test]
fn random_data_is_sent_uncompressed() {
    assert!(codec::compress(&noise(7, 3210)).is_none());
}

#[test]
fn the_fast_encoder_matches_the_simple_oracle_on_varied_data() {
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![0; 200_000],
        noise(1, 300_000),
        til_payload(50_000),
        (0..250_000u32).map(|i| (i / 3) as u8).collect(),
        (0..250_000u32).map(|i| ((i % 127) * 3) as u8).collect(),
    ];
    // Mixed: runs of every length around the 127 limit, literals around 128.
    let mut mixed = Vec::new();
    let mut r = noise(9, 100_000).into_iter();
    for len in 1..400usize {
        let v = r.next().unwrap();
        mixed.extend(std::iter::repeat_n(v, len % 260));
        mixed.extend(r.by_ref().take(len % 131));
    }
    inputs.push(mixed);
    for (k, p) in inputs.iter().enumerate() {
        let cap = p.len() * 2;
        let fast = {
            let mut out = vec![0u8; cap];
            let n = compress::compress_into(p, &mut out).unwrap();
            out.truncate(n);
            out
        };
        let simple = compress::compress_simple(p, cap).unwrap();
        assert!(fast == simple, "input {k}: fast and oracle streams differ");
        assert_eq!(codec::decompress(&fast, p.len()).unwrap(), *p, "input {k}");
    }
}

#[test]
fn every_short_input_matches_the_oracle() {
    let base = noise(3, 64);
    for n in 0..300usize {
        for pattern in 0..4 {
            let p: Vec<u8> = (0..n)
                .map(|i| match pattern {
                    0 => 0,
                    1 => base[i % 64],
                    2 => if i % 7 < 3 { 5 } else { base[i % 64] },
                    _ => (i * 2) as u8,
                })
                .collect();
            let mut out = vec![0u8; 2 * n + 2];
            let len = compress::compress_into(&p, &mut out).unwrap();
            assert_eq!(out[..len], compress::compress_simple(&p, usize::MAX).unwrap()[..], "n={n} pattern={pattern}");
            if n > 0 {
                assert_eq!(codec::decompress(&out[..len], n).unwrap(), p);
            }
        }
    }
}

#[test]
fn the_decoder_accepts_full_128_byte_literals_and_zero_length_literals() {
    let mut stream = vec![0x80];
    stream.extend(1..=128u8);
    stream.push(0x00);
    stream.extend_from_slice(&[0x03, 0x01]);
    let out = codec::decompress(&stream, 131).unwrap();
    let mut want = Vec::new();
    let mut acc = 0u8;
    for d in (1..=128u8).chain([1, 1, 1]) {
        acc = acc.wrapping_add(d);
        want.push(acc);
    }
    assert_eq!(out, want);
}

#[test]
fn streams_that_end_early_or_overrun_are_refused() {
    assert!(codec::decompress(&[0x05, 0x00], 6).is_err());
    assert!(codec::decompress(&[0x05, 0x00], 4).is_err());
    assert!(codec::decompress(&[0xfd, 1, 2], 3).is_err());
    assert!(codec::decompress(&[0x05], 5).is_err());
    assert!(codec::decompress(&[], 1).is_err());
    // Trailing stream bytes after the announced size are ignored.
    assert_eq!(codec::decompress(&[0x02, 0x07, 0xff, 0xff], 2).unwrap(), vec![7, 14]);
}

#[test]
fn announced_sizes_outside_1_to_256_mib_are_refused_before_allocating() {
    let stream = vec![0x7f, 0x00];
    assert!(codec::decompress(&stream, 0).is_err());
    assert!(codec::decompress(&stream, (256 << 20) + 1).is_err());
    // Far more than two stream bytes could ever produce.
    assert!(codec::decompress(&stream, 200 << 20).is_err());
    assert_eq!(codec::decompress(&stream, 127).unwrap(), vec![0; 127]);
}

/// Runs and literals of every length around the caps (126..=130, 253..=256
/// for runs; 127..=129, 255..=257 for literals), of zero and non-zero
/// deltas, back to back in every order.
fn cap_edges(seed: u64) -> Vec<u8> {
    let mut r = noise(seed, 1 << 20).into_iter().cycle();
    let mut p = Vec::new();
    let mut acc = 0u8;
    let lens = [1usize, 2, 3, 15, 16, 17, 63, 64, 65, 126, 127, 128, 129, 130, 253, 254, 255, 256, 257];
    for (k, &a) in lens.iter().enumerate() {
        for &b in lens.iter().rev().skip(k % 5) {
            // A run of `a` equal deltas (zero or not), then `b` noise bytes.
            let step = if (a + b) % 3 == 0 { 0 } else { r.next().unwrap() };
            for _ in 0..a {
                acc = acc.wrapping_add(step);
                p.push(acc);
            }
            p.extend(r.by_ref().take(b));
            acc = *p.last().unwrap();
        }
    }
    p
}

#[test]
fn runs_and_literals_at_the_caps_match_the_oracle() {
    for seed in 1..4 {
        let p = cap_edges(seed);
        let mut out = vec![0u8; 2 * p.len()];
        let n = compress::compress_into(&p, &mut out).unwrap();
        assert!(out[..n] == compress::compress_simple(&p, usize::MAX).unwrap()[..], "seed {seed}");
        assert_eq!(codec::decompress(&out[..n], p.len()).unwrap(), p, "seed {seed}");
    }
}

#[test]
fn the_encoder_gives_up_exactly_when_the_stream_does_not_fit() {
    for p in [til_payload(3000), cap_edges(5), noise(11, 5000)] {
        let full = compress::compress_simple(&p, usize::MAX).unwrap();
        for cap in [0, 1, full.len() / 2, full.len() - 200, full.len() - 1, full.len(), full.len() + 1, full.len() + 300] {
            let mut out = vec![0u8; cap];
            match compress::compress_into(&p, &mut out) {
                Some(n) => {
                    assert!(cap >= full.len(), "cap {cap} < {}", full.len());
                    assert!(out[..n] == full[..], "cap {cap}");
                }
                None => assert!(cap < full.len(), "cap {cap} >= {}", full.len()),
            }
        }
    }
}

#[test]
fn payloads_of_every_length_round_trip_near_the_block_path_edges() {
    // The encoder's and decoder's block paths must hand over cleanly to
    // the exact paths near both ends, whatever the length.
    let p = cap_edges(7);
    for size in (1..3000).step_by(7).chain((3000..p.len()).step_by(997)).chain([p.len()]) {
        let stream = compress::compress_simple(&p[..size], usize::MAX).unwrap();
        let mut out = vec![0u8; stream.len()];
        assert_eq!(compress::compress_into(&p[..size], &mut out), Some(stream.len()), "size {size}");
        assert!(out == stream, "size {size}");
        assert_eq!(codec::decompress(&stream, size).unwrap(), p[..size], "size {size}");
    }
}

/// Segments of every kind the encoders treat differently, back to back at
/// every alignment: dense integer data (a token every few bytes), runs of
/// equal deltas and literals of lengths around 64, 127/128 and 254/256,
/// and text-like data (sparse short runs).
fn mixed_segments(seed: u64, size: usize) -> Vec<u8> {
    let mut r = noise(seed, 4 * size + 4096).into_iter().cycle();
    let mut next = move || r.next().unwrap() as usize;
    let lens = [1usize, 2, 3, 5, 31, 62, 63, 64, 65, 66, 126, 127, 128, 129, 130, 190, 253, 254, 255, 256, 257, 300];
    let mut p: Vec<u8> = Vec::with_capacity(size + 4096);
    while p.len() < size {
        let len = lens[next() % lens.len()] + next() % 3;
        match next() % 4 {
            0 => {
                let mut x = (next() as i64) << 8;
                for _ in 0..len {
                    x += (next() % 5) as i64;
                    p.extend_from_slice(&x.to_le_bytes());
                }
            }
            1 => {
                let (mut acc, step) = (*p.last().unwrap_or(&0), if next() % 2 == 0 { 0 } else { next() as u8 });
                for _ in 0..len {
                    acc = acc.wrapping_add(step);
                    p.push(acc);
                }
            }
            2 => p.extend((0..len).map(|_| next() as u8)),
            _ => {
                for _ in 0..len / 4 + 1 {
                    p.extend_from_slice(format!("sym{:03}", next() % 120).as_bytes());
                    p.push(0);
                }
            }
        }
    }
    p
}

#[test]
fn both_encoders_match_the_oracle_on_mixed_segments_and_tight_buffers() {
    type Encoder = fn(&[u8], &mut [u8]) -> Option<usize>;
    let encoders: [(&str, Encoder); 2] =
        [("compress_into", compress::compress_into), ("portable", compress::compress_into_portable)];
    for seed in 1..40u64 {
        let p = mixed_segments(seed, 20_000 + 3_000 * seed as usize);
        // Every start offset shifts the data against the 64-byte blocks.
        let p = &p[(seed as usize % 64)..];
        let want = compress::compress_simple(p, usize::MAX).unwrap();
        for decode in [compress::decompress_into, compress::decompress_into_portable] {
            let mut back = vec![0u8; p.len()];
            decode(&want, &mut back).unwrap();
            assert!(back == p, "seed {seed}: a decoder does not invert the stream");
            // One byte short of the stream: a clean error, never a panic.
            assert!(decode(&want[..want.len() - 1], &mut back).is_err(), "seed {seed}: a truncated stream decoded");
        }
        for (name, encode) in encoders {
            for cap in [2 * p.len(), want.len() + 200, want.len() + 1, want.len(), want.len() - 1, want.len() - 130] {
                let mut out = vec![0u8; cap];
                match encode(p, &mut out) {
                    Some(n) => {
                        assert!(cap >= want.len(), "{name} seed {seed} cap {cap}: fitted a longer stream");
                        assert!(out[..n] == want[..], "{name} seed {seed} cap {cap}: streams differ");
                    }
                    None => assert!(cap < want.len(), "{name} seed {seed} cap {cap}: gave up on a stream that fits"),
                }
            }
        }
    }
}
