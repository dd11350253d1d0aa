/* test_dist.c - continuous distributions: samplers against exact CDFs (GSL)
 * by Kolmogorov-Smirnov and a 100-bin equiprobable chi-square, sample mean
 * and variance against reference moments computed here (GSL and closed
 * forms, truncated ones by partial moments), ty_dist_mean/variance against
 * the same references, quantile/CDF accuracy and round trips, truncation
 * (rejection and tail inversion), validation messages and descriptions.
 * Integer and table kinds are in test_dist_discrete.c.
 *
 * Errors caught, rates: see dist_check.h. Each case draws 1e6 values (1e7
 * with --slow) from a seed hashed from its name and runs four checks at
 * ALPHA = 1e-6 each; the run prints, per case, every statistic and the
 * power against a mean shifted by 1% of the sd (1 - 1.7e-7 at 1e6) and a
 * variance 2% too large (from 1 - 1e-20 for the normal down to 0.002 for
 * gamma(0.02), whose kurtosis is 303), and at the end the number of checks
 * and the family-wise false-failure rate (about 2e-4 for this file). */
#include "dist_check.h"

#include <gsl/gsl_integration.h>

/* ---- reference CDFs (lower P, upper Q) from GSL or closed forms ---------- */

typedef double (*cdf2)(double x, const double *par);

static double nP(double x, const double *p) { return gsl_cdf_gaussian_P(x - p[0], p[1]); }
static double nQ(double x, const double *p) { return gsl_cdf_gaussian_Q(x - p[0], p[1]); }
static double lnP(double x, const double *p) { return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double lnQ(double x, const double *p) { return x <= 0 ? 1 : gsl_cdf_lognormal_Q(x, p[0], p[1]); }
static double bP(double x, const double *p) { return x <= 0 ? 0 : x >= 1 ? 1 : gsl_cdf_beta_P(x, p[0], p[1]); }
static double bQ(double x, const double *p) { return x <= 0 ? 1 : x >= 1 ? 0 : gsl_cdf_beta_Q(x, p[0], p[1]); }
static double gP(double x, const double *p) { return x <= 0 ? 0 : gsl_cdf_gamma_P(x, p[0], p[1]); }
static double gQ(double x, const double *p) { return x <= 0 ? 1 : gsl_cdf_gamma_Q(x, p[0], p[1]); }
static double uP(double x, const double *p) { return gsl_cdf_flat_P(x, p[0], p[1]); }
static double uQ(double x, const double *p) { return gsl_cdf_flat_Q(x, p[0], p[1]); }
static double tP(double x, const double *p)
{
    double a = p[0], c = p[1], b = p[2];
    if (x <= a) return 0;
    if (x >= b) return 1;
    if (x <= c) return (x - a) * (x - a) / ((b - a) * (c - a));
    return 1 - (b - x) * (b - x) / ((b - a) * (b - c));
}
static double tQ(double x, const double *p) { return 1 - tP(x, p); }
static double pert_ab(const double *p, double *al, double *be)
{
    double w = p[2] - p[0];
    *al = 1 + 4 * (p[1] - p[0]) / w;
    *be = 1 + 4 * (p[2] - p[1]) / w;
    return w;
}
static double pP(double x, const double *p)
{
    double al, be, w = pert_ab(p, &al, &be), q[2] = {al, be};
    return bP((x - p[0]) / w, q);
}
static double pQ(double x, const double *p)
{
    double al, be, w = pert_ab(p, &al, &be), q[2] = {al, be};
    return bQ((x - p[0]) / w, q);
}

/* ---- reference moments: mean and variance of the family restricted to
 * [lo, hi], from its partial moments M_j = int_lo^hi x^j f(x) dx ---------- */

/* Mass of the unit normal in [a, b], in the form that keeps digits. */
static double nmass(double a, double b)
{
    return a > 0 ? gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b) : gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
}
static void mom_normal(double mu, double s, double lo, double hi, double *m, double *v)
{
    double a = (lo - mu) / s, b = (hi - mu) / s;
    double pa = isinf(a) ? 0 : gsl_ran_ugaussian_pdf(a), pb = isinf(b) ? 0 : gsl_ran_ugaussian_pdf(b);
    double Z = nmass(a, b), m1 = (pa - pb) / Z;
    double m2 = 1 + ((isinf(a) ? 0 : a * pa) - (isinf(b) ? 0 : b * pb)) / Z;
    *m = mu + s * m1;
    *v = s * s * (m2 - m1 * m1);
}
/* Regularised lower incomplete gamma P(k, x) differences, upper form past the mode. */
static double gmass(double k, double lo, double hi)
{
    if (lo > k) return gsl_cdf_gamma_Q(lo, k, 1) - (isinf(hi) ? 0 : gsl_cdf_gamma_Q(hi, k, 1));
    return (isinf(hi) ? 1 : gsl_cdf_gamma_P(hi, k, 1)) - (lo <= 0 ? 0 : gsl_cdf_gamma_P(lo, k, 1));
}
static void mom_gamma(double k, double th, double lo, double hi, double *m, double *v)
{
    lo = fmax(lo, 0) / th; hi /= th;
    double Z = gmass(k, lo, hi);
    double m1 = k * gmass(k + 1, lo, hi) / Z, m2 = k * (k + 1) * gmass(k + 2, lo, hi) / Z;
    *m = th * m1;
    *v = th * th * (m2 - m1 * m1);
}
static double bmass(double a, double b, double lo, double hi)
{
    lo = fmax(lo, 0); hi = fmin(hi, 1);
    if (lo > a / (a + b)) return (lo <= 0 ? 1 : gsl_cdf_beta_Q(lo, a, b)) - (hi >= 1 ? 0 : gsl_cdf_beta_Q(hi, a, b));
    return (hi >= 1 ? 1 : gsl_cdf_beta_P(hi, a, b)) - (lo <= 0 ? 0 : gsl_cdf_beta_P(lo, a, b));
}
static void mom_beta(double a, double b, double lo, double hi, double *m, double *v)
{
    double Z = bmass(a, b, lo, hi);
    double m1 = a / (a + b) * bmass(a + 1, b, lo, hi) / Z;
    double m2 = a * (a + 1) / ((a + b) * (a + b + 1)) * bmass(a + 2, b, lo, hi) / Z;
    *m = m1;
    *v = m2 - m1 * m1;
}
static void mom_lognormal(double mu, double s, double lo, double hi, double *m, double *v)
{
    double a = lo <= 0 ? -INFINITY : (log(lo) - mu) / s, b = isinf(hi) ? INFINITY : (log(hi) - mu) / s;
    double Z = nmass(a, b);
    double m1 = exp(mu + s * s / 2) * nmass(a - s, b - s) / Z;
    double m2 = exp(2 * mu + 2 * s * s) * nmass(a - 2 * s, b - 2 * s) / Z;
    *m = m1;
    /* untruncated: the closed form, free of the cancellation m2 - m1^2 */
    *v = isinf(a) && isinf(b) ? expm1(s * s) * exp(2 * mu + s * s) : m2 - m1 * m1;
}
/* Triangular(a, c, b): the pdf is linear on [a, c] and on [c, b]; its
 * partial moments are polynomials. */
