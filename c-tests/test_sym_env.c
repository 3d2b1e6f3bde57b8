/* Symbols and the global environment. */
#include <rayforce.h>
#include "check.h"

static void test_sym_intern_find_and_str(void) {
    int64_t id = ray_sym_intern("alpha_sym", 9);
    int64_t again = ray_sym_intern("alpha_sym", 9);
    ray_t* s = ray_sym_str(id);
    CHECK(id > 0 && again == id && ray_sym_find("alpha_sym", 9) == id);
    CHECK(ray_sym_find("never_interned_zz", 17) == -1);
    CHECK(ray_sym_intern("", 0) == 0);
    CHECK(s->type == -RAY_STR && (s->attrs & RAY_ATTR_ARENA) && ray_str_len(s) == 9);
    CHECK(strcmp(ray_str_ptr(s), "alpha_sym") == 0 && ray_sym_str(id) == s);
    ray_release(s); /* a no-op on symbol strings */
    ray_release(s);
    CHECK(ray_str_len(ray_sym_str(id)) == 9);
    CHECK(ray_sym_str(-1) == NULL && ray_sym_str(1000000000) == NULL);
    CHECK(ray_sym_count() > (uint32_t)id && ray_sym_init() == RAY_OK && ray_sym_intern_runtime("alpha_sym", 9) == id);
    CHECK(ray_sym_intern(NULL, 3) == -1 && ray_sym_find(NULL, 2) == -1);
}

static void test_sym_dotted_names_intern_their_segments(void) {
    int64_t id = ray_sym_intern("ns_q.col_q", 10);
    CHECK(id >= 0 && ray_sym_find("ns_q", 4) >= 0 && ray_sym_find("col_q", 5) >= 0);
}

static void test_sym_domain_helpers_use_the_runtime_domain(void) {
    struct ray_sym_domain_s* d = ray_sym_runtime_domain();
    int64_t id = ray_sym_intern("dom_sym", 7);
    ray_t* v = ray_vec_new(RAY_SYM, 1);
    ray_t* w = ray_sym_vec_new(RAY_SYM_W8, 1);
    CHECK(d != NULL && ray_sym_vec_domain(v) == d);
    CHECK(ray_sym_domain_find(d, "dom_sym", 7) == id && ray_sym_domain_count(d) == (int64_t)ray_sym_count());
    CHECK(ray_sym_domain_str(d, id) == ray_sym_str(id) && ray_sym_domain_runtime_lut(d) == NULL);
    CHECK(ray_sym_domain_str(NULL, id) == NULL && ray_sym_domain_find(NULL, "x", 1) == -1);
    ray_sym_vec_adopt_domain(w, v);
    ray_sym_vec_adopt_domain(NULL, v);
    CHECK(ray_sym_vec_domain(w) == d && ray_sym_ensure_cap(10));
    ray_release(v);
    ray_release(w);
}

static void test_env_set_retains_and_get_borrows(void) {
    int64_t id = ray_sym_intern("env_val_x", 9);
    ray_t* v = ray_i64(7);
    ray_t* w = ray_i64(8);
    CHECK(ray_env_get(id) == NULL);
    CHECK(ray_env_set(id, v) == RAY_OK && v->rc == 2 && ray_env_get(id) == v);
    CHECK(ray_env_set(id, w) == RAY_OK && v->rc == 1 && ray_env_get(id) == w);
    CHECK(ray_env_set(id, NULL) == RAY_ERR_TYPE);
    ray_release(v);
    ray_release(w);
}

static void test_env_rejects_reserved_names_but_not_ipc_hooks(void) {
    ray_t* v = ray_i64(1);
    CHECK(ray_env_set(ray_sym_intern(".sys.thing", 10), v) == RAY_ERR_RESERVED);
    CHECK(ray_env_set(ray_sym_intern(".ipc.on.open", 12), v) == RAY_OK);
    CHECK(ray_env_set(-5, v) == RAY_ERR_DOMAIN);
    ray_release(v);
}

static void test_env_dotted_names_walk_table_columns(void) {
    int64_t t = ray_sym_intern("envtab", 6), c = ray_sym_intern("px", 2);
    int64_t xs[2] = {1, 2};
    ray_t* col = ray_vec_from_raw(RAY_I64, xs, 2);
    ray_t* tbl = ray_table_add_col(ray_table_new(1), c, col);
    CHECK(ray_env_set(t, tbl) == RAY_OK);
    CHECK(ray_env_get(ray_sym_intern("envtab.px", 9)) == col);
    CHECK(ray_env_get(ray_sym_intern("envtab.nope", 11)) == NULL);
    ray_release(tbl);
    ray_release(col);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    RUN(test_sym_intern_find_and_str);
    RUN(test_sym_dotted_names_intern_their_segments);
    RUN(test_sym_domain_helpers_use_the_runtime_domain);
    RUN(test_env_set_retains_and_get_borrows);
    RUN(test_env_rejects_reserved_names_but_not_ipc_hooks);
    RUN(test_env_dotted_names_walk_table_columns);
    ray_runtime_destroy(rt);
    return FINISH();
}
