/* test_stats.c - the estimators of stats/estimate.c against closed forms
 * and GSL: Student's t quantiles, the ratio estimator over blocks, Chan's
 * merge, the interval's Wilson, Poisson and count bounds, histogram
 * percentiles. Deterministic: no false failures. */
#include "harness.h"

#include <gsl/gsl_cdf.h>

#include "stats/estimate.h"

static void test_t95(void)
{
    const double dfs[] = {1, 2, 3, 5, 7, 11, 30, 100, 1000, 99999, 1e6, 1e9};
    for (size_t i = 0; i < sizeof dfs / sizeof *dfs; i++) {
        double want = gsl_cdf_tdist_Pinv(0.975, dfs[i]);
        CHECK_NEAR(stats_t95(dfs[i]), want, 1e-9 * want);
    }
    CHECK(isinf(stats_t95(0)) && isinf(stats_t95(NAN)));
}

static void test_blocks_ratio_estimator(void)
{
    /* Equal blocks: the ratio estimator's se is the sd of the block means
     * over sqrt(blocks). */
    double ref[1], sum[1], d2[1], dw[1];
    stats_blocks a = {.K = 1, .ref = ref, .sum = sum, .d2 = d2, .dw = dw};
    ref[0] = sum[0] = d2[0] = dw[0] = 0;
    const double means[] = {0.1, 0.3, 0.2, 0.25, 0.15};
    double m = 0, v = 0;
    for (int b = 0; b < 5; b++) {
        double t = means[b] * 100;
        stats_blocks_add(&a, &t, 100);
        m += means[b] / 5;
    }
    for (int b = 0; b < 5; b++) v += (means[b] - m) * (means[b] - m) / 4;
    double mean, se;
    stats_blocks_mean_se(&a, 0, &mean, &se);
    CHECK_NEAR(mean, m, 1e-15);
    CHECK_NEAR(se, sqrt(v / 5), 1e-15);
    /* One block: no spread to measure. */
    stats_blocks one = {.K = 1, .ref = ref, .sum = sum, .d2 = d2, .dw = dw};
    ref[0] = sum[0] = d2[0] = dw[0] = 0;
    double t = 3;
    stats_blocks_add(&one, &t, 10);
    stats_blocks_mean_se(&one, 0, &mean, &se);
    CHECK(mean == 0.3 && isnan(se));
}

static void test_moments_merge(void)
{
    const double x[] = {1, 4, 2, 8, 5, 7, 3, 6, 9, 0};
    uint64_t n = 0;
    double mean = 0, m2 = 0;
    for (int part = 0; part < 10; part += 5) {
        double pm = 0, pm2 = 0;
        for (int i = part; i < part + 5; i++) pm += x[i] / 5;
        for (int i = part; i < part + 5; i++) pm2 += (x[i] - pm) * (x[i] - pm);
        stats_moments_merge(&n, &mean, &m2, 5, pm, pm2);
    }
    CHECK(n == 10);
    CHECK_NEAR(mean, 4.5, 1e-15);
    CHECK_NEAR(m2 / 9, 9.1666666666666667, 1e-13);   /* the sample variance of 0..9 */
}

static void test_interval(void)
{
    /* Wilson at a large count: centre (x + z^2/2)/(n + z^2). */
    double n = 1000, p = 0.3, se = sqrt(p * (1 - p) / n);
    ty_estimate e = stats_interval(p, se, 1e12, n, 0);
    double z = STATS_Z95, c = (p * n + z * z / 2) / (n + z * z);
    double h = z * sqrt(n * p * (1 - p) + z * z / 4) / (n + z * z);
    CHECK_NEAR(e.ci_low, c - h, 1e-12);
    CHECK_NEAR(e.ci_high, c + h, 1e-12);
    /* Zero events in n: [0, q^2/(n + q^2)] (Wilson's upper bound, with t's
     * quantile q on n - 1 degrees of freedom). */
    e = stats_interval(0, 0, 999, 1000, 0);
    double q = gsl_cdf_tdist_Pinv(0.975, 999);
    CHECK(e.ci_low == 0);
    CHECK_NEAR(e.ci_high, q * q / (1000 + q * q), 1e-12);
    /* About one event in 1000 (effective count m p = 0.999 at m = 999): the
     * Poisson lower bound Gamma^-1(0.025; m p) / m, below Wilson's. */
    p = 0.001;
    e = stats_interval(p, sqrt(p * (1 - p) / 999), 999, 1000, 0);
    CHECK_NEAR(e.ci_low, gsl_cdf_gamma_Pinv(0.025, 0.999, 1.0) / 999, 1e-12);
    /* Few units: Student's t widens the interval (5 df: 2.571 vs 1.96). */
    ty_estimate wide = stats_interval(0.5, 0.01, 5, 1e6, 0), narrow = stats_interval(0.5, 0.01, 1e6, 1e6, 0);
    CHECK_NEAR((wide.ci_high - wide.ci_low) / (narrow.ci_high - narrow.ci_low),
               gsl_cdf_tdist_Pinv(0.975, 5) / gsl_cdf_tdist_Pinv(0.975, 1e6), 1e-3);
    /* Fewer than 5 events' worth of samples: the far bound is at least a
     * count's, however small the measured spread. */
    e = stats_interval(0.002, 1e-6, 999, 1000, 0);
    c = (2 + z * z / 2) / (1000 + z * z);
    h = z * sqrt(1000 * 0.002 * 0.998 + z * z / 4) / (1000 + z * z);
    CHECK(e.ci_high >= c + h - 1e-12);
    /* The lattice correction adds 1/(2n) a side; the interval stays in [0, 1]. */
    ty_estimate l = stats_interval(0.5, 0.001, 100, 1000, 1), u = stats_interval(0.5, 0.001, 100, 1000, 0);
    CHECK_NEAR(l.ci_high - u.ci_high, 0.0005, 1e-12);
    e = stats_interval(1.0, 0, 10, 10, 1);
    CHECK(e.ci_high == 1 && e.ci_low < 1 && e.ci_low > 0);
    /* No degrees of freedom: the whole of [0, 1]. */
    e = stats_interval(0.4, NAN, 0, 1, 0);
    CHECK(e.ci_low == 0 && e.ci_high == 1);
}

static void test_hist_quantile(void)
{
    const uint64_t h[4] = {10, 30, 40, 20};
    /* The 50th of 100 values: 40 lie in the first two bins, 10 more of the
     * third's 40 are needed. */
    CHECK_NEAR(stats_hist_quantile(h, 4, 0, 0, 0, 1, 0.5), 2 + 10.0 / 40, 1e-15);
    CHECK_NEAR(stats_hist_quantile(h, 4, 0, 0, 0, 1, 0.05), 0.5, 1e-15);
    /* 10 values below the range and 10 above: the 60th of 120 is the 50th
     * binned; the 5th percentile lies below the range (not representable). */
    CHECK_NEAR(stats_hist_quantile(h, 4, 10, 10, 0, 1, 0.5), 2 + 10.0 / 40, 1e-15);
    CHECK(isnan(stats_hist_quantile(h, 4, 10, 10, 0, 1, 0.05)));
    CHECK(isnan(stats_hist_quantile(h, 4, 10, 10, 0, 1, 0.97)));
    const uint64_t empty[2] = {0, 0};
    CHECK(isnan(stats_hist_quantile(empty, 2, 0, 0, 0, 1, 0.5)));
}

TEST_MAIN(test_t95, test_blocks_ratio_estimator, test_moments_merge, test_interval, test_hist_quantile)
