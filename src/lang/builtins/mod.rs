//! Builtin functions, one file per family, registered from static tables.
pub mod spec;
