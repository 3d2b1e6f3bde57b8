//! Builtins: the ipc family (`.ipc.open/send/post/close/handle`) and the
//! REPL's remote target (`.repl.connect/disconnect`), thin wrappers over
//! `net`, and `.sys.listen` (extra listeners, `ipc::listen`). Handles are the process-wide IPC handles, inbound
//! or outbound. Defined above `lang` (which knows no transport) and
//! registered into its builtin registry by `ipc::install`.

use crate::lang::builtins::spec::Builtin;
use crate::lang::builtins::util_args::{arg, expect_arity, int_arg, type_err};
use crate::abi::{RAY_BINARY, RAY_I16, RAY_I32, RAY_I64, RAY_STR, RAY_SYM, RAY_UNARY, RAY_VARY};
use crate::core::{RayError, Result, Value, sym};
use crate::net;
use std::sync::atomic::{AtomicI64, Ordering};

pub const BUILTINS: &[Builtin] = &[
    Builtin::pure(".ipc.open", RAY_UNARY, ipc_open).restricted(),
    Builtin::pure(".ipc.send", RAY_BINARY, ipc_send).restricted(),
    Builtin::pure(".ipc.post", RAY_BINARY, ipc_post).restricted(),
    Builtin::pure(".ipc.close", RAY_UNARY, ipc_close).restricted(),
    Builtin::pure(".ipc.handle", RAY_VARY, ipc_handle),
    Builtin::pure(".repl.connect", RAY_UNARY, repl_connect).restricted(),
    Builtin::pure(".repl.disconnect", RAY_VARY, repl_disconnect).restricted(),
    Builtin::pure(".sys.listen", RAY_UNARY, sys_listen).restricted(),
];

/// `(.sys.listen port)`: an extra IPC listener on `port` (an integer or a
/// string of digits, 1..65535), served on its own thread (`ipc::listen`);
/// its id.
fn sys_listen(args: &[Value]) -> Result<Value> {
    let v = &args[0];
    let port = match v.type_() {
        t if t == -RAY_STR => std::str::from_utf8(v.str_bytes()).ok().and_then(|s| s.trim().parse::<i64>().ok()),
        t if t == -RAY_I64 || t == -RAY_I32 || t == -RAY_I16 => int_arg("listen", args, 0).ok(),
        _ => None,
    }
    .ok_or_else(|| RayError::type_err("listen expects a port number"))?;
    let port = u16::try_from(port).ok().filter(|&p| p >= 1).ok_or_else(|| RayError::domain("listen: port out of range (1..65535)"))?;
    super::listen::listen(port).map(Value::i64)
}

/// The handle the REPL sends its lines to (-1: none, lines run locally).
static REPL_TARGET: AtomicI64 = AtomicI64::new(-1);

/// The REPL's remote target, set by `.repl.connect`.
pub fn repl_target() -> Option<i64> {
    let h = REPL_TARGET.load(Ordering::Acquire);
    (h >= 0).then_some(h)
}

/// The text of a STR or SYM atom.
fn text_arg(name: &str, v: &Value) -> Result<Vec<u8>> {
    if v.type_() == -RAY_STR {
        Ok(v.str_bytes().to_vec())
    } else if v.type_() == -RAY_SYM {
        Ok(sym::name(v.i64_val()).unwrap_or(b"").to_vec())
    } else {
        Err(type_err(name, "expects \"host:port[:user:password]\""))
    }
}

/// Splits `host:port[:user:password]` (user and password at most 127
/// bytes each). An IPv6 host is written in brackets: `[::1]:5000`.
fn parse_address(a: &[u8]) -> Result<(String, u16, Option<Vec<u8>>, Option<Vec<u8>>)> {
    let bad = || RayError::domain(".ipc.open: expects \"host:port[:user:password]\"");
    let text = std::str::from_utf8(a).map_err(|_| bad())?;
    let (host, rest) = if let Some(r) = text.strip_prefix('[') {
        let end = r.find(']').ok_or_else(bad)?;
        (&r[..end], r[end + 1..].strip_prefix(':').ok_or_else(bad)?)
    } else {
        text.split_once(':').ok_or_else(bad)?
    };
    let mut parts = rest.splitn(3, ':');
    let port: u16 = parts.next().and_then(|p| p.parse().ok()).filter(|&p| p > 0).ok_or_else(bad)?;
    let user = parts.next().map(|u| u.as_bytes().to_vec());
    let password = parts.next().map(|p| p.as_bytes().to_vec());
    if user.as_ref().is_some_and(|u| u.len() > 127) || password.as_ref().is_some_and(|p| p.len() > 127) {
        return Err(bad());
    }
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    Ok((host.to_string(), port, user, password))
}

