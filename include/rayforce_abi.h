/*
 * rayforce_abi.h -- HAND-WRITTEN part of the librayforce C API.
 *
 * Everything cbindgen cannot express lives here: the ray_t union with its
 * anonymous members and flexible payload, the type tags, ray_err_t, the
 * accessor macros and static inline helpers, the exported data objects,
 * the opaque and callback typedefs, and the C-variadic ray_error.
 * rayforce.h (generated from src/ffi) includes this file first; include
 * <rayforce.h>, not this file.
 *
 * Layout and values are identical to RayforceDB v2.5.12's public header
 * (see the README section "Layout").
 */
#ifndef RAYFORCE_ABI_H
#define RAYFORCE_ABI_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <assert.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===== Version ===== */
/* The API level this library implements (from Cargo.toml; checked by make test). */
#ifndef RAY_VERSION_MAJOR
#define RAY_VERSION_MAJOR 2
#endif
#ifndef RAY_VERSION_MINOR
#define RAY_VERSION_MINOR 5
#endif
#ifndef RAY_VERSION_PATCH
#define RAY_VERSION_PATCH 12
#endif
#define RAY_VERSION_NUMBER (RAY_VERSION_MAJOR * 10000 + RAY_VERSION_MINOR * 100 + RAY_VERSION_PATCH)
#define RAY_VERSION_AT_LEAST(a, b, c) (RAY_VERSION_NUMBER >= ((a) * 10000 + (b) * 100 + (c)))

/* ===== Type tags (negated for atoms) ===== */
#define RAY_LIST       0
#define RAY_BOOL       1
#define RAY_U8         2
#define RAY_I16        3
#define RAY_I32        4
#define RAY_I64        5
#define RAY_F32        6
#define RAY_F64        7
#define RAY_DATE       8
#define RAY_TIME       9
#define RAY_TIMESTAMP 10
#define RAY_GUID      11
#define RAY_SYM       12
#define RAY_STR       13
#define RAY_INDEX     97
#define RAY_TABLE     98
#define RAY_DICT      99
#define RAY_LAMBDA   100
#define RAY_UNARY    101
#define RAY_BINARY   102
#define RAY_VARY     103
#define RAY_NULL     126
#define RAY_ERROR    127

/* ===== Attribute bits (meaning depends on the type) ===== */
/* SYM vectors: cell width code in attrs & 3 (1 << code bytes per cell). */
#define RAY_SYM_W8  0
#define RAY_SYM_W16 1
#define RAY_SYM_W32 2
#define RAY_SYM_W64 3
/* Vectors: an accelerator index is attached (bytes 0..7). */
#define RAY_ATTR_HAS_INDEX 0x08
/* Vectors: zero-copy slice view (payload read through ray_data). */
#define RAY_ATTR_SLICE     0x10
/* Vectors: verified non-descending. */
#define RAY_ATTR_SORTED    0x20
/* Vectors: a null sentinel may be present. */
#define RAY_ATTR_HAS_NULLS 0x40
/* Arena/static objects: retain, release and free are no-ops. */
#define RAY_ATTR_ARENA     0x80

/* ===== Error codes ===== */
typedef enum {
    RAY_OK = 0,
    RAY_ERR_OOM = 1,
    RAY_ERR_TYPE = 2,
    RAY_ERR_RANGE = 3,
    RAY_ERR_LENGTH = 4,
    RAY_ERR_RANK = 5,
    RAY_ERR_DOMAIN = 6,
    RAY_ERR_NYI = 7,
    RAY_ERR_IO = 8,
    RAY_ERR_SCHEMA = 9,
    RAY_ERR_CORRUPT = 10,
    RAY_ERR_CANCEL = 11,
    RAY_ERR_PARSE = 12,
    RAY_ERR_NAME = 13,
    RAY_ERR_LIMIT = 14,
    RAY_ERR_RESERVED = 15,
    RAY_ERR_VERSION = 16
} ray_err_t;

