/* dist_family.c - the derived form of a validated spec: its family and
 * sampler with their constants (gamma, BTRD binomial, PTRS poisson), the
 * tables of discrete distributions with their Vose alias tables, and the
 * pmf walk that tabulates truncated integer families. Reports nothing:
 * validation, bounds and diagnostics are dist.c's. */
#include "dist_internal.h"
#include "specfun.h"

#include <math.h>
#include <stdlib.h>

#define CI90_Z 1.6448536269514722   /* Phi^-1(0.95) */
#define WALK_TINY 1e-40             /* integer pmf walks stop below this relative weight */

/* ---- sampler constants -------------------------------------------------- */

/* The Marsaglia-Tsang constants of Gamma(shape), with the boost for shape < 1. */
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

/* The inversion or BTRD constants of Binomial(n, p), drawn as
 * Binomial(n, min(p, 1-p)) and flipped when p > 1/2. */
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

/* The multiplication or PTRS constants of Poisson(lam). */
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

/* ---- family -------------------------------------------------------------- */

/* Sets the family, its parameters and the untruncated sampler. */
void dist_family_setup(ty_dist *d)
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
    case TY_DIST_STUDENT_T:
        d->family = FAM_STUDENT; d->sampler = SMP_STUDENT;
        d->a = P[0]; d->loc = P[1]; d->scale = P[2];
        /* the log of the density's constant, for the quantile's Newton steps */
        d->b = sf_lgamma(0.5 * (P[0] + 1)) - sf_lgamma(0.5 * P[0]) - 0.5 * log(P[0] * M_PI);
        gamma_setup(&d->ga, 0.5 * P[0]);
        break;
    case TY_DIST_LOGUNIFORM:
        d->family = FAM_LOGUNIFORM; d->sampler = SMP_LOGUNIFORM;
        d->a = P[0]; d->c = P[1];
        d->loc = log(P[0]); d->scale = log(P[1]) - log(P[0]);
        break;
    case TY_DIST_EXPONENTIAL:
        d->family = FAM_EXPONENTIAL; d->sampler = SMP_EXPONENTIAL;
        d->a = P[0]; d->scale = 1 / P[0];
        break;
    case TY_DIST_WEIBULL:
        d->family = FAM_WEIBULL; d->sampler = SMP_WEIBULL;
        d->a = P[0]; d->scale = P[1];
        break;
    case TY_DIST_METALOG:   /* coefficients: dist_metalog_fit */
        d->family = FAM_METALOG; d->sampler = SMP_METALOG;
        break;
    case TY_DIST_MIXTURE:   /* components: dist_mixture_build */
        d->family = FAM_MIXTURE; d->sampler = SMP_MIXTURE;
        break;
    case TY_DIST_CONSTANT:
    default:
        d->family = FAM_CONSTANT; d->sampler = SMP_CONSTANT; d->a = P[0];
        break;
    }
}

/* ---- tables ------------------------------------------------------------ */

/* Vose's alias table (M. D. Vose, IEEE Trans. Softw. Eng. 17(9), 1991,
 * pp. 972-975) over tp[0..ntab); also the cumulative sums both ways. */
ty_status dist_table_finish(ty_dist *d)
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
ty_status dist_table_from_values(ty_dist *d, const double *v, const double *w, size_t n,
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
    return dist_table_finish(d);
}

/* Walks the pmf of an integer family over [kl, kh] from the (clamped) mode
 * outwards by its ratio recurrence until the weight relative to the mode
 * falls below WALK_TINY. With xs/ws it stores the points in order. Returns
 * the number of points; *sw, *mean, *var get the weight sum and moments. */
size_t dist_int_walk(const ty_dist *d, double kl, double kh, double *xs, double *ws,
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
