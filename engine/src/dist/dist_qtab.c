/* dist_qtab.c - the fast quantile of the families whose exact quantile
 * iterates (beta, pert, gamma; truncated too; and untruncated bernoulli,
 * binomial, poisson): an inverse-CDF table built once at construction and
 * read by ty_dist_quantile_block.
 *
 * Integer families: the exact quantile brackets and bisects on F(k) or
 * S(k) (an incomplete beta or gamma each, plus a normal quantile for the
 * start: microseconds per value, most of a Latin hypercube run of the
 * benchmark model, whose two bernoulli factors went through it). The table
 * holds those same F(k), S(k) outwards from the median (up to QTAB_IMAX per
 * half), searched by bisection: the same k as the exact quantile.
 *
 * Each half of (0, 1) has its own table. The lower half u <= 1/2 is
 * tabulated in r = -log(2u), the upper half in r = -log(2(1-u)) (1 - u is
 * exact there), at nodes r = k h, k = 0 .. n-1, h = 1/16, down to
 * u ~ 3e-13: uniform in r puts as many nodes into each decade of the tails
 * as into the body. The value is tabulated as y = log w, w the distance of
 * x from the nearer finite end of the support (x - lo in the lower half,
 * hi - x in the upper one, x - lo again when hi is infinite), so that power
 * law tails (x - lo ~ C u^(1/a)) become straight lines and an error in y is
 * a relative error in w, hence in x. Each node holds the exact quantile
 * (the iterative one of dist_cdf.c) and the exact first and second
 * derivatives of y in r, which follow from the density alone:
 *
 *   G = v / (w f(x)),  dy/ds = kappa G,  d2y/ds2 = kappa G - G^2 (1 + sigma w f'(x)/f(x))
 *
 * with s = log v = -r - log 2, v = u or 1 - u, sigma = +1 when w = x - c and
 * -1 when w = c - x, kappa = sigma in the lower half and -sigma in the upper
 * one. Between nodes y is the quintic Hermite interpolant of y, y', y''
 * (error h^6 |y^(6)| / 46080). The build stops a half early where the
 * exact quantile stops being usable (w underflows, derivatives overflow,
 * the nodes stop being monotone, w falls below 1e-8 |c| and keeps few
 * digits of its own) or where the fourth difference of y''
 * says the interpolant would miss QTAB_TOL; beyond the last node the block
 * quantile falls back to the exact one. */
#include "dist_internal.h"
#include "specfun.h"

#include <math.h>
#include <stdlib.h>

#define QTAB_H (1.0 / 64)     /* node spacing in rho = sqrt(r) */
#define QTAB_N 340              /* nodes per half: rho in [0, 5.28], u down to 7e-13 */
#define QTAB_TOL 1e-10          /* largest estimated interpolation error in y */

typedef struct qtab_half {
    int n;                      /* nodes; the table covers rho in [0, (n-1) h] */
    double c, sigma;            /* x = c + sigma exp(y) */
    double *node;               /* per node: y, h dy/drho, h^2 d2y/drho2 */
} qtab_half;

/* Integer families (binomial, poisson, untruncated): per half the exact
 * cumulative probabilities dist_int_cdf gives, F(k) for k = k0 .. k0+m-1
 * in the lower half (u <= 1/2), S(k) in the upper one, searched instead of
 * recomputed: the same k as the exact quantile, since that one is the
 * smallest k with F(k) >= u (upper: S(k) <= 1 - u) over these values. */
typedef struct qtab_int {
    int m;                      /* entries; 0: no table, exact quantile always */
    double k0;
    double *p;                  /* F(k0 + j) increasing, or S(k0 + j) decreasing */
} qtab_int;

struct dist_qtab {
    int integer;                /* 1: ih below, 0: half and coef */
    qtab_half half[2];          /* [0]: u <= 1/2, [1]: u > 1/2 */
    double *coef;               /* per half and interval: the 6 coefficients
                                 * of y in t, half 1 from QTAB_N * 6 on */
    qtab_int ih[2];
    double *mem;
};

