//! The process's environment variables and shell, as the `.os.*` and
//! `.sys.exec` builtins reach them. This module owns the one unsafe call
//! that changes the environment and the wait status a shell command
//! returns; argument checks and error wording belong to the builtins.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;

/// The value of environment variable `name`, if set. A name the OS cannot
/// hold (`=` or NUL inside) is never set.
pub fn get_env(name: &[u8]) -> Option<Vec<u8>> {
    if !valid_env_name(name) {
        return None;
    }
    std::env::var_os(OsStr::from_bytes(name)).map(|v| v.as_bytes().to_vec())
}

/// True when `name` can name an environment variable: non-empty, no `=`,
/// no NUL.
pub fn valid_env_name(name: &[u8]) -> bool {
    !name.is_empty() && !name.contains(&b'=') && !name.contains(&0)
}

/// Sets environment variable `name` to `value` (overwriting). Fails with
/// `InvalidInput` for a name [`valid_env_name`] refuses or a value holding
/// a NUL byte.
pub fn set_env(name: &[u8], value: &[u8]) -> io::Result<()> {
    if !valid_env_name(name) || value.contains(&0) {
        return Err(io::ErrorKind::InvalidInput.into());
    }
    // SAFETY: std serialises its own environment reads and writes with a
    // lock; the remaining hazard is C code calling getenv on another thread
    // at this instant. The runtime's own threads read the environment only
    // through std, and the reference makes the same setenv call.
    unsafe { std::env::set_var(OsStr::from_bytes(name), OsStr::from_bytes(value)) };
    Ok(())
}

/// Runs `command` with `sh -c` (`/bin/sh`, named `sh` as `system()` names it), inheriting stdin, stdout and stderr,
/// and returns the raw wait status (`exit 3` gives 768), as C `system()`
/// does. Output written to Rust's stdout is flushed first so it keeps its
/// place before the command's.
pub fn shell(command: &[u8]) -> io::Result<i64> {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let status = Command::new("/bin/sh").arg0("sh").arg("-c").arg(OsStr::from_bytes(command)).status()?;
    Ok(i64::from(status.into_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_returns_the_raw_wait_status() {
        assert_eq!(shell(b"exit 3").unwrap(), 768);
        assert_eq!(shell(b"true").unwrap(), 0);
        assert_eq!(shell(b"").unwrap(), 0);
    }

    #[test]
    fn environment_round_trip_and_invalid_names() {
        set_env(b"RAYFORCE_OS_TEST_VAR", b"v1").unwrap();
        assert_eq!(get_env(b"RAYFORCE_OS_TEST_VAR").as_deref(), Some(&b"v1"[..]));
        assert!(set_env(b"A=B", b"x").is_err());
        assert!(set_env(b"X", b"a\0b").is_err());
        assert_eq!(get_env(b"A=B"), None);
        assert_eq!(get_env(b""), None);
    }
}