static double tri_pm(double a, double c, double b, int j, double lo, double hi)
{
    double s = 0, l, h;
    if (c > a && (l = fmax(lo, a)) < (h = fmin(hi, c)))   /* 2 (x - a) / ((b - a)(c - a)) */
        s += 2 / ((b - a) * (c - a)) * ((pow(h, j + 2) - pow(l, j + 2)) / (j + 2) - a * (pow(h, j + 1) - pow(l, j + 1)) / (j + 1));
    if (b > c && (l = fmax(lo, c)) < (h = fmin(hi, b)))   /* 2 (b - x) / ((b - a)(b - c)) */
        s += 2 / ((b - a) * (b - c)) * (b * (pow(h, j + 1) - pow(l, j + 1)) / (j + 1) - (pow(h, j + 2) - pow(l, j + 2)) / (j + 2));
    return s;
}
static void mom_tri(double a, double c, double b, double lo, double hi, double *m, double *v)
{
    double Z = tri_pm(a, c, b, 0, lo, hi), m1 = tri_pm(a, c, b, 1, lo, hi) / Z;
    *m = m1;
    *v = tri_pm(a, c, b, 2, lo, hi) / Z - m1 * m1;
}

/* ---- one sampler case ------------------------------------------------------ */

enum fam { F_NORMAL, F_LOGNORMAL, F_BETA, F_GAMMA, F_UNIFORM, F_TRI, F_PERT };
static const cdf2 famP[] = {nP, lnP, bP, gP, uP, tP, pP}, famQ[] = {nQ, lnQ, bQ, gQ, uQ, tQ, pQ};

/* The reference for the case under test. */
static cdf2 g_P, g_Q;
static double g_par[3], g_lo, g_hi;
static int g_trunc;

