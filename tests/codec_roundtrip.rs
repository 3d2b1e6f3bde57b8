//! Property tests: generated values (atoms of every type, typed nulls,
//! vectors with and without nulls, SYM/STR vectors, nested LIST/DICT,
//! TABLE, LAMBDA, builtins, errors) encode to exactly `encoded_size`
//! bytes, decode back, and re-encode to the same bytes; and compression
//! round-trips and matches the oracle on arbitrary bytes.

use proptest::prelude::*;
use rayforce::Value;
use rayforce::abi::*;
use rayforce::codec::{self, DecodeOptions, compress};
use rayforce::core::sym;

/// A value description proptest can shrink; built into a `Value` on use.
#[derive(Clone, Debug)]
enum Spec {
    Atom(i8, i64, bool),
    F64(f64),
    Str(Vec<u8>),
    Sym(Vec<u8>, bool),
    Guid([u8; 16]),
    Vector(i8, Vec<u8>, bool),
    SymVec(Vec<Vec<u8>>),
    StrVec(Vec<Vec<u8>>),
    List(Vec<Spec>),
    Dict(Box<Spec>, Box<Spec>),
    Table(Vec<(Vec<u8>, Spec)>),
    Lambda(Vec<Vec<u8>>, Vec<Spec>),
    Builtin(i8, Vec<u8>),
    Error(String),
    Null,
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(1u8..=255, 0..20)
}

fn leaf() -> impl Strategy<Value = Spec> {
    prop_oneof![
        (prop::sample::select(vec![RAY_BOOL, RAY_U8, RAY_I16, RAY_I32, RAY_I64, RAY_F32, RAY_DATE, RAY_TIME, RAY_TIMESTAMP]), any::<i64>(), any::<bool>())
            .prop_map(|(t, x, null)| Spec::Atom(t, x, null)),
        any::<f64>().prop_map(Spec::F64),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(Spec::Str),
        (name(), any::<bool>()).prop_map(|(n, q)| Spec::Sym(n, q)),
        any::<[u8; 16]>().prop_map(Spec::Guid),
        (prop::sample::select(vec![RAY_BOOL, RAY_U8, RAY_I16, RAY_I32, RAY_I64, RAY_F32, RAY_F64, RAY_DATE, RAY_TIME, RAY_TIMESTAMP, RAY_GUID]), prop::collection::vec(any::<u8>(), 0..200), any::<bool>())
            .prop_map(|(t, b, nulls)| Spec::Vector(t, b, nulls)),
        prop::collection::vec(name(), 0..10).prop_map(Spec::SymVec),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..30), 0..10).prop_map(Spec::StrVec),
        (prop::sample::select(vec![RAY_UNARY, RAY_BINARY, RAY_VARY]), prop::collection::vec(1u8..=255, 1..30)).prop_map(|(k, n)| Spec::Builtin(k, n)),
        "[a-z]{1,7}".prop_map(Spec::Error),
        Just(Spec::Null),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Spec::List),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| Spec::Dict(Box::new(k), Box::new(v))),
            prop::collection::vec((name(), inner.clone()), 0..5).prop_map(Spec::Table),
            (prop::collection::vec(name(), 0..4), prop::collection::vec(inner, 0..4)).prop_map(|(p, b)| Spec::Lambda(p, b)),
        ]
    })
}

