//! The object-model exports called from Rust as a C client would: NULL
//! and wrong-type arguments give the documented NULL/0/error answers, and
//! consuming mutators leave inputs intact on error.

use rayforce::abi::*;
use rayforce::ffi::{atom::*, dict::*, error::*, list::*, rc::*, string::*, table::*, vector::*};
use std::ptr;

unsafe fn code(e: *mut ray_t) -> String {
    let c = unsafe { ray_err_code(e) };
    assert!(!c.is_null(), "expected an error object");
    unsafe { std::ffi::CStr::from_ptr(c) }.to_string_lossy().into_owned()
}

#[test]
fn null_arguments_are_answered_without_crashing() {
    unsafe {
        for e in [
            ray_vec_append(ptr::null_mut(), ptr::null()),
            ray_vec_set(ptr::null_mut(), 0, ptr::null()),
            ray_vec_slice(ptr::null_mut(), 0, 0),
            ray_vec_concat(ptr::null_mut(), ptr::null_mut()),
            ray_vec_insert_many(ptr::null_mut(), ptr::null_mut(), ptr::null_mut()),
            ray_list_append(ptr::null_mut(), ptr::null_mut()),
            ray_list_insert_many(ptr::null_mut(), ptr::null_mut(), ptr::null_mut()),
            ray_str_vec_append(ptr::null_mut(), ptr::null(), 0),
            ray_str_vec_compact(ptr::null_mut()),
            ray_table_add_col(ptr::null_mut(), 0, ptr::null_mut()),
            ray_dict_new(ptr::null_mut(), ptr::null_mut()),
            ray_dict_remove(ptr::null_mut(), ptr::null_mut()),
        ] {
            assert_eq!((*e).type_, RAY_ERROR);
            ray_error_free(e);
        }
        assert!(ray_vec_get(ptr::null_mut(), 0).is_null());
        assert!(ray_list_get(ptr::null_mut(), 0).is_null());
        assert!(ray_dict_get(ptr::null_mut(), ptr::null_mut()).is_null());
        assert_eq!(ray_table_nrows(ptr::null_mut()), 0);
        assert_eq!(ray_str_len(ptr::null_mut()), 0);
        assert!(!ray_vec_is_null(ptr::null_mut(), 0));
        ray_release(ptr::null_mut());
        ray_retain(ptr::null_mut());
    }
}

#[test]
fn wrong_types_are_type_errors_and_the_input_stays_owned() {
    unsafe {
        let atom = ray_i64(5);
        let one: i64 = 1;
        let e = ray_vec_append(atom, &one as *const i64 as *const _);
        assert_eq!(code(e), "type");
        ray_error_free(e);
        let e = ray_list_append(atom, atom);
        assert_eq!(code(e), "type");
        ray_error_free(e);
        let e = ray_str_vec_set(atom, 0, c"x".as_ptr(), 1);
        assert_eq!(code(e), "type");
        ray_error_free(e);
        assert_eq!((*atom).rc.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!((*atom).i64_val(), 5);
        ray_release(atom);
    }
}

#[test]
fn out_of_range_indexes_leave_a_shared_vector_untouched() {
    unsafe {
        let xs = [1i64, 2, 3];
        let v = ray_vec_from_raw(RAY_I64, xs.as_ptr() as *const _, 3);
        ray_retain(v);
        let nine = 9i64;
        let e = ray_vec_set(v, 3, &nine as *const i64 as *const _);
        assert_eq!(code(e), "range");
        ray_error_free(e);
        assert_eq!((*v).rc.load(std::sync::atomic::Ordering::Relaxed), 2);
        let w = ray_vec_set(v, 0, &nine as *const i64 as *const _);
        assert_ne!(w, v);
        assert_eq!((*v).elems::<i64>(), &[1, 2, 3]);
        assert_eq!((*w).elems::<i64>(), &[9, 2, 3]);
        ray_release(v);
        ray_release(v);
        ray_release(w);
    }
}

#[test]
fn setting_an_element_drops_the_vector_index() {
    // c-api.md: ray_vec_set drops an attached index (here `unique`, which
    // the new value would break), in place or on the copy.
    let v = rayforce::lang::eval_str("(.attr.set 'unique [1 2 3])", Default::default()).unwrap();
    assert!(rayforce::core::index::attached(&v).is_some());
    unsafe {
        let one = 1i64;
        // ray_vec_set takes over the reference it is given.
        let shared = v.clone().into_raw();
        let w = ray_vec_set(shared, 1, &one as *const i64 as *const _);
        assert_ne!(w, shared, "a shared vector is copied");
        assert!(rayforce::core::index::attached(&*w).is_none());
        assert!(rayforce::core::index::attached(&v).is_some(), "the original keeps its index");
        let own = v.into_raw();
        let x = ray_vec_set(own, 2, &one as *const i64 as *const _);
        assert_eq!(x, own, "the only owner is changed in place");
        assert!(rayforce::core::index::attached(&*x).is_none());
        assert_eq!((*x).elems::<i64>(), &[1, 2, 1]);
        ray_release(x);
        ray_release(w);
    }
}

#[test]
fn a_malformed_hand_built_table_is_answered_not_unwound() {
    unsafe {
        // A "table" whose schema is an I32 vector: reading it as int64 name
        // ids fails inside the library; the boundary answers with the
        // fallbacks of the return types: the static "panic" error, -1.
        let xs = [1i32];
        let schema = ray_vec_from_raw(RAY_I32, xs.as_ptr() as *const _, 1);
        let cols = ray_list_new(1);
        let t = rayforce::ffi::alloc::ray_alloc(16);
        (*t).type_ = RAY_TABLE;
        *((t as *mut u8).add(32) as *mut *mut ray_t) = schema;
        *((t as *mut u8).add(40) as *mut *mut ray_t) = cols;
        (*t).val.i64_ = 2;
        let col = ray_table_get_col(t, 1);
        assert!(!col.is_null() && (*col).type_ == RAY_ERROR);
        assert_eq!(code(col), "panic");
        assert_eq!(ray_table_col_name(t, 0), -1);
        ray_release(t);
    }
}
