//! Build script: compiles the tiny C shim that provides the C-variadic
//! `ray_error(code, fmt, ...)` (stable Rust cannot define C variadics), and
//! nothing else. It never writes into the source tree.
fn main() {
    println!("cargo:rerun-if-changed=csrc/ray_error.c");
    cc::Build::new()
        .file("csrc/ray_error.c")
        .flag_if_supported("-std=c11")
        .warnings(true)
        .compile("rayforce_shim");
}
