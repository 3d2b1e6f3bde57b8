//! The profiler behind `.sys.timeit`. While it is on, each request (one
//! [`eval_source`](crate::lang::eval_source)) records a tree of spans on
//! its thread: the parse, every builtin call that takes or returns a
//! collection (a vector, list, dict or table; calls inside lambda bodies
//! are not recorded, as in the reference), and the rest of the evaluation.
//! Each span has its wall time, the rows of its result, the bytes the
//! allocator handed out during it and the kernel workers that ran in it.
//! The finished tree of the last request is kept: `.sys.prof` answers it
//! as a table and the REPL draws it after the result ([`render_last`]).

use crate::core::{Value, budget};
use crate::ops::par;
use std::cell::{Cell, RefCell};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// One finished span (a call) or point (a phase timed on its own: `parse`, `eval`).
#[derive(Clone, Debug, Default)]
pub struct Span {
    pub name: String,
    pub depth: usize,
    pub cumulative_ns: u64,
    pub exclusive_ns: u64,
    /// Items of the result: table rows, vector or list length, 1 for an atom.
    pub rows: i64,
    pub allocated_bytes: u64,
    /// Most kernel workers that ran at once during the span (0: none ran).
    pub workers: usize,
    pub busy_ns: u64,
    pub point: bool,
    pub children: Vec<Span>,
}

struct Open {
    span: Span,
    started: Instant,
    alloc0: usize,
    busy0: u64,
    outer_peak: usize,
}

#[derive(Default)]
struct Recorder {
    open: Vec<Open>,
    /// Lambda bodies being evaluated: calls in them are not recorded.
    in_lambda: usize,
}

thread_local! {
    /// True while this thread records a request (a cheap test on every call).
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder::default());
}

static LAST: Mutex<Option<Span>> = Mutex::new(None);
/// Profiles finished so far (the REPL tells whether a line made one).
static FINISHED: AtomicU64 = AtomicU64::new(0);

fn open_span(name: &str, depth: usize) -> Open {
    Open {
        span: Span { name: name.to_string(), depth, ..Span::default() },
        started: Instant::now(),
        alloc0: budget::counters().charged,
        busy0: par::busy_ns(),
        outer_peak: par::take_peak_workers(),
    }
}

fn close_span(o: Open) -> Span {
    let mut s = o.span;
    s.cumulative_ns = o.started.elapsed().as_nanos() as u64;
    let inner: u64 = s.children.iter().map(|c| c.cumulative_ns).sum();
    s.exclusive_ns = s.cumulative_ns.saturating_sub(inner);
    s.allocated_bytes = budget::counters().charged.saturating_sub(o.alloc0) as u64;
    s.busy_ns = par::busy_ns().saturating_sub(o.busy0);
    s.workers = par::take_peak_workers();
    par::restore_peak_workers(o.outer_peak.max(s.workers));
    s
}

/// A request being profiled: created by [`begin`], ended by [`Request::finish`].
pub struct Request {
    started: Instant,
}

/// Starts recording this thread's request when `.sys.timeit` is on.
pub fn begin() -> Option<Request> {
    if !crate::runtime::switches::timeit() || ACTIVE.get() {
        return None;
    }
    RECORDER.with_borrow_mut(|r| {
        *r = Recorder::default();
        r.open.push(open_span("top-level", 0));
    });
    ACTIVE.set(true);
    Some(Request { started: Instant::now() })
}

impl Request {
    /// Adds a point span (`parse`) that took `since.elapsed()`.
    pub fn point(&self, name: &str, since: Instant) {
        let ns = since.elapsed().as_nanos() as u64;
        RECORDER.with_borrow_mut(|r| {
            if let Some(top) = r.open.last_mut() {
                let depth = top.span.depth + 1;
                top.span.children.push(Span { name: name.into(), depth, cumulative_ns: ns, exclusive_ns: ns, point: true, ..Span::default() });
            }
        });
    }

    /// Ends the request: the time outside the parse and the recorded calls
    /// becomes the `eval` point, and the tree becomes the last profile.
    pub fn finish(self) {
        ACTIVE.set(false);
        let total_ns = self.started.elapsed().as_nanos() as u64;
        let root = RECORDER.with_borrow_mut(|r| {
            let mut open = std::mem::take(&mut r.open);
            // Calls left open by an error unwinding past them are dropped.
            open.truncate(1);
            open.pop()
        });
        let Some(mut root) = root else { return };
        let timed: u64 = root.span.children.iter().map(|c| c.cumulative_ns).sum();
        let depth = root.span.depth + 1;
        let ns = total_ns.saturating_sub(timed);
        root.span.children.push(Span { name: "eval".into(), depth, cumulative_ns: ns, exclusive_ns: ns, point: true, ..Span::default() });
        let span = close_span(root);
        *LAST.lock().unwrap_or_else(|p| p.into_inner()) = Some(span);
        FINISHED.fetch_add(1, Ordering::Release);
    }
}

