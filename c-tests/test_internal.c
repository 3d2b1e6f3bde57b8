/* rayforce_internal.h: ray_eval, ray_lazy_materialize and the builtins in
 * argument-array form, as RayforceDB's rayforce-sys bindings call them
 * (arguments borrowed, result a new reference). */
#include <rayforce.h>
#include <rayforce_internal.h>
#include "check.h"

static int64_t id(const char* s) {
    return ray_sym_intern(s, strlen(s));
}

/* An unquoted SYM atom: what ray_sym gives, a name reference when evaluated. */
static ray_t* name(const char* s) {
    return ray_sym(id(s));
}

/* A LIST of the given items; the list takes over their references. */
static ray_t* list3(ray_t* a, ray_t* b, ray_t* c) {
    ray_t* l = ray_list_new(3);
    l = ray_list_append(l, a);
    l = ray_list_append(l, b);
    if (c != NULL) l = ray_list_append(l, c);
    ray_release(a);
    ray_release(b);
    if (c != NULL) ray_release(c);
    return l;
}

static int is_err(ray_t* r, const char* code) {
    int ok = RAY_IS_ERR(r) && strcmp(ray_err_code(r), code) == 0;
    if (RAY_IS_ERR(r)) ray_error_free(r);
    return ok;
}

/* True for an error object of any code (freed). */
static int is_any_err(ray_t* r) {
    int ok = RAY_IS_ERR(r);
    if (ok) ray_error_free(r);
    return ok;
}

static ray_t* trades(void) {
    return ray_eval_str("(table [name px] (list [AAPL MSFT] [1 2]))");
}

static void test_eval_calls_a_list_with_a_function_head(void) {
    ray_t* expr = list3(name("+"), ray_i64(1), ray_i64(2));
    ray_t* r = ray_eval(expr);
    CHECK(r->type == -RAY_I64 && r->i64 == 3);
    CHECK(expr->rc == 1 && expr->type == RAY_LIST && expr->len == 3); /* borrowed */
    ray_release(r);
    ray_release(expr);
}

static void test_eval_looks_up_names_and_returns_data_as_is(void) {
    ray_t* v = ray_i64(42);
    ray_t* n = name("internal_x");
    ray_t* r;
    CHECK(ray_env_set(id("internal_x"), v) == RAY_OK);
    r = ray_eval(n);
    CHECK(r->type == -RAY_I64 && r->i64 == 42);
    ray_release(r);
    ray_release(n);
    ray_release(v);
    r = ray_eval(n = name("internal_undefined"));
    CHECK(is_err(r, "name"));
    ray_release(n);
    v = ray_str("(+ 1 2)", 7); /* a string is data, not source */
    r = ray_eval(v);
    CHECK(r->type == -RAY_STR && ray_str_len(r) == 7);
    ray_release(r);
    ray_release(v);
    CHECK(is_err(ray_eval(NULL), "type"));
}

static void test_eval_keeps_a_nested_list_without_a_function_head_as_data(void) {
    ray_t* row = list3(name("TSLA"), ray_i64(3), NULL);
    ray_t* t = trades();
    ray_t* expr = list3(name("insert"), t, row);
    ray_t* r = ray_eval(expr);
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 3);
    if (r->type == RAY_TABLE) {
        ray_t* names = ray_table_get_col(r, id("name"));
        CHECK(ray_vec_get_sym_id(names, 2) == id("TSLA"));
    }
    ray_release(r);
    ray_release(expr);
}

static void test_eval_refuses_a_list_without_a_function_head(void) {
    ray_t* expr = list3(ray_i64(1), ray_i64(2), NULL);
    CHECK(is_err(ray_eval(expr), "type"));
    ray_release(expr);
}

static void test_lazy_materialize_returns_its_argument(void) {
    ray_t* v = ray_i64(7);
    CHECK(ray_lazy_materialize(v) == v && v->rc == 1);
    CHECK(ray_lazy_materialize(NULL) == NULL);
    ray_release(v);
}

static void test_insert_fn_inserts_a_row_holding_a_symbol(void) {
    ray_t* t = trades();
    ray_t* row = list3(name("TSLA"), ray_i64(3), NULL);
    ray_t* args[2] = {t, row};
    ray_t* r = ray_insert_fn(args, 2);
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 3 && ray_table_nrows(t) == 2);
    if (r->type == RAY_TABLE) {
        CHECK(ray_vec_get_sym_id(ray_table_get_col(r, id("name")), 2) == id("TSLA"));
        CHECK(ray_vec_get_i64(ray_table_get_col(r, id("px")), 2) == 3);
    }
    CHECK(t->rc == 1 && row->rc == 1); /* the caller's references are untouched */
    ray_release(r);
    CHECK(is_any_err(ray_insert_fn(args, 1)));
    CHECK(is_err(ray_insert_fn(NULL, 2), "domain"));
    CHECK(is_err(ray_insert_fn(args, -1), "domain"));
    args[1] = NULL;
    CHECK(is_err(ray_insert_fn(args, 2), "domain"));
    ray_release(row);
    ray_release(t);
}

static void test_upsert_fn_replaces_the_row_with_the_same_key(void) {
    ray_t* t = trades();
    ray_t* k = ray_i64(1);
    ray_t* row = list3(name("AAPL"), ray_i64(9), NULL);
    ray_t* args[3] = {t, k, row};
    ray_t* r = ray_upsert_fn(args, 3);
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 2);
    if (r->type == RAY_TABLE) CHECK(ray_vec_get_i64(ray_table_get_col(r, id("px")), 0) == 9);
    ray_release(r);
    ray_release(row);
    ray_release(k);
    ray_release(t);
}

static void test_update_fn_takes_the_query_dict_as_written(void) {
    ray_t* keys = ray_sym_vec_new(RAY_SYM_W64, 2);
    ray_t* vals = ray_list_new(2);
    ray_t* t = trades();
    ray_t* expr = list3(name("*"), name("px"), ray_i64(10));
    ray_t* q;
    ray_t* r;
    int64_t px = id("px"), from = id("from");
    keys = ray_vec_append(keys, &px);
    keys = ray_vec_append(keys, &from);
    vals = ray_list_append(vals, expr);
    vals = ray_list_append(vals, t);
    ray_release(expr);
    q = ray_dict_new(keys, vals);
    {
        ray_t* args[1] = {q};
        r = ray_update_fn(args, 1);
    }
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 2);
    if (r->type == RAY_TABLE) CHECK(ray_vec_get_i64(ray_table_get_col(r, px), 1) == 20);
    CHECK(ray_vec_get_i64(ray_table_get_col(t, px), 1) == 2);
    ray_release(r);
    ray_release(q);
    ray_release(t);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    RUN(test_eval_calls_a_list_with_a_function_head);
    RUN(test_eval_looks_up_names_and_returns_data_as_is);
    RUN(test_eval_keeps_a_nested_list_without_a_function_head_as_data);
    RUN(test_eval_refuses_a_list_without_a_function_head);
    RUN(test_lazy_materialize_returns_its_argument);
    RUN(test_insert_fn_inserts_a_row_holding_a_symbol);
    RUN(test_upsert_fn_replaces_the_row_with_the_same_key);
    RUN(test_update_fn_takes_the_query_dict_as_written);
    ray_runtime_destroy(rt);
    return FINISH();
}
