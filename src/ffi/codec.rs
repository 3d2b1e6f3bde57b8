//! `store/serde.h` and the compression half of `core/ipc.h` (c-api.md
//! §5.19-5.20): serialized size, raw and framed serialization, payload
//! compression, and saving/loading one object to a file. Every body is a
//! guard around one call into `crate::codec`.

use crate::abi::*;
use crate::codec;
use crate::core::{RayError, Value};
use crate::ffi::{borrow, give};
use crate::ffi_guard;
use crate::store::whole_file;
use core::ffi::c_char;
use std::ffi::CStr;

/// The value C passed, with NULL meaning the untyped null.
///
/// # Safety
/// `obj` is NULL or a live object.
unsafe fn value_or_null(obj: *mut ray_t) -> Value {
    // SAFETY: caller contract.
    match unsafe { borrow(obj) } {
        Some(v) => v.to_value(),
        None => Value::null(),
    }
}

/// Payload bytes needed to serialize `obj` (no 16-byte header).
///
/// `obj`: borrowed; NULL and `RAY_NULL_OBJ` need 1 byte, an error 9.
/// Returns 0 for a value that cannot be serialized, -1 on size overflow.
///
/// # Safety
/// `obj` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_serde_size(obj: *mut ray_t) -> i64 {
    ffi_guard!({
        // SAFETY: caller contract.
        let v = unsafe { value_or_null(obj) };
        match codec::encoded_size(&v) {
            Ok(n) => i64::try_from(n).unwrap_or(-1),
            Err(_) => 0,
        }
    })
}

/// Writes the payload encoding of `obj` to `buf`, which must hold
/// `ray_serde_size(obj)` bytes.
///
/// `obj`: borrowed (NULL writes the untyped null). Returns the bytes
/// written; 0 for an unserializable value or a NULL `buf`.
///
/// # Safety
/// `buf` is NULL or writable for `ray_serde_size(obj)` bytes; `obj` is NULL
/// or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ser_raw(buf: *mut u8, obj: *mut ray_t) -> i64 {
    ffi_guard!({
        if buf.is_null() {
            return 0;
        }
        // SAFETY: caller contract.
        let v = unsafe { value_or_null(obj) };
        let Ok(bytes) = codec::encode(&v) else { return 0 };
        // SAFETY: the caller sized `buf` with ray_serde_size, which equals
        // the encoding's length.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, bytes.len()) };
        bytes.len() as i64
    })
}

/// Decodes one object from `buf`. `*len` is in: the bytes available; out:
/// the bytes **remaining** after the object (unchanged on failure).
///
/// Returns a new reference (`RAY_NULL_OBJ` for the null marker), an error
/// object (`"domain"` malformed/truncated, `"type"` unknown type byte,
/// `"name"` unknown builtin), or NULL when `buf`/`len` is NULL or `*len < 1`.
/// An ERROR object on the wire decodes to that error. Nesting is limited to
/// 512 levels.
///
/// # Safety
/// `buf` is NULL or readable for `*len` bytes; `len` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_de_raw(buf: *mut u8, len: *mut i64) -> *mut ray_t {
    ffi_guard!({
        if buf.is_null() || len.is_null() {
            return core::ptr::null_mut();
        }
        // SAFETY: len is valid (caller).
        let avail = unsafe { *len };
        if avail < 1 {
            return core::ptr::null_mut();
        }
        // SAFETY: buf is readable for *len bytes (caller).
        let bytes = unsafe { core::slice::from_raw_parts(buf as *const u8, avail as usize) };
        match codec::decode(bytes) {
            Ok((v, used)) => {
                // SAFETY: len is valid (caller).
                unsafe { *len = avail - used as i64 };
                v.into_raw()
            }
            Err(e) => e.into_raw(),
        }
    })
}

/// Serializes `obj` into a new U8 vector holding a whole frame: the 16-byte
/// header (prefix, version 3, flags 0, endian 0, msgtype 0, size) and the
/// payload; never compressed.
///
/// `obj`: borrowed (NULL serializes the untyped null). Returns a new
/// reference, or error `"domain"` for a value that cannot be serialized.
///
/// # Safety
/// `obj` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ser(obj: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let v = unsafe { value_or_null(obj) };
        give(codec::ser_vector(&v).map_err(|e| RayError::domain(e.to_string())))
    })
}

