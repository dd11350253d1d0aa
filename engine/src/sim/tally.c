/* tally.c - the block tallies' block-order reduction (run_int.h): outcome
 * sums for the ratio estimator, series moments, histograms and their
 * ranges, the paired-difference groups, and the --resume state. A block's
 * own tallies are tally_block.c's (compiled once per instruction-set
 * level); the run loop (run.c) decides which blocks run and when; this
 * file only counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/par_int.h"
#include "stats/pareto.h"
#include "util/vmath.h"
#include "run_int.h"
#include "tyche/dist.h"

int accum_init(accum *a, plan *p, uint64_t nblocks, uint64_t n)
{
    memset(a, 0, sizeof *a);
    p->hist_lo = malloc(p->S * sizeof *p->hist_lo);
    p->hist_w = malloc(p->S * sizeof *p->hist_w);
    p->hist_hi = malloc(p->S * sizeof *p->hist_hi);
    p->hist_kind = calloc(p->S + 1, sizeof *p->hist_kind);
    a->est.K = p->K;
    a->est.ref = calloc(p->K, sizeof *a->est.ref);
    a->est.sum = calloc(p->K, sizeof *a->est.sum);
    a->est.d2 = calloc(p->K, sizeof *a->est.d2);
    a->est.dw = calloc(p->K, sizeof *a->est.dw);
    a->omean = calloc(p->K + 1, sizeof *a->omean);
    a->om2 = calloc(p->K + 1, sizeof *a->om2);
    a->smean = calloc(p->S + 1, sizeof *a->smean);
    a->sm2 = calloc(p->S + 1, sizeof *a->sm2);
    a->sn = calloc(p->S + 1, sizeof *a->sn);
    a->hist = calloc(p->S * HS + 1, sizeof *a->hist);
    a->vmin = malloc((p->S + 1) * sizeof *a->vmin);
    a->vmax = malloc((p->S + 1) * sizeof *a->vmax);
    if (a->hist && a->vmin && a->vmax) accum_clear_hist(p, a);
    /* At most 4096 groups of whole cells, whatever the size: bounded memory. */
    uint64_t nunits = nblocks ? (nblocks - 1) * p->bp.cells +
                                block_ncells(&p->bp, nblocks - 1, (size_t)(n - (nblocks - 1) * B)) : 0;
    a->group_units = (nunits + 4095) / 4096;
    if (a->group_units == 0) a->group_units = 1;
    a->ngroups = (size_t)((nunits + a->group_units - 1) / a->group_units);
    a->gsum = calloc(a->ngroups * p->K + 1, sizeof *a->gsum);
    a->gw = calloc(a->ngroups + 1, sizeof *a->gw);
    a->qr = calloc(p->Q + 1, sizeof *a->qr);
    a->qbin = calloc(p->Q + 1, sizeof *a->qbin);
    a->qgsum = calloc(a->ngroups * p->Q * 2 + 1, sizeof *a->qgsum);
    a->qw2 = calloc(p->Q + 1, sizeof *a->qw2);
    if (!a->qr || !a->qbin || !a->qgsum || !a->qw2) return -1;
    a->lwmax = -INFINITY;
    if (p->TR && !(a->time = calloc(TIME_SIZE(p), sizeof *a->time))) return -1;
    if (p->weighted) {
        a->wr = calloc(p->K + 1, sizeof *a->wr);
        a->wsw = calloc(p->S + 1, sizeof *a->wsw);
        a->wsmean = calloc(p->S + 1, sizeof *a->wsmean);
        a->wsm2 = calloc(p->S + 1, sizeof *a->wsm2);
        a->whist = calloc(p->S * HS + 1, sizeof *a->whist);
        a->held = calloc(p->O + 1, sizeof *a->held);
        a->lwhist = calloc(LWB + 2, sizeof *a->lwhist);
        if (!a->wr || !a->wsw || !a->wsmean || !a->wsm2 || !a->whist || !a->held || !a->lwhist) return -1;
    }
    return p->hist_lo && p->hist_w && p->hist_hi && p->hist_kind && a->est.ref && a->est.sum && a->est.d2 && a->est.dw &&
           a->omean && a->om2 && a->smean && a->sm2 && a->sn && a->hist && a->vmin && a->vmax && a->gsum && a->gw ? 0 : -1;
}

void accum_free(accum *a, plan *p)
{
    free(a->est.ref); free(a->est.sum); free(a->est.d2); free(a->est.dw);
    free(a->omean); free(a->om2);
    free(a->smean); free(a->sm2); free(a->sn); free(a->hist); free(a->vmin); free(a->vmax); free(a->gsum); free(a->gw);
    free(a->qr); free(a->qbin); free(a->qgsum); free(a->qw2);
    free(a->time);
    free(a->wr); free(a->wsw); free(a->wsmean); free(a->wsm2); free(a->whist); free(a->held); free(a->lwhist);
    free(p->hist_lo); free(p->hist_w); free(p->hist_hi); free(p->hist_kind); free(p->qseries);
    p->qseries = NULL;
    p->hist_lo = p->hist_w = p->hist_hi = NULL;
    p->hist_kind = NULL;
    memset(a, 0, sizeof *a);
}

