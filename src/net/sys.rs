//! The only `unsafe` and raw `libc` in `net`: `poll(2)`, a listener with our
//! own backlog, `sendmsg` with `MSG_NOSIGNAL` for two-part frames, the byte
//! view of a typed vector, stdout/stderr capture for verbose requests, TCP
//! urgent bytes (out-of-band cancel), and the SIGINT/SIGTERM to self-pipe
//! bridge of the binary.

use crate::abi::{self, ray_t};
use crate::core::Value;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};

pub use libc::{POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, pollfd};

/// Waits on `fds` for at most `timeout_ms` (-1 = forever). EINTR counts
/// as a wake-up with nothing ready.
pub fn poll(fds: &mut [pollfd], timeout_ms: i32) -> io::Result<usize> {
    // SAFETY: fds is a valid, exclusively borrowed array of pollfd.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(0);
        }
        return Err(e);
    }
    Ok(n as usize)
}

/// A pollfd entry asking for `events`.
pub fn pollfd_for(fd: RawFd, events: i16) -> pollfd {
    pollfd { fd, events, revents: 0 }
}

/// A non-blocking IPv4 listener on `0.0.0.0:port` (0 = ephemeral) with
/// `SO_REUSEADDR` and the given backlog.
pub fn listen(port: u16, backlog: i32) -> io::Result<TcpListener> {
    listen_on(&SocketAddr::from(([0, 0, 0, 0], port)), backlog)
}

/// A non-blocking listener on `addr` (IPv4 or IPv6; port 0 = ephemeral)
/// with `SO_REUSEADDR` and the given backlog (std's `bind` fixes it).
pub fn listen_on(addr: &SocketAddr, backlog: i32) -> io::Result<TcpListener> {
    let family = if addr.is_ipv4() { libc::AF_INET } else { libc::AF_INET6 };
    // SAFETY: plain socket creation; the fd is owned right below.
    let fd = unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a fresh socket nobody else owns.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let one: libc::c_int = 1;
    // SAFETY: valid fd, option value points to a c_int of the given size.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            (&raw const one).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    let r = match addr {
        SocketAddr::V4(a) => {
            // SAFETY: sockaddr_in is plain old data; zeroed is a valid value.
            let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sa.sin_family = libc::AF_INET as libc::sa_family_t;
            sa.sin_port = a.port().to_be();
            sa.sin_addr = libc::in_addr { s_addr: u32::from_be_bytes(a.ip().octets()).to_be() };
            // SAFETY: sa is a valid sockaddr_in and the length matches.
            unsafe { libc::bind(fd, (&raw const sa).cast(), size_of::<libc::sockaddr_in>() as libc::socklen_t) }
        }
        SocketAddr::V6(a) => {
            // SAFETY: sockaddr_in6 is plain old data; zeroed is a valid value.
            let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sa.sin6_port = a.port().to_be();
            sa.sin6_addr = libc::in6_addr { s6_addr: a.ip().octets() };
            sa.sin6_flowinfo = a.flowinfo();
            sa.sin6_scope_id = a.scope_id();
            // SAFETY: sa is a valid sockaddr_in6 and the length matches.
            unsafe { libc::bind(fd, (&raw const sa).cast(), size_of::<libc::sockaddr_in6>() as libc::socklen_t) }
        }
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: valid bound socket.
    if unsafe { libc::listen(fd, backlog) } < 0 {
        return Err(io::Error::last_os_error());
    }
    let l = TcpListener::from(owned);
    l.set_nonblocking(true)?;
    Ok(l)
}

