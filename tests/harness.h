/* harness.h - a tiny unit-test harness: CHECK macros that record failures
 * with file and line, and a main that runs the listed tests and exits
 * non-zero if any check failed. Each test binary is one ctest test.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); CHECK_NEAR(a, b, 1e-12); }
 *   TEST_MAIN(test_x, test_y)
 */
#ifndef TYCHE_TEST_HARNESS_H
#define TYCHE_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_checks, th_failures, th_test_failed;
static const char *th_current;

#define CHECK(cond) do { th_checks++; if (!(cond)) { th_failures++; th_test_failed = 1; \
    fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, th_current, #cond); } } while (0)

#define CHECK_MSG(cond, ...) do { th_checks++; if (!(cond)) { th_failures++; th_test_failed = 1; \
    fprintf(stderr, "%s:%d: %s: check failed: %s: ", __FILE__, __LINE__, th_current, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

#define CHECK_NEAR(a, b, tol) do { double th_a = (a), th_b = (b); th_checks++; \
    if (!(fabs(th_a - th_b) <= (tol))) { th_failures++; th_test_failed = 1; \
    fprintf(stderr, "%s:%d: %s: %s = %.17g, %s = %.17g, differ by more than %g\n", __FILE__, \
            __LINE__, th_current, #a, th_a, #b, th_b, (double)(tol)); } } while (0)

#define CHECK_STR(a, b) do { const char *th_a = (a), *th_b = (b); th_checks++; \
    if (!th_a || !th_b || strcmp(th_a, th_b) != 0) { th_failures++; th_test_failed = 1; \
    fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, th_current, \
            th_a ? th_a : "(null)", th_b ? th_b : "(null)"); } } while (0)

typedef void (*th_fn)(void);
typedef struct { const char *name; th_fn fn; } th_case;

/* Runs the cases in order; with TYCHE_TEST_CASE=NAME in the environment,
 * only the case of that name (each case runs alone: none depends on
 * another's state). An unknown name is a failure, not a silent pass. */
static int th_run(const th_case *cases, size_t n)
{
    int passed = 0, failed = 0, matched = 0;
    const char *only = getenv("TYCHE_TEST_CASE");
    for (size_t i = 0; i < n; i++) {
        if (only && *only && strcmp(only, cases[i].name) != 0) continue;
        matched++;
        th_current = cases[i].name;
        th_test_failed = 0;
        cases[i].fn();
        if (th_test_failed) { failed++; fprintf(stderr, "FAIL %s\n", cases[i].name); }
        else passed++;
    }
    if (only && *only && !matched) {
        fprintf(stderr, "no test case named '%s'\n", only);
        return 1;
    }
    printf("%d checks; %d passed, %d failed\n", th_checks, passed, failed);
    return failed ? 1 : 0;
}

#define TH_CASE_(fn) { #fn, fn },
#define TH_EXPAND_(...) __VA_ARGS__
#define TH_FOREACH_(M, ...) TH_FE_N_(__VA_ARGS__, TH_FE20_, TH_FE19_, TH_FE18_, TH_FE17_, TH_FE16_, \
    TH_FE15_, TH_FE14_, TH_FE13_, TH_FE12_, TH_FE11_, TH_FE10_, TH_FE9_, TH_FE8_, TH_FE7_, TH_FE6_, \
    TH_FE5_, TH_FE4_, TH_FE3_, TH_FE2_, TH_FE1_)(M, __VA_ARGS__)
#define TH_FE_N_(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,N,...) N
#define TH_FE1_(M, a) M(a)
#define TH_FE2_(M, a, ...) M(a) TH_FE1_(M, __VA_ARGS__)
#define TH_FE3_(M, a, ...) M(a) TH_FE2_(M, __VA_ARGS__)
#define TH_FE4_(M, a, ...) M(a) TH_FE3_(M, __VA_ARGS__)
#define TH_FE5_(M, a, ...) M(a) TH_FE4_(M, __VA_ARGS__)
#define TH_FE6_(M, a, ...) M(a) TH_FE5_(M, __VA_ARGS__)
#define TH_FE7_(M, a, ...) M(a) TH_FE6_(M, __VA_ARGS__)
#define TH_FE8_(M, a, ...) M(a) TH_FE7_(M, __VA_ARGS__)
#define TH_FE9_(M, a, ...) M(a) TH_FE8_(M, __VA_ARGS__)
#define TH_FE10_(M, a, ...) M(a) TH_FE9_(M, __VA_ARGS__)
#define TH_FE11_(M, a, ...) M(a) TH_FE10_(M, __VA_ARGS__)
#define TH_FE12_(M, a, ...) M(a) TH_FE11_(M, __VA_ARGS__)
#define TH_FE13_(M, a, ...) M(a) TH_FE12_(M, __VA_ARGS__)
#define TH_FE14_(M, a, ...) M(a) TH_FE13_(M, __VA_ARGS__)
#define TH_FE15_(M, a, ...) M(a) TH_FE14_(M, __VA_ARGS__)
#define TH_FE16_(M, a, ...) M(a) TH_FE15_(M, __VA_ARGS__)
#define TH_FE17_(M, a, ...) M(a) TH_FE16_(M, __VA_ARGS__)
#define TH_FE18_(M, a, ...) M(a) TH_FE17_(M, __VA_ARGS__)
#define TH_FE19_(M, a, ...) M(a) TH_FE18_(M, __VA_ARGS__)
#define TH_FE20_(M, a, ...) M(a) TH_FE19_(M, __VA_ARGS__)

/* TEST_MAIN(f1, f2, ...): up to 20 tests; more via several TEST_MAIN-less
 * groups calling th_run directly. */
#define TEST_MAIN(...) int main(void) { \
    static const th_case cases[] = { TH_FOREACH_(TH_CASE_, __VA_ARGS__) }; \
    return th_run(cases, sizeof cases / sizeof cases[0]); }

#endif
