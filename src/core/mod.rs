//! The value model, in pure Rust over `ray_t` blocks.
//!
//! | module | owns |
//! |---|---|
//! | `alloc` | block sizes, malloc/realloc/free |
//! | `budget` | bytes of live blocks and the memory budget they may not pass |
//! | `rc` | retain/release/free and child traversal (the only refcount code) |
//! | `value` | `Value` (owned handle) and read accessors on `&ray_t` |
//! | `atom`, `vector`, `list` | constructors and copy-on-write mutators |
//! | `lazy` | vectors filled on first touch (SYM columns opened from disk) |
//! | `mapped` | objects inside memory-mapped files: keeps each mapping alive while they are |
//! | `sym` | the global intern table |
//! | `error` | `RayError` and C error objects |
//! | `env` | the global variable bindings |
//! | `index` | the index object a vector carries (`.idx.*`, `unique`/`grouped`/`parted`) |
//! | `statics` | `__ray_null`, `__ray_oom`, `ray_type_sizes` |
//! | `vec_ops` | element cells, vector builders, splice/concat, key lookup |
pub mod alloc;
pub mod atom;
pub mod budget;
pub mod env;
pub mod lazy;
pub mod error;
pub mod index;
pub mod list;
pub mod mapped;
pub mod rc;
pub mod statics;
pub mod sym;
pub mod temporal;
pub mod vec_ops;
pub mod value;
pub mod vector;

pub use error::{RayError, Result};
pub use value::{Elem, Value};
