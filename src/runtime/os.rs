//! The process's environment variables and shell, as the `.os.*` and
//! `.sys.exec` builtins reach them. This module owns the unsafe calls
//! that change the environment and read the page size and the wait status a shell command
//! returns, and the machine and memory figures `.sys.info`/`.sys.mem`
//! report; argument checks and error wording belong to the builtins.

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

/// The system page size in bytes.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

/// This process's memory as the kernel counts it, in bytes.
#[derive(Default, Debug, Clone, Copy)]
pub struct MemoryStatus {
    pub rss: i64,
    pub rss_peak: i64,
    pub mapped: i64,
    pub mapped_peak: i64,
    pub anon: i64,
}

/// Reads `/proc/self/status` (all zero where it is not available).
pub fn memory_status() -> MemoryStatus {
    let mut m = MemoryStatus::default();
    let Ok(text) = std::fs::read_to_string("/proc/self/status") else { return m };
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(key), Some(kb)) = (parts.next(), parts.next().and_then(|v| v.parse::<i64>().ok())) else { continue };
        let slot = match key {
            "VmRSS:" => &mut m.rss,
            "VmHWM:" => &mut m.rss_peak,
            "VmSize:" => &mut m.mapped,
            "VmPeak:" => &mut m.mapped_peak,
            "RssAnon:" => &mut m.anon,
            _ => continue,
        };
        *slot = kb.saturating_mul(1024);
    }
    m
}

/// Milliseconds of the system's monotonic clock (CLOCK_MONOTONIC: since
/// boot on Linux, as the reference's `.time.now`), so values from two
/// processes on one machine compare.
pub fn monotonic_ms() -> i64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as i64 * 1000 + ts.tv_nsec as i64 / 1_000_000
}
