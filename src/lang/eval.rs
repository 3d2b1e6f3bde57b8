//! The evaluator: walks parsed values. Atoms and vectors evaluate to
//! themselves, unquoted symbols are name references (locals, then globals,
//! then the builtin registry), and a LIST is a call whose head must be a
//! function. This module alone checks a builtin's arity, from its registry
//! row: fixed kinds before any argument is evaluated, a variadic row's
//! `min_args..=max_args` once the arguments are evaluated (special forms,
//! which get their argument forms unevaluated, before the call). Every nested
//! evaluation is counted against the `Limits` (depth, stack, operations).
#![forbid(unsafe_code)]

use super::RequestCtx;
use super::limits::{Limits, cancel_requested, limit_error};
use crate::runtime::profile;
use super::registry::{Builtin, Imp, registry};
use super::builtins::query_only;
use super::trace::{self, Failure};
use super::values::{arity_err, builtin_arity_err};
use crate::ops;
use crate::abi::*;
use crate::core::{RayError, Result, Value, env, lazy, sym};
use crate::store::parted;

/// The internal code that carries `(return v)` up to the enclosing lambda.
pub const RETURN_CODE: &str = "return";

/// One local scope: a lambda call, a `do`, or a query's column bindings.
struct Frame {
    vars: Vec<(i64, Value)>,
    /// Column frames also resolve quoted symbols (`'sym` names a column).
    columns: bool,
}

/// A `RAY_VARY` builtin's argument count against its row's range, checked
/// once the arguments are evaluated (special forms: before the call), so
/// the family bodies need no count checks of their own.
fn check_count(e: &Builtin, n: usize) -> Result<()> {
    if e.kind == RAY_VARY && (n < e.min_args as usize || n > e.max_args as usize) {
        let want = if e.min_args == e.max_args {
            e.min_args.to_string()
        } else {
            format!("{}-{}", e.min_args, e.max_args)
        };
        return Err(arity_err(&want, n));
    }
    Ok(())
}

pub struct Evaluator {
    pub ctx: RequestCtx,
    pub limits: Limits,
    frames: Vec<Frame>,
    depth: usize,
    ops: u64,
    stack_base: usize,
    /// The value given to `raise`, pending until a `try` takes it.
    pub(crate) raised: Option<Value>,
    /// The value given to `return`, pending until its lambda takes it.
    pub(crate) returned: Option<Value>,
    /// The source being evaluated and where its call forms start
    /// (`trace::context`): the top-level source's, or the running lambda's.
    context: Option<Value>,
    /// The error currently propagating, if any (`None` once one is caught).
    failure: Option<Failure>,
}

fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)).addr()
}

/// The error for calling `head`, which is no function (the reference's words).
fn not_a_function(head: &ray_t) -> RayError {
    RayError::type_err(format!("eval: head of list is not callable, got {}", ops::type_name_of(head)))
}

impl Evaluator {
    pub fn new(ctx: RequestCtx) -> Evaluator {
        Evaluator::with_limits(ctx, super::limits::current())
    }

    pub fn with_limits(ctx: RequestCtx, limits: Limits) -> Evaluator {
        Evaluator {
            ctx,
            limits,
            frames: Vec::new(),
            depth: 0,
            ops: 0,
            stack_base: stack_addr(),
            raised: None,
            returned: None,
            context: None,
            failure: None,
        }
    }

    /// Sets the source context (`trace::context`) of the source about to
    /// be evaluated.
    pub fn set_context(&mut self, context: Option<Value>) {
        self.context = context;
    }

    /// The context lambdas created now are written in.
    pub(crate) fn source_context(&self) -> Option<Value> {
        self.context.clone()
    }

    /// Takes what is known about the error that just ended an evaluation.
    pub fn take_failure(&mut self) -> Option<Failure> {
        self.failure.take()
    }

    /// Forgets the failure of an error that was handled (`try`).
    pub(crate) fn forget_failure(&mut self) {
        self.failure = None;
    }

