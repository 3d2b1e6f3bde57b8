/* Runtime lifecycle, __RUNTIME, interrupts, ray_eval_str and ray_fmt. */
#define _POSIX_C_SOURCE 200809L
#include <rayforce.h>
#include "check.h"
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern ray_runtime_t* __RUNTIME;

static void test_runtime_create_publishes_the_handle_and_refuses_a_second(void) {
    ray_runtime_t* rt;
    CHECK(__RUNTIME == NULL && ray_sys_total_ram() == 0);
    rt = ray_runtime_create(0, NULL);
    CHECK(rt != NULL && __RUNTIME == rt);
    CHECK(ray_runtime_create(0, NULL) == NULL);
    { /* builtins are bound at creation */
        ray_t* plus = ray_env_get(ray_sym_find("+", 1));
        CHECK(plus != NULL && plus->type >= RAY_UNARY && plus->type <= RAY_VARY && ray_sym_count() > 100);
    }
    ray_runtime_destroy(NULL);
    CHECK(__RUNTIME == rt);
    ray_runtime_destroy(rt);
    CHECK(__RUNTIME == NULL);
}

static void test_runtime_sym_file_status_is_reported(void) {
    ray_err_t err = RAY_ERR_IO;
    ray_runtime_t* rt = ray_runtime_create_with_sym_err("/nonexistent/dir/rayforce.sym", &err);
    CHECK(rt != NULL && err == RAY_OK);
    ray_runtime_destroy(rt);
    rt = ray_runtime_create_with_sym(NULL);
    CHECK(rt != NULL && __RUNTIME == rt);
    ray_runtime_destroy(rt);
    rt = ray_runtime_create_with_sym_err(NULL, NULL);
    CHECK(rt != NULL);
    ray_runtime_destroy(rt);
}

static void test_runtime_sym_snapshot_round_trips_and_reports_bad_files(void) {
    char path[128], garbage[128], dir[128];
    ray_err_t err = RAY_ERR_IO;
    ray_runtime_t* rt;
    int64_t id;
    FILE* f;
    snprintf(path, sizeof path, "/tmp/rayforce-ctest-%d.sym", (int)getpid());
    snprintf(garbage, sizeof garbage, "/tmp/rayforce-ctest-%d.bad", (int)getpid());
    snprintf(dir, sizeof dir, "/tmp/rayforce-ctest-%d.dir", (int)getpid());
    CHECK(ray_sym_save(path) == RAY_ERR_IO); /* no runtime */
    rt = ray_runtime_create(0, NULL);
    id = ray_sym_intern("snapshot_symbol", 15);
    CHECK(ray_sym_save(NULL) == RAY_ERR_IO);
    CHECK(ray_sym_save(path) == RAY_OK);
    CHECK(ray_sym_load(path) == RAY_OK);
    CHECK(ray_sym_load("/nonexistent/dir/rayforce.sym") == RAY_ERR_IO);
    ray_runtime_destroy(rt);
    rt = ray_runtime_create_with_sym_err(path, &err);
    CHECK(rt != NULL && err == RAY_OK && ray_sym_find("snapshot_symbol", 15) == id);
    ray_runtime_destroy(rt);
    f = fopen(garbage, "wb");
    CHECK(f != NULL);
    fputs("not a symbol file", f);
    fclose(f);
    rt = ray_runtime_create_with_sym_err(garbage, &err);
    CHECK(rt != NULL && err == RAY_ERR_CORRUPT);
    CHECK(ray_sym_load(garbage) == RAY_ERR_CORRUPT);
    ray_runtime_destroy(rt);
    CHECK(mkdir(dir, 0700) == 0);
    rt = ray_runtime_create_with_sym_err(dir, &err);
    CHECK(rt != NULL && err == RAY_ERR_IO);
    ray_runtime_destroy(rt);
    remove(path);
    remove(garbage);
    rmdir(dir);
    snprintf(path + strlen(path), sizeof path - strlen(path), ".lk");
    remove(path);
    snprintf(garbage + strlen(garbage), sizeof garbage - strlen(garbage), ".lk");
    remove(garbage);
}

static void test_runtime_eval_str_evaluates_and_reports_errors(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    ray_t* r = ray_eval_str("(* 5 6)");
    ray_t* p = ray_eval_str("(+ 1");
    ray_t* n = ray_eval_str(NULL);
    CHECK(r != NULL && r->type == -RAY_I64 && r->i64 == 30);
    CHECK(RAY_IS_ERR(p));
    CHECK_STR(ray_err_code(p), "parse");
    CHECK(RAY_IS_ERR(n));
    ray_release(r);
    ray_error_free(p);
    ray_error_free(n);
    ray_runtime_destroy(rt);
    r = ray_eval_str("1");
    CHECK(RAY_IS_ERR(r)); /* no runtime */
    ray_error_free(r);
}

