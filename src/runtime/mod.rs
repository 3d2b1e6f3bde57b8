//! The process-global runtime: create/destroy, the live-runtime flag, the
//! attached poll, the process-wide interrupt flag, destroy hooks, and
//! progress reporting (`progress`), which engine code calls directly, and
//! the process environment and shell (`os`), the query log (`querylog`),
//! run-time switches (`switches`) and how the process was started
//! (`launch`).
//!
//! Only one runtime may be live per process (symbols, env and builtins are
//! process-global); `create` refuses a second one. The runtime is not bound
//! to a thread: the evaluator's state is global, so any thread may evaluate.
//! This module knows no C types; `ffi::runtime` publishes `__RUNTIME`.

pub mod os;
pub mod progress;
pub mod profile;
pub mod querylog;
pub mod switches;
pub mod launch;

pub use crate::store::sym_file::SymLoad;
use crate::core::{env, sym};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static LIVE: AtomicBool = AtomicBool::new(false);
static POLL: AtomicUsize = AtomicUsize::new(0);
static INTERRUPT: AtomicBool = AtomicBool::new(false);
static DESTROY_HOOKS: Mutex<Vec<fn()>> = Mutex::new(Vec::new());

/// Starts the runtime: the symbol table (first loading the snapshot at
/// `sym_path`, if any) and the global env holding every builtin; reports
/// how the snapshot load went. None when a runtime is already
/// live.
pub fn create(sym_path: Option<&std::path::Path>) -> Option<SymLoad> {
    if LIVE.swap(true, Ordering::AcqRel) {
        return None;
    }
    sym::init();
    // Before the builtins intern their names: the snapshot's entries keep
    // their ids and the builtins reuse or extend them.
    let load = crate::store::sym_file::load_at_create(sym_path);
    crate::ipc::install();
    crate::lang::registry::bind_all();
    INTERRUPT.store(false, Ordering::Relaxed);
    Some(load)
}

/// Stops the runtime: runs the destroy hooks (e.g. the IPC layer's implicit
/// poll), detaches the poll and drops every global binding. The symbol
/// table is kept (ids stay stable for a later runtime), which the README
/// lists as a deviation.
pub fn destroy() {
    if !LIVE.load(Ordering::Acquire) {
        return;
    }
    let hooks: Vec<fn()> = DESTROY_HOOKS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for h in hooks {
        h();
    }
    POLL.store(0, Ordering::Release);
    env::clear();
    crate::core::alloc::release_kept();
    LIVE.store(false, Ordering::Release);
}

/// True between `create` and `destroy`.
pub fn is_live() -> bool {
    LIVE.load(Ordering::Acquire)
}

/// Registers `hook` to run at the start of every `destroy` (idempotent per
/// function).
pub fn on_destroy(hook: fn()) {
    let mut hooks = DESTROY_HOOKS.lock().unwrap_or_else(|e| e.into_inner());
    if !hooks.iter().any(|h| std::ptr::fn_addr_eq(*h, hook)) {
        hooks.push(hook);
    }
}

/// Attaches (address != 0) or detaches (0) the poll used by IPC; ignored
/// without a live runtime. The poll is borrowed, never destroyed here.
pub fn set_poll(addr: usize) {
    if is_live() {
        POLL.store(addr, Ordering::Release);
    }
}

/// The attached poll's address (0 when none).
pub fn poll() -> usize {
    POLL.load(Ordering::Acquire)
}

/// Sets the process-wide cancel flag (async-signal-safe: one atomic store,
/// so a SIGINT handler may call it). The running evaluation, on any thread,
/// stops with code "cancel" at its next check (every 1024 evaluation
/// steps), and later evaluations through the C API (`ray_eval_str`) and the
/// IPC server fail with "cancel" until `clear_interrupt`. The evaluator
/// reads this flag through `lang::limits::cancel_requested`.
pub fn request_interrupt() {
    INTERRUPT.store(true, Ordering::Release);
}

/// Clears the cancel flag: the next evaluation runs normally.
pub fn clear_interrupt() {
    INTERRUPT.store(false, Ordering::Release);
}

/// Reads the cancel flag (the evaluator polls this).
pub fn interrupted() -> bool {
    INTERRUPT.load(Ordering::Acquire)
}
