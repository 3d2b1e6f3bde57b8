//! Vectors whose payload is filled on first touch (`mmod` = [`MMOD_LAZY`]).
//! The storage layer opens SYM columns this way: the cells on disk are
//! positions in the table's symbol file and become process symbol ids only
//! when something first reads them, so opening a table costs no pass over
//! its SYM cells.
//!
//! A lazy vector is an ordinary vector header followed by its payload in an
//! anonymous mapping (untouched pages cost nothing). Its `aux` pointer arm
//! holds the [`LazyFill`] that writes the payload; `ray_t::data_ptr` calls
//! [`ensure`] before handing out the address, so every reader sees the
//! filled payload. It is only ever reached through a slice view made by
//! [`adopt`] (the C inline `ray_data` follows slices through the library),
//! is never unique (`mmod` != 0: mutation copies), and is freed through
//! [`crate::core::mapped`] like a mapped column.
//!
//! A fill may find the data corrupt. The payload then holds what the fill
//! wrote (the storage layer writes the empty symbol for a bad cell) and
//! every later touch counts a *fault* on the touching thread; the
//! evaluator turns a fault counted during a builtin call into that
//! builtin's error
//! ([`faults`], [`last_fault`]), so a query over a corrupt column fails
//! with the fill's message naming the file.

use crate::abi::*;
use crate::core::mapped;
use crate::core::{RayError, Result, Value};
use memmap2::MmapMut;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, Once};

/// The `mmod` byte of a lazily filled vector.
pub const MMOD_LAZY: u8 = 2;

/// Writes a lazy vector's payload (`len × width` bytes, zeroed before);
/// an error means the source was corrupt (the payload is used as written).
pub type Fill = Box<dyn FnOnce(&mut [u8]) -> Result<()> + Send>;

const PENDING: u8 = 0;
const FILLED: u8 = 1;
const FAULTY: u8 = 2;

/// The fill of one lazy vector and its outcome.
pub struct LazyFill {
    once: Once,
    status: AtomicU8,
    fill: Mutex<Option<Fill>>,
    error: Mutex<Option<RayError>>,
}

/// Owner registered with `mapped`: the payload mapping and the fill
/// state the header points to (boxed, so its address is stable).
struct Owner {
    _map: MmapMut,
    _state: Box<LazyFill>,
}

thread_local! {
    static FAULTS: Cell<u64> = const { Cell::new(0) };
    static LAST_FAULT: RefCell<Option<RayError>> = const { RefCell::new(None) };
}

/// Number of touches of corrupt lazy vectors on this thread so far. Per
/// thread, so that one request's corrupt column never fails another's
/// (the thread that evaluates a builtin reads a column's payload address
/// at least once, also when workers do the rest).
pub fn faults() -> u64 {
    FAULTS.with(Cell::get)
}

/// The error of the most recent touch of a corrupt lazy vector on this
/// thread.
pub fn last_fault() -> Option<RayError> {
    LAST_FAULT.with(|l| l.borrow().clone())
}

fn raise(e: &RayError) {
    LAST_FAULT.with(|l| *l.borrow_mut() = Some(e.clone()));
    FAULTS.with(|n| n.set(n.get() + 1));
}

/// A vector of `len` elements of `type_` (`attrs`: SYM width, SORTED, ...)
/// whose payload `fill` writes on first touch, seen through a slice view
/// covering all of it. Errors: `oom` (the mapping could not be made).
pub fn adopt(type_: i8, attrs: u8, len: i64, fill: Fill) -> Result<Value> {
    let n = len.max(0) as usize;
    let bytes = n.checked_mul(elem_size(type_, attrs)).and_then(|b| b.checked_add(32)).ok_or_else(RayError::oom)?;
    let mut map = MmapMut::map_anon(bytes).map_err(|e| RayError::new("oom", format!("lazy vector: {e}")))?;
    // Huge pages where the system allows: filling a large payload then
    // takes a few hundred page faults instead of one per 4 KB (best effort).
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    let state = Box::new(LazyFill {
        once: Once::new(),
        status: AtomicU8::new(PENDING),
        fill: Mutex::new(Some(fill)),
        error: Mutex::new(None),
    });
    let p = map.as_mut_ptr() as *mut ray_t;
    // SAFETY: a fresh, zeroed, page-aligned, writable mapping of 32 +
    // payload bytes; the header written here is the only object in it and
    // `mapped` keeps the mapping and the state alive until it is freed.
    let parent = unsafe {
        (*p).mmod = MMOD_LAZY;
        (*p).type_ = type_;
        (*p).attrs = attrs;
        (*p).rc.store(1, Ordering::Relaxed);
        (*p).val.i64_ = len;
        (*p).aux.ptrs[0] = (&raw const *state) as *mut ray_t;
        Value::from_raw(p).expect("mapping is not null")
    };
    mapped::register(map.as_ptr(), map.len(), 1, Box::new(Owner { _map: map, _state: state }));
    let mut view = parent.slice(0, len)?;
    // A fresh view (rc 1): it carries the attributes too (`slice` keeps
    // only the width and HAS_NULLS).
    view.header_mut().attrs |= attrs & !RAY_SYM_WIDTH_MASK;
    Ok(view)
}

/// Fills `v`'s payload if that has not happened yet (other threads wait
/// for the one filling), and counts a fault when the fill found it
/// corrupt.
///
/// # Safety
/// `v` is a live lazy vector made by [`adopt`].
pub unsafe fn ensure(v: &ray_t) {
    // SAFETY: adopt stored a pointer to the state, which lives as long as v.
    let state = unsafe { &*(v.aux.ptrs[0] as *const LazyFill) };
    if state.status.load(Ordering::Acquire) == FILLED {
        return;
    }
    state.once.call_once(|| {
        let fill = state.fill.lock().unwrap_or_else(|e| e.into_inner()).take();
        let n = v.len().max(0) as usize * elem_size(v.type_, v.attrs);
        // SAFETY: the payload follows the header in the writable anonymous
        // mapping; nobody reads it before the fill completes (readers come
        // through here and wait on `once`), so this is its only access.
        let payload = unsafe { core::slice::from_raw_parts_mut((&raw const v.data) as *mut u8, n) };
        let outcome = fill.map_or(Ok(()), |f| f(payload));
        let status = match outcome {
            Ok(()) => FILLED,
            Err(e) => {
                *state.error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                FAULTY
            }
        };
        state.status.store(status, Ordering::Release);
    });
    if state.status.load(Ordering::Acquire) == FAULTY
        && let Some(e) = state.error.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
    {
        raise(e);
    }
}

/// Whether a lazy vector (or a slice of one) has not been filled yet.
pub fn is_pending(v: &ray_t) -> bool {
    let base = if v.is_slice() {
        // SAFETY: slices point at a live non-slice parent.
        unsafe { &*v.aux.ptrs[0] }
    } else {
        v
    };
    if base.mmod != MMOD_LAZY {
        return false;
    }
    // SAFETY: as in `ensure`.
    let state = unsafe { &*(base.aux.ptrs[0] as *const LazyFill) };
    state.status.load(Ordering::Acquire) == PENDING
}
