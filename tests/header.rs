//! The committed `include/rayforce.h` must be exactly what cbindgen generates
//! from `src/` with `cbindgen.toml`. `RAYFORCE_BLESS=1 cargo test --test header`
//! (or `make header`) rewrites it.

use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn committed_header_matches_the_ffi_layer() {
    let fresh = generate();
    let path = crate_dir().join("include/rayforce.h");
    if std::env::var_os("RAYFORCE_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/rayforce.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/rayforce.h is stale: run `make header` (RAYFORCE_BLESS=1 cargo test --test header) and commit it"
    );
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
