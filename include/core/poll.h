/* core/poll.h -- the event loop's public structures. HAND-WRITTEN; the
 * ray_poll_* prototypes are in rayforce.h. */
#ifndef RAYFORCE_CORE_POLL_H
#define RAYFORCE_CORE_POLL_H

#include "../rayforce.h"
#include "sock.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAY_SEL_STDIN 0
#define RAY_SEL_SOCKET 3

/* One registered descriptor (listener, connection, stdin). Read `fd`
 * (e.g. getsockname on a listener to learn an ephemeral port); the rest is
 * private to the library. */
struct ray_selector {
    int64_t fd;          /* the descriptor */
    int64_t id;          /* selector id (= IPC handle) */
    uint8_t type;        /* RAY_SEL_* */
    uint8_t _private[87];
};
RAY__STATIC_ASSERT(sizeof(ray_selector_t) == 104, "ray_selector_t is 104 bytes");

/* A registration request for ray_poll_register (library-private fields). */
struct ray_poll_reg {
    int64_t fd;
    uint8_t type;
    uint8_t _private[71];
};
RAY__STATIC_ASSERT(sizeof(ray_poll_reg_t) == 80, "ray_poll_reg_t is 80 bytes");

/* A receive buffer. */
struct ray_poll_buf {
    uint8_t* data;
    int64_t len;
    int64_t cap;
};

/* The event loop. Layout-compatible prefix of the reference's struct:
 * write auth_secret (NUL-padded password; empty = no authentication) and
 * restricted before connections arrive. `code` is read and written
 * atomically by the library (a plain int64_t here so C++ can include it). */
struct ray_poll {
    int64_t fd;
    int64_t code;              /* exit code; -1 while running */
    void* sels;
    uint32_t n_sels;
    uint32_t sel_cap;
    char auth_secret[256];
    bool restricted;
    uint8_t _pad[7];
    void* timers;
};
RAY__STATIC_ASSERT(offsetof(struct ray_poll, auth_secret) == 32, "auth_secret at 32");
RAY__STATIC_ASSERT(offsetof(struct ray_poll, restricted) == 288, "restricted at 288");
RAY__STATIC_ASSERT(sizeof(struct ray_poll) == 304, "struct ray_poll is 304 bytes");

#ifdef __cplusplus
}
#endif

#endif /* RAYFORCE_CORE_POLL_H */
