//! Builtins: string family (spec/rayfall.md section 8, "Strings and
//! symbols"): upper lower trim strlen substr replace split str-find
//! str-join like format. Text functions work on str and sym atoms, STR and
//! SYM vectors (keeping the kind) and map over LISTs. Strings as sequences
//! (`at`, `take`, `drop`, `concat`, `reverse`) live in the collection
//! family. Registered by the evaluator from `BUILTINS`.
#![forbid(unsafe_code)]

use super::spec::{Builtin, PureFn};
use super::util_args::*;
use crate::ops::{sym_ids, vec_from};
use crate::abi::*;
use crate::core::{RayError, Result, Value, sym};

const fn spec(name: &'static str, kind: i8, f: PureFn) -> Builtin {
    Builtin::pure(name, kind, f)
}

pub const BUILTINS: &[Builtin] = &[
    spec("upper", RAY_UNARY, upper),
    spec("lower", RAY_UNARY, lower),
    spec("trim", RAY_UNARY, trim),
    spec("strlen", RAY_UNARY, strlen),
    spec("substr", RAY_VARY, substr),
    spec("replace", RAY_VARY, replace),
    spec("split", RAY_BINARY, split),
    spec("str-find", RAY_BINARY, str_find),
    spec("str-join", RAY_BINARY, str_join),
    spec("like", RAY_BINARY, like),
    spec("format", RAY_VARY, format),
];

/// Applies a byte-string transform to a str/sym atom, a STR/SYM vector or
/// each item of a LIST, keeping the kind of the input.
fn map_text(name: &str, x: &ray_t, f: &dyn Fn(&[u8]) -> Vec<u8>) -> Result<Value> {
    map_text_at(name, x, f, 0)
}

fn map_text_at(name: &str, x: &ray_t, f: &dyn Fn(&[u8]) -> Vec<u8>, depth: usize) -> Result<Value> {
    check_depth(name, depth)?;
    match x.type_ {
        t if t == -RAY_STR => Value::try_str(&f(x.str_bytes())),
        t if t == -RAY_SYM => Ok(Value::sym_id(sym::intern(&f(sym::name_or_empty(x.i64_val()))))),
        RAY_STR => {
            let n = x.len().max(0) as usize;
            let mut out = Value::vec_with_capacity(RAY_STR, n as i64)?;
            for i in 0..n {
                out.str_vec_push(&f(x.str_at(i)))?;
            }
            Ok(out)
        }
        RAY_SYM => {
            let names: Vec<&'static [u8]> = sym::with_names(|look| sym_ids(x).iter().map(|&i| look(i)).collect());
            let ids: Vec<i64> = names.iter().map(|n| sym::intern(&f(n))).collect();
            Value::sym_vec(&ids)
        }
        RAY_LIST if name == "str-find" => {
            let items = x
                .items()
                .iter()
                .map(|it| it.map_or_else(|| Err(type_err(name, "null item")), |it| map_text_at(name, it, f, depth + 1)))
                .collect::<Result<Vec<_>>>()?;
            Value::container(RAY_LIST, items)
        }
        _ => Err(text_type_err(name, x)),
    }
}

/// Applies `f` to each text of `x` and packs the i64 results (an atom for
/// an atom input, an I64 vector for a STR/SYM vector).
fn map_text_i64(name: &str, x: &ray_t, f: &dyn Fn(&[u8]) -> i64) -> Result<Value> {
    map_text_i64_at(name, x, f, 0)
}

fn map_text_i64_at(name: &str, x: &ray_t, f: &dyn Fn(&[u8]) -> i64, depth: usize) -> Result<Value> {
    check_depth(name, depth)?;
    let atom = |r: i64| if r == NULL_I64 { Value::typed_null(-RAY_I64) } else { Ok(Value::i64(r)) };
    match x.type_ {
        t if t == -RAY_STR => atom(f(x.str_bytes())),
        t if t == -RAY_SYM => atom(f(sym::name_or_empty(x.i64_val()))),
        RAY_STR => vec_from(RAY_I64, (0..x.len().max(0) as usize).map(|i| f(x.str_at(i))).collect::<Vec<_>>()),
        RAY_SYM => {
            let names: Vec<&'static [u8]> = sym::with_names(|look| sym_ids(x).iter().map(|&i| look(i)).collect());
            vec_from(RAY_I64, names.iter().map(|n| f(n)).collect::<Vec<_>>())
        }
        RAY_LIST if name == "str-find" => {
            let items = x
                .items()
                .iter()
                .map(|it| it.map_or_else(|| Err(type_err(name, "null item")), |it| map_text_i64_at(name, it, f, depth + 1)))
                .collect::<Result<Vec<_>>>()?;
            Value::container(RAY_LIST, items)
        }
        _ => Err(text_type_err(name, x)),
    }
}