static double ref_cdf(double x)
{
    if (!g_trunc) return g_P(x, g_par);
    if (x < g_lo) return 0;
    if (x >= g_hi) return 1;
    double c;
    if (g_Q(g_lo, g_par) < 0.5) {
        double qlo = g_Q(g_lo, g_par), qhi = g_Q(g_hi, g_par);
        c = (qlo - g_Q(x, g_par)) / (qlo - qhi);
    } else {
        double plo = g_P(g_lo, g_par), phi = g_P(g_hi, g_par);
        c = (g_P(x, g_par) - plo) / (phi - plo);
    }
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

static void ref_moments(enum fam f, const double *p, double lo, double hi, double *m, double *v)
{
    switch (f) {
    case F_NORMAL: mom_normal(p[0], p[1], lo, hi, m, v); break;
    case F_LOGNORMAL: mom_lognormal(p[0], p[1], lo, hi, m, v); break;
    case F_BETA: mom_beta(p[0], p[1], lo, hi, m, v); break;
    case F_GAMMA: mom_gamma(p[0], p[1], lo, hi, m, v); break;
    case F_UNIFORM: {
        double l = fmax(lo, p[0]), h = fmin(hi, p[1]);
        *m = 0.5 * (l + h); *v = (h - l) * (h - l) / 12;
        break;
    }
    case F_TRI: mom_tri(p[0], p[1], p[2], lo, hi, m, v); break;
    case F_PERT: {
        double al, be, w = pert_ab(p, &al, &be), bm, bv;
        mom_beta(al, be, (lo - p[0]) / w, (hi - p[0]) / w, &bm, &bv);
        *m = p[0] + w * bm; *v = w * w * bv;
        break;
    }
    }
}

/* Kinds with a sampler case, untruncated and truncated (test_kinds_covered). */
static int g_covered[TY_DIST_COUNT][2];

/* logmom: heavy tail (lognormal sigma 2.5, kurtosis e^25): a sample mean of
 * 1e6 draws is far from normal, so the mean and variance are checked on
 * log x instead (exactly normal(mu, sigma)). */
static void case_(const char *what, ty_dist *d, enum fam f, double p0, double p1, double p2, int trunc,
                  double lo, double hi, int logmom)
{
    CHECK_MSG(d != NULL, "%s: not built", what);
    if (!d) return;
    g_covered[ty_dist_get_spec(d)->kind][trunc] = 1;
    g_P = famP[f]; g_Q = famQ[f];
    g_par[0] = p0; g_par[1] = p1; g_par[2] = p2;
    g_trunc = trunc; g_lo = lo; g_hi = hi;
    size_t n = g_n;
    double *x = draw(d, n, seed_of(what));
    double slo, shi;
    ty_dist_support(d, &slo, &shi);
    int inside = 1;
    for (size_t i = 0; i < n; i++) inside &= x[i] >= slo && x[i] <= shi;
    CHECK_MSG(inside, "%s: a draw lies outside the support", what);
    double m, v;
    ref_moments(f, g_par, trunc ? lo : -INFINITY, trunc ? hi : INFINITY, &m, &v);
    check_exact_moments(what, d, m, v);
    if (logmom) {
        for (size_t i = 0; i < n; i++) x[i] = log(x[i]);
        check_moments(what, x, n, p0, p1 * p1, 1);
        for (size_t i = 0; i < n; i++) x[i] = exp(x[i]);
    } else {
        check_moments(what, x, n, m, v, 1);
    }
    for (size_t i = 0; i < n; i++) x[i] = ref_cdf(x[i]);
    check_pit(what, x, n);
    free(x);
    ty_dist_free(d);
}

#define KS(d, f, a, b, c) case_(#d, d, f, a, b, c, 0, 0, 0, 0)
#define KST(d, f, a, b, c, lo, hi) case_(#d, d, f, a, b, c, 1, lo, hi, 0)

static void test_normal_ks(void)
{
    KS(mk(TY_DIST_NORMAL, 0, 1, 0), F_NORMAL, 0, 1, 0);
    KS(mk(TY_DIST_NORMAL, 40000, 8000, 0), F_NORMAL, 40000, 8000, 0);
    KS(mk(TY_DIST_NORMAL, -3, 1e-3, 0), F_NORMAL, -3, 1e-3, 0);
    KS(mk(TY_DIST_NORMAL, 1e6, 1e8, 0), F_NORMAL, 1e6, 1e8, 0);
}

/* The ziggurat's tail beyond R = 3.654 is hit by 0.026% of draws: KS and
 * chi-square on a large sample restricted to |x| > 3.3 (8e6 draws, 8e7
 * with --slow: about 7700 of them in the tail), and the tail's share
 * against 2 Q(3.3) by a binomial z-test (ALPHA 1e-6). Power: a tail sampler
 * off by 5% in its share moves that z by 0.05 sqrt(7700) = 4.4 (power 0.35;
 * 0.9999 with --slow). */
static void test_normal_tail(void)
{
    ty_dist *d = mk(TY_DIST_NORMAL, 0, 1, 0);
    size_t n = 8 * g_n, m = 0;
    double *x = draw(d, n, seed_of("normal tail"));
    for (size_t i = 0; i < n; i++) if (fabs(x[i]) > 3.3) x[m++] = fabs(x[i]);
    double p = 2 * gsl_cdf_ugaussian_Q(3.3), z = (m - n * p) / sqrt(n * p * (1 - p));
    CHECK_MSG(fabs(z) < zcrit(), "normal tail: %zu draws beyond 3.3, expected %.1f: z = %.2f", m, n * p, z);
    g_stat_checks++;
    g_P = nP; g_Q = nQ; g_par[0] = 0; g_par[1] = 1; g_trunc = 1; g_lo = 3.3; g_hi = INFINITY;
    for (size_t i = 0; i < m; i++) x[i] = ref_cdf(x[i]);
    check_pit("normal tail |x| > 3.3", x, m);
    free(x);
    ty_dist_free(d);
}

static void test_lognormal_ci90_uniform_ks(void)
{
    KS(mk(TY_DIST_LOGNORMAL, 0, 1, 0), F_LOGNORMAL, 0, 1, 0);
    KS(mk(TY_DIST_LOGNORMAL, 2, 0.1, 0), F_LOGNORMAL, 2, 0.1, 0);
    case_("lognormal(-1, 2.5)", mk(TY_DIST_LOGNORMAL, -1, 2.5, 0), F_LOGNORMAL, -1, 2.5, 0, 0, 0, 0, 1);
    double z = 1.6448536269514722;
    double mu = 0.5 * (log(10) + log(50)), s = (log(50) - log(10)) / (2 * z);
    KS(mk(TY_DIST_CI90, 10, 50, 0), F_LOGNORMAL, mu, s, 0);
    KS(mk(TY_DIST_CI90, -10, 30, 0), F_NORMAL, 10, 20 / z, 0);
    KS(mk(TY_DIST_UNIFORM, -2, 5, 0), F_UNIFORM, -2, 5, 0);
    KS(mk(TY_DIST_UNIFORM, 1e9, 1e9 + 1, 0), F_UNIFORM, 1e9, 1e9 + 1, 0);
}

static void test_ci90_percentiles(void)
{
    ty_dist *d = mk(TY_DIST_CI90, 10, 50, 0);
    CHECK_NEAR(ty_dist_quantile(d, 0.05), 10, 1e-9);
    CHECK_NEAR(ty_dist_quantile(d, 0.95), 50, 1e-9);
    CHECK_NEAR(ty_dist_cdf(d, 10), 0.05, 1e-12);
    ty_dist_free(d);
    d = mk(TY_DIST_CI90, -10, 30, 0);
    CHECK_NEAR(ty_dist_quantile(d, 0.05), -10, 1e-9);
    CHECK_NEAR(ty_dist_quantile(d, 0.95), 30, 1e-9);
    CHECK_NEAR(ty_dist_mean(d), 10, 1e-12);
    ty_dist_free(d);
}

static void test_beta_ks(void)
{
    KS(mk(TY_DIST_BETA, 2, 3, 0), F_BETA, 2, 3, 0);
    KS(mk(TY_DIST_BETA, 1, 1, 0), F_BETA, 1, 1, 0);
    KS(mk(TY_DIST_BETA, 0.5, 0.5, 0), F_BETA, 0.5, 0.5, 0);
    /* smaller shapes put a visible share of the mass within 1e-16 of 1, where
     * draws round to 1.0 and KS against the exact CDF would see a jump */
    KS(mk(TY_DIST_BETA, 0.2, 0.3, 0), F_BETA, 0.2, 0.3, 0);
    KS(mk(TY_DIST_BETA, 0.3, 20, 0), F_BETA, 0.3, 20, 0);
    KS(mk(TY_DIST_BETA, 20, 0.3, 0), F_BETA, 20, 0.3, 0);
    KS(mk(TY_DIST_BETA, 1000, 2000, 0), F_BETA, 1000, 2000, 0);
    KS(mk(TY_DIST_BETA, 1.5, 0.9, 0), F_BETA, 1.5, 0.9, 0);
}

static void test_gamma_ks(void)
{
    KS(mk(TY_DIST_GAMMA, 1, 1, 0), F_GAMMA, 1, 1, 0);
    KS(mk(TY_DIST_GAMMA, 5, 3, 0), F_GAMMA, 5, 3, 0);
    KS(mk(TY_DIST_GAMMA, 0.5, 2, 0), F_GAMMA, 0.5, 2, 0);
    KS(mk(TY_DIST_GAMMA, 0.02, 1, 0), F_GAMMA, 0.02, 1, 0);
    KS(mk(TY_DIST_GAMMA, 1e4, 1e-3, 0), F_GAMMA, 1e4, 1e-3, 0);
    KS(mk(TY_DIST_GAMMA, 1.0 / 3 + 1e-9, 7, 0), F_GAMMA, 1.0 / 3 + 1e-9, 7, 0);
}

static void test_triangular_pert_ks(void)
{
    KS(mk(TY_DIST_TRIANGULAR, 0, 3, 10), F_TRI, 0, 3, 10);
    KS(mk(TY_DIST_TRIANGULAR, 0, 0, 1), F_TRI, 0, 0, 1);
    KS(mk(TY_DIST_TRIANGULAR, -5, 2, 2), F_TRI, -5, 2, 2);
    KS(mk(TY_DIST_PERT, 0, 3, 10), F_PERT, 0, 3, 10);
    KS(mk(TY_DIST_PERT, 10, 10, 20), F_PERT, 10, 10, 20);
    KS(mk(TY_DIST_PERT, 0.4, 0.6, 0.9), F_PERT, 0.4, 0.6, 0.9);
}

static void test_truncated_ks(void)
{
    /* inversion in the far upper and lower tails */
    KST(mkb(TY_DIST_NORMAL, 0, 1, 0, 5, 6), F_NORMAL, 0, 1, 0, 5, 6);
    KST(mkb(TY_DIST_NORMAL, 0, 1, 0, -6, -5), F_NORMAL, 0, 1, 0, -6, -5);
    KST(mkb(TY_DIST_NORMAL, 0, 1, 0, 8, INFINITY), F_NORMAL, 0, 1, 0, 8, INFINITY);
    /* rejection */
    KST(mkb(TY_DIST_NORMAL, 0, 1, 0, -1, 2), F_NORMAL, 0, 1, 0, -1, 2);
    KST(mkb(TY_DIST_NORMAL, 40000, 8000, 0, 15000, 100000), F_NORMAL, 40000, 8000, 0, 15000, 100000);
    KST(mkb(TY_DIST_GAMMA, 2, 1, 0, 10, 12), F_GAMMA, 2, 1, 0, 10, 12);
    KST(mkb(TY_DIST_GAMMA, 0.1, 1, 0, 0, 1e-8), F_GAMMA, 0.1, 1, 0, 0, 1e-8);
    KST(mkb(TY_DIST_BETA, 2, 5, 0, 0.9, 1), F_BETA, 2, 5, 0, 0.9, 1);
    KST(mkb(TY_DIST_LOGNORMAL, 0, 1, 0, 0.5, 2), F_LOGNORMAL, 0, 1, 0, 0.5, 2);
    KST(mkb(TY_DIST_TRIANGULAR, 0, 3, 10, 1, 2), F_TRI, 0, 3, 10, 1, 2);
    KST(mkb(TY_DIST_PERT, 0, 3, 10, 8, 20), F_PERT, 0, 3, 10, 8, 10);
    KST(mkb(TY_DIST_UNIFORM, 0, 10, 0, 2, 3), F_UNIFORM, 0, 10, 0, 2, 3);
    double z = 1.6448536269514722;
    double mu = 0.5 * (log(10) + log(50)), s = (log(50) - log(10)) / (2 * z);
    KST(mkb(TY_DIST_CI90, 10, 50, 0, 8, 60), F_LOGNORMAL, mu, s, 0, 8, 60);
    KST(mkb(TY_DIST_CI90, -10, 30, 0, -12, INFINITY), F_NORMAL, 10, 20 / z, 0, -12, INFINITY);
}

/* Every continuous kind of TY_DIST_LIST has a sampler case with moments,
 * plain and truncated (the integer and table kinds: test_dist_discrete.c). */
static void test_kinds_covered(void)
{
    _Static_assert(TY_DIST_COUNT == 19, "a new kind: give it sampler and moment cases here, in test_dist_discrete.c or in test_dist_new.c");
    if (getenv("TYCHE_TEST_CASE")) {
        /* Run alone: the sampler cases it counts must run first. */
        test_normal_ks(); test_lognormal_ci90_uniform_ks(); test_beta_ks(); test_gamma_ks();
        test_triangular_pert_ks(); test_truncated_ks();
    }
    for (int k = TY_DIST_UNIFORM; k <= TY_DIST_PERT; k++)
        CHECK_MSG(g_covered[k][0] && g_covered[k][1], "%s: no sampler case (plain %d, truncated %d)",
                  ty_dist_kind_name(k), g_covered[k][0], g_covered[k][1]);
}

/* ---- moments against closed forms -------------------------------------- */

static void test_moments_exact(void)
{
    ty_dist *d;
    d = mk(TY_DIST_LOGNORMAL, 1, 0.5, 0);
    CHECK_NEAR(ty_dist_mean(d), exp(1.125), 1e-12);
    CHECK_NEAR(ty_dist_variance(d) / (expm1(0.25) * exp(2.25)), 1, 1e-12);
    ty_dist_free(d);
    d = mk(TY_DIST_PERT, 0, 3, 10);   /* alpha 2.2, beta 3.8 */
    CHECK_NEAR(ty_dist_mean(d), (0 + 4 * 3 + 10) / 6.0, 1e-12);
    CHECK_NEAR(ty_dist_variance(d), 100 * 2.2 * 3.8 / (36 * 7), 1e-12);
    ty_dist_free(d);
    d = mk(TY_DIST_TRIANGULAR, 0, 3, 10);
    CHECK_NEAR(ty_dist_mean(d), 13 / 3.0, 1e-12);
    CHECK_NEAR(ty_dist_variance(d), (9 + 100 - 30) / 18.0, 1e-12);
    ty_dist_free(d);

    /* truncated normal: mean = mu + s (phi(a) - phi(b)) / Z,
     * var = s^2 [1 + (a phi(a) - b phi(b)) / Z - ((phi(a) - phi(b)) / Z)^2] */
    const double cases[][2] = {{-1, 2}, {5, 6}, {-6, -5}, {0.5, 0.7}, {-0.3, INFINITY}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double a = cases[i][0], b = cases[i][1];
        d = mkb(TY_DIST_NORMAL, 3, 2, 0, 3 + 2 * a, 3 + 2 * b);
        double pa = gsl_ran_ugaussian_pdf(a), pb = isinf(b) ? 0 : gsl_ran_ugaussian_pdf(b);
        double Z = a > 0 ? gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b)
                         : gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
        double bb = isinf(b) ? 0 : b * pb;
        double m = 3 + 2 * (pa - pb) / Z;
        double v = 4 * (1 + (a * pa - bb) / Z - ((pa - pb) / Z) * ((pa - pb) / Z));
        CHECK_MSG(fabs(ty_dist_mean(d) - m) <= 1e-8 * fabs(m), "truncated normal [%g, %g] mean %.15g vs %.15g",
                  a, b, ty_dist_mean(d), m);
        CHECK_MSG(fabs(ty_dist_variance(d) - v) <= 1e-7 * v, "truncated normal [%g, %g] var %.15g vs %.15g",
                  a, b, ty_dist_variance(d), v);
        ty_dist_free(d);
    }
    /* truncated gamma: E[X] = k theta (P(k+1, .) differences) / (P(k, .) differences) */
    double k = 2.5, th = 1.5, lo = 1, hi = 4;
    d = mkb(TY_DIST_GAMMA, k, th, 0, lo, hi);
    double Z = gsl_cdf_gamma_P(hi, k, th) - gsl_cdf_gamma_P(lo, k, th);
    double m = k * th * (gsl_cdf_gamma_P(hi, k + 1, th) - gsl_cdf_gamma_P(lo, k + 1, th)) / Z;
    double m2 = k * (k + 1) * th * th * (gsl_cdf_gamma_P(hi, k + 2, th) - gsl_cdf_gamma_P(lo, k + 2, th)) / Z;
    CHECK_NEAR(ty_dist_mean(d) / m, 1, 1e-8);
    CHECK_NEAR(ty_dist_variance(d) / (m2 - m * m), 1, 1e-7);
    ty_dist_free(d);
}

