//! Builtins: system and introspection (builtins.md section 11): `print`,
//! `resolve`, `env`, `sym-name`, `.sys.info`, `.sys.mem`, `.sys.gc`,
//! `.sys.env`, `.sys.timeit`, `.sys.querylog`, `.sys.querylog.enable`,
//! `.sys.prof`, `.mem.objsize`, `.mem.ts`, `.time.now`,
//! `.time.timer.set`, `.time.timer.del` (the schedule is `lang::timers`).
//!
//! This module owns argument checks, error wording and the shape of each
//! answer. The flags live in `runtime::switches`; memory figures come from
//! `core::budget` and the kernel (`/proc/self/status`); the query log is
//! `runtime::querylog`. It prints through `sys::emit_text`.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, env, sym};
use crate::lang::eval::Evaluator;
use crate::lang::registry::Builtin;
use crate::lang::values::sym_dict;
use crate::ops::par;
use crate::runtime::{querylog, switches};
use std::collections::HashSet;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure("print", RAY_VARY, print),
    Builtin::special("resolve", resolve),
    Builtin::special(".mem.ts", mem_ts),
    Builtin::pure("env", RAY_UNARY, env_dict),
    Builtin::pure("sym-name", RAY_UNARY, sym_name),
    Builtin::pure(".sys.info", RAY_VARY, sys_info),
    Builtin::pure(".sys.mem", RAY_VARY, sys_mem),
    Builtin::pure(".sys.gc", RAY_VARY, sys_gc),
    Builtin::pure(".sys.env", RAY_VARY, sys_env),
    Builtin::pure(".sys.timeit", RAY_VARY, sys_timeit),
    Builtin::pure(".sys.querylog", RAY_VARY, sys_querylog),
    Builtin::pure(".sys.querylog.enable", RAY_VARY, sys_querylog_enable).restricted(),
    Builtin::pure(".sys.prof", RAY_VARY, sys_prof),
    Builtin::pure(".mem.objsize", RAY_UNARY, mem_objsize),
    Builtin::pure("rc", RAY_UNARY, rc),
    Builtin::pure(".time.now", RAY_VARY, time_now),
    Builtin::pure(".sys.args", RAY_VARY, sys_args),
    Builtin::pure(".time.timer.set", RAY_VARY, timer_set).restricted(),
    Builtin::pure(".time.timer.del", RAY_UNARY, timer_del).restricted(),
];

// ---------------------------------------------------------------- printing and lookup

/// `(print a b ...)`: `println` without the newline. A first string with
/// `%` in it is a template: each `%` takes the next argument's text while
/// arguments remain (the rest stay literal, extra arguments are dropped).
fn print(args: &[Value]) -> Result<Value> {
    let text = match args.split_first() {
        Some((first, rest)) if first.type_ == -RAY_STR && !rest.is_empty() && first.str_bytes().contains(&b'%') => {
            fill_template(first.str_bytes(), rest)
        }
        _ => args.iter().map(|a| super::sys::text_of(a)).collect::<Vec<_>>().join(" "),
    };
    super::sys::emit_text(&text, false);
    Ok(Value::null())
}

fn fill_template(template: &[u8], args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = args.iter();
    for part in String::from_utf8_lossy(template).split_inclusive('%') {
        match part.strip_suffix('%') {
            Some(lead) => {
                out.push_str(lead);
                match next.next() {
                    Some(a) => out.push_str(&super::sys::text_of(a)),
                    None => out.push('%'),
                }
            }
            None => out.push_str(part),
        }
    }
    out
}

/// `(resolve expr)` (special form): evaluates the last of its first two
/// arguments (the first of two is evaluated and ignored); a symbol is looked
/// up as a global (the null object when unbound); a table gets its I64
/// columns of symbol-looking ids back as SYM columns; anything else is
/// returned as is.
fn resolve(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let Some(first) = args.first() else {
        return Err(RayError::new("arity", "resolve expects at least 1 argument"));
    };
    let mut v = ev.eval(first)?;
    if let Some(second) = args.get(1) {
        v = ev.eval(second)?;
    }
    if v.type_ == -RAY_SYM {
        return crate::store::parted::materialize(&env::get(v.i64_val()).unwrap_or_else(Value::null));
    }
    if v.type_ == RAY_TABLE {
        return ids_as_symbols(&v);
    }
    Ok(v)
}

