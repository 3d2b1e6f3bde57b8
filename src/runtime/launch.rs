//! How the process was started, for `(.sys.args)`: the script, the port, `-c`,
//! the journal base, `-i`, and the application arguments after `--`. The
//! `rayforce` binary records them once at start; a library embedding
//! answers the defaults (empty, 0, false).

use std::sync::Mutex;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Launch {
    pub file: String,
    pub port: i64,
    /// `-c N` as given (0: automatic).
    pub cores: i64,
    pub log: String,
    pub interactive: bool,
    /// `-key value` pairs given after `--`, in order.
    pub user: Vec<(String, String)>,
}

static LAUNCH: Mutex<Option<Launch>> = Mutex::new(None);

pub fn set(launch: Launch) {
    *LAUNCH.lock().unwrap_or_else(|e| e.into_inner()) = Some(launch);
}

pub fn get() -> Launch {
    LAUNCH.lock().unwrap_or_else(|e| e.into_inner()).clone().unwrap_or_default()
}

/// The application arguments after `--` as RayforceDB reads them: each
/// `-key` takes the next argument as its value; other words are skipped.
pub fn user_pairs(args: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].strip_prefix('-').filter(|k| !k.is_empty()) {
            Some(key) => {
                out.push((key.to_string(), args.get(i + 1).cloned().unwrap_or_default()));
                i += 2;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_keys_take_the_next_word() {
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(user_pairs(&words("a b")), vec![]);
        assert_eq!(
            user_pairs(&words("-x 1 -y 2")),
            vec![("x".to_string(), "1".to_string()), ("y".to_string(), "2".to_string())]
        );
        assert_eq!(user_pairs(&words("-x")), vec![("x".to_string(), String::new())]);
    }
}
