//! Builtins: the process's environment and shell (storage.md section 6):
//! `.os.getenv`, `.os.setenv`, `.sys.exec`, `.sys.cmd`. All four are
//! refused on read-only connections.
//!
//! `.sys.cmd` runs a REPL command line: `env` counts the global bindings,
//! `timeit`/`t` and `listen` call the `.sys.timeit` and `.sys.listen`
//! builtins with the line's number, the REPL's own commands (`help ? clear
//! q quit`) are refused, and any other line goes to the shell.
//!
//! This module owns argument checks, the command table and error wording;
//! the environment and the shell themselves are `runtime::os`.
#![forbid(unsafe_code)]

use crate::abi::*;
use crate::core::{RayError, Result, Value, env};
use crate::lang::eval::Evaluator;
use crate::lang::registry::{Builtin, registry};
use crate::runtime::os;

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".os.getenv", RAY_UNARY, getenv).restricted(),
    Builtin::pure(".os.setenv", RAY_BINARY, setenv).restricted(),
    Builtin::pure(".sys.exec", RAY_UNARY, exec).restricted(),
    Builtin::ctx(".sys.cmd", RAY_UNARY, cmd).restricted(),
];

/// Environment variable names are 1..255 bytes.
const MAX_ENV_NAME: usize = 256;
/// Environment values are at most 4095 bytes.
const MAX_ENV_VALUE: usize = 4096;

fn str_bytes(v: &Value) -> Option<&[u8]> {
    (v.type_ == -RAY_STR).then(|| v.str_bytes())
}

/// A variable name of 1..255 bytes, else `domain`.
fn env_name<'a>(name: &'a [u8], who: &str) -> Result<&'a [u8]> {
    if name.is_empty() || name.len() >= MAX_ENV_NAME {
        return Err(RayError::domain(format!("{who} name is empty or too long, got {} bytes", name.len())));
    }
    Ok(name)
}

/// `(.os.getenv NAME)`: the variable's value, `""` when unset.
fn getenv(args: &[Value]) -> Result<Value> {
    let name = str_bytes(&args[0]).ok_or_else(|| RayError::type_err("getenv expects a string"))?;
    let name = env_name(name, ".os.getenv")?;
    Value::try_str(&os::get_env(name).unwrap_or_default())
}

/// `(.os.setenv NAME VALUE)`: sets the variable and returns VALUE. A name
/// with `=` or NUL, or a value with NUL, cannot be set: `domain` (the
/// reference ignores the failure and returns VALUE).
fn setenv(args: &[Value]) -> Result<Value> {
    let two_strings = || RayError::type_err("setenv expects two strings");
    let (Some(name), Some(value)) = (str_bytes(&args[0]), str_bytes(&args[1])) else {
        return Err(two_strings());
    };
    let name = env_name(name, ".os.setenv")?;
    if value.len() >= MAX_ENV_VALUE {
        return Err(RayError::range(format!(".os.setenv value is too long, got {} bytes", value.len())));
    }
    os::set_env(name, value).map_err(|_| {
        RayError::domain(format!(".os.setenv cannot set {:?}: a name holds no '=' or NUL, a value no NUL", String::from_utf8_lossy(name)))
    })?;
    Ok(args[1].clone())
}

/// Runs `line` (up to its first NUL) through `/bin/sh -c`; the raw wait status.
fn shell(line: &[u8]) -> Result<Value> {
    let end = line.iter().position(|&c| c == 0).unwrap_or(line.len());
    os::shell(&line[..end])
        .map(Value::i64)
        .map_err(|e| RayError::io(format!("/bin/sh: {}", crate::store::whole_file::reason(&e))))
}

/// `(.sys.exec CMD)`: runs CMD in the shell, output not captured; returns
/// the raw wait status (`exit 3` gives 768), as the reference does.
fn exec(args: &[Value]) -> Result<Value> {
    shell(str_bytes(&args[0]).ok_or_else(|| RayError::type_err("system expects a string"))?)
}

/// The REPL commands `.sys.cmd` knows; any other first word is a shell command.
enum Command {
    ReplOnly,
    Env,
    Timeit,
    Listen,
}

fn command(word: &[u8]) -> Option<Command> {
    Some(match word {
        b"help" | b"?" | b"clear" | b"q" | b"quit" => Command::ReplOnly,
        b"env" => Command::Env,
        b"timeit" | b"t" => Command::Timeit,
        b"listen" => Command::Listen,
        _ => return None,
    })
}

/// `(.sys.cmd LINE)`: see the module doc. Errors: not a STR `type`, a
/// blank line or a REPL-only command `domain`.
fn cmd(ev: &mut Evaluator, args: &[Value]) -> Result<Value> {
    let line = str_bytes(&args[0]).ok_or_else(|| RayError::type_err(".sys.cmd expects a string"))?;
    let trimmed = trim_start(line);
    if trimmed.is_empty() {
        return Err(RayError::domain("empty command"));
    }
    let word_end = trimmed.iter().position(|c| c.is_ascii_whitespace()).unwrap_or(trimmed.len());
    let rest = trim_start(&trimmed[word_end..]);
    match command(&trimmed[..word_end]) {
        None => shell(line),
        Some(Command::ReplOnly) => Err(RayError::domain("command is REPL-only")),
        Some(Command::Env) => Ok(Value::i64(env::count() as i64)),
        Some(Command::Timeit) => {
            if rest.is_empty() {
                return call_builtin(ev, ".sys.timeit", vec![]);
            }
            let n = leading_int(rest).ok_or_else(|| RayError::type_err(":t expects an integer (0 = off, 1 = on)"))?;
            call_builtin(ev, ".sys.timeit", vec![Value::i64(n)])
        }
        Some(Command::Listen) => {
            let port = leading_int(rest).ok_or_else(|| RayError::type_err("listen expects a port number"))?;
            call_builtin(ev, ".sys.listen", vec![Value::i64(port)])
        }
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(s.len());
    &s[start..]
}

/// The integer at the start of `s` as C `strtol` reads it: an optional
/// sign then decimal digits, the rest ignored (`"1.5"` is 1); None without
/// digits. Saturates instead of overflowing.
fn leading_int(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let magnitude = digits[..n].iter().fold(0i64, |acc, &c| acc.saturating_mul(10).saturating_add(i64::from(c - b'0')));
    Some(if negative { -magnitude } else { magnitude })
}

/// Calls the builtin registered as `name` (owned by another family).
fn call_builtin(ev: &mut Evaluator, name: &str, args: Vec<Value>) -> Result<Value> {
    let f = registry()
        .lookup(name.as_bytes())
        .ok_or_else(|| RayError::new("nyi", format!("{name} is not available in this build")))?;
    ev.apply(&f, args)
}

#[cfg(test)]
mod tests {
    use super::leading_int;

    #[test]
    fn leading_int_reads_like_strtol() {
        assert_eq!(leading_int(b"1.5"), Some(1));
        assert_eq!(leading_int(b"0x"), Some(0));
        assert_eq!(leading_int(b"+1"), Some(1));
        assert_eq!(leading_int(b"-5"), Some(-5));
        assert_eq!(leading_int(b"47125x"), Some(47125));
        assert_eq!(leading_int(b"99999999999999999999999"), Some(i64::MAX));
        assert_eq!(leading_int(b"abc"), None);
        assert_eq!(leading_int(b"-"), None);
        assert_eq!(leading_int(b""), None);
    }
}
