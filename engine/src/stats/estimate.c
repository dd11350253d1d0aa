/* estimate.c - block-order estimators and intervals (estimate.h). */
#include "estimate.h"

#include <math.h>

double stats_finite_sum(const double *restrict x, size_t n, size_t *count)
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

double stats_finite_m2(const double *restrict x, size_t n, double mean)
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

void stats_blocks_add(stats_blocks *a, const double *t, size_t w)
{
    double dw = (double)w;
    if (a->blocks == 0)
        for (size_t k = 0; k < a->K; k++) a->ref[k] = t[k] / dw;
    for (size_t k = 0; k < a->K; k++) {
        double d = t[k] - a->ref[k] * dw;    /* s_b - ref w_b */
        a->sum[k] += t[k];
        a->d2[k] += d * d;
        a->dw[k] += d * dw;
    }
    a->w2 += dw * dw;
    a->n += w;
    a->blocks++;
}

/* Wilson's score interval for p at an effective sample size neff. */
static void wilson(double p, double neff, double *lo, double *hi)
{
    const double z = STATS_Z95;
    double z2n = z * z / neff, centre = (p + z2n / 2) / (1 + z2n);
    double half = z / (1 + z2n) * sqrt(p * (1 - p) / neff + z2n / (4 * neff));
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

ty_estimate stats_blocks_estimate(const stats_blocks *a, size_t k, int use_wilson)
{
    ty_estimate e;
    double W = (double)a->n, pr = a->sum[k] / W;
    /* sum_b (s_b - p w_b)^2 from the shifted sums: d_b - (p - ref) w_b. */
    double delta = pr - a->ref[k];
    double ss = a->d2[k] - 2 * delta * a->dw[k] + delta * delta * a->w2;
    if (ss < 0) ss = 0;
    double nb = (double)a->blocks;
    double se = nb > 1 ? sqrt(nb / (nb - 1) * ss) / W : NAN;
    e.probability = pr;
    e.stderr_ = se;
    if (use_wilson || !(se > 0)) {
        double neff = (se > 0 && pr > 0 && pr < 1) ? pr * (1 - pr) / (se * se) : W;
        wilson(pr, neff, &e.ci_low, &e.ci_high);
    } else {
        e.ci_low = fmax(0.0, pr - STATS_Z95 * se);
        e.ci_high = fmin(1.0, pr + STATS_Z95 * se);
    }
    return e;
}

void stats_moments_merge(uint64_t *n, double *mean, double *m2, double nb, double mb, double m2b)
{
    if (nb == 0) return;
    double na = (double)*n, delta = mb - *mean, tot = na + nb;
    *mean += delta * nb / tot;
    *m2 += m2b + delta * delta * na * nb / tot;
    *n += (uint64_t)nb;
}

double stats_hist_quantile(const uint64_t *h, size_t nbins, double lo, double w, double q)
{
    uint64_t total = 0;
    for (size_t i = 0; i < nbins; i++) total += h[i];
    if (total == 0) return NAN;
    double target = q * (double)total, cum = 0;
    for (size_t i = 0; i < nbins; i++) {
        if (cum + (double)h[i] >= target && h[i] > 0)
            return lo + w * ((double)i + (target - cum) / (double)h[i]);
        cum += (double)h[i];
    }
    return lo + w * (double)nbins;
}
