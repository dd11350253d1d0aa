/* test_dist_discrete.c - integer and table kinds (bernoulli, binomial,
 * poisson, discrete, constant): samplers by chi-square against exact pmfs
 * (GSL), sample mean and variance against closed forms (direct pmf sums when
 * truncated), ty_dist_mean/variance against the same, quantile/CDF
 * consistency, truncation as a restricted support, validation messages.
 *
 * Errors caught, rates: see dist_check.h. Each case draws 1e6 values (1e7
 * with --slow) from a seed hashed from its name; its chi-square (one cell
 * per value, pooled to >= 5 expected) and moment checks run at ALPHA = 1e-6
 * each; the run prints each case's power against a mean shifted by 1% of
 * the sd (1 - 1.7e-7) and a variance 2% too large, and the family-wise
 * false-failure rate (about 1e-4 for this file). */
#include "dist_check.h"

#define N g_n

/* Kinds with a sampler case, untruncated and truncated (test_kinds_covered). */
static int g_covered[TY_DIST_COUNT][2];

/* Chi-square of the draws x[0..n) over cells v[0..m) with probabilities
 * pr[0..m) plus one cell "anything else" of probability 1 - sum(pr).
 * Adjacent cells are pooled until each expects at least 5 draws. */
static void check_chisq(const char *what, const double *x, size_t n, const double *v,
                        const double *pr, size_t m)
{
    double *obs = calloc(m + 1, sizeof *obs);
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = m;   /* binary search for x[i] in v */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (v[mid] < x[i]) lo = mid + 1; else hi = mid;
        }
        if (lo < m && v[lo] == x[i]) obs[lo] += 1; else obs[m] += 1;
    }
    double rest = 1, chi = 0, co = 0, ce = 0;
    int cells = 0;
    for (size_t j = 0; j < m; j++) rest -= pr[j];
    if (rest < 0) rest = 0;
    for (size_t j = 0; j <= m; j++) {
        co += obs[j];
        ce += n * (j < m ? pr[j] : rest);
        if (ce >= 5 || j == m) {
            if (ce >= 5 || cells == 0) {
                chi += (co - ce) * (co - ce) / ce;
                cells++;
            } else {
                chi += (co - ce) * (co - ce) / 5;   /* a last thin cell: conservative */
            }
            co = ce = 0;
        }
    }
    if (cells < 2) {
        CHECK_MSG(obs[m] == 0, "%s: %g draws outside the support", what, obs[m]);
    } else {
        double crit = gsl_cdf_chisq_Qinv(ALPHA, cells - 1);
        CHECK_MSG(chi < crit, "%s: chi-square %.2f >= %.2f (%d cells)", what, chi, crit, cells);
        g_stat_checks++;
        printf("  %-44s chi2 %.1f (<%.1f, %d cells)\n", what, chi, crit, cells);
    }
    free(obs);
}

typedef double (*pmf_fn)(double k, const double *par);
static double binP(double k, const double *p) { return gsl_ran_binomial_pdf((unsigned)k, p[1], (unsigned)p[0]); }
static double poiP(double k, const double *p) { return gsl_ran_poisson_pdf((unsigned)k, p[0]); }
static double berP(double k, const double *p) { return k == 1 ? p[0] : k == 0 ? 1 - p[0] : 0; }

/* Integer family: cells over [kmin, kmax], restricted to [lo, hi] and
 * renormalised when truncated. */
