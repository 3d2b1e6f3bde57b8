/*
 * rayforce_post.h -- HAND-WRITTEN; included at the end of rayforce.h, after
 * every prototype. Include <rayforce.h>, not this file.
 */
#ifndef RAYFORCE_POST_H
#define RAYFORCE_POST_H

/* ray_ipc_connect accepts 4 or 5 arguments: the 4-argument form (older
 * examples) passes timeout_ms = 0, the default. Only calls are rewritten:
 * `&ray_ipc_connect`, `fp = ray_ipc_connect` and `(ray_ipc_connect)(...)`
 * still name the real 5-parameter function. */
#define RAY_IPC__CONNECT4(h, p, u, pw) ray_ipc_connect(h, p, u, pw, 0)
#define RAY_IPC__CONNECT5(h, p, u, pw, t) ray_ipc_connect(h, p, u, pw, t)
#define RAY_IPC__PICK(_1, _2, _3, _4, _5, NAME, ...) NAME
#define ray_ipc_connect(...) \
    RAY_IPC__PICK(__VA_ARGS__, RAY_IPC__CONNECT5, RAY_IPC__CONNECT4, _)(__VA_ARGS__)

#endif /* RAYFORCE_POST_H */
