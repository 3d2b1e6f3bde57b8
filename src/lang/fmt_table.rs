//! Tables as the REPL draws them: a box with the column names, their types,
//! the rows, and a footer `N rows (M shown) K columns (L shown)`.
//!
//! Layout (measured on the conformance corpus): each column is as wide as
//! its widest text (name, type or cell) plus one space on each side; names
//! and types are centred (the odd space goes right), cells are left-aligned.
//! The box is at least as wide as the footer plus its leading space; any
//! width still missing is given to the last column.

use super::{Limits, write_elem};
use crate::ops::type_name;
use crate::abi::*;
use crate::core::sym;

/// Column names of a table (the schema may be an I64 vector of symbol ids,
/// as built in memory, or a SYM vector, as decoded from the wire).
pub(super) fn column_names(t: &ray_t) -> Vec<String> {
    let Some(schema) = t.table_schema() else { return Vec::new() };
    let n = schema.len().max(0) as usize;
    (0..n)
        .map(|i| {
            let id = match schema.type_() {
                RAY_SYM => schema.sym_at(i),
                RAY_I64 => schema.elems::<i64>()[i],
                _ => 0,
            };
            String::from_utf8_lossy(sym::name_or_empty(id)).into_owned()
        })
        .collect()
}

struct Column {
    name: String,
    type_: &'static str,
    cells: Vec<String>,
    width: usize,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A cell's text cut to `max` characters, with no marker (as the reference).
fn cut(s: String, max: usize) -> String {
    if chars(&s) > max { s.chars().take(max).collect() } else { s }
}

/// The rows drawn: all of them when they fit, else the first and the last
/// half of the limit around one `┆ … ┆` row (`None`).
fn drawn_rows(nrows: usize, limit: usize) -> Vec<Option<usize>> {
    if nrows <= limit {
        return (0..nrows).map(Some).collect();
    }
    let half = limit / 2;
    let tail = limit - half;
    (0..half).map(Some).chain([None]).chain((nrows - tail..nrows).map(Some)).collect()
}

/// The `…` cell of the rows and columns left out.
const ELLIPSIS: &str = "…";

/// The boxed rendering of a table (modes 1 and 2).
pub(super) fn boxed(t: &ray_t, lim: &Limits) -> String {
    let nrows = t.table_nrows().max(0) as usize;
    boxed_rows(t, lim, nrows, drawn_rows(nrows, lim.table_rows))
}

/// The first and last rows of a long table that `t` holds alone (a preview
/// of `total` rows: `t`'s first `head` rows are the table's first ones, the
/// rest its last ones), boxed as the whole table would be.
pub(super) fn boxed_preview(t: &ray_t, lim: &Limits, total: usize, head: usize) -> String {
    let n = t.table_nrows().max(0) as usize;
    let rows = (0..head.min(n)).map(Some).chain([None]).chain((head.min(n)..n).map(Some)).collect();
    boxed_rows(t, lim, total, rows)
}

/// [`boxed`] drawing `rows` of `t` (`None`: the `┆ … ┆` row) with a footer
/// counting `nrows`.
fn boxed_rows(t: &ray_t, lim: &Limits, nrows: usize, rows: Vec<Option<usize>>) -> String {
    let names = column_names(t);
    let cols_list = t.table_cols();
    let ncols = names.len();
    // A table without columns has no box in RayforceDB's REPL.
    if ncols == 0 {
        return "<table>".to_string();
    }
    let shown_cols = ncols.min(lim.table_cols);
    let shown_rows = rows.iter().flatten().count();

    let mut columns: Vec<Column> = Vec::with_capacity(shown_cols + 1);
    for (j, name) in names.into_iter().take(shown_cols).enumerate() {
        let col = cols_list.and_then(|c| c.item(j));
        let type_ = col.map_or("?", |c| type_name(c.type_()));
        let mut cells = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut s = String::new();
            if let (Some(i), Some(c)) = (row, col) {
                if (*i as i64) < c.len() {
                    write_elem(&mut s, c, *i, lim, 1);
                }
            }
            cells.push(cut(s, lim.cell_chars));
        }
        let widest = cells.iter().map(|s| chars(s)).chain([chars(&name), chars(type_)]).max().unwrap_or(0);
        columns.push(Column { name, type_, cells, width: widest + 2 });
    }
    if shown_cols < ncols {
        let cells = vec![ELLIPSIS.to_string(); rows.len()];
        columns.push(Column { name: ELLIPSIS.to_string(), type_: ELLIPSIS, cells, width: 3 });
    }

    let footer = format!("{nrows} rows ({shown_rows} shown) {ncols} columns ({shown_cols} shown)");
    let min_inner = chars(&footer) + 1;
    let mut inner: usize = columns.iter().map(|c| c.width).sum::<usize>() + columns.len().saturating_sub(1);
    if inner < min_inner {
        if let Some(last) = columns.last_mut() {
            last.width += min_inner - inner;
        }
        inner = min_inner;
    }

    let mut lines = Vec::with_capacity(shown_rows + 7);
    if columns.is_empty() {
        lines.push(format!("┌{}┐", "─".repeat(inner)));
    } else {
        lines.push(rule(&columns, '┌', '┬', '┐'));
        lines.push(centred_row(&columns, '│', |c| &c.name));
        lines.push(centred_row(&columns, '│', |c| c.type_));
        lines.push(rule(&columns, '├', '┼', '┤'));
        for (i, row) in rows.iter().enumerate() {
            if row.is_none() {
                lines.push(centred_row(&columns, '┆', |_| ELLIPSIS));
                continue;
            }
            let mut line = String::from("│");
            for (j, c) in columns.iter().enumerate() {
                if j > 0 {
                    line.push('│');
                }
                line.push(' ');
                line.push_str(&c.cells[i]);
                pad(&mut line, c.width - 1 - chars(&c.cells[i]));
            }
            line.push('│');
            lines.push(line);
        }
        lines.push(rule(&columns, '├', '┴', '┤'));
    }
    let mut foot = format!("│ {footer}");
    pad(&mut foot, inner - min_inner);
    foot.push('│');
    lines.push(foot);
    lines.push(format!("└{}┘", "─".repeat(inner)));
    lines.join("\n")
}

fn pad(line: &mut String, n: usize) {
    line.extend(std::iter::repeat_n(' ', n));
}

fn rule(columns: &[Column], left: char, join: char, right: char) -> String {
    let mut s = String::new();
    s.push(left);
    for (j, c) in columns.iter().enumerate() {
        if j > 0 {
            s.push(join);
        }
        s.extend(std::iter::repeat_n('─', c.width));
    }
    s.push(right);
    s
}

fn centred_row(columns: &[Column], bar: char, text: impl Fn(&Column) -> &str) -> String {
    let mut s = String::from(bar);
    for (j, c) in columns.iter().enumerate() {
        if j > 0 {
            s.push(bar);
        }
        let t = text(c);
        let spare = c.width - chars(t);
        pad(&mut s, spare / 2);
        s.push_str(t);
        pad(&mut s, spare - spare / 2);
    }
    s.push(bar);
    s
}
