//! Builtins: type and system family: type meta nil? println show exit
//! .sys.build guid rand, and the query special forms, which hand over to
//! `crate::query` once it provides them.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};
use crate::lang::eval::Evaluator;
use crate::lang::registry::Builtin;
use crate::lang::values::{int_arg, sym_dict};
use crate::ops::{self, type_name_of as type_name};
use std::cell::RefCell;
use std::sync::Mutex;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("type", RAY_UNARY, type_),
    Builtin::pure("meta", RAY_UNARY, meta),
    Builtin::pure("nil?", RAY_UNARY, nil),
    Builtin::pure("println", RAY_VARY, println),
    Builtin::pure("show", RAY_UNARY, show),
    Builtin::pure("exit", RAY_UNARY, exit).restricted(),
    Builtin::pure(".sys.build", RAY_VARY, sys_build),
    Builtin::pure("guid", RAY_UNARY, guid),
    Builtin::pure("rand", RAY_BINARY, rand),
    Builtin::special("select", select).args(1, 1),
    Builtin::special("update", update).args(1, 1).restricted(),
    Builtin::ctx("window-join", RAY_VARY, window_join),
    Builtin::ctx("window-join1", RAY_VARY, window_join1),
];

/// The query dict: the literal as written (its values stay raw
/// expressions), or the value of any other expression.
fn query_dict(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args[0].type_ == RAY_DICT { Ok(args[0].clone()) } else { ev.eval(&args[0]) }
}

fn select(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let q = query_dict(ev, args)?;
    crate::query::select(&q, ev)
}

fn update(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let q = query_dict(ev, args)?;
    crate::query::update(&q, ev)
}

fn window_join(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    crate::query::window_join(args, ev, true)
}

fn window_join1(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    crate::query::window_join(args, ev, false)
}

fn type_(args: &[Value]) -> Result<Value> {
    Ok(Value::sym_id(sym::intern(type_name(&args[0]).as_bytes())))
}

fn meta(args: &[Value]) -> Result<Value> {
    let x = &args[0];
    let t = Value::sym_id(sym::intern(type_name(x).as_bytes()));
    if x.is_atom() && x.type_ != RAY_LAMBDA {
        return sym_dict(vec![("type", t)]);
    }
    let len = match x.type_ {
        RAY_TABLE => x.table_schema().map_or(0, |s| s.len()),
        _ => ops::count(x),
    };
    sym_dict(vec![("type", t), ("len", Value::i64(len))])
}

fn nil(args: &[Value]) -> Result<Value> {
    let x = &args[0];
    Ok(Value::bool(x.is_atom() && x.type_ < RAY_LAMBDA + 1 && (x.is_null_atom() || x.is_null_obj())))
}

thread_local! {
    static CAPTURE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` while capturing what `println`/`show` print on this thread
/// (the IPC verbose flag, wire.md 6.3).
pub fn capture_output<R>(f: impl FnOnce() -> R) -> (R, String) {
    let prev = CAPTURE.with(|c| c.borrow_mut().replace(String::new()));
    let r = f();
    let out = CAPTURE.with(|c| std::mem::replace(&mut *c.borrow_mut(), prev)).unwrap_or_default();
    (r, out)
}

fn emit(line: &str) {
    emit_text(line, true);
}

/// Writes `text` (then a newline when asked) to stdout, or to the capture
/// buffer of [`capture_output`].
pub(super) fn emit_text(text: &str, newline: bool) {
    let captured = CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(s) => {
            s.push_str(text);
            if newline {
                s.push('\n');
            }
            true
        }
        None => false,
    });
    if !captured {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if newline {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }
}

/// An argument as `println` writes it: strings raw, the rest in REPL form.
/// A symbol atom keeps its tick (`'a`), as RayforceDB prints it.
pub(super) fn text_of(v: &ray_t) -> String {
    if v.type_ == -RAY_STR {
        return String::from_utf8_lossy(v.str_bytes()).into_owned();
    }
    if v.type_ == -RAY_SYM {
        return format!("'{}", String::from_utf8_lossy(sym::name_or_empty(v.i64_val())));
    }
    crate::lang::fmt::display(v)
}

fn println(args: &[Value]) -> Result<Value> {
    let parts: Vec<String> = args.iter().map(|a| text_of(a)).collect();
    emit(&parts.join(" "));
    Ok(Value::null())
}

fn show(args: &[Value]) -> Result<Value> {
    emit(&crate::lang::format(&args[0], 1));
    Ok(Value::null())
}

/// `(exit code)`: ends the process with an integer atom's status (the
/// OS keeps its low 8 bits), after flushing stdout. Read-only IPC
/// clients get `access` (the entry is restricted); anything but an
/// integer is a type error (RayforceDB exits with a float's bit pattern).
fn exit(args: &[Value]) -> Result<Value> {
    let code = int_arg(&args[0], "exit")?;
    use std::io::Write;
    let _ = std::io::stdout().flush();
    std::process::exit(code as i32)
}

fn sys_build(_args: &[Value]) -> Result<Value> {
    sym_dict(vec![
        ("version", Value::str(env!("CARGO_PKG_VERSION").as_bytes())),
        ("build-date", Value::str(b"2025.01.01")),
    ])
}

/// splitmix64: a small seeded generator (the spec only asks for a seed).
static RNG: Mutex<u64> = Mutex::new(0x9e37_79b9_7f4a_7c15);

fn next_u64() -> u64 {
    let mut s = RNG.lock().unwrap_or_else(|e| e.into_inner());
    *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn guid(args: &[Value]) -> Result<Value> {
    let n = int_arg(&args[0], "guid")?;
    if n < 0 {
        return Err(RayError::domain("guid: count must be non-negative"));
    }
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let mut g = [0u8; 16];
        g[..8].copy_from_slice(&next_u64().to_le_bytes());
        g[8..].copy_from_slice(&next_u64().to_le_bytes());
        g[6] = (g[6] & 0x0f) | 0x40;
        g[8] = (g[8] & 0x3f) | 0x80;
        out.push(g);
    }
    Value::vec_from_slice(RAY_GUID, &out)
}

fn rand(args: &[Value]) -> Result<Value> {
    let n = int_arg(&args[0], "rand")?;
    if n < 0 {
        return Err(RayError::domain("rand: count must be non-negative"));
    }
    let m = &args[1];
    if m.type_ == -RAY_F64 {
        let hi = m.f64_val();
        let xs: Vec<f64> = (0..n).map(|_| (next_u64() >> 11) as f64 / (1u64 << 53) as f64 * hi).collect();
        return Value::vec_from_slice(RAY_F64, &xs);
    }
    let hi = int_arg(m, "rand")?;
    if hi <= 0 {
        return Err(RayError::domain("rand: bound must be positive"));
    }
    let xs: Vec<i64> = (0..n).map(|_| (next_u64() % hi as u64) as i64).collect();
    Value::vec_from_slice(RAY_I64, &xs)
}