/// Connects a new blocking TCP socket to `addr` within `budget`: the
/// kernel applies `SO_SNDTIMEO` to a blocking `connect` (it fails with
/// `EINPROGRESS` when the time is up, reported as `TimedOut`). Three system
/// calls, where a non-blocking connect plus `poll` takes six.
pub fn connect_within(addr: &std::net::SocketAddr, budget: std::time::Duration) -> io::Result<std::net::TcpStream> {
    let domain = if addr.is_ipv4() { libc::AF_INET } else { libc::AF_INET6 };
    // SAFETY: plain socket creation; the fd is owned right below.
    let fd = unsafe { libc::socket(domain, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is a fresh socket nobody else owns.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let stream = std::net::TcpStream::from(owned);
    // A zero budget would mean "no timeout" to the kernel.
    stream.set_write_timeout(Some(budget.max(std::time::Duration::from_millis(1))))?;
    // SAFETY: sockaddr_storage is plain old data; zeroed is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        std::net::SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes(a.ip().octets()) },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            unsafe { std::ptr::write((&raw mut storage).cast::<libc::sockaddr_in>(), sin) };
            size_of::<libc::sockaddr_in>()
        }
        std::net::SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr { s6_addr: a.ip().octets() },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: as above.
            unsafe { std::ptr::write((&raw mut storage).cast::<libc::sockaddr_in6>(), sin6) };
            size_of::<libc::sockaddr_in6>()
        }
    };
    // SAFETY: valid socket; storage holds an address of `len` bytes.
    let r = unsafe { libc::connect(stream.as_raw_fd(), (&raw const storage).cast(), len as libc::socklen_t) };
    if r < 0 {
        let e = io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EINPROGRESS) | Some(libc::EAGAIN) => io::ErrorKind::TimedOut.into(),
            _ => e,
        });
    }
    Ok(stream)
}

/// Shuts a socket down in both directions by its descriptor, so another
/// thread blocked on it wakes up.
///
/// # Safety contract (checked by callers)
/// `fd` must belong to a socket that stays open for the duration of the
/// call (the caller holds the object that owns it).
pub fn shutdown_both(fd: RawFd) {
    // SAFETY: per the contract above, fd is an open socket owned by an
    // object the caller keeps alive; shutdown does not close it.
    unsafe { libc::shutdown(fd, libc::SHUT_RDWR) };
}

/// Reads the pending TCP urgent byte of `sock` (the out-of-band cancel of
/// wire.md section 7), so the socket stops reporting it. False when there
/// was none.
pub fn recv_urgent(sock: &std::net::TcpStream) -> bool {
    let mut b = 0u8;
    // SAFETY: the socket is open (borrowed); the buffer is one writable byte.
    let r = unsafe { libc::recv(sock.as_raw_fd(), (&raw mut b).cast(), 1, libc::MSG_OOB | libc::MSG_DONTWAIT) };
    r == 1
}

/// Sends one TCP urgent byte (`!`, as the reference client does to cancel
/// the request it waits for).
pub fn send_urgent(sock: &std::net::TcpStream) -> io::Result<()> {
    send_urgent_fd(sock.as_raw_fd())
}

