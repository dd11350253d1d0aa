/* dist.c - distributions: the name tables, validation and construction
 * (derived constants, alias tables, truncation), CDF, quantile, moments and
 * descriptions. The block samplers live in dist_sample.c; the special
 * functions in specfun.c. */
#include "util/sbuf.h"
#include "dist_internal.h"
#include "specfun.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CI90_Z 1.6448536269514722   /* Phi^-1(0.95) */
#define REJECT_MIN_MASS 0.3         /* truncation: rejection above, inversion below */
#define WALK_TINY 1e-40             /* integer pmf walks stop below this relative weight */

/* ---- names ---------------------------------------------------------- */

static const char *const kind_names[] = {
#define X_(id, name, np, a, b, c) name,
    TY_DIST_LIST(X_)
#undef X_
};
static const int kind_nparams[] = {
#define X_(id, name, np, a, b, c) np,
    TY_DIST_LIST(X_)
#undef X_
};
static const char *const kind_pnames[][TY_DIST_MAX_PARAMS] = {
#define X_(id, name, np, a, b, c) {a, b, c},
    TY_DIST_LIST(X_)
#undef X_
};

const char *ty_dist_kind_name(ty_dist_kind kind)
{
    return (unsigned)kind < TY_DIST_COUNT ? kind_names[kind] : NULL;
}

int ty_dist_kind_from_name(const char *name)
{
    for (int k = 0; name && k < TY_DIST_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0) return k;
    return -1;
}

int ty_dist_nparams(ty_dist_kind kind)
{
    return (unsigned)kind < TY_DIST_COUNT ? kind_nparams[kind] : 0;
}

const char *ty_dist_param_name(ty_dist_kind kind, int i)
{
    if ((unsigned)kind >= TY_DIST_COUNT || i < 0 || i >= TY_DIST_MAX_PARAMS) return NULL;
    return kind_pnames[kind][i];
}

int ty_dist_param_index(ty_dist_kind kind, const char *name)
{
    for (int i = 0; i < TY_DIST_MAX_PARAMS; i++) {
        const char *p = ty_dist_param_name(kind, i);
        if (p && name && strcmp(p, name) == 0) return i;
    }
    return -1;
}

/* ---- family CDF and quantile (untruncated) ---------------------------- */

static void int_cdf(const ty_dist *d, double k, double *F, double *S)
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

static void base_cdf(const ty_dist *d, double x, double *F, double *S)
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
        int_cdf(d, floor(x), F, S);
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
    }
}

static int int_ok(const ty_dist *d, double k, double p, int upper)
{
    double F, S;
    int_cdf(d, k, &F, &S);
    return upper ? S <= p : F >= p;
}

/* Smallest integer k with F(k) >= p (upper: S(k) <= p): a start from the
 * normal approximation, doubling steps to bracket, then bisection. */
static double int_quantile(const ty_dist *d, double p, int upper)
{
    double kmax = d->family == FAM_BINOMIAL ? d->a : INFINITY;
    if (upper ? p >= 1 : p <= 0) return 0;
    if (upper ? p <= 0 : p >= 1) return kmax;
    double mean = d->family == FAM_BINOMIAL ? d->a * d->b : d->a;
    double sd = sqrt(d->family == FAM_BINOMIAL ? mean * (1 - d->b) : mean);
    double z = upper ? -sf_norm_quantile(p) : sf_norm_quantile(p);
    double g = floor(mean + sd * z + 0.5);
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
    }
    return NAN;
}

/* ---- truncated CDF, quantile ---------------------------------------- */

double dist_quantile2(const ty_dist *d, double p, int upper)
{
    if (!(p >= 0 && p <= 1)) return NAN;
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
    return p <= 0.5 ? dist_quantile2(dist, p, 0) : dist_quantile2(dist, 1 - p, 1);
}

void ty_dist_quantile_block(const ty_dist *dist, const double *u, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = ty_dist_quantile(dist, u[i]);
}

