//! Column files: one vector per file. `header` is the 32-byte header,
//! `write` writes raw columns, `read` loads (maps) them with the
//! reference's validation, `serial` handles list columns, `sym_cells`
//! turns SYM cells (symbol-file positions) into process symbol ids,
//! `index_region` reads and writes the optional index region ("XIDX")
//! after a payload, `built_index` builds the regions a save adds by itself
//! to large columns.

pub mod built_index;
pub mod header;
pub mod index_region;
pub mod read;
pub mod serial;
pub mod sym_cells;
pub mod write;

pub use read::load_column;
pub use write::{BuiltRegions, add_symbols, write_column};
