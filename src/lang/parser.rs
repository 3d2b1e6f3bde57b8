//! The parser: tokens to values (code is data). A call `(f a b)` becomes a
//! LIST, a name an unquoted SYM atom, `'a`/`:a` a quoted SYM atom, `[..]`
//! a typed vector, `{k: v}` a DICT whose values stay unevaluated in a LIST.
//! Literals become atoms of their type (rayfall.md section 2).
#![forbid(unsafe_code)]

use super::lexer::{Tok, Token, is_typed_null_text, tokenize};
use super::limits::{Limits, limit_error};
use crate::abi::*;
use crate::core::temporal::{NS_PER_DAY, days_from_civil};
use crate::core::{RayError, Result, Value, sym};

fn parse_err(msg: impl Into<String>) -> RayError {
    RayError::new("parse", msg)
}

/// An unclosed bracket: the reference reports the bare `parse` code.
fn unbalanced() -> RayError {
    RayError::code("parse")
}

/// Parses every top-level form of `src`. Errors: `parse`, `domain` (bad
/// vector literal, out-of-range suffix), `limit`.
pub fn parse_all(src: &[u8], limits: &Limits) -> Result<Vec<Value>> {
    parse_forms(src, limits, None)
}

/// The call forms of a parsed source: (address of the LIST object, byte
/// offset of its opening parenthesis). Valid while the forms are alive.
pub type Spans = Vec<(usize, usize)>;

/// [`parse_all`], also returning where each call form starts in `src`.
pub fn parse_all_spanned(src: &[u8], limits: &Limits) -> Result<(Vec<Value>, Spans)> {
    let mut spans = Vec::new();
    let forms = parse_forms(src, limits, Some(&mut spans))?;
    Ok((forms, spans))
}

fn parse_forms(src: &[u8], limits: &Limits, spans: Option<&mut Spans>) -> Result<Vec<Value>> {
    if src.len() > limits.max_source_bytes {
        return Err(limit_error("source text too large"));
    }
    let toks = tokenize(src)?;
    let mut p = Parser { toks: &toks, pos: 0, limits, depth: 0, spans };
    let mut forms = Vec::new();
    while p.pos < toks.len() {
        if forms.len() >= limits.max_top_forms {
            return Err(limit_error("too many top-level forms"));
        }
        forms.push(p.form()?);
    }
    Ok(forms)
}

