//! Wire rules of wire.md §4 that the conformance corpus does not cover:
//! atom flags, typed nulls, attrs on vectors, tables, lambdas, builtins,
//! errors and the decoder's documented failures.

use rayforce::Value;
use rayforce::abi::*;
use rayforce::codec::{self, DecodeOptions};
use rayforce::core::{env, sym};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

/// Decodes (builtins unresolved) and re-encodes.
fn echo(s: &str) -> Vec<u8> {
    let opts = DecodeOptions { resolve_builtins: false, ..Default::default() };
    let (v, _) = codec::decode_with(&hex(s), opts).unwrap();
    codec::encode(&v).unwrap()
}

fn code_of(r: rayforce::Result<(Value, usize)>) -> String {
    r.err().expect("expected a decode error").code_str().to_string()
}

#[test]
fn atom_flags_echo_as_the_reference_does() {
    let rows = [
        ("fa 01 00 00 c0 3f", "fa 01 00 00 c0 7f"),
        ("fe 01 07", "fe 01 00"),
        ("f5 01 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10", "f5 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
        ("fb 01 05 00 00 00 00 00 00 00", "fb 01 00 00 00 00 00 00 00 80"),
        ("fb 00 00 00 00 00 00 00 00 80", "fb 00 00 00 00 00 00 00 00 80"),
        ("fb 22 05 00 00 00 00 00 00 00", "fb 00 05 00 00 00 00 00 00 00"),
        ("f4 01 61 62 63 00", "f4 00 00"),
        ("f4 21 61 62 63 00", "f4 00 00"),
        ("f3 01 01 00 00 00 00 00 00 00 78", "f3 01 00 00 00 00 00 00 00 00"),
        ("ff 00 05", "ff 00 01"),
        ("ff 01 05", "ff 01 00"),
        ("f4 20 41 41 50 4c 00", "f4 20 41 41 50 4c 00"),
        ("f9 01 00 00 00 00 00 00 f0 3f", "f9 01 00 00 00 00 00 00 f8 7f"),
        ("f8 01 05 00 00 00", "f8 01 00 00 00 80"),
        ("f7 01 05 00 00 00", "f7 01 00 00 00 80"),
        ("f6 01 05 00 00 00 00 00 00 00", "f6 01 00 00 00 00 00 00 00 80"),
        ("fd 01 05 00", "fd 01 00 80"),
        ("fc 01 05 00 00 00", "fc 01 00 00 00 80"),
    ];
    for (sent, echoed) in rows {
        assert_eq!(echo(sent), hex(echoed), "sent {sent}");
    }
}

#[test]
fn typed_nulls_built_in_memory_encode_with_flag_and_sentinel() {
    let rows = [
        (RAY_I16, "fd 01 00 80"),
        (RAY_I32, "fc 01 00 00 00 80"),
        (RAY_I64, "fb 01 00 00 00 00 00 00 00 80"),
        (RAY_F64, "f9 01 00 00 00 00 00 00 f8 7f"),
        (RAY_DATE, "f8 01 00 00 00 80"),
        (RAY_TIME, "f7 01 00 00 00 80"),
        (RAY_TIMESTAMP, "f6 01 00 00 00 00 00 00 00 80"),
        (RAY_BOOL, "ff 01 00"),
    ];
    for (t, want) in rows {
        assert_eq!(codec::encode(&Value::typed_null(-t).unwrap()).unwrap(), hex(want), "type {t}");
    }
}

#[test]
fn temporal_and_f32_atoms_use_the_documented_layouts() {
    assert_eq!(codec::encode(&Value::date(8780)).unwrap(), hex("f8 00 4c 22 00 00"));
    assert_eq!(codec::encode(&Value::time(34_200_000)).unwrap(), hex("f7 00 c0 d9 09 02"));
    assert_eq!(
        codec::encode(&Value::timestamp(758_637_000_000_000_000)).unwrap(),
        hex("f6 00 00 d0 77 02 55 38 87 0a")
    );
    assert_eq!(codec::encode(&Value::f32(1.5)).unwrap(), hex("fa 00 00 00 c0 3f"));
    assert_eq!(codec::encode(&Value::date(-5)).unwrap(), hex("f8 00 fb ff ff ff"));
    let (d, _) = codec::decode(&hex("f8 00 fb ff ff ff")).unwrap();
    assert_eq!(d.i32_val(), -5);
}

#[test]
fn vectors_keep_only_the_has_nulls_attribute() {
    assert_eq!(echo("03 ff 01 00 00 00 00 00 00 00 01 00"), hex("03 40 01 00 00 00 00 00 00 00 01 00"));
    assert_eq!(echo("01 00 02 00 00 00 00 00 00 00 05 00"), hex("01 00 02 00 00 00 00 00 00 00 05 00"));
    assert_eq!(echo("0c 03 02 00 00 00 00 00 00 00 61 00 62 00"), hex("0c 00 02 00 00 00 00 00 00 00 61 00 62 00"));
    let mut v = Value::vec_from_slice(RAY_I64, &[1i64, 2]).unwrap();
    v.set_attr(RAY_ATTR_SORTED, true).unwrap();
    assert_eq!(codec::encode(&v).unwrap()[1], 0);
}

#[test]
fn narrow_sym_vectors_and_slices_travel_as_names() {
    let a = sym::intern(b"wire_narrow_a");
    let b = sym::intern(b"wire_narrow_b");
    let mut w32 = Value::sym_vec_with_capacity(RAY_SYM_W32, 2).unwrap();
    w32.push(a as u32).unwrap();
    w32.push(b as u32).unwrap();
    let mut want = hex("0c 00 02 00 00 00 00 00 00 00");
    want.extend_from_slice(b"wire_narrow_a\0wire_narrow_b\0");
    assert_eq!(codec::encode(&w32).unwrap(), want);
    assert_eq!(codec::encoded_size(&w32).unwrap(), want.len());
    let wide = Value::sym_vec(&[b, a, b]).unwrap();
    let s = wide.slice(1, 2).unwrap();
    let mut want = hex("0c 00 02 00 00 00 00 00 00 00");
    want.extend_from_slice(b"wire_narrow_a\0wire_narrow_b\0");
    assert_eq!(codec::encode(&s).unwrap(), want);
}

#[test]
fn vector_slices_and_str_vectors_encode_their_visible_elements() {
    let v = Value::vec_from_slice(RAY_I32, &[1i32, 2, 3, 4]).unwrap();
    assert_eq!(codec::encode(&v.slice(1, 2).unwrap()).unwrap(), hex("04 00 02 00 00 00 00 00 00 00 02 00 00 00 03 00 00 00"));
    let long = b"longer than twelve bytes".to_vec();
    let s = Value::str_vec([&b""[..], b"x", &long]).unwrap();
    let bytes = codec::encode(&s).unwrap();
    assert_eq!(bytes.len(), codec::encoded_size(&s).unwrap());
    let (back, _) = codec::decode(&bytes).unwrap();
    assert_eq!(back.str_at(2), &long[..]);
    assert_eq!(back.str_at(0), b"");
}

#[test]
fn tables_emit_names_with_attrs_03_and_decode_by_the_reference_rules() {
    let a = sym::intern(b"a");
    let b = sym::intern(b"b");
    let t = Value::table_from(vec![
        (a, Value::vec_from_slice(RAY_I64, &[1i64, 2]).unwrap()),
        (b, Value::sym_vec(&[sym::intern(b"x"), sym::intern(b"y")]).unwrap()),
    ])
    .unwrap();
    let want = hex(
        "62 00 0c 03 02 00 00 00 00 00 00 00 61 00 62 00 00 00 02 00 00 00 00 00 00 00 \
         05 00 02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 \
         0c 00 02 00 00 00 00 00 00 00 78 00 79 00",
    );
    assert_eq!(codec::encode(&t).unwrap(), want);
    // Names with any attrs; extra names are dropped (ncols = min).
    let (t2, _) = codec::decode(&hex(
        "62 00 0c 00 02 00 00 00 00 00 00 00 61 00 62 00 00 00 01 00 00 00 00 00 00 00 \
         05 00 01 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00",
    ))
    .unwrap();
    assert_eq!(t2.table_schema().unwrap().elems::<i64>(), &[a]);
    assert_eq!(t2.table_cols().unwrap().len(), 1);
    // Columns must be a LIST.
    let r = codec::decode(&hex("62 00 0c 00 01 00 00 00 00 00 00 00 61 00 05 00 00 00 00 00 00 00 00 00"));
    assert_eq!(code_of(r), "domain");
    // Zero columns is valid.
    let (z, _) = codec::decode(&hex("62 00 0c 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")).unwrap();
    assert_eq!(z.type_, RAY_TABLE);
}

#[test]
fn lambdas_travel_as_params_and_body_with_attrs_forced_to_zero() {
    let lam = "64 00 0c 00 01 00 00 00 00 00 00 00 78 00 00 00 01 00 00 00 00 00 00 00 \
               00 00 03 00 00 00 00 00 00 00 f4 00 2a 00 f4 00 78 00 fb 00 02 00 00 00 00 00 00 00";
    assert_eq!(echo(lam), hex(lam));
    let mut sent = hex(lam);
    sent[1] = 0x80;
    let (v, _) = codec::decode(&sent).unwrap();
    assert_eq!(v.type_, RAY_LAMBDA);
    assert_eq!(v.attrs, 0);
    assert_eq!(codec::encode(&v).unwrap(), hex(lam));
}

#[test]
fn builtins_decode_by_name_through_the_env() {
    // Placeholders re-encode identically, long names included (no truncation).
    for s in ["65 74 69 6c 00", "66 2b 00", "67 6c 69 73 74 00"] {
        assert_eq!(echo(s), hex(s));
    }
    let mut long = vec![0x67];
    long.extend_from_slice(b".sys.querylog.enable\0");
    let opts = DecodeOptions { resolve_builtins: false, ..Default::default() };
    let (p, _) = codec::decode_with(&long, opts).unwrap();
    assert_eq!(p.builtin_index(), -1);
    assert_eq!(codec::encode(&p).unwrap(), long);
    // Resolving: whatever is bound to the name is returned; unbound is `name`.
    let id = sym::intern(b"wire_test_gv");
    env::set(id, Value::i64(42));
    let mut msg = vec![0x65];
    msg.extend_from_slice(b"wire_test_gv\0");
    assert_eq!(codec::decode(&msg).unwrap().0.i64_val(), 42);
    env::remove(id);
    assert_eq!(code_of(codec::decode(&msg)), "name");
    assert_eq!(code_of(codec::decode(b"\x65never_bound_wire_name\0")), "name");
}

#[test]
fn errors_are_data_and_an_error_inside_a_container_replaces_it() {
    let (e, n) = codec::decode(&hex("7f 74 79 70 65 00 00 00 00")).unwrap();
    assert_eq!(n, 9);
    assert!(e.is_error());
    assert_eq!(e.err_code().code_str(), "type");
    assert_eq!(codec::encode(&e).unwrap(), hex("7f 74 79 70 65 00 00 00 00"));
    // 8th byte ignored, code truncated to 7.
    let (e, _) = codec::decode(&hex("7f 61 62 63 64 65 66 67 68")).unwrap();
    assert_eq!(e.err_code().code_str(), "abcdefg");
    let nested = [
        "00 00 02 00 00 00 00 00 00 00 fb 00 01 00 00 00 00 00 00 00 7f 64 6f 6d 61 69 6e 00 00",
        "63 00 7f 64 6f 6d 61 69 6e 00 00 05 00 00 00 00 00 00 00 00 00",
        "63 00 05 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 7f 64 6f 6d 61 69 6e 00 00",
        "64 00 7f 64 6f 6d 61 69 6e 00 00 7e",
        "62 00 0c 00 00 00 00 00 00 00 00 00 7f 64 6f 6d 61 69 6e 00 00",
    ];
    for s in nested {
        let (v, _) = codec::decode(&hex(s)).unwrap();
        assert!(v.is_error(), "{s}");
        assert_eq!(v.err_code().code_str(), "domain");
    }
}

#[test]
fn the_untyped_null_and_null_slots_are_7e() {
    let (v, n) = codec::decode(&[0x7e]).unwrap();
    assert!(v.is_null_obj());
    assert_eq!(n, 1);
    let mut l = Value::list(vec![Value::i64(1)]);
    l.list_push(None).unwrap();
    let bytes = codec::encode(&l).unwrap();
    assert_eq!(*bytes.last().unwrap(), 0x7e);
    assert_eq!(codec::encoded_size(&l).unwrap(), bytes.len());
}

#[test]
fn trailing_bytes_are_ignored_and_reported_as_unconsumed() {
    let mut b = hex("fb 00 09 00 00 00 00 00 00 00");
    b.extend_from_slice(&[1, 2, 3, 4, 5]);
    let (v, n) = codec::decode(&b).unwrap();
    assert_eq!((v.i64_val(), n), (9, 10));
}

#[test]
fn unknown_type_bytes_are_type_errors_and_truncation_is_domain() {
    for t in [14u8, 97, 104, 32, 64, 0x7d, 0xf2, 0x80] {
        assert_eq!(code_of(codec::decode(&[t, 0, 0, 0, 0, 0, 0, 0, 0, 0])), "type", "type byte {t:#x}");
    }
    assert_eq!(code_of(codec::decode(&hex("fb 00 01 00"))), "domain");
    assert_eq!(code_of(codec::decode(&[])), "domain");
    assert_eq!(code_of(codec::decode(&hex("f4 00 61 62"))), "domain");
}

#[test]
fn counts_are_bounded_by_1e9_and_by_the_bytes_left() {
    let with_count = |t: u8, n: i64| {
        let mut b = vec![t, 0];
        b.extend_from_slice(&n.to_le_bytes());
        b.extend_from_slice(&[0u8; 32]);
        b
    };
    for t in [0u8, 1, 5, 11, 12, 13] {
        for n in [-1i64, i64::MIN, i64::MAX, 1_000_000_001, 1_000_000_000, 100] {
            assert_eq!(code_of(codec::decode(&with_count(t, n))), "domain", "type {t} count {n}");
        }
    }
    // STR lengths: negative or beyond the buffer.
    for n in [-1i64, i64::MAX, 9] {
        let mut b = vec![0xf3, 0];
        b.extend_from_slice(&n.to_le_bytes());
        b.extend_from_slice(b"abc");
        assert_eq!(code_of(codec::decode(&b)), "domain");
    }
}

fn nested_lists(levels: usize) -> Vec<u8> {
    let mut b = vec![0x63, 0x00, 0x7e];
    for _ in 0..levels {
        b.extend_from_slice(&hex("00 00 01 00 00 00 00 00 00 00"));
    }
    b.extend_from_slice(&hex("fb 00 01 00 00 00 00 00 00 00"));
    b
}

#[test]
fn nesting_is_limited_to_512_levels() {
    // DICT + 510 nested LISTs + atom: 512 levels decode.
    let ok = nested_lists(510);
    assert!(codec::decode(&ok).is_ok());
    assert_eq!(code_of(codec::decode(&nested_lists(511))), "domain");
    // Far deeper input fails the same way without touching the stack limit.
    let mut deep = vec![];
    for _ in 0..1_000_000 {
        deep.extend_from_slice(&hex("00 00 01 00 00 00 00 00 00 00"));
    }
    assert_eq!(code_of(codec::decode(&deep)), "domain");
}

#[test]
fn the_encoder_refuses_values_nested_deeper_than_the_decoder_accepts() {
    let mut v = Value::i64(1);
    for _ in 0..600 {
        v = Value::list(vec![v]);
    }
    assert!(codec::encode(&v).is_err());
    assert!(codec::encoded_size(&v).is_err());
}

#[test]
fn ser_frames_are_validated_by_de() {
    let good = codec::ser(&Value::i64(42)).unwrap();
    assert_eq!(codec::de(&good).unwrap().i64_val(), 42);
    let mut bad_prefix = good.clone();
    bad_prefix[0] = 0;
    assert_eq!(codec::de(&bad_prefix).unwrap_err().code_str(), "domain");
    let mut bad_version = good.clone();
    bad_version[4] = 2;
    assert_eq!(codec::de(&bad_version).unwrap_err().code_str(), "version");
    let mut big_endian = good.clone();
    big_endian[6] = 1;
    assert!(codec::de(&big_endian).is_err());
    let mut flags_and_msgtype = good.clone();
    flags_and_msgtype[5] = 0xff;
    flags_and_msgtype[7] = 2;
    assert!(codec::de(&flags_and_msgtype).is_ok());
    assert!(codec::de(&good[..good.len() - 1]).is_err());
    let mut longer = good.clone();
    longer.push(0);
    assert!(codec::de(&longer).is_err());
    assert!(codec::de(&good[..10]).is_err());
}

#[test]
fn sym_vectors_of_repeated_short_and_long_names_travel_as_their_names() {
    // Names of every length around the 8-byte word and 16-byte block
    // sizes, repeated in an order that makes cache slots collide.
    let names: Vec<Vec<u8>> = [0usize, 1, 7, 8, 9, 15, 16, 17, 40]
        .iter()
        .map(|&len| (0..len).map(|i| b'a' + ((i * 7 + len) % 26) as u8).collect())
        .collect();
    let ids: Vec<i64> = names.iter().map(|n| sym::intern(n)).collect();
    let order: Vec<usize> = (0..3000).map(|i| (i * i + 3 * i) % names.len()).collect();
    let v = Value::sym_vec(&order.iter().map(|&k| ids[k]).collect::<Vec<_>>()).unwrap();
    let mut want = vec![0x0c, 0x00];
    want.extend_from_slice(&(order.len() as i64).to_le_bytes());
    for &k in &order {
        want.extend_from_slice(&names[k]);
        want.push(0);
    }
    assert_eq!(codec::encoded_size(&v).unwrap(), want.len());
    // Exact capacity (no spare room for block writes) and ample capacity.
    let mut exact = Vec::with_capacity(want.len());
    codec::encode_into(&v, &mut exact).unwrap();
    assert!(exact == want);
    let mut ample = Vec::with_capacity(2 * want.len());
    codec::encode_into(&v, &mut ample).unwrap();
    assert!(ample == want);
    // Decoding interns every name; the last name ends the buffer exactly.
    let (back, used) = codec::decode(&want).unwrap();
    assert_eq!(used, want.len());
    let back_ids: Vec<i64> = (0..order.len()).map(|i| back.sym_at(i)).collect();
    assert_eq!(back_ids, order.iter().map(|&k| ids[k]).collect::<Vec<_>>());
    // A name without its terminator is refused.
    let cut = &want[..want.len() - 1];
    assert_eq!(code_of(codec::decode(cut)), "domain");
}
