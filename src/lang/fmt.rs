//! REPL formatting (`ray_fmt`, the conformance `text` field): rayfall.md
//! section 13. This module owns the text of every value kind: atoms,
//! vectors, lists, dicts, functions, errors and the null object; tables are
//! drawn as boxes by `fmt_table.rs`, and the REPL's boxed error diagnostic
//! by `fmt_diag.rs`.
//!
//! Modes: 0 compact (one line; tables as a `(table ...)` form), 1 REPL
//! (tables boxed; long collections and tables truncated, see [`Limits`]),
//! 2 unlimited (as 1 without truncation).
#![forbid(unsafe_code)]

#[path = "fmt_diag.rs"]
mod diag;
#[path = "fmt_table.rs"]
mod table;
#[path = "fmt_pretty.rs"]
mod pretty;
#[path = "fmt_parted.rs"]
mod parted;

pub use diag::{Diagnostic, format_diagnostic, format_source_error};

use crate::abi::*;
use crate::core::{sym, temporal};

/// How much of a value a mode shows.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Items of a vector, list or dict shown before ` ..` (usize::MAX: all).
    pub max_items: usize,
    /// Table rows shown (the footer says `N rows (M shown)`): the first and
    /// last half of them around a `┆ … ┆` row.
    pub table_rows: usize,
    /// Table columns shown (`K columns (L shown)`), then a `…` column.
    pub table_cols: usize,
    /// Characters of one table cell; longer text is cut there, unmarked.
    pub cell_chars: usize,
    /// Tables drawn as boxes (else as a one-line `(table ...)` form).
    pub boxed_tables: bool,
    /// The REPL's line width: a vector stops before an element that would
    /// take its text past it, and a list or dict whose one-line text would
    /// end past it is written one item per line (see `fmt_pretty.rs`).
    pub line_width: usize,
}

impl Limits {
    /// The limits of a `ray_fmt` mode (unknown modes behave as 1).
    pub fn for_mode(mode: i32) -> Limits {
        match mode {
            0 => Limits { boxed_tables: false, line_width: usize::MAX, ..REPL_LIMITS },
            2 => Limits {
                max_items: usize::MAX,
                table_rows: usize::MAX,
                table_cols: usize::MAX,
                cell_chars: usize::MAX,
                boxed_tables: true,
                line_width: usize::MAX,
            },
            _ => REPL_LIMITS,
        }
    }
}

/// Containers nested deeper than this print as `..` (bounded recursion).
const MAX_DEPTH: usize = 64;

/// What the REPL shows of a long value.
const REPL_LIMITS: Limits =
    Limits { max_items: 100, table_rows: 20, table_cols: 10, cell_chars: 63, boxed_tables: true, line_width: 80 };

/// The REPL's text for a value (mode 0 compact, 1 REPL, 2 unlimited).
pub fn format(v: &ray_t, mode: i32) -> String {
    let lim = Limits::for_mode(mode);
    if let Some(p) = crate::store::parted::Parted::of(v) {
        let v = v.to_value();
        if lim.boxed_tables {
            return parted::boxed(&p, &v, &lim);
        }
        return match crate::store::parted::materialize(&v) {
            Ok(whole) => format(&whole, mode),
            Err(e) => format_error(e.code_str(), e.message()),
        };
    }
    if v.type_() == RAY_TABLE && lim.boxed_tables {
        return table::boxed(v, &lim);
    }
    if v.is_null_obj() || v.type_() == RAY_NULL {
        return String::new();
    }
    let mut out = String::new();
    if lim.line_width != usize::MAX && matches!(v.type_(), RAY_LIST | RAY_DICT) {
        pretty::write(&mut out, v, &lim, 0, 0);
    } else {
        write_value(&mut out, v, &lim, 0);
    }
    out
}

/// The text a value becomes where it turns into a string (`println`,
/// `format`): float atoms as C's `%g` (RayforceDB prints `0.333333` and
/// `1e+10` there), anything else as the compact REPL text (mode 0).
pub fn display(v: &ray_t) -> String {
    match -v.type_() {
        RAY_F32 | RAY_F64 => f64_display(v.f64_val()),
        _ => format(v, 0),
    }
}