static void int_case(const char *what, ty_dist *d, pmf_fn pmf, double p0, double p1, double kmin,
                     double kmax, int trunc, double lo, double hi)
{
    CHECK_MSG(d != NULL, "%s: not built", what);
    if (!d) return;
    double par[2] = {p0, p1};
    if (trunc) {
        if (lo > kmin) kmin = ceil(lo);
        if (hi < kmax) kmax = floor(hi);
    }
    size_t m = (size_t)(kmax - kmin + 1);
    double *v = malloc(m * sizeof *v), *pr = malloc(m * sizeof *pr), tot = 0;
    for (size_t j = 0; j < m; j++) {
        v[j] = kmin + (double)j;
        pr[j] = pmf(v[j], par);
        tot += pr[j];
    }
    if (trunc) {
        /* the kept mass, by the reference pmf over a wide enough range */
        for (size_t j = 0; j < m; j++) pr[j] /= tot;
    }
    /* reference moments: closed forms, or pmf sums over the kept support */
    double mu, var;
    if (!trunc) {
        mu = pmf == poiP ? p0 : pmf == binP ? p0 * p1 : p0;
        var = pmf == poiP ? p0 : pmf == binP ? p0 * p1 * (1 - p1) : p0 * (1 - p0);
    } else {
        double s1 = 0, s2 = 0;
        for (size_t j = 0; j < m; j++) s1 += pr[j] * v[j];
        for (size_t j = 0; j < m; j++) s2 += pr[j] * (v[j] - s1) * (v[j] - s1);
        mu = s1; var = s2;
    }
    g_covered[ty_dist_get_spec(d)->kind][trunc] = 1;
    check_exact_moments(what, d, mu, var);
    double *x = draw(d, N, seed_of(what));
    check_moments(what, x, N, mu, var, var > 0);
    check_chisq(what, x, N, v, pr, m);
    free(x); free(v); free(pr);
    ty_dist_free(d);
}

static void test_bernoulli(void)
{
    int_case("bernoulli(0.3)", mk(TY_DIST_BERNOULLI, 0.3, 0, 0), berP, 0.3, 0, 0, 1, 0, 0, 0);
    int_case("bernoulli(1e-3)", mk(TY_DIST_BERNOULLI, 1e-3, 0, 0), berP, 1e-3, 0, 0, 1, 0, 0, 0);
    int_case("bernoulli(0.999)", mk(TY_DIST_BERNOULLI, 0.999, 0, 0), berP, 0.999, 0, 0, 1, 0, 0, 0);
    /* degenerate p: constant */
    ty_dist *d = mk(TY_DIST_BERNOULLI, 1, 0, 0);
    double x[10];
    ty_rng r;
    ty_rng_seed(&r, 1, 1);
    ty_dist_sample(d, &r, x, 10);
    for (int i = 0; i < 10; i++) CHECK(x[i] == 1);
    CHECK(ty_dist_mean(d) == 1 && ty_dist_variance(d) == 0);
    ty_dist_free(d);
}

#define BIN(n, p) do { double sd_ = sqrt((n) * (p) * (1 - (p))); \
    int_case("binomial(" #n ", " #p ")", mk(TY_DIST_BINOMIAL, n, p, 0), binP, n, p, \
             fmax(0, floor((n) * (p) - 12 * sd_ - 2)), fmin(n, ceil((n) * (p) + 12 * sd_ + 2)), 0, 0, 0); } while (0)

static void test_binomial(void)
{
    BIN(10, 0.3);        /* inversion */
    BIN(5, 0.5);
    BIN(20, 0.9);        /* flipped, inversion */
    BIN(1000, 0.999);    /* flipped, n p' = 1 */
    BIN(50, 0.2);        /* BTRD at n p = 10 */
    BIN(100, 0.5);
    BIN(200, 0.95);      /* flipped BTRD */
    BIN(1000000, 0.3);   /* BTRD, large n */
    BIN(30, 0.4);        /* BTRD, |k - m| <= 15 path mostly */
}

#define POI(lam) do { double sd_ = sqrt(lam); \
    int_case("poisson(" #lam ")", mk(TY_DIST_POISSON, lam, 0, 0), poiP, lam, 0, \
             fmax(0, floor((lam) - 12 * sd_ - 2)), ceil((lam) + 14 * sd_ + 10), 0, 0, 0); } while (0)

static void test_poisson(void)
{
    POI(0.5);
    POI(5);
    POI(9.99);      /* last inversion */
    POI(10);        /* first PTRS */
    POI(37.5);
    POI(1000);
    POI(1000000);
}

