/* Atom constructors: stored arms, the short-string rule, typed nulls. */
#include <rayforce.h>
#include "check.h"
#include <math.h>

static void test_atom_constructors_store_their_arm(void) {
    ray_t* a[12];
    int k;
    a[0] = ray_bool(true);  a[1] = ray_u8(200);   a[2] = ray_i16(-7);    a[3] = ray_i32(123456);
    a[4] = ray_i64(-5);     a[5] = ray_f32(1.5f); a[6] = ray_f64(-0.25); a[7] = ray_sym(3);
    a[8] = ray_date(-1);    a[9] = ray_time(43200000); a[10] = ray_timestamp(1000); a[11] = ray_i64(0);
    CHECK(a[0]->type == -RAY_BOOL && a[0]->b8 == 1);
    CHECK(a[1]->type == -RAY_U8 && a[1]->u8 == 200);
    CHECK(a[2]->type == -RAY_I16 && a[2]->i16 == -7);
    CHECK(a[3]->type == -RAY_I32 && a[3]->i32 == 123456);
    CHECK(a[4]->type == -RAY_I64 && a[4]->i64 == -5);
    CHECK(a[5]->type == -RAY_F32 && a[5]->f64 == 1.5);
    CHECK(a[6]->type == -RAY_F64 && a[6]->f64 == -0.25);
    CHECK(a[7]->type == -RAY_SYM && a[7]->i64 == 3);
    CHECK(a[8]->type == -RAY_DATE && a[8]->i64 == -1);
    CHECK(a[9]->type == -RAY_TIME && a[9]->i64 == 43200000);
    CHECK(a[10]->type == -RAY_TIMESTAMP && a[10]->i64 == 1000);
    for (k = 0; k < 12; k++) {
        CHECK(a[k]->rc == 1 && a[k]->attrs == 0 && ray_obj_attrs(a[k]) == 0 && !RAY_ATOM_IS_NULL(a[k]));
        ray_release(a[k]);
    }
}

static void test_atom_strings_up_to_six_bytes_live_in_the_header(void) {
    ray_t* s6 = ray_str("abcdef", 6);
    ray_t* s7 = ray_str("(+ 1 2)", 7);
    ray_t* e = ray_str("", 0);
    ray_t* z = ray_str(NULL, 0);
    CHECK(s6->slen == 6 && memcmp(s6->sdata, "abcdef", 7) == 0);
    CHECK(ray_str_ptr(s6) == s6->sdata && ray_str_len(s6) == 6);
    CHECK(s7->obj != NULL && !(s7->slen >= 1 && s7->slen <= 7));
    CHECK(ray_str_len(s7) == 7 && strcmp(ray_str_ptr(s7), "(+ 1 2)") == 0);
    CHECK(ray_str_len(e) == 0 && ray_str_ptr(e)[0] == '\0' && ray_str_len(z) == 0);
    {
        char big[1000];
        ray_t* b;
        memset(big, 'q', sizeof big);
        b = ray_str(big, sizeof big);
        CHECK(ray_str_len(b) == 1000 && ray_str_ptr(b)[999] == 'q' && ray_str_ptr(b)[1000] == '\0');
        ray_release(b);
    }
    ray_release(s6);
    ray_release(s7);
    ray_release(e);
    ray_release(z);
}

static void test_atom_str_rejects_null_bytes_with_length(void) {
    ray_t* e = ray_str(NULL, 3);
    CHECK(RAY_IS_ERR(e));
    CHECK_STR(ray_err_code(e), "domain");
    ray_error_free(e);
}

static void test_atom_guid_copies_sixteen_bytes(void) {
    uint8_t b[16];
    ray_t* g;
    int k;
    for (k = 0; k < 16; k++) b[k] = (uint8_t)(k + 1);
    g = ray_guid(b);
    b[0] = 99;
    CHECK(g->type == -RAY_GUID && g->obj != NULL && ((uint8_t*)g->obj + 32)[0] == 1);
    CHECK(!RAY_ATOM_IS_NULL(g));
    ray_release(g);
    g = ray_guid(NULL);
    CHECK(RAY_IS_ERR(g));
    ray_error_free(g);
}

static void test_atom_typed_nulls_follow_the_reference_matrix(void) {
    static const int8_t nullable[] = {RAY_BOOL, RAY_U8, RAY_I16, RAY_I32, RAY_I64, RAY_F32,
                                      RAY_F64, RAY_DATE, RAY_TIME, RAY_TIMESTAMP, RAY_GUID};
    size_t k;
    for (k = 0; k < sizeof nullable; k++) {
        ray_t* n = ray_typed_null((int8_t)-nullable[k]);
        CHECK(n->type == -nullable[k] && RAY_ATOM_IS_NULL(n));
        ray_release(n);
    }
    {
        ray_t* s = ray_typed_null(-RAY_SYM);
        ray_t* t = ray_typed_null(-RAY_STR);
        ray_t* f = ray_typed_null(-RAY_F64);
        CHECK(!RAY_ATOM_IS_NULL(s) && s->i64 == 0 && !RAY_ATOM_IS_NULL(t) && ray_str_len(t) == 0);
        CHECK(isnan(f->f64));
        ray_release(s);
        ray_release(t);
        ray_release(f);
    }
    {
        ray_t* bad = ray_typed_null(RAY_I64);
        ray_t* bad2 = ray_typed_null(-50);
        CHECK(RAY_IS_ERR(bad) && RAY_IS_ERR(bad2));
        CHECK_STR(ray_err_code(bad), "type");
        ray_error_free(bad);
        ray_error_free(bad2);
    }
    {
        ray_t* z[5];
        int k2;
        z[0] = ray_sym(0); z[1] = ray_str("", 0); z[2] = ray_bool(false); z[3] = ray_u8(0); z[4] = ray_f32(0);
        for (k2 = 0; k2 < 5; k2++) {
            CHECK(!RAY_ATOM_IS_NULL(z[k2]));
            ray_release(z[k2]);
        }
    }
}

static void test_atom_timestamp_now_is_after_2020(void) {
    int64_t now = ray_timestamp_now_ns();
    CHECK(now > (int64_t)631152000 * 1000000000); /* 2020-01-01 */
}

int main(void) {
    RUN(test_atom_constructors_store_their_arm);
    RUN(test_atom_strings_up_to_six_bytes_live_in_the_header);
    RUN(test_atom_str_rejects_null_bytes_with_length);
    RUN(test_atom_guid_copies_sixteen_bytes);
    RUN(test_atom_typed_nulls_follow_the_reference_matrix);
    RUN(test_atom_timestamp_now_is_after_2020);
    return FINISH();
}
