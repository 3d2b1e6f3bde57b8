//! Hash (`grouped`, `.idx.hash`) and bloom (`.idx.bloom`) index regions
//! (storage.md §1.6, §3.6): `tests/fixtures/store/ref_extra/xidx_hash*/`
//! were written by RayforceDB 2.5.12 from the `xidx_hash` lines of
//! `tests/fixtures/store/extra.rfl` (`regen.sh`). Our writes of the same
//! tables must be those files byte for byte, except the 16-byte parent aux
//! snapshot of SYM columns (a heap address in the reference's files, zeros
//! in ours; readers ignore it). The expected answers are the reference's
//! over its files; it reads ours back the same (checked by hand).
use std::path::{Path, PathBuf};

#[path = "support/eval.rs"]
mod eval;
use eval::text_msg as ev;

/// extra.rfl's `xidx_hash` table: 7 rows, hash indexes over I64, I32, F64
/// (with -0.0 and a NaN), DATE, TIMESTAMP, SYM (with the empty symbol),
/// I16, TIME, one of 7 groups (16 slots), and bloom filters over I64, F64,
/// DATE and U8; nulls in most.
const SMALL: &str = "(table [g i f d t s h o m b c e x] (list (.attr.set 'grouped [5 0N 9 3 0N 5 -1]) \
    (.attr.set 'grouped (as 'I32 [5 3 -9 3 0N 5 5])) (.attr.set 'grouped (* -1.0 [5.5 3.0 0.0 0.0 0Nf 5.5 1e300])) \
    (.attr.set 'grouped [2024.01.15 2000.01.01 0Nd 2024.01.15 1999.12.31 2000.01.01 2024.01.15]) \
    (.attr.set 'grouped [2024.01.15D12:30:00.000 0Np 2024.01.15D12:30:00.000 2000.01.01D00:00:00.000 0Np \
    2024.01.15D12:30:00.001 2000.01.01D00:00:00.000]) (.attr.set 'grouped ['x 'y 'z 'y 'x 'w ']) \
    (.idx.hash [1 2 3 4 5 6 7]) (.attr.set 'grouped (as 'I16 [5 -3 0N 5 1 2 3])) \
    (.attr.set 'grouped [09:30:00.000 0Nt 09:30:00.000 00:00:00.001 00:00:00.000 23:59:59.999 00:00:00.001]) \
    (.idx.bloom [5 0N 9 3 0N 5 -1]) (.idx.bloom (* -1.0 [5.5 3.0 0.0 0.0 0Nf 5.5 1e300])) \
    (.idx.bloom [2024.01.15 2000.01.01 0Nd 2024.01.15 1999.12.31 2000.01.01 2024.01.15]) \
    (.idx.bloom (as 'U8 [5 255 0 5 1 2 3]))))";

/// extra.rfl's `xidx_hash_1k` table: 1,000 rows, tables of 2,048 slots
/// with collisions (613 and 1,000 groups), a bloom filter of 8,192 bits,
/// and 300 symbols (two-byte cells) grouped over their file positions.
const LARGE: &str = "(table [a b c s] (list (.attr.set 'grouped (% (* 7919 (til 1000)) 613)) \
    (.idx.hash (- (* 104729 (til 1000)) 500000)) (.idx.bloom (% (* 7919 (til 1000)) 613)) \
    (.attr.set 'grouped (as 'SYM (as 'STR (% (* 7 (til 1000)) 300))))))";

fn reference_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/ref_extra").join(name)
}

fn get(dir: &Path) -> String {
    format!("(.db.splayed.get \"{}/\")", dir.display())
}

/// `(map f (key t))` over the table in `dir`, through a global of its own
/// (tests run in parallel and globals are shared).
fn per_column(dir: &Path, f: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let t = format!("sih-t{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    ev(&format!("(do (set {t} {}) (map (fn [c] ({f} (at {t} c))) (key {t})))", get(dir)))
}

/// Where a column file's index block starts (after the payload, padded to 32).
fn block_start(file: &[u8], payload_end: usize) -> usize {
    assert_eq!(&file[..4], b"XIDX");
    payload_end.next_multiple_of(32)
}

/// Saves `table` to a fresh directory named after `tag` and checks every
/// column against the reference's file; `sym_columns` name the SYM columns
/// (compared apart from the aux snapshot) with their payload ends.
fn assert_written_as_reference(tag: &str, table: &str, reference: &Path, sym_columns: &[(&str, usize)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rayforce-index-hash-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ev(&format!("(.db.splayed.set \"{}/\" {table})", dir.display())).starts_with("error"));
    let mut names = 0;
    for entry in std::fs::read_dir(reference).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with('.') {
            continue;
        }
        names += 1;
        let (ours, theirs) = (std::fs::read(dir.join(&name)).unwrap(), std::fs::read(reference.join(&name)).unwrap());
        match sym_columns.iter().find(|(c, _)| *c == name) {
            None => assert_eq!(ours, theirs, "column {name}"),
            Some(&(_, payload_end)) => {
                let snapshot = block_start(&theirs, payload_end) + 48..block_start(&theirs, payload_end) + 64;
                assert_eq!(ours.len(), theirs.len(), "column {name}");
                assert_eq!(&ours[..snapshot.start], &theirs[..snapshot.start], "column {name}");
                assert_eq!(&ours[snapshot.end..], &theirs[snapshot.end..], "column {name}");
                assert_eq!(&ours[snapshot], &[0; 16], "column {name}: no aux snapshot");
            }
        }
    }
    assert!(names >= 4, "the fixture holds the columns");
    assert_eq!(std::fs::read(dir.join(".sym")).unwrap(), std::fs::read(reference.join(".sym")).unwrap());
    dir
}