double ty_dist_cdf(const ty_dist *d, double x)
{
    if (isnan(x)) return NAN;
    if (x < d->lo) return 0;
    if (x >= d->hi) return 1;
    double F, S;
    base_cdf(d, x, &F, &S);
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
const ty_dist_spec *ty_dist_get_spec(const ty_dist *dist) { return &dist->spec; }

/* ---- moments ---------------------------------------------------------- */

/* Mean and variance of a truncated continuous family by integrating its
 * quantile over (0,1) with the tanh-sinh rule (Takahasi & Mori 1974):
 * p(t) = (1 + tanh(pi/2 sinh t))/2 clusters nodes at both ends, so the
 * endpoint singularities of unbounded quantiles cost nothing, and the step
 * is halved until two levels agree to 1e-12. */
static void quad_moments(const ty_dist *d, double *mean, double *var)
{
    double c = dist_quantile2(d, 0.5, 0);
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
                double x = p <= 0.5 ? dist_quantile2(d, p, 0) : dist_quantile2(d, q, 1);
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

static void table_moments(const ty_dist *d, double *mean, double *var)
{
    double c = d->tx[0], s1 = 0, s2 = 0;
    for (size_t i = 0; i < d->ntab; i++) s1 += d->tp[i] * (d->tx[i] - c);
    double m = c + s1;
    for (size_t i = 0; i < d->ntab; i++) s2 += d->tp[i] * (d->tx[i] - m) * (d->tx[i] - m);
    *mean = m;
    *var = s2;
}

/* ---- construction ----------------------------------------------------- */

static void gamma_setup(gamma_consts *g, double shape)
{
    g->boost = shape < 1;
    double s = g->boost ? shape + 1 : shape;
    g->d = s - 1.0 / 3.0;
    g->c = 1.0 / sqrt(9.0 * g->d);
    g->inv_shape = 1.0 / shape;
}

/* Stirling correction fc(k) = log k! - [(k+1/2) log(k+1) - (k+1) + log(2 pi)/2],
 * as in Hormann (1993), BTRD step 3.3. */
static double btrd_fc(double k)
{
    static const double tab[10] = {
        0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
        0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
        0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
        0.008330563433362871};
    if (k < 10) return tab[(int)k];
    double r = 1 / (k + 1), r2 = r * r;
    return (1.0 / 12 - (1.0 / 360 - r2 / 1260) * r2) * r;
}

static void binomial_setup(ty_dist *d, double n, double p)
{
    d->bin.n = n;
    d->bin.flip = p > 0.5;
    d->bin.p = d->bin.flip ? 1 - p : p;
    d->bin.q = 1 - d->bin.p;
    double pp = d->bin.p, q = d->bin.q;
    /* Inversion while n p' < 10 (at most ~10 steps on average); BTRD above. */
    d->bin.btrd = n * pp >= 10;
    d->bin.qn = exp(n * log1p(-pp));
    d->bin.s = pp / q;
    d->bin.as = (n + 1) * d->bin.s;
    if (d->bin.btrd) {
        double m = floor((n + 1) * pp), r = pp / q, npq = n * pp * q;
        double b = 1.15 + 2.53 * sqrt(npq);
        d->bin.m = m;
        d->bin.r = r;
        d->bin.nr = (n + 1) * r;
        d->bin.npq = npq;
        d->bin.bb = b;
        d->bin.aa = -0.0873 + 0.0248 * b + 0.01 * pp;
        d->bin.cc = n * pp + 0.5;
        d->bin.alpha = (2.83 + 5.1 / b) * sqrt(npq);
        d->bin.vr = 0.92 - 4.2 / b;
        d->bin.urvr = 0.86 * d->bin.vr;
        double nm = n - m + 1;
        d->bin.h = (m + 0.5) * log((m + 1) / (r * nm)) + btrd_fc(m) + btrd_fc(n - m);
    }
}

static void poisson_setup(ty_dist *d, double lam)
{
    /* Multiplication (Knuth) below 10, PTRS (Hormann 1993) from 10 on. */
    d->poi.ptrs = lam >= 10;
    d->poi.emlam = exp(-lam);
    d->poi.slam = sqrt(lam);
    d->poi.loglam = log(lam);
    d->poi.b = 0.931 + 2.53 * d->poi.slam;
    d->poi.a = -0.059 + 0.02483 * d->poi.b;
    d->poi.invalpha = 1.1239 + 1.1328 / (d->poi.b - 3.4);
    d->poi.vr = 0.9277 - 3.6224 / (d->poi.b - 2);
}

/* Vose's alias table (M. D. Vose, IEEE Trans. Softw. Eng. 17(9), 1991,
 * pp. 972-975) over tp[0..ntab); also the cumulative sums both ways. */
static ty_status table_finish(ty_dist *d)
{
    size_t n = d->ntab;
    d->tcum = malloc(n * sizeof *d->tcum);
    d->tucum = malloc(n * sizeof *d->tucum);
    d->aprob = malloc(n * sizeof *d->aprob);
    d->aidx = malloc(n * sizeof *d->aidx);
    uint32_t *work = malloc(n * sizeof *work);
    double *q = malloc(n * sizeof *q);
    if (!d->tcum || !d->tucum || !d->aprob || !d->aidx || !work || !q) {
        free(work); free(q);
        return TY_ERR_NOMEM;
    }
    double acc = 0;
    for (size_t i = 0; i < n; i++) { acc += d->tp[i]; d->tcum[i] = acc; }
    acc = 0;
    for (size_t i = n; i-- > 0;) { d->tucum[i] = acc; acc += d->tp[i]; }
    /* small indices grow from the front of work, large from the back */
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        q[i] = d->tp[i] * (double)n;
        if (q[i] < 1) work[ns++] = (uint32_t)i; else work[n - 1 - nl++] = (uint32_t)i;
    }
    while (ns > 0 && nl > 0) {
        uint32_t s = work[--ns], l = work[n - nl];
        nl--;
        d->aprob[s] = q[s];
        d->aidx[s] = l;
        q[l] = (q[l] + q[s]) - 1;
        if (q[l] < 1) work[ns++] = l; else work[n - 1 - nl++] = l;
    }
    while (nl > 0) { uint32_t l = work[n - nl--]; d->aprob[l] = 1; d->aidx[l] = l; }
    while (ns > 0) { uint32_t s = work[--ns]; d->aprob[s] = 1; d->aidx[s] = s; }
    free(work);
    free(q);
    return TY_OK;
}

static int cmp_pair(const void *x, const void *y)
{
    double a = ((const double *)x)[0], b = ((const double *)y)[0];
    return (a > b) - (a < b);
}

/* Table of a discrete distribution restricted to [lo, hi]; *empty set when
 * nothing of positive weight remains. */
static ty_status table_from_values(ty_dist *d, const double *v, const double *w, size_t n,
                                   double lo, double hi, int *empty)
{
    double *pairs = malloc(2 * n * sizeof *pairs);
    if (!pairs) return TY_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (v[i] >= lo && v[i] <= hi && wi > 0) { pairs[2 * m] = v[i]; pairs[2 * m + 1] = wi; m++; }
    }
    *empty = m == 0;
    if (m == 0) { free(pairs); return TY_OK; }
    qsort(pairs, m, 2 * sizeof *pairs, cmp_pair);
    d->tx = malloc(m * sizeof *d->tx);
    d->tp = malloc(m * sizeof *d->tp);
    if (!d->tx || !d->tp) { free(pairs); return TY_ERR_NOMEM; }
    size_t k = 0;
    double total = 0;
    for (size_t i = 0; i < m; i++) {
        if (k > 0 && d->tx[k - 1] == pairs[2 * i]) d->tp[k - 1] += pairs[2 * i + 1];
        else { d->tx[k] = pairs[2 * i]; d->tp[k] = pairs[2 * i + 1]; k++; }
        total += pairs[2 * i + 1];
    }
    free(pairs);
    d->ntab = k;
    for (size_t i = 0; i < k; i++) d->tp[i] /= total;
    return table_finish(d);
}

