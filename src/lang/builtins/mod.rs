//! Builtin functions, one file per family. Every family exports a
//! `BUILTINS: &[spec::Builtin]` descriptor table (one row per builtin:
//! name, arity, implementation, flags, grouped kernel) that
//! `lang::registry::FAMILIES` lists.
pub mod spec;

pub mod agg;
pub mod num;
pub mod os;
pub mod arith;
pub mod attr;
pub mod col;
pub mod cast;
pub mod cmp;
pub mod collection;
pub mod control;
pub mod db;
pub mod csv;
pub mod dict;
pub mod files;
pub mod higher;
pub mod idx;
pub mod reshape;
pub mod string;
pub mod sys;
pub mod table;
pub mod temporal;
pub mod util_args;
pub mod window;
pub mod stats;
pub mod math;
pub mod listfn;
pub mod introspect;
pub mod query_only;