    /// Records that the call form `form` failed (innermost form first).
    #[cold]
    fn note_failed_form(&mut self, form: &ray_t, e: &RayError) {
        if e.code_str() == RETURN_CODE {
            return;
        }
        let offset = self.context.as_ref().and_then(|c| trace::offset_in(c, form));
        self.failure.get_or_insert_with(Failure::default).note_form(offset);
    }

    /// Records that a lambda called by a call form (`by_form`) or by a
    /// builtin failed, its own arity check included.
    #[cold]
    fn note_failed_lambda(&mut self, e: &RayError, by_form: bool) {
        if e.code_str() == RETURN_CODE {
            return;
        }
        self.failure.get_or_insert_with(Failure::default).lambda_call(by_form);
    }

    /// Counts one step; checks the stack, the depth, the budget and cancel.
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > self.limits.max_call_depth {
            self.depth -= 1;
            return Err(limit_error("call depth exceeded"));
        }
        let used = self.stack_base.abs_diff(stack_addr());
        if used > self.limits.max_stack_bytes {
            self.depth -= 1;
            return Err(limit_error("evaluation nested too deeply"));
        }
        self.ops += 1;
        if self.ops & 0x3ff == 0 {
            if cancel_requested() {
                self.depth -= 1;
                return Err(RayError::code("cancel"));
            }
            if self.limits.max_operations != 0 && self.ops > self.limits.max_operations {
                self.depth -= 1;
                return Err(limit_error("operation budget exceeded"));
            }
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Evaluates one value.
    pub fn eval(&mut self, x: &ray_t) -> Result<Value> {
        match x.type_ {
            t if t == -RAY_SYM => {
                if x.is_quoted() {
                    if self.frames.iter().any(|f| f.columns) {
                        if let Some(v) = self.column_of(x.i64_val()) {
                            return Ok(v);
                        }
                    }
                    Ok(x.to_value())
                } else {
                    self.lookup(x.i64_val())
                }
            }
            RAY_LIST => {
                if x.is_empty() {
                    return Ok(x.to_value());
                }
                self.enter()?;
                let r = self.eval_call(x, false);
                self.leave();
                match &r {
                    Ok(_) if self.failure.is_some() => self.failure = None,
                    Ok(_) => {}
                    Err(e) => self.note_failed_form(x, e),
                }
                r
            }
            _ => Ok(x.to_value()),
        }
    }

    /// Evaluates a LIST payload element in "literal fallback" mode (wire.md
    /// 6.1): a nested LIST is a call only if its head is callable, else data.
    pub fn eval_fallback(&mut self, x: &ray_t) -> Result<Value> {
        if x.type_ != RAY_LIST || x.is_empty() {
            return self.eval(x);
        }
        self.enter()?;
        let r = self.eval_call(x, true);
        self.leave();
        match &r {
            Ok(_) if self.failure.is_some() => self.failure = None,
            Ok(_) => {}
            Err(e) => self.note_failed_form(x, e),
        }
        r
    }

    fn column_of(&self, id: i64) -> Option<Value> {
        for f in self.frames.iter().rev().filter(|f| f.columns) {
            if let Some((_, v)) = f.vars.iter().rev().find(|(k, _)| *k == id) {
                return Some(v.clone());
            }
        }
        None
    }

    /// Resolves a name: locals (innermost first), globals, builtins, then a
    /// dotted path (`d.x` walks a dict, `t.yyyy` applies an accessor).
    pub fn lookup(&mut self, id: i64) -> Result<Value> {
        if let Some(v) = self.lookup_plain(id) {
            return Ok(v);
        }
        let name = sym::name_or_empty(id);
        if name == b"null" {
            // Not a global (so `(env 0)` does not list it), but any binding
            // of the name comes first, as in the reference.
            return Ok(Value::null());
        }
        if name.len() > 1 && name[0] == b'.' {
            if let Some(ns) = registry().namespace(name) {
                return Ok(ns);
            }
        }
        if name.len() > 1 && name[0] != b'.' && name.contains(&b'.') {
            if let Some(v) = self.lookup_path(name)? {
                return Ok(v);
            }
        }
        if self.frames.iter().any(|f| f.columns) {
            // Inside a query the reference reports the bare `schema` code.
            return Err(RayError::code("schema"));
        }
        Err(undefined(name))
    }

    /// Resolves a name in call position: an unknown function is err:name
    /// even inside a query (it cannot be a column).
    fn lookup_function(&mut self, id: i64) -> Result<Value> {
        match self.lookup(id) {
            Err(e) if e.code_str() == "schema" => Err(undefined(sym::name_or_empty(id))),
            r => r,
        }
    }

    fn lookup_plain(&self, id: i64) -> Option<Value> {
        for f in self.frames.iter().rev() {
            if let Some((_, v)) = f.vars.iter().rev().find(|(k, _)| *k == id) {
                return Some(v.clone());
            }
        }
        if let Some(v) = env::get(id) {
            return Some(v);
        }
        let reg = registry();
        reg.by_id(id).map(|(i, _)| reg.object(i))
    }

    fn lookup_path(&mut self, name: &[u8]) -> Result<Option<Value>> {
        let mut parts = name.split(|&c| c == b'.');
        let first = parts.next().unwrap_or(b"");
        let Some(mut cur) = sym::find(first).and_then(|id| self.lookup_plain(id)) else {
            return Ok(None);
        };
        for seg in parts {
            if self.frames.iter().any(|f| f.columns) {
                if let Some(r) = query_only::dotted(&cur, seg) {
                    cur = r?;
                    continue;
                }
            }
            let Some(seg_id) = sym::find(seg) else { return Ok(None) };
            if cur.type_ == RAY_DICT {
                match dict_get_sym(&cur, seg_id) {
                    Some(v) => cur = v,
                    None => return Ok(None),
                }
                continue;
            }
            let reg = registry();
            match reg.by_id(seg_id) {
                Some((i, e)) if e.kind == RAY_UNARY => {
                    let f = reg.object(i);
                    cur = self.apply(&f, vec![cur])?;
                }
                _ => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    /// The function value at the head of a call.
    fn eval_head(&mut self, h: &ray_t) -> Result<Value> {
        match h.type_ {
            t if t == -RAY_SYM => self.lookup_function(h.i64_val()),
            RAY_LIST => self.eval(h),
            _ => Ok(h.to_value()),
        }
    }

    /// True while a query's columns are in scope (`select`/`update` expressions).
    pub fn in_query(&self) -> bool {
        self.frames.iter().any(|f| f.columns)
    }

    fn eval_call(&mut self, form: &ray_t, fallback: bool) -> Result<Value> {
        let items = form.items();
        let head = items[0].ok_or_else(|| not_a_function(&Value::null()))?;
        if let Some(r) = self.query_only_call(head, &items[1..]) {
            return r;
        }
        let f = if fallback {
            match self.eval_head(head) {
                Ok(f) if is_callable(&f) => f,
                _ => return Ok(form.to_value()),
            }
        } else {
            self.eval_head(head)?
        };
        let arg_forms = &items[1..];
        if f.is_builtin() {
            let reg = registry();
            let (_, e) = reg.entry_of(&f).ok_or_else(|| not_a_function(&f))?;
            self.check_builtin(e, arg_forms.len())?;
            let recorded = profile::enter_call(e.name);
            let mut collection_arg = false;
            let r = self.call_builtin_form(e, arg_forms, fallback, &mut collection_arg);
            if recorded {
                profile::leave_call(r.as_ref().ok(), collection_arg);
            }
            return r;
        }
        if f.type_ == RAY_LAMBDA {
            let want = lambda_arity(&f);
            if arg_forms.len() != want {
                let e = arity_err(&want.to_string(), arg_forms.len());
                self.note_failed_lambda(&e, true);
                return Err(e);
            }
            let args = self.eval_args(arg_forms, fallback)?;
            let r = self.call_lambda(&f, args);
            if let Err(e) = &r {
                self.note_failed_lambda(e, true);
            }
            return r;
        }
        if f.type_ == -RAY_SYM {
            // A symbol computed as the head names the function: `((quote f) 1)`.
            let g = self.lookup(f.i64_val())?;
            if is_callable(&g) {
                let args = self.eval_args(arg_forms, fallback)?;
                return self.apply(&g, args);
            }
        }
        Err(not_a_function(&f))
    }

    /// A call of builtin `e` written in the source: special forms get their
    /// argument forms, others the evaluated arguments (`collection_arg` says
    /// whether one is a collection, for the profiler).
    fn call_builtin_form(&mut self, e: &Builtin, arg_forms: &[Option<&ray_t>], fallback: bool, collection_arg: &mut bool) -> Result<Value> {
        if let Imp::Special(sf) = e.imp {
            check_count(e, arg_forms.len())?;
            let raw: Vec<Value> = arg_forms.iter().map(|a| a.map_or_else(Value::null, |a| a.to_value())).collect();
            let faults = lazy::faults();
            return fail_on_lazy_fault(faults, norm(sf(self, &raw)));
        }
        let mut args = self.eval_args(arg_forms, fallback)?;
        *collection_arg = args.iter().any(profile::is_collection);
        if self.frames.iter().any(|f| f.columns) {
            // Inside queries `(nil? col)` tests each element (rayfall.md 10).
            if e.name == "nil?" && (args[0].is_vec() || args[0].type_ == RAY_LIST) {
                return crate::ops::null_mask(&args[0]);
            }
            query_only::strings_as_symbols(e.name, &mut args);
        }
        self.invoke(e, &args)
    }

    /// A call to a query-only name (`(year c)`, `(ilike c p)`, builtins.md
    /// 9) while a query's columns are in scope and the name is not bound to
    /// a function (a column may share the name: `(day day)`).
    fn query_only_call(&mut self, head: &ray_t, arg_forms: &[Option<&ray_t>]) -> Option<Result<Value>> {
        if head.type_ != -RAY_SYM || head.is_quoted() || !self.frames.iter().any(|f| f.columns) {
            return None;
        }
        let name = sym::name_or_empty(head.i64_val());
        if !query_only::is_call(name, arg_forms.len()) || self.lookup_plain(head.i64_val()).is_some_and(|f| is_callable(&f)) {
            return None;
        }
        Some(self.eval_args(arg_forms, false).and_then(|args| query_only::run(name, &args)))
    }

    fn eval_args(&mut self, forms: &[Option<&ray_t>], fallback: bool) -> Result<Vec<Value>> {
        let mut args = Vec::with_capacity(forms.len());
        for a in forms {
            let a = match a {
                Some(a) => a,
                None => {
                    args.push(Value::null());
                    continue;
                }
            };
            args.push(if fallback { self.eval_fallback(a)? } else { self.eval(a)? });
        }
        Ok(args)
    }

    /// Arity (fixed kinds) and restriction checks, before arguments are evaluated.
    fn check_builtin(&self, e: &Builtin, n: usize) -> Result<()> {
        if e.is_restricted() && self.ctx.restricted {
            return Err(RayError::new("access", "restricted"));
        }
        match e.kind {
            RAY_UNARY if n != 1 => Err(builtin_arity_err(1, n)),
            RAY_BINARY if n != 2 => Err(builtin_arity_err(2, n)),
            _ => Ok(()),
        }
    }

    fn invoke(&mut self, e: &Builtin, args: &[Value]) -> Result<Value> {
        check_count(e, args.len())?;
        if !e.accepts_parted && args.iter().any(|a| parted::is_parted(a)) {
            let args = args.iter().map(parted::materialize).collect::<Result<Vec<_>>>()?;
            return self.invoke_direct(e, &args);
        }
        self.invoke_direct(e, args)
    }

    fn invoke_direct(&mut self, e: &Builtin, args: &[Value]) -> Result<Value> {
        let faults = lazy::faults();
        let r = norm(match e.imp {
            Imp::Pure(f) => f(args),
            Imp::Ctx(f) | Imp::Special(f) => f(self, args),
        });
        fail_on_lazy_fault(faults, r)
    }

    /// Calls a function value with evaluated arguments (map, fold, try, ...).
    pub fn apply(&mut self, f: &ray_t, args: Vec<Value>) -> Result<Value> {
        self.enter()?;
        let r = self.apply_inner(f, args);
        self.leave();
        r
    }

    fn apply_inner(&mut self, f: &ray_t, args: Vec<Value>) -> Result<Value> {
        if f.is_builtin() {
            let reg = registry();
            let (_, e) = reg.entry_of(f).ok_or_else(|| not_a_function(f))?;
            self.check_builtin(e, args.len())?;
            return self.invoke(e, &args);
        }
        if f.type_ == RAY_LAMBDA {
            let want = lambda_arity(f);
            if args.len() != want {
                let e = arity_err(&want.to_string(), args.len());
                self.note_failed_lambda(&e, false);
                return Err(e);
            }
            let r = self.call_lambda(f, args);
            if let Err(e) = &r {
                self.note_failed_lambda(e, false);
            }
            return r;
        }
        if f.type_ == -RAY_SYM {
            let g = self.lookup(f.i64_val())?;
            if is_callable(&g) {
                return self.apply_inner(&g, args);
            }
        }
        Err(not_a_function(f))
    }

    /// Runs a lambda: binds its parameters and `self`, evaluates the body.
    pub fn call_lambda(&mut self, lam: &ray_t, args: Vec<Value>) -> Result<Value> {
        self.enter()?;
        let params = lam.item(0);
        let mut vars: Vec<(i64, Value)> = Vec::with_capacity(args.len() + 1);
        vars.push((sym::intern(b"self"), lam.to_value()));
        if let Some(p) = params.filter(|p| p.type_ == RAY_SYM) {
            for (i, a) in args.into_iter().enumerate() {
                vars.push((p.sym_at(i), a));
            }
        }
        self.frames.push(Frame { vars, columns: false });
        let written_in = lam.item(2).filter(|c| c.type_ == RAY_LIST).map(|c| c.to_value());
        let caller = std::mem::replace(&mut self.context, written_in);
        let body = lam.item(1);
        let mut r = Ok(Value::null());
        profile::lambda_body(true);
        if let Some(b) = body {
            for form in b.items().iter().flatten() {
                r = self.eval(form);
                if r.is_err() {
                    break;
                }
            }
        }
        profile::lambda_body(false);
        let written_in = std::mem::replace(&mut self.context, caller);
        if r.as_ref().is_err_and(|e| e.code_str() != RETURN_CODE) {
            self.failure.get_or_insert_with(Failure::default).leave_lambda(written_in.as_ref());
        }
        self.frames.pop();
        self.leave();
        match r {
            Err(e) if e.code_str() == RETURN_CODE => Ok(self.returned.take().unwrap_or_else(Value::null)),
            other => other,
        }
    }

    /// Evaluates forms in a new local scope (`do`); the last value, or i64 0.
    pub fn eval_scoped(&mut self, forms: &[Value]) -> Result<Value> {
        self.frames.push(Frame { vars: Vec::new(), columns: false });
        let mut r = Ok(Value::i64(0));
        for f in forms {
            r = self.eval(f);
            if r.is_err() {
                break;
            }
        }
        self.frames.pop();
        r
    }

    /// Evaluates top-level forms of another source (`load`) in the global
    /// scope: the caller's locals are hidden, a `return` ends its form with
    /// its value, the last value is returned. Depth and operation counts
    /// carry on, so a file that loads itself stops at the depth limit.
    pub fn eval_global(&mut self, forms: &[Value]) -> Result<Value> {
        let frames = std::mem::take(&mut self.frames);
        let context = self.context.take();
        let mut last = Ok(Value::i64(0));
        for f in forms {
            last = match self.eval(f) {
                Err(e) if e.code_str() == RETURN_CODE => Ok(self.returned.take().unwrap_or_else(Value::null)),
                r => r,
            };
            if last.is_err() {
                break;
            }
        }
        self.frames = frames;
        self.context = context;
        last
    }

    /// Binds a local in the innermost scope (a global scope when there is none).
    pub fn bind_local(&mut self, id: i64, v: Value) {
        if self.frames.is_empty() {
            self.frames.push(Frame { vars: Vec::new(), columns: false });
        }
        let f = self.frames.last_mut().unwrap();
        match f.vars.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = v,
            None => f.vars.push((id, v)),
        }
    }

    /// Evaluates `expr` with `columns` bound first (queries): the symbols
    /// the expression mentions are resolved through `columns` up front.
    pub fn eval_with_column_fn(&mut self, expr: &ray_t, columns: &dyn Fn(i64) -> Option<Value>) -> Result<Value> {
        let mut ids = Vec::new();
        collect_syms(expr, &mut ids, 0);
        ids.sort_unstable();
        ids.dedup();
        let vars: Vec<(i64, Value)> = ids.into_iter().filter_map(|id| columns(id).map(|c| (id, c))).collect();
        self.frames.push(Frame { vars, columns: true });
        let r = self.eval(expr);
        self.frames.pop();
        r
    }
}

/// Symbols mentioned by an expression (not inside lambdas' bodies).
fn collect_syms(x: &ray_t, out: &mut Vec<i64>, depth: usize) {
    if depth > 512 {
        return;
    }
    match x.type_ {
        t if t == -RAY_SYM => {
            out.push(x.i64_val());
            // `c.month`: the column is the path's first segment.
            let name = sym::name_or_empty(x.i64_val());
            if name.first().is_some_and(|&c| c != b'.') {
                if let Some(first) = name.split(|&c| c == b'.').next().filter(|f| f.len() < name.len()) {
                    out.extend(sym::find(first));
                }
            }
        }
        RAY_LIST | RAY_DICT => {
            for c in x.items().iter().flatten() {
                collect_syms(c, out, depth + 1);
            }
        }
        RAY_SYM => {
            for i in 0..x.len() as usize {
                out.push(x.sym_at(i));
            }
        }
        _ => {}
    }
}

impl crate::query::Evaluator for Evaluator {
    fn eval_with_columns(&mut self, expr: &ray_t, columns: &dyn Fn(i64) -> Option<Value>) -> Result<Value> {
        self.eval_with_column_fn(expr, columns)
    }
    fn eval(&mut self, expr: &ray_t) -> Result<Value> {
        Evaluator::eval(self, expr)
    }
    fn restricted(&self) -> bool {
        self.ctx.restricted
    }
}

/// An error object returned as a value becomes an `Err`.
fn norm(r: Result<Value>) -> Result<Value> {
    match r {
        Ok(v) if v.is_error() => Err(v.err_code()),
        other => other,
    }
}

/// Builtins and lambdas.
pub fn is_callable(f: &ray_t) -> bool {
    f.is_builtin() || f.type_ == RAY_LAMBDA
}

/// The parameter count of a lambda.
pub fn lambda_arity(lam: &ray_t) -> usize {
    lam.item(0).map_or(0, |p| p.len().max(0) as usize)
}

/// `d[key]` for a dict with SYM keys (or a LIST of key atoms).
pub fn dict_get_sym(d: &ray_t, id: i64) -> Option<Value> {
    let keys = d.dict_keys()?;
    let vals = d.dict_vals()?;
    let idx = match keys.type_ {
        RAY_SYM => (0..keys.len() as usize).find(|&i| keys.sym_at(i) == id),
        RAY_LIST => keys.items().iter().position(|k| k.is_some_and(|k| k.type_ == -RAY_SYM && k.i64_val() == id)),
        _ => None,
    }?;
    if idx >= ops::count(vals) as usize {
        return None;
    }
    Some(ops::elem(vals, idx))
}

fn undefined(name: &[u8]) -> RayError {
    RayError::new("name", format!("'{}' undefined", String::from_utf8_lossy(name)))
}

/// `r`, or the error of a corrupt lazily read column (a SYM cell outside
/// its symbol file, `core::lazy`) touched since `faults` was read: the
/// builtin that touched it fails with that column's error.
fn fail_on_lazy_fault(faults: u64, r: Result<Value>) -> Result<Value> {
    if lazy::faults() == faults {
        return r;
    }
    lazy::last_fault().map_or(r, Err)
}
