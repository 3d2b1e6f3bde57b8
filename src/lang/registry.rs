//! The builtin registry: every builtin family's descriptor table
//! (`builtins::spec::Builtin` rows), merged once into one indexed list. A
//! builtin object (`Value::builtin`) carries its row's index, so a call
//! finds its implementation in O(1).
//!
//! Families defined in this crate's `lang::builtins` are listed in
//! [`FAMILIES`]. Families defined above `lang` (e.g. the `.ipc.*` builtins,
//! which need the network layer) join with [`register_family`] before the
//! registry is first used. A name must be unique across all families; a
//! duplicate is kept out of the registry and reported by
//! [`Registry::duplicates`] (a test requires that list to be empty).
//!
//! This module owns the merge and the lookups; it must not hold builtin
//! behaviour or trait lists of its own (those live in the rows).
#![forbid(unsafe_code)]

pub use super::builtins::spec::{
    Builtin, CtxFn, FLAG_AGGREGATE, FLAG_CONTEXT, FLAG_RESTRICTED, FLAG_ROW_WISE, FLAG_SPECIAL, Imp, PureFn,
};
use super::builtins;
use crate::abi::*;
use crate::core::{Value, env, sym};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// The families defined inside `lang`, in registration order.
pub const FAMILIES: &[&[Builtin]] = &[
    builtins::control::BUILTINS,
    builtins::arith::BUILTINS,
    builtins::cmp::BUILTINS,
    builtins::agg::BUILTINS,
    builtins::higher::BUILTINS,
    builtins::sys::BUILTINS,
    builtins::collection::BUILTINS,
    builtins::string::BUILTINS,
    builtins::temporal::BUILTINS,
    builtins::cast::BUILTINS,
    builtins::dict::BUILTINS,
    builtins::table::BUILTINS,
    builtins::db::BUILTINS,
    builtins::idx::BUILTINS,
    builtins::attr::BUILTINS,
    builtins::col::BUILTINS,
    builtins::window::BUILTINS,
    builtins::stats::BUILTINS,
    builtins::math::BUILTINS,
    builtins::listfn::BUILTINS,
    builtins::files::BUILTINS,
    builtins::os::BUILTINS,
    builtins::csv::BUILTINS,
    builtins::reshape::BUILTINS,
    builtins::introspect::BUILTINS,
];

