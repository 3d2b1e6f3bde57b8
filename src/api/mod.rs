//! The safe Rust API: `Runtime`, `Value` (typed accessors in `value`),
//! `TcpClient`, `ConnectionPool`, `TcpServer`, `RayVector`. No raw pointers cross it.
#![forbid(unsafe_code)]

pub mod client;
pub mod runtime;
pub mod server;
pub mod value;
pub mod vector;

pub use client::{ConnectionPool, PooledConnection, TcpClient};
pub use runtime::Runtime;
pub use server::{RunningServer, StopHandle, TcpServer};
pub use value::VecElem;
pub use vector::RayVector;
