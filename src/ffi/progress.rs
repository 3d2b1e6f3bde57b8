//! Progress reporting for long operations: a registered C callback fired
//! at most once per tick once an operation has run for `min_ms`. The
//! state is process-wide; the callback runs on the thread that reports
//! progress, never while a library lock is held.

use crate::ffi::cstr_bytes;
use crate::ffi_guard;
use core::ffi::{c_char, c_void};
use std::ffi::CString;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

struct State {
    cb: ray_progress_cb,
    user: usize,
    min: Duration,
    tick: Duration,
    op: Option<CString>,
    phase: Option<CString>,
    done: u64,
    total: u64,
    started: Option<Instant>,
    last_fire: Option<Instant>,
}

static STATE: Mutex<State> = Mutex::new(State {
    cb: None,
    user: 0,
    min: Duration::ZERO,
    tick: Duration::ZERO,
    op: None,
    phase: None,
    done: 0,
    total: 0,
    started: None,
    last_fire: None,
});

fn lock() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Decides under the lock whether to fire; fires after releasing it.
fn maybe_fire(is_final: bool) {
    let snapshot = {
        let mut s = lock();
        let (Some(cb), Some(start)) = (s.cb, s.started) else { return };
        let now = Instant::now();
        let elapsed = now.duration_since(start);
        let due = if is_final {
            s.last_fire.is_some()
        } else {
            elapsed >= s.min && s.last_fire.is_none_or(|t| now.duration_since(t) >= s.tick)
        };
        if !due {
            return;
        }
        s.last_fire = Some(now);
        (cb, s.user, s.op.clone().unwrap_or_default(), s.phase.clone().unwrap_or_default(), s.done, s.total, elapsed.as_secs_f64())
    };
    let (cb, user, op, phase, done, total, elapsed) = snapshot;
    let p = ray_progress_t {
        op_name: op.as_ptr(),
        phase: phase.as_ptr(),
        rows_done: done,
        rows_total: total,
        elapsed_sec: elapsed,
        mem_used: 0,
        mem_total: crate::ffi::runtime::ray_sys_total_ram(),
        final_: is_final,
    };
    // SAFETY: the registered C callback receives a pointer valid for the call.
    unsafe { cb(&p, user as *mut c_void) };
}

/// Registers `cb` (NULL disables) with `user` as its second argument. It
/// fires for operations running at least `min_ms`, at most once every
/// `tick_interval_ms`, plus a final tick (progress->final) at the end of
/// an operation that showed progress.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_set_callback(cb: ray_progress_cb, user: *mut c_void, min_ms: u64, tick_interval_ms: u64) {
    ffi_guard!({
        let mut s = lock();
        s.cb = cb;
        s.user = user as usize;
        s.min = Duration::from_millis(min_ms);
        s.tick = Duration::from_millis(tick_interval_ms);
    })
}

fn relabel(s: &mut State, op_name: *const c_char, phase: *const c_char) {
    // SAFETY: the exports' contract: NULL or NUL-terminated strings.
    if let Some(b) = unsafe { cstr_bytes(op_name) } {
        s.op = Some(CString::new(b).unwrap_or_default());
    }
    // SAFETY: as above.
    if let Some(b) = unsafe { cstr_bytes(phase) } {
        s.phase = Some(CString::new(b).unwrap_or_default());
    }
}

/// Updates the current operation's counters (NULL labels keep the previous
/// ones; the first update starts the clock) and fires the callback when due.
///
/// # Safety
/// `op_name` and `phase` are NULL or NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_progress_update(op_name: *const c_char, phase: *const c_char, rows_done: u64, rows_total: u64) {
    ffi_guard!({
        {
            let mut s = lock();
            relabel(&mut s, op_name, phase);
            s.done = rows_done;
            s.total = rows_total;
            s.started.get_or_insert_with(Instant::now);
        }
        maybe_fire(false);
    })
}

/// Changes the labels only (NULL keeps a label).
///
/// # Safety
/// As `ray_progress_update`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_progress_label(op_name: *const c_char, phase: *const c_char) {
    ffi_guard!({ relabel(&mut lock(), op_name, phase) })
}

/// Ends the current operation: a final tick if progress was shown, then
/// the counters and clock reset.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_end() {
    ffi_guard!({
        maybe_fire(true);
        let mut s = lock();
        s.started = None;
        s.last_fire = None;
        s.done = 0;
        s.total = 0;
    })
}

/// True while a callback is registered.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_active() -> bool {
    ffi_guard!({ lock().cb.is_some() })
}

/// Starts a phase of `phase_rows_total` rows (rows done reset to 0).
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_dispatch_begin(phase_rows_total: u64) {
    ffi_guard!({
        let mut s = lock();
        s.done = 0;
        s.total = phase_rows_total;
        s.started.get_or_insert_with(Instant::now);
    })
}

/// Samples the clock and fires the callback when due.
#[unsafe(no_mangle)]
pub extern "C" fn ray_progress_pump() {
    ffi_guard!({ maybe_fire(false) })
}