/// RayforceDB's registration order (builtins.md Appendix A: `(key (env 0))`
/// on a fresh reference server), namespace entries (`.csv`...) included,
/// and builtins we do not have (datalog, graph, vector search). It fixes:
/// the first symbol ids ([`REFERENCE_FIRST_IDS`] names), the member order
/// of each namespace dict, and the order [`bind_all`] binds names in.
const REFERENCE_ORDER: [&str; 329] = [
    "+", "-", "*", "/", "%", ">", "<", ">=", "<=", "==", "!=", "and", "or", "not", "neg", "round", "floor", "ceil",
    "abs", "sqrt", "log", "exp", "sin", "asin", "cos", "acos", "tan", "atan", "reciprocal", "signum", "pow", "top",
    "bot", "pearson_corr", "cov", "scov", "wsum", "wavg", "quantile", "percentile", "set", "let", "if", "do", "fn",
    "sum", "prod", "all", "any", "count", "avg", "min", "max", "first", "last", "med", "mode", "dev", "stddev",
    "stddev_pop", "dev_pop", "var", "var_pop", "raise", "try", "map", "pmap", "fold", "scan", "prior", "filter",
    "apply", "distinct", "in", "except", "union", "sect", "take", "drop", "rotate", "cut", "cross", "at", "find",
    "reverse", "til", "lag", "lead", "deltas", "ratios", "fills", "sums", "avgs", "mins", "maxs", "prds", "differ",
    "msum", "mavg", "mmin", "mmax", "mcount", "mvar", "mdev", "asc", "desc", "iasc", "idesc", "rank", "xasc",
    "xdesc", "list", "table", "key", "value", "cols", "xcol", "xcols", "xkey", "xgroup", "fkeys", "union-all",
    "select", "window", "update", "insert", "upsert", "xbar", "left-join", "inner-join", "full-join", "anti-join",
    "window-join", "window-join1", "asof-join", "println", "show", "format", "read-csv", "write-csv", ".csv",
    ".csv.read", ".csv.splayed", ".csv.parted", ".csv.write", "as", "type", "read", "write", "load", "exit",
    "resolve", "timeit", "enlist", "dict", "nil?", "where", "group", "concat", "raze", "ungroup", "within", "div",
    "rand", "bin", "binr", "map-left", "map-right", "split", "str-find", "str-join", "upper", "lower", "trim",
    "substr", "replace", "ser", "de", ".db", ".db.splayed.set", ".db.splayed.get", ".db.parted.get",
    ".db.parted.tables", ".db.parted.fill", "guid", "alter", "like", "date", "time", "timestamp", "ss", "hh",
    "minute", "yyyy", "mm", "dd", "dow", "doy", "eval", "parse", "print", "meta", ".sys", ".sys.gc", ".sys.exec",
    ".mem", ".mem.objsize", ".mem.ts", ".sys.cmd", ".sys.timeit", ".sys.listen", ".sys.env", ".sys.args", ".os",
    ".os.getenv", ".os.setenv", ".fs", ".fs.size", ".fs.list", ".ipc", ".ipc.open", ".ipc.close", ".ipc.send",
    ".ipc.post", ".ipc.handle", ".repl", ".repl.connect", ".repl.disconnect", ".log", ".log.open", ".log.write",
    ".log.replay", ".log.validate", ".log.roll", ".log.snapshot", ".log.sync", ".log.close", ".log.purge", "quote",
    "return", "rc", "diverse", "get", "remove", "row", ".time", ".time.now", ".time.timer.set", ".time.timer.del",
    "env", "fold-left", "fold-right", "scan-left", "scan-right", "del", ".sys.build", ".sys.mem", ".sys.prof",
    ".sys.querylog", ".sys.querylog.enable", "modify", "pivot", ".sys.info", "sym-name", "unify", "xrank", "datoms",
    "assert-fact", "retract-fact", "scan-eav", "pull", "rule", "query", "dl-program", "dl-add-edb", "dl-stratify",
    "dl-eval", "dl-query", "dl-provenance", "dl-free", "cos-dist", "inner-prod", "l2-dist", "norm", "knn",
    "hnsw-build", "ann", "hnsw-free", "hnsw-save", "hnsw-load", "hnsw-info", ".idx", ".idx.zone", ".idx.hash",
    ".idx.sort", ".idx.bloom", ".idx.drop", ".idx.has?", ".idx.info", ".attr", ".attr.set", ".attr.get",
    ".attr.drop", ".col", ".col.link", ".col.unlink", ".col.link?", ".col.target", ".graph", ".graph.build",
    ".graph.free", ".graph.info", ".graph.pagerank", ".graph.connected", ".graph.dijkstra", ".graph.louvain",
    ".graph.degree", ".graph.topsort", ".graph.dfs", ".graph.cluster", ".graph.betweenness", ".graph.closeness",
    ".graph.mst", ".graph.random-walk", ".graph.k-shortest", ".graph.shortest-path", ".graph.expand",
    ".graph.var-expand", "strlen",
];

/// How many of [`REFERENCE_ORDER`]'s names RayforceDB interns first, before
/// any family: ids 1..=140 mean what they mean there (`sym-name` of a small
/// id). Later ids are not portable.
const REFERENCE_FIRST_IDS: usize = 140;

/// Families registered from above `lang` with [`register_family`].
static EXTRA_FAMILIES: Mutex<Vec<&'static [Builtin]>> = Mutex::new(Vec::new());