/* ---- quantile accuracy ---------------------------------------------------- */

static void check_quantile(const char *what, ty_dist *d, cdf2 P, cdf2 Q, double p0, double p1, double p2)
{
    static const double ps[] = {1e-200, 1e-30, 1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99,
                                1 - 1e-6, 1 - 1e-12};
    double par[3] = {p0, p1, p2};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i], x = ty_dist_quantile(d, p);
        double slo, shi;
        ty_dist_support(d, &slo, &shi);
        if (x <= slo || x >= shi) continue;   /* below double resolution: at the edge */
        /* relative error of the quantile below 1e-10: the exact quantile lies
         * in [x - 1e-10 |x|, x + 1e-10 |x|] by the reference CDF */
        double xl = x - 1e-10 * fabs(x) - 1e-300, xh = x + 1e-10 * fabs(x) + 1e-300;
        if (p <= 0.5) {
            CHECK_MSG(P(xl, par) <= p * (1 + 1e-13) && P(xh, par) >= p * (1 - 1e-13),
                      "%s: P(Q(%g)) = %.15g", what, p, P(x, par));
        } else {
            double q = 1 - p;
            CHECK_MSG(Q(xh, par) <= q * (1 + 1e-13) && Q(xl, par) >= q * (1 - 1e-13),
                      "%s: 1 - P(Q(%.17g)) = %.15g", what, p, Q(x, par));
        }
        /* and back: cdf(quantile(p)) == p */
        double c = ty_dist_cdf(d, x);
        double cl = ty_dist_cdf(d, xl), ch = ty_dist_cdf(d, xh);
        CHECK_MSG(cl <= p * (1 + 1e-13) && ch >= p * (1 - 1e-13), "%s: cdf(Q(%g)) = %.15g", what, p, c);
        /* x -> cdf -> quantile */
        double x2 = ty_dist_quantile(d, c);
        if (c > 0 && c < 1)
            CHECK_MSG(fabs(x2 - x) <= 1e-9 * fabs(x) + 1e-300, "%s: Q(cdf(%.15g)) = %.15g", what, x, x2);
    }
    CHECK(isnan(ty_dist_quantile(d, -0.1)));
    CHECK(isnan(ty_dist_quantile(d, 1.1)));
    ty_dist_free(d);
}