/* Walks the pmf of an integer family over [kl, kh] from the (clamped) mode
 * outwards by its ratio recurrence until the weight relative to the mode
 * falls below WALK_TINY. With xs/ws it stores the points in order. Returns
 * the number of points; *sw, *mean, *var get the weight sum and moments. */
static size_t int_walk(const ty_dist *d, double kl, double kh, double *xs, double *ws,
                       double *sw, double *mean, double *var)
{
    int bin = d->family == FAM_BINOMIAL;
    double n = d->a, p = d->b, lam = d->a;
    double mode = bin ? floor((n + 1) * p) : floor(lam);
    double m = mode < kl ? kl : mode > kh ? kh : mode;
    double pq = bin ? p / (1 - p) : 0;
    size_t nd = 0, nu = 0;
    double w = 1, s0 = 1, s1 = 0, s2 = 0;
    for (double k = m; k > kl;) {   /* down: pmf(k-1)/pmf(k) */
        w *= bin ? k / ((n - k + 1) * pq) : k / lam;
        k -= 1;
        if (w < WALK_TINY) break;
        nd++;
        s0 += w; s1 += w * (k - m); s2 += w * (k - m) * (k - m);
    }
    w = 1;
    for (double k = m; k < kh;) {   /* up: pmf(k+1)/pmf(k) */
        w *= bin ? (n - k) * pq / (k + 1) : lam / (k + 1);
        k += 1;
        if (w < WALK_TINY) break;
        nu++;
        s0 += w; s1 += w * (k - m); s2 += w * (k - m) * (k - m);
    }
    *sw = s0;
    *mean = m + s1 / s0;
    *var = s2 / s0 - (s1 / s0) * (s1 / s0);
    if (*var < 0) *var = 0;
    if (xs) {
        xs[nd] = m; ws[nd] = 1;
        w = 1;
        for (size_t i = 1; i <= nd; i++) {
            double k = m - (double)(i - 1);
            w *= bin ? k / ((n - k + 1) * pq) : k / lam;
            xs[nd - i] = k - 1; ws[nd - i] = w;
        }
        w = 1;
        for (size_t i = 1; i <= nu; i++) {
            double k = m + (double)(i - 1);
            w *= bin ? (n - k) * pq / (k + 1) : lam / (k + 1);
            xs[nd + i] = k + 1; ws[nd + i] = w;
        }
    }
    return nd + nu + 1;
}

