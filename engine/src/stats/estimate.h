/* estimate.h - internal: the estimators a run reduces its blocks with. Pure
 * functions and small accumulators over per-block tallies, combined in block
 * order by the caller; nothing here knows scenarios, threads or files.
 *
 *  - finite sums of a block's column (vectorised, fixed order);
 *  - the ratio estimator of K probabilities over blocks of unequal size,
 *    with its standard error from the spread of the block means;
 *  - the 95% intervals (Wilson score, or normal) built from it;
 *  - Chan's pairwise merge of running means and second moments;
 *  - percentiles of a fixed-bin histogram with values beyond it counted apart. */
#ifndef TYCHE_STATS_ESTIMATE_H
#define TYCHE_STATS_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "tyche/results.h"

#define STATS_Z95 1.959963984540054   /* the standard normal's 97.5% quantile */

/* Sum of x[0..n) over its finite values, and their count (when count is
 * not NULL). Eight partial sums in a fixed order: vectorised, and the same
 * on every run. Inline: it is the run loop's innermost reduction. */
static inline double stats_finite_sum(const double *restrict x, size_t n, size_t *count)
{
    double acc[8] = {0};
    double cnt[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double v = x[i + l];
            double keep = v - v == 0 ? v : 0.0;    /* 0 for inf and NaN */
            double one = v - v == 0 ? 1.0 : 0.0;
            acc[l] += keep;
            cnt[l] += one;
        }
    for (; i < n; i++) {
        double v = x[i];
        acc[i & 7] += v - v == 0 ? v : 0.0;
        cnt[i & 7] += v - v == 0 ? 1.0 : 0.0;
    }
    double s = 0, c = 0;
    for (size_t l = 0; l < 8; l++) { s += acc[l]; c += cnt[l]; }
    if (count) *count = (size_t)c;
    return s;
}

/* Sum over the finite x[0..n) of (x - mean)^2, the same way. */
static inline double stats_finite_m2(const double *restrict x, size_t n, double mean)
{
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double d = x[i + l] - mean;
            acc[l] += d - d == 0 ? d * d : 0.0;
        }
    for (; i < n; i++) {
        double d = x[i] - mean;
        acc[i & 7] += d - d == 0 ? d * d : 0.0;
    }
    double s = 0;
    for (size_t l = 0; l < 8; l++) s += acc[l];
    return s;
}

/* Sum of w[i] x[i] over the finite x[0..n), and of those w[i] into *wsum
 * (when not NULL): eight lanes in a fixed order, as stats_finite_sum. */
static inline double stats_wsum(const double *restrict x, const double *restrict w, size_t n, double *wsum)
{
    double acc[8] = {0}, wacc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double v = x[i + l], fin = v - v == 0 ? 1.0 : 0.0;
            acc[l] += fin > 0 ? w[i + l] * v : 0.0;
            wacc[l] += fin * w[i + l];
        }
    for (; i < n; i++) {
        double v = x[i];
        acc[i & 7] += v - v == 0 ? w[i] * v : 0.0;
        wacc[i & 7] += v - v == 0 ? w[i] : 0.0;
    }
    double s = 0, ws = 0;
    for (size_t l = 0; l < 8; l++) { s += acc[l]; ws += wacc[l]; }
    if (wsum) *wsum = ws;
    return s;
}

/* Sum over the finite x[0..n) of w[i] (x[i] - mean)^2, the same way. */
static inline double stats_wm2(const double *restrict x, const double *restrict w, size_t n, double mean)
{
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double d = x[i + l] - mean;
            acc[l] += d - d == 0 ? w[i + l] * d * d : 0.0;
        }
    for (; i < n; i++) {
        double d = x[i] - mean;
        acc[i & 7] += d - d == 0 ? w[i] * d * d : 0.0;
    }
    double s = 0;
    for (size_t l = 0; l < 8; l++) s += acc[l];
    return s;
}

/* The weighted moments of the finite x[0..n) in one pass: *wsum = sum w,
 * *mean = sum w x / sum w, *m2 = sum w (x - mean)^2; taken about shift
 * (e.g. the unweighted mean, so that the squares do not cancel). Eight
 * lanes in a fixed order. *mean is shift when no weight. */
static inline void stats_wmoments(const double *restrict x, const double *restrict w, size_t n, double shift,
                                  double *wsum, double *mean, double *m2)
{
    double a0[8] = {0}, a1[8] = {0}, a2[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double d = x[i + l] - shift;
            int fin = d - d == 0;
            double wd = fin ? w[i + l] * d : 0.0;
            a0[l] += fin ? w[i + l] : 0.0;
            a1[l] += wd;
            a2[l] += fin ? wd * d : 0.0;
        }
    for (; i < n; i++) {
        double d = x[i] - shift;
        int fin = d - d == 0;
        a0[i & 7] += fin ? w[i] : 0.0;
        a1[i & 7] += fin ? w[i] * d : 0.0;
        a2[i & 7] += fin ? w[i] * d * d : 0.0;
    }
    double s0 = 0, s1 = 0, s2 = 0;
    for (size_t l = 0; l < 8; l++) { s0 += a0[l]; s1 += a1[l]; s2 += a2[l]; }
    double md = s0 > 0 ? s1 / s0 : 0.0, v = s2 - md * s1;
    *wsum = s0;
    *mean = shift + md;
    *m2 = v > 0 ? v : 0.0;
}

/* stats_wmoments for x[0..n) all finite, whose weights sum to wsum (known):
 * two sums instead of three, no tests. */