/// The reference's wording when a text function gets another type.
fn text_type_err(name: &str, x: &ray_t) -> RayError {
    let got = crate::ops::type_name_of(x);
    let msg = match name {
        "upper" | "lower" | "trim" => format!("string transform: expected string or symbol, got {got}"),
        "replace" if x.type_ != RAY_LIST => format!("replace: expected string or symbol input, got {got}"),
        "strlen" => "strlen: expected string or symbol".to_string(),
        "str-find" => "str-find: expected string, symbol, string vector, symbol vector, or list".to_string(),
        _ => format!("{name}: expected string or symbol, got {got}"),
    };
    RayError::type_err(msg)
}

fn upper(args: &[Value]) -> Result<Value> {
    expect_arity("upper", args, 1)?;
    map_text("upper", &args[0], &|s| s.to_ascii_uppercase())
}

fn lower(args: &[Value]) -> Result<Value> {
    expect_arity("lower", args, 1)?;
    map_text("lower", &args[0], &|s| s.to_ascii_lowercase())
}

fn trim(args: &[Value]) -> Result<Value> {
    expect_arity("trim", args, 1)?;
    map_text("trim", &args[0], &|s| s.trim_ascii().to_vec())
}

fn strlen(args: &[Value]) -> Result<Value> {
    expect_arity("strlen", args, 1)?;
    map_text_i64("strlen", &args[0], &|s| s.len() as i64)
}

/// The bytes of a str or sym atom argument.
fn text_arg<'a>(name: &str, args: &'a [Value], i: usize) -> Result<&'a [u8]> {
    let x = arg(name, args, i)?;
    match x.type_ {
        t if t == -RAY_STR => Ok(x.str_bytes()),
        t if t == -RAY_SYM => Ok(sym::name_or_empty(x.i64_val())),
        _ => Err(type_err(name, "expected a string")),
    }
}

fn substr(args: &[Value]) -> Result<Value> {
    expect_arity("substr", args, 3)?;
    let start = int_arg("substr", args, 1)?;
    let len = int_arg("substr", args, 2)?;
    if start == NULL_I64 || len == NULL_I64 {
        return Err(domain_err("substr", "null position"));
    }
    if len < 0 {
        return Err(domain_err("substr", "negative length"));
    }
    map_text("substr", &args[0], &|s| {
        let begin = (start.max(1) - 1).min(s.len() as i64) as usize;
        let end = begin.saturating_add(len as usize).min(s.len());
        s[begin..end].to_vec()
    })
}