static void base_support(const ty_dist *d, double *lo, double *hi)
{
    switch (d->family) {
    case FAM_UNIFORM: case FAM_BETA: *lo = d->loc; *hi = d->loc + d->scale; return;
    case FAM_NORMAL: *lo = -INFINITY; *hi = INFINITY; return;
    case FAM_LOGNORMAL: case FAM_GAMMA: case FAM_POISSON: *lo = 0; *hi = INFINITY; return;
    case FAM_TRIANGULAR: *lo = d->a; *hi = d->c; return;
    case FAM_BINOMIAL: *lo = 0; *hi = d->a; return;
    case FAM_TABLE: *lo = d->tx[0]; *hi = d->tx[d->ntab - 1]; return;
    case FAM_CONSTANT: *lo = *hi = d->a; return;
    }
}

static void base_moments(const ty_dist *d, double *mean, double *var)
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
        *var = s * s * a * b / ((a + b) * (a + b) * (a + b + 1));
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
    }
}

void ty_dist_free(ty_dist *dist)
{
    if (!dist) return;
    free(dist->own_values);
    free(dist->own_weights);
    free(dist->tx);
    free(dist->tp);
    free(dist->tcum);
    free(dist->tucum);
    free(dist->aprob);
    free(dist->aidx);
    free(dist);
}

#define ERR(...) do { ty_diag_add(diag, TY_SEV_ERROR, pos, __VA_ARGS__); nerr++; } while (0)

