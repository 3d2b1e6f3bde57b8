/* Built by `make dist-static-test` against target/dist-static only (its
 * include/ and librayforce.a, linked statically), the directory
 * RayforceDB's rayforce-sys reads through RAYFORCE_SRC. Checks that ray_t's
 * b8 is declared uint8_t as in the reference, evaluates source and an
 * already-built call list (ray_eval), and calls the argument-array
 * builtins of rayforce_internal.h. Exit status 0 = pass. */
#include <rayforce.h>
#include <rayforce_internal.h>
#include <stdio.h>
#include <string.h>

_Static_assert(_Generic(((ray_t *)0)->b8, uint8_t: 1, default: 0), "ray_t.b8 must be uint8_t");

static int fail(const char *what) {
    fprintf(stderr, "dist-static smoke: %s\n", what);
    return 1;
}

int main(void) {
    ray_runtime_t *rt = ray_runtime_create(0, NULL);
    if (!rt) return fail("no runtime");

    ray_t *sum = ray_eval_str("(+ 1 2)");
    if (!sum || RAY_IS_ERR(sum) || sum->i64 != 3) return fail("(+ 1 2) is not 3");
    ray_release(sum);

    ray_t *yes = ray_bool(true);
    unsigned widened = yes->b8 + 1u; /* integer arithmetic on the field */
    if (widened != 2u) return fail("ray_bool(true)->b8 is not 1");
    ray_release(yes);

    ray_t *t = ray_eval_str("(set dist_t (table [a] (list [1 2])))");
    if (!t || RAY_IS_ERR(t)) return fail("table");
    ray_release(t);
    ray_t *row = ray_eval_str("(list 3)");
    ray_t *name = ray_eval_str("'dist_t");
    ray_t *args[2] = {name, row};
    ray_t *ins = ray_insert_fn(args, 2);
    if (!ins || RAY_IS_ERR(ins)) return fail("ray_insert_fn refused a row");
    ray_release(ins);
    ray_release(row);
    ray_release(name);

    ray_t *count = ray_eval_str("(count dist_t)");
    if (!count || RAY_IS_ERR(count) || count->i64 != 3) return fail("the inserted row is missing");
    ray_release(count);

    ray_t *v = ray_eval_str("42");
    if (ray_lazy_materialize(v) != v) return fail("ray_lazy_materialize changed its argument");
    ray_t *again = ray_eval(v);
    if (!again || RAY_IS_ERR(again) || again->i64 != 42) return fail("ray_eval of an atom");
    ray_release(again);
    ray_release(v);

    ray_runtime_destroy(rt);
    puts("dist-static smoke: ok");
    return 0;
}
