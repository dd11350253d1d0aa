/* estimate.c - block-order estimators and intervals (estimate.h). */
#include "estimate.h"

#include <math.h>

#include "dist/specfun.h"

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

void stats_blocks_mean_se(const stats_blocks *a, size_t k, double *mean, double *se)
{
    double W = (double)a->n, pr = a->sum[k] / W;
    /* sum_b (s_b - p w_b)^2 from the shifted sums: d_b - (p - ref) w_b. */
    double delta = pr - a->ref[k];
    double ss = a->d2[k] - 2 * delta * a->dw[k] + delta * delta * a->w2;
    if (ss < 0) ss = 0;
    double nb = (double)a->blocks;
    *mean = pr;
    *se = nb > 1 ? sqrt(nb / (nb - 1) * ss) / W : NAN;
}

void stats_ratio_add(stats_ratio *a, double s, double w)
{
    if (a->wunits == 0 && w > 0) a->ref = s / w;   /* units before had s = w = 0 */
    double d = s - a->ref * w;
    a->sum += s;
    a->w += w;
    a->d2 += d * d;
    a->dw += d * w;
    a->w2 += w * w;
    a->units++;
    if (w > 0) a->wunits++;
}

void stats_ratio_mean_se(const stats_ratio *a, double *mean, double *se, double *df)
{
    *mean = *se = NAN;
    *df = 0;
    if (!(a->w > 0)) return;
    double r = a->sum / a->w, delta = r - a->ref;
    double ss = a->d2 - 2 * delta * a->dw + delta * delta * a->w2;
    if (ss < 0) ss = 0;
    double n = (double)a->units;
    *mean = r;
    *df = a->wunits > 1 ? (double)(a->wunits - 1) : 0;
    if (a->wunits > 1) *se = sqrt(n / (n - 1) * ss) / a->w;
}

double stats_t95(double df)
{
    if (!(df >= 1)) return INFINITY;
    if (df > 1e5) {
        /* Cornish-Fisher: z + (z^3 + z) / (4 df), exact to 1e-10 here. */
        const double z = STATS_Z95;
        return z + (z * z * z + z) / (4 * df);
    }
    /* P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2). */
    double x = sf_beta_inc_inv(df / 2, 0.5, 0.05, 0);
    return sqrt(df * (1 - x) / x);
}

/* The Poisson lower bound on a rate from an effective count x: the 2.5%
 * quantile of Gamma(x, 1) (0 at x = 0). */
static double poisson_lower(double x)
{
    return x > 0 ? sf_gamma_inc_inv(x, 0.025, 0) : 0.0;
}

ty_estimate stats_interval(double p, double se, double df, double n, int lattice)
{
    ty_estimate e = {.probability = p, .stderr_ = se};
    double q = stats_t95(df);
    double neff = (se > 0 && p > 0 && p < 1) ? p * (1 - p) / (se * se) : n;
    if (!isfinite(q) || !(neff > 0)) {
        e.ci_low = 0;
        e.ci_high = 1;
        return e;
    }
    double q2n = q * q / neff, centre = (p + q2n / 2) / (1 + q2n);
    double half = q / (1 + q2n) * sqrt(p * (1 - p) / neff + q2n / (4 * neff));
    double lo = centre - half, hi = centre + half;
    if (p * neff < 5) lo = fmin(lo, poisson_lower(p * neff) / neff);
    if ((1 - p) * neff < 5) hi = fmax(hi, 1 - poisson_lower((1 - p) * neff) / neff);
    /* Rare: fewer than 5 events' worth of samples. A mean of values in
     * [0, 1] varies at most as a count does (a Bernoulli has the largest
     * variance and skew for its mean), and a handful of samples cannot show
     * how skewed the values are: the far bound is at least the count's. */
    double qn = q * q / n, cn = (p + qn / 2) / (1 + qn);
    double hn = q / (1 + qn) * sqrt(p * (1 - p) / n + qn / (4 * n));
    if (p * n < 5) hi = fmax(hi, cn + hn);
    if ((1 - p) * n < 5) lo = fmin(lo, cn - hn);
    if (lattice) {
        lo -= 0.5 / n;
        hi += 0.5 / n;
    }
    e.ci_low = fmax(0.0, lo);
    e.ci_high = fmin(1.0, hi);
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

void stats_wmoments_merge(double *w, double *mean, double *m2, double wb, double mb, double m2b)
{
    if (!(wb > 0)) return;
    double wa = *w, delta = mb - *mean, tot = wa + wb;
    *mean += delta * (wb / tot);
    *m2 += m2b + delta * delta * (wa / tot) * wb;
    *w = tot;
}

int stats_hist_rank(const uint64_t *h, size_t nbins, uint64_t under, uint64_t over, double q,
                    size_t *bin, double *frac)
{
    uint64_t total = under + over;
    for (size_t i = 0; i < nbins; i++) total += h[i];
    if (total == 0) return STATS_HIST_EMPTY;
    double target = q * (double)total, cum = (double)under;
    if (under > 0 && target <= cum) return STATS_HIST_BELOW;
    for (size_t i = 0; i < nbins; i++) {
        if (cum + (double)h[i] >= target && h[i] > 0) {
            *bin = i;
            *frac = target > cum ? (target - cum) / (double)h[i] : 0.0;
            return STATS_HIST_IN;
        }
        cum += (double)h[i];
    }
    return over > 0 ? STATS_HIST_ABOVE : STATS_HIST_EMPTY;
}

double stats_hist_quantile(const uint64_t *h, size_t nbins, uint64_t under, uint64_t over, double lo,
                           double w, double q)
{
    size_t bin = 0;
    double frac = 0;
    if (stats_hist_rank(h, nbins, under, over, q, &bin, &frac) != STATS_HIST_IN) return NAN;
    return lo + w * ((double)bin + frac);
}