static void test_truncated_integer(void)
{
    int_case("poisson(5) in [10, 20]", mkb(TY_DIST_POISSON, 5, 0, 0, 10, 20), poiP, 5, 0, 0, 60, 1, 10, 20);
    int_case("poisson(5) in [2.5, inf]", mkb(TY_DIST_POISSON, 5, 0, 0, 2.5, INFINITY), poiP, 5, 0, 0, 60, 1, 2.5, INFINITY);
    int_case("binomial(100, 0.5) in [70, 100]", mkb(TY_DIST_BINOMIAL, 100, 0.5, 0, 70, 100), binP, 100, 0.5,
             0, 100, 1, 70, 100);
    int_case("binomial(100, 0.5) in [40, 60]", mkb(TY_DIST_BINOMIAL, 100, 0.5, 0, 40, 60), binP, 100, 0.5,
             0, 100, 1, 40, 60);
    int_case("bernoulli(0.3) in [1, 1]", mkb(TY_DIST_BERNOULLI, 0.3, 0, 0, 1, 1), berP, 0.3, 0, 0, 1, 1, 1, 1);
    int_case("poisson(1e6) in [1e6+4000, inf]", mkb(TY_DIST_POISSON, 1e6, 0, 0, 1e6 + 4000, INFINITY), poiP,
             1e6, 0, 1e6, 1e6 + 9000, 1, 1e6 + 4000, INFINITY);

    /* moments of a truncated poisson against direct sums */
    ty_dist *d = mkb(TY_DIST_POISSON, 5, 0, 0, 10, 20);
    double s0 = 0, s1 = 0, s2 = 0;
    for (unsigned k = 10; k <= 20; k++) {
        double p = gsl_ran_poisson_pdf(k, 5);
        s0 += p; s1 += p * k; s2 += p * k * k;
    }
    CHECK_NEAR(ty_dist_mean(d), s1 / s0, 1e-10);
    CHECK_NEAR(ty_dist_variance(d), s2 / s0 - (s1 / s0) * (s1 / s0), 1e-9);
    double lo, hi;
    ty_dist_support(d, &lo, &hi);
    CHECK(lo == 10 && hi == 20);
    CHECK(ty_dist_cdf(d, 9.99) == 0 && ty_dist_cdf(d, 20) == 1);
    CHECK_NEAR(ty_dist_cdf(d, 10), gsl_ran_poisson_pdf(10, 5) / s0, 1e-12);
    ty_dist_free(d);
}

