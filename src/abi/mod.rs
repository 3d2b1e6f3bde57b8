//! The C ABI mirror: the only code that knows byte offsets.
//!
//! `ray_t` here is laid out exactly like the reference's `union ray_t`
//! (32-byte header, flexible payload at offset 32). C sees anonymous members
//! (`v->i64`, `v->len`); Rust uses the named arms `aux` and `val`. Everything
//! C may write (`type`, `attrs`, tags) is a plain integer here, never a Rust
//! enum or `bool`.
#![allow(non_camel_case_types)]

use core::sync::atomic::AtomicU32;

/// Bytes 0..16 of the header: slice parent/offset, STR pool, SYM domain, ...
#[repr(C)]
#[derive(Clone, Copy)]
pub union Aux {
    pub bytes: [u8; 16],
    pub ptrs: [*mut ray_t; 2],
    pub i64s: [i64; 2],
}

/// Bytes 24..32 of the header: the atom value, the vector length, or a child.
#[repr(C)]
#[derive(Clone, Copy)]
pub union Val {
    pub bytes: [u8; 8],
    pub i64_: i64,
    pub f64_: f64,
    pub obj: *mut ray_t,
}

/// The object header shared with C (`typedef union ray_t ray_t` in C).
#[repr(C)]
pub struct ray_t {
    pub aux: Aux,
    pub mmod: u8,
    pub order: u8,
    pub type_: i8,
    pub attrs: u8,
    pub rc: AtomicU32,
    pub val: Val,
    /// Flexible array member: the payload starts at offset 32.
    pub data: [u8; 0],
}

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<ray_t>() == 32);
    assert!(align_of::<ray_t>() == 8);
    assert!(offset_of!(ray_t, aux) == 0);
    assert!(offset_of!(ray_t, mmod) == 16);
    assert!(offset_of!(ray_t, order) == 17);
    assert!(offset_of!(ray_t, type_) == 18);
    assert!(offset_of!(ray_t, attrs) == 19);
    assert!(offset_of!(ray_t, rc) == 20);
    assert!(offset_of!(ray_t, val) == 24);
    assert!(offset_of!(ray_t, data) == 32);
};

/// `ray_err_t` travels as a C `int`: any value may arrive from C.
pub type ray_err_t = core::ffi::c_int;

pub const RAY_OK: ray_err_t = 0;
pub const RAY_ERR_OOM: ray_err_t = 1;
pub const RAY_ERR_TYPE: ray_err_t = 2;
pub const RAY_ERR_RANGE: ray_err_t = 3;
pub const RAY_ERR_LENGTH: ray_err_t = 4;
pub const RAY_ERR_RANK: ray_err_t = 5;
pub const RAY_ERR_DOMAIN: ray_err_t = 6;
pub const RAY_ERR_NYI: ray_err_t = 7;
pub const RAY_ERR_IO: ray_err_t = 8;
pub const RAY_ERR_SCHEMA: ray_err_t = 9;
pub const RAY_ERR_CORRUPT: ray_err_t = 10;
pub const RAY_ERR_CANCEL: ray_err_t = 11;
pub const RAY_ERR_PARSE: ray_err_t = 12;
pub const RAY_ERR_NAME: ray_err_t = 13;
pub const RAY_ERR_LIMIT: ray_err_t = 14;
pub const RAY_ERR_RESERVED: ray_err_t = 15;
pub const RAY_ERR_VERSION: ray_err_t = 16;

// Type tags (negated for atoms).
pub const RAY_LIST: i8 = 0;
pub const RAY_BOOL: i8 = 1;
pub const RAY_U8: i8 = 2;
pub const RAY_I16: i8 = 3;
pub const RAY_I32: i8 = 4;
pub const RAY_I64: i8 = 5;
pub const RAY_F32: i8 = 6;
pub const RAY_F64: i8 = 7;
pub const RAY_DATE: i8 = 8;
pub const RAY_TIME: i8 = 9;
pub const RAY_TIMESTAMP: i8 = 10;
pub const RAY_GUID: i8 = 11;
pub const RAY_SYM: i8 = 12;
pub const RAY_STR: i8 = 13;
pub const RAY_INDEX: i8 = 97;
pub const RAY_TABLE: i8 = 98;
pub const RAY_DICT: i8 = 99;
pub const RAY_LAMBDA: i8 = 100;
pub const RAY_UNARY: i8 = 101;
pub const RAY_BINARY: i8 = 102;
pub const RAY_VARY: i8 = 103;
pub const RAY_NULL: i8 = 126;
pub const RAY_ERROR: i8 = 127;

