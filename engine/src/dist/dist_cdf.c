/* dist_cdf.c - evaluating a built distribution: CDF and quantile of the
 * untruncated family and of the truncated distribution, support, and the
 * mean and variance (closed forms, table sums, and tanh-sinh quadrature for
 * truncated continuous families). Builds and validates nothing (dist.c,
 * dist_family.c) and draws nothing (dist_sample.c). */
#include "dist_internal.h"
#include "specfun.h"

#include <math.h>

/* ---- family CDF and quantile (untruncated) ---------------------------- */

/* F = P(X <= k) and S = P(X > k) of the binomial or poisson family at the
 * integer k (or +inf). */
void dist_int_cdf(const ty_dist *d, double k, double *F, double *S)
{
    if (k < 0) { *F = 0; *S = 1; return; }
    if (d->family == FAM_BINOMIAL) {
        if (k >= d->a) { *F = 1; *S = 0; return; }
        /* P(X > k) = I_p(k+1, n-k) */
        sf_beta_inc(k + 1, d->a - k, d->b, S, F);
    } else {
        if (isinf(k)) { *F = 1; *S = 0; return; }
        /* P(X > k) = P(k+1, lambda), the regularized lower gamma */
        sf_gamma_inc(k + 1, d->a, S, F);
    }
}

/* Largest i with tx[i] <= x, or -1. */
static long table_find(const ty_dist *d, double x)
{
    long lo = -1, hi = (long)d->ntab;   /* tx[lo] <= x < tx[hi] */
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if (d->tx[mid] <= x) lo = mid; else hi = mid;
    }
    return lo;
}

/* Student's t with df degrees of freedom at t: F = P(T <= t), S = P(T > t)
 * through the incomplete beta, P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2)
 * = 1 - I_{t^2/(df+t^2)}(1/2, df/2), taking the argument below 1/2 so it
 * keeps its digits (t^2 << df would round df/(df+t^2) to 1). */
static void student_cdf(double df, double t, double *F, double *S)
{
    if (isinf(t)) { *F = t < 0 ? 0 : 1; *S = 1 - *F; return; }
    double t2 = t * t, two, one_minus;   /* two = P(|T| > |t|) */
    if (t2 > df) sf_beta_inc(0.5 * df, 0.5, df / (df + t2), &two, &one_minus);
    else sf_beta_inc(0.5, 0.5 * df, t2 / (df + t2), &one_minus, &two);
    double tail = 0.5 * two, body = 0.5 + 0.5 * one_minus;
    if (t < 0) { *F = tail; *S = body; } else { *F = body; *S = tail; }
}

/* The standard t quantile by the incomplete beta's inverse: for p <= 1/2,
 * t = -sqrt(df y / x) with I_x(df/2, 1/2) = 2p, y = 1 - x, each from the
 * inversion that keeps its digits. Exact but slow (about 20 us). */
static double student_quantile_beta(double df, double p)
{
    double x = sf_beta_inc_inv(0.5 * df, 0.5, 2 * p, 0), y;
    if (x > 0.5) { y = sf_beta_inc_inv(0.5, 0.5 * df, 2 * p, 1); x = 1 - y; }
    else y = 1 - x;
    return -sqrt(df * (y / x));
}

/* The standard t quantile at lower probability p in (0, 1), lc the log of
 * the density's constant Gamma((df+1)/2) / (sqrt(df pi) Gamma(df/2)). For
 * p < 1/2: Newton's method on log F(t) = log p, t < 0, started from the
 * better (by |log F - log p|) of the Cornish-Fisher expansion in 1/df
 * (Abramowitz & Stegun 26.7.5) and the tail's power law F(t) ~ e^lc
 * df^((df-1)/2) |t|^-df, kept inside a shrinking bracket (a halving of
 * log |t| when a step leaves it). A few incomplete beta evaluations
 * (about 2 us against 20 for the inversion, which stays as the fallback
 * when 40 steps do not converge). */