static inline void stats_wmoments_finite(const double *restrict x, const double *restrict w, size_t n,
                                         double shift, double wsum, double *mean, double *m2)
{
    double a1[8] = {0}, a2[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double d = x[i + l] - shift, wd = w[i + l] * d;
            a1[l] += wd;
            a2[l] += wd * d;
        }
    for (; i < n; i++) {
        double d = x[i] - shift, wd = w[i] * d;
        a1[i & 7] += wd;
        a2[i & 7] += wd * d;
    }
    double s1 = 0, s2 = 0;
    for (size_t l = 0; l < 8; l++) { s1 += a1[l]; s2 += a2[l]; }
    double md = wsum > 0 ? s1 / wsum : 0.0, v = s2 - md * s1;
    *mean = shift + md;
    *m2 = v > 0 ? v : 0.0;
}

/* The ratio estimator of K means over blocks: block b contributes the sums
 * s_b[k] over its w_b samples. Sums are kept shifted by the first block's
 * mean (ref) so the variance sums do not cancel. The arrays are the
 * caller's (K doubles each); the layout is part of the --resume state. */
typedef struct stats_blocks {
    size_t K;
    uint64_t n, blocks;          /* samples and blocks added */
    double *ref, *sum, *d2, *dw; /* K each: first block's mean, sum s, sum d^2, sum d w */
    double w2;                   /* sum of w_b^2 */
} stats_blocks;

/* Adds one block (t[0..K) its sums over w samples). Call in block order. */
void stats_blocks_add(stats_blocks *a, const double *t, size_t w);

/* Mean k and the standard error of the ratio estimator over the blocks:
 * Var = nb/(nb-1) sum_b (s_b - p w_b)^2 / W^2; NaN with one block. */
void stats_blocks_mean_se(const stats_blocks *a, size_t k, double *mean, double *se);

/* The ratio estimator of one mean over units of unequal, real weight: unit
 * u gives the sum s_u of w x over its samples and their weight w_u (a
 * query's sum of condition x value, and of the condition). Shifted by the
 * first weighted unit's ratio (ref), as stats_blocks. The layout is part of
 * the --resume state. */
typedef struct stats_ratio {
    double ref, sum, w, d2, dw, w2;
    uint64_t units, wunits;      /* units added; those of positive weight */
} stats_ratio;

void stats_ratio_add(stats_ratio *a, double s, double w);

/* R = sum s / sum w and its standard error over the units, Var =
 * n/(n-1) sum_u (s_u - R w_u)^2 / W^2; *df = the weighted units - 1, what
 * the error rests on. NaN (and df 0) when no unit has weight or, for the
 * error, with fewer than two. */
void stats_ratio_mean_se(const stats_ratio *a, double *mean, double *se, double *df);

/* The two-sided 95% quantile of Student's t with df degrees of freedom
 * (1.96 as df grows; +inf for df < 1). */
double stats_t95(double df);

/* The 95% interval for a mean p in [0, 1] with standard error se estimated
 * on df degrees of freedom from n samples: Wilson's score interval at the
 * effective sample size m = p(1-p)/se^2 (n when se is 0 or p is 0 or 1),
 * with Student's t quantile in place of the normal's. Where the effective
 * count of events m p (or of non-events) is below 5, the bound on that side
 * is the Poisson one, Gamma^-1(0.025; m p) / m, when lower: Wilson's is too
 * tight there (Brown, Cai and DasGupta, Statist. Sci. 16(2), 2001, 101-133,
 * who modify it for counts up to 3; at 4 it still covers only 93%). Where
 * there are fewer than 5 events' worth of samples, n p < 5, the far bound is
 * at least the one of a count of n p in n (values in [0, 1] vary at most as
 * a count does, and a handful of samples cannot show their skew).
 * lattice adds half a step, 1/(2n), to each side (Wilson's continuity
 * correction), for 0/1 outcomes whose count is nearly fixed by
 * stratification. It stays inside [0, 1], keeps its coverage near 0 and 1,
 * and widens honestly when the standard error rests on few units. */
ty_estimate stats_interval(double p, double se, double df, double n, int lattice);

/* Merges a part (count nb, mean mb, second moment m2b) into a running
 * (*n, *mean, *m2): Chan, Golub and LeVeque's pairwise update. */
void stats_moments_merge(uint64_t *n, double *mean, double *m2, double nb, double mb, double m2b);

/* The same for weighted parts: total weight *w, weighted mean and second
 * moment sum w (x - mean)^2; a part of weight wb (0: nothing to add). */
void stats_wmoments_merge(double *w, double *mean, double *m2, double wb, double mb, double m2b);

/* Where the q-quantile of a histogram falls: nbins counts h, with under
 * values below the first bin and over above the last counted apart. The
 * sample's q-quantile is its order statistic of rank k, the least k >= q n
 * (n = under + sum h + over; the smallest x with a share q of the values at
 * most x). Returns STATS_HIST_IN with *bin the bin that holds rank k and
 * *frac = (q n - values before the bin) / h[bin], in (0, 1] (0 for q = 0);
 * STATS_HIST_BELOW or STATS_HIST_ABOVE when rank k is among the under or
 * over values; STATS_HIST_EMPTY when there are none. */
enum { STATS_HIST_EMPTY = -1, STATS_HIST_IN = 0, STATS_HIST_BELOW = 1, STATS_HIST_ABOVE = 2 };
int stats_hist_rank(const uint64_t *h, size_t nbins, uint64_t under, uint64_t over, double q,
                    size_t *bin, double *frac);

/* Percentile q of a histogram of nbins bins of width w from lo, with under
 * and over values outside them (stats_hist_rank), by linear interpolation
 * within the bin; NaN when it is empty or the percentile falls outside the
 * bins (not representable: the histogram does not say where). */
double stats_hist_quantile(const uint64_t *h, size_t nbins, uint64_t under, uint64_t over, double lo,
                           double w, double q);

#endif
