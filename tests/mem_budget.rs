//! The memory budget (issue 19): past it every oversized request fails with
//! the "oom" error naming the budget, the failed allocation leaks nothing,
//! and small requests keep working. One test process, one test: the budget
//! is process-wide.
use rayforce::core::alloc::{budget, bytes_in_use, set_budget};
use rayforce::lang::{self, RequestCtx, format};

fn ev(src: &str) -> Result<String, (String, String)> {
    match lang::eval_str(src, RequestCtx::default()) {
        Ok(v) => Ok(format(&v, 0)),
        Err(e) => Err((e.code_str().to_string(), e.message().unwrap_or("").to_string())),
    }
}

#[test]
fn oversized_requests_fail_with_oom_and_leak_nothing() {
    rayforce::ipc::install();
    assert!(budget() > 0, "a default budget is set");
    // Globals the oversized queries read: built before the budget shrinks.
    ev("(set big (til 10000000))").unwrap();
    ev("(set s (take \"abcdefgh\" 40000000))").unwrap();
    ev("(set t (table [k v] (list (% big 1000) big)))").unwrap();
    let limit = bytes_in_use() + (64 << 20);
    set_budget(limit);
    assert_eq!(budget(), limit);
    assert_eq!(ev("(+ 1 2)"), Ok("3".into()));
    let mut before = bytes_in_use();
    for q in [
        "(til 100000000)",
        "(+ 1.0 (til 20000000))",
        "(asc big)",
        "(select {s: (sum v) from: t by: k})",
        "(concat s s)",
        "(raze (map (fn [x] big) (til 100)))",
        // Millions of atoms, each small: the constructors that cannot
        // report failure unwind to the request boundary.
        "(count (map (fn [x] x) big))",
    ] {
        // Twice: the first run may leave the parsed text in the parse cache.
        for round in 0..2 {
            let (code, msg) = ev(q).expect_err(q);
            assert_eq!(code, "oom", "{q}: {msg}");
            assert!(msg.contains("exceeds the memory budget ("), "{q}: {msg}");
            assert_eq!(ev("(sum (til 1000))"), Ok("499500".into()), "after {q}");
            let used = bytes_in_use();
            assert!(used < before + (64 << 10), "{q} leaked {} bytes", used - before);
            if round == 0 {
                before = used;
            } else {
                assert_eq!(used, before, "{q} leaked on its second run");
            }
        }
    }
    // Through the C API: a constructor that cannot report failure (here the
    // symbol's name atom) unwinds to the export's guard, which answers the
    // static "oom" error, not "panic", and keeps the refusal as the thread's
    // message.
    let id = rayforce::core::sym::intern(b"a symbol name longer than any inline atom");
    set_budget(1);
    let got = rayforce::ffi::sym::ray_sym_str(id);
    let msg = unsafe { std::ffi::CStr::from_ptr(rayforce::ffi::error::ray_error_msg()) }.to_string_lossy().into_owned();
    set_budget(limit);
    assert_eq!(got, rayforce::core::statics::oom_ptr(), "the static oom error");
    assert!(msg.starts_with("oom: allocation of ") && msg.contains("exceeds the memory budget"), "{msg}");
    let name = rayforce::ffi::sym::ray_sym_str(id);
    assert_eq!(unsafe { (*name).type_ }, -rayforce::abi::RAY_STR, "answers once memory is back");
    set_budget(0);
    assert_eq!(ev("(count (til 20000000))"), Ok("20000000".into()), "0 lifts the budget");
}
