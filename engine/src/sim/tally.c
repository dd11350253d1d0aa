/* tally.c - a block's tallies and their block-order reduction (run_int.h):
 * outcome sums for the ratio estimator, series moments, histograms and
 * their ranges, the paired-difference groups, and the --resume state. The
 * run loop (run.c) decides which blocks run and when; this file only
 * counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/par_int.h"
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
    return p->hist_lo && p->hist_w && p->hist_hi && p->hist_kind && a->est.ref && a->est.sum && a->est.d2 && a->est.dw &&
           a->omean && a->om2 && a->smean && a->sm2 && a->sn && a->hist && a->vmin && a->vmax && a->gsum && a->gw ? 0 : -1;
}

void accum_free(accum *a, plan *p)
{
    free(a->est.ref); free(a->est.sum); free(a->est.d2); free(a->est.dw);
    free(a->omean); free(a->om2);
    free(a->smean); free(a->sm2); free(a->sn); free(a->hist); free(a->vmin); free(a->vmax); free(a->gsum); free(a->gw);
    free(p->hist_lo); free(p->hist_w); free(p->hist_hi); free(p->hist_kind);
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
        if (a->gsum) {
            size_t g = (size_t)((b * p->bp.cells + c) / a->group_units);
            for (size_t k = 0; k < p->K; k++) a->gsum[g * p->K + k] += sums[k];
            a->gw[g] += (double)wc;
        }
        stats_blocks_add(&a->est, sums, wc);
    }
    for (size_t k = 0; k < p->K; k++) {
        uint64_t n = n0;
        stats_moments_merge(&n, &a->omean[k], &a->om2[k], (double)w, t[T_SUM(p) + k] / (double)w,
                            t[T_M2(p) + k]);
    }
    const double *sr = t + T_SERIES(p);
    for (size_t j = 0; j < p->S; j++)
        stats_moments_merge(&a->sn[j], &a->smean[j], &a->sm2[j], sr[2 * p->S + j], sr[j], sr[p->S + j]);
    a->blocks++;
}

void accum_merge_hist(const plan *p, accum *a, workspace *ws, int nws)
{
    for (int t = 0; t < nws; t++) {
        if (!ws[t].hist) continue;   /* a thread that has not run yet */
        for (size_t i = 0; i < p->S * HS; i++) a->hist[i] += ws[t].hist[i];
        memset(ws[t].hist, 0, p->S * HS * sizeof *ws[t].hist);
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
}