fn build(s: &Spec) -> Value {
    match s {
        Spec::Atom(t, _, null) if *null => Value::typed_null(-*t).unwrap(),
        Spec::Atom(t, x, _) => match *t {
            RAY_BOOL => Value::bool(*x & 1 == 1),
            RAY_U8 => Value::u8(*x as u8),
            RAY_I16 => Value::i16(*x as i16),
            RAY_I32 => Value::i32(*x as i32),
            RAY_I64 => Value::i64(*x),
            RAY_F32 => Value::f32(*x as f32),
            RAY_DATE => Value::date(*x as i32 as i64),
            RAY_TIME => Value::time(*x as i32 as i64),
            _ => Value::timestamp(*x),
        },
        Spec::F64(x) => Value::f64(*x),
        Spec::Str(b) => Value::str(b),
        Spec::Sym(n, q) if *q => Value::quoted_sym(sym::intern(n)),
        Spec::Sym(n, _) => Value::sym_id(sym::intern(n)),
        Spec::Guid(g) => Value::guid(g),
        Spec::Vector(t, bytes, nulls) => {
            let w = elem_size(*t, 0);
            let mut v = Value::vec_with_capacity(*t, 0).unwrap();
            v.extend_from_bytes(&bytes[..bytes.len() / w * w]).unwrap();
            if *nulls {
                v.set_attr(RAY_ATTR_HAS_NULLS, true).unwrap();
            }
            v
        }
        Spec::SymVec(names) => Value::sym_vec(&names.iter().map(|n| sym::intern(n)).collect::<Vec<_>>()).unwrap(),
        Spec::StrVec(items) => Value::str_vec(items.iter().map(|i| &i[..])).unwrap(),
        Spec::List(items) => Value::list(items.iter().map(build).collect()),
        Spec::Dict(k, v) => Value::dict(build(k), build(v)),
        Spec::Table(cols) => Value::table_from(cols.iter().map(|(n, c)| (sym::intern(n), build(c))).collect()).unwrap(),
        Spec::Lambda(params, body) => Value::container(
            RAY_LAMBDA,
            vec![
                Value::sym_vec(&params.iter().map(|n| sym::intern(n)).collect::<Vec<_>>()).unwrap(),
                Value::list(body.iter().map(build).collect()),
            ],
        )
        .unwrap(),
        Spec::Builtin(k, n) => Value::builtin(*k, sym::intern(n), -1, 0),
        Spec::Error(code) => Value::from_error(rayforce::RayError::code(code)),
        Spec::Null => Value::null(),
    }
}

const UNRESOLVED: DecodeOptions = DecodeOptions { resolve_builtins: false, max_depth: 512 };

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn generated_values_round_trip_byte_for_byte(s in spec()) {
        let v = build(&s);
        let bytes = codec::encode(&v).unwrap();
        prop_assert_eq!(codec::encoded_size(&v).unwrap(), bytes.len());
        // Written in place into a U8 vector of the computed size: the same bytes.
        let mut in_place = rayforce::Value::vec_with_capacity(RAY_U8, bytes.len() as i64).unwrap();
        codec::encode::encode_into_bytes(&v, &mut in_place).unwrap();
        prop_assert_eq!(in_place.elems::<u8>(), &bytes[..]);
        let (back, used) = codec::decode_with(&bytes, UNRESOLVED).unwrap();
        if back.is_error() && !v.is_error() {
            // An ERROR nested in a container replaces the whole value.
            prop_assert!(bytes.contains(&0x7f));
        } else {
            prop_assert_eq!(used, bytes.len());
            prop_assert_eq!(codec::encode(&back).unwrap(), bytes);
        }
    }

    #[test]
    fn atoms_keep_their_values(s in leaf()) {
        let v = build(&s);
        let (back, _) = codec::decode_with(&codec::encode(&v).unwrap(), UNRESOLVED).unwrap();
        prop_assert_eq!(back.type_, v.type_);
        prop_assert_eq!(back.null_flag(), v.null_flag());
        if v.type_ < 0 && v.type_ != -RAY_F32 && v.type_ != -RAY_F64 && v.type_ != -RAY_STR && v.type_ != -RAY_GUID {
            prop_assert_eq!(back.i64_val(), v.i64_val());
        }
        prop_assert_eq!(back.str_bytes(), v.str_bytes());
        prop_assert_eq!(back.guid_bytes(), v.guid_bytes());
    }

    #[test]
    fn compression_round_trips_and_matches_the_oracle(data in prop::collection::vec(prop_oneof![Just(0u8), Just(1u8), any::<u8>()], 0..3000)) {
        let mut out = vec![0u8; 2 * data.len() + 2];
        let n = compress::compress_into(&data, &mut out).unwrap();
        prop_assert_eq!(&out[..n], &compress::compress_simple(&data, usize::MAX).unwrap()[..]);
        if !data.is_empty() {
            prop_assert_eq!(codec::decompress(&out[..n], data.len()).unwrap(), data.clone());
        }
        if let Some(s) = codec::compress(&data) {
            prop_assert!(data.len() > 2000 && s.len() + 4 < data.len());
        }
    }
}
