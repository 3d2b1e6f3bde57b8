//! The C entry points of `store/serde.h` and the `core/ipc.h` compression
//! pair, called as C would: sizes, ownership, `*len` bookkeeping, NULLs.

use rayforce::Value;
use rayforce::abi::*;
use rayforce::codec;
use rayforce::ffi::codec::*;
use std::ffi::CString;

fn i64_vec(n: i64) -> Value {
    Value::vec_from_slice(RAY_I64, &(0..n).collect::<Vec<i64>>()).unwrap()
}

/// Takes ownership of a returned pointer (errors included).
fn own(p: *mut ray_t) -> Value {
    unsafe { Value::from_raw(p) }.expect("non-NULL result")
}

#[test]
fn serde_size_counts_null_errors_and_values() {
    unsafe {
        assert_eq!(ray_serde_size(core::ptr::null_mut()), 1);
        assert_eq!(ray_serde_size(Value::null().as_ptr()), 1);
        let e = Value::from_error(rayforce::RayError::code("type"));
        assert_eq!(ray_serde_size(e.as_ptr()), 9);
        assert_eq!(ray_serde_size(Value::i64(1).as_ptr()), 10);
        assert_eq!(ray_serde_size(i64_vec(3).as_ptr()), 34);
    }
}

#[test]
fn ser_raw_writes_exactly_serde_size_bytes_and_de_raw_reports_what_remains() {
    let v = Value::list(vec![Value::i64(7), Value::str(b"seven"), i64_vec(4)]);
    unsafe {
        let n = ray_serde_size(v.as_ptr());
        let mut buf = vec![0xAAu8; n as usize + 5];
        assert_eq!(ray_ser_raw(buf.as_mut_ptr(), v.as_ptr()), n);
        assert_eq!(&buf[..n as usize], &codec::encode(&v).unwrap()[..]);
        assert_eq!(buf[n as usize], 0xAA);
        let mut len = buf.len() as i64;
        let back = own(ray_de_raw(buf.as_mut_ptr(), &mut len));
        assert_eq!(len, 5);
        assert_eq!(codec::encode(&back).unwrap(), codec::encode(&v).unwrap());
    }
}

#[test]
fn de_raw_returns_null_for_nothing_and_errors_for_bad_bytes() {
    unsafe {
        let mut b = [0xfbu8, 0, 1];
        let mut len = 0i64;
        assert!(ray_de_raw(b.as_mut_ptr(), &mut len).is_null());
        assert!(ray_de_raw(core::ptr::null_mut(), &mut len).is_null());
        assert!(ray_de_raw(b.as_mut_ptr(), core::ptr::null_mut()).is_null());
        let mut len = 3i64;
        let e = own(ray_de_raw(b.as_mut_ptr(), &mut len));
        assert_eq!(e.err_code().code_str(), "domain");
        assert_eq!(len, 3);
        let mut t = [14u8];
        let mut len = 1i64;
        assert_eq!(own(ray_de_raw(t.as_mut_ptr(), &mut len)).err_code().code_str(), "type");
        let mut n = [0x7eu8];
        let mut len = 1i64;
        let p = ray_de_raw(n.as_mut_ptr(), &mut len);
        assert!(own(p).is_null_obj());
        assert_eq!(len, 0);
    }
}

#[test]
fn ser_builds_a_u8_frame_and_de_reads_it_back() {
    unsafe {
        let f = own(ray_ser(Value::i64(42).as_ptr()));
        assert_eq!(f.type_, RAY_U8);
        assert_eq!(
            f.elems::<u8>(),
            &[0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0xfb, 0, 42, 0, 0, 0, 0, 0, 0, 0]
        );
        let v = own(ray_de(f.as_ptr()));
        assert_eq!(v.i64_val(), 42);
        assert_eq!(own(ray_de(Value::i64(1).as_ptr())).err_code().code_str(), "type");
        assert_eq!(own(ray_de(core::ptr::null_mut())).err_code().code_str(), "type");
        let short = Value::vec_from_slice(RAY_U8, &[0xfau8, 0xde]).unwrap();
        assert!(own(ray_de(short.as_ptr())).is_error());
        // A value that cannot travel is a domain error.
        let mut deep = Value::i64(0);
        for _ in 0..600 {
            deep = Value::list(vec![deep]);
        }
        assert_eq!(own(ray_ser(deep.as_ptr())).err_code().code_str(), "domain");
        assert_eq!(ray_serde_size(deep.as_ptr()), 0);
    }
}

#[test]
fn ipc_compress_and_decompress_round_trip_through_c_buffers() {
    let payload = codec::encode(&i64_vec(10_000)).unwrap();
    unsafe {
        let mut dst = vec![0u8; payload.len()];
        let n = ray_ipc_compress(payload.as_ptr(), payload.len(), dst.as_mut_ptr(), dst.len());
        assert_eq!(n + 4, 59_711);
        let mut back = vec![0u8; payload.len()];
        assert_eq!(ray_ipc_decompress(dst.as_ptr(), n, back.as_mut_ptr(), back.len()), payload.len());
        assert_eq!(back, payload);
        // Too small a destination, a short input, or garbage: 0.
        assert_eq!(ray_ipc_compress(payload.as_ptr(), payload.len(), dst.as_mut_ptr(), n - 1), 0);
        assert_eq!(ray_ipc_compress(payload.as_ptr(), 2000, dst.as_mut_ptr(), dst.len()), 0);
        assert_eq!(ray_ipc_decompress(dst.as_ptr(), n / 2, back.as_mut_ptr(), back.len()), 0);
        assert_eq!(ray_ipc_compress(core::ptr::null(), 5000, dst.as_mut_ptr(), dst.len()), 0);
        assert_eq!(ray_ipc_decompress(core::ptr::null(), 5, back.as_mut_ptr(), back.len()), 0);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert_eq!(ray_ipc_compress(noise.as_ptr(), noise.len(), dst.as_mut_ptr(), dst.len()), 0);
    }
}

#[test]
fn obj_save_and_load_round_trip_through_a_file() {
    let dir = std::env::temp_dir().join(format!("rayforce-codec-ffi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("obj.bin");
    let cpath = CString::new(path.to_str().unwrap()).unwrap();
    let v = Value::dict(Value::sym_vec(&[rayforce::core::sym::intern(b"k")]).unwrap(), i64_vec(1));
    unsafe {
        assert_eq!(ray_obj_save(v.as_ptr(), cpath.as_ptr()), RAY_OK);
        let back = own(ray_obj_load(cpath.as_ptr()));
        assert_eq!(codec::encode(&back).unwrap(), codec::encode(&v).unwrap());
        std::fs::write(&path, b"").unwrap();
        assert_eq!(own(ray_obj_load(cpath.as_ptr())).err_code().code_str(), "io");
        let missing = CString::new(dir.join("missing.bin").to_str().unwrap()).unwrap();
        assert_eq!(own(ray_obj_load(missing.as_ptr())).err_code().code_str(), "io");
        assert_eq!(own(ray_obj_load(core::ptr::null())).err_code().code_str(), "io");
        assert_eq!(ray_obj_save(v.as_ptr(), core::ptr::null()), RAY_ERR_IO);
        let nowhere = CString::new(dir.join("no/such/dir/x").to_str().unwrap()).unwrap();
        assert_eq!(ray_obj_save(v.as_ptr(), nowhere.as_ptr()), RAY_ERR_IO);
    }
    std::fs::remove_dir_all(&dir).ok();
}
