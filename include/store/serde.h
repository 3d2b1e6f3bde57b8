/* store/serde.h -- serialization constants and the IPC frame header.
 * HAND-WRITTEN; the ray_ser/ray_de prototypes are in rayforce.h. */
#ifndef RAYFORCE_STORE_SERDE_H
#define RAYFORCE_STORE_SERDE_H

#include "../rayforce.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAY_SERDE_PREFIX 0xcefadefaU
#define RAY_SERDE_WIRE_VERSION 3
#define RAY_SERDE_NULL 126
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define RAY_SERDE_ENDIAN 1
#else
#define RAY_SERDE_ENDIAN 0
#endif

/* The 16-byte header in front of every IPC payload and ray_ser buffer. */
struct ray_ipc_header {
    uint32_t prefix;  /* RAY_SERDE_PREFIX */
    uint8_t version;  /* RAY_SERDE_WIRE_VERSION */
    uint8_t flags;    /* RAY_IPC_FLAG_* */
    uint8_t endian;   /* RAY_SERDE_ENDIAN of the sender */
    uint8_t msgtype;  /* RAY_IPC_MSG_* */
    int64_t size;     /* payload bytes after this header */
};
RAY__STATIC_ASSERT(sizeof(ray_ipc_header_t) == 16, "ray_ipc_header_t is 16 bytes");

#ifdef __cplusplus
}
#endif

#endif /* RAYFORCE_STORE_SERDE_H */
