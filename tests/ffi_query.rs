//! `ray_select`/`ray_update`/`ray_insert`/`ray_upsert` given bad argument
//! arrays: every one answers with an error object, none reads past what
//! it was given or crashes. (The C test c-tests/test_query.c covers the
//! answers to good queries.)
use rayforce::abi::*;
use rayforce::ffi::{error::*, eval::ray_eval_str, query::*, rc::ray_release};
use std::ptr;

unsafe fn code(e: *mut ray_t) -> String {
    let c = unsafe { ray_err_code(e) };
    assert!(!c.is_null(), "expected an error object");
    let s = unsafe { std::ffi::CStr::from_ptr(c) }.to_string_lossy().into_owned();
    unsafe { ray_error_free(e) };
    s
}

type Entry = unsafe extern "C" fn(*mut *mut ray_t, i64) -> *mut ray_t;
const ENTRIES: [Entry; 4] = [ray_select, ray_update, ray_insert, ray_upsert];

#[test]
fn bad_argument_arrays_are_errors() {
    let _ = rayforce::runtime::create(None);
    unsafe {
        for f in ENTRIES {
            assert_eq!(code(f(ptr::null_mut(), 0)), "arity");
            assert_eq!(code(f(ptr::null_mut(), -1)), "arity");
            assert_eq!(code(f(ptr::null_mut(), i64::MAX)), "arity");
            assert_eq!(code(f(ptr::null_mut(), 3)), "domain");
            let mut nulls = [ptr::null_mut(); 3];
            assert_eq!(code(f(nulls.as_mut_ptr(), 3)), "type");
        }
        let t = ray_eval_str(c"(table [a b] (list [1 2] [3 4]))".as_ptr());
        let mut args = [t, ray_eval_str(c"(list 1)".as_ptr())];
        // A row of the wrong width: the table's own insert error.
        assert!(!code(ray_insert(args.as_mut_ptr(), 2)).is_empty());
        assert_eq!(code(ray_select(args.as_mut_ptr(), 1)), "type");
        for a in args {
            ray_release(a);
        }
    }
}
