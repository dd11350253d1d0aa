/* test_dist_new.c - student_t, loguniform, exponential, weibull, metalog
 * and mixture (truncated too): samplers by Kolmogorov-Smirnov and a 100-bin
 * chi-square against reference CDFs (GSL where it has the family, closed
 * forms, for metalog the test's own fit solved by GSL's LU and inverted by
 * bisection, for mixtures the weighted GSL CDFs), sample moments against
 * closed forms or GSL quadrature, ty_dist_mean/variance against the same,
 * the Latin-hypercube path (ty_dist_quantile_block) against the reference
 * CDF, quantile(CDF(x)) round trips, metalog's exact fit and feasibility,
 * atoms of discrete mixture components, and the validation messages.
 *
 * Error rates: see dist_check.h. Each sampler case draws 1e6 values (1e7
 * with --slow) from a seed hashed from its name; each statistic (mean,
 * variance, KS, chi-square, the atom z-tests) fails a correct sampler with
 * probability 1e-6; the run prints the number of checks and the
 * family-wise false-failure rate (about 1e-4 for this file). The
 * deterministic checks (round trips, fits, messages) cannot fail by
 * chance. */
#include "dist_check.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_gamma.h>

/* ---- reference CDFs and densities ------------------------------------------ */

typedef double (*ref_fn)(double x, const double *par);

static double stP(double x, const double *p) { return gsl_cdf_tdist_P((x - p[1]) / p[2], p[0]); }
static double stf(double x, const double *p) { return gsl_ran_tdist_pdf((x - p[1]) / p[2], p[0]) / p[2]; }
static double luP(double x, const double *p)
{
    return x <= p[0] ? 0 : x >= p[1] ? 1 : log(x / p[0]) / log(p[1] / p[0]);
}
static double luf(double x, const double *p) { return x < p[0] || x > p[1] ? 0 : 1 / (x * log(p[1] / p[0])); }
static double exP(double x, const double *p) { return x <= 0 ? 0 : gsl_cdf_exponential_P(x, 1 / p[0]); }
static double exf(double x, const double *p) { return x < 0 ? 0 : gsl_ran_exponential_pdf(x, 1 / p[0]); }
static double wbP(double x, const double *p) { return x <= 0 ? 0 : gsl_cdf_weibull_P(x, p[1], p[0]); }
static double wbf(double x, const double *p) { return x < 0 ? 0 : gsl_ran_weibull_pdf(x, p[1], p[0]); }

