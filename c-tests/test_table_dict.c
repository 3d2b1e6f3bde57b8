/* Tables and dicts: layout, consuming/in-place mutators, lookups. */
#include <rayforce.h>
#include "check.h"

static void test_table_columns_are_added_and_read(void) {
    int64_t a = ray_sym_intern("ta", 2), b = ray_sym_intern("tb", 2);
    int64_t xs[3] = {1, 2, 3};
    double ys[3] = {0.5, 1.5, 2.5};
    ray_t* cx = ray_vec_from_raw(RAY_I64, xs, 3);
    ray_t* cy = ray_vec_from_raw(RAY_F64, ys, 3);
    ray_t* t = ray_table_new(2);
    CHECK(t->type == RAY_TABLE && t->len == 2 && ray_table_ncols(t) == 0 && ray_table_nrows(t) == 0);
    t = ray_table_add_col(t, a, cx);
    t = ray_table_add_col(t, b, cy);
    CHECK(cx->rc == 2 && ray_table_ncols(t) == 2 && ray_table_nrows(t) == 3);
    CHECK(ray_table_get_col(t, b) == cy && ray_table_get_col_idx(t, 0) == cx && ray_table_col_name(t, 1) == b);
    CHECK(ray_table_schema(t)->type == RAY_I64 && ray_vec_get_i64(ray_table_schema(t), 0) == a);
    CHECK(((ray_t**)ray_data(t))[0] == ray_table_schema(t));
    CHECK(ray_table_get_col(t, 12345) == NULL && ray_table_get_col_idx(t, 2) == NULL && ray_table_col_name(t, 5) == -1);
    ray_table_set_col_name(t, 1, a);
    CHECK(ray_table_col_name(t, 1) == a);
    ray_table_set_col_idx(t, 0, cy);
    CHECK(ray_table_get_col_idx(t, 0) == cy && cx->rc == 1 && cy->rc == 3);
    ray_table_set_col_idx(t, 7, cx);   /* ignored */
    ray_table_set_col_name(NULL, 0, a); /* ignored */
    ray_release(t);
    CHECK(cy->rc == 1);
    ray_release(cx);
    ray_release(cy);
}

static void test_table_add_col_copies_a_shared_table_and_rejects_bad_columns(void) {
    int64_t xs[1] = {1};
    ray_t* c = ray_vec_from_raw(RAY_I64, xs, 1);
    ray_t* t = ray_table_new(1);
    ray_t* u;
    ray_t* e;
    ray_retain(t);
    u = ray_table_add_col(t, 1, c);
    CHECK(u != t && ray_table_ncols(t) == 0 && ray_table_ncols(u) == 1);
    e = ray_table_add_col(u, 2, NULL);
    CHECK_STR(ray_err_code(e), "type");
    ray_error_free(e);
    e = ray_table_add_col(c, 2, c);
    CHECK_STR(ray_err_code(e), "type");
    ray_error_free(e);
    e = ray_table_new(-1);
    CHECK_STR(ray_err_code(e), "range");
    ray_error_free(e);
    CHECK(ray_table_ncols(NULL) == 0 && ray_table_nrows(c) == 0 && ray_table_schema(c) == NULL);
    ray_release(t); ray_release(t); ray_release(u); ray_release(c);
}

static void test_dict_new_get_and_len(void) {
    int64_t ka = ray_sym_intern("ka", 2), kb = ray_sym_intern("kb", 2);
    int64_t ks[2], vs[2] = {10, 20};
    ray_t* d;
    ray_t* key;
    ray_t* got;
    ks[0] = ka; ks[1] = kb;
    d = ray_dict_new(ray_vec_from_raw(RAY_SYM, ks, 2), ray_vec_from_raw(RAY_I64, vs, 2));
    CHECK(d->type == RAY_DICT && d->len == 2 && ray_dict_len(d) == 2);
    CHECK(ray_dict_keys(d)->type == RAY_SYM && ray_dict_vals(d)->type == RAY_I64);
    key = ray_sym(kb);
    got = ray_dict_get(d, key);
    CHECK(got != NULL && got->type == -RAY_I64 && got->i64 == 20 && got->rc == 1);
    ray_release(got);
    ray_release(key);
    key = ray_sym(ray_sym_intern("kz", 2));
    CHECK(ray_dict_get(d, key) == NULL && ray_dict_get(NULL, key) == NULL && ray_dict_keys(key) == NULL);
    ray_release(key);
    ray_release(d);
}

