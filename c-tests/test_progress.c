/* Progress callbacks and the symbol-table snapshot (P2 helpers). */
#define _POSIX_C_SOURCE 200809L
#include <rayforce.h>
#include "check.h"
#include <time.h>

static int fired, finals;
static uint64_t last_done;
static char last_op[32];

static void on_progress(const ray_progress_t* p, void* user) {
    fired++;
    if (p->final) finals++;
    last_done = p->rows_done;
    strncpy(last_op, p->op_name, sizeof last_op - 1);
    *(int*)user = 1;
}

static void sleep_ms(long ms) {
    struct timespec t;
    t.tv_sec = 0;
    t.tv_nsec = ms * 1000000L;
    nanosleep(&t, NULL);
}

static void test_progress_fires_after_min_ms_once_per_tick_and_at_the_end(void) {
    int touched = 0;
    CHECK(!ray_progress_active());
    ray_progress_set_callback(on_progress, &touched, 20, 1000);
    CHECK(ray_progress_active());
    ray_progress_update("scan", "read", 1, 10);
    CHECK(fired == 0); /* not yet min_ms */
    sleep_ms(30);
    ray_progress_update(NULL, NULL, 5, 10);
    CHECK(fired == 1 && last_done == 5 && strcmp(last_op, "scan") == 0 && touched == 1);
    ray_progress_update(NULL, NULL, 6, 10);
    ray_progress_pump();
    CHECK(fired == 1); /* within the tick */
    ray_progress_label("scan2", NULL);
    ray_progress_end();
    CHECK(fired == 2 && finals == 1 && strcmp(last_op, "scan2") == 0);
    ray_progress_dispatch_begin(100);
    ray_progress_end(); /* nothing shown: no final tick */
    CHECK(fired == 2);
    ray_progress_set_callback(NULL, NULL, 0, 0);
    CHECK(!ray_progress_active());
    ray_progress_update("x", "y", 1, 1);
    ray_progress_end();
    CHECK(fired == 2);
}

static void test_sym_strings_snapshot_lists_every_symbol(void) {
    ray_t** strs = NULL;
    uint32_t n = 0;
    int64_t id = ray_sym_intern("snapshot_sym", 12);
    ray_sym_strings_borrow(&strs, &n);
    CHECK(n == ray_sym_count() && strs != NULL && (int64_t)n > id);
    CHECK(strs[id] == ray_sym_str(id) && strcmp(ray_str_ptr(strs[id]), "snapshot_sym") == 0);
    CHECK(ray_str_len(strs[0]) == 0);
    ray_sym_strings_borrow(NULL, NULL);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    RUN(test_progress_fires_after_min_ms_once_per_tick_and_at_the_end);
    RUN(test_sym_strings_snapshot_lists_every_symbol);
    ray_runtime_destroy(rt);
    return FINISH();
}
