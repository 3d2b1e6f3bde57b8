//! Buffered frame I/O: the receive buffer and transmit queue of a
//! non-blocking server connection, and whole-frame reads and writes on a
//! blocking client socket.
//!
//! A frame is always handed to the kernel in one call: one buffer, or a
//! head and a borrowed vector body through one `sendmsg`.

use super::sys;
use crate::abi;
use crate::core::{RayError, Result, Value};
use crate::proto::frame::{self, OutFrame};
use crate::proto::header::{FLAG_COMPRESSED, HEADER_LEN, Header};
use std::collections::VecDeque;
use std::io::{self, Read};
use std::net::TcpStream;
use std::os::fd::AsRawFd;

/// Largest read attempted at once (the buffer grows toward a frame's size
/// in steps of this much, so an announced 256 MiB costs nothing until the
/// bytes actually arrive).
const READ_CHUNK: usize = 1 << 20;

/// Bytes received and not yet consumed. The buffer is zeroed once when it
/// grows and then reused: a read never clears memory it does not need.
#[derive(Default)]
pub struct RxBuf {
    /// Initialised storage; `start..end` holds the unconsumed bytes.
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl RxBuf {
    /// The unconsumed bytes.
    pub fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Marks `n` bytes as consumed.
    pub fn consume(&mut self, n: usize) {
        self.start += n.min(self.len());
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Takes the first `n` bytes out (copying them into a new buffer).
    pub fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.data()[..n].to_vec();
        self.consume(n);
        out
    }

    /// Takes the bytes `skip..n` out and consumes the first `n`.
    pub fn take_after(&mut self, skip: usize, n: usize) -> Vec<u8> {
        let out = self.data()[skip..n].to_vec();
        self.consume(n);
        out
    }

    /// Moves the unconsumed bytes to the front.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Reads once from `r`, wanting about `want` more bytes. Returns the
    /// count read; 0 means the peer closed its side.
    pub fn read_from(&mut self, r: &mut impl Read, want: usize) -> io::Result<usize> {
        let chunk = want.clamp(4096, READ_CHUNK);
        if self.buf.len() - self.end < chunk {
            self.compact();
            if self.buf.len() - self.end < chunk {
                self.buf.resize(self.end + chunk, 0);
            }
        }
        let r = r.read(&mut self.buf[self.end..]);
        self.end += *r.as_ref().unwrap_or(&0);
        if self.buf.len() > (64 << 20) && self.len() < (1 << 20) {
            self.compact();
            self.buf.truncate(self.end.max(READ_CHUNK));
            self.buf.shrink_to_fit();
        }
        r
    }
}

/// Frames waiting to be written on a non-blocking socket.
#[derive(Default)]
pub struct TxQueue {
    frames: VecDeque<OutFrame>,
    /// Bytes of the front frame already written.
    sent: usize,
    /// Total bytes queued and not yet written.
    bytes: usize,
}

impl TxQueue {
    pub fn push(&mut self, f: OutFrame) {
        self.bytes += f.len();
        self.frames.push_back(f);
    }

