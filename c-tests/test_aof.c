/* The append-only log C API (storage.md 8): ray_aof_open/append/commit/
 * next_lsn/scan/close without a runtime, the file bytes RayforceDB writes,
 * recovery, and the argument errors. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <rayforce.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"

static char dir[64];

static void sub(char* out, size_t n, const char* name) {
    snprintf(out, n, "%s/%s", dir, name);
}

struct seen {
    int64_t lsns[16];
    char text[16][16];
    int n;
    int stop_after;
};

static bool collect(int64_t lsn, const void* payload, int64_t len, void* ctx) {
    struct seen* s = ctx;
    if (s->n < 16 && len < 16) {
        s->lsns[s->n] = lsn;
        memcpy(s->text[s->n], payload, (size_t)len);
        s->text[s->n][len] = 0;
    }
    s->n++;
    return s->stop_after == 0 || s->n < s->stop_after;
}

static void test_the_reference_example_writes_the_reference_bytes(void) {
    char d[128], seg[192];
    sub(d, sizeof d, "example");
    ray_err_t err = -1;
    ray_aof_t* log = ray_aof_open(d, 0, &err);
    CHECK(log != NULL && err == RAY_OK);
    CHECK(ray_aof_append(log, "hello", 5, &err) == 0);
    CHECK(ray_aof_append(log, NULL, 0, &err) == 1);
    CHECK(ray_aof_commit(log) == RAY_OK);
    CHECK(ray_aof_append(log, "world", 5, &err) == 2);
    CHECK(ray_aof_next_lsn(log) == 3);
    CHECK(ray_aof_close(log) == RAY_OK);
    static const unsigned char want[] = {
        0x05, 0, 0, 0, 0x7a, 0x00, 0xac, 0x5c, 'h', 'e', 'l', 'l', 'o',
        0, 0, 0, 0, 0x1c, 0xdf, 0x44, 0x21,
        0xff, 0xff, 0xff, 0xff, 0xc9, 0x63, 0xad, 0xb0,
        0x05, 0, 0, 0, 0xbf, 0xb7, 0xcb, 0x50, 'w', 'o', 'r', 'l', 'd',
        0xff, 0xff, 0xff, 0xff, 0xc9, 0x63, 0xad, 0xb0,
    };
    unsigned char got[128];
    snprintf(seg, sizeof seg, "%s/00000000000000000000.aof", d);
    FILE* f = fopen(seg, "rb");
    size_t n = f ? fread(got, 1, sizeof got, f) : 0;
    if (f) fclose(f);
    CHECK(n == sizeof want && memcmp(got, want, n) == 0);

    struct seen s = {0};
    CHECK(ray_aof_scan(d, 0, collect, &s, &err) == 3 && err == RAY_OK);
    CHECK(s.n == 3 && s.lsns[2] == 2);
    CHECK_STR(s.text[0], "hello");
    CHECK_STR(s.text[1], "");
    CHECK_STR(s.text[2], "world");
    struct seen some = {.stop_after = 1};
    CHECK(ray_aof_scan(d, 1, collect, &some, &err) == 1 && some.lsns[0] == 1);
}

static void test_a_damaged_commit_frame_before_committed_records_is_corrupt(void) {
    char d[128], seg[192];
    sub(d, sizeof d, "damaged");
    ray_err_t err;
    ray_aof_t* log = ray_aof_open(d, 0, &err);
    ray_aof_append(log, "one", 3, &err);
    ray_aof_commit(log);
    ray_aof_append(log, "two", 3, &err);
    CHECK(ray_aof_close(log) == RAY_OK);
    snprintf(seg, sizeof seg, "%s/00000000000000000000.aof", d);
    FILE* f = fopen(seg, "r+b");
    CHECK(f != NULL);
    if (!f) return;
    fseek(f, 15, SEEK_SET); /* the first commit frame's CRC field */
    fputc(0x00, f);
    fclose(f);
    err = RAY_OK;
    CHECK(ray_aof_open(d, 0, &err) == NULL && err == RAY_ERR_CORRUPT);
    CHECK(ray_error_msg() != NULL && strstr(ray_error_msg(), "00000000000000000000.aof") != NULL);
    struct seen s = {0};
    CHECK(ray_aof_scan(d, 0, collect, &s, &err) == -1 && err == RAY_ERR_CORRUPT && s.n == 0);
}

static void test_bad_arguments_are_refused(void) {
    ray_err_t err = RAY_OK;
    char d[128];
    CHECK(ray_aof_open(NULL, 0, &err) == NULL && err == RAY_ERR_DOMAIN);
    CHECK(ray_aof_open("/proc/rayforce-no-such-dir/aof", 0, &err) == NULL && err == RAY_ERR_IO);
    CHECK(ray_aof_append(NULL, "x", 1, &err) == -1 && err == RAY_ERR_DOMAIN);
    CHECK(ray_aof_commit(NULL) == RAY_ERR_DOMAIN);
    CHECK(ray_aof_next_lsn(NULL) == -1);
    CHECK(ray_aof_close(NULL) == RAY_ERR_DOMAIN);
    CHECK(ray_aof_scan(NULL, 0, collect, NULL, &err) == -1 && err == RAY_ERR_DOMAIN);
    sub(d, sizeof d, "args");
    CHECK(ray_aof_scan(d, 0, NULL, NULL, &err) == -1 && err == RAY_ERR_DOMAIN);
    CHECK(ray_aof_scan(d, 0, collect, &(struct seen){0}, &err) == 0 && err == RAY_OK);
    ray_aof_t* log = ray_aof_open(d, 0, NULL);
    CHECK(log != NULL);
    CHECK(ray_aof_append(log, NULL, 3, &err) == -1 && err == RAY_ERR_DOMAIN);
    CHECK(ray_aof_append(log, "x", -1, &err) == -1 && err == RAY_ERR_DOMAIN);
    CHECK(ray_aof_append(log, "x", 0x100000000LL, &err) == -1 && err == RAY_ERR_LIMIT);
    CHECK(ray_aof_commit(log) == RAY_OK); /* nothing pending: no-op */
    CHECK(ray_aof_close(log) == RAY_OK);
}

int main(void) {
    char cmd[96];
    snprintf(dir, sizeof dir, "/tmp/rayforce-aof-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_the_reference_example_writes_the_reference_bytes);
    RUN(test_a_damaged_commit_frame_before_committed_records_is_corrupt);
    RUN(test_bad_arguments_are_refused);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return FINISH();
}