static double student_quantile(double df, double lc, double p)
{
    if (p > 0.5) return -student_quantile(df, lc, 1 - p);
    if (p == 0.5) return 0;
    double z = sf_norm_quantile(p), z2 = z * z;
    double g1 = (z2 + 1) * z / 4, g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
    double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
    double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
    double tc = z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    double tt = -exp((lc + 0.5 * (df - 1) * log(df) - log(p)) / df);
    double lp = log(p), F, S, t = 0;
    double best = INFINITY;
    for (int k = 0; k < 2; k++) {
        double c = k ? tt : tc;
        if (!(c < 0) || !isfinite(c)) continue;
        student_cdf(df, c, &F, &S);
        double e = fabs(log(F) - lp);
        if (e < best) { best = e; t = c; }
    }
    if (!(t < 0)) return student_quantile_beta(df, p);
    double a = -INFINITY, b = 0;    /* F(a) < p <= F(b) */
    for (int it = 0; it < 40; it++) {
        student_cdf(df, t, &F, &S);
        if (F >= p) b = t; else a = t;
        double lf = lc - 0.5 * (df + 1) * log1p(t * t / df);   /* log f(t) */
        double step = (log(F) - lp) * exp(log(F) - lf);        /* G / G', G = log F - log p */
        double tn = t - step;
        if (!(tn > a && tn < b)) tn = isinf(a) ? 2 * b : b == 0 ? 0.5 * a : -sqrt(a * b);
        if (fabs(tn - t) <= 1e-15 * fabs(t)) return tn;
        t = tn;
    }
    return student_quantile_beta(df, p);
}

/* F = P(X <= x) and S = P(X > x) of the untruncated family, each computed
 * directly so that neither loses digits to 1 - the other. */
void dist_base_cdf(const ty_dist *d, double x, double *F, double *S)
{
    double z;
    switch (d->family) {
    case FAM_UNIFORM:
        z = (x - d->loc) / d->scale;
        if (z <= 0) { *F = 0; *S = 1; }
        else if (z >= 1) { *F = 1; *S = 0; }
        else { *F = z; *S = (d->loc + d->scale - x) / d->scale; }
        return;
    case FAM_NORMAL:
        z = (x - d->loc) / d->scale;
        *F = sf_norm_cdf(z); *S = sf_norm_sf(z);
        return;
    case FAM_LOGNORMAL:
        if (x <= 0) { *F = 0; *S = 1; return; }
        z = (log(x) - d->loc) / d->scale;
        *F = sf_norm_cdf(z); *S = sf_norm_sf(z);
        return;
    case FAM_BETA:
        sf_beta_inc(d->a, d->b, (x - d->loc) / d->scale, F, S);
        return;
    case FAM_GAMMA:
        sf_gamma_inc(d->a, x / d->scale, F, S);
        return;
    case FAM_TRIANGULAR:
        if (x <= d->a) { *F = 0; *S = 1; }
        else if (x >= d->c) { *F = 1; *S = 0; }
        else if (x < d->b) { *F = (x - d->a) * (x - d->a) / d->tri_l; *S = 1 - *F; }
        else { *S = (d->c - x) * (d->c - x) / d->tri_r; *F = 1 - *S; }
        return;
    case FAM_BINOMIAL:
    case FAM_POISSON:
        dist_int_cdf(d, floor(x), F, S);
        return;
    case FAM_TABLE: {
        long i = table_find(d, x);
        if (i < 0) { *F = 0; *S = 1; }
        else { *F = d->tcum[i]; *S = d->tucum[i]; }
        return;
    }
    case FAM_CONSTANT:
        if (x >= d->a) { *F = 1; *S = 0; } else { *F = 0; *S = 1; }
        return;
    case FAM_STUDENT:
        student_cdf(d->a, (x - d->loc) / d->scale, F, S);
        return;
    case FAM_LOGUNIFORM:
        if (x <= d->a) { *F = 0; *S = 1; }
        else if (x >= d->c) { *F = 1; *S = 0; }
        else { *F = (log(x) - d->loc) / d->scale; *S = (log(d->c) - log(x)) / d->scale; }
        return;
    case FAM_EXPONENTIAL:
        if (x <= 0) { *F = 0; *S = 1; return; }
        *F = -expm1(-d->a * x); *S = exp(-d->a * x);
        return;
    case FAM_WEIBULL:
        if (x <= 0) { *F = 0; *S = 1; return; }
        z = pow(x / d->scale, d->a);
        *F = -expm1(-z); *S = exp(-z);
        return;
    case FAM_METALOG:
        dist_metalog_cdf(d, x, F, S);
        return;
    case FAM_MIXTURE:
        dist_mixture_cdf(d, x, F, S);
        return;
    }
}

