#include <rayforce.h>
#include "core/ipc.h"
int main(int argc, char** argv) {
ray_runtime_t* rt = ray_runtime_create(argc, argv);
// Connect to a running server (returns handle or negative error)
int64_t h = ray_ipc_connect("127.0.0.1", 5000, NULL, NULL);
if (h < 0) { printf("Connection failed\n"); return 1; }
// Send a query string
ray_t* query = ray_str("(+ 1 2)", 7);
ray_t* result = ray_ipc_send(h, query);
ray_release(query);
if (!RAY_IS_ERR(result)) {
printf("Result: %lld\n", result->i64);
ray_release(result);
}
ray_ipc_close(h);
ray_runtime_destroy(rt);
return 0;
}
