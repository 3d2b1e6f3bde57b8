//! The REPL draws a partitioned table from the partitions holding the rows
//! it shows (the first and last ten), never reading the whole database; the
//! text equals that of the same table in memory.
use rayforce::lang::{RequestCtx, eval_source, format};
use rayforce::store::column::read::loads_on_this_thread;

#[path = "support/eval.rs"]
mod eval;
use eval::ev;

#[test]
fn a_long_partitioned_table_is_drawn_from_its_first_and_last_partitions() {
    let root = std::env::temp_dir().join(format!("rayforce-parted-repl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let days = 30;
    for d in 1..=days {
        let dir = root.join(format!("2024.01.{d:02}/t"));
        let table = format!("(table [sym price qty] (list ['a 'b 'c 'a 'b] (* {d}.5 [1.0 2.0 3.0 4.0 5.0]) (+ {d} (til 5))))");
        ev(&format!("(.db.splayed.set \"{}\" {table})", dir.display())).unwrap();
    }
    let get = format!("(.db.parted.get \"{}\" 't)", root.display());
    ev(&format!("(set ReplParted {get})")).unwrap();
    let whole = format(&ev("ReplParted").unwrap(), 1);
    assert!(whole.contains("150 rows (20 shown)"), "{whole}");

    let before = loads_on_this_thread();
    let lazy = eval_source("ReplParted", RequestCtx::default()).unwrap();
    let shown = format(&lazy, 1);
    let reads = loads_on_this_thread() - before;
    assert_eq!(shown, whole, "the preview draws what the whole table would");
    // Partitions 1, 2, 29 and 30 (five rows each), three column files each.
    assert_eq!(reads, 4 * 3, "only the partitions holding the shown rows are read");

    // Short tables and the compact mode show every row as before.
    let few = eval_source(&format!("(select {{from: {get} where: (== date 2024.01.03)}})"), RequestCtx::default()).unwrap();
    assert!(format(&few, 1).contains("5 rows (5 shown)"));
    assert!(format(&lazy, 0).starts_with("(table [date sym price qty]"), "{}", format(&lazy, 0));
    let _ = std::fs::remove_dir_all(root);
}
