/* The C-side witness of the ABI: every offset, size and constant of
 * c-api.md sections 2-3 and 6.4, checked at compile time against our
 * headers, plus the exported data objects checked at run time. */
#include <rayforce.h>
#include "core/ipc.h"
#include "check.h"
#include <math.h>

#define OFF(f, n) _Static_assert(offsetof(ray_t, f) == (n), "offset of " #f)
OFF(aux, 0); OFF(slice_parent, 0); OFF(slice_offset, 8); OFF(_aux_str_lo, 0); OFF(str_pool, 8);
OFF(_aux_sym_lo, 0); OFF(sym_domain, 8); OFF(index, 0); OFF(_idx_pad, 8); OFF(link_lo, 0);
OFF(link_target, 8); OFF(fl_prev, 0); OFF(fl_next, 8); OFF(mmod, 16); OFF(order, 17); OFF(type, 18);
OFF(attrs, 19); OFF(rc, 20); OFF(b8, 24); OFF(u8, 24); OFF(i16, 24); OFF(i32, 24); OFF(u32, 24);
OFF(i64, 24); OFF(f64, 24); OFF(obj, 24); OFF(slen, 24); OFF(sdata, 25); OFF(len, 24); OFF(data, 32);
_Static_assert(sizeof(ray_t) == 32 && _Alignof(ray_t) == 8, "ray_t size and alignment");
_Static_assert(sizeof(((ray_t*)0)->sdata) == 7 && sizeof(((ray_t*)0)->aux) == 16, "array arms");
/* Each field's exact C type, as RayforceDB declares it (c-api.md section 2;
 * bindgen-generated bindings depend on these: `b8` is uint8_t, not bool).
 * Arrays decay to a pointer to their element type. */
#define FTYPE(f, T) _Static_assert(_Generic(((ray_t*)0)->f, T: 1, default: 0), "C type of " #f)
FTYPE(aux, uint8_t*); FTYPE(slice_parent, ray_t*); FTYPE(slice_offset, int64_t); FTYPE(_aux_str_lo, uint8_t*);
FTYPE(str_pool, ray_t*); FTYPE(_aux_sym_lo, uint8_t*); FTYPE(sym_domain, struct ray_sym_domain_s*);
FTYPE(index, ray_t*); FTYPE(_idx_pad, ray_t*); FTYPE(link_lo, uint8_t*); FTYPE(link_target, int64_t);
FTYPE(fl_prev, ray_t*); FTYPE(fl_next, ray_t*); FTYPE(mmod, uint8_t); FTYPE(order, uint8_t); FTYPE(type, int8_t);
FTYPE(attrs, uint8_t); FTYPE(rc, uint32_t); FTYPE(b8, uint8_t); FTYPE(u8, uint8_t); FTYPE(i16, int16_t);
FTYPE(i32, int32_t); FTYPE(u32, uint32_t); FTYPE(i64, int64_t); FTYPE(f64, double); FTYPE(obj, ray_t*);
FTYPE(slen, uint8_t); FTYPE(sdata, char*); FTYPE(len, int64_t); FTYPE(data, uint8_t*);

_Static_assert(RAY_LIST == 0 && RAY_BOOL == 1 && RAY_U8 == 2 && RAY_I16 == 3 && RAY_I32 == 4 &&
               RAY_I64 == 5 && RAY_F32 == 6 && RAY_F64 == 7 && RAY_DATE == 8 && RAY_TIME == 9 &&
               RAY_TIMESTAMP == 10 && RAY_GUID == 11 && RAY_SYM == 12 && RAY_STR == 13, "vector tags");
_Static_assert(RAY_INDEX == 97 && RAY_TABLE == 98 && RAY_DICT == 99 && RAY_LAMBDA == 100 &&
               RAY_UNARY == 101 && RAY_BINARY == 102 && RAY_VARY == 103 && RAY_NULL == 126 &&
               RAY_ERROR == 127, "special tags");
