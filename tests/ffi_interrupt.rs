//! `ray_request_interrupt` from another thread stops a running
//! `ray_eval_str` with `cancel`; evaluations keep failing with `cancel`
//! until `ray_clear_interrupt`, and the next one then runs normally
//! (c-api.md 5.6). The flag is process-wide: this file holds one test.

use rayforce::abi::{RAY_ERROR, ray_t};
use rayforce::ffi::error::{ray_err_code, ray_error_free};
use rayforce::ffi::eval::ray_eval_str;
use rayforce::ffi::rc::ray_release;
use rayforce::ffi::runtime::*;
use std::ffi::CStr;
use std::time::{Duration, Instant};

/// About 20 million lambda calls: seconds in any build, far longer than the
/// wait before the interrupt, and little memory.
const LONG: &CStr = c"(fold (fn [a i] (+ a (fold (fn [b x] (+ b x)) 0 (til 1000)))) 0 (til 20000))";

fn code(r: *mut ray_t) -> Option<String> {
    // SAFETY: r is a live result of ray_eval_str.
    let c = unsafe { ray_err_code(r) };
    // SAFETY: non-NULL codes are NUL-terminated.
    (!c.is_null()).then(|| unsafe { CStr::from_ptr(c) }.to_string_lossy().into_owned())
}

fn eval(src: &CStr) -> *mut ray_t {
    // SAFETY: a NUL-terminated source.
    unsafe { ray_eval_str(src.as_ptr()) }
}

fn free(r: *mut ray_t) {
    // SAFETY: r is a live result we own.
    unsafe {
        if (*r).type_ == RAY_ERROR { ray_error_free(r) } else { ray_release(r) }
    }
}

#[test]
fn an_interrupt_from_another_thread_stops_a_running_eval_until_cleared() {
    // SAFETY: no arguments.
    let rt = unsafe { ray_runtime_create(0, std::ptr::null_mut()) };
    assert!(!rt.is_null());
    assert!(!ray_interrupted());

    let interrupter = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(200));
        ray_request_interrupt();
    });
    let started = Instant::now();
    let r = eval(LONG);
    let took = started.elapsed();
    interrupter.join().unwrap();
    assert_eq!(code(r).as_deref(), Some("cancel"), "the long evaluation was not stopped");
    assert!(took >= Duration::from_millis(150), "stopped before the interrupt: {took:?}");
    free(r);

    // Still set: the next evaluation fails too, until cleared.
    assert!(ray_interrupted());
    let r = eval(c"(+ 1 2)");
    assert_eq!(code(r).as_deref(), Some("cancel"));
    free(r);

    ray_clear_interrupt();
    assert!(!ray_interrupted());
    let r = eval(c"(+ 1 2)");
    assert_eq!(code(r), None);
    // SAFETY: r is a live I64 atom.
    assert_eq!(unsafe { (*r).val.i64_ }, 3);
    free(r);
    // And a long one runs to its end again (a shorter one, to keep the test quick).
    let r = eval(c"(fold (fn [a i] (+ a i)) 0 (til 10000))");
    // SAFETY: as above.
    assert_eq!((code(r), unsafe { (*r).val.i64_ }), (None, 49_995_000));
    free(r);

    // SAFETY: rt is the live runtime.
    unsafe { ray_runtime_destroy(rt) };
}
