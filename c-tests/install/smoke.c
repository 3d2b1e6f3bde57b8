/* Built by `make install-test` against an installed librayforce (headers,
 * library and rayforce.pc from `make install`): evaluates a float division
 * and checks the text RayforceDB prints for it, then calls an export of the
 * second installed header. Exit status 0 = pass. */
#include <rayforce.h>
#include <rayforce_internal.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    ray_runtime_t *rt = ray_runtime_create(0, NULL);
    if (!rt) {
        fprintf(stderr, "smoke: no runtime\n");
        return 1;
    }
    ray_t *v = ray_eval_str("(/ [0.60] 6i)");
    ray_t *text = ray_fmt(v, 1);
    const char *s = ray_str_ptr(text);
    int ok = s && strcmp(s, "[0.1]") == 0;
    if (!ok) fprintf(stderr, "smoke: (/ [0.60] 6i) printed %s\n", s ? s : "(null)");
    ray_release(text);
    if (ok && ray_lazy_materialize(v) != v) {
        fprintf(stderr, "smoke: ray_lazy_materialize changed its argument\n");
        ok = 0;
    }
    ray_release(v);
    ray_runtime_destroy(rt);
    return ok ? 0 : 1;
}
