/* Allocation, reference counting (atomic, any thread), copy-on-write,
 * raw buffers. */
#define _POSIX_C_SOURCE 200809L
#include <rayforce.h>
#include "check.h"
#include <pthread.h>

static void* churn(void* arg) {
    ray_t* v = (ray_t*)arg;
    int k;
    for (k = 0; k < 100000; k++) {
        ray_retain(v);
        ray_release(v);
    }
    ray_release(v); /* the reference main handed to this thread */
    return NULL;
}

static void test_rc_is_atomic_across_threads(void) {
    ray_t* v = ray_vec_new(RAY_I64, 4);
    pthread_t th[4];
    int k;
    for (k = 0; k < 4; k++) {
        ray_retain(v);
        CHECK(pthread_create(&th[k], NULL, churn, v) == 0);
    }
    for (k = 0; k < 4; k++) pthread_join(th[k], NULL);
    CHECK(v->rc == 1);
    ray_release(v);
}

static void test_alloc_builds_objects_by_hand(void) {
    ray_t* v = ray_alloc(3 * sizeof(int64_t));
    ray_t* z = ray_alloc(0);
    int64_t* d;
    CHECK(v != NULL && v->rc == 1 && v->type == 0 && v->attrs == 0 && ((uintptr_t)v % 16) == 0);
    v->type = RAY_I64;
    d = (int64_t*)ray_data(v);
    d[0] = 1; d[1] = 2; d[2] = 3;
    v->len = 3;
    CHECK(ray_vec_get_i64(v, 2) == 3);
    v = ray_vec_append(v, &d[0]);
    CHECK(v->len == 4 && ray_vec_get_i64(v, 3) == 1);
    ray_release(v);
    ray_free(z);
}

static void test_free_ignores_refcount_and_releases_children(void) {
    ray_t* child = ray_i64(5);
    ray_t* l = ray_list_new(1);
    l = ray_list_append(l, child);
    ray_retain(l);
    CHECK(l->rc == 2 && child->rc == 2);
    ray_free(l);
    CHECK(child->rc == 1);
    ray_free(NULL);
    ray_free(RAY_NULL_OBJ);
    {
        ray_t* e = ray_error("type", NULL);
        ray_free(e); /* no-op on errors */
        CHECK(RAY_IS_ERR(e));
        ray_error_free(e);
    }
    ray_release(child);
}

static void test_rc_static_objects_are_never_counted(void) {
    ray_retain(RAY_NULL_OBJ);
    ray_release(RAY_NULL_OBJ);
    ray_release(RAY_NULL_OBJ);
    ray_retain(NULL);
    ray_release(NULL);
    CHECK(RAY_NULL_OBJ->rc == 0 && RAY_NULL_OBJ->type == RAY_NULL);
}

static void test_cow_copies_only_shared_objects(void) {
    int64_t xs[3] = {1, 2, 3};
    ray_t* v = ray_vec_from_raw(RAY_I64, xs, 3);
    ray_t* c;
    ray_t* s;
    CHECK(ray_cow(v) == v && v->rc == 1);
    ray_retain(v);
    c = ray_cow(v);
    CHECK(c != v && v->rc == 1 && c->rc == 1 && ray_vec_get_i64(c, 2) == 3);
    s = ray_vec_slice(v, 1, 2);
    s = ray_cow(s);
    CHECK(!(s->attrs & RAY_ATTR_SLICE) && ray_vec_get_i64(s, 0) == 2 && v->rc == 1);
    CHECK(ray_cow(NULL) == NULL && ray_cow(RAY_NULL_OBJ) == RAY_NULL_OBJ);
    ray_release(v); ray_release(c); ray_release(s);
}

static void test_raw_buffers_grow_and_zero(void) {
    unsigned char* p = (unsigned char*)ray_alloc_raw(10);
    unsigned char* z = (unsigned char*)ray_calloc_raw(64);
    int k, zero = 1;
    CHECK(p != NULL && z != NULL);
    memset(p, 7, 10);
    p = (unsigned char*)ray_realloc_raw(p, 100000);
    CHECK(p != NULL && p[9] == 7);
    for (k = 0; k < 64; k++) zero &= z[k] == 0;
    CHECK(zero);
    ray_free_raw(p);
    ray_free_raw(z);
    ray_free_raw(NULL);
    p = (unsigned char*)ray_realloc_raw(NULL, 8);
    CHECK(p != NULL);
    ray_free_raw(p);
}

int main(void) {
    RUN(test_alloc_builds_objects_by_hand);
    RUN(test_free_ignores_refcount_and_releases_children);
    RUN(test_rc_static_objects_are_never_counted);
    RUN(test_cow_copies_only_shared_objects);
    RUN(test_raw_buffers_grow_and_zero);
    RUN(test_rc_is_atomic_across_threads);
    return FINISH();
}
