//! IPC above the language: joins the transport (`net`, which knows no
//! language) to the evaluator (`lang`, which knows no transport).
//!
//! | module | owns |
//! |---|---|
//! | `evaluator` | `net::Handler` implemented by the evaluator: requests, `.ipc.on.*` hooks, cancel scope |
//! | `builtins` | the `.ipc.open/send/post/close/handle` builtins, registered into `lang`'s registry |
//! | `client_names` | `hopen`, `Connection`, `ConnectionPool`, `IPCError`: RayforceDB's documented Rust client names over `api::TcpClient` |
//!
//! The handler also journals each sync request (`crate::journal`) before
//! it is evaluated; `install` registers the `.log.*` builtins too.
//!
//! [`install`] wires both once per process; `runtime::create` and the Rust
//! API's server and client call it, so every served request finds the
//! evaluator and every evaluation the `.ipc.*` builtins. Code that drives
//! `net::server::Poll` or `lang` directly calls it first (before the first
//! evaluation: the builtin registry is built once).
#![forbid(unsafe_code)]

pub mod builtins;
pub use builtins::repl_target;
pub mod client_names;
pub use crate::api::RayVector;
pub use client_names::{Connection, ConnectionPool, IPCError, PooledConnection, hopen, hopen_timeout};
pub mod evaluator;
pub mod listen;

/// Installs the evaluator as the transport's handler (idempotent, cheap).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        crate::net::handler::install(&evaluator::LangHandler);
        // Fails only when something evaluated before the first install;
        // the `.ipc.*` builtins are then missing, which tests catch.
        let _ = crate::lang::registry::register_family(builtins::BUILTINS);
        crate::journal::install();
    });
}
