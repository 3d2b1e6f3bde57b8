//! A deliberately tiny Rayfall reader and evaluator, enough to drive the
//! query engine in tests and benches without depending on `lang`: names,
//! symbols, numbers, strings, vector and dict literals, arithmetic and
//! comparisons over I64/F64/SYM, a few aggregates, `select`, `update` and the
//! table builtins. It is not the language; it only exercises `query`.
#![allow(dead_code)]

use rayforce::abi::*;
use rayforce::core::{RayError, Result, Value, env, sym};
use rayforce::query::{self, Evaluator};

// ----- reader -----

pub fn parse(src: &str) -> Value {
    let toks = lex(src);
    let mut p = 0;
    let v = read(&toks, &mut p);
    assert_eq!(p, toks.len(), "trailing input in {src}");
    v
}

fn lex(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if "()[]{}".contains(c) {
            out.push(c.to_string());
            i += 1;
        } else if c == '"' {
            let j = s[i + 1..].find('"').unwrap() + i + 1;
            out.push(s[i..=j].to_string());
            i = j + 1;
        } else {
            let j = s[i..].find(|ch: char| ch.is_whitespace() || "()[]{}".contains(ch)).map_or(s.len(), |k| k + i);
            out.push(s[i..j].to_string());
            i = j;
        }
    }
    out
}

fn atom(t: &str) -> Value {
    if let Some(q) = t.strip_prefix('\'') {
        return Value::quoted_sym(sym::intern(q.as_bytes()));
    }
    if t.starts_with('"') {
        return Value::str(t[1..t.len() - 1].as_bytes());
    }
    match t {
        "true" => return Value::bool(true),
        "false" => return Value::bool(false),
        "0Nl" | "0N" => return Value::typed_null(-RAY_I64).unwrap(),
        "0Nf" => return Value::typed_null(-RAY_F64).unwrap(),
        _ => {}
    }
    if let Ok(i) = t.parse::<i64>() {
        return Value::i64(i);
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        if let Ok(f) = t.parse::<f64>() {
            return Value::f64(f);
        }
    }
    Value::sym_id(sym::intern(t.as_bytes()))
}

fn read(toks: &[String], p: &mut usize) -> Value {
    let t = toks[*p].clone();
    *p += 1;
    match t.as_str() {
        "(" => {
            let mut items = Vec::new();
            while toks[*p] != ")" {
                items.push(read(toks, p));
            }
            *p += 1;
            Value::list(items)
        }
        "[" => {
            let mut items = Vec::new();
            while toks[*p] != "]" {
                let a = atom(&toks[*p]);
                items.push(if a.type_() == -RAY_SYM { Value::sym_id(a.i64_val()) } else { a });
                *p += 1;
            }
            *p += 1;
            vector(items)
        }
        "{" => {
            let (mut ks, mut vs) = (Vec::new(), Vec::new());
            while toks[*p] != "}" {
                let k = toks[*p].strip_suffix(':').expect("dict key").to_string();
                *p += 1;
                ks.push(sym::intern(k.as_bytes()));
                vs.push(read(toks, p));
            }
            *p += 1;
            Value::dict(Value::sym_vec(&ks).unwrap(), Value::list(vs))
        }
        _ => atom(&t),
    }
}

fn vector(items: Vec<Value>) -> Value {
    if items.is_empty() {
        return Value::vec_with_capacity(RAY_I64, 0).unwrap();
    }
    let t = items[0].type_();
    if items.iter().any(|x| x.type_() == -RAY_F64) && items.iter().all(|x| x.type_() == -RAY_F64 || x.type_() == -RAY_I64) {
        let fs: Vec<f64> = items.iter().map(|x| if x.type_() == -RAY_F64 { x.f64_val() } else { x.i64_val() as f64 }).collect();
        return Value::vec_from_slice(RAY_F64, &fs).unwrap();
    }
    assert!(items.iter().all(|x| x.type_() == t), "mixed vector literal");
    match -t {
        RAY_I64 => Value::vec_from_slice(RAY_I64, &items.iter().map(|x| x.i64_val()).collect::<Vec<_>>()).unwrap(),
        RAY_SYM => Value::sym_vec(&items.iter().map(|x| x.i64_val()).collect::<Vec<_>>()).unwrap(),
        RAY_STR => Value::str_vec(items.iter().map(|x| x.str_bytes())).unwrap(),
        RAY_BOOL => Value::vec_from_slice(RAY_BOOL, &items.iter().map(|x| x.u8_val()).collect::<Vec<_>>()).unwrap(),
        _ => panic!("vector literal type"),
    }
}

// ----- evaluator -----

pub struct Mini {
    pub restricted: bool,
}

type Cols<'a> = Option<&'a dyn Fn(i64) -> Option<Value>>;