/// Opens a call span (false when nothing is recorded: profiling off, or
/// inside a lambda body). Every `true` is matched by one [`leave_call`].
#[inline]
pub fn enter_call(name: &str) -> bool {
    if !ACTIVE.get() {
        return false;
    }
    RECORDER.with_borrow_mut(|r| {
        if r.in_lambda > 0 {
            return false;
        }
        let depth = r.open.last().map_or(1, |o| o.span.depth + 1);
        r.open.push(open_span(name, depth));
        true
    })
}

/// Closes the call span opened last. It is kept when it recorded calls
/// under it, or when its result or one of its arguments is a collection.
pub fn leave_call(result: Option<&Value>, collection_arg: bool) {
    RECORDER.with_borrow_mut(|r| {
        let Some(o) = r.open.pop() else { return };
        let keep = !o.span.children.is_empty() || collection_arg || result.is_some_and(is_collection);
        let mut span = close_span(o);
        if !keep || result.is_none() {
            return;
        }
        span.rows = result.map_or(0, rows_of);
        if let Some(parent) = r.open.last_mut() {
            parent.span.children.push(span);
        }
    })
}

/// Runs one step of an operator (`where`, `group`) as a span of its own
/// when the request is profiled; `rows` says how many rows it produced.
pub fn step<T>(name: &str, rows: impl Fn(&T) -> i64, f: impl FnOnce() -> crate::core::Result<T>) -> crate::core::Result<T> {
    if !enter_call(name) {
        return f();
    }
    let r = f();
    RECORDER.with_borrow_mut(|rec| {
        let Some(o) = rec.open.pop() else { return };
        let mut span = close_span(o);
        if let (Ok(v), Some(parent)) = (&r, rec.open.last_mut()) {
            span.rows = rows(v);
            parent.span.children.push(span);
        }
    });
    r
}

/// Marks the start (`true`) or end of a lambda body.
pub fn lambda_body(entering: bool) {
    if ACTIVE.get() {
        RECORDER.with_borrow_mut(|r| r.in_lambda = if entering { r.in_lambda + 1 } else { r.in_lambda.saturating_sub(1) });
    }
}

/// A vector, list, dict or table (a string is an atom).
pub fn is_collection(v: &Value) -> bool {
    use crate::abi::{RAY_DICT, RAY_LIST, RAY_TABLE};
    v.is_vec() || matches!(v.type_, RAY_LIST | RAY_DICT | RAY_TABLE)
}

fn rows_of(v: &Value) -> i64 {
    use crate::abi::{RAY_DICT, RAY_TABLE};
    match v.type_ {
        RAY_TABLE => v.table_nrows(),
        RAY_DICT => v.item(0).map_or(0, |k| k.len()),
        _ if v.is_atom() => 1,
        _ => v.len(),
    }
}

/// How many profiles have finished (changes when a request was profiled).
pub fn finished() -> u64 {
    FINISHED.load(Ordering::Acquire)
}

/// The last finished profile, if any.
pub fn last() -> Option<Span> {
    LAST.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The last profile's spans, children before their parent (the order of `.sys.prof`).
pub fn last_rows() -> Vec<Span> {
    fn walk(s: &Span, out: &mut Vec<Span>) {
        for c in &s.children {
            walk(c, out);
        }
        out.push(Span { children: Vec::new(), ..s.clone() });
    }
    let mut out = Vec::new();
    if let Some(root) = last() {
        walk(&root, &mut out);
    }
    out
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// The percentage of the request's time `ns` is.
pub fn percent(ns: u64, total_ns: u64) -> f64 {
    if total_ns == 0 { 0.0 } else { ns as f64 * 100.0 / total_ns as f64 }
}

/// Busy time over wall time of a span's workers.
pub fn parallelism(s: &Span) -> f64 {
    if s.workers == 0 || s.cumulative_ns == 0 { 0.0 } else { s.busy_ns as f64 / s.cumulative_ns as f64 }
}

/// The last profile drawn as a tree (the REPL prints it after the result).
pub fn render_last() -> Option<String> {
    let root = last()?;
    let mut out = String::new();
    render(&root, root.cumulative_ns, &mut out);
    Some(out.trim_end().to_string())
}

fn render(s: &Span, total: u64, out: &mut String) {
    let bar = "│ ".repeat(s.depth);
    if s.point {
        out.push_str(&format!("{bar}✶  {}: {:.3} ms\n", s.name, ms(s.cumulative_ns)));
        return;
    }
    out.push_str(&format!("{bar}╭ {}\n", s.name));
    for c in &s.children {
        render(c, total, out);
    }
    let mut line = format!("{bar}╰─┤ {:.3} ms", ms(s.cumulative_ns));
    if !s.children.is_empty() {
        line.push_str(&format!(" self={:.3} ms", ms(s.exclusive_ns)));
    }
    line.push_str(&format!(" {:.0}%", percent(s.cumulative_ns, total)));
    if s.rows > 0 {
        line.push_str(&format!("  rows={}", s.rows));
    }
    if s.allocated_bytes > 0 {
        line.push_str(&format!(" mem=+{:.1}KB", s.allocated_bytes as f64 / 1024.0));
    }
    if s.workers > 0 {
        line.push_str(&format!(" w={} par={:.1}x", s.workers, parallelism(s)));
    }
    out.push_str(&line);
    out.push('\n');
}