static void test_quantile_accuracy(void)
{
    check_quantile("normal", mk(TY_DIST_NORMAL, 5, 2, 0), nP, nQ, 5, 2, 0);
    check_quantile("lognormal", mk(TY_DIST_LOGNORMAL, 1, 0.7, 0), lnP, lnQ, 1, 0.7, 0);
    check_quantile("gamma(2.5)", mk(TY_DIST_GAMMA, 2.5, 3, 0), gP, gQ, 2.5, 3, 0);
    check_quantile("gamma(0.05)", mk(TY_DIST_GAMMA, 0.05, 1, 0), gP, gQ, 0.05, 1, 0);
    check_quantile("gamma(500)", mk(TY_DIST_GAMMA, 500, 1, 0), gP, gQ, 500, 1, 0);
    check_quantile("beta(2,3)", mk(TY_DIST_BETA, 2, 3, 0), bP, bQ, 2, 3, 0);
    check_quantile("beta(0.1,0.2)", mk(TY_DIST_BETA, 0.1, 0.2, 0), bP, bQ, 0.1, 0.2, 0);
    check_quantile("beta(200,30)", mk(TY_DIST_BETA, 200, 30, 0), bP, bQ, 200, 30, 0);
    check_quantile("beta(0.5,50)", mk(TY_DIST_BETA, 0.5, 50, 0), bP, bQ, 0.5, 50, 0);
    check_quantile("pert", mk(TY_DIST_PERT, 0, 3, 10), pP, pQ, 0, 3, 10);
    check_quantile("triangular", mk(TY_DIST_TRIANGULAR, 0, 3, 10), tP, tQ, 0, 3, 10);
    check_quantile("uniform", mk(TY_DIST_UNIFORM, -1, 3, 0), uP, uQ, -1, 3, 0);
}

