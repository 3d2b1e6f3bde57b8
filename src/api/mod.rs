//! The safe Rust API: `Runtime`, `Value` (typed accessors here),
//! `TcpClient`, `TcpServer`, `ConnectionPool`. No raw pointers cross it.
#![forbid(unsafe_code)]

pub mod value;

pub use value::VecElem;
