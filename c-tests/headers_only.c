/* Compiled (not run) as C99, C11, C++11 and C++17 with -Wall -Wextra
 * -Wpedantic -Werror: every shipped header must be clean in each. */
#include <rayforce.h>
#include <rayforce_internal.h>
#include "core/ipc.h"
#include "core/poll.h"
#include "core/sock.h"
#include "store/serde.h"

int headers_only_probe(ray_t* v);
int headers_only_probe(ray_t* v) {
    return (int)v->type + (int)ray_len(v) + (RAY_IS_ERR(v) ? 1 : 0) + (RAY_ATOM_IS_NULL(v) ? 1 : 0) +
           (ray_data(v) != NULL ? 1 : 0) + (int)sizeof(ray_ipc_server_t) + RAY_VERSION_NUMBER;
}

/* ray_ipc_connect takes 4 or 5 arguments (rayforce_post.h). A later
 * 5-parameter re-declaration expands to itself; the function's address
 * is still the real 5-parameter symbol. */
int64_t ray_ipc_connect(const char* host, uint16_t port, const char* user, const char* password, int timeout_ms);
typedef int64_t (*connect_fn)(const char*, uint16_t, const char*, const char*, int);
int64_t headers_only_connect(int five);
int64_t headers_only_connect(int five) {
    connect_fn fp = ray_ipc_connect;
    connect_fn fp2 = &ray_ipc_connect;
    if (five) return ray_ipc_connect("127.0.0.1", 5000, "u", "p", 100) + (fp == fp2 ? 0 : 1);
    return ray_ipc_connect("127.0.0.1", 5000, NULL, NULL) + (ray_ipc_connect)("h", 1, NULL, NULL, 0);
}
