//! The REPL's layout of lists and dicts (modes 1 and 2 of `fmt::format`):
//! a list or dict whose one-line text, starting at its column, would end
//! past the line width, or that holds a table, is written one item per
//! line, each indented two spaces deeper (`key: value` for dicts), and its
//! items are laid out by the same rule. Tables inside are drawn boxed: the
//! box's first line follows the indent, its other lines start at column 0,
//! as RayforceDB prints them. Everything else is the one-line text of
//! `fmt::write_value`.
//!
//! Measured against RayforceDB: the one-line text fits when its column plus
//! its length is at most 80 (`Limits::line_width`); one per line, the first
//! 20 items are shown, then `...`.

use super::{Limits, table, write_elem, write_value};
use crate::abi::*;

/// Writes `v`, which starts at column `col`, inside a block indented by `indent`.
pub(super) fn write(out: &mut String, v: &ray_t, lim: &Limits, col: usize, indent: usize) {
    let t = v.type_();
    if t == RAY_TABLE {
        out.push_str(&table::boxed(v, lim));
        return;
    }
    let mut line = String::new();
    write_value(&mut line, v, lim, 0);
    let multi = matches!(t, RAY_LIST | RAY_DICT) && (holds_table(v, 0) || col + line.chars().count() > lim.line_width);
    if !multi {
        out.push_str(&line);
        return;
    }
    let pad = " ".repeat(indent + 2);
    if t == RAY_LIST {
        out.push_str("(\n");
        let items = v.items();
        for it in items.iter().take(lim.max_items.min(LINES)) {
            out.push_str(&pad);
            match it {
                Some(x) => write(out, x, lim, indent + 2, indent + 2),
                None => out.push_str("null"),
            }
            out.push('\n');
        }
        more(out, &pad, items.len(), lim);
        out.push_str(&" ".repeat(indent));
        out.push(')');
        return;
    }
    let (Some(keys), Some(vals)) = (v.dict_keys(), v.dict_vals()) else {
        out.push_str("{}");
        return;
    };
    out.push_str("{\n");
    let nv = vals.len().max(0) as usize;
    let n = keys.len().max(0) as usize;
    for i in 0..n.min(lim.max_items.min(LINES)) {
        out.push_str(&pad);
        let mut key = String::new();
        write_elem(&mut key, keys, i, lim, 1);
        out.push_str(&key);
        out.push_str(": ");
        let col = indent + 2 + key.chars().count() + 2;
        if i >= nv {
            out.push_str("null");
        } else if vals.type_() == RAY_LIST {
            match vals.item(i) {
                Some(x) => write(out, x, lim, col, indent + 2),
                None => out.push_str("null"),
            }
        } else {
            write_elem(out, vals, i, lim, 1);
        }
        out.push('\n');
    }
    more(out, &pad, n, lim);
    out.push_str(&" ".repeat(indent));
    out.push('}');
}

/// Items a list or dict written one per line shows; a `...` line stands
/// for the rest (as RayforceDB's REPL).
const LINES: usize = 20;

fn more(out: &mut String, pad: &str, n: usize, lim: &Limits) {
    if n > lim.max_items.min(LINES) {
        out.push_str(pad);
        out.push_str("...\n");
    }
}

/// True when a table is among the items of list or dict `v` (at any depth).
fn holds_table(v: &ray_t, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    let inside = |x: &ray_t| x.type_() == RAY_TABLE || holds_table(x, depth + 1);
    match v.type_() {
        RAY_LIST => v.items().iter().flatten().any(|x| inside(x)),
        RAY_DICT => v.dict_vals().is_some_and(|vals| vals.type_() == RAY_LIST && vals.items().iter().flatten().any(|x| inside(x))),
        _ => false,
    }
}
