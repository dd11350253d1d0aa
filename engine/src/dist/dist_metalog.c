/* dist_metalog.c - the metalog distribution (T. W. Keelin, "The Metalog
 * Distributions", Decision Analysis 13(4), 2016, pp. 243-277): its fit to
 * 3 to 5 quantile pairs (as many terms as pairs, so the fit is exact), the
 * feasibility check, the quantile (closed form), the CDF (its inverse, by
 * safeguarded Newton) and inversion sampling. Validation of the pairs and
 * the error messages are dist.c's. */
#include "dist_internal.h"

#include <math.h>

#define ML_GRID 10000           /* feasibility: uniform grid points in (0, 1) */
#define ML_TAIL_DECADES 12      /* ... plus p = 1e-5 .. 1e-16 and 1 - those */

/* The basis of Keelin (2016), eq. 6, at p (q = 1 - p, both given so the
 * upper tail keeps its digits), L = log(p / q):
 * 1, L, (p - 1/2) L, p - 1/2, (p - 1/2)^2. */
static void basis(double p, double q, double *b)
{
    double L = log(p) - log(q), c = p <= 0.5 ? p - 0.5 : 0.5 - q;
    b[0] = 1; b[1] = L; b[2] = c * L; b[3] = c; b[4] = c * c;
}

/* dM/dp at p: the derivatives of the basis terms. */
static double dM(const ty_dist *d, double p, double q)
{
    double L = log(p) - log(q), c = p <= 0.5 ? p - 0.5 : 0.5 - q, pq = p * q;
    double db[5] = {0, 1 / pq, L + c / pq, 1, 2 * c};
    double s = 0;
    for (int j = 0; j < d->ml_n; j++) s += d->ml_a[j] * db[j];
    return s;
}

static double M(const ty_dist *d, double p, double q)
{
    double b[5], s = 0;
    basis(p, q, b);
    for (int j = 0; j < d->ml_n; j++) s += d->ml_a[j] * b[j];
    return s;
}

/* x from y = M(p) through the bounds' transform. */
static double from_y(const ty_dist *d, double y)
{
    switch (d->ml_bound) {
    case 1: return d->ml_lo + exp(y);
    case 2: return d->ml_hi - exp(-y);
    case 3: {   /* logistic, from the side that keeps digits */
        double w = d->ml_hi - d->ml_lo;
        return y <= 0 ? d->ml_lo + w / (1 + exp(-y)) : d->ml_hi - w / (1 + exp(y));
    }
    default: return y;
    }
}

/* y from x (x strictly inside the bounds). */
static double to_y(const ty_dist *d, double x)
{
    switch (d->ml_bound) {
    case 1: return log(x - d->ml_lo);
    case 2: return -log(d->ml_hi - x);
    case 3: return log(x - d->ml_lo) - log(d->ml_hi - x);
    default: return x;
    }
}

/* Solves the n x n system a x = b (row-major a, overwritten) by Gaussian
 * elimination with partial pivoting; 0, or -1 when a pivot is below 1e-12
 * of the largest entry (the probabilities give a singular basis). */