/* Checks the parameters of spec; returns the number of errors added. */
static int validate(const ty_dist_spec *spec, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    const char *name = kind_names[spec->kind];
    const double *P = spec->param;
    int np = kind_nparams[spec->kind];
    int finite = 1;
    for (int i = 0; i < np; i++) {
        if (!isfinite(P[i])) {
            ERR("%s: %s must be finite (got %g)", name, kind_pnames[spec->kind][i], P[i]);
            finite = 0;
        }
    }
    if (finite) {
        switch (spec->kind) {
        case TY_DIST_UNIFORM:
            if (!(P[0] < P[1])) ERR("uniform: min must be < max (got %g and %g)", P[0], P[1]);
            break;
        case TY_DIST_NORMAL:
            if (!(P[1] > 0)) ERR("normal: sd must be > 0 (got %g)", P[1]);
            break;
        case TY_DIST_LOGNORMAL:
            if (!(P[1] > 0)) ERR("lognormal: sigma must be > 0 (got %g)", P[1]);
            break;
        case TY_DIST_CI90:
            if (!(P[0] < P[1])) ERR("ci90: lo must be < hi (got %g and %g)", P[0], P[1]);
            break;
        case TY_DIST_BETA:
            if (!(P[0] > 0)) ERR("beta: a must be > 0 (got %g)", P[0]);
            if (!(P[1] > 0)) ERR("beta: b must be > 0 (got %g)", P[1]);
            break;
        case TY_DIST_GAMMA:
            if (!(P[0] > 0)) ERR("gamma: shape must be > 0 (got %g)", P[0]);
            if (!(P[1] > 0)) ERR("gamma: scale must be > 0 (got %g)", P[1]);
            break;
        case TY_DIST_TRIANGULAR:
        case TY_DIST_PERT:
            if (!(P[0] < P[2])) ERR("%s: min must be < max (got %g and %g)", name, P[0], P[2]);
            else if (!(P[1] >= P[0] && P[1] <= P[2]))
                ERR("%s: mode must be in [min, max] (got %g, not in [%g, %g])", name, P[1], P[0], P[2]);
            break;
        case TY_DIST_BERNOULLI:
            if (!(P[0] >= 0 && P[0] <= 1)) ERR("bernoulli: p must be in [0, 1] (got %g)", P[0]);
            break;
        case TY_DIST_BINOMIAL:
            if (!(P[0] >= 0 && P[0] == floor(P[0]) && P[0] <= 9007199254740992.0))
                ERR("binomial: n must be a non-negative integer (got %g)", P[0]);
            if (!(P[1] >= 0 && P[1] <= 1)) ERR("binomial: p must be in [0, 1] (got %g)", P[1]);
            break;
        case TY_DIST_POISSON:
            if (!(P[0] >= 0)) ERR("poisson: lambda must be >= 0 (got %g)", P[0]);
            else if (P[0] > 1e15) ERR("poisson: lambda must be <= 1e15 (got %g)", P[0]);
            break;
        case TY_DIST_DISCRETE: {
            size_t nw = spec->nweights ? spec->nweights : spec->nvalues;
            if (spec->nvalues == 0 || !spec->values) {
                ERR("discrete: values must not be empty");
                break;
            }
            if (spec->nvalues > TY_DIST_MAX_VALUES)
                ERR("discrete: at most %d values allowed (got %zu)", TY_DIST_MAX_VALUES, spec->nvalues);
            if (spec->weights && nw != spec->nvalues) {
                ERR("discrete: values and weights differ in length (%zu and %zu)", spec->nvalues, nw);
                break;
            }
            for (size_t i = 0; i < spec->nvalues; i++)
                if (!isfinite(spec->values[i]))
                    ERR("discrete: values must be finite (value %zu is %g)", i + 1, spec->values[i]);
            if (spec->weights) {
                double total = 0;
                int bad = 0;
                for (size_t i = 0; i < nw; i++) {
                    double w = spec->weights[i];
                    if (!isfinite(w)) { ERR("discrete: weights must be finite (weight %zu is %g)", i + 1, w); bad = 1; }
                    else if (w < 0) { ERR("discrete: weights must be non-negative (weight %zu is %g)", i + 1, w); bad = 1; }
                    else total += w;
                }
                if (!bad && !(total > 0)) ERR("discrete: weights must not all be zero");
                else if (!bad && !isfinite(total)) ERR("discrete: the sum of the weights must be finite");
            }
            break;
        }
        default:
            break;
        }
    }
    if (spec->has_bounds) {
        if (isnan(spec->lo) || isnan(spec->hi))
            ERR("%s: bounds must be numbers (got [%g, %g])", name, spec->lo, spec->hi);
        else if (spec->lo > spec->hi)
            ERR("%s: bounds [%g, %g] are reversed", name, spec->lo, spec->hi);
    }
    return nerr;
}