_Static_assert(sizeof(ray_err_t) == 4, "ray_err_t is int-sized");
_Static_assert(RAY_OK == 0 && RAY_ERR_OOM == 1 && RAY_ERR_TYPE == 2 && RAY_ERR_RANGE == 3 &&
               RAY_ERR_LENGTH == 4 && RAY_ERR_RANK == 5 && RAY_ERR_DOMAIN == 6 && RAY_ERR_NYI == 7 &&
               RAY_ERR_IO == 8 && RAY_ERR_SCHEMA == 9 && RAY_ERR_CORRUPT == 10 && RAY_ERR_CANCEL == 11 &&
               RAY_ERR_PARSE == 12 && RAY_ERR_NAME == 13 && RAY_ERR_LIMIT == 14 &&
               RAY_ERR_RESERVED == 15 && RAY_ERR_VERSION == 16, "ray_err_t values");
_Static_assert(RAY_SYM_W8 == 0 && RAY_SYM_W16 == 1 && RAY_SYM_W32 == 2 && RAY_SYM_W64 == 3, "sym widths");
_Static_assert(RAY_ATTR_HAS_INDEX == 0x08 && RAY_ATTR_SLICE == 0x10 && RAY_ATTR_SORTED == 0x20 &&
               RAY_ATTR_HAS_NULLS == 0x40 && RAY_ATTR_ARENA == 0x80, "attrs");
_Static_assert(NULL_I16 == INT16_MIN && NULL_I32 == INT32_MIN && NULL_I64 == INT64_MIN, "null sentinels");
_Static_assert(RAY_VERSION_MAJOR == 2 && RAY_VERSION_MINOR == 5 && RAY_VERSION_PATCH == 12, "version");
_Static_assert(RAY_VERSION_NUMBER == 20512 && RAY_VERSION_AT_LEAST(2, 5, 12) && !RAY_VERSION_AT_LEAST(2, 6, 0), "version number");
_Static_assert(RAY_AOF_DEFAULT_SEGMENT_LIMIT == 268435456, "aof limit");

#define POFF(f, n) _Static_assert(offsetof(ray_progress_t, f) == (n), "progress " #f)
POFF(op_name, 0); POFF(phase, 8); POFF(rows_done, 16); POFF(rows_total, 24); POFF(elapsed_sec, 32);
POFF(mem_used, 40); POFF(mem_total, 48); POFF(final, 56);
_Static_assert(sizeof(ray_progress_t) == 64, "progress size");

#define HOFF(f, n) _Static_assert(offsetof(ray_ipc_header_t, f) == (n), "header " #f)
HOFF(prefix, 0); HOFF(version, 4); HOFF(flags, 5); HOFF(endian, 6); HOFF(msgtype, 7); HOFF(size, 8);
_Static_assert(sizeof(ray_ipc_header_t) == 16, "ipc header size");
#define COFF(f, n) _Static_assert(offsetof(ray_ipc_conn_t, f) == (n), "conn " #f)
COFF(fd, 0); COFF(rx_buf, 8); COFF(rx_len, 16); COFF(rx_need, 24); COFF(phase, 32); COFF(hdr, 40);
_Static_assert(sizeof(ray_ipc_conn_t) == 56, "conn size");
#define SOFF(f, n) _Static_assert(offsetof(ray_ipc_server_t, f) == (n), "server " #f)
SOFF(listen_fd, 0); SOFF(poll_fd, 4); SOFF(conns, 8); SOFF(n_conns, 14344); SOFF(running, 14348);
SOFF(auth_secret, 14349); SOFF(restricted, 14605);
_Static_assert(sizeof(ray_ipc_server_t) == 14608 && _Alignof(ray_ipc_server_t) == 8, "server size");
#define POLLOFF(f, n) _Static_assert(offsetof(struct ray_poll, f) == (n), "poll " #f)
POLLOFF(fd, 0); POLLOFF(code, 8); POLLOFF(sels, 16); POLLOFF(n_sels, 24); POLLOFF(sel_cap, 28);
POLLOFF(auth_secret, 32); POLLOFF(restricted, 288); POLLOFF(timers, 296);
_Static_assert(sizeof(struct ray_poll) == 304, "poll size");
_Static_assert(sizeof(ray_selector_t) == 104 && offsetof(ray_selector_t, fd) == 0, "selector");
_Static_assert(sizeof(ray_poll_reg_t) == 80, "poll reg");
_Static_assert(RAY_IPC_COMPRESS_THRESHOLD == 2000 && RAY_IPC_MSG_ASYNC == 0 && RAY_IPC_MSG_SYNC == 1 &&
               RAY_IPC_MSG_RESP == 2 && RAY_IPC_FLAG_COMPRESSED == 1 && RAY_IPC_FLAG_RESTRICTED == 2 &&
               RAY_IPC_FLAG_VERBOSE == 4 && RAY_IPC_MAX_CONNS == 256, "ipc constants");