static int solve(double *a, double *b, int n)
{
    double big = 0;
    for (int i = 0; i < n * n; i++) big = fmax(big, fabs(a[i]));
    for (int k = 0; k < n; k++) {
        int piv = k;
        for (int i = k + 1; i < n; i++) if (fabs(a[i * n + k]) > fabs(a[piv * n + k])) piv = i;
        if (!(fabs(a[piv * n + k]) > 1e-12 * big)) return -1;
        if (piv != k) {
            for (int j = 0; j < n; j++) { double t = a[k * n + j]; a[k * n + j] = a[piv * n + j]; a[piv * n + j] = t; }
            double t = b[k]; b[k] = b[piv]; b[piv] = t;
        }
        for (int i = k + 1; i < n; i++) {
            double f = a[i * n + k] / a[k * n + k];
            for (int j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (int k = n - 1; k >= 0; k--) {
        double s = b[k];
        for (int j = k + 1; j < n; j++) s -= a[k * n + j] * b[j];
        b[k] = s / a[k * n + k];
    }
    return 0;
}

/* Fits the coefficients so that Q(p_i) = x_i exactly (n terms for n pairs),
 * then checks that Q increases: M'(p) > 0 on ML_GRID points and the
 * tails. The transforms of the bounded forms increase, so M' decides. */
int dist_metalog_fit(ty_dist *d, const char **why, double *where_p)
{
    const ty_dist_spec *sp = &d->spec;
    int n = (int)sp->nvalues;
    d->ml_n = n;
    d->ml_bound = sp->metalog_bounds & 3;
    d->ml_lo = d->ml_bound & TY_DIST_METALOG_LOWER ? sp->param[0] : -INFINITY;
    d->ml_hi = d->ml_bound & TY_DIST_METALOG_UPPER ? sp->param[1] : INFINITY;
    double a[TY_DIST_METALOG_MAX * TY_DIST_METALOG_MAX], z[TY_DIST_METALOG_MAX];
    for (int i = 0; i < n; i++) {
        double b[5], p = sp->weights[i];
        basis(p, 1 - p, b);
        for (int j = 0; j < n; j++) a[i * n + j] = b[j];
        z[i] = to_y(d, sp->values[i]);
    }
    *where_p = NAN;
    if (solve(a, z, n) != 0) { *why = "singular"; return 1; }
    for (int j = 0; j < n; j++) d->ml_a[j] = z[j];
    for (int j = n; j < TY_DIST_METALOG_MAX; j++) d->ml_a[j] = 0;
    /* A log (or upper-log) metalog's open tail is a power law: near p = 1,
     * M ~ (a2 + a3/2) log(1/(1-p)), so x - lower ~ (1-p)^-(a2 + a3/2), whose
     * variance is finite only for an exponent below 1/2 (likewise the
     * lower tail of an upper-bounded one with a2 - a3/2). */
    double k1 = d->ml_a[1] + (n >= 3 ? 0.5 * d->ml_a[2] : 0), k0 = d->ml_a[1] - (n >= 3 ? 0.5 * d->ml_a[2] : 0);
    if ((d->ml_bound == 1 && !(k1 < 0.5)) || (d->ml_bound == 2 && !(k0 < 0.5))) {
        *why = "heavy";
        *where_p = d->ml_bound == 1 ? k1 : k0;
        return 1;
    }
    for (int k = 0; k < ML_GRID + 2 * ML_TAIL_DECADES; k++) {
        double p, q;
        if (k < ML_GRID) { p = (k + 0.5) / ML_GRID; q = (ML_GRID - k - 0.5) / ML_GRID; }
        else {
            int t = k - ML_GRID, dec = 5 + t / 2;
            double e = pow(10, -dec);
            if (t % 2 == 0) { p = e; q = 1 - e; } else { p = 1 - e; q = e; }
        }
        double g = dM(d, p, q);
        if (!(g > 0) || !isfinite(M(d, p, q))) { *why = "decreasing"; *where_p = p; return 1; }
    }
    return 0;
}

double dist_metalog_quantile(const ty_dist *d, double p, int upper)
{
    double pl = upper ? 1 - p : p, ql = upper ? p : 1 - p;
    if (!(pl > 0)) return d->ml_lo;
    if (!(ql > 0)) return d->ml_hi;
    return from_y(d, M(d, pl, ql));
}

/* M as a function of t = log(p / (1 - p)), which increases with t. */
static double M_t(const ty_dist *d, double t, double *deriv)
{
    double p = 1 / (1 + exp(-t)), q = 1 / (1 + exp(t));
    if (deriv) *deriv = dM(d, p, q) * p * q;
    return M(d, p, q);
}

/* F and S at x: t with M(t) = y(x) by Newton's method kept inside a
 * bracket that bisection shrinks when a step leaves it. */
void dist_metalog_cdf(const ty_dist *d, double x, double *F, double *S)
{
    if (!(x > d->ml_lo)) { *F = 0; *S = 1; return; }
    if (!(x < d->ml_hi)) { *F = 1; *S = 0; return; }
    double y = to_y(d, x), lo = -40, hi = 40;
    while (lo > -740 && M_t(d, lo, NULL) > y) lo *= 2;
    while (hi < 740 && M_t(d, hi, NULL) < y) hi *= 2;
    if (lo < -740) lo = -740;
    if (hi > 740) hi = 740;
    double t = 0.5 * (lo + hi);
    for (int it = 0; it < 200 && hi - lo > 1e-15 * (1 + fabs(t)); it++) {
        double g, m = M_t(d, t, &g) - y;
        if (m > 0) hi = t; else if (m < 0) lo = t; else break;
        double tn = t - m / g;
        if (!(tn > lo && tn < hi) || !(g > 0)) tn = 0.5 * (lo + hi);
        if (fabs(tn - t) <= 1e-16 * (1 + fabs(t))) { t = tn; break; }
        t = tn;
    }
    *F = 1 / (1 + exp(-t));
    *S = 1 / (1 + exp(t));
}

/* Inversion: out[i] = Q(u), u = (k + 1/2) 2^-53 on the open interval, so
 * an unbounded metalog never gives an infinite draw. */
void dist_metalog_sample(const ty_dist *d, ty_rng *rng, double *out, size_t n)
{
    ty_rng_fill_uniform(rng, out, n);
    for (size_t i = 0; i < n; i++) {
        double u = out[i] + 0x1.0p-54;
        out[i] = from_y(d, M(d, u, 1 - u));
    }
}
