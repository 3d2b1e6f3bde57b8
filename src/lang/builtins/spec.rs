//! The builtin descriptor: the one row that says everything the engine
//! knows about a builtin (its name, how many arguments it takes, how it is
//! implemented, its flags and the grouped kernel a select may run for it).
//! Every builtin family publishes a `BUILTINS: &[Builtin]` table of these
//! rows; `lang::registry` merges the tables into one indexed list.
//!
//! This module owns the row's shape only; it must not hold behaviour. The
//! evaluator (`lang::eval`) checks arity and restriction from these rows,
//! and the query engine reads the aggregate/row-wise flags and the grouped
//! kernel through the hook that `lang::registry` installs in `crate::query`.
#![forbid(unsafe_code)]

use crate::abi::{RAY_BINARY, RAY_UNARY, RAY_VARY};
use crate::core::{Result, Value};
use crate::lang::eval::Evaluator;
use crate::query::Agg;

/// A builtin that needs no evaluator context: it gets evaluated arguments.
pub type PureFn = fn(&[Value]) -> Result<Value>;
/// A builtin that gets the evaluator (to call functions, read the request).
pub type CtxFn = fn(&mut Evaluator, &[Value]) -> Result<Value>;

/// How a builtin is implemented.
#[derive(Clone, Copy)]
pub enum Imp {
    /// A pure function of its evaluated arguments.
    Pure(PureFn),
    /// Gets evaluated arguments and the evaluator (to call functions).
    Ctx(CtxFn),
    /// A special form: gets its argument forms unevaluated.
    Special(CtxFn),
}

/// Collapses a column to one value (`sum`, `avg`, ...): select collapses to one row.
pub const FLAG_AGGREGATE: u8 = 0x01;
/// Refused on read-only (`-U`) connections with `access`.
pub const FLAG_RESTRICTED: u8 = 0x02;
/// A special form (arguments unevaluated). Derived from [`Imp::Special`].
pub const FLAG_SPECIAL: u8 = 0x04;
/// Works element by element and broadcasts atoms, so applying it per group
/// equals applying it once over the whole column and splitting after.
pub const FLAG_ROW_WISE: u8 = 0x08;
/// Needs the evaluator (to call functions or read the request). Derived
/// from [`Imp::Ctx`] / [`Imp::Special`].
pub const FLAG_CONTEXT: u8 = 0x10;

/// One builtin: a row of a family's `BUILTINS` table.
#[derive(Clone, Copy)]
pub struct Builtin {
    /// The Rayfall name (`"til"`, `"str-join"`, ...); unique across all families.
    pub name: &'static str,
    /// `RAY_UNARY` (exactly 1 argument), `RAY_BINARY` (exactly 2) or
    /// `RAY_VARY` (between `min_args` and `max_args`).
    pub kind: i8,
    /// Fewest arguments a `RAY_VARY` builtin takes (checked by the evaluator).
    pub min_args: u8,
    /// Most arguments a `RAY_VARY` builtin takes (`u8::MAX`: no limit).
    pub max_args: u8,
    pub imp: Imp,
    /// The declared flags: `FLAG_RESTRICTED`, `FLAG_AGGREGATE`, `FLAG_ROW_WISE`.
    pub flags: u8,
    /// The kernel a grouped select runs directly over group ids for a call
    /// `(name column)`, when there is one.
    pub grouped: Option<Agg>,
    /// Length-preserving but order-dependent (`msum`, `lag`, `sums`, ...):
    /// in a `select`/`update` with `where:` and no `by:` it runs over the
    /// whole column and the filter is applied to its result (builtins.md 0.4).
    pub uniform: bool,
    /// Takes a partitioned table (`store::parted`) as it is; every other
    /// builtin receives such an argument materialized by the evaluator.
    pub accepts_parted: bool,
}

impl Builtin {
    const fn new(name: &'static str, kind: i8, imp: Imp) -> Builtin {
        let (min_args, max_args) = match kind {
            RAY_UNARY => (1, 1),
            RAY_BINARY => (2, 2),
            _ => (0, u8::MAX),
        };
        Builtin { name, kind, min_args, max_args, imp, flags: 0, grouped: None, uniform: false, accepts_parted: false }
    }
    /// A pure function of its evaluated arguments.
    pub const fn pure(name: &'static str, kind: i8, f: PureFn) -> Builtin {
        Builtin::new(name, kind, Imp::Pure(f))
    }
    /// A function that also gets the evaluator.
    pub const fn ctx(name: &'static str, kind: i8, f: CtxFn) -> Builtin {
        Builtin::new(name, kind, Imp::Ctx(f))
    }
    /// A special form: gets its argument forms unevaluated.
    pub const fn special(name: &'static str, f: CtxFn) -> Builtin {
        Builtin::new(name, RAY_VARY, Imp::Special(f))
    }
    /// A unary aggregate.
    pub const fn agg(name: &'static str, f: PureFn) -> Builtin {
        Builtin::pure(name, RAY_UNARY, f).flag(FLAG_AGGREGATE)
    }
    /// Collapses its column arguments to one value (any arity).
    pub const fn aggregate(self) -> Builtin {
        self.flag(FLAG_AGGREGATE)
    }
    /// Takes between `min` and `max` arguments (`RAY_VARY` rows only).
    pub const fn args(mut self, min: u8, max: u8) -> Builtin {
        assert!(self.kind == RAY_VARY, "only RAY_VARY builtins take a range of arguments");
        self.min_args = min;
        self.max_args = max;
        self
    }
    /// Refused on read-only connections.
    pub const fn restricted(self) -> Builtin {
        self.flag(FLAG_RESTRICTED)
    }
    /// Element-wise (see [`FLAG_ROW_WISE`]).
    pub const fn row_wise(self) -> Builtin {
        self.flag(FLAG_ROW_WISE)
    }
    /// Order-dependent and length-preserving (see [`Builtin::uniform`]).
    pub const fn uniform(mut self) -> Builtin {
        self.uniform = true;
        self
    }
    /// Receives partitioned tables unmaterialized (see [`Builtin::accepts_parted`]).
    pub const fn accepts_parted(mut self) -> Builtin {
        self.accepts_parted = true;
        self
    }
    /// Select computes `(name column)` per group with `kernel` directly.
    pub const fn grouped(mut self, kernel: Agg) -> Builtin {
        self.grouped = Some(kernel);
        self
    }
    const fn flag(mut self, f: u8) -> Builtin {
        self.flags |= f;
        self
    }

    pub fn is_restricted(&self) -> bool {
        self.flags & FLAG_RESTRICTED != 0
    }
    pub fn is_aggregate(&self) -> bool {
        self.flags & FLAG_AGGREGATE != 0
    }
    pub fn is_row_wise(&self) -> bool {
        self.flags & FLAG_ROW_WISE != 0
    }
    /// True when the implementation needs the evaluator.
    pub fn needs_context(&self) -> bool {
        !matches!(self.imp, Imp::Pure(_))
    }
    /// The attrs byte of this builtin's function object: the declared flags
    /// plus those derived from the implementation kind.
    pub fn object_flags(&self) -> u8 {
        let mut f = self.flags;
        if self.needs_context() {
            f |= FLAG_CONTEXT;
        }
        if matches!(self.imp, Imp::Special(_)) {
            f |= FLAG_SPECIAL;
        }
        f
    }
}