/// Parses `src` into one value: its single form, or `(do f1 f2 ...)` for
/// several. Empty source is a `parse` error.
pub fn parse_one(src: &[u8], limits: &Limits) -> Result<Value> {
    let mut forms = parse_all(src, limits)?;
    match forms.len() {
        0 => Err(parse_err("empty input")),
        1 => Ok(forms.pop().unwrap()),
        _ => {
            forms.insert(0, Value::sym_id(sym::intern(b"do")));
            Ok(Value::list(forms))
        }
    }
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    limits: &'a Limits,
    depth: usize,
    spans: Option<&'a mut Spans>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<&Tok> {
        let t = self.toks.get(self.pos).map(|t| &t.tok);
        self.pos += 1;
        t
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > self.limits.max_expr_depth {
            return Err(limit_error("expression nested too deeply"));
        }
        Ok(())
    }

    fn form(&mut self) -> Result<Value> {
        let start = self.toks.get(self.pos).map_or(0, |t| t.start);
        let Some(t) = self.next().cloned() else {
            return Err(parse_err("unexpected end of input"));
        };
        match t {
            Tok::LParen => {
                self.enter()?;
                let mut items = Vec::new();
                loop {
                    match self.peek() {
                        None => return Err(unbalanced()),
                        Some(Tok::RParen) => {
                            self.pos += 1;
                            break;
                        }
                        _ => items.push(self.form()?),
                    }
                }
                self.depth -= 1;
                let list = Value::list(items);
                if let Some(spans) = self.spans.as_deref_mut() {
                    spans.push((std::ptr::from_ref::<ray_t>(&*list).addr(), start));
                }
                Ok(list)
            }
            Tok::LBracket => {
                self.enter()?;
                let v = self.vector()?;
                self.depth -= 1;
                Ok(v)
            }
            Tok::LBrace => {
                self.enter()?;
                let v = self.dict()?;
                self.depth -= 1;
                Ok(v)
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => Err(parse_err("unexpected closing bracket")),
            Tok::Colon => Err(parse_err("unexpected ':'")),
            Tok::Name(n) => Ok(name_value(&n)),
            Tok::Symbol(s) => Ok(Value::quoted_sym(sym::intern(s.as_bytes()))),
            Tok::Str(s) => Ok(Value::str(&s)),
            Tok::Number(text) => number(&text),
        }
    }

    /// `[a b c]`: literal elements, not evaluated; one atom type or err:domain.
    fn vector(&mut self) -> Result<Value> {
        let mut elems: Vec<Value> = Vec::new();
        let mut bad = false;
        loop {
            match self.peek() {
                None => return Err(unbalanced()),
                Some(Tok::RBracket) => {
                    self.pos += 1;
                    break;
                }
                Some(Tok::LParen | Tok::LBracket | Tok::LBrace) => {
                    // Nested forms are not literals; still consume them so
                    // bracket errors are reported first.
                    self.form()?;
                    bad = true;
                }
                Some(Tok::Name(n)) => {
                    let v = if n == "true" || n == "false" { Value::bool(n == "true") } else { Value::sym_id(sym::intern(n.as_bytes())) };
                    self.pos += 1;
                    elems.push(v);
                }
                _ => {
                    let v = self.form()?;
                    elems.push(v);
                }
            }
            if elems.len() > self.limits.max_vector_literal {
                return Err(limit_error("vector literal too long"));
            }
        }
        if bad {
            return Err(RayError::domain("parse: vector literal holds a nested expression"));
        }
        vector_of_literals(&elems)
    }

    /// `{k: v ...}`: SYM keys (barewords), STR keys (strings), or a LIST of
    /// mixed key atoms; values unevaluated in a LIST.
    fn dict(&mut self) -> Result<Value> {
        let mut keys: Vec<Value> = Vec::new();
        let mut vals: Vec<Value> = Vec::new();
        loop {
            let key = match self.next().cloned() {
                None => return Err(unbalanced()),
                Some(Tok::RBrace) => break,
                Some(Tok::Name(n)) => Value::sym_id(sym::intern(n.as_bytes())),
                Some(Tok::Symbol(s)) => Value::sym_id(sym::intern(s.as_bytes())),
                Some(Tok::Str(s)) => Value::str(&s),
                Some(Tok::Number(t)) => number(&t)?,
                Some(_) => return Err(parse_err("bad dict key")),
            };
            match self.next() {
                Some(Tok::Colon) => {}
                _ => return Err(parse_err("expected ':' after a dict key")),
            }
            if matches!(self.peek(), None | Some(Tok::RBrace)) {
                return Err(parse_err("dict key without a value"));
            }
            let v = self.form()?;
            keys.push(key);
            vals.push(v);
        }
        let all_sym = !keys.is_empty() && keys.iter().all(|k| k.type_ == -RAY_SYM);
        let all_str = !keys.is_empty() && keys.iter().all(|k| k.type_ == -RAY_STR);
        let kv = if all_sym {
            let ids: Vec<i64> = keys.iter().map(|k| k.i64_val()).collect();
            Value::sym_vec(&ids)?
        } else if all_str {
            Value::str_vec(keys.iter().map(|k| k.str_bytes()))?
        } else {
            Value::list(keys)
        };
        Ok(Value::dict(kv, Value::list(vals)))
    }
}

fn name_value(n: &str) -> Value {
    match n {
        "true" => Value::bool(true),
        "false" => Value::bool(false),
        _ => Value::sym_id(sym::intern(n.as_bytes())),
    }
}

/// Builds a typed vector from literal atoms (rayfall.md section 2).
pub fn vector_of_literals(elems: &[Value]) -> Result<Value> {
    if elems.is_empty() {
        return Value::vec_with_capacity(RAY_I64, 0);
    }
    let t0 = elems[0].type_;
    let same = elems.iter().all(|e| e.type_ == t0);
    let num_mix = elems.iter().all(|e| e.type_ == -RAY_I64 || e.type_ == -RAY_F64);
    let mixed = || RayError::domain("parse: vector literal mixes incompatible element types");
    if !same && !num_mix {
        return Err(mixed());
    }
    if !same {
        let xs: Vec<f64> = elems
            .iter()
            .map(|e| if e.type_ == -RAY_F64 { e.f64_val() } else if e.is_null_atom() { f64::NAN } else { e.i64_val() as f64 })
            .collect();
        return finish_nulls(Value::vec_from_slice(RAY_F64, &xs)?, xs.iter().any(|x| x.is_nan()));
    }
    let any_null = elems.iter().any(|e| e.is_null_atom());
    let t = -t0;
    let v = match t {
        RAY_BOOL | RAY_U8 => Value::vec_from_slice(t, &elems.iter().map(|e| e.u8_val()).collect::<Vec<_>>())?,
        RAY_I16 => Value::vec_from_slice(t, &elems.iter().map(|e| e.i16_val()).collect::<Vec<_>>())?,
        RAY_I32 | RAY_DATE | RAY_TIME => Value::vec_from_slice(t, &elems.iter().map(|e| e.i32_val()).collect::<Vec<_>>())?,
        RAY_I64 | RAY_TIMESTAMP => Value::vec_from_slice(t, &elems.iter().map(|e| e.i64_val()).collect::<Vec<_>>())?,
        RAY_F64 => Value::vec_from_slice(t, &elems.iter().map(|e| e.f64_val()).collect::<Vec<_>>())?,
        RAY_SYM => Value::sym_vec(&elems.iter().map(|e| e.i64_val()).collect::<Vec<_>>())?,
        RAY_STR => Value::str_vec(elems.iter().map(|e| e.str_bytes()))?,
        _ => return Err(mixed()),
    };
    finish_nulls(v, any_null && t != RAY_SYM && t != RAY_STR)
}