static void test_truncated_quantile(void)
{
    ty_dist *d = mkb(TY_DIST_NORMAL, 0, 1, 0, 5, 6);
    double qlo = gsl_cdf_ugaussian_Q(5), qhi = gsl_cdf_ugaussian_Q(6);
    for (double p = 0.05; p < 1; p += 0.1) {
        double x = ty_dist_quantile(d, p);
        double c = (qlo - gsl_cdf_ugaussian_Q(x)) / (qlo - qhi);
        CHECK_MSG(fabs(c - p) <= 1e-9, "normal[5,6]: ref cdf(Q(%g)) = %.15g", p, c);
        CHECK_NEAR(ty_dist_cdf(d, x), p, 1e-12);
    }
    CHECK(ty_dist_quantile(d, 0) == 5);
    CHECK(ty_dist_quantile(d, 1) == 6);
    CHECK(ty_dist_cdf(d, 4.9) == 0 && ty_dist_cdf(d, 6.1) == 1);
    double lo, hi;
    ty_dist_support(d, &lo, &hi);
    CHECK(lo == 5 && hi == 6);
    ty_dist_free(d);

    double u[5] = {0, 0.25, 0.5, 0.75, 1}, q[5];
    d = mkb(TY_DIST_BETA, 2, 5, 0, 0.5, 0.8);
    ty_dist_quantile_block(d, u, q, 5);
    /* the block reads an interpolation table (test_dist_quantile.c): equal
     * to the exact quantile at the ends, within 1e-9 relative inside */
    for (int i = 0; i < 5; i++) CHECK(fabs(q[i] - ty_dist_quantile(d, u[i])) <= 1e-9 * fabs(q[i]));
    CHECK(q[0] == 0.5 && q[4] == 0.8);
    for (int i = 0; i < 4; i++) CHECK(q[i] < q[i + 1]);
    ty_dist_free(d);
}