/* ===== Opaque types (original tags kept for forward declarations) ===== */
struct ray_sym_domain_s;
typedef struct ray_runtime_s ray_runtime_t;
typedef struct ray_poll ray_poll_t;
typedef struct ray_aof_s ray_aof_t;
/* Defined in core/poll.h, core/ipc.h and store/serde.h. */
typedef struct ray_selector ray_selector_t;
typedef struct ray_poll_reg ray_poll_reg_t;
typedef struct ray_poll_buf ray_poll_buf_t;
typedef struct ray_ipc_header ray_ipc_header_t;
typedef struct ray_ipc_conn ray_ipc_conn_t;
typedef struct ray_ipc_server ray_ipc_server_t;

/* ===== The object header =====
 * A 32-byte header followed by the payload (data, offset 32). All arms are
 * anonymous: write v->type, v->len, v->i64, v->str_pool directly. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#endif
typedef union ray_t {
    struct {
        union {
            uint8_t aux[16];
            /* slice views: ultimate parent vector and element offset */
            struct { union ray_t* slice_parent; int64_t slice_offset; };
            /* STR vectors: the string pool (a U8 vector) */
            struct { uint8_t _aux_str_lo[8]; union ray_t* str_pool; };
            /* SYM vectors: the resolution domain */
            struct { uint8_t _aux_sym_lo[8]; struct ray_sym_domain_s* sym_domain; };
            /* vectors with RAY_ATTR_HAS_INDEX: the attached accelerator */
            struct { union ray_t* index; union ray_t* _idx_pad; };
            /* linked I32/I64 columns: sym id of the target table */
            struct { uint8_t link_lo[8]; int64_t link_target; };
        };
        uint8_t mmod;   /* memory mode (library-private) */
        uint8_t order;  /* allocator block order (library-private) */
        int8_t type;    /* type tag: < 0 atom, 0 LIST, 1..13 vectors, 97.. special */
        uint8_t attrs;  /* type-dependent flag bits */
        uint32_t rc;    /* reference count (diagnostics only) */
        union {
            uint8_t b8;     /* BOOL atoms: 0 or 1 (uint8_t, as RayforceDB declares it) */
            uint8_t u8;
            int16_t i16;
            int32_t i32;
            uint32_t u32;
            int64_t i64;
            double f64;     /* F64 atoms, and F32 atoms widened to double */
            union ray_t* obj;
            struct { uint8_t slen; char sdata[7]; };
            int64_t len;    /* element count of vectors and lists */
        };
        uint8_t data[];     /* payload */
    };
    /* allocator free-list overlay (only while a block is free) */
    struct { union ray_t* fl_prev; union ray_t* fl_next; };
} ray_t;
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Portable compile-time check (C99 / C++98: a negative array size). */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define RAY__STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define RAY__STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#define RAY__STATIC_ASSERT(cond, msg) extern int ray__static_assert_check[(cond) ? 1 : -1]
#endif

RAY__STATIC_ASSERT(sizeof(ray_t) == 32, "ray_t is a 32-byte header");

/* ===== Exported data ===== */
/* The untyped null object; compare pointers with RAY_IS_NULL. */
extern ray_t __ray_null;
/* The static out-of-memory error (code "oom"). */
extern ray_t __ray_oom;
/* Element size in bytes of each vector type, indexed by type tag. */
extern const uint8_t ray_type_sizes[256];

#define RAY_NULL_OBJ (&__ray_null)
#define RAY_OOM_OBJ (&__ray_oom)
#define RAY_IS_NULL(p) ((p) == RAY_NULL_OBJ)
/* True iff p is an error object (pointers 0..31 are never errors). */
#define RAY_IS_ERR(p) \
    ((p) != NULL && (uintptr_t)(p) > 31 && ((const ray_t*)(p))->type == RAY_ERROR)

#if defined(DEBUG) || defined(RAY_HARDENED)
#define RAY_ASSERT_VALUE(x) assert((x) != NULL)
#else
#define RAY_ASSERT_VALUE(x) ((void)0)
#endif

#define ray_type(v) ((v)->type)
#define ray_is_atom(v) ((v)->type < 0 || (v)->type >= RAY_LAMBDA)
#define ray_is_vec(v) ((v)->type >= RAY_BOOL && (v)->type <= RAY_STR)
#define ray_len(v) ((v)->len)

