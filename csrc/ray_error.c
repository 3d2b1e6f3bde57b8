/* The one C function of librayforce: the variadic ray_error(code, fmt, ...).
 * Stable Rust cannot define a C-variadic function, so the formatting happens
 * here (vsnprintf into a bounded buffer) and the object is built by the
 * non-variadic Rust export ray__error_impl. */
#include <stdarg.h>
#include <stdio.h>

union ray_t;
union ray_t* ray__error_impl(const char* code, const char* msg);

union ray_t* ray_error(const char* code, const char* fmt, ...) {
    char buf[256];
    if (fmt == NULL) return ray__error_impl(code, NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ray__error_impl(code, buf);
}
