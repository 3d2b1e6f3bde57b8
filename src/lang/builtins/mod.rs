//! Builtin functions, one file per family. Context-free families export a
//! `BUILTINS: &[spec::Spec]` table that the evaluator registers.
pub mod spec;

pub mod cast;
pub mod collection;
pub mod dict;
pub mod ipc;
pub mod string;
pub mod table;
pub mod temporal;
pub mod util_args;
pub mod util_vec;
pub mod util_keys;
