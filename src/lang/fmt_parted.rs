//! A partitioned table in the REPL: drawn from the partitions that hold its
//! first and last rows, so showing a large database never reads it whole.
//! (The reference draws such a table with `?` cells.)

use super::{Limits, format_error, table};
use crate::abi::*;
use crate::core::Result;
use crate::store::parted::{Parted, materialize};

/// The boxed text of partitioned table `p` under `lim` (a mode that boxes).
pub(super) fn boxed(p: &Parted, v: &crate::core::Value, lim: &Limits) -> String {
    preview(p, v, lim).unwrap_or_else(|e| format_error(e.code_str(), e.message()))
}

fn preview(p: &Parted, v: &crate::core::Value, lim: &Limits) -> Result<String> {
    let rows = p.rows()?;
    let total: usize = rows.iter().sum();
    if total <= lim.table_rows {
        let whole = materialize(v)?;
        return Ok(table::boxed(&whole, lim));
    }
    let head = lim.table_rows / 2;
    let tail = lim.table_rows - head;
    let parts = covering(&rows, head, tail);
    let cols: Vec<usize> = (0..p.names().len()).collect();
    let held = p.gather(&parts, &cols)?;
    let m = held.table_nrows().max(0);
    let idx: Vec<i64> = (0..head as i64).chain(m - tail as i64..m).collect();
    let shown = crate::ops::table::rows(&held, &idx)?;
    debug_assert_eq!(shown.type_(), RAY_TABLE);
    Ok(table::boxed_preview(&shown, lim, total, head))
}

/// The partitions (ascending) holding the first `head` and the last `tail`
/// rows, given each partition's row count.
fn covering(rows: &[usize], head: usize, tail: usize) -> Vec<usize> {
    let mut parts = Vec::new();
    let mut seen = 0;
    for (p, &n) in rows.iter().enumerate() {
        if seen >= head {
            break;
        }
        if n > 0 {
            parts.push(p);
        }
        seen += n;
    }
    let mut back = Vec::new();
    let mut seen = 0;
    for (p, &n) in rows.iter().enumerate().rev() {
        if seen >= tail {
            break;
        }
        if n > 0 && !parts.contains(&p) {
            back.push(p);
        }
        seen += n;
    }
    parts.extend(back.into_iter().rev());
    parts
}

#[cfg(test)]
mod tests {
    use super::covering;

    #[test]
    fn only_the_partitions_holding_the_first_and_last_rows_are_read() {
        assert_eq!(covering(&[100, 100, 100], 10, 10), vec![0, 2]);
        assert_eq!(covering(&[3, 0, 4, 5, 100, 6, 0, 7], 10, 10), vec![0, 2, 3, 5, 7]);
        assert_eq!(covering(&[1000], 10, 10), vec![0]);
        assert_eq!(covering(&[15, 15], 10, 10), vec![0, 1]);
    }
}