static int int_ok(const ty_dist *d, double k, double p, int upper)
{
    double F, S;
    dist_int_cdf(d, k, &F, &S);
    return upper ? S <= p : F >= p;
}

/* Smallest integer k with F(k) >= p (upper: S(k) <= p): a start from the
 * Cornish-Fisher expansion (skewness g1 and excess kurtosis g2 terms, with
 * the continuity correction), within one or two of the answer once the sd
 * is large, then doubling steps to bracket and bisection, each step one
 * exact CDF (so a few CDF evaluations in all: the incomplete gamma and
 * beta cost microseconds at every size, specfun.c). */
static double int_quantile(const ty_dist *d, double p, int upper)
{
    double kmax = d->family == FAM_BINOMIAL ? d->a : INFINITY;
    if (upper ? p >= 1 : p <= 0) return 0;
    if (upper ? p <= 0 : p >= 1) return kmax;
    int bin = d->family == FAM_BINOMIAL;
    double mean = bin ? d->a * d->b : d->a;
    double var = bin ? mean * (1 - d->b) : mean, sd = sqrt(var);
    double g1 = bin ? (1 - 2 * d->b) / sd : 1 / sd;
    double g2 = bin ? (1 - 6 * d->b * (1 - d->b)) / var : 1 / var;
    double z = upper ? -sf_norm_quantile(p) : sf_norm_quantile(p);
    double w = z + g1 * (z * z - 1) / 6 + g2 * (z * z * z - 3 * z) / 24
               - g1 * g1 * (2 * z * z * z - 5 * z) / 36;
    double g = ceil(mean + sd * w - 0.5);
    if (!(g >= 0)) g = 0;
    if (g > kmax) g = kmax;
    if (g > 1e300) g = floor(mean);
    double lo, hi, step = 1;
    if (int_ok(d, g, p, upper)) {
        hi = g;
        lo = g - step;
        while (lo >= 0 && int_ok(d, lo, p, upper)) { hi = lo; step *= 2; lo = hi - step; }
        if (lo < -1) lo = -1;
    } else {
        lo = g;
        hi = g + step;
        while (hi < kmax && !int_ok(d, hi, p, upper)) { lo = hi; step *= 2; hi = lo + step; }
        if (hi > kmax) hi = kmax;
    }
    while (hi - lo > 1) {
        double mid = floor(lo + (hi - lo) / 2);
        if (int_ok(d, mid, p, upper)) hi = mid; else lo = mid;
    }
    return hi;
}

/* Quantile of the untruncated family at lower probability p (upper == 0)
 * or upper probability p (upper == 1). */