static void* eval_on_thread(void* arg) {
    ray_t* r = ray_eval_str("(+ 40 2)");
    *(int64_t*)arg = (r != NULL && !RAY_IS_ERR(r)) ? r->i64 : -1;
    if (RAY_IS_ERR(r)) ray_error_free(r); else ray_release(r);
    return NULL;
}

static void test_runtime_eval_works_on_another_thread(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    pthread_t th;
    int64_t got = 0;
    CHECK(pthread_create(&th, NULL, eval_on_thread, &got) == 0);
    pthread_join(th, NULL);
    CHECK(got == 42);
    ray_runtime_destroy(rt);
}

static void test_runtime_interrupt_cancels_evaluation(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    ray_t* r;
    CHECK(ray_sys_total_ram() > 0);
    CHECK(!ray_interrupted());
    ray_request_interrupt();
    CHECK(ray_interrupted());
    r = ray_eval_str("(+ 1 2)");
    CHECK_STR(ray_err_code(r), "cancel");
    ray_error_free(r);
    ray_clear_interrupt();
    CHECK(!ray_interrupted());
    r = ray_eval_str("(+ 1 2)");
    CHECK(!RAY_IS_ERR(r) && r->i64 == 3);
    ray_release(r);
    ray_runtime_destroy(rt);
}

static void* interrupt_after_200ms(void* unused) {
    struct timespec t = {0, 200 * 1000000L};
    (void)unused;
    nanosleep(&t, NULL);
    ray_request_interrupt();
    return NULL;
}

/* ray_request_interrupt from another thread stops a running evaluation
   (about 20 million lambda calls, seconds in any build); evaluations fail
   with "cancel" until ray_clear_interrupt. */
static void test_runtime_interrupt_from_another_thread_stops_a_running_eval(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    pthread_t th;
    ray_t* r;
    CHECK(pthread_create(&th, NULL, interrupt_after_200ms, NULL) == 0);
    r = ray_eval_str("(fold (fn [a i] (+ a (fold (fn [b x] (+ b x)) 0 (til 1000)))) 0 (til 20000))");
    pthread_join(th, NULL);
    CHECK(RAY_IS_ERR(r));
    CHECK_STR(ray_err_code(r), "cancel");
    ray_error_free(r);
    r = ray_eval_str("(+ 1 2)");
    CHECK_STR(ray_err_code(r), "cancel");
    ray_error_free(r);
    ray_clear_interrupt();
    r = ray_eval_str("(fold (fn [a i] (+ a i)) 0 (til 10000))");
    CHECK(!RAY_IS_ERR(r) && r->i64 == 49995000);
    ray_release(r);
    ray_runtime_destroy(rt);
}

static void test_runtime_fmt_renders_like_the_repl(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    ray_t* i = ray_i64(42);
    ray_t* d = ray_date(0);
    ray_t* t = ray_time(43200000);
    ray_t* fi = ray_fmt(i, 0);
    ray_t* fd = ray_fmt(d, 0);
    ray_t* ft = ray_fmt(t, 0);
    ray_t* fn = ray_fmt(NULL, 0);
    CHECK(fi->type == -RAY_STR && ray_str_len(fi) == 2 && strcmp(ray_str_ptr(fi), "42") == 0);
    CHECK(strcmp(ray_str_ptr(fd), "2000.01.01") == 0);
    CHECK(strcmp(ray_str_ptr(ft), "12:00:00.000") == 0);
    CHECK(RAY_IS_ERR(fn) && i->rc == 1);
    ray_release(i); ray_release(d); ray_release(t);
    ray_release(fi); ray_release(fd); ray_release(ft);
    ray_error_free(fn);
    ray_runtime_destroy(rt);
}

static void test_runtime_env_is_cleared_by_destroy(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    int64_t id = ray_sym_intern("rt_keep", 7);
    ray_t* v = ray_i64(1);
    CHECK(ray_env_set(id, v) == RAY_OK && v->rc == 2);
    ray_runtime_destroy(rt);
    CHECK(v->rc == 1);
    rt = ray_runtime_create(0, NULL);
    CHECK(ray_env_get(id) == NULL);
    ray_runtime_destroy(rt);
    ray_release(v);
}

int main(void) {
    RUN(test_runtime_create_publishes_the_handle_and_refuses_a_second);
    RUN(test_runtime_sym_file_status_is_reported);
    RUN(test_runtime_sym_snapshot_round_trips_and_reports_bad_files);
    RUN(test_runtime_eval_str_evaluates_and_reports_errors);
    RUN(test_runtime_eval_works_on_another_thread);
    RUN(test_runtime_interrupt_cancels_evaluation);
    RUN(test_runtime_interrupt_from_another_thread_stops_a_running_eval);
    RUN(test_runtime_fmt_renders_like_the_repl);
    RUN(test_runtime_env_is_cleared_by_destroy);
    return FINISH();
}