/// The REPL's line for an error: `error: code: message`, or `error: code`
/// when there is no message.
pub fn format_error(code: &str, msg: Option<&str>) -> String {
    match msg {
        Some(m) if !m.is_empty() => format!("error: {code}: {m}"),
        _ => format!("error: {code}"),
    }
}

/// Text of one value nested in a container (never boxed, never empty).
pub(crate) fn write_value(out: &mut String, v: &ray_t, lim: &Limits, depth: usize) {
    let t = v.type_();
    if depth > MAX_DEPTH && is_container_type(t) {
        out.push_str("..");
        return;
    }
    if v.is_null_obj() || t == RAY_NULL {
        out.push_str("null");
    } else if t < 0 {
        write_atom(out, v);
    } else if is_vector_type(t) {
        write_vector(out, v, lim);
    } else {
        match t {
            RAY_LIST => write_list(out, v, lim, depth + 1),
            RAY_DICT => write_dict(out, v, lim, depth + 1),
            RAY_TABLE => write_table_form(out, v, lim, depth + 1),
            RAY_LAMBDA => out.push_str("lambda"),
            RAY_UNARY | RAY_BINARY | RAY_VARY => {
                out.push('<');
                out.push_str(&String::from_utf8_lossy(sym::name_or_empty(v.builtin_name_id())));
                out.push('>');
            }
            RAY_ERROR => out.push_str(&format_error(v.err_code().code_str(), None)),
            _ => out.push_str(&format!("<type {t}>")),
        }
    }
}

/// Text of an atom (negative type).
fn write_atom(out: &mut String, v: &ray_t) {
    match -v.type_() {
        // b8 and u8 have no null value; an atom with the null flag (an index
        // out of range) prints as the reference's 0Nb / 0Nu.
        RAY_BOOL if v.null_flag() => out.push_str("0Nb"),
        RAY_U8 if v.null_flag() => out.push_str("0Nu"),
        RAY_BOOL => out.push_str(if v.bool_val() { "true" } else { "false" }),
        RAY_U8 => push_u8(out, v.u8_val()),
        RAY_I16 => push_i16(out, v.i16_val()),
        RAY_I32 => push_i32(out, v.i32_val()),
        RAY_I64 => push_i64(out, v.i64_val()),
        RAY_F32 | RAY_F64 => out.push_str(&f64_text(v.f64_val())),
        RAY_DATE => push_date(out, v.i32_val()),
        RAY_TIME => push_time(out, v.i32_val()),
        RAY_TIMESTAMP => push_timestamp(out, v.i64_val()),
        RAY_GUID => push_guid(out, v.guid_bytes().unwrap_or(&[0; 16])),
        RAY_SYM => push_sym(out, v.i64_val()),
        RAY_STR => push_str(out, v.str_bytes()),
        t => out.push_str(&format!("<atom {t}>")),
    }
}

/// Text of element `i` of a typed vector, as its atom would print.
pub(crate) fn write_vector_elem(out: &mut String, v: &ray_t, i: usize) {
    match v.type_() {
        RAY_BOOL => out.push_str(if v.elems::<u8>()[i] != 0 { "true" } else { "false" }),
        RAY_U8 => push_u8(out, v.elems::<u8>()[i]),
        RAY_I16 => push_i16(out, v.elems::<i16>()[i]),
        RAY_I32 => push_i32(out, v.elems::<i32>()[i]),
        RAY_I64 => push_i64(out, v.elems::<i64>()[i]),
        RAY_F32 => match v.elems::<f32>()[i] {
            x if x.is_nan() => out.push_str("0Ne"),
            x => out.push_str(&f64_text(x as f64)),
        },
        RAY_F64 => out.push_str(&f64_text(v.elems::<f64>()[i])),
        RAY_DATE => push_date(out, v.elems::<i32>()[i]),
        RAY_TIME => push_time(out, v.elems::<i32>()[i]),
        RAY_TIMESTAMP => push_timestamp(out, v.elems::<i64>()[i]),
        RAY_GUID => push_guid(out, &v.elems::<[u8; 16]>()[i]),
        RAY_SYM => push_sym(out, v.sym_at(i)),
        RAY_STR => push_str(out, v.str_at(i)),
        _ => {}
    }
}

