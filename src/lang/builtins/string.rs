//! Builtins: string family (see spec/rayfall.md section 8). Registered by the
//! evaluator from `BUILTINS`.
#![forbid(unsafe_code)]

use super::spec::Spec;

pub const BUILTINS: &[Spec] = &[];
