//! A small cache of parsed sources. IPC clients send the same query text
//! over and over (`(+ 1 2)`, a dashboard's select): the tokens and forms of
//! a source that parsed before are reused instead of rebuilt.
//!
//! Parsed forms are immutable values (the evaluator never writes into code:
//! a shared object is copied before any change), so one parse can serve any
//! number of evaluations, on any thread. Entries are dropped first in,
//! first out; the whole cache is forgotten when symbol ids or the parser's
//! limits change. Only sources that parsed are cached.
#![forbid(unsafe_code)]

use super::limits::Limits;
use super::parser;
use crate::core::{Result, Value, sym};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Sources longer than this are parsed every time (big scripts run once).
const MAX_SOURCE: usize = 4096;
/// Entries kept.
const MAX_ENTRIES: usize = 512;

/// One parsed source: its top-level forms and its source context (the
/// text and where its call forms start, `trace::context`).
pub struct Parsed {
    pub forms: Vec<Value>,
    pub context: Option<Value>,
}

fn parse_now(src: &[u8], limits: &Limits) -> Result<Arc<Parsed>> {
    let (forms, spans) = parser::parse_all_spanned(src, limits)?;
    Ok(Arc::new(Parsed { forms, context: super::trace::context(src, &spans)? }))
}

/// What the cached parses depend on besides the text.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Context {
    sym_generation: u64,
    max_expr_depth: usize,
    max_source_bytes: usize,
    max_top_forms: usize,
    max_vector_literal: usize,
}

impl Context {
    fn now(limits: &Limits) -> Context {
        Context {
            sym_generation: sym::generation(),
            max_expr_depth: limits.max_expr_depth,
            max_source_bytes: limits.max_source_bytes,
            max_top_forms: limits.max_top_forms,
            max_vector_literal: limits.max_vector_literal,
        }
    }
}

struct Cache {
    context: Context,
    entries: HashMap<Box<[u8]>, Arc<Parsed>, foldhash::fast::RandomState>,
    order: VecDeque<Box<[u8]>>,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

fn lookup(src: &[u8], context: Context) -> Option<Arc<Parsed>> {
    let g = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let c = g.as_ref().filter(|c| c.context == context)?;
    c.entries.get(src).cloned()
}

fn store(src: &[u8], context: Context, parsed: Arc<Parsed>) {
    let mut g = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if g.as_ref().is_none_or(|c| c.context != context) {
        *g = Some(Cache { context, entries: HashMap::default(), order: VecDeque::new() });
    }
    let Some(c) = g.as_mut() else { return };
    if c.entries.contains_key(src) {
        return;
    }
    if c.order.len() >= MAX_ENTRIES
        && let Some(old) = c.order.pop_front()
    {
        c.entries.remove(&old);
    }
    c.order.push_back(src.into());
    c.entries.insert(src.into(), parsed);
}

/// The parse of `src` (with call spans), from the cache when possible.
pub fn parse(src: &[u8], limits: &Limits) -> Result<Arc<Parsed>> {
    if src.len() > MAX_SOURCE {
        return parse_now(src, limits);
    }
    let context = Context::now(limits);
    if let Some(p) = lookup(src, context) {
        return Ok(p);
    }
    let parsed = parse_now(src, limits)?;
    store(src, context, parsed.clone());
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_source_is_parsed_once_and_shared() {
        let limits = Limits::DEFAULT;
        let a = parse(b"(+ 1 (* 2 3)) (til 4)", &limits).unwrap();
        let b = parse(b"(+ 1 (* 2 3)) (til 4)", &limits).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.forms.len(), 2);
    }

    #[test]
    fn parse_errors_are_not_cached_and_stay_errors() {
        let limits = Limits::DEFAULT;
        assert!(parse(b"(+ 1", &limits).is_err());
        assert!(parse(b"(+ 1", &limits).is_err());
    }

    #[test]
    fn tighter_limits_are_applied_to_a_source_parsed_before() {
        let src = b"[1 2 3 4 5 6 7 8]";
        assert!(parse(src, &Limits::DEFAULT).is_ok());
        let tight = Limits { max_vector_literal: 2, ..Limits::DEFAULT };
        assert!(parse(src, &tight).is_err());
    }
}
