/* The query entry points ray_select, ray_update, ray_insert, ray_upsert
 * (storage.md section 9): unevaluated arguments, borrowed; results are new
 * references. Expected answers are those of the reference library. */
#include <rayforce.h>
#include "check.h"

static char* text(ray_t* v) {
    static char buf[512];
    ray_t* s = ray_fmt(v, 0);
    size_t n = (size_t)ray_str_len(s);
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, ray_str_ptr(s), n);
    buf[n] = 0;
    ray_release(s);
    return buf;
}

static void release(ray_t* v) {
    if (v != NULL && v->type == RAY_ERROR) ray_error_free(v); else ray_release(v);
}

static void setup(void) {
    release(ray_eval_str("(set t (table [a b] (list [1 2 3] [10 20 30])))"));
}

static void test_select_takes_the_query_dict_unevaluated(void) {
    ray_t* q;
    ray_t* r;
    uint32_t rc;
    setup();
    q = ray_eval_str("{from: t where: (> a 1) b: b}");
    CHECK(q->type == RAY_DICT);
    rc = q->rc;
    r = ray_select(&q, 1);
    CHECK(r->type == RAY_TABLE);
    CHECK_STR(text(r), "(table [b] (list [20 30]))");
    CHECK(q->rc == rc); /* borrowed */
    release(r);
    release(q);
}

static void test_select_errors(void) {
    ray_t* q = ray_eval_str("{where: (> a 1)}");
    ray_t* atom = ray_i64(1);
    ray_t* e;
    setup();
    e = ray_select(&q, 0);
    CHECK_STR(ray_err_code(e), "arity");
    release(e);
    e = ray_select(&atom, 1);
    CHECK_STR(ray_err_code(e), "type");
    release(e);
    e = ray_select(&q, 1);
    CHECK_STR(ray_err_code(e), "domain");
    release(e);
    e = ray_select(NULL, 1);
    CHECK(e->type == RAY_ERROR);
    release(e);
    release(q);
    release(atom);
}

static void test_update_in_place_returns_the_symbol(void) {
    ray_t* q;
    ray_t* r;
    ray_t* now;
    setup();
    q = ray_eval_str("{from: 't b: (* b 2) where: (== a 2)}");
    r = ray_update(&q, 1);
    CHECK(r->type == -RAY_SYM && r->i64 == ray_sym_intern("t", 1));
    now = ray_eval_str("(at t 'b)");
    CHECK_STR(text(now), "[10 40 30]");
    release(now);
    release(r);
    release(q);
    /* by value: a new table, the global unchanged */
    q = ray_eval_str("{from: t b: 0}");
    r = ray_update(&q, 1);
    CHECK(r->type == RAY_TABLE && strcmp(text(r), "(table [a b] (list [1 2 3] [0 0 0]))") == 0);
    now = ray_eval_str("(at t 'b)");
    CHECK_STR(text(now), "[10 40 30]");
    release(now);
    release(r);
    release(q);
}

static void test_insert_with_a_table_takes_values(void) {
    ray_t* args[2];
    ray_t* r;
    setup();
    args[0] = ray_eval_str("t");
    args[1] = ray_eval_str("(list 4 40)");
    r = ray_insert(args, 2);
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 4);
    CHECK(ray_table_nrows(args[0]) == 3);
    release(r);
    r = ray_insert(args, 1);
    CHECK_STR(ray_err_code(r), "arity");
    release(r);
    release(args[0]);
    release(args[1]);
}

static void test_insert_by_symbol_rebinds_the_global(void) {
    ray_t* args[2];
    ray_t* r;
    ray_t* n;
    setup();
    args[0] = ray_eval_str("(quote (quote t))"); /* evaluates to the symbol t */
    args[1] = ray_eval_str("(quote (list 4 40))");
    r = ray_insert(args, 2);
    CHECK(r->type == -RAY_SYM);
    n = ray_eval_str("(count t)");
    CHECK(n->i64 == 4);
    release(n);
    release(r);
    release(args[0]);
    args[0] = ray_eval_str("(quote (quote nosuch_table))");
    r = ray_insert(args, 2);
    CHECK_STR(ray_err_code(r), "domain");
    release(r);
    release(args[0]);
    release(args[1]);
}

static void test_upsert_keyed_on_a_column(void) {
    ray_t* args[3];
    ray_t* r;
    setup();
    args[0] = ray_eval_str("t");
    args[1] = ray_sym(ray_sym_intern("a", 1));
    args[2] = ray_eval_str("(list 2 999)");
    r = ray_upsert(args, 3);
    CHECK_STR(text(r), "(table [a b] (list [1 2 3] [10 999 30]))");
    release(r);
    r = ray_upsert(args, 2);
    CHECK_STR(ray_err_code(r), "arity");
    release(r);
    release(args[0]);
    release(args[1]);
    release(args[2]);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    RUN(test_select_takes_the_query_dict_unevaluated);
    RUN(test_select_errors);
    RUN(test_update_in_place_returns_the_symbol);
    RUN(test_insert_with_a_table_takes_values);
    RUN(test_insert_by_symbol_rebinds_the_global);
    RUN(test_upsert_keyed_on_a_column);
    ray_runtime_destroy(rt);
    return FINISH();
}