void accum_add(const plan *p, accum *a, uint64_t b, const double *t, size_t w)
{
    /* Each cell: a unit of the ratio estimator, and part of its group of
     * cells for the paired differences. */
    uint64_t n0 = a->est.n;      /* samples before this block, every outcome alike */
    size_t nc = block_ncells(&p->bp, b, w);
    for (size_t c = 0; c < nc; c++) {
        const double *sums = t + T_CELL(p) + c * p->K;
        size_t wc = (c + 1) * w / nc - c * w / nc;
        /* A weighted run pairs its weighted sums (ratio differences, batch_run.c). */
        const double *wsums = p->weighted ? t + T_WCELL(p) + c * (p->K + 1) : NULL;
        if (a->gsum) {
            size_t g = (size_t)((b * p->bp.cells + c) / a->group_units);
            for (size_t k = 0; k < p->K; k++) a->gsum[g * p->K + k] += wsums ? wsums[k] : sums[k];
            a->gw[g] += wsums ? wsums[p->K] : (double)wc;
        }
        stats_blocks_add(&a->est, sums, wc);
        if (wsums) {
            for (size_t k = 0; k < p->K; k++) stats_ratio_add(&a->wr[k], wsums[k], wsums[p->K]);
            a->ow += wsums[p->K];
        }
    }
    if (p->weighted) {
        const double *ws = t + T_WSERIES(p), *sc = t + T_WSCALAR(p);
        for (size_t j = 0; j < p->S; j++)
            stats_wmoments_merge(&a->wsw[j], &a->wsmean[j], &a->wsm2[j], ws[j], ws[p->S + j], ws[2 * p->S + j]);
        a->ow2 += sc[0];
        a->accepted += (uint64_t)sc[1];
        if (sc[2] > a->lwmax) a->lwmax = sc[2];
        for (size_t o = 0; o < p->O; o++) a->held[o] += t[T_HELD(p) + o];
    }
    for (size_t k = 0; k < p->K; k++) {
        uint64_t n = n0;
        stats_moments_merge(&n, &a->omean[k], &a->om2[k], (double)w, t[T_SUM(p) + k] / (double)w,
                            t[T_M2(p) + k]);
    }
    const double *sr = t + T_SERIES(p);
    for (size_t j = 0; j < p->S; j++)
        stats_moments_merge(&a->sn[j], &a->smean[j], &a->sm2[j], sr[2 * p->S + j], sr[j], sr[p->S + j]);
    for (size_t q = 0; q < p->Q; q++) {
        const double *tq = t + T_QUERY(p) + q * TQ;
        for (size_t c = 0; c < nc; c++) {
            stats_ratio_add(&a->qr[q], tq[2 * c], tq[2 * c + 1]);
            if (a->qgsum) {
                size_t g = (size_t)((b * p->bp.cells + c) / a->group_units);
                a->qgsum[(g * p->Q + q) * 2] += tq[2 * c];
                a->qgsum[(g * p->Q + q) * 2 + 1] += tq[2 * c + 1];
            }
        }
        a->qbin[q] += (uint64_t)tq[2 * NCELL];
        a->qw2[q] += tq[2 * NCELL + 1];
    }
    for (size_t i = 0; p->TR && i < TIME_SIZE(p); i++) a->time[i] += t[T_TIME(p) + i];
    a->blocks++;
}

void accum_merge_hist(const plan *p, accum *a, workspace *ws, int nws)
{
    for (int t = 0; t < nws; t++) {
        if (!ws[t].hist) continue;   /* a thread that has not run yet */
        for (size_t i = 0; i < p->S * HS; i++) a->hist[i] += ws[t].hist[i];
        memset(ws[t].hist, 0, p->S * HS * sizeof *ws[t].hist);
        if (p->weighted) {
            for (size_t i = 0; i < p->S * HS; i++) a->whist[i] += ws[t].whist[i];
            for (size_t i = 0; i < LWB + 2; i++) a->lwhist[i] += ws[t].lwhist[i];
            memset(ws[t].whist, 0, p->S * HS * sizeof *ws[t].whist);
            memset(ws[t].lwhist, 0, (LWB + 2) * sizeof *ws[t].lwhist);
        }
        for (size_t j = 0; j < p->S; j++) {
            a->vmin[j] = fmin(a->vmin[j], ws[t].vmin[j]);
            a->vmax[j] = fmax(a->vmax[j], ws[t].vmax[j]);
            ws[t].vmin[j] = INFINITY;
            ws[t].vmax[j] = -INFINITY;
        }
    }
}

void workspace_free(workspace *w)
{
    if (!w) return;
    block_ws_clear(&w->bw);
    free(w->hist);
    free(w->vmin);
    free(w->vmax);
    free(w->whist);
    free(w->lwhist);
    free(w->wt);
    free(w->wg);
}

int workspace_init(workspace *w, const plan *p)
{
    memset(w, 0, sizeof *w);
    w->hist = calloc(p->S * HS + 1, sizeof *w->hist);
    w->vmin = malloc((p->S + 1) * sizeof *w->vmin);
    w->vmax = malloc((p->S + 1) * sizeof *w->vmax);
    if (block_ws_init(&w->bw, &p->bp) != 0 || !w->hist || !w->vmin || !w->vmax) return -1;
    if (p->weighted) {
        w->whist = calloc(p->S * HS + 1, sizeof *w->whist);
        w->lwhist = calloc(LWB + 2, sizeof *w->lwhist);
        w->wt = malloc(B * sizeof *w->wt);
        w->wg = malloc(B * sizeof *w->wg);
        if (!w->whist || !w->lwhist || !w->wt || !w->wg) return -1;
    }
    for (size_t j = 0; j < p->S; j++) {
        w->vmin[j] = INFINITY;
        w->vmax[j] = -INFINITY;
    }
    return 0;
}

ty_status block_compute(const plan *p, workspace *w, uint64_t b, size_t n, uint64_t *bad)
{
    block_sample(&p->bp, &w->bw, p->seed, b, n);
    size_t bad_i = 0;
    ty_status st = block_eval(&p->bp, &w->bw, n, &bad_i);
    if (st != TY_OK) *bad = b * B + bad_i;
    return st;
}

/* Series j's column in w, and its weights (NULL: every sample 1). */
const double *tally_series_col(const plan *p, const workspace *w, size_t j, const double **weight)
{
    *weight = NULL;
    if (j < p->F) return w->bw.fcol[j];
    if (j < p->F + p->D) return w->bw.dcol[j - p->F];
    if (j < p->F + p->D + p->K) return w->bw.ocol[j - p->F - p->D];
    for (size_t q = 0; q < p->Q; q++)
        if (p->qseries[q] == j) {
            *weight = w->bw.gcol[q];
            return w->bw.qcol[q];
        }
    return NULL;
}