/// A copy of table `t` whose I64 columns holding only ids of symbols that
/// read as names (two characters or more, not starting with a digit or an
/// operator character) become SYM columns.
fn ids_as_symbols(t: &Value) -> Result<Value> {
    let mut changed = false;
    let mut cols = crate::ops::table::columns(t);
    for col in cols.iter_mut() {
        if col.type_ == RAY_I64 && col.len() > 0 && col.elems::<i64>().iter().all(|&id| reads_as_name(id)) {
            changed = true;
            *col = Value::sym_vec(col.elems::<i64>())?;
        }
    }
    if changed { crate::ops::table::with_columns(t, cols) } else { Ok(t.clone()) }
}

fn reads_as_name(id: i64) -> bool {
    match sym::name(id) {
        Some(n) if id > 0 && n.len() >= 2 => !n[0].is_ascii_digit() && !b"+-*/<>=!?_".contains(&n[0]),
        _ => false,
    }
}

/// `(env x)`: every global binding as a dict (SYM keys, LIST values) in
/// the order the names were first bound; the argument is ignored.
fn env_dict(_args: &[Value]) -> Result<Value> {
    let entries = env::entries_in_binding_order();
    let ids: Vec<i64> = entries.iter().map(|(id, _)| *id).collect();
    // A partitioned table shows as the table it stands for (null when its
    // files can no longer be read).
    let vals = entries.iter().map(|(_, v)| crate::store::parted::materialize(v).unwrap_or_else(|_| Value::null())).collect();
    Ok(Value::dict(Value::sym_vec(&ids)?, Value::list(vals)))
}

/// `(sym-name x)`: symbol ids (an i64 atom or I64 vector) as symbols;
/// symbols come back as they are.
fn sym_name(args: &[Value]) -> Result<Value> {
    let x = &args[0];
    let known = |id: i64| id >= 0 && id < i64::from(sym::count());
    match x.type_ {
        t if t == -RAY_SYM || t == RAY_SYM => Ok(x.clone()),
        t if t == -RAY_I64 => {
            let id = x.i64_val();
            if !known(id) {
                return Err(RayError::domain("sym-name: invalid sym ID"));
            }
            Ok(Value::sym_id(id))
        }
        RAY_I64 => {
            let ids = x.elems::<i64>();
            if !ids.iter().all(|&id| known(id)) {
                return Err(RayError::domain("sym-name: invalid sym ID in vector"));
            }
            Value::sym_vec(ids)
        }
        _ => Err(RayError::type_err("sym-name: expected i64 or i64 vector")),
    }
}

// ---------------------------------------------------------------- memory and runtime

/// `(.sys.info ...)`: cores, page size and physical memory.
fn sys_info(_args: &[Value]) -> Result<Value> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    sym_dict(vec![
        ("cores", Value::i64(cores as i64)),
        ("page-size", Value::i64(crate::runtime::os::page_size() as i64)),
        ("total-mem", Value::i64(crate::core::budget::physical_ram() as i64)),
    ])
}

/// `(.sys.mem ...)`: the reference's 16 keys. Bytes in use come from the
/// block allocator's budget counter, the `sys-*`/`anon-*` figures from the
/// kernel; counters this allocator does not keep (allocation count, slab
/// hits, per-partition runs) are 0.
fn sys_mem(_args: &[Value]) -> Result<Value> {
    let status = crate::runtime::os::memory_status();
    let in_use = crate::core::budget::bytes_in_use() as i64;
    let pairs: [(&str, i64); 16] = [
        ("alloc-count", 0),
        ("bytes-allocated", in_use),
        ("direct-bytes", 0),
        ("peak-bytes", status.rss_peak),
        ("slab-hits", 0),
        ("sys-current", status.rss),
        ("sys-mapped", status.mapped),
        ("sys-mapped-peak", status.mapped_peak),
        ("anon-committed", status.anon),
        ("anon-peak", status.rss_peak),
        ("anon-watermark", crate::core::budget::budget() as i64),
        ("group-perpart-runs", 0),
        ("asof-perpart-runs", 0),
        ("sort-perpart-runs", 0),
        ("window-perpart-runs", 0),
        ("join-perpart-runs", 0),
    ];
    sym_dict(pairs.iter().map(|&(k, v)| (k, Value::i64(v))).collect())
}

/// `(.sys.gc ...)`: returns the blocks the allocator keeps for reuse to the
/// system; 0.
fn sys_gc(_args: &[Value]) -> Result<Value> {
    crate::core::alloc::release_kept();
    Ok(Value::i64(0))
}

/// `(.sys.env ...)`: how many names are bound.
fn sys_env(_args: &[Value]) -> Result<Value> {
    Ok(Value::i64(env::count() as i64))
}

