//! `.time.timer.set` / `.time.timer.del` (builtins.md 11): a lambda called
//! every `ms` milliseconds, `n` times or until deleted, with `.time.now`;
//! argument errors worded as the reference's (captured from it).
#[path = "support/eval.rs"]
mod eval;
use eval::{ev, text_msg};
use std::time::{Duration, Instant};

/// Waits (at most 10 s) until `src` answers `want`.
fn wait_for(src: &str, want: &str) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if text_msg(src) == want {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn a_timer_calls_its_lambda_n_times_with_the_clock() {
    ev("(set TimerTicks 0)").unwrap();
    ev("(set TimerArgs (list))").unwrap();
    let before: i64 = text_msg("(.time.now)").parse().unwrap();
    let id: i64 = text_msg("(.time.timer.set 5 3 (fn [t] (set TimerTicks (+ TimerTicks 1)) (set TimerArgs (concat TimerArgs t))))").parse().unwrap();
    assert!(id >= 0);
    assert!(wait_for("TimerTicks", "3"), "three calls, got {}", text_msg("TimerTicks"));
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(text_msg("TimerTicks"), "3", "no fourth call");
    let args: Vec<i64> = text_msg("TimerArgs").trim_matches(['(', ')']).split(' ').map(|x| x.parse().unwrap()).collect();
    assert_eq!(args.len(), 3);
    assert!(args[0] >= before + 5 && args.windows(2).all(|w| w[1] >= w[0]), "{args:?} after {before}");
}

#[test]
fn a_deleted_timer_stops_and_an_error_does_not_stop_the_others() {
    ev("(set TimerForever 0)").unwrap();
    let id = text_msg("(.time.timer.set 2 0 (fn [t] (set TimerForever (+ TimerForever 1))))");
    text_msg("(.time.timer.set 2 2 (fn [t] (+ t 'a)))");
    assert!(wait_for("(> TimerForever 5)", "true"));
    assert_eq!(text_msg(&format!("(.time.timer.del {id})")), "");
    // A call already running when del came may still finish.
    std::thread::sleep(Duration::from_millis(100));
    let stopped = text_msg("TimerForever");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(text_msg("TimerForever"), stopped, "no call after del");
    assert_eq!(text_msg("(.time.timer.del 123456)"), "", "an unknown id is no error");
}

#[test]
fn timer_arguments_are_checked_as_the_reference_checks_them() {
    let cases = [
        ("(.time.timer.set 1 -1 (fn [x] x))", "error: domain: num must be non-negative"),
        ("(.time.timer.set 1 1.5 (fn [x] x))", "error: type: num must be i64"),
        ("(.time.timer.set 1i 1 (fn [x] x))", "error: type: ms must be i64"),
        ("(.time.timer.set 1 1)", "error: domain: .time.timer.set expects 3 arguments"),
        ("(.time.timer.set 1 1 2)", "error: type: fn must be a lambda"),
        ("(.time.timer.set -1 1 (fn [x] x))", "error: domain: ms must be non-negative"),
        ("(.time.timer.set 1 1 (fn [x y] x))", "error: domain: fn must accept exactly 1 argument"),
        ("(.time.timer.set 1 1 +)", "error: type: fn must be a lambda"),
        ("(.time.timer.del 1.5)", "error: type: id must be i64"),
    ];
    for (src, want) in cases {
        assert_eq!(text_msg(src), want, "{src}");
    }
}