/* log f(x) and f'(x)/f(x) of the untruncated family. */
static void log_density(const ty_dist *d, double x, double *lf, double *dlf)
{
    if (d->family == FAM_BETA) {
        double t = (x - d->loc) / d->scale, t1 = (d->loc + d->scale - x) / d->scale;
        *lf = (d->a - 1) * log(t) + (d->b - 1) * log(t1)
              - (sf_lgamma(d->a) + sf_lgamma(d->b) - sf_lgamma(d->a + d->b)) - log(d->scale);
        *dlf = ((d->a - 1) / t - (d->b - 1) / t1) / d->scale;
    } else {
        double z = x / d->scale;
        *lf = (d->a - 1) * log(z) - z - sf_lgamma(d->a) - log(d->scale);
        *dlf = ((d->a - 1) / z - 1) / d->scale;
    }
}

/* P(X <= x) (upper == 0) or P(X > x) (upper == 1) under the truncation,
 * in the terms that keep digits, as dist_quantile_tail inverts them. */
static double tail_prob(const ty_dist *d, double x, int upper)
{
    double F, S;
    dist_base_cdf(d, x, &F, &S);
    if (!d->truncated) return upper ? S : F;
    if (!upper) return (d->upper ? d->slo - S : F - d->flo) / d->mass;
    return (d->upper ? S - d->shi : d->fhi - F) / d->mass;
}

/* G = v / (w f(x)) (f as truncated) and the log of f, f'/f at x. */
static double node_G(const ty_dist *d, double x, double w, double v, double lmass, double *dlf)
{
    double lf;
    log_density(d, x, &lf, dlf);
    return exp(log(v) - log(w) - lf + lmass);
}

/* Fills one half: nodes from the median outwards, each from the previous
 * one by Newton's method in y on log v (two or three CDF evaluations),
 * the first and any that do not converge by the exact quantile. Returns the
 * number of nodes. */
static int build_half(const ty_dist *d, qtab_half *hf, int upper)
{
    double lmass = d->truncated ? log(d->mass) : 0;
    double sigma, c;
    if (!upper) { c = d->lo; sigma = 1; }
    else if (isfinite(d->hi)) { c = d->hi; sigma = -1; }
    else { c = d->lo; sigma = 1; }
    double kappa = upper ? -sigma : sigma;
    hf->c = c;
    hf->sigma = sigma;
    double *nd = hf->node;
    int n = 0;
    for (int k = 0; k < QTAB_N; k++) {
        double rho = k * QTAB_H, r = rho * rho, v = 0.5 * exp(-r), s = -r - M_LN2;
        double x = NAN, y, G = NAN, dlf = 0;
        if (k > 0) {
            /* Taylor step from the previous node, then Newton */
            const double *pn = nd + 3 * (k - 1);
            y = pn[0] + pn[1] + 0.5 * pn[2];
            int ok = 0;
            for (int it = 0; it < 8 && isfinite(y); it++) {
                x = c + sigma * exp(y);
                double w = sigma * (x - c), vx = tail_prob(d, x, upper);
                if (!(vx > 0) || !(w > 0)) break;
                G = node_G(d, x, w, vx, lmass, &dlf);
                double dy = -(log(vx) - s) * kappa * G;
                if (!isfinite(dy)) break;
                y += dy;
                if (fabs(dy) <= 1e-12 * fmax(1, fabs(y))) { ok = 1; break; }
            }
            if (!ok) x = NAN;
            else x = c + sigma * exp(y);
        }
        if (!isfinite(x)) x = dist_quantile_tail(d, v, upper);
        double w = sigma * (x - c);
        /* stop where w keeps few digits of its own (x within 1e-8 |c| of c):
         * rounding noise in the nodes would show as wiggles */
        if (!(w > 1e-8 * fabs(c)) || !isfinite(w) || !(x > d->lo) || !(x < d->hi)) break;
        y = log(w);
        G = node_G(d, x, w, v, lmass, &dlf);
        /* derivatives in s, then in rho (r = rho^2, s = -r - log 2) */
        double ys = kappa * G, yss = kappa * G - G * G * (1 + sigma * w * dlf);
        double d1 = -2 * rho * ys, d2 = -2 * ys + 4 * r * yss;
        if (!isfinite(G) || !(G > 0) || !isfinite(d2) || !isfinite(y)) break;
        /* y decreases outwards where kappa > 0, increases where kappa < 0 */
        if (k > 0 && !(kappa * (nd[3 * (k - 1)] - y) > 0)) break;
        nd[3 * k] = y;
        nd[3 * k + 1] = d1 * QTAB_H;
        nd[3 * k + 2] = d2 * QTAB_H * QTAB_H;
        n = k + 1;
    }
    /* error estimate of interval i from the fourth difference of the scaled
     * y'' (~ h^6 y^(6)) over the five nodes around it */
    if (n < 5) return hf->n = 0;
    for (int i = 0; i + 1 < n; i++) {
        int j = i - 2 < 0 ? 0 : i - 2;
        if (j + 4 >= n) j = n - 5;
        const double *a = nd + 3 * j + 2;
        double d4 = a[0] - 4 * a[3] + 6 * a[6] - 4 * a[9] + a[12];
        if (!(fabs(d4) / 46080 <= QTAB_TOL)) { n = i + 1; break; }
    }
    return hf->n = n >= 2 ? n : 0;
}