static void test_discrete_table(void)
{
    double v[] = {3, 1, 2, 1, 7}, w[] = {0.2, 0.3, 0.1, 0.4, 0};
    ty_dist_spec s = {0};
    s.kind = TY_DIST_DISCRETE;
    s.values = v; s.weights = w; s.nvalues = 5;
    ty_dist *d = NULL;
    CHECK(ty_dist_new(&s, &d, NULL, NULL) == TY_OK);
    double cv[] = {1, 2, 3}, cp[] = {0.7, 0.1, 0.2};
    double *x = draw(d, N, seed_of("discrete"));
    g_covered[TY_DIST_DISCRETE][0] = 1;
    check_exact_moments("discrete", d, 1.5, 0.7 * 0.5 * 0.5 + 0.1 * 0.5 * 0.5 + 0.2 * 1.5 * 1.5);
    check_moments("discrete", x, N, 1.5, 0.7 * 0.5 * 0.5 + 0.1 * 0.5 * 0.5 + 0.2 * 1.5 * 1.5, 1);
    check_chisq("discrete", x, N, cv, cp, 3);
    free(x);
    CHECK_NEAR(ty_dist_mean(d), 0.7 + 0.2 + 0.6, 1e-15);
    CHECK_NEAR(ty_dist_cdf(d, 1.5), 0.7, 1e-15);
    CHECK(ty_dist_quantile(d, 0) == 1 && ty_dist_quantile(d, 0.7) == 1);
    CHECK(ty_dist_quantile(d, 0.7000001) == 2 && ty_dist_quantile(d, 1) == 3);
    /* the spec keeps the caller's order, in the dist's own copies */
    const ty_dist_spec *sp = ty_dist_get_spec(d);
    CHECK(sp->values != v && sp->values[0] == 3 && sp->weights[4] == 0 && sp->nvalues == 5);
    char buf[128];
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "discrete(values=[3, 1, 2, 1, 7], weights=[0.2, 0.3, 0.1, 0.4, 0])");
    ty_dist_free(d);

    /* truncated: the support shrinks to {2, 3}, renormalised */
    s.has_bounds = 1; s.lo = 2; s.hi = 10;
    CHECK(ty_dist_new(&s, &d, NULL, NULL) == TY_OK);
    double tv[] = {2, 3}, tp[] = {1.0 / 3, 2.0 / 3};
    x = draw(d, N, seed_of("discrete in [2, 10]"));
    g_covered[TY_DIST_DISCRETE][1] = 1;
    check_exact_moments("discrete in [2, 10]", d, 8.0 / 3, 2.0 / 9);
    check_moments("discrete in [2, 10]", x, N, 8.0 / 3, 2.0 / 9, 1);
    check_chisq("discrete in [2, 10]", x, N, tv, tp, 2);
    free(x);
    CHECK_NEAR(ty_dist_mean(d), 8.0 / 3, 1e-14);
    ty_dist_free(d);

    /* 1000 values of uneven weight, equal weights when weights are absent */
    double bv[1000], bw[1000], bp[1000], tot = 0;
    for (int i = 0; i < 1000; i++) { bv[i] = i * 0.5; bw[i] = 1 + (i * 7919 % 101); tot += bw[i]; }
    for (int i = 0; i < 1000; i++) bp[i] = bw[i] / tot;
    ty_dist_spec b = {0};
    b.kind = TY_DIST_DISCRETE; b.values = bv; b.weights = bw; b.nvalues = 1000;
    CHECK(ty_dist_new(&b, &d, NULL, NULL) == TY_OK);
    x = draw(d, N, seed_of("discrete x1000"));
    check_chisq("discrete x1000", x, N, bv, bp, 1000);
    double bm = 0, bvar = 0;
    for (int i = 0; i < 1000; i++) bm += bp[i] * bv[i];
    for (int i = 0; i < 1000; i++) bvar += bp[i] * (bv[i] - bm) * (bv[i] - bm);
    check_exact_moments("discrete x1000", d, bm, bvar);
    check_moments("discrete x1000", x, N, bm, bvar, 1);
    free(x);
    ty_dist_free(d);
    b.weights = NULL;
    CHECK(ty_dist_new(&b, &d, NULL, NULL) == TY_OK);
    for (int i = 0; i < 1000; i++) bp[i] = 1e-3;
    x = draw(d, N, seed_of("discrete x1000 equal"));
    check_chisq("discrete x1000 equal", x, N, bv, bp, 1000);
    /* values 0, 0.5, ..., 499.5 equally likely: mean 249.75, var 0.25 (1000^2 - 1) / 12 */
    check_exact_moments("discrete x1000 equal", d, 249.75, 0.25 * (1e6 - 1) / 12);
    check_moments("discrete x1000 equal", x, N, 249.75, 0.25 * (1e6 - 1) / 12, 1);
    free(x);
    ty_dist_free(d);
}

/* Quantile of an integer family: the smallest k with CDF(k) >= p, by the
 * reference CDF (upper form above 1/2). */
