/* Vectors: construction, element access, consuming mutators, fresh-result
 * splices, slices (width-aware, never written through), nulls. */
#include <rayforce.h>
#include "check.h"
#include <math.h>

static ray_t* i64s(const int64_t* xs, int64_t n) { return ray_vec_from_raw(RAY_I64, xs, n); }

static void test_vector_new_validates_type_and_capacity(void) {
    ray_t* v = ray_vec_new(RAY_F64, 10);
    ray_t* s = ray_vec_new(RAY_SYM, 4);
    ray_t* bad[3];
    int k;
    CHECK(v->type == RAY_F64 && v->len == 0 && v->attrs == 0);
    CHECK(s->type == RAY_SYM && (s->attrs & 3) == RAY_SYM_W64 && ray_obj_attrs(s) == RAY_SYM_W64);
    bad[0] = ray_vec_new(RAY_LIST, 1);
    bad[1] = ray_vec_new(RAY_I64, -1);
    bad[2] = ray_vec_new(99, 1);
    CHECK_STR(ray_err_code(bad[0]), "type");
    CHECK_STR(ray_err_code(bad[1]), "range");
    CHECK_STR(ray_err_code(bad[2]), "type");
    for (k = 0; k < 3; k++) ray_error_free(bad[k]);
    ray_release(v);
    ray_release(s);
}

static void test_vector_append_grows_and_may_move(void) {
    ray_t* v = ray_vec_new(RAY_I64, 0);
    int64_t k;
    for (k = 0; k < 1000; k++) v = ray_vec_append(v, &k);
    CHECK(!RAY_IS_ERR(v) && v->len == 1000 && ray_vec_get_i64(v, 999) == 999 && v->rc == 1);
    CHECK(*(int64_t*)ray_vec_get(v, 500) == 500);
    ray_release(v);
}

static void test_vector_append_copies_a_shared_vector(void) {
    int64_t xs[3] = {1, 2, 3}, four = 4;
    ray_t* v = i64s(xs, 3);
    ray_t* w;
    ray_retain(v);
    w = ray_vec_append(v, &four);
    CHECK(w != v && v->len == 3 && v->rc == 1 && w->len == 4 && w->rc == 1);
    ray_release(v);
    ray_release(w);
}

static void test_vector_mutators_reject_bad_input_without_consuming(void) {
    int64_t one = 1;
    ray_t* str = ray_vec_new(RAY_STR, 1);
    ray_t* v = ray_vec_new(RAY_I64, 1);
    ray_t* r;
    r = ray_vec_append(str, &one);
    CHECK(RAY_IS_ERR(r) && str->type == RAY_STR);
    CHECK_STR(ray_err_code(r), "type");
    ray_error_free(r);
    r = ray_vec_set(v, 0, &one);
    CHECK_STR(ray_err_code(r), "range");
    ray_error_free(r);
    r = ray_vec_insert_at(v, 2, &one);
    CHECK_STR(ray_err_code(r), "range");
    ray_error_free(r);
    r = ray_vec_append(v, NULL);
    CHECK_STR(ray_err_code(r), "domain");
    ray_error_free(r);
    r = ray_vec_append(NULL, &one);
    CHECK(RAY_IS_ERR(r));
    ray_error_free(r);
    CHECK(v->rc == 1 && v->len == 0);
    ray_release(v);
    ray_release(str);
}

static void test_vector_errors_flow_through_mutators(void) {
    int64_t one = 1;
    ray_t* e = ray_error("domain", NULL);
    CHECK(ray_vec_append(e, &one) == e && ray_vec_set(e, 0, &one) == e && ray_vec_insert_at(e, 0, &one) == e);
    CHECK(ray_vec_slice(e, 0, 0) == e && ray_vec_concat(e, e) == e);
    ray_error_free(e);
}

static void test_vector_set_and_insert_at(void) {
    int64_t xs[3] = {1, 2, 3}, nine = 9, zero = 0;
    ray_t* v = i64s(xs, 3);
    v = ray_vec_set(v, 1, &nine);
    v = ray_vec_insert_at(v, 0, &zero);
    v = ray_vec_insert_at(v, 4, &nine);
    CHECK(v->len == 5);
    CHECK(ray_vec_get_i64(v, 0) == 0 && ray_vec_get_i64(v, 1) == 1 && ray_vec_get_i64(v, 2) == 9 &&
          ray_vec_get_i64(v, 3) == 3 && ray_vec_get_i64(v, 4) == 9);
    ray_release(v);
}

