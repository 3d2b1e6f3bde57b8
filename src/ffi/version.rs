//! Version functions. They report the RayforceDB API level this library
//! implements, taken from Cargo.toml's version (2.5.12), the same source as
//! the `RAY_VERSION_*` macros of `rayforce_abi.h` (checked by tests/header.rs).

use crate::ffi_guard;
use core::ffi::{CStr, c_char, c_int};

const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(s) => s,
    Err(_) => panic!("version has an interior NUL"),
};

const fn parse(s: &str) -> c_int {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n: c_int = 0;
    while i < b.len() {
        n = n * 10 + (b[i] - b'0') as c_int;
        i += 1;
    }
    n
}

/// Major version of the implemented API (2).
#[unsafe(no_mangle)]
pub extern "C" fn ray_version_major() -> c_int {
    ffi_guard!({ parse(env!("CARGO_PKG_VERSION_MAJOR")) })
}

/// Minor version of the implemented API (5).
#[unsafe(no_mangle)]
pub extern "C" fn ray_version_minor() -> c_int {
    ffi_guard!({ parse(env!("CARGO_PKG_VERSION_MINOR")) })
}

/// Patch version of the implemented API (12).
#[unsafe(no_mangle)]
pub extern "C" fn ray_version_patch() -> c_int {
    ffi_guard!({ parse(env!("CARGO_PKG_VERSION_PATCH")) })
}

/// "MAJOR.MINOR.PATCH" ("2.5.12"). Static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn ray_version_string() -> *const c_char {
    ffi_guard!({ VERSION.as_ptr() })
}
