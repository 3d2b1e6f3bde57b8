//! The panic boundary: a panic forced inside an export (through a hook that
//! exists only in test builds) returns that return type's `PanicFallback`,
//! and every export of `src/ffi` runs under `ffi_guard!`.

use super::PANIC_STATUS;
use super::{alloc, atom, data, dict, error, poll, rc, runtime, string, sym, vector};
use crate::abi::*;
use core::ptr;
use std::cell::Cell;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

/// Called by the guard before each export's body: panics once when armed.
pub(super) fn fire_if_armed() {
    if ARMED.with(|a| a.replace(false)) {
        panic!("forced by the test hook");
    }
}

/// Runs `f` (one export call) with the hook armed: the export panics on entry.
fn forced<R>(f: impl FnOnce() -> R) -> R {
    ARMED.with(|a| a.set(true));
    let r = f();
    assert!(!ARMED.with(Cell::get), "the export did not run under ffi_guard!");
    r
}

fn message() -> String {
    crate::core::error::with_last_message(|m| m.map(|c| c.to_string_lossy().into_owned()).unwrap_or_default())
}

#[test]
fn object_results_become_the_static_panic_error_never_null() {
    let key = atom::ray_i64(1);
    // NULL is the getter's "absent"; a panic must not read as that.
    assert!(unsafe { dict::ray_dict_get(ptr::null_mut(), key) }.is_null());
    let got = forced(|| unsafe { dict::ray_dict_get(ptr::null_mut(), key) });
    assert_eq!(got, crate::core::statics::panic_ptr());
    let code = unsafe { error::ray_err_code(got) };
    assert_eq!(unsafe { core::ffi::CStr::from_ptr(code) }.to_bytes(), b"panic");
    assert!(message().starts_with("panic: forced by the test hook"), "{}", message());
    assert_eq!(unsafe { error::ray_err_from_obj(got) }, PANIC_STATUS);
    // The caller may release or free it like any error: both leave it alone.
    unsafe {
        rc::ray_release(got);
        error::ray_error_free(got);
    }
    assert_eq!(forced(|| atom::ray_i64(5)), crate::core::statics::panic_ptr());
    // The hook fires once: the next call answers normally.
    let five = atom::ray_i64(5);
    assert_eq!(unsafe { (*five).val.i64_ }, 5);
    unsafe {
        rc::ray_release(five);
        rc::ray_release(key);
    }
}

#[test]
fn each_return_type_has_its_own_fallback() {
    let v = vector::ray_vec_new(RAY_F64, 2);
    assert_eq!(forced(|| unsafe { dict::ray_dict_len(v) }), -1);
    assert_eq!(forced(|| unsafe { poll::ray_ipc_listen_port(ptr::null_mut(), 0) }), -1);
    assert_eq!(forced(|| unsafe { data::ray_obj_type(v) }), RAY_ERROR);
    assert_eq!(forced(|| unsafe { data::ray_obj_attrs(v) }), 0);
    assert!(forced(|| unsafe { data::ray_vec_get_f64(v, 0) }).is_nan());
    assert!(!forced(|| runtime::ray_interrupted()));
    assert_eq!(forced(|| sym::ray_sym_count()), 0);
    assert_eq!(forced(|| unsafe { string::ray_str_len(v) }), 0);
    assert!(forced(|| unsafe { vector::ray_vec_get(v, 0) }).is_null());
    assert!(forced(|| unsafe { string::ray_str_ptr(v) }).is_null());
    assert!(forced(|| alloc::ray_alloc_raw(8)).is_null());
    assert!(forced(|| unsafe { data::ray_sym_domain_runtime_lut(ptr::null_mut()) }).is_null());
    assert!(forced(|| data::ray_sym_runtime_domain()).is_null());
    assert!(forced(|| poll::ray_poll_create()).is_null());
    assert!(forced(|| unsafe { runtime::ray_runtime_create(0, ptr::null_mut()) }).is_null());
    assert_eq!(forced(|| unsafe { vector::ray_vec_set_null_checked(v, 0, true) }), PANIC_STATUS);
    assert_eq!(forced(|| sym::ray_sym_init()), PANIC_STATUS);
    forced(|| error::ray_error_clear());
    unsafe { rc::ray_release(v) };
}

/// Every `extern "C" fn` of src/ffi has `ffi_guard!` in its body (between
/// its signature and the next export).
#[test]
fn every_export_runs_under_the_guard() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
    let mut unguarded = Vec::new();
    let mut exports = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let src = std::fs::read_to_string(&path).unwrap();
        let starts: Vec<usize> = src.match_indices("pub extern \"C\" fn ")
            .chain(src.match_indices("pub unsafe extern \"C\" fn "))
            .map(|(i, _)| i)
            .collect();
        for &start in &starts {
            exports += 1;
            let end = starts.iter().copied().filter(|&s| s > start).min().unwrap_or(src.len());
            let body = &src[start..end];
            if !body.contains("ffi_guard!(") {
                unguarded.push(format!("{}: {}", path.display(), body.lines().next().unwrap_or("")));
            }
        }
    }
    assert!(exports > 150, "only {exports} exports found");
    assert!(unguarded.is_empty(), "exports without ffi_guard!:\n{}", unguarded.join("\n"));
}
