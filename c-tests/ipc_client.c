/* IPC through the C API: a server in a forked child (runtime + poll +
 * ray_ipc_listen on an ephemeral port), the client in this process. */
#define _POSIX_C_SOURCE 200809L
#include <rayforce.h>
#include "core/ipc.h"
#include "check.h"
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t server_pid = -1;

/* Forks a server; `password` NULL for none. Returns its port (-1 on failure). */
static int start_server(const char* password, bool restricted) {
    int fds[2];
    int port = -1;
    pid_t pid;
    if (pipe(fds) != 0) return -1;
    pid = fork();
    if (pid == 0) {
        ray_runtime_t* rt;
        ray_poll_t* poll;
        int64_t id;
        close(fds[0]);
        rt = ray_runtime_create(0, NULL);
        poll = ray_poll_create();
        if (password) strncpy(poll->auth_secret, password, sizeof poll->auth_secret - 1);
        poll->restricted = restricted;
        id = ray_ipc_listen(poll, 0);
        port = ray_ipc_listen_port(poll, id);
        if (write(fds[1], &port, sizeof port) != (ssize_t)sizeof port) _exit(1);
        close(fds[1]);
        ray_poll_run(poll);
        ray_poll_destroy(poll);
        ray_runtime_destroy(rt);
        _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], &port, sizeof port) != (ssize_t)sizeof port) port = -1;
    close(fds[0]);
    server_pid = pid;
    return port;
}

static void stop_server(void) {
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

static bool is_err_code(ray_t* r, const char* code) {
    bool ok = r != NULL && RAY_IS_ERR(r) && strcmp(ray_err_code(r), code) == 0;
    if (r != NULL && RAY_IS_ERR(r)) ray_error_free(r);
    else if (r != NULL) ray_release(r);
    return ok;
}

static void test_ipc_requests_answers_errors_async_and_close(void) {
    int port = start_server(NULL, false);
    int64_t h;
    ray_t *q, *r, *n;
    CHECK(port > 0);
    h = ray_ipc_connect("127.0.0.1", (uint16_t)port, NULL, NULL);
    CHECK(h >= 0);
    q = ray_str("(+ 1 2)", 7);
    r = ray_ipc_send(h, q);
    CHECK(r != NULL && !RAY_IS_ERR(r) && r->type == -RAY_I64 && r->i64 == 3);
    if (r && !RAY_IS_ERR(r)) ray_release(r);
    else if (r) ray_error_free(r);
    ray_release(q);
    n = ray_i64(99);
    r = ray_ipc_send(h, n);
    CHECK(r != NULL && !RAY_IS_ERR(r) && r->i64 == 99);
    if (r && !RAY_IS_ERR(r)) ray_release(r);
    q = ray_str("(+ 1 \"a\")", 9);
    CHECK(is_err_code(ray_ipc_send(h, q), "type"));
    ray_release(q);
    q = ray_str("(set zz 5)", 10);
    CHECK(ray_ipc_send_async(h, q) == RAY_OK);
    ray_release(q);
    q = ray_str("zz", 2);
    r = ray_ipc_send(h, q);
    CHECK(r != NULL && !RAY_IS_ERR(r) && r->i64 == 5);
    if (r && !RAY_IS_ERR(r)) ray_release(r);
    ray_release(q);
    r = ray_ipc_send_verbose(h, n);
    CHECK(r != NULL && !RAY_IS_ERR(r) && r->type == RAY_LIST && ray_len(r) == 2);
    if (r && !RAY_IS_ERR(r)) ray_release(r);
    ray_ipc_close(h);
    ray_ipc_close(h);
    CHECK(is_err_code(ray_ipc_send(h, n), "io"));
    CHECK(ray_ipc_send_async(h, n) == RAY_ERR_IO);
    CHECK(ray_ipc_send_async(-1, n) == RAY_ERR_IO);
    ray_release(n);
    stop_server();
    /* Nobody listens any more. */
    CHECK(ray_ipc_connect("127.0.0.1", (uint16_t)port, NULL, NULL, 500) == -1);
}

static void test_ipc_connect_codes_for_password_servers(void) {
    int port = start_server("secret", false);
    int64_t h;
    CHECK(port > 0);
    CHECK(ray_ipc_connect("127.0.0.1", (uint16_t)port, NULL, NULL, 2000) == -2);
    CHECK(ray_ipc_connect("127.0.0.1", (uint16_t)port, "user", "wrong", 2000) == -3);
    h = ray_ipc_connect("localhost", (uint16_t)port, "user", "secret", 2000);
    CHECK(h >= 0);
    ray_ipc_close(h);
    stop_server();
}

static void test_ipc_read_only_server_refuses_mutation_with_access(void) {
    int port = start_server("pw", true);
    int64_t h;
    ray_t *q, *r;
    CHECK(port > 0);
    h = ray_ipc_connect("127.0.0.1", (uint16_t)port, NULL, "pw", 2000);
    CHECK(h >= 0);
    q = ray_str("(set x 1)", 9);
    CHECK(is_err_code(ray_ipc_send(h, q), "access"));
    ray_release(q);
    q = ray_str("(+ 2 3)", 7);
    r = ray_ipc_send(h, q);
    CHECK(r != NULL && !RAY_IS_ERR(r) && r->i64 == 5);
    if (r && !RAY_IS_ERR(r)) ray_release(r);
    ray_release(q);
    ray_ipc_close(h);
    stop_server();
}

int main(void) {
    RUN(test_ipc_requests_answers_errors_async_and_close);
    RUN(test_ipc_connect_codes_for_password_servers);
    RUN(test_ipc_read_only_server_refuses_mutation_with_access);
    return FINISH();
}
