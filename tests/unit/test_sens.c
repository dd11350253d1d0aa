/* test_sens.c - sensitivity analysis against models with known answers:
 * Sobol indices of the Ishigami function, of Sobol's g-function and of a
 * linear model of independent normals; a tornado whose outcome depends on
 * one factor only; Spearman of a monotone model; bit-identical results for
 * 1 and 3 threads; the errors (Sobol on a correlated scenario, a target that
 * is not a derived value).
 *
 * False-failure rates. Each "within 0.02" check at N = 2^15 sits at more
 * than 3 bootstrap standard errors of the estimate (the Ishigami's largest
 * standard error is about 0.006; g-function and linear ones are smaller),
 * so by chance it fails with probability below 3e-3 each, about 4e-2 for
 * all 30 together at a random seed (an upper bound: most sit at 5-10 se).
 * Each 95% bootstrap interval misses the analytic value with probability
 * about 5% for a random seed, so the coverage checks (30 intervals) would
 * fail together with probability about 0.8 at a random seed if they were
 * independent and exact; they are checked here at the fixed seeds below,
 * which were not chosen after seeing results, and run_sobol prints any
 * miss with its distance in standard errors. The seeds are fixed, so each
 * run of this test gives the same result. */
#include "harness.h"

#include <stdlib.h>

#include "tyche/tyche.h"

static ty_scenario *load(const char *text)
{
    ty_diag *d = ty_diag_new(20);
    ty_scenario *s = NULL;
    ty_status st = ty_scenario_parse("t.yaml", text, strlen(text), &s, d);
    CHECK_MSG(st == TY_OK, "parse status %d", (int)st);
    for (size_t i = 0; i < ty_diag_count(d); i++)
        fprintf(stderr, "  %d:%d: %s\n", ty_diag_get(d, i)->line, ty_diag_get(d, i)->col, ty_diag_get(d, i)->message);
    ty_diag_free(d);
    return s;
}

static ty_sensitivity *sens(const ty_scenario *s, unsigned methods, uint64_t n, const char *target,
                            int threads, ty_status want)
{
    const char *targets[1] = {target};
    ty_sens_options o = {.methods = methods, .samples = n, .targets = targets,
                         .ntargets = target ? 1 : 0, .threads = threads};
    ty_diag *d = ty_diag_new(20);
    ty_sensitivity *r = NULL;
    ty_status st = ty_sens_run(s, &o, &r, d);
    CHECK_MSG(st == want, "status %d, expected %d", (int)st, (int)want);
    if (st != want)
        for (size_t i = 0; i < ty_diag_count(d); i++) fprintf(stderr, "  %s\n", ty_diag_get(d, i)->message);
    ty_diag_free(d);
    return r;
}

/* Checks target t's Sobol indices against S1 and ST: within tol, and inside
 * the bootstrap intervals. */
static void check_sobol(const ty_sensitivity *r, size_t t, const double *s1, const double *st, double tol)
{
    size_t F = r->nfactors;
    for (size_t i = 0; i < F; i++) {
        size_t j = t * F + i;
        CHECK_NEAR(r->first[j], s1[i], tol);
        CHECK_NEAR(r->total[j], st[i], tol);
        CHECK_MSG(r->first_ci[2 * j] <= s1[i] && s1[i] <= r->first_ci[2 * j + 1],
                  "factor %zu: S1 %.4f not in [%.4f, %.4f] (estimate %.4f)", i, s1[i],
                  r->first_ci[2 * j], r->first_ci[2 * j + 1], r->first[j]);
        CHECK_MSG(r->total_ci[2 * j] <= st[i] && st[i] <= r->total_ci[2 * j + 1],
                  "factor %zu: ST %.4f not in [%.4f, %.4f] (estimate %.4f)", i, st[i],
                  r->total_ci[2 * j], r->total_ci[2 * j + 1], r->total[j]);
    }
}

static const char *ISHIGAMI =
    "tyche: 1\nname: ishigami\nrun: {seed: 11}\nfactors:\n"
    "  x1:\n    dist: uniform(-3.141592653589793, 3.141592653589793)\n"
    "  x2:\n    dist: uniform(-3.141592653589793, 3.141592653589793)\n"
    "  x3:\n    dist: uniform(-3.141592653589793, 3.141592653589793)\n"
    "derived:\n  y: sin(x1) + 7 * sin(x2)^2 + 0.1 * x3^4 * sin(x1)\n"
    "outcomes:\n  model: logit\n  high: {score: y - 3.5}\n  low: {score: 0}\n";

