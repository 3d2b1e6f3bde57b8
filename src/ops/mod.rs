//! Kernels: the column-at-a-time operations that both the builtins
//! (`lang::builtins`) and the query engine (`query`) call. Above `core`
//! (values, vectors), below `lang` and `query`: nothing here parses,
//! evaluates or knows a builtin's name. Hot loops run over typed slices,
//! monomorphic per element type (`with_prim!`); nothing dispatches or
//! allocates per element.
//!
//! | module | owns |
//! |---|---|
//! | `prim` | element types behind vector tags (`Prim`, `with_prim!`), tag predicates |
//! | `access` | one element as an atom (`atom_at`, `elem`), counts, integer columns widened to i64 |
//! | `build` | vectors from slices, iterators and atoms; repeating an atom; LIST boxing |
//! | `nulls` | typed null atoms, null tests and masks, the HAS_NULLS attribute |
//! | `gather` | selection by index, mask and range (parallel for many rows) |
//! | `concat` | joining vectors |
//! | `types` | type names and truthiness (one rule each) |
//! | `keys` | the fast hasher, key columns, membership, group ids, structural keys |
//! | `table` | table columns, names, shape checks and rows (one out-of-range rule) |
//! | `index` | building vector indexes (hash, sort, zone, bloom, part) and the `unique`/`parted` checks |
//! | `sort` | grading vectors and stable multi-key row permutations |
//! | `radix` | stable radix sorts of row ids by packed integer keys |
//! | `pack` | integer-like columns as typed slices; key tuples packed into one u64 |
//! | `par` | thread counts and row splits for the parallel kernels |
#![forbid(unsafe_code)]

pub mod access;
pub mod build;
pub mod concat;
pub mod gather;
pub mod index;
pub mod keys;
pub mod nulls;
pub mod pack;
pub mod par;
pub mod prim;
pub mod radix;
pub mod sort;
pub mod table;
pub mod types;

pub(crate) use prim::with_prim;
pub use access::*;
pub use build::*;
pub use concat::*;
pub use gather::*;
pub use nulls::*;
pub use prim::{Prim, has_sentinel, is_numeric, is_temporal, sym_ids};
pub use types::*;