/// A 0/1 flag argument: an integer atom, or a string of digits.
fn flag_arg(v: &Value) -> Option<bool> {
    match v.type_ {
        t if t == -RAY_STR => std::str::from_utf8(v.str_bytes()).ok()?.trim().parse::<i64>().ok().map(|n| n != 0),
        _ => crate::lang::values::int_arg(v, "flag").ok().map(|n| n != 0),
    }
}

/// `(.sys.timeit [flag])`: toggles (no argument) or sets the REPL's
/// per-expression timing; the new state as 0/1.
fn sys_timeit(args: &[Value]) -> Result<Value> {
    let on = match args.first() {
        None => !switches::timeit(),
        Some(v) => flag_arg(v).ok_or_else(|| RayError::type_err(":t expects an integer (0 = off, 1 = on)"))?,
    };
    switches::set_timeit(on);
    Ok(Value::i64(i64::from(on)))
}

/// `(.sys.querylog.enable [flag])`: toggles or sets the query log.
fn sys_querylog_enable(args: &[Value]) -> Result<Value> {
    let on = match args {
        [] => !querylog::enabled(),
        [v] if v.type_ == -RAY_I64 => v.i64_val() != 0,
        [_] => return Err(RayError::type_err("flag must be i64")),
        _ => return Err(RayError::domain(".sys.querylog.enable takes 0 or 1 arguments")),
    };
    querylog::set_enabled(on);
    Ok(Value::i64(i64::from(on)))
}

/// `(.sys.querylog)`: the recently completed queries (empty unless enabled).
fn sys_querylog(args: &[Value]) -> Result<Value> {
    if !args.is_empty() {
        return Err(RayError::domain(".sys.querylog takes no arguments"));
    }
    let rows = querylog::snapshot();
    let time: Vec<i64> = rows.iter().map(|r| r.time_ns).collect();
    let ms: Vec<f64> = rows.iter().map(|r| r.duration_ms).collect();
    let result_rows: Vec<i64> = rows.iter().map(|r| r.result_rows).collect();
    let kib: Vec<f64> = rows.iter().map(|r| r.memory_kib).collect();
    let workers: Vec<i64> = rows.iter().map(|r| r.workers).collect();
    let parallelism: Vec<f64> = rows.iter().map(|r| r.parallelism).collect();
    let status: Vec<i64> = rows.iter().map(|r| sym::intern(r.status.as_bytes())).collect();
    let queries: Vec<&[u8]> = rows.iter().map(|r| r.query.as_bytes()).collect();
    let cols = vec![
        Value::vec_from_slice(RAY_TIMESTAMP, &time)?,
        Value::vec_from_slice(RAY_F64, &ms)?,
        Value::vec_from_slice(RAY_I64, &result_rows)?,
        Value::vec_from_slice(RAY_F64, &kib)?,
        Value::vec_from_slice(RAY_I64, &workers)?,
        Value::vec_from_slice(RAY_F64, &parallelism)?,
        Value::sym_vec(&status)?,
        Value::str_vec(queries)?,
    ];
    let names = ["time", "duration-ms", "result-rows", "memory-kib", "workers", "parallelism", "status", "query"];
    table_of(&names, cols)
}

/// `(.sys.prof ...)`: the profile of the previous request while
/// `.sys.timeit` is on (`lang::profile`), children before their parent;
/// empty when it is off. `percent` is the exclusive share of the request.
fn sys_prof(_args: &[Value]) -> Result<Value> {
    use crate::runtime::profile;
    let names = [
        "operator",
        "depth",
        "cumulative-ms",
        "exclusive-ms",
        "percent",
        "rows",
        "allocated-kib",
        "workers",
        "busy-ms",
        "parallelism",
    ];
    let spans = if switches::timeit() { profile::last_rows() } else { Vec::new() };
    let total = spans.last().map_or(0, |root| root.cumulative_ns);
    let ms = |ns: u64| ns as f64 / 1e6;
    let f64s = |f: &dyn Fn(&profile::Span) -> f64| Value::vec_from_slice(RAY_F64, &spans.iter().map(f).collect::<Vec<f64>>());
    let i64s = |f: &dyn Fn(&profile::Span) -> i64| Value::vec_from_slice(RAY_I64, &spans.iter().map(f).collect::<Vec<i64>>());
    let operators: Vec<i64> = spans.iter().map(|s| sym::intern(s.name.as_bytes())).collect();
    let cols = vec![
        Value::sym_vec(&operators)?,
        i64s(&|s| s.depth as i64)?,
        f64s(&|s| ms(s.cumulative_ns))?,
        f64s(&|s| ms(s.exclusive_ns))?,
        f64s(&|s| profile::percent(s.exclusive_ns, total))?,
        i64s(&|s| s.rows)?,
        f64s(&|s| s.allocated_bytes as f64 / 1024.0)?,
        i64s(&|s| s.workers as i64)?,
        f64s(&|s| ms(s.busy_ns))?,
        f64s(&profile::parallelism)?,
    ];
    table_of(&names, cols)
}