/* Series j's range: NB bins of width w from lo; hi = lo + NB w, at least
 * the hi asked for (so that a support's end is inside). */
static void set_bins(plan *p, size_t j, hist_kind kind, double lo, double w, double hi)
{
    double top = lo + w * (double)NB;
    for (int i = 0; i < 8 && top < hi; i++) {
        w = nextafter(w, INFINITY);
        top = lo + w * (double)NB;
    }
    p->hist_kind[j] = (unsigned char)kind;
    p->hist_lo[j] = lo;
    p->hist_w[j] = w;
    p->hist_hi[j] = top;
}

static void set_range(plan *p, size_t j, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) { lo = 0; hi = 1; }
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.01 : 0.5;
        lo -= pad;
        hi += pad;
    }
    set_bins(p, j, HIST_CONTINUOUS, lo, (hi - lo) / NB, hi);
}

/* Integer values in [a, b] (integers): a bin per integer from lo = a when
 * they span at most NB, else bins of a power of two integers (exact in
 * floating point, so every integer falls in its own bin's range). */
static void set_integer_range(plan *p, size_t j, double a, double b)
{
    double w = 1;
    while ((b - a + 1) / w > NB) w *= 2;
    set_bins(p, j, HIST_INTEGER, a, w, a + w * NB);
}

static int is_integer(double x) { return isfinite(x) && x == floor(x) && fabs(x) < 0x1p52; }

/* The distinct values a discrete or constant factor can take (weight > 0,
 * inside its support): their least and greatest, and whether all are
 * integers. 0 when there are none. */
static int value_set(const ty_dist *d, double *vmin, double *vmax, int *integers)
{
    const ty_dist_spec *sp = ty_dist_get_spec(d);
    double slo, shi;
    ty_dist_support(d, &slo, &shi);
    *vmin = INFINITY;
    *vmax = -INFINITY;
    *integers = 1;
    size_t n = sp->kind == TY_DIST_CONSTANT ? 1 : sp->nvalues;
    for (size_t i = 0; i < n; i++) {
        double v = sp->kind == TY_DIST_CONSTANT ? sp->param[0] : sp->values[i];
        if (sp->kind == TY_DIST_DISCRETE && sp->weights && !(sp->weights[i] > 0)) continue;
        if (!(v >= slo && v <= shi)) continue;
        *vmin = fmin(*vmin, v);
        *vmax = fmax(*vmax, v);
        if (!is_integer(v)) *integers = 0;
    }
    return *vmin <= *vmax;
}

/* A factor's range. Continuous: its 0.01% and 99.99% quantiles, or an end
 * of its support when finite and within a tenth of that span of the
 * quantile (a [0, 1e308] truncation does not stretch the bins over 1e308).
 * Bernoulli, binomial, Poisson: a bin per integer over the support (its
 * 1e-9 and 1 - 1e-9 quantiles where that spans more than NB). Discrete and
 * constant: a bin per integer when the values are integers spanning at most
 * NB, else the values' range, each value read back from its bin. */