/// `send_urgent` by descriptor, from a thread other than the one waiting
/// on the socket. Same contract as `shutdown_both`: `fd` belongs to a
/// socket the caller keeps open for the call.
pub fn send_urgent_fd(fd: RawFd) -> io::Result<()> {
    let b = b'!';
    // SAFETY: per the contract, fd is an open socket; the buffer is one
    // readable byte.
    let r = unsafe { libc::send(fd, (&raw const b).cast(), 1, libc::MSG_OOB | libc::MSG_NOSIGNAL) };
    if r == 1 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Sends `parts` with one `sendmsg` (`MSG_NOSIGNAL`: a dead peer gives
/// `EPIPE`, never `SIGPIPE`). Returns the bytes sent (maybe fewer).
pub fn send_parts(fd: RawFd, parts: &[&[u8]]) -> io::Result<usize> {
    let mut iov: [libc::iovec; 2] = [libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 }; 2];
    let mut n = 0;
    for p in parts.iter().filter(|p| !p.is_empty()).take(2) {
        iov[n] = libc::iovec { iov_base: p.as_ptr() as *mut libc::c_void, iov_len: p.len() };
        n += 1;
    }
    if n == 0 {
        return Ok(0);
    }
    // SAFETY: msghdr is plain old data; zeroed is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = n as _;
    loop {
        // SAFETY: msg points at n valid iovecs borrowing live slices.
        let r = unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL) };
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The element bytes of a typed vector (BOOL..GUID, SYM ids, ...): an
/// empty slice for anything else.
pub fn vector_bytes(v: &ray_t) -> &[u8] {
    if !abi::is_vector_type(v.type_()) || v.type_() == abi::RAY_STR {
        return &[];
    }
    let n = v.len().max(0) as usize * abi::elem_size(v.type_(), v.attrs());
    // SAFETY: a live typed vector holds len elements of elem_size bytes
    // contiguously from data_ptr(), valid as long as v is borrowed.
    unsafe { std::slice::from_raw_parts(v.data_ptr(), n) }
}

/// Mutable element bytes of a uniquely owned typed vector (BOOL..GUID).
pub fn vector_bytes_mut(v: &mut Value) -> &mut [u8] {
    let t = v.type_();
    if !(abi::RAY_BOOL..=abi::RAY_GUID).contains(&t) || !v.is_unique() || v.is_slice() {
        return &mut [];
    }
    let n = v.len().max(0) as usize * abi::elem_size(t, v.attrs());
    // SAFETY: v is the only reference to a non-slice typed vector whose
    // payload holds len elements; the borrow of v guards the memory.
    unsafe { std::slice::from_raw_parts_mut(v.data_ptr() as *mut u8, n) }
}

/// Raises the soft open-file limit to the hard limit (servers holding
/// thousands of connections need it). Failures are ignored.
pub fn raise_fd_limit() {
    // SAFETY: rlimit is plain old data filled in by getrlimit.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 && r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}

/// Redirection of fds 1 and 2 into an anonymous file, for verbose requests.
pub struct Capture {
    saved_out: OwnedFd,
    saved_err: OwnedFd,
    file: std::fs::File,
}

/// Starts capturing everything written to stdout and stderr.
pub fn capture_begin() -> io::Result<Capture> {
    use std::io::Write;
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    // SAFETY: memfd_create with a NUL-terminated name.
    let mfd = unsafe { libc::memfd_create(c"rayforce-verbose".as_ptr(), libc::MFD_CLOEXEC) };
    if mfd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh fd owned by nobody else.
    let file = unsafe { std::fs::File::from_raw_fd(mfd) };
    let saved_out = dup(1)?;
    let saved_err = dup(2)?;
    // SAFETY: both fds are valid; dup2 atomically replaces 1 and 2.
    unsafe {
        if libc::dup2(mfd, 1) < 0 || libc::dup2(mfd, 2) < 0 {
            let e = io::Error::last_os_error();
            libc::dup2(saved_out.as_raw_fd(), 1);
            libc::dup2(saved_err.as_raw_fd(), 2);
            return Err(e);
        }
    }
    Ok(Capture { saved_out, saved_err, file })
}

fn dup(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: dup of a process fd; the result is owned below.
    let d = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if d < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: d is a fresh fd.
    Ok(unsafe { OwnedFd::from_raw_fd(d) })
}

/// Restores stdout/stderr and returns what was written meanwhile.
pub fn capture_end(c: Capture) -> Vec<u8> {
    use std::io::{Read, Seek, Write};
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    // SAFETY: the saved fds are valid duplicates of the original 1 and 2.
    unsafe {
        libc::dup2(c.saved_out.as_raw_fd(), 1);
        libc::dup2(c.saved_err.as_raw_fd(), 2);
    }
    let mut file = c.file;
    let mut out = Vec::new();
    if file.seek(io::SeekFrom::Start(0)).is_ok() {
        let _ = file.read_to_end(&mut out);
    }
    out
}

static SIGNAL_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_shutdown_signal(_sig: libc::c_int) {
    let fd = SIGNAL_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = 1u8;
        // SAFETY: write(2) is async-signal-safe; fd is the wake pipe.
        unsafe { libc::write(fd, (&raw const b).cast(), 1) };
    }
}

/// Routes SIGINT and SIGTERM to a byte written on `wake_fd` (which must stay
/// open for the rest of the process), and ignores SIGPIPE.
pub fn install_shutdown_signals(wake_fd: RawFd) {
    SIGNAL_FD.store(wake_fd, Ordering::Relaxed);
    // SAFETY: installing a handler that only calls write(2); sigaction is
    // zero-initialised plain data.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_shutdown_signal as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// True when `fd` is a terminal.
pub fn is_terminal(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the fd.
    unsafe { libc::isatty(fd) == 1 }
}

/// A typed vector (BOOL..GUID) of `count` elements whose bytes are about
/// to be overwritten by a receive (they start zeroed or stale, never read
/// before being written).
pub fn fresh_vector(t: i8, count: i64) -> Option<Value> {
    if !(abi::RAY_BOOL..=abi::RAY_GUID).contains(&t) || count < 0 {
        return None;
    }
    let mut v = Value::vec_with_capacity(t, count).ok()?;
    // SAFETY: the block has capacity for count elements of a plain-bytes
    // type (every bit pattern is a valid element); callers overwrite them.
    unsafe { v.set_len(count as usize) };
    Some(v)
}