/* Sets the family, its parameters and the untruncated sampler. */
static void setup_family(ty_dist *d)
{
    const double *P = d->spec.param;
    switch (d->spec.kind) {
    case TY_DIST_UNIFORM:
        d->family = FAM_UNIFORM; d->sampler = SMP_UNIFORM;
        d->loc = P[0]; d->scale = P[1] - P[0];
        break;
    case TY_DIST_NORMAL:
        d->family = FAM_NORMAL; d->sampler = SMP_NORMAL;
        d->loc = P[0]; d->scale = P[1];
        break;
    case TY_DIST_LOGNORMAL:
        d->family = FAM_LOGNORMAL; d->sampler = SMP_LOGNORMAL;
        d->loc = P[0]; d->scale = P[1];
        break;
    case TY_DIST_CI90:
        if (P[0] > 0) {
            d->family = FAM_LOGNORMAL; d->sampler = SMP_LOGNORMAL;
            d->loc = 0.5 * (log(P[0]) + log(P[1]));
            d->scale = (log(P[1]) - log(P[0])) / (2 * CI90_Z);
        } else {
            d->family = FAM_NORMAL; d->sampler = SMP_NORMAL;
            d->loc = 0.5 * (P[0] + P[1]);
            d->scale = (P[1] - P[0]) / (2 * CI90_Z);
        }
        break;
    case TY_DIST_BETA:
    case TY_DIST_PERT:
        d->family = FAM_BETA; d->sampler = SMP_BETA;
        if (d->spec.kind == TY_DIST_BETA) {
            d->a = P[0]; d->b = P[1]; d->loc = 0; d->scale = 1;
        } else {
            double w = P[2] - P[0];
            d->a = 1 + 4 * (P[1] - P[0]) / w;
            d->b = 1 + 4 * (P[2] - P[1]) / w;
            d->loc = P[0]; d->scale = w;
        }
        d->johnk = d->a <= 1 && d->b <= 1;
        gamma_setup(&d->ga, d->a);
        gamma_setup(&d->gb, d->b);
        break;
    case TY_DIST_GAMMA:
        d->family = FAM_GAMMA; d->sampler = SMP_GAMMA;
        d->a = P[0]; d->scale = P[1];
        gamma_setup(&d->ga, d->a);
        break;
    case TY_DIST_TRIANGULAR:
        d->family = FAM_TRIANGULAR; d->sampler = SMP_TRIANGULAR;
        d->a = P[0]; d->b = P[1]; d->c = P[2];
        d->tri_fc = (P[1] - P[0]) / (P[2] - P[0]);
        d->tri_l = (P[2] - P[0]) * (P[1] - P[0]);
        d->tri_r = (P[2] - P[0]) * (P[2] - P[1]);
        break;
    case TY_DIST_BERNOULLI:
    case TY_DIST_BINOMIAL: {
        int bern = d->spec.kind == TY_DIST_BERNOULLI;
        double n = bern ? 1 : P[0], p = bern ? P[0] : P[1];
        if (n == 0 || p == 0 || p == 1) {
            d->family = FAM_CONSTANT; d->sampler = SMP_CONSTANT;
            d->a = p == 1 ? n : 0;
        } else {
            d->family = FAM_BINOMIAL; d->sampler = bern ? SMP_BERNOULLI : SMP_BINOMIAL;
            d->a = n; d->b = p;
            binomial_setup(d, n, p);
        }
        break;
    }
    case TY_DIST_POISSON:
        if (P[0] == 0) {
            d->family = FAM_CONSTANT; d->sampler = SMP_CONSTANT; d->a = 0;
        } else {
            d->family = FAM_POISSON; d->sampler = SMP_POISSON; d->a = P[0];
            poisson_setup(d, P[0]);
        }
        break;
    case TY_DIST_DISCRETE:
        d->family = FAM_TABLE; d->sampler = SMP_ALIAS;
        break;
    case TY_DIST_CONSTANT:
    default:
        d->family = FAM_CONSTANT; d->sampler = SMP_CONSTANT; d->a = P[0];
        break;
    }
}

/* Applies the bounds [lo, hi] to a built family. Returns TY_OK,
 * TY_ERR_INVALID (with the error added) or TY_ERR_NOMEM. */

/* Records truncation to an interval whose ends have CDF F0, F1 and survival
 * S0, S1: the kept mass is taken from whichever tail keeps precision (the
 * upper one when the interval starts past the median). */
