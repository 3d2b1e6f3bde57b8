//! Where an error passed on its way out of an evaluation, for the REPL's
//! boxed diagnostic (rayfall.md 13): the failing call form in each lambda
//! the error left (innermost first) and, when the outermost of those was
//! called by a call form of the evaluated source, that call form. A lambda
//! called by a builtin (`map`, `fold`, ...) adds its own frame but no call
//! site, as in RayforceDB.
//!
//! Each lambda carries the source context it was written in (its source
//! text and the offsets of that source's call forms), so a lambda defined
//! by an earlier evaluation still points into its own text. Forms are
//! found by address: a lambda keeps its body forms alive, so their
//! addresses stay theirs for as long as the lambda can be called.
#![forbid(unsafe_code)]

use super::parser::Spans;
use crate::abi::*;
use crate::core::{Result, Value};

/// Frames kept; the rest are only counted (`... N more frames`).
pub const MAX_FRAMES: usize = 5;

/// Sources longer than this get no context: their lambdas would keep the
/// whole text alive for their traces (a large script of data, say).
pub const MAX_TRACED_SOURCE: usize = 1 << 20;

/// A source and where its call forms start: LIST `[source, spans]`, the
/// source as a STR atom, the spans as an I64 vector of (form address, byte
/// offset) pairs sorted by address.
pub fn context(src: &[u8], spans: &Spans) -> Result<Option<Value>> {
    if src.len() > MAX_TRACED_SOURCE {
        return Ok(None);
    }
    let mut sorted = spans.clone();
    sorted.sort_unstable();
    let flat: Vec<i64> = sorted.iter().flat_map(|&(addr, off)| [addr as i64, off as i64]).collect();
    Ok(Some(Value::list(vec![Value::str(src), Value::vec_from_slice(RAY_I64, &flat)?])))
}

/// The byte offset of call form `form` in the source of context `ctx`.
pub fn offset_in(ctx: &ray_t, form: &ray_t) -> Option<usize> {
    let spans = ctx.item(1).filter(|s| s.type_ == RAY_I64)?.elems::<i64>();
    let addr = std::ptr::from_ref(form).addr() as i64;
    let (mut lo, mut hi) = (0, spans.len() / 2);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match spans[2 * mid].cmp(&addr) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return usize::try_from(spans[2 * mid + 1]).ok(),
        }
    }
    None
}

/// The source text of context `ctx`.
pub fn source_of(ctx: &ray_t) -> Option<Value> {
    ctx.item(0).filter(|s| s.type_ == -RAY_STR).map(|s| s.to_value())
}

/// One place the error passed: a byte offset in a source (`None`: the
/// source whose evaluation failed).
#[derive(Clone, Debug)]
pub struct TraceFrame {
    pub source: Option<Value>,
    pub offset: usize,
}

/// What is known of the error propagating through an evaluation.
#[derive(Clone, Debug, Default)]
pub struct Failure {
    /// The innermost failing call form of the source being evaluated now.
    pending: Option<usize>,
    frames: Vec<TraceFrame>,
    hidden: usize,
    /// The error left a lambda, or a lambda refused its arguments.
    pub in_lambda: bool,
    /// The outermost lambda so far was called by a call form.
    called_by_form: bool,
}

impl Failure {
    /// Call form at `offset` (if known) of the current source failed.
    pub fn note_form(&mut self, offset: Option<usize>) {
        if self.pending.is_none() {
            self.pending = offset;
        }
    }

    /// The error leaves a lambda written in `ctx`: its failing form becomes
    /// a frame, and the caller's forms are looked at next.
    pub fn leave_lambda(&mut self, ctx: Option<&Value>) {
        self.in_lambda = true;
        let offset = self.pending.take();
        if let (Some(offset), Some(source)) = (offset, ctx.and_then(|c| source_of(c))) {
            self.push(TraceFrame { source: Some(source), offset });
        }
    }

    /// A lambda called by a call form (`by_form`) or by a builtin failed.
    pub fn lambda_call(&mut self, by_form: bool) {
        self.in_lambda = true;
        self.called_by_form = by_form;
    }

    fn push(&mut self, frame: TraceFrame) {
        if self.frames.len() < MAX_FRAMES {
            self.frames.push(frame);
        } else {
            self.hidden += 1;
        }
    }

    /// The frames, innermost first, ending with the evaluated source's call
    /// of the outermost lambda; and how many more were left out.
    pub fn finish(mut self) -> (Vec<TraceFrame>, usize) {
        if !self.in_lambda {
            return (Vec::new(), 0);
        }
        if self.called_by_form
            && let Some(offset) = self.pending
        {
            self.push(TraceFrame { source: None, offset });
        }
        (self.frames, self.hidden)
    }
}