// attrs bits (type-namespaced).
pub const RAY_SYM_W8: u8 = 0;
pub const RAY_SYM_W16: u8 = 1;
pub const RAY_SYM_W32: u8 = 2;
pub const RAY_SYM_W64: u8 = 3;
pub const RAY_SYM_WIDTH_MASK: u8 = 0x03;
/// On I32/I64 vectors: a linked column (`.col.link`), the target table's
/// symbol id in `aux` bytes 8..16.
pub const RAY_ATTR_HAS_LINK: u8 = 0x04;
pub const RAY_ATTR_HAS_INDEX: u8 = 0x08;
pub const RAY_ATTR_SLICE: u8 = 0x10;
pub const RAY_ATTR_SORTED: u8 = 0x20;
/// On SYM atoms: the symbol is a quoted literal (`'a`), not a name reference.
pub const RAY_ATTR_QUOTED: u8 = 0x20;
pub const RAY_ATTR_HAS_NULLS: u8 = 0x40;
/// Arena/static object: retain/release/free are no-ops.
pub const RAY_ATTR_ARENA: u8 = 0x80;

pub const NULL_I16: i16 = i16::MIN;
pub const NULL_I32: i32 = i32::MIN;
pub const NULL_I64: i64 = i64::MIN;

/// Element size of each vector type, indexed by type tag (`ray_type_sizes`).
pub const TYPE_SIZES: [u8; 256] = {
    let mut t = [0u8; 256];
    t[0] = 8;
    t[1] = 1;
    t[2] = 1;
    t[3] = 2;
    t[4] = 4;
    t[5] = 8;
    t[6] = 4;
    t[7] = 8;
    t[8] = 4;
    t[9] = 4;
    t[10] = 8;
    t[11] = 16;
    t[12] = 8;
    t[13] = 16;
    t
};

/// Size in bytes of one element of a vector of `type_` (width-aware for SYM).
#[inline]
pub fn elem_size(type_: i8, attrs: u8) -> usize {
    if type_ == RAY_SYM {
        1usize << (attrs & RAY_SYM_WIDTH_MASK)
    } else if type_ >= 0 {
        TYPE_SIZES[type_ as u8 as usize] as usize
    } else {
        0
    }
}

/// True for the vector tags 1..=13.
#[inline]
pub fn is_vector_type(t: i8) -> bool {
    (RAY_BOOL..=RAY_STR).contains(&t)
}

/// Containers whose payload is `len` owned child pointers.
#[inline]
pub fn is_container_type(t: i8) -> bool {
    t == RAY_LIST || t == RAY_DICT || t == RAY_TABLE || t == RAY_LAMBDA
}

/// One element of a STR vector (`ray_str_t`, 16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct StrCell {
    pub len: u32,
    /// Inline bytes when `len <= 12`, else prefix(4) + pool offset(4) + pad(4).
    pub bytes: [u8; 12],
}
const _: () = assert!(core::mem::size_of::<StrCell>() == 16);

impl StrCell {
    /// The string's bytes: inline, or at its offset in `pool` (the vector's
    /// string pool; empty when out of range).
    #[inline]
    pub fn bytes_in<'a>(&'a self, pool: &'a [u8]) -> &'a [u8] {
        let n = self.len as usize;
        if n <= STR_INLINE_MAX {
            return &self.bytes[..n];
        }
        let off = u32::from_le_bytes([self.bytes[4], self.bytes[5], self.bytes[6], self.bytes[7]]) as usize;
        pool.get(off..off + n).unwrap_or(&[])
    }
}

/// Longest string stored inline in a STR vector cell.
pub const STR_INLINE_MAX: usize = 12;
/// Longest string stored inline in a STR atom (the reference's threshold).
pub const STR_ATOM_SSO_MAX: usize = 6;
