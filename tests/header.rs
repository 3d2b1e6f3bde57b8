//! The committed `include/rayforce.h` must be exactly what cbindgen generates
//! from `src/` with `cbindgen.toml`, and `include/rayforce_internal.h` what it
//! generates from `src/ffi/internal.rs` alone with `cbindgen_internal.toml`.
//! `RAYFORCE_BLESS=1 cargo test --test header` (or `make header`) rewrites
//! both.

use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write(bindings: cbindgen::Bindings) -> String {
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

fn generate() -> String {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    write(cbindgen::Builder::new().with_crate(&dir).with_config(config).generate().expect("cbindgen generates the header"))
}

const INTERNAL_SRC: &str = "src/ffi/internal.rs";

fn generate_internal() -> String {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen_internal.toml")).expect("cbindgen_internal.toml parses");
    write(
        cbindgen::Builder::new()
            .with_src(dir.join(INTERNAL_SRC))
            .with_config(config)
            .generate()
            .expect("cbindgen generates the internal header"),
    )
}

/// Compares `fresh` with the committed `include/NAME`, or writes it when blessing.
fn check_committed(name: &str, fresh: &str) {
    let path = crate_dir().join("include").join(name);
    if std::env::var_os("RAYFORCE_BLESS").is_some() {
        std::fs::write(&path, fresh).unwrap_or_else(|e| panic!("write include/{name}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/{name} is stale: run `make header` (RAYFORCE_BLESS=1 cargo test --test header) and commit it"
    );
}

#[test]
fn committed_header_matches_the_ffi_layer() {
    check_committed("rayforce.h", &generate());
}

#[test]
fn committed_internal_header_matches_the_internal_exports() {
    check_committed("rayforce_internal.h", &generate_internal());
}

/// The exported function names of `src/ffi/internal.rs`.
fn internal_exports() -> Vec<String> {
    let src = std::fs::read_to_string(crate_dir().join(INTERNAL_SRC)).unwrap();
    src.split("pub unsafe extern \"C\" fn ")
        .skip(1)
        .map(|rest| rest.split('(').next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn internal_exports_are_declared_once() {
    let exports = internal_exports();
    assert!(exports.len() >= 5, "found {exports:?}");
    let internal = generate_internal();
    let public = std::fs::read_to_string(crate_dir().join("include/rayforce.h")).unwrap();
    let excluded = std::fs::read_to_string(crate_dir().join("cbindgen.toml")).unwrap();
    for name in &exports {
        assert!(internal.contains(&format!(" *{name}(")) || internal.contains(&format!(" {name}(")), "{name} missing from rayforce_internal.h");
        assert!(
            !public.contains(&format!("{name}(")),
            "{name} is declared in rayforce.h too"
        );
        assert!(excluded.contains(&format!("\"{name}\"")), "add \"{name}\" to cbindgen.toml's exclude list");
    }
}

#[test]
fn header_version_macros_match_cargo_toml() {
    let abi = std::fs::read_to_string(crate_dir().join("include/rayforce_abi.h")).unwrap();
    let mut parts = env!("CARGO_PKG_VERSION").split('.');
    for name in ["MAJOR", "MINOR", "PATCH"] {
        let want = format!("#define RAY_VERSION_{name} {}", parts.next().unwrap());
        assert!(abi.contains(&want), "rayforce_abi.h lacks `{want}`");
    }
}