fn finish_nulls(mut v: Value, nulls: bool) -> Result<Value> {
    if nulls {
        v.set_attr(RAY_ATTR_HAS_NULLS, true)?;
    }
    Ok(v)
}

/// Parses a number, temporal or typed-null literal.
pub fn number(text: &str) -> Result<Value> {
    let bad = || parse_err(format!("invalid literal {text}"));
    if is_typed_null_text(text) {
        let t = match text.as_bytes().get(2) {
            None | Some(b'l') => RAY_I64,
            Some(b'i') => RAY_I32,
            Some(b'h') => RAY_I16,
            Some(b'f') => RAY_F64,
            Some(b'd') => RAY_DATE,
            Some(b't') => RAY_TIME,
            _ => RAY_TIMESTAMP,
        };
        return Value::typed_null(-t);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let last = &hex[hex.len().saturating_sub(2)..];
        return Ok(Value::u8(u8::from_str_radix(last, 16).map_err(|_| bad())?));
    }
    if let Some(d) = text.find('D') {
        let days = parse_date(&text[..d])?.ok_or_else(bad)?;
        let ns = parse_time_ns(&text[d + 1..], true)?.ok_or_else(bad)?;
        // As the reference: an instant outside the i64 nanoseconds around
        // 2000.01.01 (about 1707.09.22 to 2292.04.10) is refused.
        let stamp = days.checked_mul(NS_PER_DAY).and_then(|x| x.checked_add(ns)).filter(|&x| x != i64::MIN);
        return Ok(Value::timestamp(
            stamp.ok_or_else(|| parse_err("timestamp year out of representable range".to_string()))?,
        ));
    }
    if text.contains(':') {
        let ns = parse_time_ns(text, false)?.ok_or_else(bad)?;
        return Ok(Value::time(ns / 1_000_000));
    }
    if text.matches('.').count() == 2 {
        return Ok(Value::date(parse_date(text)?.ok_or_else(bad)?));
    }
    if let Some(body) = text.strip_suffix('i') {
        let x: i64 = body.parse().map_err(|_| bad())?;
        let x = i32::try_from(x).ok().filter(|&x| x != i32::MIN).ok_or_else(|| RayError::domain("i32 literal out of range"))?;
        return Ok(Value::i32(x));
    }
    if let Some(body) = text.strip_suffix('h') {
        let x: i64 = body.parse().map_err(|_| bad())?;
        let x = i16::try_from(x).ok().filter(|&x| x != i16::MIN).ok_or_else(|| RayError::domain("i16 literal out of range"))?;
        return Ok(Value::i16(x));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        return Ok(match text.parse::<i64>() {
            Ok(x) => Value::i64(x),
            Err(_) => Value::f64(text.parse::<f64>().map_err(|_| bad())?),
        });
    }
    let float_shape = text.bytes().all(|c| c.is_ascii_digit() || b".eE+-".contains(&c))
        && text.bytes().any(|c| c.is_ascii_digit());
    if float_shape {
        // As the reference: a negative literal that comes out zero (`-0.0`,
        // `-1e-400`) is +0.0, not -0.0.
        let x = text.parse::<f64>().map_err(|_| bad())?;
        return Ok(Value::f64(if x == 0.0 { 0.0 } else { x }));
    }
    Err(bad())
}

/// `YYYY.MM.DD` to days since 2000-01-01 (days past a month's end roll over).
fn parse_date(s: &str) -> Result<Option<i64>> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit())) {
        return Ok(None);
    }
    // Years have at most four digits (the reference does not read
    // `10000.01.01` as a date either); this also keeps the day arithmetic
    // far from overflow.
    if parts[0].len() > 4 {
        return Ok(None);
    }
    let y: i64 = parts[0].parse().map_err(|_| parse_err("bad year"))?;
    let m: u32 = parts[1].parse().map_err(|_| parse_err("bad month"))?;
    let d: u32 = parts[2].parse().map_err(|_| parse_err("bad day"))?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(parse_err(format!("invalid date {s}: month must be 1-12, day 1-31")));
    }
    Ok(Some(days_from_civil(y, m, 1) + d as i64 - 1))
}