static void test_dict_new_consumes_both_even_on_error(void) {
    ray_t* e = ray_error("domain", NULL);
    ray_t* r = ray_dict_new(e, ray_vec_new(RAY_I64, 1)); /* vals released */
    CHECK(r == e);
    ray_error_free(e);
    r = ray_dict_new(NULL, ray_vec_new(RAY_I64, 1));
    CHECK_STR(ray_err_code(r), "type");
    ray_error_free(r);
}

static void test_dict_upsert_updates_appends_and_promotes(void) {
    ray_t* k1 = ray_i64(1);
    ray_t* k2 = ray_i64(2);
    ray_t* v1 = ray_f64(1.5);
    ray_t* vs = ray_str("text value", 10);
    ray_t* d = ray_dict_upsert(NULL, k1, v1);   /* fresh dict */
    ray_t* got;
    CHECK(d->type == RAY_DICT && ray_dict_len(d) == 1 && ray_dict_vals(d)->type == RAY_F64);
    d = ray_dict_upsert(d, k2, v1);
    CHECK(ray_dict_len(d) == 2 && ray_dict_keys(d)->type == RAY_I64);
    d = ray_dict_upsert(d, k1, vs);               /* promotes vals to a LIST */
    CHECK(ray_dict_len(d) == 2 && ray_dict_vals(d)->type == RAY_LIST);
    got = ray_dict_get(d, k1);
    CHECK(got == vs && vs->rc == 3);
    ray_release(got);
    got = ray_dict_get(d, k2);
    CHECK(got->type == -RAY_F64 && got->f64 == 1.5);
    ray_release(got);
    d = ray_dict_remove(d, k1);
    CHECK(ray_dict_len(d) == 1 && ray_dict_get(d, k1) == NULL && vs->rc == 1);
    CHECK(ray_dict_remove(d, k1) == d);
    {
        ray_t* e = ray_dict_remove(k1, k1);
        CHECK_STR(ray_err_code(e), "type");
        ray_error_free(e);
        e = ray_dict_upsert(d, NULL, v1); /* d released on error */
        CHECK_STR(ray_err_code(e), "type");
        ray_error_free(e);
    }
    ray_release(k1); ray_release(k2); ray_release(v1); ray_release(vs);
}

static void test_dict_upsert_copies_a_shared_dict(void) {
    ray_t* k = ray_i64(1);
    ray_t* v = ray_i64(2);
    ray_t* w = ray_i64(3);
    ray_t* d = ray_dict_upsert(NULL, k, v);
    ray_t* e;
    ray_retain(d);
    e = ray_dict_upsert(d, k, w);
    CHECK(e != d);
    {
        ray_t* a = ray_dict_get(d, k);
        ray_t* b = ray_dict_get(e, k);
        CHECK(a->i64 == 2 && b->i64 == 3);
        ray_release(a);
        ray_release(b);
    }
    ray_release(d); ray_release(d); ray_release(e); ray_release(k); ray_release(v); ray_release(w);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    RUN(test_table_columns_are_added_and_read);
    RUN(test_table_add_col_copies_a_shared_table_and_rejects_bad_columns);
    RUN(test_dict_new_get_and_len);
    RUN(test_dict_new_consumes_both_even_on_error);
    RUN(test_dict_upsert_updates_appends_and_promotes);
    RUN(test_dict_upsert_copies_a_shared_dict);
    ray_runtime_destroy(rt);
    return FINISH();
}
