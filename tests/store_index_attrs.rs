//! Attributes kept in a column file's index region (storage.md §1.6, §3.6,
//! check 5): `tests/fixtures/store/ref_extra/xidx_attrs/` was written by
//! RayforceDB 2.5.12 from the last line of `tests/fixtures/store/extra.rfl`
//! (`regen.sh`); the expected texts are its answers over those files.
//! Our writes of `unique`, `grouped` and numeric `parted` columns must be
//! byte for byte the reference's (its reader then reports the attributes
//! for them, checked by hand); `xidx_parted` is another line of extra.rfl.
//! Hash and bloom indexes of every type: tests/store_index_hash.rs.
use std::path::{Path, PathBuf};

#[path = "support/eval.rs"]
mod eval;
use eval::text_msg as ev;

/// The table of extra.rfl's `xidx_attrs` line.
const TABLE: &str = "(table [u g p s q n f d] (list (.attr.set 'unique [5 3 9 0N]) (.attr.set 'grouped [1 2 1 2]) \
    (.attr.set 'parted [1 1 2 3]) (.attr.set 'parted ['b 'b 'a 'c]) (.attr.set 'grouped ['x 'y 'x 'x]) \
    (.attr.set 'unique (.attr.set 'grouped [7 8 9 10])) (.attr.set 'unique [1.5 2.5 0Nf 3.5]) \
    (.attr.set 'unique (.attr.set 'sorted [2024.01.01 2024.01.02 2024.01.03 2024.01.04]))))";

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/ref_extra/xidx_attrs")
}

fn get(dir: &Path) -> String {
    format!("(.db.splayed.get \"{}/\")", dir.display())
}

/// The attributes of each column of the table in `dir` (through a global
/// of its own: tests run in parallel and globals are shared).
fn attrs_of(dir: &Path) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let t = format!("sia-t{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    ev(&format!("(do (set {t} {}) (map (fn [c] (.attr.get (at {t} c))) (key {t})))", get(dir)))
}

#[test]
fn reference_regions_give_back_unique_grouped_and_parted() {
    rayforce::ipc::install();
    let dir = reference_dir();
    // The reference's own answers over its files.
    assert_eq!(
        attrs_of(&dir),
        "([unique] [grouped] [parted] [] [grouped] [unique grouped] [unique] [sorted unique])"
    );
    let t = get(&dir);
    for (q, want) in [
        (format!("(at {t} 'u)"), "[5 3 9 0Nl]"),
        (format!("(at {t} 'q)"), "[x y x x]"),
        (format!("(.idx.info (at {t} 'u))"), "{kind:none length:4 parent_type:5 saved_attrs:64}"),
        (
            format!("(.idx.info (at {t} 'g))"),
            "{kind:hash length:4 parent_type:5 saved_attrs:0 capacity:8 n_keys:4 n_groups:2}",
        ),
        (format!("(.idx.info (at {t} 'p))"), "{kind:part length:4 parent_type:5 saved_attrs:0 n_parts:3}"),
        (
            format!("(.idx.info (at {t} 'q))"),
            "{kind:hash length:4 parent_type:12 saved_attrs:0 capacity:8 n_keys:4 n_groups:2}",
        ),
        (
            format!("(.idx.info (at {t} 'n))"),
            "{kind:hash length:4 parent_type:5 saved_attrs:0 capacity:8 n_keys:4 n_groups:4}",
        ),
        // Changing a loaded column's values drops its index.
        (format!("(.attr.get (concat (at {t} 'u) 1))"), "[]"),
        (format!("(sum (at {t} 'n))"), "34"),
    ] {
        assert_eq!(ev(&q), want, "{q}");
    }
}

