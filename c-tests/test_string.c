/* STR vectors (inline cells and pool) and STR atom helpers. */
#include <rayforce.h>
#include "check.h"

static const char* LONG = "a string that is longer than twelve bytes";

static int str_is(ray_t* v, int64_t i, const char* want) {
    size_t n = 99;
    const char* p = ray_str_vec_get(v, i, &n);
    return p != NULL && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void test_string_append_inline_and_pooled(void) {
    ray_t* v = ray_vec_new(RAY_STR, 0);
    v = ray_str_vec_append(v, "short", 5);
    v = ray_str_vec_append(v, LONG, strlen(LONG));
    v = ray_str_vec_append(v, "", 0);
    CHECK(v->len == 3 && str_is(v, 0, "short") && str_is(v, 1, LONG) && str_is(v, 2, ""));
    CHECK(v->str_pool != NULL && v->str_pool->type == RAY_U8);
    CHECK(((uint32_t*)ray_data(v))[0] == 5 && memcmp((char*)ray_data(v) + 4, "short", 5) == 0);
    ray_release(v);
}

static void test_string_get_rejects_bad_input(void) {
    ray_t* v = ray_vec_new(RAY_STR, 1);
    ray_t* i = ray_vec_new(RAY_I64, 1);
    size_t n = 5;
    CHECK(ray_str_vec_get(v, 0, &n) == NULL && n == 0);
    CHECK(ray_str_vec_get(i, 0, &n) == NULL && ray_str_vec_get(NULL, 0, NULL) == NULL);
    {
        ray_t* e = ray_str_vec_append(i, "x", 1);
        CHECK_STR(ray_err_code(e), "type");
        ray_error_free(e);
        e = ray_str_vec_append(v, NULL, 3);
        CHECK_STR(ray_err_code(e), "domain");
        ray_error_free(e);
    }
    ray_release(v);
    ray_release(i);
}

static void test_string_from_parts_honours_nulls(void) {
    const char* ptrs[3] = {"ab", NULL, LONG};
    uint32_t lens[3] = {2, 0, 0};
    uint8_t nulls[3] = {0, 0, 1};
    ray_t* v;
    lens[2] = (uint32_t)strlen(LONG);
    v = ray_str_vec_from_parts(ptrs, lens, nulls, 3);
    CHECK(v->len == 3 && str_is(v, 0, "ab") && str_is(v, 1, "") && str_is(v, 2, ""));
    ray_release(v);
    v = ray_str_vec_from_parts(ptrs, lens, NULL, 3);
    CHECK(str_is(v, 2, LONG));
    ray_release(v);
    v = ray_str_vec_from_parts(ptrs, lens, NULL, -1);
    CHECK_STR(ray_err_code(v), "range");
    ray_error_free(v);
}

static void test_string_set_consumes_and_copies_shared(void) {
    ray_t* v = ray_vec_new(RAY_STR, 2);
    ray_t* w;
    v = ray_str_vec_append(v, "one", 3);
    v = ray_str_vec_append(v, LONG, strlen(LONG));
    ray_retain(v);
    w = ray_str_vec_set(v, 1, "another long string value", 25);
    CHECK(w != v && str_is(w, 1, "another long string value") && str_is(v, 1, LONG));
    w = ray_str_vec_set(w, 0, "x", 1);
    CHECK(str_is(w, 0, "x") && str_is(v, 0, "one"));
    {
        ray_t* e = ray_str_vec_set(w, 2, "x", 1);
        CHECK_STR(ray_err_code(e), "range");
        ray_error_free(e);
    }
    ray_release(v);
    ray_release(v);
    ray_release(w);
}

static void test_string_insert_at_borrows_and_returns_fresh(void) {
    ray_t* v = ray_vec_new(RAY_STR, 2);
    ray_t* r;
    v = ray_str_vec_append(v, "a", 1);
    v = ray_str_vec_append(v, "c", 1);
    r = ray_str_vec_insert_at(v, 1, LONG, strlen(LONG));
    CHECK(r != v && v->len == 2 && r->len == 3 && str_is(r, 1, LONG) && str_is(r, 2, "c") && v->rc == 1);
    ray_release(r);
    r = ray_str_vec_insert_at(v, 3, "x", 1);
    CHECK_STR(ray_err_code(r), "range");
    ray_error_free(r);
    ray_release(v);
}

static void test_string_compact_drops_dead_pool_bytes(void) {
    ray_t* v = ray_vec_new(RAY_STR, 2);
    ray_t* c;
    v = ray_str_vec_append(v, LONG, strlen(LONG));
    c = ray_str_vec_compact(v);
    CHECK(c == v); /* nothing to reclaim */
    v = ray_str_vec_set(c, 0, "tiny", 4);
    CHECK(v->str_pool->len > 0);
    c = ray_str_vec_compact(v);
    CHECK(str_is(c, 0, "tiny") && (c->str_pool == NULL || c->str_pool->len == 0));
    ray_release(c);
}

static void test_string_slices_read_strings(void) {
    ray_t* v = ray_vec_new(RAY_STR, 3);
    ray_t* s;
    v = ray_str_vec_append(v, "a", 1);
    v = ray_str_vec_append(v, LONG, strlen(LONG));
    v = ray_str_vec_append(v, "c", 1);
    s = ray_vec_slice(v, 1, 2);
    CHECK(str_is(s, 0, LONG) && str_is(s, 1, "c"));
    s = ray_str_vec_append(s, "d", 1);
    CHECK(!(s->attrs & RAY_ATTR_SLICE) && s->len == 3 && v->len == 3);
    ray_release(s);
    ray_release(v);
}

static void test_string_atom_helpers_compare_and_reject(void) {
    ray_t* a = ray_str("abc", 3);
    ray_t* b = ray_str("abd", 3);
    ray_t* ab = ray_str("ab", 2);
    ray_t* i = ray_i64(1);
    ray_t* e = ray_error("type", NULL);
    CHECK(ray_str_cmp(a, b) < 0 && ray_str_cmp(b, a) > 0 && ray_str_cmp(a, a) == 0 && ray_str_cmp(ab, a) < 0);
    CHECK(ray_str_cmp(a, NULL) == 0 && ray_str_cmp(e, a) == 0);
    CHECK(ray_str_ptr(NULL) == NULL && ray_str_ptr(e) == NULL && ray_str_len(NULL) == 0 && ray_str_len(e) == 0);
    CHECK(ray_str_ptr(i) == NULL && ray_str_len(i) == 0);
    ray_release(a); ray_release(b); ray_release(ab); ray_release(i);
    ray_error_free(e);
}

int main(void) {
    RUN(test_string_append_inline_and_pooled);
    RUN(test_string_get_rejects_bad_input);
    RUN(test_string_from_parts_honours_nulls);
    RUN(test_string_set_consumes_and_copies_shared);
    RUN(test_string_insert_at_borrows_and_returns_fresh);
    RUN(test_string_compact_drops_dead_pool_bytes);
    RUN(test_string_slices_read_strings);
    RUN(test_string_atom_helpers_compare_and_reject);
    return FINISH();
}