/// `[-]HH:MM:SS[.fff...]` to nanoseconds. A timestamp's time must have a
/// fraction of 1-9 digits; a time's fraction has at most 9 (ms kept).
fn parse_time_ns(s: &str, need_fraction: bool) -> Result<Option<i64>> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if need_fraction && frac.is_none() {
        return Err(parse_err("timestamp needs a fractional second"));
    }
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_digit())) {
        return Err(parse_err(format!("invalid time {s}")));
    }
    let h: i64 = parts[0].parse().unwrap_or(0);
    let m: i64 = parts[1].parse().unwrap_or(0);
    let sec: i64 = parts.get(2).map_or(0, |p| p.parse().unwrap_or(0));
    if m > 59 || sec > 59 {
        return Err(parse_err(format!("invalid time {s}")));
    }
    let mut ns = ((h * 60 + m) * 60 + sec) * 1_000_000_000;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|c| c.is_ascii_digit()) {
            return Err(parse_err(format!("invalid fraction in {s}")));
        }
        let mut x: i64 = f.parse().unwrap_or(0);
        for _ in f.len()..9 {
            x *= 10;
        }
        ns += x;
    }
    Ok(Some(if neg { -ns } else { ns }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value> {
        parse_one(s.as_bytes(), &Limits::DEFAULT)
    }

    #[test]
    fn literals_get_their_types() {
        assert_eq!(p("42").unwrap().type_, -RAY_I64);
        assert_eq!(p("42i").unwrap().type_, -RAY_I32);
        assert_eq!(p("-5h").unwrap().i16_val(), -5);
        assert_eq!(p("0x2a").unwrap().u8_val(), 0x2a);
        assert_eq!(p("2.5e-3").unwrap().f64_val(), 2.5e-3);
        assert_eq!(p("-0.0").unwrap().f64_val().to_bits(), 0, "a negative zero literal is +0.0");
        assert_eq!(p("-1e-400").unwrap().f64_val().to_bits(), 0);
        assert_eq!(p("9223372036854775808").unwrap().type_, -RAY_F64);
        assert_eq!(p("2024.01.15").unwrap().i64_val(), 8780);
        assert_eq!(p("2024.02.30").unwrap().i64_val(), days_from_civil(2024, 3, 1));
        assert_eq!(p("09:30:00.000").unwrap().i64_val(), 34_200_000);
        assert_eq!(p("-01:00:00.000").unwrap().i64_val(), -3_600_000);
        assert_eq!(p("2024.01.15D09:30:00.123456789").unwrap().i64_val(), 8780 * NS_PER_DAY + 34_200_123_456_789);
    }

    #[test]
    fn bad_literals_fail_with_their_codes() {
        assert_eq!(p("2024.13.01").unwrap_err().code_str(), "parse");
        assert_eq!(p("2024.01.15D09:30:00").unwrap_err().code_str(), "parse");
        assert_eq!(p("99999999999i").unwrap_err().code_str(), "domain");
        assert_eq!(p("[1 \"a\"]").unwrap_err().code_str(), "domain");
        assert_eq!(p("[1 (+ 1 2)]").unwrap_err().code_str(), "domain");
        assert_eq!(p("(+ 1").unwrap_err().code_str(), "parse");
        assert_eq!(p(")").unwrap_err().code_str(), "parse");
        assert_eq!(p("  ; only a comment").unwrap_err().code_str(), "parse");
    }

    #[test]
    fn typed_nulls_carry_the_flag() {
        let v = p("0Ni").unwrap();
        assert_eq!(v.type_, -RAY_I32);
        assert!(v.null_flag());
        assert_eq!(p("0N").unwrap().type_, -RAY_I64);
    }

    #[test]
    fn vectors_promote_int_and_float_and_mark_nulls() {
        let v = p("[1.5 0Nl]").unwrap();
        assert_eq!(v.type_, RAY_F64);
        assert!(v.elems::<f64>()[1].is_nan());
        assert_ne!(v.attrs & RAY_ATTR_HAS_NULLS, 0);
        let s = p("[a b]").unwrap();
        assert_eq!(s.type_, RAY_SYM);
        assert_eq!(p("[]").unwrap().type_, RAY_I64);
    }

    #[test]
    fn dicts_keep_values_unevaluated() {
        let d = p("{a: (+ 1 2)}").unwrap();
        assert_eq!(d.type_, RAY_DICT);
        assert_eq!(d.dict_keys().unwrap().type_, RAY_SYM);
        let vals = d.dict_vals().unwrap();
        assert_eq!(vals.type_, RAY_LIST);
        assert_eq!(vals.item(0).unwrap().type_, RAY_LIST);
    }

    #[test]
    fn expression_depth_is_bounded() {
        let deep = "(".repeat(100_000);
        assert_eq!(p(&deep).unwrap_err().code_str(), "limit");
    }
}
