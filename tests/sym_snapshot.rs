//! Check 20 of storage.md 11: a process symbol snapshot as RayforceDB's
//! `ray_sym_save` writes it (its 391 first names, asked from the reference
//! binary, then two user symbols: `tests/fixtures/store/ref_snapshot.sym`,
//! made by `snapshot.sh` by hand) is accepted by
//! `ray_runtime_create_with_sym_err` with `RAY_OK`, every symbol gets its
//! file position as id, and the runtime then evaluates normally. Its own
//! test binary: the runtime and the symbol table are process-wide.
use rayforce::abi::RAY_OK;
use rayforce::ffi::{eval, runtime, sym};
use std::ffi::CString;
use std::path::PathBuf;

fn snapshot_names(bytes: &[u8]) -> Vec<Vec<u8>> {
    assert_eq!(&bytes[..4], b"STRL");
    let count = i64::from_le_bytes(bytes[4..12].try_into().unwrap()) as usize;
    let mut at = 12;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        names.push(bytes[at + 4..at + 4 + len].to_vec());
        at += 4 + len;
    }
    assert_eq!(at, bytes.len());
    names
}

#[test]
fn a_reference_snapshot_keeps_every_symbol_at_its_file_position() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/ref_snapshot.sym");
    let names = snapshot_names(&std::fs::read(&path).unwrap());
    assert_eq!(names.len(), 393);
    let c_path = CString::new(path.to_str().unwrap()).unwrap();
    let mut status = -1;
    // SAFETY: a valid path string and status slot.
    let rt = unsafe { runtime::ray_runtime_create_with_sym_err(c_path.as_ptr(), &mut status) };
    assert!(!rt.is_null());
    assert_eq!(status, RAY_OK);
    for (id, name) in names.iter().enumerate() {
        // SAFETY: a live byte slice.
        let found = unsafe { sym::ray_sym_find(name.as_ptr().cast(), name.len()) };
        assert_eq!(found, id as i64, "{}", String::from_utf8_lossy(name));
    }
    let ask = |src: &str| {
        let src = CString::new(src).unwrap();
        // SAFETY: a valid source string; the answer (+1) is owned by the
        // Value, which releases it.
        let v = unsafe { rayforce::Value::from_raw(eval::ray_eval_str(src.as_ptr())) }.expect("an answer");
        rayforce::lang::format(&v, 0)
    };
    assert_eq!(ask("(sym-name 391)"), "snap_user_a");
    assert_eq!(ask("(sym-name 1)"), "+");
    assert_eq!(ask("(sum (til 10))"), "45");
    // SAFETY: the runtime made above.
    unsafe { runtime::ray_runtime_destroy(rt) };
}
