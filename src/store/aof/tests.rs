use super::*;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rayforce-aof-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

fn all(dir: &Path) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut out = Vec::new();
    scan(dir, 0, |lsn, p| {
        out.push((lsn, p.to_vec()));
        true
    })?;
    Ok(out)
}

#[test]
fn the_reference_example_is_byte_identical() {
    // storage.md 8.1: append "hello", append "", commit, append "world", close.
    let d = scratch("example");
    let mut log = Aof::open(&d, 0).unwrap();
    assert_eq!(log.append(b"hello").unwrap(), 0);
    assert_eq!(log.append(b"").unwrap(), 1);
    log.commit().unwrap();
    assert_eq!(log.append(b"world").unwrap(), 2);
    log.close().unwrap();
    let bytes = fs::read(d.join("00000000000000000000.aof")).unwrap();
    let want: Vec<u8> = [
        &[0x05, 0, 0, 0, 0x7a, 0x00, 0xac, 0x5c][..],
        b"hello",
        &[0, 0, 0, 0, 0x1c, 0xdf, 0x44, 0x21],
        &COMMIT_FRAME,
        &[0x05, 0, 0, 0, 0xbf, 0xb7, 0xcb, 0x50],
        b"world",
        &COMMIT_FRAME,
    ]
    .concat();
    assert_eq!(bytes, want);
    assert_eq!(all(&d).unwrap(), vec![(0, b"hello".to_vec()), (1, vec![]), (2, b"world".to_vec())]);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn uncommitted_records_are_dropped_at_open_and_their_lsns_reused() {
    let d = scratch("uncommitted");
    let mut log = Aof::open(&d, 0).unwrap();
    log.append(b"kept").unwrap();
    log.commit().unwrap();
    log.append(b"lost").unwrap();
    log.out.flush().unwrap(); // written, never committed (a crash here)
    drop(log);
    let mut log = Aof::open(&d, 0).unwrap();
    assert_eq!(log.next_lsn(), 1);
    assert_eq!(log.append(b"again").unwrap(), 1);
    log.close().unwrap();
    assert_eq!(all(&d).unwrap(), vec![(0, b"kept".to_vec()), (1, b"again".to_vec())]);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn a_torn_tail_is_cut_but_damage_before_a_commit_is_refused() {
    let d = scratch("damage");
    let mut log = Aof::open(&d, 0).unwrap();
    log.append(b"one").unwrap();
    log.commit().unwrap();
    log.append(b"two").unwrap();
    log.commit().unwrap();
    log.close().unwrap();
    let seg = d.join(file_name(0));
    let good = fs::read(&seg).unwrap();
    // Torn: half a record after the last commit.
    let mut torn = good.clone();
    torn.extend([9, 0, 0, 0, 1, 2]);
    fs::write(&seg, &torn).unwrap();
    assert_eq!(Aof::open(&d, 0).unwrap().next_lsn(), 2);
    assert_eq!(fs::read(&seg).unwrap(), good);
    // A damaged commit frame between the records: the reference truncates
    // the acknowledged "two"; we refuse, naming the file and offset.
    let mut bad = good.clone();
    bad[15] ^= 0xff;
    fs::write(&seg, &bad).unwrap();
    let e = Aof::open(&d, 0).err().unwrap();
    assert!(matches!(&e, AofError::Corrupt(m) if m.contains("00000000000000000000.aof") && m.contains("byte 11")), "{e:?}");
    assert!(matches!(all(&d), Err(AofError::Corrupt(_))));
    assert_eq!(fs::read(&seg).unwrap(), bad, "nothing truncated");
    // A bad CRC in a committed record.
    let mut bad = good.clone();
    bad[9] ^= 1;
    fs::write(&seg, &bad).unwrap();
    assert!(matches!(Aof::open(&d, 0), Err(AofError::Corrupt(_))));
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn segments_rotate_and_every_one_is_checked() {
    let d = scratch("rotate");
    let mut log = Aof::open(&d, 40).unwrap();
    for i in 0..10u8 {
        log.append(&[i; 20]).unwrap();
    }
    log.close().unwrap();
    let mut names: Vec<String> = fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 10, "{names:?}");
    assert_eq!(names[3], file_name(3));
    let got = all(&d).unwrap();
    assert_eq!(got.len(), 10);
    assert!(got.iter().all(|(lsn, p)| p == &vec![*lsn as u8; 20]));
    // Reopen continues the numbering.
    let log = Aof::open(&d, 40).unwrap();
    assert_eq!(log.next_lsn(), 10);
    log.close().unwrap();
    // from_lsn and stopping early.
    let mut seen = Vec::new();
    let n = scan(&d, 7, |lsn, _| {
        seen.push(lsn);
        lsn < 8
    })
    .unwrap();
    assert_eq!((n, seen), (2, vec![7, 8]));
    // Damage in a middle segment: the reference's open misses it.
    let mid = d.join(file_name(4));
    let mut bytes = fs::read(&mid).unwrap();
    bytes[12] ^= 1;
    fs::write(&mid, &bytes).unwrap();
    assert!(matches!(Aof::open(&d, 40), Err(AofError::Corrupt(m)) if m.contains(&file_name(4))));
    let mut calls = 0;
    assert!(scan(&d, 0, |_, _| {
        calls += 1;
        true
    })
    .is_err());
    assert_eq!(calls, 0, "nothing delivered before the damage is found");
    // A missing segment.
    bytes[12] ^= 1;
    fs::write(&mid, &bytes).unwrap();
    fs::remove_file(d.join(file_name(5))).unwrap();
    assert!(matches!(Aof::open(&d, 40), Err(AofError::Corrupt(m)) if m.contains("missing")));
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn a_missing_directory_scans_empty_and_oversized_records_are_refused() {
    let d = scratch("missing");
    assert_eq!(all(&d).unwrap(), vec![]);
    let mut log = Aof::open(&d, 0).unwrap();
    assert!(matches!(log.append(&[]), Ok(0)));
    log.close().unwrap();
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn lsns_never_pass_i64_max() {
    // A segment named near i64::MAX (an aof fuzz seed) overflowed
    // the LSN count. One committed record from i64::MAX - 1 leaves no LSN to
    // append; two pass the largest LSN and are refused as corrupt.
    let d = scratch("maxlsn");
    fs::create_dir_all(&d).unwrap();
    let seg = d.join(file_name(i64::MAX - 1));
    let record = |p: &[u8]| {
        let len = (p.len() as u32).to_le_bytes();
        [&len[..], &record_crc(p).to_le_bytes(), p, &COMMIT_FRAME].concat()
    };
    fs::write(&seg, record(b"a")).unwrap();
    assert_eq!(all(&d).unwrap(), vec![(i64::MAX - 1, b"a".to_vec())]);
    let mut log = Aof::open(&d, 0).unwrap();
    assert_eq!(log.next_lsn(), i64::MAX);
    assert!(matches!(log.append(b"b"), Err(AofError::Limit(_))));
    log.close().unwrap();
    fs::write(&seg, [record(b"a"), record(b"b")].concat()).unwrap();
    assert!(matches!(Aof::open(&d, 0), Err(AofError::Corrupt(m)) if m.contains("largest LSN")));
    assert!(matches!(all(&d), Err(AofError::Corrupt(_))));
    let _ = fs::remove_dir_all(&d);
}