/* ===== Null sentinels ===== */
#define NULL_I16 ((int16_t)INT16_MIN)
#define NULL_I32 ((int32_t)INT32_MIN)
#define NULL_I64 ((int64_t)INT64_MIN)
#define NULL_F32 ((float)__builtin_nanf(""))
#define NULL_F64 (__builtin_nan(""))

/* ===== Functions the inline helpers call (also in rayforce.h) ===== */
void* ray_data_slice_path(ray_t* v);
struct ray_sym_domain_s* ray_sym_runtime_domain(void);

/* Payload address of a vector or list (slice-aware). */
static inline void* ray_data_fn(ray_t* v) {
    if (__builtin_expect((v->attrs & RAY_ATTR_SLICE) != 0, 0))
        return ray_data_slice_path(v);
    return (void*)v->data;
}
#define ray_data(v) ray_data_fn(v)
#define ray_slice_data(v) ray_data_fn(v)

/* The domain a SYM vector's cells resolve over (the runtime domain unless
 * the vector was adopted into another one). */
static inline struct ray_sym_domain_s* ray_sym_vec_domain(ray_t* v) {
    ray_t* base = (v->attrs & RAY_ATTR_SLICE) ? v->slice_parent : v;
    if (base != NULL && base->sym_domain != NULL)
        return base->sym_domain;
    return ray_sym_runtime_domain();
}

/* Typed-null test of an atom (true for RAY_NULL_OBJ; false for NULL and
 * for vectors, lists and other non-atoms). */
static inline bool ray_atom_is_null_fn(ray_t* x) {
    if (x == NULL) return false;
    if (x == RAY_NULL_OBJ) return true;
    if (x->type >= 0) return false;
    switch (-x->type) {
    case RAY_F64: return x->f64 != x->f64;
    case RAY_F32: { float f = (float)x->f64; return f != f; }
    case RAY_I64:
    case RAY_TIMESTAMP: return x->i64 == NULL_I64;
    case RAY_I32:
    case RAY_DATE:
    case RAY_TIME: return x->i32 == NULL_I32;
    case RAY_I16: return x->i16 == NULL_I16;
    case RAY_SYM:
    case RAY_STR: return false;
    case RAY_GUID: {
        const uint8_t* g;
        int i;
        if (x->obj == NULL) return true;
        g = (const uint8_t*)x->obj + 32;
        for (i = 0; i < 16; i++)
            if (g[i] != 0) return false;
        return true;
    }
    default: return (x->aux[0] & 1) != 0;
    }
}
#define RAY_ATOM_IS_NULL(x) ray_atom_is_null_fn(x)

/* ===== Progress reporting ===== */
typedef struct {
    const char* op_name;
    const char* phase;
    uint64_t rows_done;
    uint64_t rows_total;
    double elapsed_sec;
    int64_t mem_used;
    int64_t mem_total;
    bool final;
} ray_progress_t;
RAY__STATIC_ASSERT(sizeof(ray_progress_t) == 64, "ray_progress_t is 64 bytes");

/* Progress callback (must not unwind: C++ callers must not throw). */
typedef void (*ray_progress_cb)(const ray_progress_t* progress, void* user);

/* ===== Append-only file ===== */
typedef bool (*ray_aof_scan_cb_t)(int64_t lsn, const void* payload, int64_t len, void* ctx);
#define RAY_AOF_DEFAULT_SEGMENT_LIMIT ((int64_t)256 * 1024 * 1024)

/* ===== Errors: the variadic constructor =====
 * A new error object (rc 1) with `code` (copied, truncated to 7 bytes; NULL
 * gives an empty code). `fmt` is printf-formatted into this thread's message
 * buffer, read with ray_error_msg() (NULL fmt clears it). Never returns NULL:
 * RAY_OOM_OBJ if even the error cannot be allocated. Free with ray_error_free
 * (ray_release is a no-op on errors). */
union ray_t* ray_error(const char* code, const char* fmt, ...);

#ifdef __cplusplus
}
#endif

#endif /* RAYFORCE_ABI_H */