static void check_int_quantile(const char *what, ty_dist *d, int bin, double n, double p)
{
    static const double ps[] = {1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-6, 1 - 1e-12};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double u = ps[i], k = ty_dist_quantile(d, u);
        double Pk = bin ? gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n) : gsl_cdf_poisson_P((unsigned)k, n);
        double Qk = bin ? gsl_cdf_binomial_Q((unsigned)k, p, (unsigned)n) : gsl_cdf_poisson_Q((unsigned)k, n);
        double Pk1 = k < 1 ? 0 : bin ? gsl_cdf_binomial_P((unsigned)k - 1, p, (unsigned)n) : gsl_cdf_poisson_P((unsigned)k - 1, n);
        double Qk1 = k < 1 ? 1 : bin ? gsl_cdf_binomial_Q((unsigned)k - 1, p, (unsigned)n) : gsl_cdf_poisson_Q((unsigned)k - 1, n);
        if (u <= 0.5)
            CHECK_MSG(Pk >= u * (1 - 1e-9) && Pk1 < u * (1 + 1e-9), "%s: Q(%g) = %g", what, u, k);
        else
            CHECK_MSG(Qk <= (1 - u) * (1 + 1e-9) && Qk1 > (1 - u) * (1 - 1e-9), "%s: Q(%.17g) = %g", what, u, k);
        double c = ty_dist_cdf(d, k);
        /* 1e-9: lgamma differences cost digits for n = 1e5 */
        CHECK_MSG(fabs(c - Pk) <= 1e-9 * fmax(Pk, 1e-300) + 1e-15, "%s: cdf(%g) = %.15g vs %.15g", what, k, c, Pk);
    }
    CHECK(ty_dist_quantile(d, 0) == 0);
    ty_dist_free(d);
}

static void test_integer_quantile(void)
{
    check_int_quantile("binomial(10, 0.3)", mk(TY_DIST_BINOMIAL, 10, 0.3, 0), 1, 10, 0.3);
    check_int_quantile("binomial(1000, 0.999)", mk(TY_DIST_BINOMIAL, 1000, 0.999, 0), 1, 1000, 0.999);
    check_int_quantile("binomial(100000, 0.2)", mk(TY_DIST_BINOMIAL, 100000, 0.2, 0), 1, 100000, 0.2);
    check_int_quantile("poisson(0.5)", mk(TY_DIST_POISSON, 0.5, 0, 0), 0, 0.5, 0);
    check_int_quantile("poisson(250)", mk(TY_DIST_POISSON, 250, 0, 0), 0, 250, 0);
    check_int_quantile("poisson(1e5)", mk(TY_DIST_POISSON, 1e5, 0, 0), 0, 1e5, 0);
    ty_dist *d = mk(TY_DIST_POISSON, 3, 0, 0);
    CHECK(isinf(ty_dist_quantile(d, 1)));
    ty_dist_free(d);
    d = mk(TY_DIST_BINOMIAL, 7, 0.5, 0);
    CHECK(ty_dist_quantile(d, 1) == 7);
    CHECK(ty_dist_cdf(d, 6.5) == 1 - 1.0 / 128);
    ty_dist_free(d);
}

static void test_constant(void)
{
    ty_dist *d = mkb(TY_DIST_CONSTANT, 4, 0, 0, 0, 10);
    g_covered[TY_DIST_CONSTANT][1] = 1;
    double x[100];
    ty_rng r;
    ty_rng_seed(&r, 3, 3);
    ty_dist_sample(d, &r, x, 100);
    for (int i = 0; i < 100; i++) CHECK(x[i] == 4);
    CHECK(ty_dist_cdf(d, 3.9) == 0 && ty_dist_cdf(d, 4) == 1);
    CHECK(ty_dist_quantile(d, 0.3) == 4 && ty_dist_mean(d) == 4 && ty_dist_variance(d) == 0);
    ty_dist_free(d);
    d = mk(TY_DIST_CONSTANT, -2.5, 0, 0);
    g_covered[TY_DIST_CONSTANT][0] = 1;
    ty_dist_sample(d, &r, x, 100);
    for (int i = 0; i < 100; i++) CHECK(x[i] == -2.5);
    CHECK(ty_dist_mean(d) == -2.5 && ty_dist_variance(d) == 0);
    ty_dist_free(d);
    d = mk(TY_DIST_POISSON, 0, 0, 0);
    CHECK(ty_dist_mean(d) == 0 && ty_dist_quantile(d, 0.9) == 0);
    ty_dist_free(d);
}