static void set_truncation(ty_dist *d, double F0, double S0, double F1, double S1)
{
    d->truncated = 1;
    d->upper = S0 < 0.5;
    d->cum_lo = d->upper ? S0 : F0;
    d->cum_hi = d->upper ? S1 : F1;
    d->mass = d->upper ? S0 - S1 : F1 - F0;
    d->flo = F0; d->slo = S0; d->fhi = F1; d->shi = S1;
}

static ty_status apply_bounds(ty_dist *d, ty_diag *diag, const ty_pos *pos)
{
    int nerr = 0;
    const char *name = kind_names[d->spec.kind];
    double lo = d->spec.lo, hi = d->spec.hi, blo, bhi;
    base_support(d, &blo, &bhi);
    if (hi < blo || lo > bhi) {
        ERR("%s: bounds [%g, %g] lie outside the support of %s [%g, %g]", name, lo, hi, name, blo, bhi);
        return TY_ERR_INVALID;
    }
    if (lo <= blo && hi >= bhi) return TY_OK;   /* nothing cut off */
    double tl = lo > blo ? lo : blo, th = hi < bhi ? hi : bhi;
    switch (d->family) {
    case FAM_CONSTANT:
        return TY_OK;
    case FAM_UNIFORM:
        if (!(tl < th)) break;
        d->loc = tl; d->scale = th - tl;
        return TY_OK;
    case FAM_BINOMIAL:
    case FAM_POISSON: {
        double kl = ceil(tl), kh = floor(th), sw, m, v;
        if (kl > kh) break;
        size_t n = int_walk(d, kl, kh, NULL, NULL, &sw, &m, &v);
        if (n <= TY_DIST_MAX_VALUES) {
            d->tx = malloc(n * sizeof *d->tx);
            d->tp = malloc(n * sizeof *d->tp);
            if (!d->tx || !d->tp) return TY_ERR_NOMEM;
            int_walk(d, kl, kh, d->tx, d->tp, &sw, &m, &v);
            for (size_t i = 0; i < n; i++) d->tp[i] /= sw;
            d->ntab = n;
            if (table_finish(d) != TY_OK) return TY_ERR_NOMEM;
            d->family = FAM_TABLE; d->sampler = SMP_ALIAS;
            d->lo = d->tx[0]; d->hi = d->tx[n - 1];
            return TY_OK;
        }
        /* too wide for a table: cumulative probabilities at the ends */
        double F0, S0, F1, S1;
        int_cdf(d, kl - 1, &F0, &S0);
        int_cdf(d, kh, &F1, &S1);
        set_truncation(d, F0, S0, F1, S1);
        if (!(d->mass > 0)) break;
        d->lo = kl; d->hi = kh;
        d->mean = m; d->var = v;
        d->reject = d->mass >= REJECT_MIN_MASS;
        if (!d->reject) d->sampler = SMP_INVERT;
        return TY_OK;
    }
    default: {
        if (!(tl < th)) break;
        double F0, S0, F1, S1;
        base_cdf(d, tl, &F0, &S0);
        base_cdf(d, th, &F1, &S1);
        set_truncation(d, F0, S0, F1, S1);
        if (!(d->mass > 0)) break;
        d->lo = tl; d->hi = th;
        d->reject = d->mass >= REJECT_MIN_MASS;
        if (!d->reject) d->sampler = SMP_INVERT;
        return TY_OK;
    }
    }
    ERR("%s: bounds [%g, %g] hold no probability", name, lo, hi);
    return TY_ERR_INVALID;
}

