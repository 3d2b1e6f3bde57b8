//! The builtin registry: every builtin family's table, merged once into one
//! indexed list. A builtin object (`Value::builtin`) carries its entry's
//! index, so a call finds its implementation in O(1). Context-free families
//! (`Spec` tables from other files) sit beside evaluator-aware entries
//! (`Imp::Ctx` for map/apply/fold, `Imp::Special` for forms that receive
//! their arguments unevaluated).
//!
//! Builtin object flags (the `attrs` byte): `FLAG_AGGREGATE`,
//! `FLAG_RESTRICTED`, `FLAG_SPECIAL`.
#![forbid(unsafe_code)]

use super::builtins::{self, spec::Spec};
use super::eval::Evaluator;
use crate::abi::*;
use crate::core::{Result, Value, env, sym};
use std::collections::HashMap;
use std::sync::OnceLock;

pub type CtxFn = fn(&mut Evaluator, &[Value]) -> Result<Value>;

#[derive(Clone, Copy)]
pub enum Imp {
    /// Gets evaluated arguments, needs no evaluator.
    Pure(builtins::spec::PureFn),
    /// Gets evaluated arguments and the evaluator (to call functions).
    Ctx(CtxFn),
    /// A special form: gets its argument forms unevaluated.
    Special(CtxFn),
}

/// One registered builtin.
#[derive(Clone, Copy)]
pub struct Entry {
    pub name: &'static str,
    /// `RAY_UNARY` (exactly 1 argument), `RAY_BINARY` (exactly 2) or `RAY_VARY`.
    pub kind: i8,
    pub restricted: bool,
    pub aggregate: bool,
    pub imp: Imp,
}

impl Entry {
    pub const fn ctx(name: &'static str, kind: i8, imp: CtxFn) -> Entry {
        Entry { name, kind, restricted: false, aggregate: false, imp: Imp::Ctx(imp) }
    }
    pub const fn special(name: &'static str, imp: CtxFn) -> Entry {
        Entry { name, kind: RAY_VARY, restricted: false, aggregate: false, imp: Imp::Special(imp) }
    }
    pub const fn pure(name: &'static str, kind: i8, f: builtins::spec::PureFn) -> Entry {
        Entry { name, kind, restricted: false, aggregate: false, imp: Imp::Pure(f) }
    }
    pub const fn agg(name: &'static str, f: builtins::spec::PureFn) -> Entry {
        Entry { name, kind: RAY_UNARY, restricted: false, aggregate: true, imp: Imp::Pure(f) }
    }
    pub const fn restricted(mut self) -> Entry {
        self.restricted = true;
        self
    }
    fn from_spec(s: &Spec) -> Entry {
        let restricted = s.restricted || RESTRICTED.contains(&s.name);
        Entry { name: s.name, kind: s.kind, restricted, aggregate: s.aggregate, imp: Imp::Pure(s.f) }
    }
    pub fn flags(&self) -> u8 {
        let mut f = 0;
        if self.aggregate {
            f |= FLAG_AGGREGATE;
        }
        if self.restricted {
            f |= FLAG_RESTRICTED;
        }
        if matches!(self.imp, Imp::Special(_)) {
            f |= FLAG_SPECIAL;
        }
        f
    }
}

/// Builtins refused on read-only connections whatever their family says
/// (wire.md section 9, plus `alter`, which the reference forgot).
pub const RESTRICTED: &[&str] = &[
    "set", "del", "update", "insert", "upsert", "modify", "alter", "exit", "load", "read", "write", "read-csv",
    "write-csv", ".csv.read", ".csv.write", ".csv.splayed", ".csv.parted", ".db.splayed.set", ".db.parted.fill",
    ".ipc.open", ".ipc.close", ".ipc.send", ".ipc.post", ".repl.connect", ".repl.disconnect", ".sys.exec",
    ".sys.cmd", ".sys.listen", ".sys.querylog.enable", ".os.getenv", ".os.setenv", ".log.open", ".log.close",
    ".log.replay", ".log.roll", ".log.snapshot", ".log.purge", ".time.timer.set", ".time.timer.del", "hnsw-save",
    "hnsw-load",
];

pub const FLAG_AGGREGATE: u8 = 0x01;
pub const FLAG_RESTRICTED: u8 = 0x02;
pub const FLAG_SPECIAL: u8 = 0x04;

pub struct Registry {
    pub entries: Vec<Entry>,
    by_name: HashMap<i64, usize>,
}

/// The evaluator's own families first (they win a name clash), then the
/// context-free families published by the other builtin files.
fn build() -> Registry {
    let own: [&[Entry]; 6] = [
        builtins::control::BUILTINS,
        builtins::arith::BUILTINS,
        builtins::cmp::BUILTINS,
        builtins::agg::BUILTINS,
        builtins::higher::BUILTINS,
        builtins::sys::BUILTINS,
    ];
    let others: [&[Spec]; 7] = [
        builtins::collection::BUILTINS,
        builtins::string::BUILTINS,
        builtins::temporal::BUILTINS,
        builtins::cast::BUILTINS,
        builtins::dict::BUILTINS,
        builtins::table::BUILTINS,
        builtins::ipc::BUILTINS,
    ];
    let mut reg = Registry { entries: Vec::new(), by_name: HashMap::new() };
    let mut add = |e: Entry| {
        let id = sym::intern(e.name.as_bytes());
        if let std::collections::hash_map::Entry::Vacant(slot) = reg.by_name.entry(id) {
            slot.insert(reg.entries.len());
            reg.entries.push(e);
        }
    };
    for fam in own {
        for e in fam {
            add(*e);
        }
    }
    for fam in others {
        for s in fam {
            add(Entry::from_spec(s));
        }
    }
    reg
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(build)
}

impl Registry {
    /// The entry of builtin object `f` (by index, or by name for a decoded
    /// placeholder whose index is -1).
    pub fn entry_of(&self, f: &ray_t) -> Option<(usize, &Entry)> {
        let idx = f.builtin_index();
        if idx >= 0 && (idx as usize) < self.entries.len() {
            let e = &self.entries[idx as usize];
            if sym::find(e.name.as_bytes()) == Some(f.builtin_name_id()) {
                return Some((idx as usize, e));
            }
        }
        self.by_id(f.builtin_name_id())
    }

    /// The entry named by symbol id `id`.
    pub fn by_id(&self, id: i64) -> Option<(usize, &Entry)> {
        self.by_name.get(&id).map(|&i| (i, &self.entries[i]))
    }

    /// A fresh builtin object for entry `i`.
    pub fn object(&self, i: usize) -> Value {
        let e = &self.entries[i];
        Value::builtin(e.kind, sym::intern(e.name.as_bytes()), i as i64, e.flags())
    }

    /// The builtin object named `name`, if registered.
    pub fn lookup(&self, name: &[u8]) -> Option<Value> {
        let id = sym::find(name)?;
        self.by_id(id).map(|(i, _)| self.object(i))
    }
}

/// True when `f` is a builtin object for an aggregate (`sum`, `avg`, ...).
pub fn is_aggregate(f: &ray_t) -> bool {
    f.is_builtin() && registry().entry_of(f).is_some_and(|(_, e)| e.aggregate)
}

/// Binds every builtin (and `null`) in the global environment.
pub fn bind_all() {
    let reg = registry();
    for i in 0..reg.entries.len() {
        let v = reg.object(i);
        env::set(v.builtin_name_id(), v);
    }
    env::set(sym::intern(b"null"), Value::null());
}
