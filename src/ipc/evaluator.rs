//! The evaluator as the transport's [`Handler`]: a request payload is
//! evaluated by `lang::eval_request`, hooks are the lambdas bound to
//! `.ipc.on.auth/open/close/sync/async`, truthiness and cancel scoping are
//! the language's own. Must not: decide when a hook runs (the transport
//! does).

use crate::abi::RAY_LAMBDA;
use crate::core::{Result, Value, env, sym};
use crate::lang::{self, RequestCtx, eval::Evaluator, limits};
use crate::net::handler::LogTicket;
use crate::net::{Caller, Handler, Hook};
use crate::proto::header::Header;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The `Handler` the runtime installs.
pub struct LangHandler;

fn ctx(caller: Caller) -> RequestCtx {
    RequestCtx { restricted: caller.restricted, handle: caller.handle }
}

/// The global a hook is bound to.
const HOOK_NAMES: [&str; 5] = [".ipc.on.auth", ".ipc.on.open", ".ipc.on.close", ".ipc.on.sync", ".ipc.on.async"];

fn hook_index(hook: Hook) -> usize {
    match hook {
        Hook::Auth => 0,
        Hook::Open => 1,
        Hook::Close => 2,
        Hook::Sync => 3,
        Hook::Async => 4,
    }
}

thread_local! {
    /// This thread's copy of the hook names' symbol ids, with the symbol
    /// table generation they belong to (requests look hooks up every time).
    static HOOK_IDS: std::cell::Cell<(u64, [i64; 5])> = const { std::cell::Cell::new((0, [0; 5])) };
}

fn hook_id(hook: Hook) -> i64 {
    let index = hook_index(hook);
    let generation = sym::generation();
    HOOK_IDS.with(|cell| {
        let (g, ids) = cell.get();
        if g == generation {
            return ids[index];
        }
        let ids = HOOK_NAMES.map(|n| sym::intern(n.as_bytes()));
        cell.set((generation, ids));
        ids[index]
    })
}

impl Handler for LangHandler {
    fn evaluate(&self, payload: &Value, caller: Caller) -> Result<Value> {
        lang::eval_request(payload, ctx(caller))
    }

    /// A lambda bound to the hook's name; anything else means "no hook".
    fn hook(&self, hook: Hook) -> Option<Value> {
        env::get(hook_id(hook)).filter(|v| v.type_() == RAY_LAMBDA)
    }

    fn call(&self, f: &Value, args: Vec<Value>, caller: Caller) -> Result<Value> {
        let v = Evaluator::new(ctx(caller)).apply(f, args)?;
        crate::store::parted::materialize(&v)
    }

    fn log_request(&self, header: &Header, payload: &[u8], caller: Caller) -> Result<Option<LogTicket>> {
        crate::journal::log_request(header, payload, caller.restricted)
    }

    fn await_durable(&self, ticket: LogTicket) -> Result<()> {
        crate::journal::await_durable(Some(ticket))
    }

    fn truthy(&self, v: &Value) -> bool {
        crate::ops::truthy(v)
    }

    fn with_cancel(&self, flag: &Arc<AtomicBool>, f: &mut dyn FnMut()) {
        limits::with_request_cancel(flag, f)
    }

    fn cancel_requested(&self) -> bool {
        limits::cancel_requested()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_is_the_languages() {
        let h = LangHandler;
        assert!(!h.truthy(&Value::f64(0.0)));
        assert!(h.truthy(&Value::f64(0.5)));
        assert!(!h.truthy(&Value::i64(0)));
        assert!(h.truthy(&Value::bool(true)));
        assert!(!h.truthy(&Value::null()));
    }

    #[test]
    fn every_hook_has_its_own_name() {
        let all = [Hook::Auth, Hook::Open, Hook::Close, Hook::Sync, Hook::Async];
        let names: std::collections::HashSet<_> = all.iter().map(|h| HOOK_NAMES[hook_index(*h)]).collect();
        assert_eq!(names.len(), 5);
    }
}