/* Integer tables: entries outwards from the median, at most QTAB_IMAX per
 * half, until the tail probability underflows or the support ends. */
#define QTAB_IMAX 1024

static void build_int_half(const ty_dist *d, qtab_int *t, double *buf, int upper)
{
    double kmax = d->family == FAM_BINOMIAL ? d->a : INFINITY;
    double km = dist_quantile_tail(d, 0.5, upper), F, S;
    int m = 0;
    t->m = 0;
    if (!(km >= 0 && km <= kmax) || km != floor(km)) return;
    if (!upper) {
        /* F(km), F(km - 1), ... stored from the top down, then moved */
        double *tmp = buf + QTAB_IMAX;
        for (double k = km; k >= 0 && m < QTAB_IMAX; k--) {
            dist_int_cdf(d, k, &F, &S);
            tmp[m++] = F;
            if (!(F >= 1e-300)) break;
        }
        for (int j = 0; j < m; j++) buf[j] = tmp[m - 1 - j];
        t->k0 = km - (m - 1);
        for (int j = 1; j < m; j++) if (!(buf[j] >= buf[j - 1])) return;
        if (!(buf[m - 1] >= 0.5)) return;
    } else {
        for (double k = km; k <= kmax && m < QTAB_IMAX; k++) {
            dist_int_cdf(d, k, &F, &S);
            buf[m++] = S;
            if (!(S >= 1e-300)) break;
        }
        t->k0 = km;
        for (int j = 1; j < m; j++) if (!(buf[j] <= buf[j - 1])) return;
        if (!(buf[0] <= 0.5)) return;
    }
    t->p = buf;
    t->m = m;
}

static void int_block(const ty_dist *d, const struct dist_qtab *q, const double *u, double *out,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double p = u[i];
        if (!(p > 0 && p < 1)) { out[i] = ty_dist_quantile(d, p); continue; }
        int up = !(p <= 0.5);
        const qtab_int *t = &q->ih[up];
        const double *a = t->p;
        int m = t->m;
        long j;
        if (!up) {
            /* smallest j with F >= p; below a[0] the answer is k0 only at 0 */
            if (m == 0 || (p <= a[0] && t->k0 > 0)) { out[i] = ty_dist_quantile(d, p); continue; }
            long lo = -1, hi = m - 1;               /* a[hi] >= p */
            while (hi - lo > 1) {
                long mid = (lo + hi) >> 1;
                if (a[mid] >= p) hi = mid; else lo = mid;
            }
            j = hi;
        } else {
            double s = 1 - p;
            /* smallest j with S <= s */
            if (m == 0 || !(a[m - 1] <= s)) { out[i] = ty_dist_quantile(d, p); continue; }
            long lo = -1, hi = m - 1;               /* a[hi] <= s */
            while (hi - lo > 1) {
                long mid = (lo + hi) >> 1;
                if (a[mid] <= s) hi = mid; else lo = mid;
            }
            j = hi;
        }
        double x = t->k0 + (double)j;
        out[i] = x < d->lo ? d->lo : x > d->hi ? d->hi : x;
    }
}