#[test]
fn unique_columns_are_written_as_the_reference_writes_them() {
    rayforce::ipc::install();
    let dir = std::env::temp_dir().join(format!("rayforce-index-attrs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ev(&format!("(.db.splayed.set \"{}/\" {TABLE})", dir.display())).starts_with("error"));
    let ours = |c: &str| std::fs::read(dir.join(c)).unwrap();
    let theirs = |c: &str| std::fs::read(reference_dir().join(c)).unwrap();
    // `unique` alone: the marker-only region, byte for byte.
    for c in ["u", "f", "d"] {
        assert_eq!(ours(c), theirs(c), "column {c}");
        assert_eq!(&ours(c)[..4], b"XIDX");
    }
    // `grouped` (with or without `unique`): the hash region, byte for byte;
    // over symbols it is built over the symbol-file positions, and only the
    // parent aux snapshot differs (the reference leaves a heap address there).
    for c in ["g", "n"] {
        assert_eq!(ours(c), theirs(c), "column {c}");
    }
    assert_eq!(&ours("n")[64 + 32..64 + 36], &[1, 0, 5, 3], "kind hash, parent I64, markers unique|file");
    let (q, q_ref) = (ours("q"), theirs("q"));
    let snapshot = 64 + 48..64 + 64;
    assert_eq!(q.len(), q_ref.len());
    assert_eq!((&q[..snapshot.start], &q[snapshot.end..]), (&q_ref[..snapshot.start], &q_ref[snapshot.end..]));
    assert_eq!(&q[snapshot], &[0; 16]);
    // `parted` over symbols is not saved (the reference does not save it).
    assert_eq!(ours("s"), theirs("s"));
    assert_eq!(attrs_of(&dir), "([unique] [grouped] [parted] [] [grouped] [unique grouped] [unique] [sorted unique])");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn odd_regions_are_ignored_and_values_still_load() {
    rayforce::ipc::install();
    let dir = std::env::temp_dir().join(format!("rayforce-index-odd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in [".d", ".sym", "u", "f", "d", "g", "p", "s", "q", "n"] {
        std::fs::copy(reference_dir().join(f), dir.join(f)).unwrap();
    }
    let mut u = std::fs::read(dir.join("u")).unwrap();
    u[64 + 17] = 2; // another index layout generation
    std::fs::write(dir.join("u"), &u).unwrap();
    let mut f = std::fs::read(dir.join("f")).unwrap();
    f[64 + 32 + 8] = 9; // built for 9 rows: stale
    std::fs::write(dir.join("f"), &f).unwrap();
    let mut g = std::fs::read(dir.join("g")).unwrap();
    g[64 + 32] = 4; // a bloom index: no attribute
    std::fs::write(dir.join("g"), &g).unwrap();
    assert_eq!(attrs_of(&dir), "([] [] [parted] [] [grouped] [unique grouped] [] [sorted unique])");
    assert_eq!(ev(&format!("(at {} 'u)", get(&dir))), "[5 3 9 0Nl]");
    assert_eq!(ev(&format!("(at {} 'f)", get(&dir))), "[1.5 2.5 0Nf 3.5]");
    let _ = std::fs::remove_dir_all(&dir);
}

/// extra.rfl's `xidx_parted` table: parted columns of every numeric and
/// temporal width, one also `unique`.
const PARTED: &str = "(table [a b c d e f g h] (list (.attr.set 'parted (as 'I32 [1 1 2 3])) \
    (.attr.set 'parted [1.5 1.5 2.5 2.5]) (.attr.set 'parted [2024.01.01 2024.01.01 2024.01.01 2024.01.02]) \
    (.attr.set 'parted [true true true true]) (.attr.set 'unique (.attr.set 'parted [1 2 3 4])) \
    (.attr.set 'parted (as 'U8 [1 1 2 2])) (.attr.set 'parted (as 'I16 [1 1 2 2])) \
    (.attr.set 'parted [00:00:01.000 00:00:01.000 00:00:02.000 00:00:02.000])))";

#[test]
fn parted_columns_round_trip_byte_for_byte() {
    rayforce::ipc::install();
    let theirs = reference_dir().with_file_name("xidx_parted");
    let want = "([parted] [parted] [parted] [parted] [unique parted] [parted] [parted] [parted])";
    assert_eq!(attrs_of(&theirs), want);
    assert_eq!(
        ev(&format!("(.idx.info (at {} 'a))", get(&theirs))),
        "{kind:part length:4 parent_type:4 saved_attrs:0 n_parts:3}"
    );
    let dir = std::env::temp_dir().join(format!("rayforce-index-parted-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ev(&format!("(.db.splayed.set \"{}/\" {PARTED})", dir.display())).starts_with("error"));
    for c in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        assert_eq!(std::fs::read(dir.join(c)).unwrap(), std::fs::read(theirs.join(c)).unwrap(), "column {c}");
    }
    assert_eq!(attrs_of(&dir), want);
    // An empty parted column: a region with three empty children.
    let empty = dir.join("empty");
    assert!(!ev(&format!("(.db.splayed.set \"{}/\" (table [a] (list (.attr.set 'parted (as 'I64 [])))))", empty.display()))
        .starts_with("error"));
    let a = std::fs::read(empty.join("a")).unwrap();
    assert_eq!(a.len(), 256);
    assert_eq!(&a[..4], b"XIDX");
    assert_eq!(ev(&format!("(.attr.get (at {} 'a))", get(&empty))), "[parted]");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sort_zone_and_bloom_indexes_round_trip_byte_for_byte() {
    rayforce::ipc::install();
    let theirs = reference_dir().with_file_name("xidx_zone_sort");
    let dir = std::env::temp_dir().join(format!("rayforce-index-zone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let table = "(table [z s f b] (list (.idx.zone [3 1 0N 2]) (.idx.sort [3 1 0N 2]) \
        (.idx.zone [1.5 0Nf -2.5 3.0]) (.idx.bloom [1 2 3 4])))";
    assert!(!ev(&format!("(.db.splayed.set \"{}/\" {table})", dir.display())).starts_with("error"));
    for c in ["z", "s", "f", "b"] {
        assert_eq!(std::fs::read(dir.join(c)).unwrap(), std::fs::read(theirs.join(c)).unwrap(), "column {c}");
    }
    // The reference's answers over its files; ours read back the same.
    let want = "({kind:zone length:4 parent_type:5 saved_attrs:64 min:1 max:3 n_nulls:1} \
        {kind:sort length:4 parent_type:5 saved_attrs:64 perm_len:4} \
        {kind:zone length:4 parent_type:7 saved_attrs:64 min:-2.5 max:3.0 n_nulls:1} \
        {kind:bloom length:4 parent_type:5 saved_attrs:0 m_bits:64 k:3 n_keys:4})";
    for d in [&theirs, &dir] {
        let q = format!("(do (set sia-z{} {}) (map (fn [c] (.idx.info (at sia-z{} c))) [z s f b]))", d == &dir, get(d), d == &dir);
        assert_eq!(ev(&q), want.split_whitespace().collect::<Vec<_>>().join(" "), "{}", d.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
