//! IPC above the language: joins the transport (`net`, which knows no
//! language) to the evaluator (`lang`, which knows no transport).
//!
//! | module | owns |
//! |---|---|
//! | `evaluator` | `net::Handler` implemented by the evaluator: requests, `.ipc.on.*` hooks, cancel scope |
//!
//! [`install`] wires it once per process; `runtime::create` and the Rust
//! API's server and client call it, so every served request finds the
//! evaluator. Code that drives `net::server::Poll` directly calls it first.
#![forbid(unsafe_code)]

pub mod evaluator;

/// Installs the evaluator as the transport's handler (idempotent, cheap).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        crate::net::handler::install(&evaluator::LangHandler);
    });
}
