/* dist_check.h - helpers shared by the sampler tests (test_dist.c,
 * test_dist_discrete.c): building distributions, drawing, and the four
 * statistics every sampler case is judged by, with their error rates.
 * Static functions only; include once per test.
 *
 * The statistics of one case (n draws, seed from a hash of the case's name,
 * so adding or reordering cases changes no other case's draws):
 *  - mean:     z = (xbar - mu) / (sigma / sqrt(n)), mu and sigma^2 the
 *              reference moments (GSL or closed forms, never ty_dist_mean);
 *  - variance: z = (s^2 - sigma^2) / se(s^2), se^2 = (m4 - s^4) / n from
 *              the sample's fourth central moment m4;
 *  - KS:       sqrt(n) D of the probability-integral transforms u = F(x)
 *              (F the reference CDF) against the uniform; continuous only;
 *  - chi-square on NBINS = 100 equiprobable bins cut at the reference
 *              quantiles F^-1(j / 100): x lies in bin j exactly when
 *              F(x) lies in [j/100, (j+1)/100), so the bins are read off u;
 *              integer kinds use one cell per value instead (pooled to an
 *              expected count of at least 5).
 * Each statistic fails a correct sampler with probability ALPHA = 1e-6 for
 * a random seed (|z| > 4.892; Kolmogorov sqrt(n) D > 2.694 from
 * P(K > k) ~ 2 exp(-2 k^2), accurate to < 1% at this level for n >= 1e5;
 * chi-square above its 1 - 1e-6 quantile with 99 degrees of freedom).
 *
 * Power. Each case prints the power of its mean and variance checks
 * against two planted errors:
 *   a mean shifted by 1% of the sd:  z moves by 0.01 sqrt(n);
 *   a variance 2% too large:         z moves by 0.02 sigma^2 / se(s^2)
 *                                    = 0.02 sqrt(n) / sqrt(kurtosis - 1);
 * power = P(|Z + shift| > 4.892). At n = 1e6 (the default tier) the mean
 * shift is 10 standard errors: power 1 - 1.7e-7 for every case. The
 * variance shift is 14.1 se for a normal (power 1 - 1e-20), 22 se for a
 * uniform, but only 5.3 se for gamma(0.5) (kurtosis 15, power 0.66) and
 * 1.2 se for gamma(0.02) (kurtosis 303, power ~0.002): the printed line
 * says which cases cannot see a 2% variance error at this n. `--slow` draws
 * 1e7 per case (shifts x 3.16: gamma(0.5) power 1 - 1e-9). The KS and
 * chi-square checks add power against shape errors with the right moments;
 * for a normal at n = 1e6 a 1%-of-sd shift moves sqrt(n) D by 3.99
 * (power > 0.99 of KS alone: sqrt(n)(F_n - F) at the peak is N(3.99, 0.5))
 * and gives the 100-bin chi-square a noncentrality of 100 (power 0.76
 * alone); a 2% variance error gives it a noncentrality of 192 (power
 * 0.99997 alone, 1 - 1e-40 at 1e7; scipy.stats.ncx2, 99 df, at the 1 - 1e-6
 * quantile 180.8). */
#ifndef TYCHE_TEST_DIST_CHECK_H
#define TYCHE_TEST_DIST_CHECK_H

#include "harness.h"
#include "tyche/dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <stdint.h>

#define ALPHA 1e-6
#define NBINS 100

/* Draws per case: 1e6, or 1e7 with --slow (main's argument). */
__attribute__((unused)) static size_t g_n = 1000000;
__attribute__((unused)) static int g_slow;
/* Checks made at level ALPHA, counted for the printed family-wise rate. */
__attribute__((unused)) static int g_stat_checks;

__attribute__((unused)) static double zcrit(void) { return gsl_cdf_ugaussian_Qinv(ALPHA / 2); }
__attribute__((unused)) static double kscrit(void) { return sqrt(-0.5 * log(ALPHA / 2)); }
/* Power of the two-sided |z| > zcrit test when z's mean moves by d. */
__attribute__((unused)) static double zpower(double d)
{
    return gsl_cdf_ugaussian_Q(zcrit() - d) + gsl_cdf_ugaussian_P(-zcrit() - d);
}

/* The seed of a case: FNV-1a of its name (independent of case order). */
__attribute__((unused)) static uint64_t seed_of(const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h;
}