impl Evaluator for Mini {
    fn eval_with_columns(&mut self, e: &ray_t, columns: &dyn Fn(i64) -> Option<Value>) -> Result<Value> {
        self.ev(e, Some(columns))
    }
    fn eval(&mut self, e: &ray_t) -> Result<Value> {
        self.ev(e, None)
    }
    fn restricted(&self) -> bool {
        self.restricted
    }
}

/// Parses and evaluates `src` with a fresh `Mini`.
pub fn run(src: &str) -> Result<Value> {
    rayforce::lang::registry::registry(); // tells the query engine which calls are aggregates
    Mini { restricted: false }.eval(&parse(src))
}

impl Mini {
    fn ev(&mut self, e: &ray_t, cols: Cols) -> Result<Value> {
        if e.type_() == -RAY_SYM {
            let id = e.i64_val();
            if let Some(c) = cols.and_then(|f| f(id)) {
                return Ok(c);
            }
            if e.is_quoted() {
                return Ok(e.to_value());
            }
            if let Some(v) = env::get(id) {
                return Ok(v);
            }
            let code = if cols.is_some() { "schema" } else { "name" };
            return Err(RayError::new(code, String::from_utf8_lossy(sym::name_or_empty(id)).into_owned()));
        }
        if e.type_() != RAY_LIST || e.is_empty() {
            return Ok(e.to_value());
        }
        let items = e.items();
        let head = items[0].unwrap();
        let name = String::from_utf8_lossy(sym::name_or_empty(head.i64_val())).into_owned();
        let raw: Vec<&ray_t> = items[1..].iter().map(|x| x.unwrap()).collect();
        match name.as_str() {
            "select" => return query::select(raw[0], self),
            "update" => return query::update(raw[0], self),
            "set" => {
                let v = self.ev(raw[1], cols)?;
                env::set(raw[0].i64_val(), v.clone());
                return Ok(v);
            }
            _ => {}
        }
        let mut args = Vec::new();
        for a in raw {
            args.push(self.ev(a, cols)?);
        }
        if name == "window-join" || name == "window-join1" {
            return query::window_join(&args, self, name == "window-join");
        }
        builtin(&name, &args)
    }
}

fn num(v: &ray_t) -> (bool, Vec<f64>, Vec<i64>, bool) {
    // (is_float, floats, ints, is_atom)
    match v.type_() {
        t if t == -RAY_F64 => (true, vec![v.f64_val()], vec![], true),
        t if t == -RAY_I64 => (false, vec![], vec![v.i64_val()], true),
        RAY_F64 => (true, v.elems::<f64>().to_vec(), vec![], false),
        RAY_I64 => (false, vec![], v.elems::<i64>().to_vec(), false),
        RAY_TIME | RAY_DATE => (false, vec![], v.elems::<i32>().iter().map(|&x| x as i64).collect(), false),
        _ => panic!("mini: not a number (type {})", v.type_()),
    }
}

fn bcast<T: Copy>(a: &[T], b: &[T]) -> Result<Vec<(T, T)>> {
    let n = a.len().max(b.len());
    if a.len() != b.len() && a.len() != 1 && b.len() != 1 {
        return Err(RayError::length("mini: length"));
    }
    Ok((0..n).map(|i| (a[if a.len() == 1 { 0 } else { i }], b[if b.len() == 1 { 0 } else { i }])).collect())
}

fn keys_of(v: &ray_t) -> (Vec<f64>, bool) {
    match v.type_() {
        t if t == -RAY_SYM => (vec![v.i64_val() as f64], true),
        RAY_SYM => ((0..v.len() as usize).map(|i| v.sym_at(i) as f64).collect(), false),
        _ => {
            let (f, fs, is, atom) = num(v);
            (if f { fs } else { is.iter().map(|&x| if x == NULL_I64 { f64::NAN } else { x as f64 }).collect() }, atom)
        }
    }
}

fn arith(op: &str, a: &ray_t, b: &ray_t) -> Result<Value> {
    let (fa, af, ai, aa) = num(a);
    let (fb, bf, bi, ba) = num(b);
    let atom = aa && ba;
    if fa || fb || op == "/" {
        let x = if fa { af } else { ai.iter().map(|&v| if v == NULL_I64 { f64::NAN } else { v as f64 }).collect() };
        let y = if fb { bf } else { bi.iter().map(|&v| if v == NULL_I64 { f64::NAN } else { v as f64 }).collect() };
        let r: Vec<f64> = bcast(&x, &y)?.into_iter().map(|(p, q)| match op {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            _ => p / q,
        }).collect();
        return Ok(if atom { Value::f64(r[0]) } else { rayforce::ops::mark_nulls(Value::vec_from_slice(RAY_F64, &r)?)? });
    }
    let r: Vec<i64> = bcast(&ai, &bi)?.into_iter().map(|(p, q)| if p == NULL_I64 || q == NULL_I64 { NULL_I64 } else { match op {
        "+" => p.wrapping_add(q),
        "-" => p.wrapping_sub(q),
        _ => p.wrapping_mul(q),
    } }).collect();
    Ok(if atom { Value::i64(r[0]) } else { rayforce::ops::mark_nulls(Value::vec_from_slice(RAY_I64, &r)?)? })
}