ty_status dist_qtab_build(ty_dist *d)
{
    int integer = (d->family == FAM_BINOMIAL || d->family == FAM_POISSON) && !d->truncated;
    if (d->family != FAM_BETA && d->family != FAM_GAMMA && !integer) return TY_OK;
    struct dist_qtab *q = calloc(1, sizeof *q);
    size_t nm = integer ? 3 * QTAB_IMAX : 2 * 3 * QTAB_N + 2 * 6 * QTAB_N;
    double *mem = calloc(nm, sizeof *mem);
    if (!q || !mem) { free(q); free(mem); return TY_ERR_NOMEM; }
    q->mem = mem;
    q->integer = integer;
    if (integer) {
        build_int_half(d, &q->ih[0], mem, 0);
        build_int_half(d, &q->ih[1], mem + 2 * QTAB_IMAX, 1);
        d->qtab = q;
        return TY_OK;
    }
    q->coef = mem + 2 * 3 * QTAB_N;
    for (int h = 0; h < 2; h++) {
        qtab_half *hf = &q->half[h];
        hf->node = mem + 3 * QTAB_N * h;
        build_half(d, hf, h);
        /* y = c0 + t (c1 + t (c2 + t (c3 + t (c4 + t c5)))) on interval k */
        for (int k = 0; k + 1 < hf->n; k++) {
            const double *N = hf->node + 3 * k;
            double *cf = q->coef + 6 * (QTAB_N * h + k);
            double p0 = N[0], m0 = N[1], a0 = N[2], p1 = N[3], m1 = N[4], a1 = N[5];
            double A = p1 - p0 - m0 - 0.5 * a0, B = m1 - m0 - a0, C = a1 - a0;
            cf[0] = p0;
            cf[1] = m0;
            cf[2] = 0.5 * a0;
            cf[3] = 10 * A - 4 * B + 0.5 * C;
            cf[4] = -15 * A + 7 * B - C;
            cf[5] = 6 * A - 3 * B + 0.5 * C;
        }
    }
    d->qtab = q;
    return TY_OK;
}

void dist_qtab_free(struct dist_qtab *q)
{
    if (!q) return;
    free(q->mem);
    free(q);
}

void dist_qtab_quantile_block(const ty_dist *d, const double *u, double *out, size_t n)
{
    const struct dist_qtab *q = d->qtab;
    if (q->integer) { int_block(d, q, u, out, n); return; }
    const double lo = d->lo, hi = d->hi, inv_h = 1 / QTAB_H;
    for (size_t i = 0; i < n; i++) {
        double p = u[i];
        if (!(p > 0 && p < 1)) { out[i] = ty_dist_quantile(d, p); continue; }
        int up = p > 0.5;
        const qtab_half *hf = &q->half[up];
        double v = up ? 1 - p : p;
        double r = -log(v) - M_LN2;
        double fr = r > 0 ? sqrt(r) * inv_h : 0;
        if (!(fr < (double)(hf->n - 1))) { out[i] = ty_dist_quantile(d, p); continue; }
        int k = (int)fr;
        double t = fr - k;
        const double *cf = q->coef + 6 * (up * QTAB_N + k);
        double y = cf[0] + t * (cf[1] + t * (cf[2] + t * (cf[3] + t * (cf[4] + t * cf[5]))));
        double x = hf->c + hf->sigma * exp(y);
        out[i] = x < lo ? lo : x > hi ? hi : x;
    }
}