/// Validates a `ser` frame held in a U8 vector (prefix, version 3, endian
/// 0, 0 <= size <= 1e9, size + 16 == length; flags and msgtype ignored) and
/// decodes its payload.
///
/// `bytes`: borrowed. Returns a new reference, or an error object: `"type"`
/// when `bytes` is not a U8 vector, `"version"`, `"domain"`.
///
/// # Safety
/// `bytes` is NULL or a live object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_de(bytes: *mut ray_t) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        match unsafe { borrow(bytes) } {
            Some(b) if b.type_ == RAY_U8 => give(codec::de(b.elems::<u8>())),
            _ => RayError::type_err("de expects a U8 vector").into_raw(),
        }
    })
}

/// Compresses `len` bytes of `src` into `dst` (delta then RLE, the
/// stream only, without the 4-byte size prefix). Returns the stream
/// length, or 0 when `len <= 2000`, the stream would not be smaller than
/// `len`, it does not fit in `dst_cap`, or a pointer is NULL.
///
/// # Safety
/// `src` is readable for `len` bytes, `dst` writable for `dst_cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_compress(src: *const u8, len: usize, dst: *mut u8, dst_cap: usize) -> usize {
    ffi_guard!({
        if src.is_null() || dst.is_null() || len <= codec::limits::COMPRESS_THRESHOLD {
            return 0;
        }
        // SAFETY: caller contract on both buffers; they do not overlap.
        let (input, out) = unsafe {
            (core::slice::from_raw_parts(src, len), core::slice::from_raw_parts_mut(dst, dst_cap.min(len - 1)))
        };
        codec::compress::compress_into(input, out).unwrap_or(0)
    })
}

/// Decompresses a `clen`-byte stream from `src` into exactly `dst_len`
/// bytes at `dst`. Returns `dst_len`, or 0 on a malformed stream (ends
/// early, a block overruns `dst_len`), `dst_len == 0` or a NULL pointer.
///
/// # Safety
/// `src` is readable for `clen` bytes, `dst` writable for `dst_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_ipc_decompress(src: *const u8, clen: usize, dst: *mut u8, dst_len: usize) -> usize {
    ffi_guard!({
        if src.is_null() || dst.is_null() || dst_len == 0 {
            return 0;
        }
        // SAFETY: caller contract on both buffers; they do not overlap.
        let (input, out) =
            unsafe { (core::slice::from_raw_parts(src, clen), core::slice::from_raw_parts_mut(dst, dst_len)) };
        match codec::compress::decompress_into(input, out) {
            Ok(()) => dst_len,
            Err(_) => 0,
        }
    })
}

/// The path C passed, as an OS path.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
unsafe fn os_path(path: *const c_char) -> Option<std::path::PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    if path.is_null() {
        return None;
    }
    // SAFETY: caller contract.
    let c = unsafe { CStr::from_ptr(path) };
    Some(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(c.to_bytes())))
}

/// Writes `ray_ser(obj)` to the file at `path`, replacing it atomically
/// (a temporary beside it, fsync, rename, directory fsync): a crash leaves
/// the previous file or the complete new one.
///
/// `obj`: borrowed. Returns `RAY_OK`, `RAY_ERR_DOMAIN` for an unserializable
/// value, `RAY_ERR_IO` for a NULL path or a file error.
///
/// # Safety
/// `obj` is NULL or a live object; `path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_obj_save(obj: *mut ray_t, path: *const c_char) -> ray_err_t {
    ffi_guard!(ray_err_t, {
        // SAFETY: caller contract.
        let Some(path) = (unsafe { os_path(path) }) else { return RAY_ERR_IO };
        // SAFETY: caller contract.
        let v = unsafe { value_or_null(obj) };
        let Ok(frame) = codec::ser(&v) else { return RAY_ERR_DOMAIN };
        match whole_file::write_whole(&path, &frame) {
            Ok(()) => RAY_OK,
            Err(_) => RAY_ERR_IO,
        }
    })
}

/// Reads a file written by `ray_obj_save` and decodes it (`ray_de`).
///
/// Returns a new reference, or an error object: `"io"` when the file is
/// missing, empty or shorter than a frame header (or `path` is NULL), else
/// the decoding errors of `ray_de`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ray_obj_load(path: *const c_char) -> *mut ray_t {
    ffi_guard!({
        // SAFETY: caller contract.
        let Some(path) = (unsafe { os_path(path) }) else {
            return RayError::io("NULL path").into_raw();
        };
        match whole_file::read_whole(&path) {
            Ok(bytes) if bytes.len() >= codec::frame::HEADER_LEN => give(codec::de(&bytes)),
            Ok(_) => RayError::io(format!("{}: shorter than a frame header", path.display())).into_raw(),
            Err(e) => RayError::io(format!("{}: {}", path.display(), whole_file::reason(&e.source))).into_raw(),
        }
    })
}
