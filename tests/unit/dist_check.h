/* dist_check.h - helpers shared by the dist tests: building distributions,
 * Kolmogorov-Smirnov and chi-square tests against exact reference CDFs
 * (GSL), and moment checks. Static functions only; include once per test. */
#ifndef TYCHE_TEST_DIST_CHECK_H
#define TYCHE_TEST_DIST_CHECK_H

#include "harness.h"
#include "tyche/dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* Per-case significance of the KS and chi-square tests. With a fixed seed
 * the outcome is deterministic; alpha is the chance that a correct sampler
 * fails for a given seed. */
#define ALPHA 1e-4
/* Sample means and variances are checked within 4 standard errors: a
 * two-sided normal tail of 6.3e-5 per check. */
#define NSE 4.0

static ty_dist *mk(ty_dist_kind kind, double p0, double p1, double p2)
{
    ty_dist_spec s = {0};
    s.kind = kind;
    s.param[0] = p0; s.param[1] = p1; s.param[2] = p2;
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    ty_status st = ty_dist_new(&s, &d, dg, NULL);
    if (st != TY_OK) {
        const ty_diag_entry *e = ty_diag_get(dg, 0);
        fprintf(stderr, "ty_dist_new failed: %s\n", e ? e->message : "?");
    }
    ty_diag_free(dg);
    return d;
}

__attribute__((unused)) static ty_dist *mkb(ty_dist_kind kind, double p0, double p1, double p2, double lo, double hi)
{
    ty_dist_spec s = {0};
    s.kind = kind;
    s.param[0] = p0; s.param[1] = p1; s.param[2] = p2;
    s.has_bounds = 1; s.lo = lo; s.hi = hi;
    ty_dist *d = NULL;
    ty_diag *dg = ty_diag_new(10);
    ty_status st = ty_dist_new(&s, &d, dg, NULL);
    if (st != TY_OK) {
        const ty_diag_entry *e = ty_diag_get(dg, 0);
        fprintf(stderr, "ty_dist_new failed: %s\n", e ? e->message : "?");
    }
    ty_diag_free(dg);
    return d;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

__attribute__((unused)) static double *draw(const ty_dist *d, size_t n, uint64_t seed)
{
    double *x = malloc(n * sizeof *x);
    ty_rng rng;
    ty_rng_seed(&rng, seed, 7);
    /* uneven blocks, as the run loop's tail blocks are */
    size_t done = 0, blk = 1000;
    while (done < n) {
        size_t m = n - done < blk ? n - done : blk;
        ty_dist_sample(d, &rng, x + done, m);
        done += m;
        blk = blk == 1000 ? 777 : 1000;
    }
    return x;
}

typedef double (*ref_cdf)(double x, const double *par);

/* KS statistic of the sorted sample x[0..n) against cdf; fails the check
 * when sqrt(n) D exceeds the asymptotic critical value at ALPHA
 * (Kolmogorov: P(K > k) ~ 2 exp(-2 k^2)). */
__attribute__((unused)) static void check_ks(const char *what, double *x, size_t n, ref_cdf cdf, const double *par)
{
    qsort(x, n, sizeof *x, cmp_dbl);
    double dmax = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i], par);
        double d1 = f - (double)i / n, d2 = (double)(i + 1) / n - f;
        if (d1 > dmax) dmax = d1;
        if (d2 > dmax) dmax = d2;
    }
    double k = sqrt(-0.5 * log(ALPHA / 2));
    CHECK_MSG(sqrt((double)n) * dmax < k, "%s: KS sqrt(n)D = %.4f >= %.4f", what,
              sqrt((double)n) * dmax, k);
}

/* Set while a heavy-tailed case runs: its sample fourth moment is too
 * unreliable for a standard error of the variance, so only the mean is
 * checked. */
static int g_heavy;

/* Sample mean and variance against the distribution's own moments. */
__attribute__((unused)) static void check_moments(const char *what, const ty_dist *d, const double *x, size_t n)
{
    double m = 0, m2 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) m += x[i];
    m /= n;
    for (size_t i = 0; i < n; i++) {
        double e = (x[i] - m) * (x[i] - m);
        m2 += e;
        m4 += e * e;
    }
    m2 /= n - 1;
    m4 /= n;
    double mu = ty_dist_mean(d), var = ty_dist_variance(d);
    double se = sqrt(var / n), sev = sqrt(fmax(m4 - m2 * m2, 0) / n);
    CHECK_MSG(fabs(m - mu) <= NSE * se + 1e-12 * fabs(mu), "%s: sample mean %.10g vs %.10g (se %.3g)",
              what, m, mu, se);
    if (!g_heavy)
        CHECK_MSG(fabs(m2 - var) <= NSE * sev + 1e-12 * var, "%s: sample variance %.10g vs %.10g (se %.3g)",
              what, m2, var, sev);
}

/* Expects ty_dist_new to fail with exactly one error whose message is msg. */
__attribute__((unused)) static void check_error(const ty_dist_spec *s, const char *msg)
{
    ty_dist *d = (ty_dist *)1;
    ty_diag *dg = ty_diag_new(10);
    ty_pos pos = {"f.yaml", 3, 7};
    ty_status st = ty_dist_new(s, &d, dg, &pos);
    CHECK(st == TY_ERR_INVALID);
    CHECK(d == NULL);
    CHECK_MSG(ty_diag_count(dg) == 1, "%zu errors for \"%s\"", ty_diag_count(dg), msg);
    const ty_diag_entry *e = ty_diag_get(dg, 0);
    if (e) {
        CHECK_STR(e->message, msg);
        CHECK(e->line == 3 && e->col == 7);
        CHECK_STR(e->file, "f.yaml");
    }
    ty_diag_free(dg);
}

#endif
