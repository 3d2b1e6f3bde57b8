/* Lists: item ownership (retain on store, release on replace/free). */
#include <rayforce.h>
#include "check.h"

static void test_list_append_retains_items(void) {
    ray_t* l = ray_list_new(0);
    ray_t* a = ray_i64(1);
    int k;
    for (k = 0; k < 100; k++) l = ray_list_append(l, a);
    CHECK(l->len == 100 && a->rc == 101 && ray_list_get(l, 99) == a);
    ray_release(l);
    CHECK(a->rc == 1);
    ray_release(a);
}

static void test_list_new_zeroes_slots_and_checks_capacity(void) {
    ray_t* l = ray_list_new(4);
    ray_t* bad = ray_list_new(-1);
    CHECK(l->type == RAY_LIST && l->len == 0 && ((ray_t**)ray_data(l))[3] == NULL);
    CHECK_STR(ray_err_code(bad), "range");
    ray_error_free(bad);
    ray_release(l);
}

static void test_list_set_releases_the_old_item(void) {
    ray_t* l = ray_list_new(1);
    ray_t* a = ray_i64(1);
    ray_t* b = ray_i64(2);
    ray_t* e;
    l = ray_list_append(l, a);
    l = ray_list_set(l, 0, b);
    CHECK(a->rc == 1 && b->rc == 2 && ray_list_get(l, 0) == b);
    e = ray_list_set(l, 1, a);
    CHECK_STR(ray_err_code(e), "range");
    ray_error_free(e);
    CHECK(ray_list_get(l, 1) == NULL && ray_list_get(l, -1) == NULL && ray_list_get(NULL, 0) == NULL);
    ray_release(l);
    ray_release(a);
    ray_release(b);
}

static void test_list_shared_lists_are_copied_on_write(void) {
    ray_t* l = ray_list_new(1);
    ray_t* a = ray_i64(1);
    ray_t* m;
    l = ray_list_append(l, a);
    ray_retain(l);
    m = ray_list_append(l, a);
    CHECK(m != l && l->len == 1 && m->len == 2 && a->rc == 4);
    ray_release(l);
    ray_release(l);
    ray_release(m);
    CHECK(a->rc == 1);
    ray_release(a);
}

static void test_list_insert_at_consumes_and_insert_many_is_fresh(void) {
    ray_t* l = ray_list_new(2);
    ray_t* a = ray_i64(1);
    ray_t* b = ray_i64(2);
    ray_t* x = ray_str("x", 1);
    int64_t pos[2] = {2, 0};
    ray_t* idx = ray_vec_from_raw(RAY_I64, pos, 2);
    ray_t* vals = ray_list_new(1);
    ray_t* m;
    l = ray_list_append(l, a);
    l = ray_list_append(l, b);
    l = ray_list_insert_at(l, 1, x);
    CHECK(l->len == 3 && ray_list_get(l, 1) == x && ray_list_get(l, 2) == b);
    vals = ray_list_append(vals, x);
    m = ray_list_insert_many(l, idx, vals);
    CHECK(m != l && l->len == 3 && m->len == 5 && ray_list_get(m, 0) == x && ray_list_get(m, 3) == x);
    {
        ray_t* e = ray_list_insert_at(l, 9, a);
        CHECK_STR(ray_err_code(e), "range");
        ray_error_free(e);
        e = ray_list_append(idx, a); /* not a list */
        CHECK_STR(ray_err_code(e), "type");
        ray_error_free(e);
    }
    ray_release(m);
    ray_release(l);
    ray_release(vals);
    ray_release(idx);
    CHECK(a->rc == 1 && b->rc == 1 && x->rc == 1);
    ray_release(a); ray_release(b); ray_release(x);
}

static void test_list_errors_flow_through(void) {
    ray_t* e = ray_error("domain", NULL);
    CHECK(ray_list_append(e, NULL) == e && ray_list_set(e, 0, NULL) == e && ray_list_insert_at(e, 0, NULL) == e);
    ray_error_free(e);
}

int main(void) {
    RUN(test_list_append_retains_items);
    RUN(test_list_new_zeroes_slots_and_checks_capacity);
    RUN(test_list_set_releases_the_old_item);
    RUN(test_list_shared_lists_are_copied_on_write);
    RUN(test_list_insert_at_consumes_and_insert_many_is_fresh);
    RUN(test_list_errors_flow_through);
    return FINISH();
}
