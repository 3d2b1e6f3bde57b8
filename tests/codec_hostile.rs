//! Hostile input: truncations of every captured payload, random and mutated
//! bytes, huge counts and lengths, deep nesting. Every case must come back
//! as a clean error (or a value that re-encodes stably), never a panic.

use rayforce::codec::{self, DecodeOptions, selfcheck};
#[path = "support/fixtures.rs"]
mod fixtures;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn corpus() -> Vec<Vec<u8>> {
    fixtures::cases_jsonl()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let key = "\"payload_hex\": \"";
            let s = l.find(key).unwrap() + key.len();
            unhex(&l[s..s + l[s..].find('"').unwrap()])
        })
        .collect()
}

const UNRESOLVED: DecodeOptions = DecodeOptions { resolve_builtins: false, max_depth: 512 };

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn every_strict_prefix_of_every_captured_payload_is_a_clean_error() {
    let mut checked = 0;
    for p in corpus() {
        for cut in 0..p.len() {
            match codec::decode_with(&p[..cut], UNRESOLVED) {
                Err(e) => assert!(["domain", "type"].contains(&e.code_str()), "prefix {cut} of {p:02x?}: {e}"),
                // Only an ERROR nested in a container can end a prefix early.
                Ok((v, _)) => assert!(v.is_error(), "prefix {cut} of {p:02x?} decoded to a value"),
            }
            checked += 1;
        }
    }
    assert!(checked > 10_000);
}

#[test]
fn random_bytes_never_panic_and_whatever_decodes_re_encodes_stably() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..50_000 {
        let n = rng.below(64);
        let mut b: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        // Bias the first byte toward valid type bytes so decoding goes deep.
        if n > 0 && rng.below(2) == 0 {
            const TYPES: [u8; 20] = [0, 1, 5, 7, 11, 12, 13, 0x62, 0x63, 0x64, 0x65, 0x7e, 0x7f, 0xff, 0xfb, 0xf4, 0xf3, 0xf5, 0xfa, 0xf8];
            b[0] = TYPES[rng.below(TYPES.len())];
        }
        selfcheck::check_decoder(&b);
    }
}

#[test]
fn mutated_captured_payloads_never_panic() {
    let mut rng = Rng(0xfeed_face_cafe_beef);
    for p in corpus() {
        for _ in 0..40 {
            let mut b = p.clone();
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(b.len());
                b[i] = match rng.below(4) {
                    0 => 0,
                    1 => 0xff,
                    2 => b[i] ^ (1 << rng.below(8)),
                    _ => rng.next() as u8,
                };
            }
            selfcheck::check_decoder(&b);
        }
    }
}

#[test]
fn counts_and_lengths_near_i64_max_are_refused_without_allocating() {
    for n in [i64::MAX, i64::MAX - 7, i64::MAX / 8 + 1, i64::MAX / 16, 1 << 40, 1_000_000_000] {
        for head in [&[0x00u8, 0][..], &[0x05, 0], &[0x0b, 0], &[0x0c, 0], &[0x0d, 0], &[0xf3, 0]] {
            let mut b = head.to_vec();
            b.extend_from_slice(&n.to_le_bytes());
            b.extend_from_slice(&[1u8; 24]);
            assert!(codec::decode_with(&b, UNRESOLVED).is_err(), "{head:02x?} count {n}");
        }
        // A STR vector whose element length is huge.
        let mut b = vec![0x0d, 0, 1, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&n.to_le_bytes());
        b.push(b'x');
        assert!(codec::decode_with(&b, UNRESOLVED).is_err());
    }
}

#[test]
fn huge_nesting_is_refused_at_the_depth_limit() {
    for opener in [&[0x00u8, 0, 1, 0, 0, 0, 0, 0, 0, 0][..], &[0x63, 0], &[0x64, 0], &[0x62, 0]] {
        let mut b = Vec::new();
        for _ in 0..100_000 {
            b.extend_from_slice(opener);
        }
        let e = codec::decode_with(&b, UNRESOLVED).unwrap_err();
        assert_eq!(e.code_str(), "domain", "opener {opener:02x?}");
    }
}

#[test]
fn compressed_sizes_over_256_mib_and_bogus_streams_are_refused() {
    // 2_113_665 runs of 127 plus one of 1: exactly 256 MiB of zeros, then
    // more runs the announced size never reaches.
    let mut stream = Vec::new();
    for _ in 0..2_113_665 {
        stream.extend_from_slice(&[0x7f, 0x00]);
    }
    stream.extend_from_slice(&[0x01, 0x00]);
    for _ in 0..3_000_000 {
        stream.extend_from_slice(&[0x7f, 0x00]);
    }
    // The stream could produce 640 MB, but the limit is 256 MiB.
    assert!(codec::decompress(&stream, (256 << 20) + 1).is_err());
    assert!(codec::decompress(&stream, usize::MAX).is_err());
    assert_eq!(codec::decompress(&stream, 256 << 20).unwrap().len(), 256 << 20);
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let n = rng.below(48);
        let b: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        selfcheck::check_compression(&b);
    }
}
