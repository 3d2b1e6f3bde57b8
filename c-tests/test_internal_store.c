/* rayforce_internal.h, the file builtins in argument-array form:
 * ray_read_csv_fn, ray_write_csv_fn, ray_set_splayed_fn, ray_get_splayed_fn,
 * ray_get_parted_fn, each against a fresh temporary directory (arguments
 * borrowed, result a new reference or an error object). */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <rayforce.h>
#include <rayforce_internal.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"

static char dir[64];

static int64_t id(const char* s) {
    return ray_sym_intern(s, strlen(s));
}

/* A STR atom holding dir/rest. */
static ray_t* path(const char* rest) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, rest);
    return ray_str(buf, strlen(buf));
}

static int is_err(ray_t* r, const char* code) {
    int ok = RAY_IS_ERR(r) && strcmp(ray_err_code(r), code) == 0;
    if (RAY_IS_ERR(r)) ray_error_free(r);
    return ok;
}

static ray_t* trades(void) {
    return ray_eval_str("(table [name px] (list [AAPL MSFT] [1 2]))");
}

static void test_csv_write_then_read_round_trips_a_table(void) {
    ray_t* t = trades();
    ray_t* file = path("trades.csv");
    ray_t* wargs[2] = {t, file};
    ray_t* w = ray_write_csv_fn(wargs, 2);
    ray_t* r;
    CHECK(w->type == -RAY_I64 && w->i64 == 0);
    CHECK(t->rc == 1 && file->rc == 1); /* borrowed */
    ray_release(w);
    r = ray_read_csv_fn(&file, 1);
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 2);
    if (r->type == RAY_TABLE) {
        CHECK(ray_vec_get_sym_id(ray_table_get_col(r, id("name")), 1) == id("MSFT"));
        CHECK(ray_vec_get_i64(ray_table_get_col(r, id("px")), 1) == 2);
    }
    ray_release(r);
    ray_release(file);
    ray_release(t);
}

static void test_csv_read_takes_a_schema_before_the_path(void) {
    ray_t* t = trades();
    ray_t* file = path("typed.csv");
    ray_t* wargs[2] = {t, file};
    ray_t* types = ray_eval_str("[SYMBOL F64]");
    ray_t* rargs[2] = {types, file};
    ray_t* r;
    ray_release(ray_write_csv_fn(wargs, 2));
    r = ray_read_csv_fn(rargs, 2);
    CHECK(r->type == RAY_TABLE && ray_table_nrows(r) == 2);
    if (r->type == RAY_TABLE) CHECK(ray_table_get_col(r, id("px"))->type == RAY_F64);
    ray_release(r);
    ray_release(types);
    ray_release(file);
    ray_release(t);
}

static void test_csv_errors_are_error_objects(void) {
    ray_t* file = path("missing.csv");
    ray_t* n = ray_i64(1);
    ray_t* args[2] = {n, file};
    CHECK(is_err(ray_read_csv_fn(&file, 1), "io"));
    CHECK(is_err(ray_write_csv_fn(args, 2), "type")); /* not a table */
    CHECK(is_err(ray_read_csv_fn(NULL, 1), "domain"));
    args[0] = NULL;
    CHECK(is_err(ray_write_csv_fn(args, 2), "domain"));
    ray_release(n);
    ray_release(file);
}

static void test_splayed_set_then_get_round_trips_a_table(void) {
    ray_t* t = trades();
    ray_t* where = path("splayed/");
    ray_t* sargs[2] = {where, t};
    ray_t* s = ray_set_splayed_fn(sargs, 2);
    ray_t* g;
    CHECK(s->type == RAY_TABLE && ray_table_nrows(s) == 2);
    CHECK(where->rc == 1);
    ray_release(s);
    g = ray_get_splayed_fn(&where, 1);
    CHECK(g->type == RAY_TABLE && ray_table_nrows(g) == 2);
    if (g->type == RAY_TABLE) {
        CHECK(ray_vec_get_sym_id(ray_table_get_col(g, id("name")), 0) == id("AAPL"));
        CHECK(ray_vec_get_i64(ray_table_get_col(g, id("px")), 1) == 2);
    }
    ray_release(g);
    CHECK(is_err(ray_set_splayed_fn(sargs, 1), "domain"));
    sargs[1] = where; /* a string where the table belongs */
    CHECK(is_err(ray_set_splayed_fn(sargs, 2), "type"));
    ray_release(where);
    ray_release(t);
}

static void test_parted_get_joins_the_partitions(void) {
    ray_t* day1 = ray_eval_str("(table [px] (list [1 2]))");
    ray_t* day2 = ray_eval_str("(table [px] (list [3]))");
    ray_t* p1 = path("db/2024.01.01/t/");
    ray_t* p2 = path("db/2024.01.02/t/");
    ray_t* root = path("db/");
    ray_t* name = ray_sym(id("t"));
    ray_t* a1[2] = {p1, day1};
    ray_t* a2[2] = {p2, day2};
    ray_t* get[2] = {root, name};
    ray_t* r;
    ray_release(ray_set_splayed_fn(a1, 2));
    ray_release(ray_set_splayed_fn(a2, 2));
    r = ray_get_parted_fn(get, 2);
    CHECK(!RAY_IS_ERR(r) && ray_table_nrows(r) == 3);
    if (!RAY_IS_ERR(r)) ray_release(r);
    else ray_error_free(r);
    get[1] = root; /* the table name must be a symbol */
    CHECK(is_err(ray_get_parted_fn(get, 2), "type"));
    ray_release(name);
    ray_release(root);
    ray_release(p2);
    ray_release(p1);
    ray_release(day2);
    ray_release(day1);
}

int main(void) {
    ray_runtime_t* rt = ray_runtime_create(0, NULL);
    char cmd[96];
    snprintf(dir, sizeof dir, "/tmp/rayforce-internal-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_csv_write_then_read_round_trips_a_table);
    RUN(test_csv_read_takes_a_schema_before_the_path);
    RUN(test_csv_errors_are_error_objects);
    RUN(test_splayed_set_then_get_round_trips_a_table);
    RUN(test_parted_get_joins_the_partitions);
    ray_runtime_destroy(rt);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return FINISH();
}
