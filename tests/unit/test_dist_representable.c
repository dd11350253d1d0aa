/* test_dist_representable.c - the class "parameters doubles cannot hold":
 * every family of TY_DIST_LIST, each of its parameters set in turn to each
 * of a ladder of extreme values (the others typical), through ty_dist_new.
 * Each attempt must either be refused with one error at that parameter's
 * position (or, for a rule between parameters, at one of them) naming the
 * family, or build a distribution whose mean and variance are finite, whose
 * quantiles from 1e-12 to 1 - 1e-12 are finite, within +-TY_DIST_MAX_ABS and
 * ordered, and whose draws (random and by quantile, as a Latin hypercube
 * draws) are finite with a finite block mean and a finite CDF. Also: ci90
 * percentiles outside the bounds are load errors at their parameter. A new
 * family is covered by the loop over TY_DIST_COUNT (its typical parameters
 * must be added to `typical`, which the test checks). Deterministic. */
#include "harness.h"
#include "tyche/tyche.h"

#include <float.h>

static const double ladder[] = {
    0, 5e-324, 1e-300, 1e-200, 1e-30, 1e-8, 0.5, 1, 3, 1e8, 1e30, 1e150, 1e154, 1e200,
    1e300, 1e305, DBL_MAX, -5e-324, -1e-300, -1, -1e30, -1e154, -1e300, -DBL_MAX};
#define NL (sizeof ladder / sizeof ladder[0])

/* Typical parameters of each kind; discrete is tested apart. */
static const double typical[TY_DIST_COUNT][3] = {
    [TY_DIST_UNIFORM] = {0, 1},      [TY_DIST_NORMAL] = {0, 1},    [TY_DIST_LOGNORMAL] = {0, 1},
    [TY_DIST_CI90] = {1, 10},        [TY_DIST_BETA] = {2, 3},      [TY_DIST_GAMMA] = {2, 1},
    [TY_DIST_TRIANGULAR] = {0, 1, 2}, [TY_DIST_PERT] = {0, 1, 2},  [TY_DIST_BERNOULLI] = {0.5},
    [TY_DIST_BINOMIAL] = {10, 0.5},  [TY_DIST_POISSON] = {3},      [TY_DIST_CONSTANT] = {1},
    [TY_DIST_STUDENT_T] = {5, 0, 1}, [TY_DIST_LOGUNIFORM] = {1, 10}, [TY_DIST_EXPONENTIAL] = {2},
    [TY_DIST_WEIBULL] = {2, 1},
};
/* metalog and mixture (lists, no numeric parameters) are tested apart
 * (test_dist_new.c), as discrete is here. */
#define LISTS_ONLY(k) ((k) == TY_DIST_DISCRETE || (k) == TY_DIST_METALOG || (k) == TY_DIST_MIXTURE)

enum { N = 4096 };
static double draws[N], us[N];

/* A built distribution: everything a run reads from it is a number. */
static void check_built(const ty_dist *d, const char *what)
{
    double m = ty_dist_mean(d), v = ty_dist_variance(d);
    CHECK_MSG(isfinite(m) && isfinite(v) && v >= 0, "%s: mean %g variance %g", what, m, v);
    static const double P[] = {1e-12, 1e-4, 0.05, 0.5, 0.95, 1 - 1e-4, 1 - 1e-12};
    double prev = -INFINITY;
    for (size_t i = 0; i < sizeof P / sizeof P[0]; i++) {
        double q = ty_dist_quantile(d, P[i]);
        CHECK_MSG(fabs(q) <= TY_DIST_MAX_ABS && q >= prev - 1e-9 * fabs(prev),
                  "%s: quantile %g is %g", what, P[i], q);
        double F = ty_dist_cdf(d, q);
        CHECK_MSG(F >= 0 && F <= 1, "%s: cdf(%g) = %g", what, q, F);
        prev = q;
    }
    ty_rng rng;
    ty_rng_for_block(&rng, 14, 0, 7);
    ty_dist_sample(d, &rng, draws, N);
    for (size_t i = 0; i < N; i++) us[i] = ((double)i + 0.5) / N;
    int bad = 0;
    double sum = 0;
    for (size_t i = 0; i < N; i++) { bad += !isfinite(draws[i]); sum += draws[i]; }
    CHECK_MSG(bad == 0 && isfinite(sum), "%s: %d draws not finite, block sum %g", what, bad, sum);
    ty_dist_quantile_block(d, us, draws, N);
    bad = 0;
    sum = 0;
    for (size_t i = 0; i < N; i++) { bad += !isfinite(draws[i]); sum += draws[i]; }
    CHECK_MSG(bad == 0 && isfinite(sum), "%s: %d quantile draws not finite, sum %g", what, bad, sum);
}