fn table_of(names: &[&str], cols: Vec<Value>) -> Result<Value> {
    let ids: Vec<i64> = names.iter().map(|n| sym::intern(n.as_bytes())).collect();
    crate::ops::table::make_table(&ids, cols)
}


/// `(rc x)`: the reference count of the evaluated argument as this
/// process holds it while `rc` runs (the caller's argument list is one
/// owner), as i64.
fn rc(args: &[Value]) -> Result<Value> {
    Ok(Value::i64(i64::from(args[0].rc())))
}

/// `(.mem.objsize x)`: bytes held by the object graph, each shared object
/// counted once, with the reference's block sizes (a 32-byte header, 16-byte
/// string cells, 8-byte symbols whatever their stored width).
fn mem_objsize(args: &[Value]) -> Result<Value> {
    let mut seen = HashSet::new();
    Ok(Value::i64(objsize(&args[0], &mut seen) as i64))
}

/// `(.mem.ts expr)`: evaluates `expr` and answers what it cost, as the
/// reference's 13 keys: `result time-ns memory-bytes allocated-bytes
/// freed-bytes net-bytes peak-live-bytes result-bytes alloc-count
/// free-count workers worker-busy-ns parallelism`. Bytes are the
/// allocator's (process-wide, so a concurrent request's blocks count
/// too); `memory-bytes` is the growth of the resident set; the block
/// counts are this thread's (blocks a parallel kernel's workers allocate
/// are not counted); `workers` is the most kernel workers that ran at once
/// (0 when the work ran on the calling thread alone), `worker-busy-ns`
/// their summed time, `parallelism` that over the wall time.
fn mem_ts(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    if args.len() != 1 {
        return Err(RayError::new("arity", format!(".mem.ts expects 1 argument, got {}", args.len())));
    }
    use crate::core::budget;
    let rss0 = crate::runtime::os::memory_status().rss;
    budget::reset_peak();
    let c0 = budget::counters();
    let outer_peak = par::take_peak_workers();
    let busy0 = par::busy_ns();
    let t0 = std::time::Instant::now();
    let result = ev.eval(&args[0]);
    let time_ns = t0.elapsed().as_nanos() as i64;
    let workers = par::take_peak_workers();
    par::restore_peak_workers(outer_peak.max(workers));
    let result = result?;
    let busy_ns = par::busy_ns().saturating_sub(busy0) as i64;
    let c1 = budget::counters();
    let rss1 = crate::runtime::os::memory_status().rss;
    let allocated = c1.charged.saturating_sub(c0.charged) as i64;
    let freed = c1.credited.saturating_sub(c0.credited) as i64;
    let live0 = c0.charged.saturating_sub(c0.credited);
    let result_bytes = objsize(&result, &mut HashSet::new()) as i64;
    let entries: Vec<(&str, Value)> = vec![
        ("result", result),
        ("time-ns", Value::i64(time_ns)),
        ("memory-bytes", Value::i64((rss1 - rss0).max(0))),
        ("allocated-bytes", Value::i64(allocated)),
        ("freed-bytes", Value::i64(freed)),
        ("net-bytes", Value::i64(allocated - freed)),
        ("peak-live-bytes", Value::i64(c1.peak.saturating_sub(live0) as i64)),
        ("result-bytes", Value::i64(result_bytes)),
        ("alloc-count", Value::i64((c1.blocks_allocated - c0.blocks_allocated) as i64)),
        ("free-count", Value::i64((c1.blocks_freed - c0.blocks_freed) as i64)),
        ("workers", Value::i64(workers as i64)),
        ("worker-busy-ns", Value::i64(busy_ns)),
        ("parallelism", Value::f64(if workers == 0 || time_ns == 0 { 0.0 } else { busy_ns as f64 / time_ns as f64 })),
    ];
    let keys: Vec<i64> = entries.iter().map(|(k, _)| sym::intern(k.as_bytes())).collect();
    Ok(Value::dict(Value::sym_vec(&keys)?, Value::list(entries.into_iter().map(|(_, v)| v).collect())))
}

const HEADER: u64 = 32;

