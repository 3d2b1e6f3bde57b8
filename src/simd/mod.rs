//! CPU-specific kernels: the only code that uses `std::arch`.
//!
//! Every public function here is safe to call on any machine: it checks the
//! CPU itself (once, cached by std) and otherwise reports that it did
//! nothing, so its caller keeps a portable path that gives the same bytes.
//! The `unsafe` in this module is of two kinds, each with a `// SAFETY:`
//! note: calling a `#[target_feature]` function after the feature check,
//! and unaligned 64-byte loads and stores whose bounds are checked first.

pub mod rle;