static void factor_range(plan *p, size_t j, const ty_dist *d)
{
    double slo, shi;
    ty_dist_support(d, &slo, &shi);
    switch (ty_dist_get_spec(d)->kind) {
    case TY_DIST_BERNOULLI:
    case TY_DIST_BINOMIAL:
    case TY_DIST_POISSON: {
        double a = isfinite(slo) ? ceil(slo) : ty_dist_quantile(d, 1e-9);
        double b = isfinite(shi) ? floor(shi) : ty_dist_quantile(d, 1 - 1e-9);
        if (b - a + 1 > NB) {
            a = fmax(a, ty_dist_quantile(d, 1e-9));
            b = fmin(b, ty_dist_quantile(d, 1 - 1e-9));
        }
        if (is_integer(a) && is_integer(b) && b >= a) set_integer_range(p, j, a, b);
        else set_range(p, j, a, b);
        return;
    }
    case TY_DIST_DISCRETE:
    case TY_DIST_CONSTANT: {
        double vmin, vmax;
        int integers;
        if (!value_set(d, &vmin, &vmax, &integers)) { set_range(p, j, NAN, NAN); return; }
        if (integers && vmax - vmin + 1 <= NB) {
            set_integer_range(p, j, vmin, vmax);
        } else {
            set_range(p, j, vmin, vmax);
            p->hist_kind[j] = HIST_VALUES;
        }
        return;
    }
    default: {
        double qlo = ty_dist_quantile(d, 1e-4), qhi = ty_dist_quantile(d, 1 - 1e-4);
        double span = qhi - qlo;
        double lo = isfinite(slo) && !(qlo - slo > 0.1 * span) ? slo : qlo;
        double hi = isfinite(shi) && !(shi - qhi > 0.1 * span) ? shi : qhi;
        set_range(p, j, lo, hi);
        return;
    }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A derived value's range from the finite values v[0..n) of its pilot
 * (sorted here), or its declared bounds. */
static void derived_range(plan *p, size_t j, const ty_derived *dv, double *v, size_t n)
{
    if (dv->has_bounds) { set_range(p, j, dv->lo, dv->hi); return; }
    if (n == 0) { set_range(p, j, NAN, NAN); return; }
    qsort(v, n, sizeof *v, cmp_double);
    int integers = 1;
    for (size_t i = 0; i < n && integers; i++) integers = is_integer(v[i]);
    double span = v[n - 1] - v[0] + 1;
    if (integers && span <= NB) {
        /* Centred on the pilot's integers, whatever room is left either side. */
        set_integer_range(p, j, v[0] - floor((NB - span) / 2), v[n - 1]);
        return;
    }
    double lo = v[(size_t)(0.001 * (double)(n - 1))], hi = v[(size_t)ceil(0.999 * (double)(n - 1))];
    if (!(hi > lo)) { lo = v[0]; hi = v[n - 1]; }
    double pad = 0.05 * (hi - lo);
    set_range(p, j, lo - pad, hi + pad);
}

#define PILOT_BLOCKS 8

/* A quantile query's range from its pilot values (those of positive
 * weight), as a derived value's without bounds. */
static void query_range(plan *p, size_t j, double *v, size_t n)
{
    static const ty_derived unbounded = {0};
    derived_range(p, j, &unbounded, v, n);
}

int tally_ranges(plan *p, workspace *w, uint64_t n_total)
{
    for (size_t f = 0; f < p->F; f++) factor_range(p, f, ty_scenario_factor(p->s, f)->dist);
    /* An outcome's per-sample probability: [0, 1], or 0 and 1 exactly under rules. */
    for (size_t k = 0; k < p->K; k++) {
        if (p->model != TY_OUTCOME_LOGIT) set_integer_range(p, p->F + p->D + k, 0, 1);
        else set_range(p, p->F + p->D + k, 0, 1);
    }
    size_t first = p->F + p->D + p->K, npilot = p->S - p->F - p->K;   /* derived, then query series */
    double lwmax = -INFINITY;
    p->shift = 0;
    if (npilot == 0 && !p->weighted) return 0;
    /* The pilot: the run's first blocks, sampled again here exactly as the
     * run will sample them. A weighted run's shift is its greatest
     * log-weight; its quantile queries' ranges, those of the samples of
     * positive weight. */
    size_t cap = PILOT_BLOCKS * B;
    double *v = malloc((npilot * cap + 1) * sizeof *v);
    size_t *nv = calloc(npilot + 1, sizeof *nv);
    if (!v || !nv) { free(v); free(nv); return -1; }   /* no pilot would change the ranges */
    for (uint64_t b = 0; b < PILOT_BLOCKS && b * B < n_total; b++) {
        size_t n = n_total - b * B < B ? (size_t)(n_total - b * B) : B;
        uint64_t bad;
        /* A rules error is reported by the run itself. */
        if (block_compute(p, w, b, n, &bad) != TY_OK) break;
        const double *lw = p->weighted ? w->bw.lw : NULL;
        for (size_t i = 0; lw && i < n; i++)
            if (lw[i] > lwmax) lwmax = lw[i];
        for (size_t d = 0; d < npilot; d++) {
            const double *g = NULL;
            int query = d >= p->D;
            const double *x = !query ? w->bw.dcol[d] : tally_series_col(p, w, first + d - p->D, &g);
            for (size_t i = 0; i < n; i++)
                if (isfinite(x[i]) && (!g || g[i] > 0) && (!query || !lw || lw[i] > -INFINITY))
                    v[d * cap + nv[d]++] = x[i];
        }
    }
    if (isfinite(lwmax)) p->shift = lwmax;
    for (size_t d = 0; d < p->D; d++)
        derived_range(p, p->F + d, ty_scenario_derived(p->s, d), v + d * cap, nv[d]);
    for (size_t d = p->D; d < npilot; d++) query_range(p, first + d - p->D, v + d * cap, nv[d]);
    free(v);
    free(nv);
    return 0;
}

/* Percentile q of series j from its histogram h (HS counts): NaN beyond
 * the range (stats_hist_rank); exact for integer bins of one and for
 * discrete values alone in their bin, else interpolated in the bin and kept
 * within the least and greatest value binned, mn and mx (a point mass at
 * the least value, as max(0, x) has, is not read as a little below it). */
static double series_quantile(const plan *p, size_t j, const uint64_t *h, double mn, double mx, double q)
{
    size_t bin = 0;
    double frac = 0;
    if (stats_hist_rank(h, NB, h[NB], h[NB + 1], q, &bin, &frac) != STATS_HIST_IN) return NAN;
    double lo = p->hist_lo[j], w = p->hist_w[j];
    if (p->hist_kind[j] == HIST_INTEGER) {
        /* The bin holds the integers lo + bin w ... lo + (bin + 1) w - 1. */
        double k = ceil(frac * w) - 1;
        k = k < 0 ? 0 : k > w - 1 ? w - 1 : k;
        return lo + w * (double)bin + k;
    }
    if (p->hist_kind[j] == HIST_VALUES) {
        const ty_dist *d = ty_scenario_factor(p->s, j)->dist;
        const ty_dist_spec *sp = ty_dist_get_spec(d);
        double slo, shi, found = NAN;
        ty_dist_support(d, &slo, &shi);
        size_t n = sp->kind == TY_DIST_CONSTANT ? 1 : sp->nvalues;
        int several = 0;
        for (size_t i = 0; i < n && !several; i++) {
            double v = sp->kind == TY_DIST_CONSTANT ? sp->param[0] : sp->values[i];
            if (sp->kind == TY_DIST_DISCRETE && sp->weights && !(sp->weights[i] > 0)) continue;
            if (!(v >= slo && v <= shi) || hist_slot(v, lo, p->hist_hi[j], 1.0 / w) != (int32_t)bin) continue;
            if (isnan(found)) found = v;
            else if (v != found) several = 1;
        }
        if (!several && !isnan(found)) return found;
    }
    double x = lo + w * ((double)bin + frac);
    return x < mn ? mn : x > mx ? mx : x;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Names, unit and label of series j. 0 or -1 (memory). */
static int series_names(const plan *p, size_t j, ty_series_stats *st)
{
    if (j < p->F) {
        const ty_factor *f = ty_scenario_factor(p->s, j);
        st->name = strdup(f->name);
        st->unit = dup_or_null(f->unit);
        st->label = dup_or_null(f->label);
        int n = ty_dist_describe(f->dist, NULL, 0);
        if ((st->dist = malloc((size_t)n + 1))) ty_dist_describe(f->dist, st->dist, (size_t)n + 1);
        if (!st->dist) return -1;
        if ((f->unit && !st->unit) || (f->label && !st->label)) return -1;
    } else {
        const ty_derived *d = ty_scenario_derived(p->s, j - p->F);
        st->name = strdup(d->name);
        st->unit = dup_or_null(d->unit);
        st->label = dup_or_null(d->label);
        if ((d->unit && !st->unit) || (d->label && !st->label)) return -1;
    }
    return st->name ? 0 : -1;
}

/* Series j's summary and histogram into st: the posterior's (weighted
 * moments and counts) or, prior, the unweighted ones. 0 or -1 (memory). */
static int fill_one_series(const plan *p, const accum *a, size_t j, int posterior, ty_series_stats *st)
{
    if (series_names(p, j, st) != 0) return -1;
    const uint64_t *h = (posterior ? a->whist : a->hist) + j * HS;
    double lo = p->hist_lo[j], w = p->hist_w[j];
    if (posterior) {
        /* sd with the weights' reliability correction, W / (W - sum w^2 / W)
         * (the effective sample size's n / (n - 1)). */
        double W = a->wsw[j], ess = a->ow2 > 0 ? a->ow * a->ow / a->ow2 : 0;
        st->summary.mean = W > 0 ? a->wsmean[j] : NAN;
        st->summary.sd = W > 0 && ess > 1 ? sqrt(a->wsm2[j] / W * ess / (ess - 1)) : NAN;
    } else {
        st->summary.mean = a->sn[j] ? a->smean[j] : NAN;
        st->summary.sd = a->sn[j] > 1 ? sqrt(a->sm2[j] / (double)(a->sn[j] - 1)) : NAN;
    }
    st->summary.p05 = series_quantile(p, j, h, a->vmin[j], a->vmax[j], 0.05);
    st->summary.p50 = series_quantile(p, j, h, a->vmin[j], a->vmax[j], 0.50);
    st->summary.p95 = series_quantile(p, j, h, a->vmin[j], a->vmax[j], 0.95);
    st->hist.nbins = NB;
    st->hist.edges = malloc((NB + 1) * sizeof *st->hist.edges);
    st->hist.counts = malloc(NB * sizeof *st->hist.counts);
    if (!st->hist.edges || !st->hist.counts) return -1;
    for (size_t i = 0; i < NB; i++) st->hist.edges[i] = lo + w * (double)i;
    st->hist.edges[NB] = p->hist_hi[j];
    memcpy(st->hist.counts, h, NB * sizeof *h);
    st->hist.underflow = h[NB];
    st->hist.overflow = h[NB + 1];
    st->hist.outside_counted = 1;
    return 0;
}

int tally_fill_series(const plan *p, const accum *a, ty_run_result *out)
{
    out->nfactors = p->F;
    out->nderived = p->D;
    out->factors = calloc(p->F ? p->F : 1, sizeof *out->factors);
    out->derived = calloc(p->D ? p->D : 1, sizeof *out->derived);
    if (!out->factors || !out->derived) return -1;
    for (size_t j = 0; j < p->F + p->D; j++) {
        ty_series_stats *st = j < p->F ? &out->factors[j] : &out->derived[j - p->F];
        if (fill_one_series(p, a, j, p->weighted, st) != 0) return -1;
    }
    return 0;
}

/* A query's estimate: the ratio estimator over the cells, Student's t on
 * the cells of positive weight; a probability's interval by
 * stats_interval (Wilson's, on the conditioned weight), widened by half a
 * step for 0/1 events under Latin hypercube sampling as the outcomes are. */
static ty_estimate query_estimate(const plan *p, const accum *a, size_t q)
{
    const ty_query *qy = ty_scenario_query(p->s, q);
    double mean, se, df;
    stats_ratio_mean_se(&a->qr[q], &mean, &se, &df);
    ty_estimate e = {.probability = mean, .stderr_ = se, .ci_low = NAN, .ci_high = NAN};
    if (isnan(mean)) return e;
    if (qy->kind == TY_QUERY_PROBABILITY) {
        int lattice = p->units == UNITS_CELLS && a->qbin[q] == 0;
        if (p->weighted)   /* at the effective sample size of the weights x condition */
            return stats_interval(mean, se, df, a->qw2[q] > 0 ? a->qr[q].w * a->qr[q].w / a->qw2[q] : 0, lattice);
        return stats_interval(mean, se, df, a->qr[q].w, lattice);
    }
    double h = stats_t95(df) * se;
    e.ci_low = mean - h;
    e.ci_high = mean + h;
    return e;
}

int tally_fill_queries(const plan *p, const accum *a, ty_run_result *out)
{
    out->spread = malloc((p->K * TY_SPREAD_NLEVELS + 1) * sizeof *out->spread);
    if (!out->spread) return -1;
    /* Outcomes and quantile queries: a weighted run's counts are the posterior's. */
    const uint64_t *hist = p->weighted ? a->whist : a->hist;
    for (size_t k = 0; k < p->K; k++) {
        size_t j = p->F + p->D + k;
        for (int l = 0; l < TY_SPREAD_NLEVELS; l++)
            out->spread[k * TY_SPREAD_NLEVELS + (size_t)l] =
                series_quantile(p, j, hist + j * HS, a->vmin[j], a->vmax[j], ty_spread_levels[l]);
    }
    if (p->Q == 0) return 0;
    out->queries = calloc(p->Q, sizeof *out->queries);
    if (!out->queries) return -1;
    out->nqueries = p->Q;
    double N = (double)a->est.n;
    for (size_t q = 0; q < p->Q; q++) {
        const ty_query *qy = ty_scenario_query(p->s, q);
        ty_query_result *r = &out->queries[q];
        r->name = strdup(qy->name);
        r->label = dup_or_null(qy->label);
        r->expr = strdup(qy->expr_text);
        r->given = dup_or_null(qy->given_text);
        if (!r->name || !r->expr || (qy->label && !r->label) || (qy->given_text && !r->given)) return -1;
        r->kind = qy->kind;
        double total = p->weighted ? a->ow : N;
        r->given_share = total > 0 ? a->qr[q].w / total : NAN;
        for (int l = 0; l < TY_QUERY_NLEVELS; l++) r->quantiles[l] = NAN;
        if (qy->kind == TY_QUERY_QUANTILES) {
            size_t j = p->qseries[q];
            r->est = (ty_estimate){NAN, NAN, NAN, NAN};
            for (int l = 0; l < TY_QUERY_NLEVELS; l++)
                r->quantiles[l] = series_quantile(p, j, hist + j * HS, a->vmin[j], a->vmax[j],
                                                  ty_query_levels[l]);
        } else {
            r->est = query_estimate(p, a, q);
        }
    }
    return 0;
}

ty_estimate tally_weighted_outcome(const plan *p, const accum *a, size_t k)
{
    double mean, se, df;
    stats_ratio_mean_se(&a->wr[k], &mean, &se, &df);
    if (isnan(mean)) return (ty_estimate){NAN, NAN, NAN, NAN};
    /* At the weights' effective sample size. A 0/1 outcome under Latin
     * hypercube sampling keeps the half-step correction of an unweighted
     * run's (measured: without it, a tail of p = 0.08 at 100 samples
     * covered 90%). */
    double ess = a->ow2 > 0 ? a->ow * a->ow / a->ow2 : 0;
    return stats_interval(mean, se, df, ess, p->units == UNITS_CELLS && p->model != TY_OUTCOME_LOGIT);
}

/* The prior's outcome estimates (run.c's unweighted estimator) are the
 * caller's: it passes them in prior. */
int tally_fill_observations(const plan *p, const accum *a, ty_run_result *out)
{
    size_t O = p->O;
    double N = (double)a->est.n;
    out->observations = calloc(O + 1, sizeof *out->observations);
    if (!out->observations) return -1;
    out->nobservations = O;
    for (size_t o = 0; o < O; o++) {
        const ty_observation *ob = ty_scenario_observation(p->s, o);
        ty_observation_result *r = &out->observations[o];
        r->name = strdup(ob->name);
        r->label = dup_or_null(ob->label);
        r->kind = ob->kind;
        r->of = dup_or_null(ob->of);
        r->expr = strdup(ob->kind == TY_OBS_READING ? (ob->error_text ? ob->error_text : "") : ob->expr_text);
        r->value = ob->kind == TY_OBS_READING ? ob->value : NAN;
        r->held = ob->kind == TY_OBS_WHEN && N > 0 ? a->held[o] / N : NAN;
        if (!r->name || !r->expr || (ob->label && !r->label) || (ob->of && !r->of)) return -1;
    }
    ty_observation_stats *st = &out->obs;
    st->ess = a->ow2 > 0 ? a->ow * a->ow / a->ow2 : 0;
    st->ess_fraction = N > 0 ? st->ess / N : NAN;
    st->acceptance = N > 0 ? (double)a->accepted / N : NAN;
    st->log_evidence = a->ow > 0 && N > 0 ? p->shift + log(a->ow / N) : -INFINITY;
    /* k-hat from the log-weights' histogram, which counts the histogram
     * blocks only (the first 64 and every 8th after): its samples are a
     * fixed subset, as for every histogram. */
    uint64_t hn = a->lwhist[LWB] + a->lwhist[LWB + 1];
    for (size_t i = 0; i < LWB; i++) hn += a->lwhist[i];
    st->pareto_k = stats_pareto_khat_hist(a->lwhist, LWB, p->shift - LW_SPAN, (LW_SPAN + LW_HEAD) / LWB,
                                          a->lwhist[LWB], hn);
    out->outcomes_prior = calloc(p->K + 1, sizeof *out->outcomes_prior);
    out->factors_prior = calloc(p->F + 1, sizeof *out->factors_prior);
    out->derived_prior = calloc(p->D + 1, sizeof *out->derived_prior);
    if (!out->outcomes_prior || !out->factors_prior || !out->derived_prior) return -1;
    for (size_t j = 0; j < p->F + p->D; j++) {
        ty_series_stats *ps = j < p->F ? &out->factors_prior[j] : &out->derived_prior[j - p->F];
        if (fill_one_series(p, a, j, 0, ps) != 0) return -1;
    }
    return 0;
}

/* The state's layout: reals ref, sum, d2, dw, (K each), w2, omean, om2 (K
 * each), smean, sm2, vmin, vmax (S each); counts n, blocks, units, sn (S), hist
 * (S x HS); then per query the ratio estimator's reals ref, sum, w, d2, dw,
 * w2 and counts units, wunits, and the count of values other than 0 and 1;
 * then each query's sum of (condition x weight)^2. A weighted run's follow:
 * reals shift, ow, ow2, lwmax, per outcome the ratio estimator's six reals,
 * per series wsw, wsmean, wsm2, held (O); counts accepted, per outcome
 * units and wunits, whist (S x HS), lwhist (LWB + 2). A state of another
 * layout (an older tyche) does not fit. */
static void state_sizes(const plan *p, size_t *nreal, size_t *ncount)
{
    *nreal = 6 * p->K + 1 + 4 * p->S + 7 * p->Q + (p->TR ? TIME_SIZE(p) : 0);
    *ncount = 3 + p->S + p->S * HS + 3 * p->Q;
    if (p->weighted) {
        *nreal += 4 + 6 * p->K + 3 * p->S + p->O;
        *ncount += 1 + 2 * p->K + p->S * HS + LWB + 2;
    }
}

int tally_save_state(const plan *p, const accum *a, ty_resume_state *rs)
{
    size_t K = p->K, S = p->S;
    rs->blocks_done = a->blocks;
    state_sizes(p, &rs->nreal, &rs->ncount);
    rs->real = malloc(rs->nreal * sizeof *rs->real);
    rs->count = malloc(rs->ncount * sizeof *rs->count);
    if (!rs->real || !rs->count) return -1;
    double *r = rs->real;
    const double *rk[] = {a->est.ref, a->est.sum, a->est.d2, a->est.dw};
    for (int i = 0; i < 4; i++, r += K) memcpy(r, rk[i], K * sizeof *r);
    *r++ = a->est.w2;
    memcpy(r, a->omean, K * sizeof *r); r += K;
    memcpy(r, a->om2, K * sizeof *r); r += K;
    memcpy(r, a->smean, S * sizeof *r); r += S;
    memcpy(r, a->sm2, S * sizeof *r); r += S;
    memcpy(r, a->vmin, S * sizeof *r); r += S;
    memcpy(r, a->vmax, S * sizeof *r); r += S;
    uint64_t *c = rs->count;
    *c++ = a->est.n;
    *c++ = a->blocks;
    *c++ = a->est.blocks;
    memcpy(c, a->sn, S * sizeof *c); c += S;
    memcpy(c, a->hist, S * HS * sizeof *c); c += S * HS;
    for (size_t q = 0; q < p->Q; q++) {
        const stats_ratio *e = &a->qr[q];
        *r++ = e->ref; *r++ = e->sum; *r++ = e->w; *r++ = e->d2; *r++ = e->dw; *r++ = e->w2;
        *c++ = e->units; *c++ = e->wunits; *c++ = a->qbin[q];
    }
    for (size_t q = 0; q < p->Q; q++) *r++ = a->qw2[q];
    if (p->TR) { memcpy(r, a->time, TIME_SIZE(p) * sizeof *r); r += TIME_SIZE(p); }
    if (p->weighted) {
        *r++ = p->shift; *r++ = a->ow; *r++ = a->ow2; *r++ = a->lwmax;
        *c++ = a->accepted;
        for (size_t k = 0; k < K; k++) {
            const stats_ratio *e = &a->wr[k];
            *r++ = e->ref; *r++ = e->sum; *r++ = e->w; *r++ = e->d2; *r++ = e->dw; *r++ = e->w2;
            *c++ = e->units; *c++ = e->wunits;
        }
        memcpy(r, a->wsw, S * sizeof *r); r += S;
        memcpy(r, a->wsmean, S * sizeof *r); r += S;
        memcpy(r, a->wsm2, S * sizeof *r); r += S;
        memcpy(r, a->held, p->O * sizeof *r); r += p->O;
        memcpy(c, a->whist, S * HS * sizeof *c); c += S * HS;
        memcpy(c, a->lwhist, (LWB + 2) * sizeof *c); c += LWB + 2;
    }
    return 0;
}

int tally_load_state(const plan *p, accum *a, const ty_resume_state *rs)
{
    size_t K = p->K, S = p->S, nreal, ncount;
    state_sizes(p, &nreal, &ncount);
    if (rs->nreal != nreal || rs->ncount != ncount || !rs->real || !rs->count) return -1;
    const double *r = rs->real;
    double *rk[] = {a->est.ref, a->est.sum, a->est.d2, a->est.dw};
    for (int i = 0; i < 4; i++, r += K) memcpy(rk[i], r, K * sizeof *r);
    a->est.w2 = *r++;
    memcpy(a->omean, r, K * sizeof *r); r += K;
    memcpy(a->om2, r, K * sizeof *r); r += K;
    memcpy(a->smean, r, S * sizeof *r); r += S;
    memcpy(a->sm2, r, S * sizeof *r); r += S;
    memcpy(a->vmin, r, S * sizeof *r); r += S;
    memcpy(a->vmax, r, S * sizeof *r); r += S;
    const uint64_t *c = rs->count;
    a->est.n = *c++;
    a->blocks = *c++;
    a->est.blocks = *c++;
    memcpy(a->sn, c, S * sizeof *c); c += S;
    memcpy(a->hist, c, S * HS * sizeof *c); c += S * HS;
    for (size_t q = 0; q < p->Q; q++) {
        stats_ratio *e = &a->qr[q];
        e->ref = *r++; e->sum = *r++; e->w = *r++; e->d2 = *r++; e->dw = *r++; e->w2 = *r++;
        e->units = *c++; e->wunits = *c++; a->qbin[q] = *c++;
    }
    for (size_t q = 0; q < p->Q; q++) a->qw2[q] = *r++;
    if (p->TR) { memcpy(a->time, r, TIME_SIZE(p) * sizeof *r); r += TIME_SIZE(p); }
    if (p->weighted) {
        r++;                     /* the shift: tally_state_shift */
        a->ow = *r++; a->ow2 = *r++; a->lwmax = *r++;
        a->accepted = *c++;
        for (size_t k = 0; k < K; k++) {
            stats_ratio *e = &a->wr[k];
            e->ref = *r++; e->sum = *r++; e->w = *r++; e->d2 = *r++; e->dw = *r++; e->w2 = *r++;
            e->units = *c++; e->wunits = *c++;
        }
        memcpy(a->wsw, r, S * sizeof *r); r += S;
        memcpy(a->wsmean, r, S * sizeof *r); r += S;
        memcpy(a->wsm2, r, S * sizeof *r); r += S;
        memcpy(a->held, r, p->O * sizeof *r); r += p->O;
        memcpy(a->whist, c, S * HS * sizeof *c); c += S * HS;
        memcpy(a->lwhist, c, (LWB + 2) * sizeof *c); c += LWB + 2;
    }
    return a->blocks == rs->blocks_done ? 0 : -1;
}

double tally_state_shift(const plan *p, const ty_resume_state *rs)
{
    size_t nreal, ncount;
    state_sizes(p, &nreal, &ncount);
    if (!p->weighted || rs->nreal != nreal || !rs->real) return NAN;
    return rs->real[6 * p->K + 1 + 4 * p->S + 7 * p->Q + (p->TR ? TIME_SIZE(p) : 0)];
}

void accum_clear_hist(const plan *p, accum *a)
{
    memset(a->hist, 0, p->S * HS * sizeof *a->hist);
    if (a->whist) memset(a->whist, 0, p->S * HS * sizeof *a->whist);
    if (a->lwhist) memset(a->lwhist, 0, (LWB + 2) * sizeof *a->lwhist);
    for (size_t j = 0; j < p->S; j++) {
        a->vmin[j] = INFINITY;
        a->vmax[j] = -INFINITY;
    }
}

int accum_reduce_hist(const plan *p, accum *a)
{
    /* Counts, least and greatest values: exact in any order of ranks. */
    int rc = par_sum_u64(a->hist, p->S * HS) | par_min_f64(a->vmin, p->S) | par_max_f64(a->vmax, p->S);
    if (p->weighted) rc |= par_sum_u64(a->whist, p->S * HS) | par_sum_u64(a->lwhist, LWB + 2);
    return rc;
}

double tally_round_lwmax(const plan *p, const double *t, size_t nblocks)
{
    double mx = -INFINITY;
    for (size_t b = 0; p->weighted && b < nblocks; b++) {
        double v = t[b * p->ntally + T_WSCALAR(p) + 2];
        if (v > mx) mx = v;
    }
    return mx;
}

/* A cumulative share and its interval from the sums of w and w^2 over the
 * paths where it holds (sw, sw2) among all (W, W2): the ratio estimator
 * sw / W of independent paths, whose delta-method variance is
 * (sum w^2 (I - P)^2) / W^2 = (sw2 (1 - 2P) + P^2 W2) / W^2 (times
 * n/(n-1) at the effective sample size n: unbiased, as the outcomes'),
 * with Wilson's form at the effective sample size (stats_interval). */
static ty_estimate time_estimate(double sw, double sw2, double W, double W2)
{
    double P = W > 0 ? sw / W : NAN;
    if (P < 0) P = 0;
    if (P > 1) P = 1;
    double v = (sw2 * (1 - 2 * P) + P * P * W2) / (W * W), ess = W2 > 0 ? W * W / W2 : 0;
    if (ess > 1) v *= ess / (ess - 1);   /* n/(n-1), as the outcomes' and the ratio estimator's */
    double se = v > 0 ? sqrt(v) : 0.0;
    return stats_interval(P, se, ess - 1, ess, 0);
}

static char *dup_time(const char *s) { return s ? strdup(s) : NULL; }

int tally_fill_time(const plan *p, const accum *a, ty_run_result *out)
{
    if (!p->TR) return 0;
    const ty_time *tm = ty_scenario_time(p->s);
    const paths_plan *pp = p->bp.paths;
    size_t R = p->TR, E = p->TE, S = p->TS, K = p->K;
    ty_time_result *tr = calloc(1, sizeof *tr);
    if (!tr) return -1;
    out->time = tr;
    tr->steps = tm->steps;
    tr->unit = dup_time(tm->unit);
    tr->nreport = R;
    tr->step = malloc(R * sizeof *tr->step);
    tr->cumulative = malloc(R * K * sizeof *tr->cumulative);
    tr->ci_low = malloc(R * K * sizeof *tr->ci_low);
    tr->ci_high = malloc(R * K * sizeof *tr->ci_high);
    tr->states = calloc(S + 1, sizeof *tr->states);
    if ((tm->unit && !tr->unit) || !tr->step || !tr->cumulative || !tr->ci_low || !tr->ci_high || !tr->states)
        return -1;
    tr->nstates = S;
    /* All paths' weight: N (w = 1) or the run's sum of weights. */
    double W = p->weighted ? a->ow : (double)a->est.n, W2 = p->weighted ? a->ow2 : (double)a->est.n;
    double cw[TY_SCENARIO_MAX_OUTCOMES] = {0}, cw2[TY_SCENARIO_MAX_OUTCOMES] = {0};
    for (size_t r = 0; r < R; r++) {
        tr->step[r] = pp->report[r];
        double ew = 0, ew2 = 0;
        for (size_t k = 0; k < E; k++) {
            const double *sl = a->time + (r * E + k) * 2;
            cw[k] += sl[0];
            cw2[k] += sl[1];
            ew += cw[k];
            ew2 += cw2[k];
            ty_estimate e = time_estimate(cw[k], cw2[k], W, W2);
            tr->cumulative[r * K + k] = e.probability;
            tr->ci_low[r * K + k] = e.ci_low;
            tr->ci_high[r * K + k] = e.ci_high;
        }
        /* None yet: the paths with no event by the step. */
        ty_estimate e = time_estimate(W - ew, W2 - ew2, W, W2);
        tr->cumulative[r * K + K - 1] = e.probability;
        tr->ci_low[r * K + K - 1] = e.ci_low;
        tr->ci_high[r * K + K - 1] = e.ci_high;
    }
    double N = (double)a->est.n;
    const double *all = a->time + R * E * 2, *run = all + R * S, *live = run + R * S;
    for (size_t j = 0; j < S; j++) {
        ty_time_state *st = &tr->states[j];
        const ty_state *def = ty_scenario_state(p->s, j);
        st->name = strdup(def->name);
        st->label = dup_time(def->label);
        st->unit = dup_time(def->unit);
        double **arr[] = {&st->mean, &st->p05, &st->p50, &st->p95, &st->mean_running,
                          &st->p05_running, &st->p50_running, &st->p95_running};
        for (int i = 0; i < 8; i++)
            if (!(*arr[i] = malloc(R * sizeof **arr[i]))) return -1;
        if (!st->name || (def->label && !st->label) || (def->unit && !st->unit)) return -1;
        for (size_t r = 0; r < R; r++) {
            st->mean[r] = N > 0 ? all[r * S + j] / N : NAN;
            st->mean_running[r] = live[r] > 0 ? run[r * S + j] / live[r] : NAN;
            st->p05[r] = st->p50[r] = st->p95[r] = NAN;
            st->p05_running[r] = st->p50_running[r] = st->p95_running[r] = NAN;
        }
    }
    return 0;
}