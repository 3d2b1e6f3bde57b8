/* core/ipc.h -- IPC constants and the legacy server structures.
 * HAND-WRITTEN; the ray_ipc_* prototypes are in rayforce.h (including the
 * 4/5-argument ray_ipc_connect). Includes <stdio.h> through rayforce.h. */
#ifndef RAYFORCE_CORE_IPC_H
#define RAYFORCE_CORE_IPC_H

#include "../rayforce.h"
#include "sock.h"
#include "poll.h"
#include "../store/serde.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAY_IPC_COMPRESS_THRESHOLD 2000
#define RAY_IPC_MSG_ASYNC 0
#define RAY_IPC_MSG_SYNC 1
#define RAY_IPC_MSG_RESP 2
#define RAY_IPC_FLAG_COMPRESSED 0x01
#define RAY_IPC_FLAG_RESTRICTED 0x02
#define RAY_IPC_FLAG_VERBOSE 0x04
#define RAY_IPC_MAX_CONNS 256

/* One connection of the legacy server (56 bytes). */
struct ray_ipc_conn {
    int fd;
    uint8_t* rx_buf;
    size_t rx_len;
    size_t rx_need;
    uint8_t phase;
    ray_ipc_header_t hdr;
};

/* The legacy server, allocated by the caller (ray_ipc_server_init).
 * Callers may read listen_fd, write running (stop flag), auth_secret
 * (after init) and restricted. */
struct ray_ipc_server {
    ray_sock_t listen_fd;
    int poll_fd;
    ray_ipc_conn_t conns[RAY_IPC_MAX_CONNS];
    uint32_t n_conns;
    bool running;
    char auth_secret[256];
    bool restricted;
};

RAY__STATIC_ASSERT(sizeof(ray_ipc_conn_t) == 56, "ray_ipc_conn_t is 56 bytes");
RAY__STATIC_ASSERT(offsetof(ray_ipc_conn_t, hdr) == 40, "hdr at 40");
RAY__STATIC_ASSERT(sizeof(ray_ipc_server_t) == 14608, "ray_ipc_server_t is 14608 bytes");
RAY__STATIC_ASSERT(offsetof(ray_ipc_server_t, conns) == 8, "conns at 8");
RAY__STATIC_ASSERT(offsetof(ray_ipc_server_t, n_conns) == 14344, "n_conns at 14344");
RAY__STATIC_ASSERT(offsetof(ray_ipc_server_t, running) == 14348, "running at 14348");
RAY__STATIC_ASSERT(offsetof(ray_ipc_server_t, auth_secret) == 14349, "auth_secret at 14349");
RAY__STATIC_ASSERT(offsetof(ray_ipc_server_t, restricted) == 14605, "restricted at 14605");

#ifdef __cplusplus
}
#endif

#endif /* RAYFORCE_CORE_IPC_H */
