//! Process-wide switches the user flips at run time: `.sys.timeit` (the
//! REPL prints each expression's time). One atomic per switch; readers
//! and writers on any thread.

use std::sync::atomic::{AtomicBool, Ordering};

static TIMEIT: AtomicBool = AtomicBool::new(false);

/// True when the REPL should print each expression's evaluation time.
pub fn timeit() -> bool {
    TIMEIT.load(Ordering::Relaxed)
}

pub fn set_timeit(on: bool) {
    TIMEIT.store(on, Ordering::Relaxed);
}