static void test_vector_getters_widen_and_reject(void) {
    int32_t i32s[2] = {-5, 6};
    float f32s[2] = {1.5f, 2.5f};
    uint8_t bools[2] = {1, 0};
    ray_t* a = ray_vec_from_raw(RAY_I32, i32s, 2);
    ray_t* f = ray_vec_from_raw(RAY_F32, f32s, 2);
    ray_t* b = ray_vec_from_raw(RAY_BOOL, bools, 2);
    CHECK(ray_vec_get_i64(a, 0) == -5 && ray_vec_get_i64(b, 0) == 1 && ray_vec_get_f64(f, 1) == 2.5);
    CHECK(ray_vec_get_i64(a, 2) == 0 && ray_vec_get_i64(a, -1) == 0 && ray_vec_get_i64(f, 0) == 0);
    CHECK(ray_vec_get_f64(a, 0) == 0.0 && ray_vec_get_sym_id(a, 0) == 0 && ray_vec_get_i64(NULL, 0) == 0);
    CHECK(ray_vec_get(a, 2) == NULL && ray_vec_get(NULL, 0) == NULL && ray_obj_type(NULL) == 0);
    CHECK(ray_obj_type(a) == RAY_I32 && ray_obj_attrs(NULL) == 0);
    ray_release(a);
    ray_release(f);
    ray_release(b);
}

static void test_vector_from_raw_validates(void) {
    int64_t xs[2] = {1, 2};
    ray_t* e1 = ray_vec_from_raw(RAY_STR, xs, 1);
    ray_t* e2 = ray_vec_from_raw(RAY_I64, xs, -1);
    ray_t* e3 = ray_vec_from_raw(RAY_I64, NULL, 2);
    ray_t* ok = ray_vec_from_raw(RAY_I64, NULL, 0);
    ray_t* sym = ray_vec_from_raw(RAY_SYM, xs, 2);
    CHECK_STR(ray_err_code(e1), "type");
    CHECK_STR(ray_err_code(e2), "range");
    CHECK_STR(ray_err_code(e3), "domain");
    CHECK(ok->len == 0 && (sym->attrs & 3) == RAY_SYM_W64 && ray_vec_get_sym_id(sym, 1) == 2);
    ray_error_free(e1);
    ray_error_free(e2);
    ray_error_free(e3);
    ray_release(ok);
    ray_release(sym);
}

static void test_vector_slices_share_and_never_write_through(void) {
    int64_t xs[5] = {10, 20, 30, 40, 50}, nine = 9;
    ray_t* v = i64s(xs, 5);
    ray_t* s = ray_vec_slice(v, 1, 3);
    ray_t* s2;
    ray_t* bad = ray_vec_slice(v, 4, 2);
    CHECK(s->attrs & RAY_ATTR_SLICE && s->len == 3 && s->slice_parent == v && s->slice_offset == 1);
    CHECK(v->rc == 2 && ((int64_t*)ray_data(s))[0] == 20 && ray_vec_get_i64(s, 2) == 40);
    CHECK_STR(ray_err_code(bad), "range");
    s2 = ray_vec_slice(s, 1, 2);
    CHECK(s2->slice_parent == v && s2->slice_offset == 2 && ray_vec_get_i64(s2, 0) == 30);
    s = ray_vec_set(s, 0, &nine);
    s = ray_vec_append(s, &nine);
    CHECK(!(s->attrs & RAY_ATTR_SLICE) && ray_vec_get_i64(s, 0) == 9 && s->len == 4);
    CHECK(ray_vec_get_i64(v, 1) == 20 && ray_vec_get_i64(v, 4) == 50); /* parent untouched */
    ray_error_free(bad);
    ray_release(s);
    ray_release(s2);
    CHECK(v->rc == 1);
    ray_release(v);
}

static void test_vector_narrow_sym_slices_use_their_width(void) {
    ray_t* v = ray_sym_vec_new(RAY_SYM_W8, 8);
    ray_t* s;
    uint8_t k;
    for (k = 0; k < 8; k++) v = ray_vec_append(v, &k);
    s = ray_vec_slice(v, 3, 4);
    CHECK(((uint8_t*)ray_data(s))[0] == 3 && ray_vec_get_sym_id(s, 1) == 4);
    CHECK(*(uint8_t*)ray_vec_get(s, 3) == 6);
    CHECK(ray_sym_vec_domain(s) == ray_sym_runtime_domain());
    {
        ray_t* bad = ray_sym_vec_new(7, 1);
        CHECK_STR(ray_err_code(bad), "type");
        ray_error_free(bad);
    }
    ray_release(s);
    ray_release(v);
}

static void test_vector_concat_is_fresh_and_widens_syms(void) {
    int64_t xs[2] = {1, 2}, ys[1] = {3}, big = 70000;
    ray_t* a = i64s(xs, 2);
    ray_t* b = i64s(ys, 1);
    ray_t* c = ray_vec_concat(a, b);
    ray_t* n = ray_sym_vec_new(RAY_SYM_W8, 1);
    ray_t* w = ray_vec_from_raw(RAY_SYM, &big, 1);
    ray_t* nw;
    ray_t* mismatch = ray_vec_concat(a, n);
    uint8_t five = 5;
    CHECK(c->len == 3 && ray_vec_get_i64(c, 2) == 3 && a->rc == 1 && b->rc == 1);
    n = ray_vec_append(n, &five);
    nw = ray_vec_concat(n, w);
    CHECK((nw->attrs & 3) == RAY_SYM_W64 && ray_vec_get_sym_id(nw, 0) == 5 && ray_vec_get_sym_id(nw, 1) == 70000);
    CHECK_STR(ray_err_code(mismatch), "type");
    ray_error_free(mismatch);
    ray_release(a); ray_release(b); ray_release(c); ray_release(n); ray_release(w); ray_release(nw);
}

