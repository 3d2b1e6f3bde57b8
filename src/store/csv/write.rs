//! A table as CSV text (storage spec 5.6), byte for byte as RayforceDB
//! writes it: a header of column names, `,` between fields, `\n` after
//! every row, fields quoted only when they hold `,` `"` CR or LF (inner
//! `"` doubled), nulls empty, floats as C's `%.17g`, dates and times in
//! ISO form. The file is replaced atomically (`store::file`).
//!
//! This module owns the text of each cell type; cells it cannot render
//! itself (LIST elements) are rendered by the caller's function.

use crate::abi::*;
use crate::core::temporal::{NS_PER_DAY, civil_from_days};
use crate::core::{RayError, Result, Value, sym};
use crate::store::file::write_atomic_with;
use std::io::Write;
use std::path::Path;

/// Renders a cell this module has no text for (a LIST element).
pub type Render<'a> = &'a dyn Fn(&ray_t) -> Vec<u8>;

/// Writes `table` to `path` as CSV. Errors: `type` (not a table, or no
/// columns), `io` naming the file.
pub fn write(table: &ray_t, path: &Path, render: Render<'_>) -> Result<()> {
    if table.type_ != RAY_TABLE {
        return Err(RayError::type_err("csv write: not a table"));
    }
    let names = crate::ops::table::names(table);
    let cols = crate::ops::table::columns(table);
    if cols.is_empty() {
        return Err(RayError::type_err("csv write: table has no columns"));
    }
    let rows = table.table_nrows().max(0) as usize;
    write_atomic_with(path, |out| {
        let mut line = Vec::with_capacity(1 << 16);
        for (i, &id) in names.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            quoted(&mut line, sym::name_or_empty(id));
        }
        line.push(b'\n');
        for r in 0..rows {
            for (i, col) in cols.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                cell(&mut line, col, r, render);
            }
            line.push(b'\n');
            if line.len() >= 1 << 16 {
                out.write_all(&line)?;
                line.clear();
            }
        }
        out.write_all(&line)
    })
    .map_err(|e| RayError::io(format!("csv write: {e}")))
}

/// Appends `s`, quoted when it holds a delimiter, quote or line break.
fn quoted(out: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n')) {
        out.extend_from_slice(s);
        return;
    }
    out.push(b'"');
    for &c in s {
        if c == b'"' {
            out.push(b'"');
        }
        out.push(c);
    }
    out.push(b'"');
}

fn cell(out: &mut Vec<u8>, col: &Value, r: usize, render: Render<'_>) {
    let flagged = col.attrs & RAY_ATTR_HAS_NULLS != 0;
    match col.type_ {
        RAY_BOOL => out.extend_from_slice(if col.elems::<u8>()[r] != 0 { b"true" } else { b"false" }),
        RAY_U8 => int(out, col.elems::<u8>()[r] as i64),
        RAY_I16 => opt_int(out, col.elems::<i16>()[r] as i64, NULL_I16 as i64),
        RAY_I32 => opt_int(out, col.elems::<i32>()[r] as i64, NULL_I32 as i64),
        RAY_I64 => opt_int(out, col.elems::<i64>()[r], NULL_I64),
        RAY_F32 => float(out, col.elems::<f32>()[r] as f64, flagged),
        RAY_F64 => float(out, col.elems::<f64>()[r], flagged),
        RAY_DATE => {
            let d = col.elems::<i32>()[r];
            if d != NULL_I32 {
                date(out, d as i64);
            }
        }
        RAY_TIME => {
            let t = col.elems::<i32>()[r];
            if t != NULL_I32 {
                time(out, t);
            }
        }
        RAY_TIMESTAMP => {
            let t = col.elems::<i64>()[r];
            if t != NULL_I64 {
                timestamp(out, t);
            }
        }
        RAY_GUID => {
            let g = &col.elems::<[u8; 16]>()[r];
            if !(flagged && *g == [0; 16]) {
                guid(out, g);
            }
        }
        RAY_SYM => quoted(out, sym::name_or_empty(col.sym_at(r))),
        RAY_STR => quoted(out, col.str_at(r)),
        RAY_LIST => {
            if let Some(Some(item)) = col.items().get(r) {
                quoted(out, &render(item));
            }
        }
        _ => {}
    }
}

fn int(out: &mut Vec<u8>, v: i64) {
    let _ = write!(out, "{v}");
}

fn opt_int(out: &mut Vec<u8>, v: i64, null: i64) {
    if v != null {
        int(out, v);
    }
}

/// `%.17g`; a NaN is empty in a column flagged as holding nulls, else `nan`.
fn float(out: &mut Vec<u8>, x: f64, flagged: bool) {
    if x.is_nan() {
        if !flagged {
            out.extend_from_slice(b"nan");
        }
        return;
    }
    if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    let mut buf = [0u8; 40];
    // SAFETY: the buffer outlives the call, its size is passed, and the
    // format takes exactly one double; %.17g needs at most 24 bytes.
    let n = unsafe { libc::snprintf(buf.as_mut_ptr().cast(), buf.len(), c"%.17g".as_ptr(), x) };
    out.extend_from_slice(&buf[..(n.max(0) as usize).min(buf.len() - 1)]);
}

fn date(out: &mut Vec<u8>, days: i64) {
    let (y, m, d) = civil_from_days(days);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

fn time(out: &mut Vec<u8>, ms: i32) {
    let neg = ms < 0;
    let a = (ms as i64).abs();
    let _ = write!(out, "{}{:02}:{:02}:{:02}", if neg { "-" } else { "" }, a / 3_600_000, a / 60_000 % 60, a / 1000 % 60);
    if a % 1000 != 0 {
        let _ = write!(out, ".{:03}", a % 1000);
    }
}

fn timestamp(out: &mut Vec<u8>, ns: i64) {
    let days = ns.div_euclid(NS_PER_DAY);
    let rem = ns.rem_euclid(NS_PER_DAY);
    date(out, days);
    let s = rem / 1_000_000_000;
    let _ = write!(out, "T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if rem % 1_000_000_000 != 0 {
        let _ = write!(out, ".{:09}", rem % 1_000_000_000);
    }
}

fn guid(out: &mut Vec<u8>, g: &[u8; 16]) {
    for (i, b) in g.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push(b'-');
        }
        let _ = write!(out, "{b:02x}");
    }
}
