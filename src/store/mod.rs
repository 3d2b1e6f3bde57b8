//! The storage layer's home: data kept on disk, between the value model
//! (`core`, below) and the language (`lang`, above). It will own column
//! files, splayed and partitioned tables, symbol files and the journal.
//! `file` is the one way to write a file (atomically); `sym_file` checks a
//! symbol file's path for the runtime at creation.
//!
//! It may use `core` and `codec`; it must not call into `lang`, `query`,
//! `net` or `ffi` (builtins that read or write tables call down into it).
//! Long operations report through `runtime::progress`.

pub mod file;
pub mod sym_file;