/// Text of element `i` of a vector or a list (for dict keys and table cells).
pub(crate) fn write_elem(out: &mut String, v: &ray_t, i: usize, lim: &Limits, depth: usize) {
    if v.type_() == RAY_LIST {
        match v.item(i) {
            Some(x) => write_value(out, x, lim, depth),
            None => out.push_str("null"),
        }
    } else {
        write_vector_elem(out, v, i);
    }
}

fn write_vector(out: &mut String, v: &ray_t, lim: &Limits) {
    let n = v.len().max(0) as usize;
    let start = out.len();
    out.push('[');
    let mut shown = 0;
    let mut elem = String::new();
    while shown < n.min(lim.max_items) {
        elem.clear();
        write_vector_elem(&mut elem, v, shown);
        // The line width: a further element must end by column width + 1.
        if shown > 0 && out[start..].chars().count() + 1 + elem.chars().count() > lim.line_width.saturating_add(1) {
            break;
        }
        if shown > 0 {
            out.push(' ');
        }
        out.push_str(&elem);
        shown += 1;
    }
    if n > shown {
        out.push_str(" ..");
    }
    out.push(']');
}

fn write_list(out: &mut String, v: &ray_t, lim: &Limits, depth: usize) {
    let items = v.items();
    out.push('(');
    for (i, it) in items.iter().take(lim.max_items).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match it {
            Some(x) => write_value(out, x, lim, depth),
            None => out.push_str("null"),
        }
    }
    if items.len() > lim.max_items {
        out.push_str(" ..");
    }
    out.push(')');
}

fn write_dict(out: &mut String, v: &ray_t, lim: &Limits, depth: usize) {
    let (Some(keys), Some(vals)) = (v.dict_keys(), v.dict_vals()) else {
        out.push_str("{}");
        return;
    };
    let n = keys.len().max(0) as usize;
    let nv = vals.len().max(0) as usize;
    out.push('{');
    for i in 0..n.min(lim.max_items) {
        if i > 0 {
            out.push(' ');
        }
        write_elem(out, keys, i, lim, depth);
        out.push(':');
        if i < nv {
            write_elem(out, vals, i, lim, depth);
        } else {
            out.push_str("null");
        }
    }
    if n > lim.max_items {
        out.push_str(" ..");
    }
    out.push('}');
}

/// One-line table: `(table [a b] (list [1 2] [x y]))` (valid Rayfall).
fn write_table_form(out: &mut String, v: &ray_t, lim: &Limits, depth: usize) {
    out.push_str("(table [");
    for (i, name) in table::column_names(v).iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(name);
    }
    out.push_str("] ");
    match v.table_cols() {
        Some(cols) => write_list_form(out, cols, lim, depth),
        None => out.push_str("(list)"),
    }
    out.push(')');
}

fn write_list_form(out: &mut String, cols: &ray_t, lim: &Limits, depth: usize) {
    out.push_str("(list");
    for it in cols.items() {
        out.push(' ');
        match it {
            Some(x) => write_value(out, x, lim, depth),
            None => out.push_str("null"),
        }
    }
    out.push(')');
}

// ----- scalars -----

fn push_u8(out: &mut String, x: u8) {
    out.push_str(&format!("0x{x:02x}"));
}

fn push_i16(out: &mut String, x: i16) {
    if x == NULL_I16 { out.push_str("0Nh") } else { out.push_str(&x.to_string()) }
}

fn push_i32(out: &mut String, x: i32) {
    if x == NULL_I32 { out.push_str("0Ni") } else { out.push_str(&x.to_string()) }
}

fn push_i64(out: &mut String, x: i64) {
    if x == NULL_I64 { out.push_str("0Nl") } else { out.push_str(&x.to_string()) }
}