    pub fn push_bytes(&mut self, b: Vec<u8>) {
        self.push(OutFrame::from_bytes(b));
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    pub fn pending_bytes(&self) -> usize {
        self.bytes
    }

    /// Writes until the queue is empty or the socket would block.
    pub fn flush(&mut self, sock: &TcpStream) -> io::Result<()> {
        let fd = sock.as_raw_fd();
        while let Some(f) = self.frames.front() {
            let body = f.body.as_ref().map_or(&[][..], |v| sys::vector_bytes(v));
            let n = if self.sent < f.head.len() {
                sys::send_parts(fd, &[&f.head[self.sent..], body])
            } else {
                sys::send_parts(fd, &[&body[self.sent - f.head.len()..]])
            };
            match n {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.sent += n;
                    self.bytes -= n;
                    if self.sent == f.len() {
                        self.frames.pop_front();
                        self.sent = 0;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Writes a whole frame on a blocking socket (its send timeout bounds it).
pub fn write_frame(sock: &TcpStream, f: &OutFrame) -> io::Result<()> {
    let fd = sock.as_raw_fd();
    let body = f.body.as_ref().map_or(&[][..], |v| sys::vector_bytes(v));
    let mut sent = 0;
    while sent < f.len() {
        let n = if sent < f.head.len() {
            sys::send_parts(fd, &[&f.head[sent..], body])
        } else {
            sys::send_parts(fd, &[&body[sent - f.head.len()..]])
        };
        match n {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(io::ErrorKind::TimedOut.into()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The message of the `io` error a wait that ran out of time gives.
const TIMED_OUT: &str = "timed out waiting for the peer";

/// True for the error of a wait on the peer that ran out of time.
pub fn is_timeout(e: &RayError) -> bool {
    e.code_str() == "io" && e.message() == Some(TIMED_OUT)
}

fn io_err(e: io::Error) -> RayError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => RayError::io(TIMED_OUT),
        io::ErrorKind::UnexpectedEof => RayError::io("connection closed"),
        _ => RayError::io(format!("connection lost: {e}")),
    }
}

/// Reads exactly `buf.len()` bytes (EOF is `io`, a read timeout is `io`).
pub fn read_exact(sock: &mut TcpStream, buf: &mut [u8]) -> Result<()> {
    sock.read_exact(buf).map_err(io_err)
}

/// A received frame: its header and decoded object (or the decode error).
pub struct Received {
    pub header: Header,
    pub value: Result<Value>,
}

/// Reads one whole frame from a blocking socket and decodes it, through
/// `rx` (bytes past the frame stay there for the next call), so a small
/// response costs one `recv`. A large plain typed vector is received
/// straight into its own memory (no copy of the bulk).
/// Transport failures are `Err`; an undecodable payload is `Ok` with an
/// `Err` value (the stream stays in sync).
pub fn read_frame(sock: &mut TcpStream, rx: &mut RxBuf) -> Result<Received> {
    let mut cancel_sent = false;
    loop {
        let want = match frame::check(rx.data()) {
            Ok((header, total)) => {
                let value = frame::decode_payload(&header, &rx.data()[HEADER_LEN..total]);
                rx.consume(total);
                return Ok(Received { header, value });
            }
            Err(frame::FrameError::Invalid(e)) => return Err(RayError::io(e.to_string())),
            Err(frame::FrameError::Incomplete) => match rx.data().first_chunk::<HEADER_LEN>() {
                Some(hb) => {
                    let header = Header::parse(hb).map_err(|e| RayError::io(e.to_string()))?;
                    if let Some(r) = receive_bulk(sock, rx, &header)? {
                        return Ok(r);
                    }
                    HEADER_LEN + header.size - rx.len()
                }
                None => 64 << 10,
            },
        };
        match rx.read_from(sock, want) {
            Ok(0) => return Err(RayError::io("connection closed")),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                // A signal while waiting, with an interrupt requested
                // (Ctrl-C): ask the server to cancel the request, once,
                // and keep waiting for its answer (wire.md section 7).
                if !cancel_sent && crate::runtime::interrupted() {
                    cancel_sent = sys::send_urgent(sock).is_ok();
                }
            }
            Err(e) => return Err(io_err(e)),
        }
    }
}

/// Once the header and vector prefix of a large uncompressed plain typed
/// vector are buffered: receives the rest straight into the vector.
fn receive_bulk(sock: &mut TcpStream, rx: &mut RxBuf, header: &Header) -> Result<Option<Received>> {
    if header.flags & FLAG_COMPRESSED != 0 || header.size < 10 + frame::ZERO_COPY_MIN_BYTES {
        return Ok(None);
    }
    let Some(prefix) = rx.data().get(HEADER_LEN..HEADER_LEN + 10) else { return Ok(None) };
    let prefix: [u8; 10] = prefix.try_into().expect("10 bytes");
    let Some(mut v) = plain_vector_for(&prefix, header.size) else { return Ok(None) };
    let have = rx.len() - HEADER_LEN - 10;
    let dst = sys::vector_bytes_mut(&mut v);
    dst[..have].copy_from_slice(&rx.data()[HEADER_LEN + 10..]);
    rx.consume(rx.len());
    read_exact(sock, &mut dst[have..])?;
    Ok(Some(Received { header: *header, value: Ok(v) }))
}

/// An empty vector to receive into when the 10-byte prefix announces a
/// plain typed vector that fills exactly the rest of the payload.
fn plain_vector_for(prefix: &[u8; 10], size: usize) -> Option<Value> {
    let t = prefix[0] as i8;
    if !(abi::RAY_BOOL..=abi::RAY_GUID).contains(&t) {
        return None;
    }
    let count = i64::from_le_bytes(prefix[2..10].try_into().ok()?);
    let bytes = usize::try_from(count).ok()?.checked_mul(abi::elem_size(t, 0))?;
    if bytes + 10 != size {
        return None;
    }
    let mut v = sys::fresh_vector(t, count)?;
    if prefix[1] & abi::RAY_ATTR_HAS_NULLS != 0 {
        v.set_attr(abi::RAY_ATTR_HAS_NULLS, true).ok()?;
    }
    Some(v)
}
