//! Storage beyond the plain tables of store_files.rs: linked columns
//! (`.col.*`, `fkeys`) and their `<column>.link` sidecars (storage.md 1.8,
//! check 9), and files with index regions (check 5). The builtin answers
//! were captured from RayforceDB 2.5.12; `tests/fixtures/store/ref_extra/`
//! was written by it from `tests/fixtures/store/extra.rfl` (`regen.sh`).
use rayforce::lang::reset;
use std::path::PathBuf;

#[path = "support/eval.rs"]
mod eval;
use eval::text_msg as ev;

fn reference_files() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/ref_extra")
}

#[test]
fn links_behave_and_persist_as_in_the_reference() {
    rayforce::ipc::install();
    reset();
    ev("(set custs (table [id name] (list [10 20 30] ['a 'b 'c])))");
    ev("(set cu2 custs)");
    for (q, want) in [
        ("(set w (.col.link 'custs [0 2 1]))", "[0 2 1]"),
        ("(.col.link? w)", "true"),
        ("(.col.target w)", "custs"),
        ("(type (.col.target w))", "sym"),
        ("(.col.link? [0 2 1])", "false"),
        ("(type (.col.target [1]))", "null"),
        ("(.col.link? (.col.unlink w))", "false"),
        ("(.col.link? w)", "true"),
        ("(.col.unlink 1)", "1"),
        ("(.col.unlink 'a)", "a"),
        ("(.col.link? 1)", "false"),
        ("(+ w 1)", "[1 3 2]"),
        ("(at w 1)", "2"),
        ("(.col.link? (+ w 1))", "false"),
        ("(.col.link? (take w 2))", "false"),
        ("(.col.link? (reverse w))", "false"),
        ("(.col.link? (asc w))", "false"),
        ("(.col.link? (as 'I32 w))", "false"),
        ("(.col.target (.col.link 'custs (as 'I32 [1])))", "custs"),
        ("(.col.link 'custs [])", "[]"),
        ("(.col.target (.col.link 'cu2 w))", "cu2"),
        ("(.col.target w)", "custs"),
        ("(set t (table [c q] (list w [1 2 3])))", "(c q)\n((0 2 1) (1 2 3))"),
        ("(.col.link? (at t 'c))", "true"),
        ("(.col.link? (at (select {from: t}) 'c))", "true"),
        ("(.col.link? (at (select {from: t where: (> q 1)}) 'c))", "false"),
        ("(fkeys t)", "{c:custs}"),
        ("(type (value (fkeys t)))", "LIST"),
        ("(fkeys (table [a b] (list (.col.link 'custs [1]) (.col.link 'cu2 [2]))))", "{a:custs b:cu2}"),
        ("(fkeys custs)", "{}"),
        ("(.col.link w 'custs)", "error: type: (.col.link target v): target must be a sym"),
        ("(.col.link \"custs\" [1])", "error: type: (.col.link target v): target must be a sym"),
        ("(.col.link 'custs [1.0])", "error: type: link: column must be RAY_I32 or RAY_I64 (got 7)"),
        ("(.col.link 'custs (as 'I16 [1 2]))", "error: type: link: column must be RAY_I32 or RAY_I64 (got 3)"),
        ("(.col.link 'custs 5)", "error: type: link: column must be RAY_I32 or RAY_I64 (got -5)"),
        ("(.col.link 'custs (list 1 2))", "error: type: link: column must be RAY_I32 or RAY_I64 (got 0)"),
        ("(.col.link 'nosuch [1.0])", "error: type: link: column must be RAY_I32 or RAY_I64 (got 7)"),
        ("(.col.link 'nosuch [1])", "error: name: link: target sym does not name a table"),
        ("(.col.link 'w [1])", "error: name: link: target sym does not name a table"),
        ("(.col.link 'custs)", "error: arity: expected 2 args, got 1"),
        ("(.col.target)", "error: arity: expected 1 arg, got 0"),
    ] {
        if q.starts_with("(set t ") {
            ev(q);
            continue;
        }
        assert_eq!(ev(q), want, "{q}");
    }

    // Files the reference wrote: the sidecar names the target, the column
    // comes back linked (I64 and I32).
    let root = reference_files();
    assert_eq!(std::fs::read(root.join("linked/cust.link")).unwrap(), b"custs");
    let get = |dir: &str| format!("(.db.splayed.get \"{}\")", root.join(dir).display());
    assert_eq!(ev(&format!("(fkeys {})", get("linked"))), "{cust:custs}");
    assert_eq!(ev(&format!("(at {} 'cust)", get("linked"))), "[0 2 1 0]");
    assert_eq!(ev(&format!("(fkeys {})", get("linked32"))), "{c:custs}");

    // Ours: the sidecar holds the bare name and the load is linked; a save
    // without the link removes it; a sidecar with trailing blanks is read
    // as the reference reads it, an empty one is no link.
    let dir = std::env::temp_dir().join(format!("rayforce-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let at = |name: &str| dir.join(name).display().to_string();
    ev(&format!("(.db.splayed.set \"{}\" (table [cust qty] (list (.col.link 'custs [0 2 1 0]) [5 6 7 8])))", at("o")));
    assert_eq!(std::fs::read(dir.join("o/cust.link")).unwrap(), b"custs");
    for f in ["cust", "qty", ".d"] {
        let ours = std::fs::read(dir.join("o").join(f)).unwrap();
        assert_eq!(ours, std::fs::read(root.join("linked").join(f)).unwrap(), "{f} as the reference writes it");
    }
    assert_eq!(ev(&format!("(fkeys (.db.splayed.get \"{}\"))", at("o"))), "{cust:custs}");
    std::fs::write(dir.join("o/cust.link"), b"cu2 \t\r\n\0").unwrap();
    assert_eq!(ev(&format!("(fkeys (.db.splayed.get \"{}\"))", at("o"))), "{cust:cu2}");
    std::fs::write(dir.join("o/cust.link"), b" \n").unwrap();
    assert_eq!(ev(&format!("(fkeys (.db.splayed.get \"{}\"))", at("o"))), "{}");
    std::fs::write(dir.join("o/qty.link"), b"custs").unwrap();
    ev(&format!("(.db.splayed.set \"{}\" (table [cust qty] (list [0 2 1 0] [5 6 7 8])))", at("o")));
    assert!(!dir.join("o/cust.link").exists() && !dir.join("o/qty.link").exists(), "unlinked columns leave no sidecar");
    assert_eq!(ev(&format!("(fkeys (.db.splayed.get \"{}\"))", at("o"))), "{}");
    let _ = std::fs::remove_dir_all(&dir);
    reset();
}

/// Check 5: files the reference wrote with an index region ("XIDX": the
/// chunk-zone index it builds for 65,536 rows and more, and the region that
/// keeps `unique`) load with their values and their `unique` attribute
/// (more in store_index_attrs.rs).
#[test]
fn reference_files_with_index_regions_load_with_their_values() {
    rayforce::ipc::install();
    let root = reference_files();
    for dir in ["xidx_u8/b", "xidx_unique/u"] {
        assert_eq!(&std::fs::read(root.join(dir)).unwrap()[..4], b"XIDX", "{dir} carries a region");
    }
    let get = |dir: &str| format!("(.db.splayed.get \"{}\")", root.join(dir).display());
    assert_eq!(ev(&format!("(count (at {} 'b))", get("xidx_u8"))), "70000");
    assert_eq!(ev(&format!("(sum (as 'I64 (at {} 'b)))", get("xidx_u8"))), "6965000");
    assert_eq!(ev(&format!("(at (at {} 'b) 69999)", get("xidx_u8"))), "0xc7");
    assert_eq!(ev(&format!("(at {} 'u)", get("xidx_unique"))), "[5 3 9]");
    assert_eq!(ev(&format!("(at {} 'v)", get("xidx_unique"))), "[a b c]");
    assert_eq!(ev(&format!("(.attr.get (at {} 'u))", get("xidx_unique"))), "[unique]");
    assert_eq!(ev(&format!("(.attr.get (at {} 'b))", get("xidx_u8"))), "[]");
}