/// Set (under the `EXTRA_FAMILIES` lock) once the registry is being built.
static BUILT: AtomicBool = AtomicBool::new(false);

/// [`register_family`] was called after the registry had been built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadyBuilt;

impl std::fmt::Display for AlreadyBuilt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the builtin registry is already built; register families before the first evaluation")
    }
}

/// Adds a family of builtins defined above `lang` (the runtime/api layer
/// calls this for the `.ipc.*` family) to the registry.
///
/// Must be called before the registry is first built, that is before
/// `runtime::create`, `lang::reset` or the first evaluation; later calls
/// return `Err(AlreadyBuilt)` and change nothing. Registering the same
/// table twice is harmless (the second call is ignored). Names must not
/// clash with any other family's (see [`Registry::duplicates`]).
pub fn register_family(family: &'static [Builtin]) -> Result<(), AlreadyBuilt> {
    let mut extra = EXTRA_FAMILIES.lock().unwrap_or_else(|e| e.into_inner());
    if BUILT.load(Ordering::Acquire) {
        return Err(AlreadyBuilt);
    }
    if !extra.iter().any(|f| std::ptr::eq(*f, family)) {
        extra.push(family);
    }
    Ok(())
}

pub struct Registry {
    pub entries: Vec<Builtin>,
    by_name: HashMap<i64, usize>,
    duplicates: Vec<&'static str>,
}


/// Merges [`FAMILIES`] and the registered families. Holds the family lock
/// while building so that no registration slips in between.
fn build() -> Registry {
    let extra = EXTRA_FAMILIES.lock().unwrap_or_else(|e| e.into_inner());
    BUILT.store(true, Ordering::Release);
    let mut reg = Registry { entries: Vec::new(), by_name: HashMap::new(), duplicates: Vec::new() };
    for name in &REFERENCE_ORDER[..REFERENCE_FIRST_IDS] {
        sym::intern(name.as_bytes());
    }
    for e in FAMILIES.iter().chain(extra.iter()).flat_map(|f| f.iter()) {
        let id = sym::intern(e.name.as_bytes());
        match reg.by_name.entry(id) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(reg.entries.len());
                reg.entries.push(*e);
            }
            std::collections::hash_map::Entry::Occupied(_) => reg.duplicates.push(e.name),
        }
    }
    crate::query::install_builtin_traits(call_traits);
    reg
}

/// The query engine's view of the builtin named by symbol id `id`.
fn call_traits(id: i64) -> crate::query::CallTraits {
    match registry().by_id(id) {
        Some((_, b)) => crate::query::CallTraits {
            aggregate: b.is_aggregate(),
            row_wise: b.is_row_wise(),
            grouped: b.grouped,
            uniform: b.uniform,
        },
        None => crate::query::CallTraits::default(),
    }
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(build)
}

