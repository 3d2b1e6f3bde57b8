//! `Runtime`: a handle on the process-global runtime. The first live
//! handle creates it (unless C code already did); when the last handle that
//! the API created is dropped, the runtime is destroyed.

use crate::core::{RayError, Result};
use std::sync::Mutex;

/// (live handles, whether the API created the runtime)
static HANDLES: Mutex<(usize, bool)> = Mutex::new((0, false));

/// Keeps the runtime alive; cheap to create more than one.
pub struct Runtime {
    _private: (),
}

impl Runtime {
    /// Starts the runtime (or joins the live one).
    pub fn new() -> Result<Runtime> {
        let mut g = HANDLES.lock().unwrap_or_else(|e| e.into_inner());
        if !crate::runtime::is_live() {
            crate::runtime::create(None).ok_or_else(|| RayError::new("state", "runtime could not start"))?;
            g.1 = true;
        }
        g.0 += 1;
        Ok(Runtime { _private: () })
    }

    /// Evaluates Rayfall source locally (no network).
    pub fn eval(&self, src: &str) -> Result<crate::core::Value> {
        crate::lang::eval_str(src, crate::lang::RequestCtx { restricted: false, handle: -1 })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let mut g = HANDLES.lock().unwrap_or_else(|e| e.into_inner());
        g.0 -= 1;
        if g.0 == 0 && g.1 {
            g.1 = false;
            crate::runtime::destroy();
        }
    }
}