fn compare(op: &str, a: &ray_t, b: &ray_t) -> Result<Value> {
    let (x, xa) = keys_of(a);
    let (y, ya) = keys_of(b);
    let r: Vec<u8> = bcast(&x, &y)?.into_iter().map(|(p, q)| {
        let (p, q) = (if p.is_nan() { f64::MIN } else { p }, if q.is_nan() { f64::MIN } else { q });
        (match op {
            ">" => p > q,
            "<" => p < q,
            ">=" => p >= q,
            "<=" => p <= q,
            "==" => p == q,
            _ => p != q,
        }) as u8
    }).collect();
    Ok(if xa && ya { Value::bool(r[0] != 0) } else { Value::vec_from_slice(RAY_BOOL, &r)? })
}

fn agg(name: &str, v: &ray_t) -> Result<Value> {
    if name == "count" {
        return Ok(Value::i64(if v.is_vec() || v.type_() == RAY_LIST { v.len() } else { 1 }));
    }
    let (f, fs, is, _) = num(v);
    Ok(if f {
        let xs: Vec<f64> = fs.into_iter().filter(|x| !x.is_nan()).collect();
        match name {
            "sum" => Value::f64(xs.iter().sum()),
            "avg" => Value::f64(if xs.is_empty() { f64::NAN } else { xs.iter().sum::<f64>() / xs.len() as f64 }),
            "min" => Value::f64(xs.iter().copied().fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a })),
            "max" => Value::f64(xs.iter().copied().fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })),
            "first" => Value::f64(xs.first().copied().unwrap_or(f64::NAN)),
            _ => Value::f64(xs.last().copied().unwrap_or(f64::NAN)),
        }
    } else {
        let xs: Vec<i64> = is.into_iter().filter(|&x| x != NULL_I64).collect();
        match name {
            "sum" => Value::i64(xs.iter().sum()),
            "avg" => Value::f64(if xs.is_empty() { f64::NAN } else { xs.iter().sum::<i64>() as f64 / xs.len() as f64 }),
            "min" => Value::i64(xs.iter().copied().min().unwrap_or(NULL_I64)),
            "max" => Value::i64(xs.iter().copied().max().unwrap_or(NULL_I64)),
            "first" => Value::i64(xs.first().copied().unwrap_or(NULL_I64)),
            _ => Value::i64(xs.last().copied().unwrap_or(NULL_I64)),
        }
    })
}

fn builtin(name: &str, args: &[Value]) -> Result<Value> {
    match (name, args) {
        ("+" | "-" | "*" | "/", [a, b]) => arith(name, a, b),
        (">" | "<" | ">=" | "<=" | "==" | "!=", [a, b]) => compare(name, a, b),
        ("sum" | "avg" | "min" | "max" | "count" | "first" | "last", [v]) => agg(name, v),
        ("count", []) => Err(RayError::new("arity", "count")),
        ("list", _) => Ok(Value::list(args.to_vec())),
        ("til", [n]) => Value::vec_from_slice(RAY_I64, &(0..n.i64_val()).collect::<Vec<_>>()),
        ("distinct", [v]) => {
            let mut seen = Vec::new();
            for i in 0..v.len() as usize {
                let id = v.sym_at(i);
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
            Value::sym_vec(&seen)
        }
        ("nil?", [v]) if v.type_() == RAY_I64 => Value::vec_from_slice(RAY_BOOL, &v.elems::<i64>().iter().map(|&x| (x == NULL_I64) as u8).collect::<Vec<_>>()),
        ("at", [t, k]) if t.type_() == RAY_TABLE => {
            let i = rayforce::ops::table::find_col(t, k.i64_val()).ok_or_else(|| RayError::code("schema"))?;
            Ok(t.table_cols().unwrap().item(i).unwrap().to_value())
        }
        ("dict", [k, v]) => Ok(Value::dict(k.clone(), v.clone())),
        _ => {
            let spec = rayforce::lang::builtins::table::BUILTINS.iter().find(|s| s.name == name);
            match spec {
                Some(rayforce::lang::builtins::spec::Builtin { imp: rayforce::lang::builtins::spec::Imp::Pure(f), .. }) => {
                    f(args)
                }
                _ => Err(RayError::new("name", name.to_string())),
            }
        }
    }
}