impl Registry {
    /// The entry of builtin object `f` (by index, or by name for a decoded
    /// placeholder whose index is -1).
    pub fn entry_of(&self, f: &ray_t) -> Option<(usize, &Builtin)> {
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
    pub fn by_id(&self, id: i64) -> Option<(usize, &Builtin)> {
        self.by_name.get(&id).map(|&i| (i, &self.entries[i]))
    }

    /// A fresh builtin object for entry `i`.
    pub fn object(&self, i: usize) -> Value {
        let e = &self.entries[i];
        Value::builtin(e.kind, sym::intern(e.name.as_bytes()), i as i64, e.object_flags())
    }

    /// Names defined by more than one family (only the first is registered).
    pub fn duplicates(&self) -> &[&'static str] {
        &self.duplicates
    }

    /// The namespace `name` (`.sys`, `.time`...) as the reference binds
    /// it: a dict of its members in registration order, `SYM` keys and a
    /// LIST of values, a deeper level as a nested dict (which replaces a
    /// member of the same name: `.sys.querylog` holds `enable`). None when
    /// no builtin lives under `name`.
    pub fn namespace(&self, name: &[u8]) -> Option<Value> {
        enum Node {
            Leaf(usize),
            Dict(Vec<(&'static [u8], Node)>),
        }
        fn insert(level: &mut Vec<(&'static [u8], Node)>, path: &[&'static [u8]], entry: usize) {
            let (head, rest) = (path[0], &path[1..]);
            let at = match level.iter().position(|(k, _)| *k == head) {
                Some(i) => i,
                None => {
                    level.push((head, if rest.is_empty() { Node::Leaf(entry) } else { Node::Dict(Vec::new()) }));
                    level.len() - 1
                }
            };
            if rest.is_empty() {
                return;
            }
            if matches!(level[at].1, Node::Leaf(_)) {
                level[at].1 = Node::Dict(Vec::new());
            }
            if let Node::Dict(inner) = &mut level[at].1 {
                insert(inner, rest, entry);
            }
        }
        fn to_value(reg: &Registry, level: &[(&'static [u8], Node)]) -> Value {
            let keys: Vec<i64> = level.iter().map(|(k, _)| sym::intern(k)).collect();
            let vals = level
                .iter()
                .map(|(_, n)| match n {
                    Node::Leaf(i) => reg.object(*i),
                    Node::Dict(inner) => to_value(reg, inner),
                })
                .collect();
            Value::dict(Value::sym_vec(&keys).unwrap_or_else(|_| Value::null()), Value::list(vals))
        }
        let mut top = Vec::new();
        for i in self.in_reference_order() {
            let full = self.entries[i].name.as_bytes();
            if let Some(rest) = full.strip_prefix(name).and_then(|r| r.strip_prefix(b".")) {
                let path: Vec<&'static [u8]> = rest.split(|&c| c == b'.').collect();
                if path.iter().all(|p| !p.is_empty()) {
                    insert(&mut top, &path, i);
                }
            }
        }
        (!top.is_empty()).then(|| to_value(self, &top))
    }

    /// Entry indexes in the reference's registration order; names the
    /// reference lacks follow in our registration order.
    fn in_reference_order(&self) -> Vec<usize> {
        let rank = |i: &usize| REFERENCE_ORDER.iter().position(|n| *n == self.entries[*i].name).unwrap_or(usize::MAX);
        let mut all: Vec<usize> = (0..self.entries.len()).collect();
        all.sort_by_key(rank);
        all
    }

    /// The builtin object named `name`, if registered.
    pub fn lookup(&self, name: &[u8]) -> Option<Value> {
        let id = sym::find(name)?;
        self.by_id(id).map(|(i, _)| self.object(i))
    }
}

/// Binds every builtin in the global environment, in the
/// reference's order: each top-level namespace (`.sys`, a dict of its
/// members) just before its first member, our own names last.
pub fn bind_all() {
    let reg = registry();
    let mut bound_namespaces: Vec<&[u8]> = Vec::new();
    let mut pairs: Vec<(i64, Value)> = Vec::with_capacity(reg.entries.len() + 16);
    for i in reg.in_reference_order() {
        let name = reg.entries[i].name.as_bytes();
        if let Some(ns) = top_namespace(name).filter(|ns| !bound_namespaces.contains(ns)) {
            bound_namespaces.push(ns);
            if let Some(dict) = reg.namespace(ns) {
                pairs.push((sym::intern(ns), dict));
            }
        }
        let v = reg.object(i);
        pairs.push((v.builtin_name_id(), v));
    }
    // One step: a global set by another thread meanwhile lands after them all.
    env::set_many(pairs);
}

/// `.sys` for `.sys.querylog.enable`; None for a name outside namespaces.
fn top_namespace(name: &[u8]) -> Option<&[u8]> {
    let rest = name.strip_prefix(b".")?;
    let dot = rest.iter().position(|&c| c == b'.')?;
    Some(&name[..dot + 1])
}