static void test_every_family_every_parameter(void)
{
    int refused = 0, built = 0;
    for (int k = 0; k < TY_DIST_COUNT; k++) {
        if (LISTS_ONLY(k)) continue;
        int np = ty_dist_nparams((ty_dist_kind)k);
        CHECK_MSG(np > 0 && (typical[k][0] != 0 || typical[k][1] != 0 || k == TY_DIST_UNIFORM ||
                             k == TY_DIST_NORMAL || k == TY_DIST_LOGNORMAL || k == TY_DIST_TRIANGULAR ||
                             k == TY_DIST_PERT),
                  "no typical parameters for %s", ty_dist_kind_name((ty_dist_kind)k));
        for (int i = 0; i < np; i++) {
            for (size_t x = 0; x < NL; x++) {
                ty_dist_spec spec = {.kind = (ty_dist_kind)k};
                for (int j = 0; j < np; j++) {
                    spec.param[j] = typical[k][j];
                    spec.param_pos[j] = (ty_pos){"f.yaml", 3, 10 + 5 * j};
                }
                spec.param[i] = ladder[x];
                char what[96];
                snprintf(what, sizeof what, "%s %s=%g", ty_dist_kind_name((ty_dist_kind)k),
                         ty_dist_param_name((ty_dist_kind)k, i), ladder[x]);
                ty_pos call = {"f.yaml", 3, 1};
                ty_diag *diag = ty_diag_new(20);
                ty_dist *d = NULL;
                ty_status st = ty_dist_new(&spec, &d, diag, &call);
                if (st == TY_OK) {
                    built++;
                    CHECK_MSG(ty_diag_count(diag) == 0, "%s: built with diagnostics", what);
                    check_built(d, what);
                } else {
                    refused++;
                    CHECK_MSG(st == TY_ERR_INVALID && !d && ty_diag_count(diag) >= 1, "%s: status %d",
                              what, (int)st);
                    for (size_t e = 0; e < ty_diag_count(diag); e++) {
                        const ty_diag_entry *g = ty_diag_get(diag, e);
                        CHECK_MSG(g->severity == TY_SEV_ERROR && g->line == 3 &&
                                      strncmp(g->message, ty_dist_kind_name((ty_dist_kind)k),
                                              strlen(ty_dist_kind_name((ty_dist_kind)k))) == 0,
                                  "%s: %s", what, g->message);
                        /* a representability error is at the parameter */
                        if (strstr(g->message, "cannot represent"))
                            CHECK_MSG(g->col >= 10 && g->hint != NULL, "%s: at column %d", what,
                                      g->col);
                    }
                }
                ty_dist_free(d);
                ty_diag_free(diag);
            }
        }
    }
    printf("%d attempts built, %d refused\n", built, refused);
    CHECK(built > 100 && refused > 100);
}

/* The cases the representable range is drawn through, one per family rule
 * (docs/format.md "Representable distributions"). */
