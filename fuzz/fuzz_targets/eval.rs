//! Evaluator target: any text evaluated as a read-only client's request
//! (restricted: no `set`, no `exit`, no file or system access) under an
//! operation budget must answer a value or an error object: never a panic,
//! a hang or unbounded memory. Results are formatted, as the REPL would.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::eval(data));