/// A float as the REPL shows it (atoms, vectors, table cells), as
/// RayforceDB does: `%.2e` when log10|x| < -1 or > 6 (so 0.1 - 1 ulp,
/// which RayforceDB's log10 rounds to -1, still prints `0.1`), else two
/// decimals with trailing zeros trimmed to one (`%.2f`, `1.0`). Zero of
/// either sign is `0.0`; NaN and the infinities are the float null `0Nf`.
pub fn f64_text(x: f64) -> String {
    if !x.is_finite() {
        return "0Nf".to_string();
    }
    if x == 0.0 {
        return "0.0".to_string();
    }
    let e = x.abs().log10();
    if !(-1.0..=6.0).contains(&e) {
        return scientific(x, 2);
    }
    let mut s = format!("{x:.2}");
    while s.ends_with('0') && !s.ends_with(".0") {
        s.pop();
    }
    s
}

/// A float as text (`println`, `format`, a cast to a string): C's `%g`,
/// six significant digits with trailing zeros dropped (`0.333333`,
/// `1e+10`, `100`); `0Nf` for NaN and the infinities.
pub fn f64_display(x: f64) -> String {
    general(x, 6)
}

/// A float as a symbol's name: C's `%.17g`, every digit that identifies
/// the value (`0.33333333333333331`).
pub fn f64_exact(x: f64) -> String {
    general(x, 17)
}

/// C's `%.{p}g` (p >= 1): fixed notation when the exponent of the value
/// rounded to p digits is in -4..p, else scientific; trailing zeros and a
/// bare point removed.
fn general(x: f64, p: usize) -> String {
    if !x.is_finite() {
        return "0Nf".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let rounded = format!("{:.*e}", p - 1, x);
    let exp: i32 = rounded.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let s = scientific(x, p - 1);
        let (mantissa, tail) = s.split_once('e').unwrap_or((&s, ""));
        return format!("{}e{tail}", trim_fraction(mantissa));
    }
    trim_fraction(&format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x)).to_string()
}

/// `1.500` -> `1.5`, `2.000` -> `2` (numbers without a point unchanged).
fn trim_fraction(s: &str) -> &str {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

/// C's `%.{digits}e`: a signed exponent of at least two digits (`2.50e-03`).
fn scientific(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$e}");
    let Some((mantissa, exp)) = s.split_once('e') else { return s };
    let e: i32 = exp.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", e.unsigned_abs())
}

fn push_date(out: &mut String, days: i32) {
    if days == NULL_I32 {
        out.push_str("0Nd");
        return;
    }
    let (y, m, d) = temporal::civil_from_days(days as i64);
    out.push_str(&format!("{y:04}.{m:02}.{d:02}"));
}

fn push_time(out: &mut String, ms: i32) {
    if ms == NULL_I32 {
        out.push_str("0Nt");
        return;
    }
    let neg = ms < 0;
    let ms = (ms as i64).abs();
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (mi, rest) = (rest / 60_000, rest % 60_000);
    let (s, frac) = (rest / 1000, rest % 1000);
    if neg {
        out.push('-');
    }
    out.push_str(&format!("{h:02}:{mi:02}:{s:02}.{frac:03}"));
}

fn push_timestamp(out: &mut String, ns: i64) {
    if ns == NULL_I64 {
        out.push_str("0Np");
        return;
    }
    let days = ns.div_euclid(temporal::NS_PER_DAY);
    let rest = ns.rem_euclid(temporal::NS_PER_DAY);
    let (y, m, d) = temporal::civil_from_days(days);
    let secs = rest / 1_000_000_000;
    let frac = rest % 1_000_000_000;
    out.push_str(&format!(
        "{y:04}.{m:02}.{d:02}D{:02}:{:02}:{:02}.{frac:09}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
}

fn push_guid(out: &mut String, g: &[u8; 16]) {
    if g == &[0u8; 16] {
        out.push_str("0Ng");
        return;
    }
    for (i, b) in g.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
}

/// A symbol prints bare; the empty symbol prints as `'`.
fn push_sym(out: &mut String, id: i64) {
    let name = sym::name_or_empty(id);
    if name.is_empty() {
        out.push('\'');
    } else {
        out.push_str(&String::from_utf8_lossy(name));
    }
}

/// A string prints in double quotes with its raw contents.
fn push_str(out: &mut String, bytes: &[u8]) {
    out.push('"');
    out.push_str(&String::from_utf8_lossy(bytes));
    out.push('"');
}
