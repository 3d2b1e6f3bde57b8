/* Compiled (not run) as C99, C11, C++11 and C++17 with -Wall -Wextra
 * -Wpedantic -Werror: every shipped header must be clean in each. */
#include <rayforce.h>
#include "core/ipc.h"
#include "core/poll.h"
#include "core/sock.h"
#include "store/serde.h"

int headers_only_probe(ray_t* v);
int headers_only_probe(ray_t* v) {
    return (int)v->type + (int)ray_len(v) + (RAY_IS_ERR(v) ? 1 : 0) + (RAY_ATOM_IS_NULL(v) ? 1 : 0) +
           (ray_data(v) != NULL ? 1 : 0) + (int)sizeof(ray_ipc_server_t) + RAY_VERSION_NUMBER;
}
