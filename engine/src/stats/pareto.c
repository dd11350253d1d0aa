/* pareto.c - the Pareto k-hat diagnostic of importance weights (pareto.h):
 * Zhang and Stephens' generalized Pareto fit of the largest weights'
 * exceedances, as PSIS uses it. */
#include "pareto.h"

#include <math.h>
#include <stdlib.h>

/* k(theta) = mean of log1p(-theta x_i); theta < 1/x[n-1] keeps every term
 * finite. */
static double gpd_kmean(const double *x, size_t n, double theta)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += log1p(-theta * x[i]);
    return s / (double)n;
}

double stats_gpd_khat(const double *x, size_t n)
{
    if (!x || n < 5) return NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || x[i] < 0) return NAN;
        if (i > 0 && x[i] < x[i - 1]) return NAN;
    }
    double xmax = x[n - 1];
    double xstar = x[(size_t)floor((double)n / 4 + 0.5) - 1];   /* first quartile */
    if (xstar <= 0 || x[0] == xmax) return NAN;

    /* The grid theta_j = 1/x[n-1] + (1 - sqrt(m / (j - 0.5))) / (3 x*),
     * j = 1..m (every theta_j < 1/x[n-1], so each log1p is finite), the
     * profile log-likelihood l_j at each, and the posterior mean of theta
     * with weights exp(l_j) normalised in one pass: the sums are kept
     * relative to the largest l so far and rescaled when it grows. */
    size_t m = 30 + (size_t)floor(sqrt((double)n));
    double dn = (double)n, lmax = -INFINITY, wsum = 0, tsum = 0;
    for (size_t j = 1; j <= m; j++) {
        double theta = 1 / xmax + (1 - sqrt((double)m / ((double)j - 0.5))) / (3 * xstar);
        double l;
        if (theta == 0) {
            /* The limit theta -> 0: -theta / k -> 1 / mean(x), k -> 0. */
            double s = 0;
            for (size_t i = 0; i < n; i++) s += x[i];
            l = dn * (log(dn / s) - 1);
        } else {
            double k = gpd_kmean(x, n, theta);
            l = dn * (log(-theta / k) - k - 1);
        }
        if (isnan(l) || l == INFINITY) return NAN;
        if (l == -INFINITY) continue;   /* weight 0 */
        if (l > lmax) {
            double f = exp(lmax - l);   /* 0 on the first */
            wsum *= f;
            tsum *= f;
            lmax = l;
        }
        double w = exp(l - lmax);
        wsum += w;
        tsum += w * theta;
    }
    if (!(wsum > 0)) return NAN;
    double theta_hat = tsum / wsum;

    double k = gpd_kmean(x, n, theta_hat);
    k = (dn * k + 10 * 0.5) / (dn + 10);   /* the weakly informative prior */
    return isfinite(k) ? k : NAN;
}

/* The tail size of n samples, M = ceil(min(0.2 n, 3 sqrt(n))); 0 when
 * n < 25, where 0.2 n is under 5 samples. */
static size_t tail_len(double n)
{
    if (!(n >= 25)) return 0;
    double a = n / 5, b = 3 * sqrt(n);
    return (size_t)ceil(a < b ? a : b);
}

/* v[0..M] ascending: the cutoff v[0] and the M largest log-weights. Turns
 * them into the exceedances exp(v[i+1] - top) - exp(v[0] - top) in
 * v[0..M) and fits them. */
static double tail_khat(double *v, size_t M)
{
    double top = v[M];
    if (!(top > -INFINITY)) return NAN;
    double cut = exp(v[0] - top);
    size_t pos = 0;
    for (size_t i = 0; i < M; i++) {
        v[i] = exp(v[i + 1] - top) - cut;
        pos += v[i] > 0;
    }
    if (pos < 5) return NAN;
    return stats_gpd_khat(v, M);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Min-heap of h[0..k): moves h[i] down to its place. */
static void sift_down(double *h, size_t k, size_t i)
{
    double v = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= k) break;
        if (c + 1 < k && h[c + 1] < h[c]) c++;
        if (!(h[c] < v)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

double stats_pareto_khat(const double *lw, size_t n)
{
    size_t M = tail_len((double)n);
    if (!lw || M < 5) return NAN;
    size_t K = M + 1;   /* < n for n >= 25 */
    double *h = malloc(K * sizeof *h);
    if (!h) return NAN;
    /* The K largest in a min-heap: one pass, O(n log M). */
    double r = NAN;
    for (size_t i = 0; i < n; i++) {
        double v = lw[i];
        if (isnan(v) || v == INFINITY) goto done;
        if (i < K) {
            h[i] = v;
            if (i == K - 1)
                for (size_t p = K / 2; p-- > 0;) sift_down(h, K, p);
        } else if (v > h[0]) {
            h[0] = v;
            sift_down(h, K, 0);
        }
    }
    qsort(h, K, sizeof *h, cmp_double);
    r = tail_khat(h, M);
done:
    free(h);
    return r;
}

double stats_pareto_khat_hist(const uint64_t *counts, size_t nbins, double lo, double width,
                              uint64_t below, uint64_t n_total)
{
    size_t M = tail_len((double)n_total);
    if (M < 5 || !isfinite(lo) || !isfinite(width) || !(width > 0)) return NAN;
    if (nbins > 0 && !counts) return NAN;
    if (below > n_total) return NAN;
    uint64_t left = n_total - below;   /* room for the counts */
    for (size_t i = 0; i < nbins; i++) {
        if (counts[i] > left) return NAN;
        left -= counts[i];
    }
    size_t K = M + 1;
    double *v = malloc(K * sizeof *v);
    if (!v) return NAN;
    /* Fill v from the top down: the highest bins first, each bin's samples
     * spread evenly inside it, the largest first. At most K samples are
     * placed, so the whole is O(nbins + M). */
    size_t filled = 0, last_bin_start = 0;
    for (size_t i = nbins; i-- > 0 && filled < K;) {
        uint64_t c = counts[i];
        double dc = (double)c;
        last_bin_start = filled;
        for (uint64_t j = c; j-- > 0 && filled < K;) {
            v[K - 1 - filled] = lo + width * ((double)i + ((double)j + 0.5) / dc);
            filled++;
        }
    }
    /* The rest of the K largest are zero weights (n_total >= K). */
    for (size_t t = filled; t < K; t++) v[K - 1 - t] = -INFINITY;
    /* Where the tail spans several bins, the cutoff's bin is tied with
     * the cutoff at the histogram's resolution: its samples exceed it by 0,
     * as tied weights do in stats_pareto_khat. Spread inside the bin,
     * weights that take a few values only (a soft fact's two) would look
     * like a heavy tail. A tail inside one bin stays spread: weights piled
     * below their bound (a reading near the prior's mode) are bounded. */
    if (filled == K && last_bin_start > 0)
        for (size_t t = last_bin_start; t < K; t++) v[K - 1 - t] = v[0];
    double r = tail_khat(v, M);
    free(v);
    return r;
}
