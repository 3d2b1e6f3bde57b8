//! librayforce: a Rust reimplementation of the RayforceDB v2 C API.
//!
//! | module | owns |
//! |---|---|
//! | `abi` | the `ray_t` layout and C constants (the only code that knows offsets) |
//! | `core` | the value model: blocks, refcounts, `Value`, syms, errors, env |
//! | `ops` | kernels shared by builtins and queries: access, gather, concat, nulls, type names, truthiness, keys, sort, tables, par |
//! | `codec` | wire encoding, decoding, compression |
//! | `lang` | Rayfall parser, evaluator, builtins, formatting |
//! | `query` | select/update/insert/upsert and joins |
//! | `store` | the storage layer: data on disk (column files, splayed and partitioned tables, symbol files, the `ray_aof_*` log) |
//! | `proto`, `net` | IPC framing, client, poll server |
//! | `ipc` | the evaluator as the server's handler, `.ipc.*` builtins |
//! | `journal` | the transaction journal (`-l`/`-L`, `.log.*`): frames, replay, recovery, snapshot |
//! | `runtime` | process-global runtime state: lifecycle, the interrupt flag, progress reporting |
//! | `api` | the safe Rust API |
//! | `ffi` | the `extern "C"` layer |
//! | `simd` | CPU-specific kernels (AVX-512), each with a portable twin elsewhere |
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

pub mod abi;
pub mod api;
pub mod codec;
pub mod core;
pub mod ffi;
pub mod ipc;
pub mod journal;
pub mod lang;
pub mod net;
pub mod ops;
pub mod proto;
pub mod query;
pub mod runtime;
pub mod simd;
pub mod store;

pub use crate::api::{ConnectionPool, RayVector, Runtime, TcpClient, TcpServer};
pub use crate::core::{RayError, Result, Value};

/// RayforceDB's documented Rust names for two of ours: `RayObj` is a
/// `Value` (one type for every value, atoms and vectors alike), `Rayforce`
/// is the `Runtime` handle (`Rayforce::new()?`, `ray.eval(src)`).
pub type RayObj = Value;
pub type Rayforce = Runtime;
