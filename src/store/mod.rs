//! The storage layer's home: data kept on disk, between the value model
//! (`core`, below) and the language (`lang`, above). It will own column
//! files, splayed and partitioned tables, symbol files and the journal;
//! today it holds only what the runtime needs at creation, the check of a
//! symbol file's path.
//!
//! It may use `core` and `codec`; it must not call into `lang`, `query`,
//! `net` or `ffi` (builtins that read or write tables call down into it).
//! Long operations report through `runtime::progress`.

pub mod sym_file;