static void test_ishigami(void)
{
    ty_scenario *s = load(ISHIGAMI);
    if (!s) return;
    ty_sensitivity *r = sens(s, TY_SENS_SOBOL, 32768, "y", 0, TY_OK);
    if (r) {
        /* a = 7, b = 0.1: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2. */
        static const double s1[3] = {0.3139, 0.4424, 0.0}, st[3] = {0.5576, 0.4424, 0.2437};
        CHECK(r->ntargets == 3 && r->nfactors == 3);
        CHECK_STR(r->targets[2], "y");
        check_sobol(r, 2, s1, st, 0.02);
        for (size_t i = 0; i < 3; i++)
            printf("ishigami x%zu: S1 %.4f [%.4f, %.4f] (exact %.4f), ST %.4f [%.4f, %.4f] (exact %.4f)\n",
                   i + 1, r->first[6 + i], r->first_ci[2 * (6 + i)], r->first_ci[2 * (6 + i) + 1], s1[i],
                   r->total[6 + i], r->total_ci[2 * (6 + i)], r->total_ci[2 * (6 + i) + 1], st[i]);
        CHECK(r->low == NULL && r->spearman == NULL);
    }
    ty_sensitivity_free(r);
    ty_scenario_free(s);
}

static void test_g_function(void)
{
    static const double a[6] = {0, 1, 4.5, 9, 99, 99};
    ty_scenario *s = load(
        "tyche: 1\nname: gfun\nrun: {seed: 5}\nfactors:\n"
        "  x1: {dist: \"uniform(0, 1)\"}\n  x2: {dist: \"uniform(0, 1)\"}\n  x3: {dist: \"uniform(0, 1)\"}\n"
        "  x4: {dist: \"uniform(0, 1)\"}\n  x5: {dist: \"uniform(0, 1)\"}\n  x6: {dist: \"uniform(0, 1)\"}\n"
        "derived:\n  g: (abs(4*x1 - 2) + 0) / 1 * (abs(4*x2 - 2) + 1) / 2 * (abs(4*x3 - 2) + 4.5) / 5.5"
        " * (abs(4*x4 - 2) + 9) / 10 * (abs(4*x5 - 2) + 99) / 100 * (abs(4*x6 - 2) + 99) / 100\n"
        "outcomes:\n  model: rules\n  big: {when: g > 1}\n  small: {otherwise: true}\n");
    if (!s) return;
    double vi[6], prod = 1, s1[6], st[6];
    for (int i = 0; i < 6; i++) {
        vi[i] = (1.0 / 3) / ((1 + a[i]) * (1 + a[i]));
        prod *= 1 + vi[i];
    }
    double V = prod - 1;
    for (int i = 0; i < 6; i++) {
        s1[i] = vi[i] / V;
        st[i] = vi[i] * prod / (1 + vi[i]) / V;
    }
    ty_sensitivity *r = sens(s, TY_SENS_SOBOL, 32768, "g", 0, TY_OK);
    if (r) check_sobol(r, 2, s1, st, 0.02);
    ty_sensitivity_free(r);
    ty_scenario_free(s);
}

static void test_linear(void)
{
    ty_scenario *s = load(
        "tyche: 1\nname: lin\nrun: {seed: 3}\nfactors:\n"
        "  x1: {dist: \"normal(10, 1)\"}\n  x2: {dist: \"normal(-5, 1)\"}\n  x3: {dist: \"normal(0, 0.5)\"}\n"
        "derived:\n  y: 1*x1 + 2*x2 + 3*x3\n"
        "outcomes:\n  model: logit\n  up: {score: y}\n  down: {score: 0}\n");
    if (!s) return;
    /* S_i = ST_i = c_i^2 var_i / sum: 1, 4, 2.25 of 7.25. */
    static const double si[3] = {1 / 7.25, 4 / 7.25, 2.25 / 7.25};
    ty_sensitivity *r = sens(s, TY_SENS_ALL, 32768, "y", 0, TY_OK);
    if (r) {
        check_sobol(r, 2, si, si, 0.02);
        /* Spearman of a linear model of normals: rank correlation
         * (6/pi) asin(rho/2) with rho = c_i sd_i / sd_y; within 0.02 is
         * over 3 standard errors (se < 0.005). */
        for (int i = 0; i < 3; i++) {
            double rho = sqrt(si[i]), rs = 6 / M_PI * asin(rho / 2);
            CHECK_NEAR(r->spearman[2 * 3 + i], rs, 0.02);
        }
        /* Tornado: y's mean moves by c_i (q90 - q10) exactly (common random
         * numbers), up to rounding. */
        static const double c[3] = {1, 2, 3};
        for (int i = 0; i < 3; i++) {
            double swing = r->high[2 * 3 + i] - r->low[2 * 3 + i];
            CHECK_NEAR(swing, c[i] * (r->value_high[i] - r->value_low[i]), 1e-9);
        }
        CHECK_NEAR(r->value_high[0] - r->value_low[0], 2 * 1.2815515655446004, 1e-9);
    }
    ty_sensitivity_free(r);
    ty_scenario_free(s);
}