static void test_validation_discrete(void)
{
    ty_dist_spec s = {0};
    s.kind = TY_DIST_BERNOULLI; s.param[0] = 1.5;
    check_error(&s, "bernoulli: p must be in [0, 1] (got 1.5)");
    s.kind = TY_DIST_BINOMIAL; s.param[0] = 2.5; s.param[1] = 0.5;
    check_error(&s, "binomial: n must be a non-negative integer (got 2.5)");
    s.param[0] = -1;
    check_error(&s, "binomial: n must be a non-negative integer (got -1)");
    s.param[0] = 10; s.param[1] = -0.1;
    check_error(&s, "binomial: p must be in [0, 1] (got -0.1)");
    s.kind = TY_DIST_POISSON; s.param[0] = -1;
    check_error(&s, "poisson: lambda must be >= 0 (got -1)");
    s.param[0] = 3; s.has_bounds = 1; s.lo = -5; s.hi = -1;
    check_error(&s, "poisson: bounds [-5, -1] lie outside the support of poisson [0, inf]");
    s.kind = TY_DIST_BINOMIAL; s.param[0] = 10; s.param[1] = 0.5; s.lo = 2.5; s.hi = 2.7;
    check_error(&s, "binomial: bounds [2.5, 2.7] hold no probability");

    double v[] = {1, 2, 3}, w[] = {0.5, 1, -0.5}, z[] = {0, 0, 0}, bad[] = {1, NAN, 3};
    ty_dist_spec d = {0};
    d.kind = TY_DIST_DISCRETE; d.values = v; d.weights = w; d.nvalues = 3;
    check_error(&d, "discrete: weights must be non-negative (weight 3 is -0.5)");
    d.weights = z;
    check_error(&d, "discrete: weights must not all be zero");
    d.weights = v; d.nweights = 2;
    check_error(&d, "discrete: values and weights differ in length (3 and 2)");
    d.nweights = 0; d.values = bad;
    check_error(&d, "discrete: values must be finite (value 2 is nan)");
    d.values = v; d.nvalues = 0;
    check_error(&d, "discrete: values must not be empty");
    d.nvalues = 3; d.has_bounds = 1; d.lo = 1.5; d.hi = 1.7;
    check_error(&d, "discrete: bounds [1.5, 1.7] hold no probability");
    d.lo = 5; d.hi = 9;
    check_error(&d, "discrete: bounds [5, 9] lie outside the support of discrete [1, 3]");
    d.lo = 3; d.hi = 2;
    check_error(&d, "discrete: bounds [3, 2] are reversed");
}

/* Every integer and table kind of TY_DIST_LIST has a sampler case with
 * moments, plain and truncated (the continuous kinds: test_dist.c). */
static void test_kinds_covered(void)
{
    _Static_assert(TY_DIST_COUNT == 19, "a new kind: give it sampler and moment cases here, in test_dist.c or in test_dist_new.c");
    if (getenv("TYCHE_TEST_CASE")) {
        /* Run alone: the sampler cases it counts must run first. */
        test_bernoulli(); test_binomial(); test_poisson(); test_truncated_integer(); test_discrete_table();
        test_constant();
    }
    for (int k = TY_DIST_BERNOULLI; k <= TY_DIST_CONSTANT; k++)
        CHECK_MSG(g_covered[k][0] && g_covered[k][1], "%s: no sampler case (plain %d, truncated %d)",
                  ty_dist_kind_name(k), g_covered[k][0], g_covered[k][1]);
}

DIST_MAIN(test_bernoulli, test_binomial, test_poisson, test_truncated_integer, test_discrete_table,
          test_integer_quantile, test_constant, test_validation_discrete, test_kinds_covered)
