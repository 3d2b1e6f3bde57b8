/* The C API's speed, each figure beside a baseline measured in the same run
 * (`make bench-c`; ratios are the figures to read, this VM's clock varies):
 *
 *  - ray_ser + ray_de of a 10M-element I64 vector vs memcpy of its 80 MB
 *    into a warm buffer and into a fresh malloc'd one (what a decoder must
 *    produce; the library keeps large freed blocks, so it writes warm
 *    memory from the second round on);
 *  - ray_ipc_compress / ray_ipc_decompress of that serialized vector vs a
 *    warm memcpy of the same bytes (the reference compresses ~0.6 GB/s);
 *  - a round trip of "(+ 1 2)" through ray_ipc_connect/ray_ipc_send to a
 *    server served by ray_poll_run in a thread, vs a raw loopback TCP
 *    ping-pong of the same frame sizes (p50 of many).
 */
#define _GNU_SOURCE
#include <rayforce.h>
#include "core/ipc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *xs, int n) {
    qsort(xs, n, sizeof *xs, cmp_double);
    return xs[n / 2];
}

#define REPS 7
#define TIME(out, body)                                    \
    do {                                                   \
        double ts_[REPS];                                  \
        for (int r_ = 0; r_ < REPS; r_++) {                \
            double t0_ = now();                            \
            body;                                          \
            ts_[r_] = now() - t0_;                         \
        }                                                  \
        (out) = median(ts_, REPS);                         \
    } while (0)

static void row(const char *name, size_t bytes, double t, const char *base_name, double base) {
    printf("%-34s %7.2f GB/s  %6.1f%% of %s (%.2f GB/s)\n", name, bytes / t / 1e9, 100.0 * base / t, base_name,
           bytes / base / 1e9);
}

static volatile size_t sink;

/* ---- raw loopback ping-pong (the round-trip baseline) ---------------------- */

struct echo { int listen_fd; size_t req, resp; };

static void *echo_server(void *arg) {
    struct echo *e = arg;
    int c = accept(e->listen_fd, NULL, NULL);
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char buf[256];
    for (;;) {
        size_t got = 0;
        while (got < e->req) {
            ssize_t n = read(c, buf + got, e->req - got);
            if (n <= 0) { close(c); return NULL; }
            got += n;
        }
        if (write(c, buf, e->resp) != (ssize_t)e->resp) { close(c); return NULL; }
    }
}

static double raw_round_trip_p50(int n, size_t req, size_t resp) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &al)) return -1;
    struct echo e = { l, req, resp };
    pthread_t t;
    pthread_create(&t, NULL, echo_server, &e);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) return -1;
    char buf[256] = { 0 };
    double *ts = malloc(n * sizeof *ts);
    for (int i = 0; i < n; i++) {
        double t0 = now();
        if (write(s, buf, req) != (ssize_t)req) return -1;
        size_t got = 0;
        while (got < resp) {
            ssize_t k = read(s, buf + got, resp - got);
            if (k <= 0) return -1;
            got += k;
        }
        ts[i] = now() - t0;
    }
    close(s);
    pthread_join(t, NULL);
    close(l);
    double p50 = median(ts, n);
    free(ts);
    return p50;
}

/* ---- the server under test ---------------------------------------------- */

static void *serve(void *poll) {
    ray_poll_run((ray_poll_t *)poll);
    return NULL;
}