/* ---- determinism ----------------------------------------------------------- */

static void test_determinism(void)
{
    /* The same seed and the same block sizes give identical draws. (Draws
     * depend on how a stream is cut into calls: the normal sampler works in
     * chunks of 256; the run loop always uses fixed-size blocks.) */
    ty_dist *ds[] = {mk(TY_DIST_NORMAL, 0, 1, 0), mk(TY_DIST_GAMMA, 0.7, 1, 0),
                     mk(TY_DIST_BETA, 2, 3, 0), mkb(TY_DIST_NORMAL, 0, 1, 0, -1, 1)};
    for (size_t k = 0; k < 4; k++) {
        double a[1000], b[1000];
        ty_rng r1, r2;
        ty_rng_seed(&r1, 5, 1);
        ty_rng_seed(&r2, 5, 1);
        ty_dist_sample(ds[k], &r1, a, 1000);
        ty_dist_sample(ds[k], &r2, b, 1000);
        CHECK(memcmp(a, b, sizeof a) == 0);
        CHECK(ty_rng_next(&r1) == ty_rng_next(&r2));
        ty_dist_free(ds[k]);
    }
}

/* ---- validation --------------------------------------------------------------- */

static ty_dist_spec spec3(ty_dist_kind kind, double a, double b, double c)
{
    ty_dist_spec s = {0};
    s.kind = kind;
    s.param[0] = a; s.param[1] = b; s.param[2] = c;
    return s;
}