static void test_tornado_zero_swing(void)
{
    ty_scenario *s = load(
        "tyche: 1\nname: one\nfactors:\n"
        "  a: {dist: \"normal(0, 1)\"}\n  b: {dist: \"uniform(0, 10)\"}\n  c: {dist: \"bernoulli(0.3)\"}\n"
        "derived:\n  d: 2 * a\n"
        "outcomes:\n  model: logit\n  yes: {score: d}\n  no: {score: 0}\n");
    if (!s) return;
    ty_sensitivity *r = sens(s, TY_SENS_TORNADO | TY_SENS_SPEARMAN, 10000, "d", 2, TY_OK);
    if (r) {
        for (size_t t = 0; t < 3; t++) {
            CHECK(r->high[t * 3 + 0] != r->low[t * 3 + 0]);
            for (size_t f = 1; f < 3; f++) {
                CHECK(r->low[t * 3 + f] == r->baseline[t]);
                CHECK(r->high[t * 3 + f] == r->baseline[t]);
            }
        }
        CHECK(r->high[0] > r->low[0] && r->high[3] < r->low[3]);
        CHECK(r->value_low[2] == 0 && r->value_high[2] == 1);
        /* Spearman of d with a is 1 exactly (a monotone map); of yes too. */
        CHECK_NEAR(r->spearman[2 * 3 + 0], 1.0, 1e-12);
        CHECK_NEAR(r->spearman[0 * 3 + 0], 1.0, 1e-12);
        /* The others: independent, |rho| < 4 / sqrt(N) (false-failure 6e-5 each). */
        CHECK(fabs(r->spearman[2 * 3 + 1]) < 0.04 && fabs(r->spearman[2 * 3 + 2]) < 0.04);
        CHECK(r->spearman_samples == 10000);
        CHECK(r->first == NULL);
    }
    ty_sensitivity_free(r);
    ty_scenario_free(s);
}

static int same(const double *a, const double *b, size_t n)
{
    if (!a || !b) return a == b;
    return memcmp(a, b, n * sizeof *a) == 0;
}

static void test_threads_bit_identical(void)
{
    ty_scenario *s = load(ISHIGAMI);
    if (!s) return;
    ty_sensitivity *r1 = sens(s, TY_SENS_ALL, 10000 + 17, "y", 1, TY_OK);
    ty_sensitivity *r3 = sens(s, TY_SENS_ALL, 10000 + 17, "y", 3, TY_OK);
    if (r1 && r3) {
        size_t TF = 9;
        CHECK(same(r1->baseline, r3->baseline, 3));
        CHECK(same(r1->low, r3->low, TF) && same(r1->high, r3->high, TF));
        CHECK(same(r1->spearman, r3->spearman, TF));
        CHECK(same(r1->first, r3->first, TF) && same(r1->total, r3->total, TF));
        CHECK(same(r1->first_ci, r3->first_ci, 2 * TF) && same(r1->total_ci, r3->total_ci, 2 * TF));
    }
    ty_sensitivity_free(r1);
    ty_sensitivity_free(r3);
    ty_scenario_free(s);
}

static void test_errors(void)
{
    ty_scenario *s = load(
        "tyche: 1\nname: corr\nfactors:\n  a: {dist: \"normal(0, 1)\"}\n  b: {dist: \"normal(0, 1)\"}\n"
        "correlations:\n  - {factors: [a, b], rank: 0.5}\n"
        "derived:\n  total: a + b\n"
        "outcomes:\n  model: logit\n  yes: {score: total}\n  no: {score: 0}\n");
    if (!s) return;
    ty_sensitivity *r = sens(s, TY_SENS_SOBOL, 2048, NULL, 1, TY_ERR_INVALID);
    CHECK(r == NULL);
    r = sens(s, TY_SENS_TORNADO | TY_SENS_SPEARMAN, 2048, NULL, 1, TY_OK);
    CHECK(r && r->ignore_correlations == 0);
    ty_sensitivity_free(r);
    const char *targets[1] = {"a"};
    ty_sens_options o = {.methods = TY_SENS_SOBOL, .samples = 2048, .ignore_correlations = 1,
                         .targets = targets, .ntargets = 1};
    ty_diag *d = ty_diag_new(20);
    CHECK(ty_sens_run(s, &o, &r, d) == TY_ERR_INVALID && r == NULL);
    CHECK(ty_diag_count(d) == 1);
    if (ty_diag_count(d) == 1)
        CHECK_STR(ty_diag_get(d, 0)->message, "target 'a' is not a derived value of scenario 'corr' (it is a factor)");
    ty_diag_free(d);
    targets[0] = "totl";
    d = ty_diag_new(20);
    CHECK(ty_sens_run(s, &o, &r, d) == TY_ERR_INVALID);
    if (ty_diag_count(d) == 1) CHECK_STR(ty_diag_get(d, 0)->hint, "did you mean 'total'?");
    ty_diag_free(d);
    targets[0] = "total";
    d = ty_diag_new(20);
    CHECK(ty_sens_run(s, &o, &r, d) == TY_OK);
    CHECK(r && r->ignore_correlations == 1 && r->ntargets == 3);
    ty_sensitivity_free(r);
    ty_diag_free(d);
    ty_scenario_free(s);
}

TEST_MAIN(test_ishigami, test_g_function, test_linear, test_tornado_zero_swing,
          test_threads_bit_identical, test_errors)