int workspace_init(workspace *w, const plan *p)
{
    memset(w, 0, sizeof *w);
    w->hist = calloc(p->S * HS + 1, sizeof *w->hist);
    w->vmin = malloc((p->S + 1) * sizeof *w->vmin);
    w->vmax = malloc((p->S + 1) * sizeof *w->vmax);
    if (block_ws_init(&w->bw, &p->bp) != 0 || !w->hist || !w->vmin || !w->vmax) return -1;
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

/* Histograms take the first 64 blocks and every 8th after: percentiles
 * need far fewer samples than the means, and binning every sample of every
 * series cost a quarter of the run time. Which blocks count depends on the
 * block index only, never on the threads. */
static int block_in_histogram(uint64_t b) { return b < 64 || b % 8 == 0; }

/* The slot of a finite value v in a histogram of NB bins from lo to hi,
 * 1/inv wide: its bin, NB below lo, NB + 1 above hi. The last bin is closed:
 * hi itself (a support's end) is in it. */
static inline int32_t hist_slot(double v, double lo, double hi, double inv)
{
    double pos = (v - lo) * inv;
    pos = pos < 0 ? 0 : pos > NB - 1 ? NB - 1 : pos;
    int32_t b = (int32_t)pos;
    b = v < lo ? NB : b;
    return v > hi ? NB + 1 : b;
}

/* Adds the finite values of x[0..n) to histogram h (HS counts: NB bins from
 * lo to hi, 1/inv wide, then the values below and above: never in the edge
 * bins). */
static void histogram_add(uint64_t *h, double *vmin, double *vmax, const double *x, size_t n, double lo,
                          double hi, double inv)
{
    int32_t bins[B];
    double mn = *vmin, mx = *vmax;
    /* Slots in a vectorisable pass (inf and NaN land in slot -1 and are
     * skipped), then the increments. */
    for (size_t i = 0; i < n; i++) {
        int32_t b = hist_slot(x[i], lo, hi, inv);
        int fin = x[i] - x[i] == 0;
        bins[i] = fin ? b : -1;
        mn = fin && x[i] < mn ? x[i] : mn;
        mx = fin && x[i] > mx ? x[i] : mx;
    }
    *vmin = mn;
    *vmax = mx;
    for (size_t i = 0; i < n; i++)
        if (bins[i] >= 0) h[bins[i]]++;
}

void block_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t)
{
    for (size_t k = 0; k < p->K; k++) {
        const double *x = w->bw.ocol[k];
        /* One pass over the column: the cells' sums, the block's is theirs. */
        size_t nc = block_ncells(&p->bp, b, n);
        double sum = 0;
        for (size_t c = 0; c < nc; c++) {
            double sc = stats_finite_sum(x + c * n / nc, (c + 1) * n / nc - c * n / nc, NULL);
            t[T_CELL(p) + c * p->K + k] = sc;
            sum += sc;
        }
        t[T_SUM(p) + k] = sum;
        /* The spread of the samples is the standard error's only under
         * random sampling (run.c outcome_estimate). */
        t[T_M2(p) + k] = p->units == UNITS_SAMPLES ? stats_finite_m2(x, n, sum / (double)n) : 0.0;
    }
    int hist = block_in_histogram(b);
    double *sr = t + T_SERIES(p);
    for (size_t j = 0; j < p->S; j++) {
        const double *x = j < p->F ? w->bw.fcol[j] : w->bw.dcol[j - p->F];
        size_t cnt;
        double sum = stats_finite_sum(x, n, &cnt);
        double mean = cnt ? sum / (double)cnt : 0.0;
        sr[j] = mean;
        sr[p->S + j] = stats_finite_m2(x, n, mean);
        sr[2 * p->S + j] = (double)cnt;
        if (hist)
            histogram_add(w->hist + j * HS, &w->vmin[j], &w->vmax[j], x, n, p->hist_lo[j], p->hist_hi[j],
                          1.0 / p->hist_w[j]);
    }
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

int tally_ranges(plan *p, workspace *w, uint64_t n_total)
{
    for (size_t f = 0; f < p->F; f++) factor_range(p, f, ty_scenario_factor(p->s, f)->dist);
    if (p->D == 0) return 0;
    /* The pilot: the run's first blocks, sampled again here exactly as the
     * run will sample them. */
    size_t cap = PILOT_BLOCKS * B;
    double *v = malloc(p->D * cap * sizeof *v);
    size_t *nv = calloc(p->D, sizeof *nv);
    if (!v || !nv) { free(v); free(nv); return -1; }   /* no pilot would change the ranges */
    for (uint64_t b = 0; b < PILOT_BLOCKS && b * B < n_total; b++) {
        size_t n = n_total - b * B < B ? (size_t)(n_total - b * B) : B;
        uint64_t bad;
        /* A rules error is reported by the run itself. */
        (void)block_compute(p, w, b, n, &bad);
        for (size_t d = 0; d < p->D; d++)
            for (size_t i = 0; i < n; i++) {
                double x = w->bw.dcol[d][i];
                if (isfinite(x)) v[d * cap + nv[d]++] = x;
            }
    }
    for (size_t d = 0; d < p->D; d++)
        derived_range(p, p->F + d, ty_scenario_derived(p->s, d), v ? v + d * cap : NULL, v && nv ? nv[d] : 0);
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

int tally_fill_series(const plan *p, const accum *a, ty_run_result *out)
{
    out->nfactors = p->F;
    out->nderived = p->D;
    out->factors = calloc(p->F ? p->F : 1, sizeof *out->factors);
    out->derived = calloc(p->D ? p->D : 1, sizeof *out->derived);
    if (!out->factors || !out->derived) return -1;
    for (size_t j = 0; j < p->S; j++) {
        ty_series_stats *st = j < p->F ? &out->factors[j] : &out->derived[j - p->F];
        if (series_names(p, j, st) != 0) return -1;
        const uint64_t *h = a->hist + j * HS;
        double lo = p->hist_lo[j], w = p->hist_w[j];
        st->summary.mean = a->sn[j] ? a->smean[j] : NAN;
        st->summary.sd = a->sn[j] > 1 ? sqrt(a->sm2[j] / (double)(a->sn[j] - 1)) : NAN;
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
    }
    return 0;
}

/* The state's layout: reals ref, sum, d2, dw, (K each), w2, omean, om2 (K
 * each), smean, sm2, vmin, vmax (S each); counts n, blocks, units, sn (S), hist
 * (S x HS). A state of another layout (an older tyche) does not fit. */
static void state_sizes(const plan *p, size_t *nreal, size_t *ncount)
{
    *nreal = 6 * p->K + 1 + 4 * p->S;
    *ncount = 3 + p->S + p->S * HS;
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
    memcpy(r, a->vmax, S * sizeof *r);
    uint64_t *c = rs->count;
    *c++ = a->est.n;
    *c++ = a->blocks;
    *c++ = a->est.blocks;
    memcpy(c, a->sn, S * sizeof *c); c += S;
    memcpy(c, a->hist, S * HS * sizeof *c);
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
    memcpy(a->vmax, r, S * sizeof *r);
    const uint64_t *c = rs->count;
    a->est.n = *c++;
    a->blocks = *c++;
    a->est.blocks = *c++;
    memcpy(a->sn, c, S * sizeof *c); c += S;
    memcpy(a->hist, c, S * HS * sizeof *c);
    return a->blocks == rs->blocks_done ? 0 : -1;
}

void accum_clear_hist(const plan *p, accum *a)
{
    memset(a->hist, 0, p->S * HS * sizeof *a->hist);
    for (size_t j = 0; j < p->S; j++) {
        a->vmin[j] = INFINITY;
        a->vmax[j] = -INFINITY;
    }
}

int accum_reduce_hist(const plan *p, accum *a)
{
    /* Counts, least and greatest values: exact in any order of ranks. */
    return par_sum_u64(a->hist, p->S * HS) | par_min_f64(a->vmin, p->S) | par_max_f64(a->vmax, p->S);
}