static void test_validation(void)
{
    ty_dist_spec s;
    s = spec3(TY_DIST_NORMAL, 0, -1, 0); check_error(&s, "normal: sd must be > 0 (got -1)");
    s = spec3(TY_DIST_NORMAL, 0, 0, 0); check_error(&s, "normal: sd must be > 0 (got 0)");
    s = spec3(TY_DIST_NORMAL, NAN, 1, 0); check_error(&s, "normal: mean must be finite (got nan)");
    s = spec3(TY_DIST_LOGNORMAL, 0, INFINITY, 0); check_error(&s, "lognormal: sigma must be finite (got inf)");
    s = spec3(TY_DIST_LOGNORMAL, 0, -2, 0); check_error(&s, "lognormal: sigma must be > 0 (got -2)");
    s = spec3(TY_DIST_UNIFORM, 3, 2, 0); check_error(&s, "uniform: min must be < max (got 3 and 2)");
    s = spec3(TY_DIST_CI90, 50, 10, 0); check_error(&s, "ci90: lo must be < hi (got 50 and 10)");
    s = spec3(TY_DIST_BETA, 0, 1, 0); check_error(&s, "beta: a must be > 0 (got 0)");
    s = spec3(TY_DIST_BETA, 1, -3, 0); check_error(&s, "beta: b must be > 0 (got -3)");
    s = spec3(TY_DIST_GAMMA, -1, 1, 0); check_error(&s, "gamma: shape must be > 0 (got -1)");
    s = spec3(TY_DIST_GAMMA, 1, 0, 0); check_error(&s, "gamma: scale must be > 0 (got 0)");
    s = spec3(TY_DIST_TRIANGULAR, 5, 1, 2); check_error(&s, "triangular: min must be < max (got 5 and 2)");
    s = spec3(TY_DIST_TRIANGULAR, 0, 5, 2); check_error(&s, "triangular: mode must be in [min, max] (got 5, not in [0, 2])");
    s = spec3(TY_DIST_PERT, 0, -1, 2); check_error(&s, "pert: mode must be in [min, max] (got -1, not in [0, 2])");
    s = spec3(TY_DIST_CONSTANT, -INFINITY, 0, 0); check_error(&s, "constant: x must be finite (got -inf)");
    /* two problems, two errors */
    s = spec3(TY_DIST_BETA, -1, -2, 0);
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    CHECK(ty_dist_new(&s, &d, dg, NULL) == TY_ERR_INVALID && d == NULL);
    CHECK(ty_diag_count(dg) == 2);
    ty_diag_free(dg);
    /* bounds */
    s = spec3(TY_DIST_NORMAL, 0, 1, 0);
    s.has_bounds = 1; s.lo = 5; s.hi = 1;
    check_error(&s, "normal: bounds [5, 1] are reversed");
    s = spec3(TY_DIST_BETA, 2, 2, 0);
    s.has_bounds = 1; s.lo = 2; s.hi = 3;
    check_error(&s, "beta: bounds [2, 3] lie outside the support of beta [0, 1]");
    s = spec3(TY_DIST_GAMMA, 2, 2, 0);
    s.has_bounds = 1; s.lo = -3; s.hi = -1;
    check_error(&s, "gamma: bounds [-3, -1] lie outside the support of gamma [0, inf]");
    s = spec3(TY_DIST_NORMAL, 0, 1, 0);
    s.has_bounds = 1; s.lo = 1; s.hi = 1;
    check_error(&s, "normal: bounds [1, 1] hold no probability");
    s.lo = 50; s.hi = 60;   /* mass below the smallest double */
    check_error(&s, "normal: bounds [50, 60] hold no probability");
    s.lo = NAN; s.hi = 1;
    check_error(&s, "normal: bounds must be numbers (got [nan, 1])");
    s = spec3(TY_DIST_CONSTANT, 4, 0, 0);
    s.has_bounds = 1; s.lo = 0; s.hi = 3;
    check_error(&s, "constant: bounds [0, 3] lie outside the support of constant [4, 4]");
    ty_dist_free(NULL);
}

static void test_names_describe(void)
{
    CHECK(ty_dist_kind_from_name("pert") == TY_DIST_PERT);
    CHECK(ty_dist_kind_from_name("norml") == -1);
    CHECK_STR(ty_dist_kind_name(TY_DIST_CI90), "ci90");
    CHECK(ty_dist_nparams(TY_DIST_TRIANGULAR) == 3 && ty_dist_nparams(TY_DIST_DISCRETE) == 0);
    CHECK_STR(ty_dist_param_name(TY_DIST_GAMMA, 1), "scale");
    CHECK(ty_dist_param_name(TY_DIST_GAMMA, 2) == NULL);
    CHECK(ty_dist_param_index(TY_DIST_NORMAL, "sd") == 1);
    CHECK(ty_dist_param_index(TY_DIST_NORMAL, "sigma") == -1);

    char buf[128];
    ty_dist *d = mkb(TY_DIST_NORMAL, 40000, 8000, 0, 15000, 100000);
    int n = ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "normal(mean=40000, sd=8000) in [15000, 100000]");
    CHECK(n == (int)strlen(buf));
    char small[8];
    CHECK(ty_dist_describe(d, small, sizeof small) == n);
    CHECK(strlen(small) == 7 && strncmp(small, buf, 7) == 0);
    ty_dist_free(d);
    d = mk(TY_DIST_CI90, 10, 50, 0);
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "ci90(lo=10, hi=50) -> lognormal(mu=3.107, sigma=0.4892)");
    CHECK(ty_dist_get_spec(d)->kind == TY_DIST_CI90 && ty_dist_get_spec(d)->param[1] == 50);
    ty_dist_free(d);
    d = mk(TY_DIST_CI90, -5, 40, 0);   /* lo <= 0: a normal with the same 5th/95th percentiles */
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "ci90(lo=-5, hi=40) -> normal(mean=17.5, sd=13.68)");
    ty_dist_free(d);
    d = mk(TY_DIST_PERT, 0.4, 0.6, 0.9);
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "pert(min=0.4, mode=0.6, max=0.9)");
    ty_dist_free(d);
}

DIST_MAIN(test_normal_ks, test_normal_tail, test_lognormal_ci90_uniform_ks, test_ci90_percentiles,
          test_beta_ks, test_gamma_ks, test_triangular_pert_ks, test_truncated_ks, test_kinds_covered,
          test_moments_exact,
          test_quantile_accuracy, test_truncated_quantile, test_determinism, test_validation,
          test_names_describe)