static ty_dist *mkb_(ty_dist_kind kind, double p0, double p1, double p2, int bounded, double lo, double hi)
{
    ty_dist_spec s = {0};
    s.kind = kind;
    s.param[0] = p0; s.param[1] = p1; s.param[2] = p2;
    s.has_bounds = bounded; s.lo = lo; s.hi = hi;
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
__attribute__((unused)) static ty_dist *mk(ty_dist_kind kind, double p0, double p1, double p2)
{
    return mkb_(kind, p0, p1, p2, 0, 0, 0);
}
__attribute__((unused)) static ty_dist *mkb(ty_dist_kind kind, double p0, double p1, double p2, double lo, double hi)
{
    return mkb_(kind, p0, p1, p2, 1, lo, hi);
}

__attribute__((unused)) static int cmp_dbl(const void *a, const void *b)
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

/* KS and 100-bin chi-square of the transforms u[0..n) against the uniform. */
__attribute__((unused)) static void check_pit(const char *what, double *u, size_t n)
{
    double cnt[NBINS] = {0};
    for (size_t i = 0; i < n; i++) {
        int j = (int)(u[i] * NBINS);
        cnt[j < 0 ? 0 : j >= NBINS ? NBINS - 1 : j] += 1;
    }
    double e = (double)n / NBINS, chi = 0;
    for (int j = 0; j < NBINS; j++) chi += (cnt[j] - e) * (cnt[j] - e) / e;
    double ccrit = gsl_cdf_chisq_Qinv(ALPHA, NBINS - 1);
    CHECK_MSG(chi < ccrit, "%s: chi-square %.1f >= %.1f (%d equiprobable bins)", what, chi, ccrit, NBINS);
    /* KS needs u in order: a bucket sort (n buckets, about one value
     * each, insertion-sorted), linear time where qsort took 0.25 s per 1e6 */
    size_t *start = calloc(n + 1, sizeof *start), *fill = malloc(n * sizeof *fill);
    double *v = malloc(n * sizeof *v);
#define DC_BUCKET_(x) ((size_t)((x) * n) >= n ? n - 1 : (size_t)((x) * n))
    for (size_t i = 0; i < n; i++) start[DC_BUCKET_(u[i]) + 1]++;
    for (size_t b = 0; b < n; b++) start[b + 1] += start[b];
    memcpy(fill, start, n * sizeof *fill);
    for (size_t i = 0; i < n; i++) v[fill[DC_BUCKET_(u[i])]++] = u[i];
#undef DC_BUCKET_
    for (size_t b = 0; b < n; b++)
        for (size_t i = start[b] + 1; i < start[b + 1]; i++) {
            double t = v[i];
            size_t j = i;
            for (; j > start[b] && v[j - 1] > t; j--) v[j] = v[j - 1];
            v[j] = t;
        }
    double dmax = 0;
    int ordered = 1;
    for (size_t i = 0; i < n; i++) {
        ordered &= i == 0 || v[i - 1] <= v[i];
        double d1 = v[i] - (double)i / n, d2 = (double)(i + 1) / n - v[i];
        if (d1 > dmax) dmax = d1;
        if (d2 > dmax) dmax = d2;
    }
    CHECK_MSG(ordered, "%s: bucket sort out of order", what);
    free(start);
    free(fill);
    free(v);
    double k = sqrt((double)n) * dmax;
    CHECK_MSG(k < kscrit(), "%s: KS sqrt(n)D = %.4f >= %.4f", what, k, kscrit());
    g_stat_checks += 2;
    printf("  %-44s chi2 %6.1f (<%.0f)  KS %.3f (<%.3f)\n", what, chi, ccrit, k, kscrit());
}

/* Sample mean and variance of x[0..n) against the reference mu, var.
 * check_var = 0 skips the variance (its power is printed as "-"). */
__attribute__((unused)) static void check_moments(const char *what, const double *x, size_t n, double mu,
                                                  double var, int check_var)
{
    /* centred on the reference mean: sums of x - mu keep their digits
     * (uniform(1e9, 1e9 + 1) would lose them otherwise) */
    long double s1 = 0;
    for (size_t i = 0; i < n; i++) s1 += x[i] - mu;
    double dbar = (double)(s1 / n);
    long double s2 = 0, s4 = 0;
    for (size_t i = 0; i < n; i++) {
        double e = (x[i] - mu) - dbar, e2 = e * e;
        s2 += e2;
        s4 += e2 * e2;
    }
    double v = (double)(s2 / (n - 1)), m4 = (double)(s4 / n);
    double se = sqrt(var / n), sev = sqrt(fmax(m4 - v * v, 0) / n);
    double zm = var > 0 ? dbar / se : (dbar == 0 ? 0 : INFINITY);
    double zv = sev > 0 ? (v - var) / sev : (v == var ? 0 : INFINITY);
    CHECK_MSG(fabs(zm) < zcrit(), "%s: sample mean %.10g vs %.10g: z = %.2f", what, mu + dbar, mu, zm);
    g_stat_checks++;
    if (check_var) {
        CHECK_MSG(fabs(zv) < zcrit(), "%s: sample variance %.10g vs %.10g: z = %.2f", what, v, var, zv);
        g_stat_checks++;
    }
    double pm = var > 0 ? zpower(0.01 * sqrt((double)n)) : 1;
    double pv = sev > 0 ? zpower(0.02 * var / sev) : 1;
    char pvs[32];
    if (check_var) snprintf(pvs, sizeof pvs, "%.4g", pv); else snprintf(pvs, sizeof pvs, "-");
    printf("  %-44s n %zu  z(mean) %+.2f  z(var) %+.2f  power: mean+0.01sd %.6g, var*1.02 %s\n", what, n,
           zm, check_var ? zv : 0.0, pm, pvs);
}

/* ty_dist_mean/variance against the reference moments: relative 1e-9
 * (mean; absolute 1e-9 sd near 0) and 1e-7 (variance). */
__attribute__((unused)) static void check_exact_moments(const char *what, const ty_dist *d, double mu, double var)
{
    double m = ty_dist_mean(d), v = ty_dist_variance(d);
    CHECK_MSG(fabs(m - mu) <= 1e-9 * fabs(mu) + 1e-9 * sqrt(var), "%s: ty_dist_mean %.15g vs reference %.15g",
              what, m, mu);
    CHECK_MSG(fabs(v - var) <= 1e-7 * var, "%s: ty_dist_variance %.15g vs reference %.15g", what, v, var);
}

/* main: --slow draws 1e7 per case instead of 1e6. */
#define DIST_MAIN(...) int main(int argc, char **argv) { \
    for (int i_ = 1; i_ < argc; i_++) if (strcmp(argv[i_], "--slow") == 0) { g_slow = 1; g_n = 10000000; } \
    static const th_case cases[] = { TH_FOREACH_(TH_CASE_, __VA_ARGS__) }; \
    int rc_ = th_run(cases, sizeof cases / sizeof cases[0]); \
    printf("%d statistical checks at level %g: family-wise false-failure rate %.2g\n", g_stat_checks, \
           ALPHA, 1 - pow(1 - ALPHA, g_stat_checks)); \
    return rc_; }

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