static double base_quantile(const ty_dist *d, double p, int upper)
{
    double z, x;
    switch (d->family) {
    case FAM_UNIFORM:
        return upper ? (d->loc + d->scale) - p * d->scale : d->loc + p * d->scale;
    case FAM_NORMAL:
        z = sf_norm_quantile(p);
        return upper ? d->loc - d->scale * z : d->loc + d->scale * z;
    case FAM_LOGNORMAL:
        z = sf_norm_quantile(p);
        return exp(upper ? d->loc - d->scale * z : d->loc + d->scale * z);
    case FAM_BETA:
        x = sf_beta_inc_inv(d->a, d->b, p, upper);
        return d->loc + d->scale * x;
    case FAM_GAMMA:
        return d->scale * sf_gamma_inc_inv(d->a, p, upper);
    case FAM_TRIANGULAR: {
        double pl = upper ? 1 - p : p;
        if (!upper ? p < d->tri_fc : p > 1 - d->tri_fc)
            return d->a + sqrt(pl * d->tri_l);
        return d->c - sqrt((upper ? p : 1 - p) * d->tri_r);
    }
    case FAM_BINOMIAL:
    case FAM_POISSON:
        return int_quantile(d, p, upper);
    case FAM_TABLE: {
        /* smallest i with tcum[i] >= p (upper: tucum[i] <= p) */
        long lo = -1, hi = (long)d->ntab - 1;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (upper ? d->tucum[mid] <= p : d->tcum[mid] >= p) hi = mid; else lo = mid;
        }
        return d->tx[hi];
    }
    case FAM_CONSTANT:
        return d->a;
    case FAM_STUDENT:
        z = student_quantile(d->a, d->b, p);
        return upper ? d->loc - d->scale * z : d->loc + d->scale * z;
    case FAM_LOGUNIFORM:
        x = upper ? exp(log(d->c) - p * d->scale) : exp(d->loc + p * d->scale);
        return x < d->a ? d->a : x > d->c ? d->c : x;
    case FAM_EXPONENTIAL:
        return (upper ? -log(p) : -log1p(-p)) / d->a;
    case FAM_WEIBULL:
        return d->scale * pow(upper ? -log(p) : -log1p(-p), 1 / d->a);
    case FAM_METALOG:
        return dist_metalog_quantile(d, p, upper);
    case FAM_MIXTURE:
        return dist_mixture_quantile(d, p, upper);
    }
    return NAN;
}

/* ---- truncated CDF, quantile ---------------------------------------- */

/* x with P(X <= x) = p (upper == 0) or P(X > x) = p (upper == 1) under the
 * truncation, from whichever tail of the family keeps precision; clamped
 * to [lo, hi]. NaN when p is outside [0, 1]. */
double dist_quantile_tail(const ty_dist *d, double p, int upper)
{
    if (!(p >= 0 && p <= 1)) return NAN;
    /* the ends of the support exactly, truncated or not */
    if (p == 0) return upper ? d->hi : d->lo;
    if (p == 1) return upper ? d->lo : d->hi;
    double x;
    if (!d->truncated) {
        x = base_quantile(d, p, upper);
    } else if (!upper) {
        /* F = F(lo) + p mass, or in upper terms S = S(lo) - p mass */
        double t = d->flo + p * d->mass;
        x = t <= 0.5 ? base_quantile(d, t, 0) : base_quantile(d, d->slo - p * d->mass, 1);
    } else {
        /* S = S(hi) + p mass, or in lower terms F = F(hi) - p mass */
        double t = d->shi + p * d->mass;
        x = t <= 0.5 ? base_quantile(d, t, 1) : base_quantile(d, d->fhi - p * d->mass, 0);
    }
    if (x < d->lo) x = d->lo;
    if (x > d->hi) x = d->hi;
    return x;
}

double ty_dist_quantile(const ty_dist *dist, double p)
{
    if (!(p >= 0 && p <= 1)) return NAN;
    /* 1 - p is exact for p >= 1/2 (Sterbenz), so the upper form loses nothing */
    return p <= 0.5 ? dist_quantile_tail(dist, p, 0) : dist_quantile_tail(dist, 1 - p, 1);
}