int main(int argc, char **argv) {
    ray_runtime_t *rt = ray_runtime_create(argc, argv);
    if (!rt) { fprintf(stderr, "no runtime\n"); return 1; }

    /* ser + de */
    const int64_t n = 10000000;
    ray_t *v = ray_vec_new(RAY_I64, n);
    int64_t *d = (int64_t *)ray_data(v);
    for (int64_t i = 0; i < n; i++) d[i] = i;
    v->len = n;
    size_t bytes = (size_t)n * 8;
    char *src = malloc(bytes), *warm = malloc(bytes);
    memcpy(src, d, bytes);
    memcpy(warm, src, bytes);
    double t_warm, t_fresh, t_ser, t_de, t_serde;
    TIME(t_warm, memcpy(warm, src, bytes); sink += warm[bytes / 2]);
    TIME(t_fresh, { char *f = malloc(bytes); memcpy(f, src, bytes); sink += f[bytes / 3]; free(f); });
    ray_t *frame = NULL;
    TIME(t_ser, { if (frame) ray_release(frame); frame = ray_ser(v); });
    if (RAY_IS_ERR(frame)) { fprintf(stderr, "ray_ser failed\n"); return 1; }
    TIME(t_de, { ray_t *back = ray_de(frame); sink += back->len; ray_release(back); });
    TIME(t_serde, { ray_t *f = ray_ser(v); ray_t *back = ray_de(f); sink += back->len; ray_release(back); ray_release(f); });
    printf("=== C API bench (median of %d; GB/s of the 80 MB payload) ===\n", REPS);
    row("baseline: memcpy into fresh memory", bytes, t_fresh, "warm memcpy", t_warm);
    row("ray_ser 10M i64", bytes, t_ser, "warm memcpy", t_warm);
    row("ray_de 10M i64", bytes, t_de, "warm memcpy", t_warm);
    row("", bytes, t_de, "fresh memcpy", t_fresh);
    row("ray_ser + ray_de 10M i64", bytes, t_serde, "warm memcpy", t_warm);
    row("", bytes, t_serde, "fresh memcpy", t_fresh);

    /* compression of the serialized payload (after the 16-byte header) */
    const uint8_t *payload = (const uint8_t *)ray_data(frame) + 16;
    size_t plen = (size_t)frame->len - 16;
    uint8_t *cbuf = malloc(plen), *dbuf = malloc(plen);
    size_t clen = 0;
    double t_c, t_d, t_pwarm;
    TIME(t_pwarm, memcpy(dbuf, payload, plen); sink += dbuf[plen / 2]);
    TIME(t_c, clen = ray_ipc_compress(payload, plen, cbuf, plen));
    if (clen == 0) { fprintf(stderr, "ray_ipc_compress refused\n"); return 1; }
    TIME(t_d, sink += ray_ipc_decompress(cbuf, clen, dbuf, plen));
    if (memcmp(dbuf, payload, plen) != 0) { fprintf(stderr, "round trip differs\n"); return 1; }
    printf("ray_ipc_compress: %zu -> %zu bytes (%.0f%%)\n", plen, clen, 100.0 * clen / plen);
    row("ray_ipc_compress", plen, t_c, "warm memcpy", t_pwarm);
    row("ray_ipc_decompress", plen, t_d, "warm memcpy", t_pwarm);
    printf("%-34s %7.2f x the reference's ~0.6 GB/s\n", "ray_ipc_compress speed", plen / t_c / 1e9 / 0.6);

    /* IPC round trip */
    ray_poll_t *poll = ray_poll_create();
    int64_t id = ray_ipc_listen(poll, 0);
    int port = ray_ipc_listen_port(poll, id);
    pthread_t server;
    pthread_create(&server, NULL, serve, poll);
    int64_t h = ray_ipc_connect("127.0.0.1", (uint16_t)port, NULL, NULL, 5000);
    if (h < 0) { fprintf(stderr, "connect failed: %lld\n", (long long)h); return 1; }
    const int trips = 20000;
    double *ts = malloc(trips * sizeof *ts);
    ray_t *q = ray_str("(+ 1 2)", 7);
    for (int i = 0; i < trips; i++) {
        double t0 = now();
        ray_t *r = ray_ipc_send(h, q);
        ts[i] = now() - t0;
        if (RAY_IS_ERR(r) || r->i64 != 3) { fprintf(stderr, "bad answer\n"); return 1; }
        ray_release(r);
    }
    double ipc = median(ts, trips);
    ray_release(q);
    ray_ipc_close(h);
    ray_poll_exit(poll, 0);
    pthread_join(server, NULL);
    ray_poll_destroy(poll);
    /* The same frame sizes: 33-byte request, 26-byte response. */
    double raw = raw_round_trip_p50(trips, 33, 26);
    printf("%-34s %7.1f us   %.2fx a raw TCP ping-pong (%.1f us)\n", "ray_ipc_send (+ 1 2) p50", ipc * 1e6, ipc / raw,
           raw * 1e6);

    free(ts);
    free(cbuf);
    free(dbuf);
    free(src);
    free(warm);
    ray_release(frame);
    ray_release(v);
    ray_runtime_destroy(rt);
    return 0;
}