ty_status ty_dist_new(const ty_dist_spec *spec, ty_dist **out, ty_diag *diag, const ty_pos *pos)
{
    *out = NULL;
    int nerr = 0;
    if (!spec || (unsigned)spec->kind >= TY_DIST_COUNT) {
        ERR("unknown distribution kind");
        return TY_ERR_INVALID;
    }
    if (validate(spec, diag, pos) > 0) return TY_ERR_INVALID;

    ty_dist *d = calloc(1, sizeof *d);
    if (!d) return TY_ERR_NOMEM;
    d->spec = *spec;
    ty_status st = TY_OK;
    if (spec->kind == TY_DIST_DISCRETE) {
        size_t n = spec->nvalues;
        d->own_values = malloc(n * sizeof *d->own_values);
        if (spec->weights) d->own_weights = malloc(n * sizeof *d->own_weights);
        if (!d->own_values || (spec->weights && !d->own_weights)) { ty_dist_free(d); return TY_ERR_NOMEM; }
        memcpy(d->own_values, spec->values, n * sizeof *d->own_values);
        if (spec->weights) memcpy(d->own_weights, spec->weights, n * sizeof *d->own_weights);
        d->spec.values = d->own_values;
        d->spec.weights = d->own_weights;
        d->spec.nweights = spec->weights ? n : 0;
    } else {
        d->spec.values = d->spec.weights = NULL;
        d->spec.nvalues = d->spec.nweights = 0;
    }
    setup_family(d);
    if (spec->kind == TY_DIST_DISCRETE) {
        int empty;
        double lo = spec->has_bounds ? spec->lo : -INFINITY, hi = spec->has_bounds ? spec->hi : INFINITY;
        st = table_from_values(d, d->own_values, d->own_weights, spec->nvalues, lo, hi, &empty);
        if (st == TY_OK && empty) {
            /* weights were validated, so only the bounds can empty it */
            double vlo = INFINITY, vhi = -INFINITY;
            for (size_t i = 0; i < spec->nvalues; i++) {
                if (spec->values[i] < vlo) vlo = spec->values[i];
                if (spec->values[i] > vhi) vhi = spec->values[i];
            }
            if (hi < vlo || lo > vhi)
                ERR("discrete: bounds [%g, %g] lie outside the support of discrete [%g, %g]", lo, hi, vlo, vhi);
            else
                ERR("discrete: bounds [%g, %g] hold no probability", lo, hi);
            st = TY_ERR_INVALID;
        }
        if (st != TY_OK) { ty_dist_free(d); return st; }
    }
    base_support(d, &d->lo, &d->hi);
    base_moments(d, &d->mean, &d->var);
    if (spec->has_bounds && spec->kind != TY_DIST_DISCRETE) {
        st = apply_bounds(d, diag, pos);
        if (st != TY_OK) { ty_dist_free(d); return st; }
        if (d->family == FAM_UNIFORM || d->family == FAM_TABLE) {
            base_support(d, &d->lo, &d->hi);
            base_moments(d, &d->mean, &d->var);
        }
        else if (d->truncated && d->family != FAM_BINOMIAL && d->family != FAM_POISSON)
            quad_moments(d, &d->mean, &d->var);
    }
    (void)nerr;
    *out = d;
    return TY_OK;
}

/* ---- description ------------------------------------------------------ */


int ty_dist_describe(const ty_dist *dist, char *buf, size_t size)
{
    sbuf s = {buf, size, 0};
    if (buf && size) buf[0] = '\0';
    const ty_dist_spec *sp = &dist->spec;
    sbuf_printf(&s, "%s(", kind_names[sp->kind]);
    if (sp->kind == TY_DIST_DISCRETE) {
        sbuf_printf(&s, "values=[");
        for (size_t i = 0; i < sp->nvalues; i++) sbuf_printf(&s, "%s%.15g", i ? ", " : "", sp->values[i]);
        sbuf_printf(&s, "]");
        if (sp->weights) {
            sbuf_printf(&s, ", weights=[");
            for (size_t i = 0; i < sp->nvalues; i++) sbuf_printf(&s, "%s%.15g", i ? ", " : "", sp->weights[i]);
            sbuf_printf(&s, "]");
        }
    } else {
        for (int i = 0; i < kind_nparams[sp->kind]; i++)
            sbuf_printf(&s, "%s%s=%.15g", i ? ", " : "", kind_pnames[sp->kind][i], sp->param[i]);
    }
    sbuf_printf(&s, ")");
    if (sp->kind == TY_DIST_CI90)   /* the family it chose: lognormal when lo > 0 */
        sbuf_printf(&s, dist->family == FAM_NORMAL ? " -> normal(mean=%.4g, sd=%.4g)"
                    : " -> lognormal(mu=%.4g, sigma=%.4g)", dist->loc, dist->scale);
    if (sp->has_bounds) sbuf_printf(&s, " in [%.15g, %.15g]", sp->lo, sp->hi);
    return (int)s.len;
}
