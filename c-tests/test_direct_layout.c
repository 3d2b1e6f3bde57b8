/* A client that reads the object layout directly, as RayforceDB programs
 * do: v->type, v->i64, v->f64, v->len, v->slen/sdata, ray_data(v),
 * RAY_IS_ERR(e), RAY_ATOM_IS_NULL(x), and the bulk-fill pattern. */
#include <rayforce.h>
#include "check.h"

static void test_direct_atoms_are_read_through_the_header(void) {
    ray_t* i = ray_i64(42);
    ray_t* f = ray_f64(2.5);
    ray_t* s = ray_str("abc", 3);
    ray_t* b = ray_bool(true);
    CHECK(i->type == -RAY_I64 && i->i64 == 42 && i->rc == 1 && ray_is_atom(i) && !ray_is_vec(i));
    CHECK(f->type == -RAY_F64 && f->f64 == 2.5);
    CHECK(s->type == -RAY_STR && s->slen == 3 && memcmp(s->sdata, "abc", 4) == 0);
    CHECK(b->type == -RAY_BOOL && b->b8 == 1 && ray_type(b) == -RAY_BOOL);
    CHECK(!RAY_IS_ERR(i) && !RAY_ATOM_IS_NULL(i));
    ray_release(i);
    ray_release(f);
    ray_release(s);
    ray_release(b);
}

static void test_direct_vectors_are_filled_and_read_through_ray_data(void) {
    ray_t* v = ray_vec_new(RAY_I64, 100);
    int64_t* d;
    int64_t k, sum = 0;
    CHECK(v->type == RAY_I64 && v->len == 0 && ray_is_vec(v));
    d = (int64_t*)ray_data(v);
    for (k = 0; k < 100; k++) d[k] = k;
    v->len = 100;
    d = (int64_t*)ray_data(v);
    for (k = 0; k < ray_len(v); k++) sum += d[k];
    CHECK(sum == 4950);
    CHECK(ray_vec_get_i64(v, 99) == 99);
    {
        ray_t* u8 = ray_vec_new(RAY_U8, 5);
        memcpy(ray_data(u8), "hello", 5);
        u8->len = 5;
        CHECK(memcmp(ray_data(u8), "hello", 5) == 0 && ray_vec_get_i64(u8, 4) == 'o');
        ray_release(u8);
    }
    ray_release(v);
}

static void test_direct_errors_and_nulls_are_recognised(void) {
    ray_t* e = ray_vec_new(RAY_LIST, 1);
    ray_t* n = ray_typed_null(-RAY_I64);
    CHECK(RAY_IS_ERR(e) && e->type == RAY_ERROR);
    CHECK_STR(ray_err_code(e), "type");
    CHECK(RAY_ATOM_IS_NULL(n) && n->i64 == NULL_I64);
    CHECK(RAY_ATOM_IS_NULL(RAY_NULL_OBJ) && RAY_IS_NULL(RAY_NULL_OBJ));
    ray_error_free(e);
    ray_release(n);
}

static void test_direct_lists_expose_child_pointers(void) {
    ray_t* l = ray_list_new(2);
    ray_t* one = ray_i64(1);
    ray_t** slots;
    l = ray_list_append(l, one);
    l = ray_list_append(l, NULL);
    slots = (ray_t**)ray_data(l);
    CHECK(l->type == RAY_LIST && l->len == 2 && slots[0] == one && slots[1] == NULL);
    CHECK(one->rc == 2);
    ray_release(one);
    ray_release(l);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    CHECK(rt != NULL);
    RUN(test_direct_atoms_are_read_through_the_header);
    RUN(test_direct_vectors_are_filled_and_read_through_ray_data);
    RUN(test_direct_errors_and_nulls_are_recognised);
    RUN(test_direct_lists_expose_child_pointers);
    ray_runtime_destroy(rt);
    return FINISH();
}