fn objsize(x: &ray_t, seen: &mut HashSet<usize>) -> u64 {
    if !seen.insert(x as *const ray_t as usize) {
        return 0;
    }
    let t = x.type_;
    if x.is_atom() {
        return match -t {
            RAY_STR if x.str_bytes().len() >= 7 => 2 * HEADER + x.str_bytes().len() as u64,
            RAY_GUID => HEADER + 48,
            _ => HEADER,
        };
    }
    let len = x.len().max(0) as u64;
    // An attached index counts as the reference counts it: its block and children.
    let index = crate::core::index::attached(x)
        .map_or(0, |i| HEADER + crate::core::index::PAYLOAD as u64 + i.children().map(|c| objsize(c, seen)).sum::<u64>());
    index + match t {
        RAY_STR => {
            let long: u64 = (0..len as usize).map(|i| x.str_at(i).len() as u64).filter(|&n| n > 12).sum();
            HEADER + 16 * len + if long > 0 { HEADER + long } else { 0 }
        }
        RAY_SYM => HEADER + 8 * len,
        _ if is_vector_type(t) => HEADER + len * elem_size(t, x.attrs) as u64,
        _ if is_container_type(t) => {
            let slots = x.items();
            HEADER + 8 * slots.len() as u64 + slots.iter().flatten().map(|c| objsize(c, seen)).sum::<u64>()
        }
        _ => HEADER,
    }
}

/// `(.time.now)`: monotonic milliseconds.
fn time_now(args: &[Value]) -> Result<Value> {
    if !args.is_empty() {
        return Err(RayError::domain(".time.now takes no arguments"));
    }
    Ok(Value::i64(crate::runtime::os::monotonic_ms()))
}

/// `(.sys.args)`: how the process was started, as RayforceDB answers it:
/// `file port cores timeit querylog interactive log user` (`user`: the
/// `-key value` pairs after `--`, values as strings). `cores` is the `-c`
/// value (0: automatic, as the reference's default).
fn sys_args(args: &[Value]) -> Result<Value> {
    if !args.is_empty() {
        return Err(RayError::domain(".sys.args takes no arguments"));
    }
    let l = crate::runtime::launch::get();
    let names: Vec<i64> = ["file", "port", "cores", "timeit", "querylog", "interactive", "log", "user"]
        .iter()
        .map(|n| crate::core::sym::intern(n.as_bytes()))
        .collect();
    let user_keys: Vec<i64> = l.user.iter().map(|(k, _)| crate::core::sym::intern(k.as_bytes())).collect();
    let user = Value::dict(Value::sym_vec(&user_keys)?, Value::list(l.user.iter().map(|(_, v)| Value::str(v.as_bytes())).collect()));
    let values = vec![
        Value::str(l.file.as_bytes()),
        Value::i64(l.port),
        Value::i64(l.cores),
        Value::bool(crate::runtime::switches::timeit()),
        Value::bool(crate::runtime::querylog::enabled()),
        Value::bool(l.interactive),
        Value::str(l.log.as_bytes()),
        user,
    ];
    Ok(Value::dict(Value::sym_vec(&names)?, Value::list(values)))
}

/// `(.time.timer.set ms n f)`: calls lambda `f` every `ms` milliseconds,
/// `n` times (0: until deleted), with `.time.now`; the timer's id.
fn timer_set(args: &[Value]) -> Result<Value> {
    if args.len() != 3 {
        return Err(RayError::domain(".time.timer.set expects 3 arguments"));
    }
    let count = |v: &Value, name: &str| -> Result<u64> {
        if v.type_ != -RAY_I64 {
            return Err(RayError::type_err(format!("{name} must be i64")));
        }
        u64::try_from(v.i64_val()).map_err(|_| RayError::domain(format!("{name} must be non-negative")))
    };
    let ms = count(&args[0], "ms")?;
    let n = count(&args[1], "num")?;
    let f = &args[2];
    if f.type_ != RAY_LAMBDA {
        return Err(RayError::type_err("fn must be a lambda"));
    }
    if crate::lang::eval::lambda_arity(f) != 1 {
        return Err(RayError::domain("fn must accept exactly 1 argument"));
    }
    let id = crate::lang::timers::set(ms, n, f.clone()).map_err(|e| RayError::io(format!(".time.timer.set: {e}")))?;
    Ok(Value::i64(id))
}

/// `(.time.timer.del id)`: cancels timer `id` if it exists; always the
/// null object.
fn timer_del(args: &[Value]) -> Result<Value> {
    if args[0].type_ != -RAY_I64 {
        return Err(RayError::type_err("id must be i64"));
    }
    crate::lang::timers::del(args[0].i64_val());
    Ok(Value::null())
}