static void test_named_limits(void)
{
    struct { ty_dist_kind kind; double p[3]; int ok; } t[] = {
        {TY_DIST_UNIFORM, {-1e154, 1e154}, 0},  {TY_DIST_UNIFORM, {-1e153, 1e153}, 1},
        {TY_DIST_NORMAL, {0, 1e150}, 1},        {TY_DIST_NORMAL, {0, 1e200}, 0},
        {TY_DIST_NORMAL, {1e301, 1}, 0},        {TY_DIST_LOGNORMAL, {0, 18}, 1},
        {TY_DIST_LOGNORMAL, {0, 27}, 0},        {TY_DIST_LOGNORMAL, {700, 1}, 0},
        {TY_DIST_GAMMA, {1e-300, 1}, 1},        {TY_DIST_GAMMA, {2, 1e160}, 0},
        {TY_DIST_BETA, {1e-300, 1e-300}, 1},    {TY_DIST_BETA, {DBL_MAX, 1}, 0},
        {TY_DIST_TRIANGULAR, {-1e200, 0, 1e200}, 0}, {TY_DIST_PERT, {0, 1, 1e200}, 0},
        {TY_DIST_CI90, {1e-30, 10}, 0},         {TY_DIST_CI90, {1, 1e6}, 1},
        {TY_DIST_CONSTANT, {1e301}, 0},         {TY_DIST_POISSON, {1e15}, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        ty_dist_spec spec = {.kind = t[i].kind};
        memcpy(spec.param, t[i].p, sizeof spec.param);
        ty_dist *d = NULL;
        ty_status st = ty_dist_new(&spec, &d, NULL, NULL);
        CHECK_MSG((st == TY_OK) == t[i].ok, "%s(%g, %g, %g): status %d",
                  ty_dist_kind_name(t[i].kind), t[i].p[0], t[i].p[1], t[i].p[2], (int)st);
        if (d) check_built(d, ty_dist_kind_name(t[i].kind));
        ty_dist_free(d);
    }
}

/* Discrete values near the limit, and truncation of every family to a
 * narrow far window: built or refused, never non-finite. */
static void test_discrete_and_bounds(void)
{
    const double v[] = {-1e301, 0, 1e301}, w[] = {1, 1, 1};
    ty_dist_spec spec = {.kind = TY_DIST_DISCRETE, .values = v, .weights = w, .nvalues = 3};
    ty_dist *d = NULL;
    CHECK(ty_dist_new(&spec, &d, NULL, NULL) == TY_ERR_INVALID && !d);
    const double v2[] = {-1e150, 0, 1e150};
    spec.values = v2;
    CHECK(ty_dist_new(&spec, &d, NULL, NULL) == TY_OK);
    if (d) check_built(d, "discrete 1e150");
    ty_dist_free(d);
    const double win[][2] = {{1e6, 1e6 + 1}, {-50, -49}, {0.999999, 1}, {1e299, 1e300}};
    for (int k = 0; k < TY_DIST_COUNT; k++) {
        if (LISTS_ONLY(k)) continue;
        for (size_t b = 0; b < sizeof win / sizeof win[0]; b++) {
            ty_dist_spec s = {.kind = (ty_dist_kind)k, .has_bounds = 1, .lo = win[b][0], .hi = win[b][1]};
            memcpy(s.param, typical[k], sizeof s.param);
            d = NULL;
            ty_status st = ty_dist_new(&s, &d, NULL, NULL);
            CHECK(st == TY_OK || st == TY_ERR_INVALID);
            char what[64];
            snprintf(what, sizeof what, "%s in [%g, %g]", ty_dist_kind_name((ty_dist_kind)k),
                     win[b][0], win[b][1]);
            if (d) check_built(d, what);
            ty_dist_free(d);
        }
    }
}

/* ci90's percentiles are the 5th and 95th: with bounds they must lie
 * inside them, and the error is at the percentile outside. */
static void test_ci90_percentiles_in_bounds(void)
{
    struct { double lo, hi, blo, bhi; int bad_param; } t[] = {
        {1, 10, 0, 5, 1}, {1, 10, 2, 20, 0}, {-5, 5, -1, 100, 0}, {1, 10, 0, 10, -1},
        {1, 10, 1, 1e9, -1}, {-3, -1, -2, 0, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        ty_dist_spec s = {.kind = TY_DIST_CI90, .param = {t[i].lo, t[i].hi}, .has_bounds = 1,
                          .lo = t[i].blo, .hi = t[i].bhi};
        s.param_pos[0] = (ty_pos){"f", 2, 15};
        s.param_pos[1] = (ty_pos){"f", 2, 20};
        ty_diag *diag = ty_diag_new(10);
        ty_dist *d = NULL;
        ty_status st = ty_dist_new(&s, &d, diag, &(ty_pos){"f", 2, 10});
        if (t[i].bad_param < 0) {
            CHECK_MSG(st == TY_OK, "ci90(%g, %g) in [%g, %g]", t[i].lo, t[i].hi, t[i].blo, t[i].bhi);
        } else {
            CHECK(st == TY_ERR_INVALID && ty_diag_count(diag) == 1);
            if (ty_diag_count(diag) == 1) {
                const ty_diag_entry *g = ty_diag_get(diag, 0);
                CHECK_MSG(g->col == (t[i].bad_param ? 20 : 15) && strstr(g->message, "outside the bounds"),
                          "%d: %s", g->col, g->message);
            }
        }
        ty_dist_free(d);
        ty_diag_free(diag);
    }
}

TEST_MAIN(test_every_family_every_parameter, test_named_limits, test_discrete_and_bounds,
          test_ci90_percentiles_in_bounds)
