//! The storage layer's home: data kept on disk, between the value model
//! (`core`, below) and the language (`lang`, above).
//!
//! | module | owns |
//! |---|---|
//! | `csv` | CSV import and export (`.csv.read`, `.csv.write`) |
//! | `file` | the one way to write a file: atomically (temporary, fsync, rename) |
//! | `column` | column files: the 32-byte header, raw and serialized payloads, mapped loading |
//! | `vocab` | table symbol files (`.sym`, STRL): positions ↔ process symbols, locked flushes |
//! | `splayed` | a table as a directory of column files plus `.d` |
//! | `parted` | a database of partition directories holding splayed tables |
//! | `sym_file` | the symbol file named at runtime creation |
//! | `whole_file` | a file's entire content read or replaced at once (`read`, `write`, `load`, `ray_obj_save`) |
//!
//! It may use `core`, `ops` and `codec`; it must not call into `lang`,
//! `query`, `net` or `ffi` (builtins that read or write tables call down
//! into it). Long operations report through `runtime::progress`.

pub mod column;
pub mod csv;
pub mod aof;
pub mod file;
pub mod parted;
pub mod splayed;
pub mod sym_file;
pub mod vocab;
pub mod whole_file;
