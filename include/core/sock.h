/* core/sock.h -- socket handle type. HAND-WRITTEN. */
#ifndef RAYFORCE_CORE_SOCK_H
#define RAYFORCE_CORE_SOCK_H

#include "../rayforce.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A socket descriptor (POSIX: a file descriptor). */
typedef int ray_sock_t;
#define RAY_INVALID_SOCK (-1)

#ifdef __cplusplus
}
#endif

#endif /* RAYFORCE_CORE_SOCK_H */