fn ipc_open(args: &[Value]) -> Result<Value> {
    expect_arity(".ipc.open", args, 1)?;
    let addr = text_arg(".ipc.open", arg(".ipc.open", args, 0)?)?;
    let (host, port, user, password) = parse_address(&addr)?;
    let h = net::connect(&host, port, user.as_deref(), password.as_deref(), 0);
    if h >= 0 {
        return Ok(Value::i64(h));
    }
    Err(match h {
        -2 => RayError::new("access", "authentication required"),
        -3 => RayError::new("access", "authentication failed"),
        -5 => RayError::io("timed out"),
        _ => RayError::io("connection refused"),
    })
}

fn ipc_send(args: &[Value]) -> Result<Value> {
    expect_arity(".ipc.send", args, 2)?;
    let h = int_arg(".ipc.send", args, 0)?;
    net::send(h, arg(".ipc.send", args, 1)?, false)
}

fn ipc_post(args: &[Value]) -> Result<Value> {
    expect_arity(".ipc.post", args, 2)?;
    let h = int_arg(".ipc.post", args, 0)?;
    net::post(h, arg(".ipc.post", args, 1)?)?;
    Ok(Value::null())
}

fn ipc_close(args: &[Value]) -> Result<Value> {
    expect_arity(".ipc.close", args, 1)?;
    net::close(int_arg(".ipc.close", args, 0)?);
    Ok(Value::null())
}

fn ipc_handle(_args: &[Value]) -> Result<Value> {
    Ok(Value::i64(net::current_handle()))
}

/// `(.repl.connect "host:port")`: opens a connection as `.ipc.open` does and
/// makes it the REPL's remote target (closing a previous one); the handle.
fn repl_connect(args: &[Value]) -> Result<Value> {
    if args[0].type_() != -RAY_STR {
        return Err(RayError::type_err("expected host:port string"));
    }
    let h = ipc_open(args)?;
    let old = REPL_TARGET.swap(h.i64_val(), Ordering::AcqRel);
    if old >= 0 {
        net::close(old);
    }
    Ok(h)
}

/// `(.repl.disconnect)`: closes the REPL's remote target, if any.
fn repl_disconnect(_args: &[Value]) -> Result<Value> {
    let old = REPL_TARGET.swap(-1, Ordering::AcqRel);
    if old >= 0 {
        net::close(old);
    }
    Ok(Value::null())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_host_port_user_and_password() {
        let (h, p, u, pw) = parse_address(b"localhost:5000").unwrap();
        assert_eq!((h.as_str(), p, u, pw), ("localhost", 5000, None, None));
        let (h, p, u, pw) = parse_address(b"10.0.0.1:5001:bob:s:e").unwrap();
        assert_eq!((h.as_str(), p), ("10.0.0.1", 5001));
        assert_eq!((u.unwrap(), pw.unwrap()), (b"bob".to_vec(), b"s:e".to_vec()));
        let (h, p, ..) = parse_address(b"[::1]:7").unwrap();
        assert_eq!((h.as_str(), p), ("::1", 7));
        assert!(parse_address(b"nohost").is_err());
        assert!(parse_address(b"h:0").is_err());
        assert!(parse_address(b"h:99999").is_err());
    }

    #[test]
    fn handle_is_minus_one_outside_ipc() {
        assert_eq!(ipc_handle(&[]).unwrap().i64_val(), -1);
        let v = net::with_current_handle(7, || ipc_handle(&[]).unwrap());
        assert_eq!(v.i64_val(), 7);
    }

    #[test]
    fn open_maps_refused_connections_to_io() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let e = ipc_open(&[Value::str(format!("127.0.0.1:{port}").as_bytes())]).unwrap_err();
        assert_eq!(e.code_str(), "io");
    }
}