/// Replaces every non-overlapping occurrence of `from` in `s`.
fn replace_all(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return s.to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = memchr::memmem::find(rest, from) {
        out.extend_from_slice(&rest[..p]);
        out.extend_from_slice(to);
        rest = &rest[p + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn replace(args: &[Value]) -> Result<Value> {
    expect_arity("replace", args, 3)?;
    let from = text_arg("replace", args, 1)?;
    let to = text_arg("replace", args, 2)?;
    map_text("replace", &args[0], &|s| replace_all(s, from, to))
}

/// Splits `s` on `delim` (every byte when `delim` is empty).
fn split_bytes<'a>(s: &'a [u8], delim: &[u8]) -> Vec<&'a [u8]> {
    if delim.is_empty() {
        return s.chunks(1).collect();
    }
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(p) = memchr::memmem::find(rest, delim) {
        out.push(&rest[..p]);
        rest = &rest[p + delim.len()..];
    }
    out.push(rest);
    out
}

fn split(args: &[Value]) -> Result<Value> {
    expect_arity("split", args, 2)?;
    let delim = text_arg("split", args, 1)?;
    let parts_of = |s: &[u8]| -> Result<Value> {
        let parts = split_bytes(s, delim).into_iter().map(Value::try_str).collect::<Result<Vec<_>>>()?;
        Value::container(RAY_LIST, parts)
    };
    let x = &args[0];
    match x.type_ {
        t if t == -RAY_STR => parts_of(x.str_bytes()),
        t if t == -RAY_SYM => parts_of(sym::name_or_empty(x.i64_val())),
        RAY_STR => {
            let items = (0..x.len().max(0) as usize).map(|i| parts_of(x.str_at(i))).collect::<Result<Vec<_>>>()?;
            Value::container(RAY_LIST, items)
        }
        _ => Err(type_err("split", "expected a string")),
    }
}

fn str_find(args: &[Value]) -> Result<Value> {
    expect_arity("str-find", args, 2)?;
    let needle = text_arg("str-find", args, 1)?;
    map_text_i64("str-find", &args[0], &|s| memchr::memmem::find(s, needle).map_or(NULL_I64, |p| p as i64))
}

fn str_join(args: &[Value]) -> Result<Value> {
    expect_arity("str-join", args, 2)?;
    let delim = text_arg("str-join", args, 1)?;
    let x = &args[0];
    let parts: Vec<Vec<u8>> = match x.type_ {
        RAY_STR => (0..x.len().max(0) as usize).map(|i| x.str_at(i).to_vec()).collect(),
        RAY_SYM => sym_ids(x).iter().map(|&i| sym::name_or_empty(i).to_vec()).collect(),
        RAY_LIST => x
            .items()
            .iter()
            .map(|it| match it {
                Some(s) if s.type_ == -RAY_STR => Ok(s.str_bytes().to_vec()),
                Some(s) if s.type_ == -RAY_SYM => Ok(sym::name_or_empty(s.i64_val()).to_vec()),
                _ => Err(type_err("str-join", "expected strings or symbols")),
            })
            .collect::<Result<_>>()?,
        t if t == -RAY_STR => return Ok(x.clone()),
        _ => return Err(type_err("str-join", "expected strings or symbols")),
    };
    Value::try_str(&parts.join(delim))
}

/// Glob match: `*` any run, `?` any one byte, `[abc]`/`[a-z]`/`[^x]` a set.
pub fn glob(s: &[u8], p: &[u8]) -> bool {
    // Iterative matcher with single-star backtracking (linear for `*` runs).
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class_match(&p[pi..], s[si]) {
                        if matched {
                            si += 1;
                            pi += next;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        si += 1;
                        pi += 1;
                        continue;
                    }
                }
                c if c == s[si] => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class at the start of `p` (`[...]`); returns
/// whether it matched and the class length, or None when unterminated.
fn class_match(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let end = p.iter().skip(1).position(|&b| b == b']')? + 1;
    let body = &p[1..end];
    let (negate, body) = match body.first() {
        Some(b'^') | Some(b'!') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut hit = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            hit |= (body[i]..=body[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    Some((hit != negate, end + 1))
}

/// `(ilike x pattern)`: `like` without regard to ASCII case; query-only
/// (builtins.md 9, called through `query_only`).
pub(super) fn ilike(args: &[Value]) -> Result<Value> {
    expect_arity("ilike", args, 2)?;
    let x = &args[0];
    let text = if x.type_ == RAY_LIST {
        let items = x.items().iter().map(|it| match it {
            Some(s) => lower(&[s.to_value()]),
            None => Err(type_err("ilike", "expected strings or symbols")),
        });
        Value::list(items.collect::<Result<Vec<_>>>()?)
    } else {
        lower(&args[..1])?
    };
    like(&[text, lower(&args[1..])?])
}

fn like(args: &[Value]) -> Result<Value> {
    expect_arity("like", args, 2)?;
    if args[1].type_ != -RAY_STR {
        return Err(type_err("like", "pattern must be a string"));
    }
    let pat = text_arg("like", args, 1)?;
    let x = &args[0];
    match x.type_ {
        t if t == -RAY_STR => Ok(Value::bool(glob(x.str_bytes(), pat))),
        t if t == -RAY_SYM => Ok(Value::bool(glob(sym::name_or_empty(x.i64_val()), pat))),
        RAY_STR => {
            let m: Vec<u8> = (0..x.len().max(0) as usize).map(|i| glob(x.str_at(i), pat) as u8).collect();
            Value::vec_from_slice(RAY_BOOL, &m)
        }
        RAY_SYM => {
            let m: Vec<u8> = sym::with_names(|look| sym_ids(x).iter().map(|&i| glob(look(i), pat) as u8).collect());
            Value::vec_from_slice(RAY_BOOL, &m)
        }
        RAY_LIST => {
            let m = x
                .items()
                .iter()
                .map(|it| match it {
                    Some(s) if s.type_ == -RAY_STR => Ok(glob(s.str_bytes(), pat) as u8),
                    Some(s) if s.type_ == -RAY_SYM => Ok(glob(sym::name_or_empty(s.i64_val()), pat) as u8),
                    _ => Err(type_err("like", "expects string or symbol")),
                })
                .collect::<Result<Vec<u8>>>()?;
            Value::vec_from_slice(RAY_BOOL, &m)
        }
        _ => Err(type_err("like", "expects string or symbol")),
    }
}

/// The text `format` substitutes for a value: a string's raw bytes, a
/// symbol's name, otherwise `fmt::display` (floats as `%g`).
pub fn display_text(v: &ray_t) -> Vec<u8> {
    match v.type_ {
        t if t == -RAY_STR => v.str_bytes().to_vec(),
        t if t == -RAY_SYM => sym::name_or_empty(v.i64_val()).to_vec(),
        _ => crate::lang::fmt::display(v).into_bytes(),
    }
}

fn format(args: &[Value]) -> Result<Value> {
    let Some(first) = args.first() else {
        return Err(arity_err("format", "1+", 0));
    };
    if first.type_ != -RAY_STR {
        return Err(type_err("format", "expected a format string"));
    }
    let mut out = Vec::new();
    let mut rest = args[1..].iter();
    for &c in first.str_bytes() {
        if c == b'%' {
            match rest.next() {
                Some(v) => out.extend_from_slice(&display_text(v)),
                None => return Err(RayError::new("arity", "format: not enough arguments")),
            }
        } else {
            out.push(c);
        }
    }
    Value::try_str(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &ray_t) -> Vec<Vec<u8>> {
        (0..v.len() as usize).map(|i| v.str_at(i).to_vec()).collect()
    }

    #[test]
    fn case_functions_keep_the_kind() {
        // string-001, string-002
        let v = lower(&[Value::str_vec([&b"AB"[..], b"Cd"]).unwrap()]).unwrap();
        assert_eq!((v.type_, strs(&v)), (RAY_STR, vec![b"ab".to_vec(), b"cd".to_vec()]));
        let s = upper(&[Value::quoted_sym(sym::intern_str("abc"))]).unwrap();
        assert_eq!((s.type_, sym::name_or_empty(s.i64_val()), s.is_quoted()), (-RAY_SYM, &b"ABC"[..], false));
        assert_eq!(trim(&[Value::str(b"  x y ")]).unwrap().str_bytes(), b"x y");
        assert_eq!(upper(&[Value::i64(1)]).unwrap_err().code_str(), "type");
    }

    #[test]
    fn substr_counts_from_one_and_clamps() {
        // string-003
        let s = Value::str(b"abcdef");
        assert_eq!(substr(&[s.clone(), Value::i64(2), Value::i64(3)]).unwrap().str_bytes(), b"bcd");
        assert_eq!(substr(&[s.clone(), Value::i64(5), Value::i64(10)]).unwrap().str_bytes(), b"ef");
        assert_eq!(substr(&[s, Value::i64(9), Value::i64(1)]).unwrap().str_bytes(), b"");
    }

    #[test]
    fn replace_split_find_and_join() {
        // string-004, string-005, string-006
        let r = replace(&[Value::str(b"banana"), Value::str(b"na"), Value::str(b"NA")]).unwrap();
        assert_eq!(r.str_bytes(), b"baNANA");
        let l = split(&[Value::str(b"a,b,c"), Value::str(b",")]).unwrap();
        assert_eq!(l.type_, RAY_LIST);
        let parts: Vec<&[u8]> = l.items().iter().map(|x| x.unwrap().str_bytes()).collect();
        assert_eq!(parts, [b"a", b"b", b"c"]);
        let j = str_join(&[Value::str_vec([&b"a"[..], b"b", b"c"]).unwrap(), Value::str(b",")]).unwrap();
        assert_eq!(j.str_bytes(), b"a,b,c");
        assert_eq!(str_find(&[Value::str(b"hello"), Value::str(b"ll")]).unwrap().i64_val(), 2);
        let miss = str_find(&[Value::str(b"hello"), Value::str(b"z")]).unwrap();
        assert!(miss.null_flag());
        assert_eq!(strlen(&[Value::sym("abcd")]).unwrap().i64_val(), 4);
    }

    #[test]
    fn like_matches_globs() {
        // string-007
        let m = like(&[Value::str_vec([&b"apple"[..], b"banana"]).unwrap(), Value::str(b"a*")]).unwrap();
        assert_eq!((m.type_, m.elems::<u8>()), (RAY_BOOL, &[1u8, 0][..]));
        assert!(glob(b"dee", b"*e*"));
        assert!(!glob(b"bob", b"*e*"));
        assert!(glob(b"abc", b"a?c"));
        assert!(glob(b"b1", b"[a-c][0-9]"));
        assert!(!glob(b"ab", b"a"));
    }

    #[test]
    fn format_substitutes_arguments() {
        // string-009 (numbers need the REPL formatter; strings are raw)
        let f = format(&[Value::str(b"a=% b=%"), Value::str(b"x"), Value::sym("y")]).unwrap();
        assert_eq!(f.str_bytes(), b"a=x b=y");
        assert_eq!(format(&[Value::str(b"%")]).unwrap_err().code_str(), "arity");
    }
}
