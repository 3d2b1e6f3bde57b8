/* Minimal test harness for the C tests: CHECK records a failure and goes
 * on; RUN runs one test function; FINISH prints the tally and returns the
 * exit status. */
#ifndef RAYFORCE_CTEST_CHECK_H
#define RAYFORCE_CTEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures = 0;
static int check_count = 0;
static int tests_run = 0;
static int tests_failed = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want) CHECK((got) != NULL && strcmp((got), (want)) == 0)

#define RUN(fn)                                                                  \
    do {                                                                         \
        int before_ = check_failures;                                            \
        fn();                                                                    \
        tests_run++;                                                             \
        if (check_failures != before_) tests_failed++;                           \
        printf("%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #fn);     \
    } while (0)

#define FINISH()                                                                 \
    (printf("%d passed, %d failed\n", tests_run - tests_failed, tests_failed),  \
     tests_failed == 0 ? 0 : 1)

#endif
