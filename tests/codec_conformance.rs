//! Byte identity against the reference: every response payload captured in
//! `tests/fixtures/conformance/cases.jsonl` decodes (builtins left unresolved, so
//! lambdas and builtins work without an evaluator) and re-encodes to exactly
//! the same bytes; `ser` frames it with the reference's header.

use rayforce::codec::{self, DecodeOptions, frame};
#[path = "support/fixtures.rs"]
mod fixtures;

struct Case {
    id: String,
    payload: Vec<u8>,
}

/// The value of a string field of one JSON line (no escapes occur in the
/// fields read here: ids and hex).
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\": \"");
    let start = line.find(&key).unwrap_or_else(|| panic!("no {name} in {line}")) + key.len();
    let len = line[start..].find('"').expect("unterminated field");
    &line[start..start + len]
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn cases() -> Vec<Case> {
    let text = fixtures::cases_jsonl();
    let cases: Vec<Case> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Case { id: field(l, "id").to_string(), payload: unhex(field(l, "payload_hex")) })
        .collect();
    assert!(cases.len() > 200, "corpus unexpectedly small: {}", cases.len());
    cases
}

const UNRESOLVED: DecodeOptions = DecodeOptions { resolve_builtins: false, max_depth: codec::limits::MAX_DEPTH };

#[test]
fn every_captured_payload_re_encodes_to_identical_bytes() {
    let mut failures = Vec::new();
    for c in cases() {
        let (v, used) = match codec::decode_with(&c.payload, UNRESOLVED) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{}: decode failed: {e}", c.id));
                continue;
            }
        };
        if used != c.payload.len() {
            failures.push(format!("{}: consumed {used} of {} bytes", c.id, c.payload.len()));
        }
        match codec::encode(&v) {
            Ok(bytes) if bytes == c.payload => {}
            Ok(bytes) => failures.push(format!("{}: re-encoded differently\n  want {:02x?}\n  got  {:02x?}", c.id, c.payload, bytes)),
            Err(e) => failures.push(format!("{}: encode failed: {e}", c.id)),
        }
        match codec::encoded_size(&v) {
            Ok(n) if n == c.payload.len() => {}
            other => failures.push(format!("{}: encoded_size {other:?}, want {}", c.id, c.payload.len())),
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn ser_frames_every_captured_payload_with_the_reference_header() {
    for c in cases() {
        let (v, _) = codec::decode_with(&c.payload, UNRESOLVED).unwrap();
        let framed = codec::ser(&v).unwrap();
        assert_eq!(framed[..16], frame::ser_frame(c.payload.len()), "{}", c.id);
        assert_eq!(&framed[16..], &c.payload[..], "{}", c.id);
        // ray_ser's path: the same bytes, written straight into a U8 vector.
        let in_place = codec::ser_vector(&v).unwrap();
        assert_eq!(in_place.elems::<u8>(), &framed[..], "{}: ser_vector differs", c.id);
        // Too little room reserved: refused, never overrun.
        let mut small = rayforce::Value::vec_with_capacity(rayforce::abi::RAY_U8, 0).unwrap();
        if c.payload.len() > small.capacity_bytes() {
            assert!(codec::encode::encode_into_bytes(&v, &mut small).is_err(), "{}", c.id);
        }
    }
}

#[test]
fn ser_of_42_matches_the_captured_frame() {
    let framed = codec::ser(&rayforce::Value::i64(42)).unwrap();
    assert_eq!(
        framed,
        unhex("fadeface030000000a00000000000000fb002a00000000000000"),
    );
}

#[test]
fn compressible_captured_payloads_round_trip_through_compression() {
    for c in cases() {
        if let Some(stream) = codec::compress(&c.payload) {
            assert!(stream.len() + 4 < c.payload.len(), "{}", c.id);
            assert_eq!(codec::decompress(&stream, c.payload.len()).unwrap(), c.payload, "{}", c.id);
        }
    }
}