static void test_vector_insert_vec_at_and_insert_many_return_fresh_results(void) {
    int64_t xs[3] = {10, 20, 30}, ys[2] = {1, 2}, idx[3] = {3, 0, 0}, vals[3] = {7, 8, 9};
    ray_t* v = i64s(xs, 3);
    ray_t* y = i64s(ys, 2);
    ray_t* r = ray_vec_insert_vec_at(v, 1, y);
    ray_t* ix = i64s(idx, 3);
    ray_t* vs = i64s(vals, 3);
    ray_t* m = ray_vec_insert_many(v, ix, vs);
    ray_t* one = ray_i64(0);
    ray_t* m1 = ray_vec_insert_many(v, ix, one);
    ray_t* none = ray_vec_new(RAY_I64, 0);
    ray_t* same = ray_vec_insert_many(v, none, vs);
    ray_t* bad = ray_vec_insert_vec_at(v, 4, y);
    CHECK(r != v && r->len == 5 && ray_vec_get_i64(r, 1) == 1 && ray_vec_get_i64(r, 3) == 20 && v->len == 3);
    /* pre-insertion positions, stable for equal positions: 8 9 10 20 30 7 */
    CHECK(m->len == 6 && ray_vec_get_i64(m, 0) == 8 && ray_vec_get_i64(m, 1) == 9 && ray_vec_get_i64(m, 5) == 7);
    CHECK(m1->len == 6 && ray_vec_get_i64(m1, 0) == 0 && ray_vec_get_i64(m1, 2) == 10);
    CHECK(same == v && v->rc == 2);
    CHECK_STR(ray_err_code(bad), "range");
    ray_error_free(bad);
    ray_release(same);
    ray_release(v); ray_release(y); ray_release(r); ray_release(ix); ray_release(vs);
    ray_release(m); ray_release(one); ray_release(m1); ray_release(none);
}

static void test_vector_nulls_are_written_in_place_and_detected(void) {
    int64_t xs[3] = {1, 2, 3};
    double ds[2] = {1.0, 2.0};
    ray_t* v = i64s(xs, 3);
    ray_t* f = ray_vec_from_raw(RAY_F64, ds, 2);
    ray_t* sym = ray_vec_new(RAY_SYM, 1);
    ray_t* s;
    CHECK(!ray_vec_is_null(v, 1));
    CHECK(ray_vec_set_null_checked(v, 1, true) == RAY_OK);
    CHECK(ray_vec_get_i64(v, 1) == NULL_I64 && (v->attrs & RAY_ATTR_HAS_NULLS) && ray_vec_is_null(v, 1));
    CHECK(!ray_vec_is_null(v, 0) && ray_vec_set_null_checked(v, 0, false) == RAY_OK && !ray_vec_is_null(v, 0));
    CHECK(ray_vec_set_null_checked(v, 3, true) == RAY_ERR_RANGE);
    CHECK(ray_vec_set_null_checked(sym, 0, true) == RAY_ERR_TYPE);
    CHECK(ray_vec_set_null_checked(NULL, 0, true) == RAY_ERR_TYPE);
    s = ray_vec_slice(v, 1, 2);
    CHECK(ray_vec_set_null_checked(s, 0, true) == RAY_ERR_TYPE && ray_vec_is_null(s, 0));
    ray_vec_set_null(f, 0, true);
    CHECK(isnan(ray_vec_get_f64(f, 0)) && ray_vec_is_null(f, 0) && !ray_vec_is_null(f, 1));
    ray_release(s); ray_release(v); ray_release(f); ray_release(sym);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    RUN(test_vector_new_validates_type_and_capacity);
    RUN(test_vector_append_grows_and_may_move);
    RUN(test_vector_append_copies_a_shared_vector);
    RUN(test_vector_mutators_reject_bad_input_without_consuming);
    RUN(test_vector_errors_flow_through_mutators);
    RUN(test_vector_set_and_insert_at);
    RUN(test_vector_getters_widen_and_reject);
    RUN(test_vector_from_raw_validates);
    RUN(test_vector_slices_share_and_never_write_through);
    RUN(test_vector_narrow_sym_slices_use_their_width);
    RUN(test_vector_concat_is_fresh_and_widens_syms);
    RUN(test_vector_insert_vec_at_and_insert_many_return_fresh_results);
    RUN(test_vector_nulls_are_written_in_place_and_detected);
    ray_runtime_destroy(rt);
    return FINISH();
}