/* Reference truncated to [lo, hi]. */
static ref_fn g_P;
static const double *g_par;
static double g_lo, g_hi;
static double ref_cdf(double x)
{
    if (!(g_lo > -INFINITY || g_hi < INFINITY)) return g_P(x, g_par);
    if (x < g_lo) return 0;
    if (x >= g_hi) return 1;
    double a = g_P(g_lo, g_par), b = g_P(g_hi, g_par);
    double c = (g_P(x, g_par) - a) / (b - a);
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* Mean and variance of the density f on [lo, hi] (finite) by GSL's QAGS. */
typedef struct { ref_fn f; const double *par; int k; double c; } mom_ctx;
static double mom_integrand(double x, void *v)
{
    const mom_ctx *m = v;
    double w = m->f(x, m->par);
    return m->k == 0 ? w : m->k == 1 ? w * (x - m->c) : w * (x - m->c) * (x - m->c);
}
static void quad_moments(ref_fn f, const double *par, double lo, double hi, double *mean, double *var)
{
    gsl_set_error_handler_off();   /* "roundoff" at 1e-13 still gives the best estimate */
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    double r[3], err;
    mom_ctx m = {f, par, 0, 0.5 * (lo + hi)};
    gsl_function F = {mom_integrand, &m};
    for (int k = 0; k < 3; k++) {
        m.k = k;
        gsl_integration_qags(&F, lo, hi, 0, 1e-13, 2000, ws, &r[k], &err);
    }
    gsl_integration_workspace_free(ws);
    double e1 = r[1] / r[0];
    *mean = m.c + e1;
    *var = r[2] / r[0] - e1 * e1;
}

/* ---- one sampler case ---------------------------------------------------------- */

/* Draws g_n values of d and checks: inside the support; ty_dist_mean and
 * variance against (m, v); sample moments; KS and chi-square of the
 * reference CDF; the Latin-hypercube quantile block against the reference
 * CDF (|F(Q(u)) - u| <= 1e-8); quantile(cdf(x)) == x to 1e-9 relative. */
static void kcase(const char *what, ty_dist *d, ref_fn P, const double *par, double lo, double hi,
                  double m, double v)
{
    CHECK_MSG(d != NULL, "%s: not built", what);
    if (!d) return;
    g_P = P; g_par = par; g_lo = lo; g_hi = hi;
    size_t n = g_n;
    double *x = draw(d, n, seed_of(what));
    double slo, shi;
    ty_dist_support(d, &slo, &shi);
    int inside = 1;
    for (size_t i = 0; i < n; i++) inside &= x[i] >= slo && x[i] <= shi && x[i] >= lo && x[i] <= hi;
    CHECK_MSG(inside, "%s: a draw lies outside the support", what);
    check_exact_moments(what, d, m, v);
    check_moments(what, x, n, m, v, 1);
    /* round trips on some of the draws */
    int bad = 0;
    for (size_t i = 0; i < 2000; i++) {
        double q = ty_dist_quantile(d, ty_dist_cdf(d, x[i]));
        bad += !(fabs(q - x[i]) <= 1e-9 * fabs(x[i]) + 1e-12);
    }
    CHECK_MSG(bad == 0, "%s: %d of 2000 quantile(cdf(x)) round trips off by > 1e-9", what, bad);
    for (size_t i = 0; i < n; i++) x[i] = ref_cdf(x[i]);
    check_pit(what, x, n);
    free(x);
    /* Latin hypercube: quantiles of stratified uniforms */
    enum { NL = 4096 };
    double u[NL], q[NL];
    for (int i = 0; i < NL; i++) u[i] = (i + 0.5) / NL;
    ty_dist_quantile_block(d, u, q, NL);
    double worst = 0;
    for (int i = 0; i < NL; i++) worst = fmax(worst, fabs(ref_cdf(q[i]) - u[i]));
    CHECK_MSG(worst <= 1e-8, "%s: quantile block: |F(Q(u)) - u| up to %g", what, worst);
    ty_dist_free(d);
}

/* ---- the simple families ------------------------------------------------------- */

static void test_student_t(void)
{
    static const double p1[] = {5, 10, 2}, p2[] = {30, -1, 0.5}, p3[] = {2.5, 0, 1};
    kcase("student_t(5, 10, 2)", mk(TY_DIST_STUDENT_T, 5, 10, 2), stP, p1, -INFINITY, INFINITY, 10, 4 * 5 / 3.0);
    kcase("student_t(30, -1, 0.5)", mk(TY_DIST_STUDENT_T, 30, -1, 0.5), stP, p2, -INFINITY, INFINITY, -1,
          0.25 * 30 / 28.0);
    /* df 2.5: variance 5, kurtosis infinite; the variance check is noisy
     * but unbiased: use its truncated version for that, here the mean and
     * the shape */
    double m, v;
    static const double p4[] = {1, 0, 1}, p5[] = {1.5, 3, 2};
    quad_moments(stf, p3, -4, 6, &m, &v);
    kcase("student_t(2.5) in [-4, 6]", mkb(TY_DIST_STUDENT_T, 2.5, 0, 1, -4, 6), stP, p3, -4, 6, m, v);
    /* df <= 2 only truncated (a Cauchy, and df 1.5) */
    quad_moments(stf, p4, -20, 20, &m, &v);
    kcase("student_t(1) in [-20, 20]", mkb(TY_DIST_STUDENT_T, 1, 0, 1, -20, 20), stP, p4, -20, 20, m, v);
    quad_moments(stf, p5, 0, 50, &m, &v);
    kcase("student_t(1.5, 3, 2) in [0, 50]", mkb(TY_DIST_STUDENT_T, 1.5, 3, 2, 0, 50), stP, p5, 0, 50, m, v);
}

static void test_loguniform_exponential_weibull(void)
{
    static const double lu[] = {1, 1000}, ex[] = {0.25}, wb1[] = {1.5, 3}, wb2[] = {0.7, 2}, wb3[] = {5, 10};
    double L = log(1000);
    kcase("loguniform(1, 1000)", mk(TY_DIST_LOGUNIFORM, 1, 1000, 0), luP, lu, -INFINITY, INFINITY, 999 / L,
          (1000.0 * 1000 - 1) / (2 * L) - (999 / L) * (999 / L));
    kcase("exponential(0.25)", mk(TY_DIST_EXPONENTIAL, 0.25, 0, 0), exP, ex, -INFINITY, INFINITY, 4, 16);
    double g1 = gsl_sf_gamma(1 + 1 / 1.5), g2 = gsl_sf_gamma(1 + 2 / 1.5);
    kcase("weibull(1.5, 3)", mk(TY_DIST_WEIBULL, 1.5, 3, 0), wbP, wb1, -INFINITY, INFINITY, 3 * g1, 9 * (g2 - g1 * g1));
    g1 = gsl_sf_gamma(1 + 1 / 0.7); g2 = gsl_sf_gamma(1 + 2 / 0.7);
    kcase("weibull(0.7, 2)", mk(TY_DIST_WEIBULL, 0.7, 2, 0), wbP, wb2, -INFINITY, INFINITY, 2 * g1, 4 * (g2 - g1 * g1));
    g1 = gsl_sf_gamma(1 + 1 / 5.0); g2 = gsl_sf_gamma(1 + 2 / 5.0);
    kcase("weibull(5, 10)", mk(TY_DIST_WEIBULL, 5, 10, 0), wbP, wb3, -INFINITY, INFINITY, 10 * g1, 100 * (g2 - g1 * g1));
    /* truncated: rejection (most mass kept) and inversion (a far tail) */
    double m, v;
    quad_moments(luf, lu, 5, 50, &m, &v);
    kcase("loguniform(1, 1000) in [5, 50]", mkb(TY_DIST_LOGUNIFORM, 1, 1000, 0, 5, 50), luP, lu, 5, 50, m, v);
    quad_moments(exf, ex, 1, 30, &m, &v);
    kcase("exponential(0.25) in [1, 30]", mkb(TY_DIST_EXPONENTIAL, 0.25, 0, 0, 1, 30), exP, ex, 1, 30, m, v);
    quad_moments(wbf, wb1, 8, 12, &m, &v);
    kcase("weibull(1.5, 3) in [8, 12]", mkb(TY_DIST_WEIBULL, 1.5, 3, 0, 8, 12), wbP, wb1, 8, 12, m, v);
}

/* Closed-form moments and quantiles of the simple families. */
static void test_closed_forms(void)
{
    ty_dist *d = mk(TY_DIST_EXPONENTIAL, 2, 0, 0);
    CHECK_NEAR(ty_dist_quantile(d, 0.5), log(2) / 2, 1e-15);
    CHECK_NEAR(ty_dist_quantile(d, 1 - 0x1p-50) / (-log(0x1p-50) / 2), 1, 1e-12);
    CHECK_NEAR(ty_dist_cdf(d, 1), -expm1(-2), 1e-15);
    ty_dist_free(d);
    d = mk(TY_DIST_WEIBULL, 2, 3, 0);
    CHECK_NEAR(ty_dist_quantile(d, 0.3), 3 * sqrt(-log1p(-0.3)), 1e-14);
    CHECK_NEAR(ty_dist_mean(d), 3 * gsl_sf_gamma(1.5), 1e-13);
    ty_dist_free(d);
    d = mk(TY_DIST_LOGUNIFORM, 2, 200, 0);
    CHECK_NEAR(ty_dist_quantile(d, 0.5), 20, 1e-12);
    CHECK(ty_dist_quantile(d, 0) == 2 && ty_dist_quantile(d, 1) == 200);
    ty_dist_free(d);
    d = mk(TY_DIST_STUDENT_T, 3, 1, 2);
    for (double p = 1e-10; p < 1; p = p < 0.1 ? p * 10 : p + 0.1) {
        double x = ty_dist_quantile(d, p), ref = 1 + 2 * gsl_cdf_tdist_Pinv(p, 3);
        CHECK_MSG(fabs(x - ref) <= 1e-9 * fabs(ref) + 1e-12, "t3 quantile(%g) = %.15g vs %.15g", p, x, ref);
        CHECK_NEAR(ty_dist_cdf(d, ref), p, 1e-12 + 1e-9 * p);
    }
    CHECK_NEAR(ty_dist_variance(d), 4 * 3.0, 1e-12);
    ty_dist_free(d);
    /* the quantile's Newton steps and their starts, over df and p: GSL's
     * CDF at the quantile is p to 1e-11 relative, 1e-9 for df > 30 (df <= 2 truncated far
     * out, so the quantile is the untruncated one) */
    static const double dfs[] = {1, 1.5, 2.5, 4, 7, 30, 1000, 1e6};
    for (size_t k = 0; k < sizeof dfs / sizeof dfs[0]; k++) {
        d = dfs[k] <= 2 ? mkb(TY_DIST_STUDENT_T, dfs[k], 0, 1, -1e100, 1e100) : mk(TY_DIST_STUDENT_T, dfs[k], 0, 1);
        CHECK(d != NULL);
        if (!d) continue;
        for (double p = 1e-13; p < 1; p = p < 0.1 ? p * 7 : p + 0.0625) {
            double x = ty_dist_quantile(d, p);
            double c = p <= 0.5 ? gsl_cdf_tdist_P(x, dfs[k]) : gsl_cdf_tdist_Q(x, dfs[k]);
            double want = p <= 0.5 ? p : 1 - p;
            /* GSL's own t CDF for df > 30 is good to about 1e-10 */
            CHECK_MSG(fabs(c - want) <= (dfs[k] <= 30 ? 1e-11 : 1e-9) * want, "t(%g): quantile(%g) = %.17g, GSL's cdf there %.17g",
                      dfs[k], p, x, c);
        }
        ty_dist_free(d);
    }
}

/* ---- metalog ------------------------------------------------------------------ */

/* The test's own metalog: coefficients by GSL's LU, quantile by the basis
 * of Keelin (2016) eq. 6 and the log / logit transforms (eqs. 11, 12). */
typedef struct { int n, lower, upper; double a[5], lo, hi; } ref_ml;

static double ml_y(const ref_ml *r, double p)
{
    double L = log(p / (1 - p)), c = p - 0.5;
    double b[5] = {1, L, c * L, c, c * c}, y = 0;
    for (int j = 0; j < r->n; j++) y += r->a[j] * b[j];
    return y;
}
static double ml_Q(const ref_ml *r, double p)
{
    double y = ml_y(r, p);
    if (r->lower && r->upper) return (r->lo + r->hi * exp(y)) / (1 + exp(y));
    if (r->lower) return r->lo + exp(y);
    if (r->upper) return r->hi - exp(-y);
    return y;
}
static void ml_fit(ref_ml *r, const double *x, const double *p, int n, int lower, double lo, int upper, double hi)
{
    r->n = n; r->lower = lower; r->upper = upper; r->lo = lo; r->hi = hi;
    gsl_matrix *A = gsl_matrix_alloc(n, n);
    gsl_vector *z = gsl_vector_alloc(n), *a = gsl_vector_alloc(n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    for (int i = 0; i < n; i++) {
        double L = log(p[i] / (1 - p[i])), c = p[i] - 0.5;
        double b[5] = {1, L, c * L, c, c * c};
        for (int j = 0; j < n; j++) gsl_matrix_set(A, i, j, b[j]);
        double t = x[i];
        if (lower && upper) t = log((x[i] - lo) / (hi - x[i]));
        else if (lower) t = log(x[i] - lo);
        else if (upper) t = -log(hi - x[i]);
        gsl_vector_set(z, i, t);
    }
    int s;
    gsl_linalg_LU_decomp(A, perm, &s);
    gsl_linalg_LU_solve(A, perm, z, a);
    for (int j = 0; j < n; j++) r->a[j] = gsl_vector_get(a, j);
    gsl_matrix_free(A); gsl_vector_free(z); gsl_vector_free(a); gsl_permutation_free(perm);
}
/* Reference CDF: bisection of ml_Q in p. par points to a ref_ml. */
static double mlP(double x, const double *par)
{
    const ref_ml *r = (const ref_ml *)(const void *)par;
    double a = 0, b = 1;
    for (int it = 0; it < 80; it++) {
        double m = 0.5 * (a + b);
        if (ml_Q(r, m) <= x) a = m; else b = m;
    }
    return 0.5 * (a + b);
}

static ty_dist *mk_ml(const double *x, const double *p, size_t n, int bounds, double lo, double hi)
{
    ty_dist_spec s = {.kind = TY_DIST_METALOG, .values = x, .weights = p, .nvalues = n, .nweights = n,
                      .metalog_bounds = bounds, .param = {lo, hi}};
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    if (ty_dist_new(&s, &d, dg, NULL) != TY_OK)
        fprintf(stderr, "metalog: %s\n", ty_diag_get(dg, 0) ? ty_diag_get(dg, 0)->message : "?");
    ty_diag_free(dg);
    return d;
}

/* Mean and variance of a quantile function by QAGS over p in (0, 1). */
typedef struct { const ref_ml *r; int k; double c; } qm_ctx;
static double qm_integrand(double p, void *v)
{
    const qm_ctx *m = v;
    double x = ml_Q(m->r, p) - m->c;
    return m->k == 1 ? x : x * x;
}
static void ml_moments(const ref_ml *r, double *mean, double *var)
{
    gsl_set_error_handler_off();
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    qm_ctx m = {r, 1, ml_Q(r, 0.5)};
    gsl_function F = {qm_integrand, &m};
    double e1, e2, err;
    gsl_integration_qags(&F, 0, 1, 0, 1e-12, 2000, ws, &e1, &err);
    m.k = 2;
    gsl_integration_qags(&F, 0, 1, 0, 1e-12, 2000, ws, &e2, &err);
    gsl_integration_workspace_free(ws);
    *mean = m.c + e1;
    *var = e2 - e1 * e1;
}

static void ml_case(const char *what, const double *x, const double *p, int n, int bounds, double lo, double hi)
{
    ref_ml r;
    ml_fit(&r, x, p, n, bounds & 1, lo, bounds & 2, hi);
    ty_dist *d = mk_ml(x, p, (size_t)n, bounds, lo, hi);
    CHECK_MSG(d != NULL, "%s: not built", what);
    if (!d) return;
    /* the input quantiles, exactly */
    for (int i = 0; i < n; i++) {
        double q = ty_dist_quantile(d, p[i]);
        CHECK_MSG(fabs(q - x[i]) <= 1e-9 * fmax(1, fabs(x[i])), "%s: Q(%g) = %.15g, not %g", what, p[i], q, x[i]);
        CHECK_MSG(fabs(ty_dist_cdf(d, x[i]) - p[i]) <= 1e-9, "%s: F(%g) = %.15g, not %g", what, x[i],
                  ty_dist_cdf(d, x[i]), p[i]);
    }
    double m, v;
    ml_moments(&r, &m, &v);
    /* the bounded forms stay inside: also checked on every draw by kcase */
    double slo, shi;
    ty_dist_support(d, &slo, &shi);
    CHECK(!(bounds & 1) || slo == lo);
    CHECK(!(bounds & 2) || shi == hi);
    kcase(what, d, mlP, (const double *)(const void *)&r, (bounds & 1) ? lo : -INFINITY,
          (bounds & 2) ? hi : INFINITY, m, v);
}

static void test_metalog(void)
{
    static const double x3[] = {10, 20, 40}, p3[] = {0.1, 0.5, 0.9};
    static const double x4[] = {10, 20, 40, 60}, p4[] = {0.1, 0.5, 0.9, 0.95};
    static const double x5[] = {-3, -1, 0, 2, 5}, p5[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    ml_case("metalog 3 terms", x3, p3, 3, 0, 0, 0);
    ml_case("metalog 5 terms", x5, p5, 5, 0, 0, 0);
    ml_case("metalog 3 terms, lower 0", x3, p3, 3, TY_DIST_METALOG_LOWER, 0, 0);
    ml_case("metalog 3 terms, upper 60", x3, p3, 3, TY_DIST_METALOG_UPPER, 0, 60);
    ml_case("metalog 4 terms, in [0, 100]", x4, p4, 4, TY_DIST_METALOG_LOWER | TY_DIST_METALOG_UPPER, 0, 100);
    /* truncated by bounds on top */
    ty_dist_spec s = {.kind = TY_DIST_METALOG, .values = x3, .weights = p3, .nvalues = 3, .nweights = 3,
                      .has_bounds = 1, .lo = 15, .hi = 30};
    ty_dist *d = NULL;
    CHECK(ty_dist_new(&s, &d, NULL, NULL) == TY_OK);
    if (d) {
        double u[3] = {0, 0.5, 1}, q[3];
        ty_dist_quantile_block(d, u, q, 3);
        CHECK(q[0] == 15 && q[2] == 30 && q[1] > 15 && q[1] < 30);
        double a = ty_dist_cdf(d, 20);
        ty_dist *e = mk_ml(x3, p3, 3, 0, 0, 0);
        double ref = (0.5 - ty_dist_cdf(e, 15)) / (ty_dist_cdf(e, 30) - ty_dist_cdf(e, 15));
        CHECK_NEAR(a, ref, 1e-12);
        ty_dist_free(e);
    }
    ty_dist_free(d);
}

static void test_metalog_infeasible(void)
{
    /* quantiles far apart in the tails: M' < 0 near the ends */
    static const double x[] = {0, 1, 2, 100, 101}, p[] = {0.1, 0.3, 0.5, 0.7, 0.9};
    ty_dist_spec s = {.kind = TY_DIST_METALOG, .values = x, .weights = p, .nvalues = 5, .nweights = 5};
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    ty_pos pos = {"f.yaml", 4, 9};
    CHECK(ty_dist_new(&s, &d, dg, &pos) == TY_ERR_INVALID && !d);
    const ty_diag_entry *e = ty_diag_get(dg, 0);
    CHECK(ty_diag_count(dg) == 1);
    if (e) {
        CHECK_MSG(strstr(e->message, "metalog: these quantiles are not a distribution") != NULL, "%s", e->message);
        CHECK(e->line == 4 && e->col == 9);
        CHECK(e->hint && strstr(e->hint, "too far apart in the tails"));
    }
    ty_diag_free(dg);
    /* 3 terms: feasible iff a2 > 0 and |a3| / a2 < 1.66711 (Keelin 2016,
     * p. 254); a skewed set fails, and passes as a log metalog */
    static const double xs[] = {10, 11, 17}, ps[] = {0.1, 0.5, 0.9};   /* a3/a2 = 1.79 (log: 1.60) */
    s.values = xs; s.weights = ps; s.nvalues = s.nweights = 3;
    CHECK(ty_dist_new(&s, &d, NULL, NULL) == TY_ERR_INVALID);
    /* a log metalog whose upper tail is too heavy for a variance:
     * x ~ (1-p)^-(a2 + a3/2), here a2 = log(1000) / (2 log 9) = 1.57 */
    static const double xh[] = {1, 10, 1000}, ph[] = {0.1, 0.5, 0.9};
    s.values = xh; s.weights = ph;
    s.metalog_bounds = TY_DIST_METALOG_LOWER;
    s.param[0] = 0;
    dg = ty_diag_new(10);
    CHECK(ty_dist_new(&s, &d, dg, &pos) == TY_ERR_INVALID);
    e = ty_diag_get(dg, 0);
    CHECK(e && strstr(e->message, "metalog: the open tail is a power law with exponent") && e->col == 9);
    ty_diag_free(dg);
    s.values = xs; s.weights = ps; s.metalog_bounds = 0;
    /* the same set is feasible as a log metalog */
    s.metalog_bounds = TY_DIST_METALOG_LOWER;
    s.param[0] = 0;
    CHECK(ty_dist_new(&s, &d, NULL, NULL) == TY_OK);
    ty_dist_free(d);
}

/* ---- mixture -------------------------------------------------------------------- */

static ty_dist *mk_mix(const ty_dist_spec *c, size_t n, const double *w, int bounded, double lo, double hi)
{
    ty_dist_spec s = {.kind = TY_DIST_MIXTURE, .components = c, .ncomponents = n, .weights = w,
                      .nweights = w ? n : 0, .has_bounds = bounded, .lo = lo, .hi = hi};
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    if (ty_dist_new(&s, &d, dg, NULL) != TY_OK)
        fprintf(stderr, "mixture: %s\n", ty_diag_get(dg, 0) ? ty_diag_get(dg, 0)->message : "?");
    ty_diag_free(dg);
    return d;
}

/* 0.5 normal(0, 1) + 0.3 lognormal(1, 0.5) in [1, 5] + 0.2 gamma(2, 1). */
static double mixP(double x, const double *par)
{
    (void)par;
    double l = x <= 1 ? 0 : x >= 5 ? 1
             : (gsl_cdf_lognormal_P(x, 1, 0.5) - gsl_cdf_lognormal_P(1, 1, 0.5)) /
               (gsl_cdf_lognormal_P(5, 1, 0.5) - gsl_cdf_lognormal_P(1, 1, 0.5));
    return 0.5 * gsl_cdf_ugaussian_P(x) + 0.3 * l + 0.2 * (x <= 0 ? 0 : gsl_cdf_gamma_P(x, 2, 1));
}
static double mixf(double x, const double *par)
{
    (void)par;
    double Z = gsl_cdf_lognormal_P(5, 1, 0.5) - gsl_cdf_lognormal_P(1, 1, 0.5);
    double l = x < 1 || x > 5 ? 0 : gsl_ran_lognormal_pdf(x, 1, 0.5) / Z;
    return 0.5 * gsl_ran_ugaussian_pdf(x) + 0.3 * l + 0.2 * (x < 0 ? 0 : gsl_ran_gamma_pdf(x, 2, 1));
}

static const ty_dist_spec g_comp3[3] = {
    {.kind = TY_DIST_NORMAL, .param = {0, 1}},
    {.kind = TY_DIST_LOGNORMAL, .param = {1, 0.5}, .has_bounds = 1, .lo = 1, .hi = 5},
    {.kind = TY_DIST_GAMMA, .param = {2, 1}},
};
static const double g_w3[3] = {5, 3, 2};   /* normalised to 0.5, 0.3, 0.2 */

static void test_mixture_ks(void)
{
    /* moments from the components: E = sum w m, Var = sum w (v + (m - E)^2) */
    double lm, lv;
    static const double lnp[2] = {1, 0.5};
    (void)lnp;
    ty_dist *ln = mkb(TY_DIST_LOGNORMAL, 1, 0.5, 0, 1, 5);
    lm = ty_dist_mean(ln); lv = ty_dist_variance(ln);
    ty_dist_free(ln);
    double ms[3] = {0, lm, 2}, vs[3] = {1, lv, 2}, w[3] = {0.5, 0.3, 0.2}, m = 0, v = 0;
    for (int i = 0; i < 3; i++) m += w[i] * ms[i];
    for (int i = 0; i < 3; i++) v += w[i] * (vs[i] + (ms[i] - m) * (ms[i] - m));
    kcase("mixture(normal, truncated lognormal, gamma)", mk_mix(g_comp3, 3, g_w3, 0, 0, 0), mixP, NULL,
          -INFINITY, INFINITY, m, v);
    double tm, tv;
    quad_moments(mixf, NULL, -1, 3, &tm, &tv);
    kcase("mixture(...) in [-1, 3]", mk_mix(g_comp3, 3, g_w3, 1, -1, 3), mixP, NULL, -1, 3, tm, tv);
}

/* 0.5 uniform(0, 1) + 0.5 mixture(normal(5, 1), normal(8, 1)) (equal). */
static double nestP(double x, const double *par)
{
    (void)par;
    double u = x <= 0 ? 0 : x >= 1 ? 1 : x;
    return 0.5 * u + 0.25 * (gsl_cdf_gaussian_P(x - 5, 1) + gsl_cdf_gaussian_P(x - 8, 1));
}

static void test_mixture_nested(void)
{
    ty_dist_spec inner[2] = {{.kind = TY_DIST_NORMAL, .param = {5, 1}}, {.kind = TY_DIST_NORMAL, .param = {8, 1}}};
    ty_dist_spec outer[2] = {{.kind = TY_DIST_UNIFORM, .param = {0, 1}},
                             {.kind = TY_DIST_MIXTURE, .components = inner, .ncomponents = 2}};
    /* inner: mean 6.5, var 1 + 2.25; outer: 0.5 each */
    double m = 0.5 * 0.5 + 0.5 * 6.5;
    double v = 0.5 * (1 / 12.0 + (0.5 - m) * (0.5 - m)) + 0.5 * (3.25 + (6.5 - m) * (6.5 - m));
    kcase("mixture(uniform, mixture(normal, normal))", mk_mix(outer, 2, NULL, 0, 0, 0), nestP, NULL,
          -INFINITY, INFINITY, m, v);
}

/* Atoms: 0.6 normal(0, 1) + 0.4 discrete([7, 8], [1, 3]): the counts of 7
 * and 8 against Binomial(n, 0.1) and Binomial(n, 0.3) (z-tests), the other
 * draws by KS against the normal; the quantile at and around the atoms. */
static void test_mixture_atoms(void)
{
    static const double v[2] = {7, 8}, wv[2] = {1, 3}, w[2] = {0.6, 0.4};
    ty_dist_spec c[2] = {{.kind = TY_DIST_NORMAL, .param = {0, 1}},
                         {.kind = TY_DIST_DISCRETE, .values = v, .weights = wv, .nvalues = 2}};
    ty_dist *d = mk_mix(c, 2, w, 0, 0, 0);
    CHECK(d != NULL);
    if (!d) return;
    size_t n = g_n;
    double *x = draw(d, n, seed_of("mixture atoms"));
    size_t n7 = 0, n8 = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] == 7) n7++;
        else if (x[i] == 8) n8++;
        else x[k++] = gsl_cdf_ugaussian_P(x[i]);
    }
    double z7 = (n7 - 0.1 * n) / sqrt(n * 0.1 * 0.9), z8 = (n8 - 0.3 * n) / sqrt(n * 0.3 * 0.7);
    CHECK_MSG(fabs(z7) < zcrit() && fabs(z8) < zcrit(), "atoms: z(7) %.2f z(8) %.2f", z7, z8);
    g_stat_checks += 2;
    printf("  %-44s z(7) %+.2f  z(8) %+.2f\n", "mixture atoms", z7, z8);
    check_pit("mixture atoms: the normal part", x, k);
    free(x);
    double F7 = 0.6 * gsl_cdf_ugaussian_P(7) + 0.1;
    CHECK_NEAR(ty_dist_cdf(d, 7), F7, 1e-15);
    CHECK(ty_dist_quantile(d, F7) == 7);                 /* smallest x with F(x) >= p */
    CHECK(ty_dist_quantile(d, F7 + 1e-9) == 8);
    CHECK(ty_dist_quantile(d, 0.65) == 7);
    CHECK(ty_dist_quantile(d, 1 - 1e-12) == 8);
    CHECK_NEAR(ty_dist_mean(d), 0.4 * 7.75, 1e-14);
    ty_dist_free(d);
    /* truncated at an atom: [7, 8] keeps both atoms, nothing else */
    d = mk_mix(c, 2, w, 1, 7, 8);
    CHECK(d != NULL);
    if (d) {
        CHECK_NEAR(ty_dist_mean(d), 7.75, 1e-10);   /* the normal keeps 6e-13 there */
        CHECK_NEAR(ty_dist_variance(d), 0.1875, 1e-10);
        double y[1000];
        ty_rng r;
        ty_rng_seed(&r, 3, 1);
        ty_dist_sample(d, &r, y, 1000);
        int ok = 1;
        for (int i = 0; i < 1000; i++) ok &= y[i] == 7 || y[i] == 8 || (y[i] >= 7 && y[i] <= 8);
        CHECK(ok);
    }
    ty_dist_free(d);
}

