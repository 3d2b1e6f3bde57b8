/* Errors: the variadic ray_error (C shim), codes, enum mapping, the
 * per-thread message, ray_error_free; version functions. */
#include <rayforce.h>
#include "check.h"

static void test_error_formats_its_message_and_keeps_the_code(void) {
    ray_t* e = ray_error("domain", "bad %d / %s / %.2f", 7, "x", 1.5);
    CHECK(RAY_IS_ERR(e) && e->rc == 1);
    CHECK_STR(ray_err_code(e), "domain");
    CHECK_STR(ray_error_msg(), "bad 7 / x / 1.50");
    CHECK(ray_err_from_obj(e) == RAY_ERR_DOMAIN);
    ray_release(e); /* a no-op on errors */
    ray_retain(e);  /* a no-op too */
    CHECK(e->rc == 1);
    ray_error_free(e);
}

static void test_error_codes_truncate_to_seven_bytes(void) {
    ray_t* e = ray_error("restricted", NULL);
    CHECK(e->slen == 7);
    CHECK_STR(ray_err_code(e), "restric");
    CHECK(ray_error_msg() == NULL);
    ray_error_free(e);
    e = ray_error(NULL, "no code");
    CHECK_STR(ray_err_code(e), "");
    ray_error_free(e);
}

static void test_error_clear_forgets_the_message(void) {
    ray_t* e = ray_error("type", "something");
    CHECK(ray_error_msg() != NULL);
    ray_error_clear();
    CHECK(ray_error_msg() == NULL);
    ray_error_free(e);
}

static void test_error_enum_and_code_strings_map_both_ways(void) {
    static const char* names[] = {"ok", "oom", "type", "range", "length", "rank", "domain", "nyi", "io",
                                  "schema", "corrupt", "cancel", "parse", "name", "limit", "reserve", "version"};
    int k;
    for (k = 0; k <= RAY_ERR_VERSION; k++) {
        ray_t* e = ray_error(names[k], NULL);
        CHECK_STR(ray_err_code_str((ray_err_t)k), names[k]);
        CHECK((int)ray_err_from_obj(e) == k);
        ray_error_free(e);
    }
    CHECK_STR(ray_err_code_str((ray_err_t)99), "error");
    CHECK_STR(ray_err_code_str((ray_err_t)-1), "error");
    {
        ray_t* e = ray_error("arity", NULL);
        CHECK(ray_err_from_obj(e) == RAY_ERR_DOMAIN);
        ray_error_free(e);
    }
}

static void test_error_functions_tolerate_bad_input(void) {
    ray_t* i = ray_i64(1);
    CHECK(ray_err_code(NULL) == NULL && ray_err_code(i) == NULL);
    CHECK(ray_err_from_obj(NULL) == RAY_ERR_DOMAIN && ray_err_from_obj(i) == RAY_ERR_DOMAIN);
    ray_error_free(NULL);
    ray_error_free(i); /* not an error: no-op */
    ray_error_free(RAY_OOM_OBJ);
    CHECK(i->rc == 1 && RAY_IS_ERR(RAY_OOM_OBJ));
    CHECK_STR(ray_err_code(RAY_OOM_OBJ), "oom");
    ray_release(i);
}

static void test_error_version_reports_2_5_12(void) {
    CHECK(ray_version_major() == 2 && ray_version_minor() == 5 && ray_version_patch() == 12);
    CHECK_STR(ray_version_string(), "2.5.12");
}

int main(void) {
    RUN(test_error_formats_its_message_and_keeps_the_code);
    RUN(test_error_codes_truncate_to_seven_bytes);
    RUN(test_error_clear_forgets_the_message);
    RUN(test_error_enum_and_code_strings_map_both_ways);
    RUN(test_error_functions_tolerate_bad_input);
    RUN(test_error_version_reports_2_5_12);
    return FINISH();
}