_Static_assert(RAY_SERDE_PREFIX == 0xcefadefaU && RAY_SERDE_WIRE_VERSION == 3 && RAY_SERDE_NULL == 126 &&
               RAY_SERDE_ENDIAN == 0, "serde constants");
_Static_assert(sizeof(ray_sock_t) == sizeof(int) && RAY_INVALID_SOCK == -1, "sock");

static void test_abi_static_objects_match_the_reference(void) {
    CHECK(RAY_NULL_OBJ->type == RAY_NULL && RAY_NULL_OBJ->attrs == RAY_ATTR_ARENA);
    CHECK(RAY_NULL_OBJ->rc == 0 && RAY_NULL_OBJ->len == 0 && RAY_NULL_OBJ->mmod == 0 && RAY_NULL_OBJ->order == 0);
    CHECK(RAY_IS_NULL(RAY_NULL_OBJ) && !RAY_IS_ERR(RAY_NULL_OBJ));
    CHECK(RAY_OOM_OBJ->type == RAY_ERROR && RAY_OOM_OBJ->attrs == RAY_ATTR_ARENA && RAY_OOM_OBJ->rc == 0);
    CHECK(RAY_OOM_OBJ->slen == 3 && memcmp(RAY_OOM_OBJ->sdata, "oom", 3) == 0);
    CHECK(RAY_IS_ERR(RAY_OOM_OBJ));
    CHECK(!RAY_IS_ERR((ray_t*)NULL) && !RAY_IS_ERR((ray_t*)(uintptr_t)8));
    CHECK(RAY_ATOM_IS_NULL(RAY_NULL_OBJ));
}

static void test_abi_type_sizes_table(void) {
    static const uint8_t want[15] = {8, 1, 1, 2, 4, 8, 4, 8, 4, 4, 8, 16, 8, 16, 0};
    int i;
    for (i = 0; i < 15; i++) CHECK(ray_type_sizes[i] == want[i]);
    for (i = 15; i < 256; i++) CHECK(ray_type_sizes[i] == 0);
}

static void test_abi_null_float_sentinels_are_nan(void) {
    float f = NULL_F32;
    double d = NULL_F64;
    CHECK(isnan(f) && isnan(d));
}

static void test_abi_version_functions_match_the_macros(void) {
    CHECK(ray_version_major() == RAY_VERSION_MAJOR);
    CHECK(ray_version_minor() == RAY_VERSION_MINOR);
    CHECK(ray_version_patch() == RAY_VERSION_PATCH);
    CHECK_STR(ray_version_string(), "2.5.12");
}

int main(void) {
    RUN(test_abi_static_objects_match_the_reference);
    RUN(test_abi_type_sizes_table);
    RUN(test_abi_null_float_sentinels_are_nan);
    RUN(test_abi_version_functions_match_the_macros);
    return FINISH();
}
