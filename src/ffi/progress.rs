//! The C face of progress reporting (`runtime::progress` holds the state):
//! `ray_progress_set_callback` registers a C callback as the runtime's
//! sink; the other exports forward C strings and counters.

use crate::ffi::cstr_bytes;
use crate::ffi_guard;
use crate::runtime::progress::{self, Sink, Tick};
use core::ffi::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

/// Mirror of the header's `ray_progress_t` (64 bytes).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct ray_progress_t {
    pub op_name: *const c_char,
    pub phase: *const c_char,
    pub rows_done: u64,
    pub rows_total: u64,
    pub elapsed_sec: f64,
    pub mem_used: i64,
    pub mem_total: i64,
    pub final_: bool,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<ray_progress_t>() == 64);
    assert!(offset_of!(ray_progress_t, elapsed_sec) == 32);
    assert!(offset_of!(ray_progress_t, final_) == 56);
};

/// `ray_progress_cb`: must not unwind (C++ callbacks must not throw).
#[allow(non_camel_case_types)]
pub type ray_progress_cb = Option<unsafe extern "C" fn(progress: *const ray_progress_t, user: *mut c_void)>;

/// The runtime sink that calls `cb` with `user`.
fn c_sink(cb: unsafe extern "C" fn(*const ray_progress_t, *mut c_void), user: *mut c_void) -> Sink {
    let user = user as usize;
    Arc::new(move |t: &Tick<'_>| {
        let p = ray_progress_t {
            op_name: t.op.as_ptr(),
            phase: t.phase.as_ptr(),
            rows_done: t.rows_done,
            rows_total: t.rows_total,
            elapsed_sec: t.elapsed.as_secs_f64(),
            mem_used: crate::core::alloc::bytes_in_use() as i64,
            mem_total: crate::ffi::runtime::ray_sys_total_ram(),
            final_: t.is_final,
        };
        // SAFETY: the registered C callback receives a pointer valid for the call.
        unsafe { cb(&p, user as *mut c_void) };
    })
}

/// Registers `cb` (NULL disables) with `user` as its second argument. It
/// fires for operations running at least `min_ms`, at most once every
/// `tick_interval_ms`, plus a final tick (progress->final) at the end of
/// an operation that showed progress.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_set_callback(cb: ray_progress_cb, user: *mut c_void, min_ms: u64, tick_interval_ms: u64) {
    ffi_guard!({
        let sink = cb.map(|cb| c_sink(cb, user));
        progress::set_sink(sink, Duration::from_millis(min_ms), Duration::from_millis(tick_interval_ms));
    })
}

/// Updates the current operation's counters (NULL labels keep the previous
/// ones; the first update starts the clock) and fires the callback when due.
///
/// # Safety
/// `op_name` and `phase` are NULL or NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_progress_update(op_name: *const c_char, phase: *const c_char, rows_done: u64, rows_total: u64) {
    ffi_guard!({
        // SAFETY: caller contract.
        let (op, phase) = unsafe { (cstr_bytes(op_name), cstr_bytes(phase)) };
        progress::report(op, phase, rows_done, rows_total);
    })
}

/// Changes the labels only (NULL keeps a label).
///
/// # Safety
/// As `ray_progress_update`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_progress_label(op_name: *const c_char, phase: *const c_char) {
    ffi_guard!({
        // SAFETY: caller contract.
        let (op, phase) = unsafe { (cstr_bytes(op_name), cstr_bytes(phase)) };
        progress::label(op, phase);
    })
}

/// Ends the current operation: a final tick if progress was shown, then
/// the counters and clock reset.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_end() {
    ffi_guard!({ progress::end() })
}

/// True while a callback is registered.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_active() -> bool {
    ffi_guard!({ progress::active() })
}

/// Starts a phase of `phase_rows_total` rows (rows done reset to 0).
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_dispatch_begin(phase_rows_total: u64) {
    ffi_guard!({ progress::begin_phase(phase_rows_total) })
}

/// Samples the clock and fires the callback when due.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_pump() {
    ffi_guard!({ progress::pump() })
}
