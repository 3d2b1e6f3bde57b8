//! Builtin functions, one file per family. Context-free families export a
//! `BUILTINS: &[spec::Spec]` table that the evaluator registers; the
//! evaluator's own families (`arith cmp agg control higher sys`) export
//! `BUILTINS: &[registry::Entry]`, which may need the evaluator.
pub mod spec;

pub mod agg;
pub mod num;
pub mod arith;
pub mod cast;
pub mod cmp;
pub mod collection;
pub mod control;
pub mod dict;
pub mod higher;
pub mod ipc;
pub mod string;
pub mod sys;
pub mod table;
pub mod temporal;
pub mod util_args;