/* Same state, same n: same draws; the rng ends in the same state. */
static void test_determinism(void)
{
    static const double x3[] = {10, 20, 40}, p3[] = {0.1, 0.5, 0.9};
    ty_dist *ds[] = {mk(TY_DIST_STUDENT_T, 4, 0, 1), mk(TY_DIST_WEIBULL, 2, 1, 0), mk_ml(x3, p3, 3, 0, 0, 0),
                     mk_mix(g_comp3, 3, g_w3, 0, 0, 0), mk_mix(g_comp3, 3, g_w3, 1, 0, 1)};
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
        double a[3000], b[3000];
        ty_rng r1, r2;
        ty_rng_seed(&r1, 5, 1);
        ty_rng_seed(&r2, 5, 1);
        ty_dist_sample(ds[k], &r1, a, 3000);
        ty_dist_sample(ds[k], &r2, b, 3000);
        CHECK(memcmp(a, b, sizeof a) == 0);
        CHECK(ty_rng_next(&r1) == ty_rng_next(&r2));
        ty_dist_free(ds[k]);
    }
}

/* ---- validation and descriptions --------------------------------------------------- */

static void test_validation(void)
{
    ty_dist_spec s = {.kind = TY_DIST_STUDENT_T, .param = {0, 0, 1}};
    check_error(&s, "student_t: df must be > 0 (got 0)");
    s.param[0] = 2;
    check_error(&s, "student_t: df = 2 gives an infinite variance");
    s.param[0] = 0.5;
    check_error(&s, "student_t: df = 0.5 gives an infinite mean and variance");
    s.has_bounds = 1; s.lo = -5; s.hi = INFINITY;   /* one side is not enough */
    check_error(&s, "student_t: df = 0.5 gives an infinite mean and variance");
    s = (ty_dist_spec){.kind = TY_DIST_STUDENT_T, .param = {5, 0, -1}};
    check_error(&s, "student_t: scale must be > 0 (got -1)");
    s.param[2] = 1; s.param[0] = 1e7;
    check_error(&s, "student_t: df must be <= 1e+06 (got 1e+07)");
    s = (ty_dist_spec){.kind = TY_DIST_LOGUNIFORM, .param = {0, 1}};
    check_error(&s, "loguniform: min must be > 0 (got 0)");
    s.param[0] = 2;
    check_error(&s, "loguniform: min must be < max (got 2 and 1)");
    s = (ty_dist_spec){.kind = TY_DIST_EXPONENTIAL, .param = {-1}};
    check_error(&s, "exponential: rate must be > 0 (got -1)");
    s.param[0] = INFINITY;
    check_error(&s, "exponential: rate must be finite (got inf)");
    s = (ty_dist_spec){.kind = TY_DIST_WEIBULL, .param = {0, 1}};
    check_error(&s, "weibull: shape must be > 0 (got 0)");
    s.param[0] = 1; s.param[1] = -2;
    check_error(&s, "weibull: scale must be > 0 (got -2)");

    static const double x[] = {1, 2, 3}, xd[] = {1, 3, 2}, p[] = {0.1, 0.5, 0.9}, pd[] = {0.1, 0.5, 0.5},
                        p0[] = {0, 0.5, 0.9};
    s = (ty_dist_spec){.kind = TY_DIST_METALOG, .values = x, .weights = p, .nvalues = 2, .nweights = 2};
    check_error(&s, "metalog: needs 3 to 5 quantile pairs (got 2)");
    s.nvalues = 3; s.nweights = 2;
    check_error(&s, "metalog: x and p differ in length (3 and 2)");
    s.nweights = 3; s.values = xd;
    check_error(&s, "metalog: x must be strictly increasing (x 3 = 2 after 3)");
    s.values = x; s.weights = pd;
    check_error(&s, "metalog: p must be strictly increasing (p 3 = 0.5 after 0.5)");
    s.weights = p0;
    check_error(&s, "metalog: p must lie strictly between 0 and 1 (p 1 is 0)");
    s.weights = p; s.metalog_bounds = TY_DIST_METALOG_LOWER; s.param[0] = 1;
    check_error(&s, "metalog: every x must be > lower = 1 (x 1 is 1)");
    s.metalog_bounds = TY_DIST_METALOG_UPPER; s.param[1] = 2.5;
    check_error(&s, "metalog: every x must be < upper = 2.5 (x 3 is 3)");
    s.metalog_bounds = 3; s.param[0] = 5; s.param[1] = 4;
    check_error(&s, "metalog: lower must be < upper (got 5 and 4)");

    static const double w2[] = {1, -1}, w0[] = {0, 0};
    s = (ty_dist_spec){.kind = TY_DIST_MIXTURE, .components = g_comp3, .ncomponents = 0};
    check_error(&s, "mixture: needs at least one component");
    s.ncomponents = 2; s.weights = w2; s.nweights = 2;
    check_error(&s, "mixture: weights must be non-negative (weight 2 is -1)");
    s.weights = w0;
    check_error(&s, "mixture: weights must not all be zero");
    s.weights = g_w3; s.nweights = 3;
    check_error(&s, "mixture: 2 components but 3 weights");
    /* a bad component: its own error, at its own position */
    ty_dist_spec bad[2] = {{.kind = TY_DIST_NORMAL, .param = {0, -1}}, {.kind = TY_DIST_NORMAL, .param = {0, 1}}};
    ty_pos cpos[2] = {{"f.yaml", 3, 20}, {"f.yaml", 3, 40}};
    s = (ty_dist_spec){.kind = TY_DIST_MIXTURE, .components = bad, .ncomponents = 2, .component_pos = cpos};
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    CHECK(ty_dist_new(&s, &d, dg, &(ty_pos){"f.yaml", 3, 7}) == TY_ERR_INVALID && !d);
    const ty_diag_entry *e = ty_diag_get(dg, 0);
    CHECK(ty_diag_count(dg) == 1);
    if (e) { CHECK_STR(e->message, "normal: sd must be > 0 (got -1)"); CHECK(e->col == 20); }
    ty_diag_free(dg);
    /* nesting deeper than TY_DIST_MAX_NEST */
    ty_dist_spec chain[TY_DIST_MAX_NEST + 2];
    chain[0] = (ty_dist_spec){.kind = TY_DIST_NORMAL, .param = {0, 1}};
    for (int i = 1; i < TY_DIST_MAX_NEST + 2; i++)
        chain[i] = (ty_dist_spec){.kind = TY_DIST_MIXTURE, .components = &chain[i - 1], .ncomponents = 1};
    check_error(&chain[TY_DIST_MAX_NEST + 1], "mixture: mixtures nest at most 8 deep");
    d = NULL;
    CHECK(ty_dist_new(&chain[TY_DIST_MAX_NEST], &d, NULL, NULL) == TY_OK);
    ty_dist_free(d);
}