const SMALL_ATTRS: &str = "([grouped] [grouped] [grouped] [grouped] [grouped] [grouped] [grouped] [grouped] \
    [grouped] [] [] [] [])";
const SMALL_INFO: &str = "({kind:hash length:7 parent_type:5 saved_attrs:64 capacity:8 n_keys:5 n_groups:4} \
    {kind:hash length:7 parent_type:4 saved_attrs:64 capacity:8 n_keys:6 n_groups:3} \
    {kind:hash length:7 parent_type:7 saved_attrs:64 capacity:8 n_keys:6 n_groups:4} \
    {kind:hash length:7 parent_type:8 saved_attrs:64 capacity:8 n_keys:6 n_groups:3} \
    {kind:hash length:7 parent_type:10 saved_attrs:64 capacity:8 n_keys:5 n_groups:3} \
    {kind:hash length:7 parent_type:12 saved_attrs:0 capacity:16 n_keys:7 n_groups:5} \
    {kind:hash length:7 parent_type:5 saved_attrs:0 capacity:16 n_keys:7 n_groups:7} \
    {kind:hash length:7 parent_type:3 saved_attrs:64 capacity:16 n_keys:6 n_groups:5} \
    {kind:hash length:7 parent_type:9 saved_attrs:64 capacity:8 n_keys:6 n_groups:4} \
    {kind:bloom length:7 parent_type:5 saved_attrs:64 m_bits:64 k:3 n_keys:5} \
    {kind:bloom length:7 parent_type:7 saved_attrs:64 m_bits:64 k:3 n_keys:6} \
    {kind:bloom length:7 parent_type:8 saved_attrs:64 m_bits:64 k:3 n_keys:6} \
    {kind:bloom length:7 parent_type:2 saved_attrs:0 m_bits:64 k:3 n_keys:7})";
const LARGE_INFO: &str = "({kind:hash length:1000 parent_type:5 saved_attrs:0 capacity:2048 n_keys:1000 n_groups:613} \
    {kind:hash length:1000 parent_type:5 saved_attrs:0 capacity:2048 n_keys:1000 n_groups:1000} \
    {kind:bloom length:1000 parent_type:5 saved_attrs:0 m_bits:8192 k:3 n_keys:1000} \
    {kind:hash length:1000 parent_type:12 saved_attrs:0 capacity:1024 n_keys:1000 n_groups:300})";

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn hash_and_bloom_columns_are_written_as_the_reference_writes_them() {
    rayforce::ipc::install();
    // SYM payloads: 7 one-byte cells; 1,000 two-byte cells.
    let small = assert_written_as_reference("small", SMALL, &reference_dir("xidx_hash"), &[("s", 32 + 7)]);
    let large = assert_written_as_reference("large", LARGE, &reference_dir("xidx_hash_1k"), &[("s", 32 + 2000)]);
    for dir in [&small, &large] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn reference_hash_and_bloom_regions_read_back() {
    rayforce::ipc::install();
    let (small, large) = (reference_dir("xidx_hash"), reference_dir("xidx_hash_1k"));
    assert_eq!(per_column(&small, ".attr.get"), one_line(SMALL_ATTRS));
    assert_eq!(per_column(&small, ".idx.info"), one_line(SMALL_INFO));
    assert_eq!(per_column(&large, ".attr.get"), "([grouped] [grouped] [] [grouped])");
    assert_eq!(per_column(&large, ".idx.info"), one_line(LARGE_INFO));
    // The reference's answers to queries over its files.
    for (q, want) in [
        (format!("(at (select {{n: (count g) from: {} by: g}}) 'n)", get(&small)), "[2 2 1 1 1]"),
        (format!("(at (select {{n: (count s) from: {} by: s}}) 's)", get(&small)), "[x y z w ']"),
        (format!("(at (select {{s: s from: {} where: (== s 'y)}}) 's)", get(&small)), "[y y]"),
        (format!("(at (select {{n: (count s) from: {} by: s where: (in s ['1 '7 '299])}}) 'n)", get(&large)), "[4 4 3]"),
    ] {
        assert_eq!(ev(&q), want, "{q}");
    }
}

#[test]
fn indexes_built_in_memory_describe_as_the_reference() {
    rayforce::ipc::install();
    // The same tables built here, before any save.
    for (table, want) in [(SMALL, SMALL_INFO), (LARGE, LARGE_INFO)] {
        let q = format!("(do (set sih-m {table}) (map (fn [c] (.idx.info (at sih-m c))) (key sih-m)))");
        assert_eq!(ev(&q), one_line(want));
    }
}