void ty_dist_quantile_block(const ty_dist *dist, const double *u, double *out, size_t n)
{
    if (dist->qtab) { dist_qtab_quantile_block(dist, u, out, n); return; }
    for (size_t i = 0; i < n; i++) out[i] = ty_dist_quantile(dist, u[i]);
}

double ty_dist_cdf(const ty_dist *d, double x)
{
    if (isnan(x)) return NAN;
    if (x < d->lo) return 0;
    if (x >= d->hi) return 1;
    double F, S;
    dist_base_cdf(d, x, &F, &S);
    if (!d->truncated) return F;
    double c = d->upper ? (d->cum_lo - S) / d->mass : (F - d->cum_lo) / d->mass;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

void ty_dist_support(const ty_dist *dist, double *lo, double *hi)
{
    if (lo) *lo = dist->lo;
    if (hi) *hi = dist->hi;
}

double ty_dist_mean(const ty_dist *dist) { return dist->mean; }
double ty_dist_variance(const ty_dist *dist) { return dist->var; }

/* ---- moments ---------------------------------------------------------- */

/* Mean and variance of a truncated continuous family by integrating its
 * quantile over (0,1) with the tanh-sinh rule (Takahasi & Mori 1974):
 * p(t) = (1 + tanh(pi/2 sinh t))/2 clusters nodes at both ends, so the
 * endpoint singularities of unbounded quantiles cost nothing, and the step
 * is halved until two levels agree to 1e-12. */
void dist_quad_moments(const ty_dist *d, double *mean, double *var)
{
    double c = dist_quantile_tail(d, 0.5, 0);
    double s1 = 0, s2 = 0, i1 = 0, i2 = 0, h = 0.5;
    for (int level = 0; level < 10; level++) {
        double step = level == 0 ? h : 2 * h;
        double t0 = level == 0 ? 0 : h;
        for (int side = 0; side < 2; side++) {
            for (double t = t0; t < 6.5; t += step) {
                if (side == 1 && t == 0) continue;
                double tt = side ? -t : t;
                double s = M_PI_2 * sinh(tt);
                double q = 1 / (1 + exp(2 * s)), p = 1 / (1 + exp(-2 * s));
                double w = M_PI * cosh(tt) * p * q;
                if (!(w > 0) || p <= 0 || q <= 0) continue;
                double x = p <= 0.5 ? dist_quantile_tail(d, p, 0) : dist_quantile_tail(d, q, 1);
                s1 += w * (x - c);
                s2 += w * (x - c) * (x - c);
            }
        }
        double n1 = s1 * h, n2 = s2 * h;
        int done = level >= 3 && fabs(n2 - i2) <= 1e-12 * fabs(n2) && fabs(n1 - i1) <= 1e-12 * (fabs(n1) + sqrt(fabs(n2)) + fabs(c));
        i1 = n1; i2 = n2;
        if (done) break;
        h /= 2;
    }
    *mean = c + i1;
    *var = i2 - i1 * i1;
    if (*var < 0) *var = 0;
}

/* Mean and variance of the table, about its first value for accuracy. */
static void table_moments(const ty_dist *d, double *mean, double *var)
{
    double c = d->tx[0], s1 = 0, s2 = 0;
    for (size_t i = 0; i < d->ntab; i++) s1 += d->tp[i] * (d->tx[i] - c);
    double m = c + s1;
    for (size_t i = 0; i < d->ntab; i++) s2 += d->tp[i] * (d->tx[i] - m) * (d->tx[i] - m);
    *mean = m;
    *var = s2;
}

/* ---- support and closed-form moments (untruncated family) ------------- */

/* Support of the untruncated family (of the table, for FAM_TABLE). */
void dist_base_support(const ty_dist *d, double *lo, double *hi)
{
    switch (d->family) {
    case FAM_UNIFORM: case FAM_BETA: *lo = d->loc; *hi = d->loc + d->scale; return;
    case FAM_NORMAL: *lo = -INFINITY; *hi = INFINITY; return;
    case FAM_LOGNORMAL: case FAM_GAMMA: case FAM_POISSON: *lo = 0; *hi = INFINITY; return;
    case FAM_TRIANGULAR: *lo = d->a; *hi = d->c; return;
    case FAM_BINOMIAL: *lo = 0; *hi = d->a; return;
    case FAM_TABLE: *lo = d->tx[0]; *hi = d->tx[d->ntab - 1]; return;
    case FAM_CONSTANT: *lo = *hi = d->a; return;
    case FAM_STUDENT: *lo = -INFINITY; *hi = INFINITY; return;
    case FAM_LOGUNIFORM: *lo = d->a; *hi = d->c; return;
    case FAM_EXPONENTIAL: case FAM_WEIBULL: *lo = 0; *hi = INFINITY; return;
    case FAM_METALOG: *lo = d->ml_lo; *hi = d->ml_hi; return;
    case FAM_MIXTURE: dist_mixture_support(d, lo, hi); return;
    }
}

/* Mean and variance of the untruncated family (of the table, for FAM_TABLE). */
void dist_base_moments(const ty_dist *d, double *mean, double *var)
{
    double a = d->a, b = d->b, c = d->c, s = d->scale;
    switch (d->family) {
    case FAM_UNIFORM: *mean = d->loc + s / 2; *var = s * s / 12; return;
    case FAM_NORMAL: *mean = d->loc; *var = s * s; return;
    case FAM_LOGNORMAL:
        *mean = exp(d->loc + s * s / 2);
        *var = expm1(s * s) * exp(2 * d->loc + s * s);
        return;
    case FAM_BETA:
        *mean = d->loc + s * a / (a + b);
        /* as a product of ratios: a b and (a + b)^2 underflow for tiny shapes */
        *var = s * s * (a / (a + b)) * (b / (a + b)) / (a + b + 1);
        return;
    case FAM_GAMMA: *mean = a * s; *var = a * s * s; return;
    case FAM_TRIANGULAR:
        *mean = (a + b + c) / 3;
        *var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
        return;
    case FAM_BINOMIAL: *mean = a * b; *var = a * b * (1 - b); return;
    case FAM_POISSON: *mean = a; *var = a; return;
    case FAM_TABLE: table_moments(d, mean, var); return;
    case FAM_CONSTANT: *mean = a; *var = 0; return;
    case FAM_STUDENT:   /* infinite for df <= 1 and df <= 2: rejected unless truncated */
        *mean = a > 1 ? d->loc : NAN;
        *var = a > 2 ? s * s * (a / (a - 2)) : INFINITY;
        return;
    case FAM_LOGUNIFORM: {
        /* E X = (max - min) / L, E X^2 = (max^2 - min^2) / (2 L), L = log(max/min);
         * var = E X^2 - (E X)^2 about the mean as (max - min)^2 terms */
        double L = s, m = (c - a) / L;
        *mean = m;
        *var = (c - a) * ((c + a) / (2 * L) - (c - a) / (L * L));
        if (!(*var >= 0)) *var = 0;
        (void)b;
        return;
    }
    case FAM_EXPONENTIAL: *mean = 1 / a; *var = 1 / (a * a); return;
    case FAM_WEIBULL: {
        double g1 = sf_lgamma(1 + 1 / a), g2 = sf_lgamma(1 + 2 / a);
        *mean = s * exp(g1);
        /* Gamma(1+2/k) - Gamma(1+1/k)^2 = Gamma(1+2/k) (1 - e^(2 g1 - g2)) */
        *var = s * s * exp(g2) * -expm1(2 * g1 - g2);
        return;
    }
    case FAM_METALOG:   /* no closed form: quadrature of the quantile */
        dist_quad_moments(d, mean, var);
        return;
    case FAM_MIXTURE: dist_mixture_moments(d, mean, var); return;
    }
}