static void test_describe(void)
{
    char buf[512];
    ty_dist *d = mk(TY_DIST_STUDENT_T, 3, 1, 2);
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "student_t(df=3, loc=1, scale=2)");
    ty_dist_free(d);
    static const double x[] = {1, 2, 4}, p[] = {0.1, 0.5, 0.9};
    d = mk_ml(x, p, 3, TY_DIST_METALOG_LOWER, 0, 0);
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "metalog(x=[1, 2, 4], p=[0.1, 0.5, 0.9], lower=0)");
    CHECK(ty_dist_get_spec(d)->values != x && ty_dist_get_spec(d)->values[2] == 4);   /* own copies */
    ty_dist_free(d);
    d = mk_mix(g_comp3, 3, g_w3, 0, 0, 0);
    ty_dist_describe(d, buf, sizeof buf);
    CHECK_STR(buf, "mixture([normal(mean=0, sd=1), lognormal(mu=1, sigma=0.5) in [1, 5], gamma(shape=2, "
                   "scale=1)], weights=[0.5, 0.3, 0.2])");
    const ty_dist_spec *sp = ty_dist_get_spec(d);
    CHECK(sp->ncomponents == 3 && sp->components != g_comp3 && sp->components[1].has_bounds &&
          sp->weights[0] == 5);
    ty_dist_free(d);
    CHECK(ty_dist_kind_from_name("student_t") == TY_DIST_STUDENT_T);
    CHECK(ty_dist_nparams(TY_DIST_METALOG) == 0 && ty_dist_nparams(TY_DIST_MIXTURE) == 0);
    CHECK(ty_dist_param_index(TY_DIST_WEIBULL, "shape") == 0);
}

DIST_MAIN(test_student_t, test_loguniform_exponential_weibull, test_closed_forms, test_metalog,
          test_metalog_infeasible, test_mixture_ks, test_mixture_nested, test_mixture_atoms, test_determinism,
          test_validation, test_describe)
