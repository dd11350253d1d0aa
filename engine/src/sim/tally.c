/* tally.c - a block's tallies and their block-order reduction (run_int.h):
 * outcome sums for the ratio estimator, series moments, histograms and
 * their ranges, the paired-difference groups, and the --resume state. The
 * run loop (run.c) decides which blocks run and when; this file only
 * counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"
#include "tyche/dist.h"

int accum_init(accum *a, plan *p, uint64_t nblocks, uint64_t n)
{
    memset(a, 0, sizeof *a);
    p->hist_lo = malloc(p->S * sizeof *p->hist_lo);
    p->hist_w = malloc(p->S * sizeof *p->hist_w);
    a->est.K = p->K;
    a->est.ref = calloc(p->K, sizeof *a->est.ref);
    a->est.sum = calloc(p->K, sizeof *a->est.sum);
    a->est.d2 = calloc(p->K, sizeof *a->est.d2);
    a->est.dw = calloc(p->K, sizeof *a->est.dw);
    a->on = calloc(p->K + 1, sizeof *a->on);
    a->omean = calloc(p->K + 1, sizeof *a->omean);
    a->om2 = calloc(p->K + 1, sizeof *a->om2);
    a->smean = calloc(p->S + 1, sizeof *a->smean);
    a->sm2 = calloc(p->S + 1, sizeof *a->sm2);
    a->sn = calloc(p->S + 1, sizeof *a->sn);
    a->hist = calloc(p->S * NB + 1, sizeof *a->hist);
    /* At most 4096 groups of whole cells, whatever the size: bounded memory. */
    uint64_t nunits = nblocks ? (nblocks - 1) * p->bp.cells +
                                block_ncells(&p->bp, nblocks - 1, (size_t)(n - (nblocks - 1) * B)) : 0;
    a->group_units = (nunits + 4095) / 4096;
    if (a->group_units == 0) a->group_units = 1;
    a->ngroups = (size_t)((nunits + a->group_units - 1) / a->group_units);
    a->gsum = calloc(a->ngroups * p->K + 1, sizeof *a->gsum);
    a->gw = calloc(a->ngroups + 1, sizeof *a->gw);
    return p->hist_lo && p->hist_w && a->est.ref && a->est.sum && a->est.d2 && a->est.dw &&
           a->on && a->omean && a->om2 && a->smean && a->sm2 && a->sn && a->hist && a->gsum && a->gw ? 0 : -1;
}

void accum_free(accum *a, plan *p)
{
    free(a->est.ref); free(a->est.sum); free(a->est.d2); free(a->est.dw);
    free(a->on); free(a->omean); free(a->om2);
    free(a->smean); free(a->sm2); free(a->sn); free(a->hist); free(a->gsum); free(a->gw);
    free(p->hist_lo); free(p->hist_w);
    p->hist_lo = p->hist_w = NULL;
    memset(a, 0, sizeof *a);
}

void accum_add(const plan *p, accum *a, uint64_t b, const double *t, size_t w)
{
    /* Each cell: a unit of the ratio estimator, and part of its group of
     * cells for the paired differences. */
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
    for (size_t k = 0; k < p->K; k++)
        stats_moments_merge(&a->on[k], &a->omean[k], &a->om2[k], (double)w, t[T_SUM(p) + k] / (double)w,
                            t[T_M2(p) + k]);
    const double *sr = t + T_SERIES(p);
    for (size_t j = 0; j < p->S; j++)
        stats_moments_merge(&a->sn[j], &a->smean[j], &a->sm2[j], sr[2 * p->S + j], sr[j], sr[p->S + j]);
    a->blocks++;
}

void accum_merge_hist(const plan *p, accum *a, workspace *ws, int nws)
{
    for (int t = 0; t < nws; t++) {
        for (size_t i = 0; i < p->S * NB; i++) a->hist[i] += ws[t].hist[i];
        memset(ws[t].hist, 0, p->S * NB * sizeof *ws[t].hist);
    }
}

void workspace_free(workspace *w)
{
    if (!w) return;
    block_ws_clear(&w->bw);
    free(w->hist);
}

int workspace_init(workspace *w, const plan *p)
{
    memset(w, 0, sizeof *w);
    w->hist = calloc(p->S * NB + 1, sizeof *w->hist);
    if (block_ws_init(&w->bw, &p->bp) != 0 || !w->hist) return -1;
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

/* Adds the finite values of x[0..n) to histogram h (NB bins from lo, 1/inv
 * wide; values beyond the range count in the edge bins). */
static void histogram_add(uint64_t *h, const double *x, size_t n, double lo, double inv)
{
    int32_t bins[B];
    /* Bin indices in a vectorisable pass (inf and NaN land in bin -1 and are
     * skipped), then the increments. */
    for (size_t i = 0; i < n; i++) {
        double pos = (x[i] - lo) * inv;
        pos = pos < 0 ? 0 : pos > NB - 1 ? NB - 1 : pos;
        bins[i] = x[i] - x[i] == 0 ? (int32_t)pos : -1;
    }
    for (size_t i = 0; i < n; i++)
        if (bins[i] >= 0) h[bins[i]]++;
}

void block_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t)
{
    for (size_t k = 0; k < p->K; k++) {
        const double *x = w->bw.ocol[k];
        t[T_SUM(p) + k] = stats_finite_sum(x, n, NULL);
        t[T_M2(p) + k] = stats_finite_m2(x, n, t[T_SUM(p) + k] / (double)n);
        size_t nc = block_ncells(&p->bp, b, n);
        for (size_t c = 0; c < nc; c++)
            t[T_CELL(p) + c * p->K + k] = stats_finite_sum(x + c * n / nc, (c + 1) * n / nc - c * n / nc, NULL);
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
        if (hist) histogram_add(w->hist + j * NB, x, n, p->hist_lo[j], 1.0 / p->hist_w[j]);
    }
}

static void set_range(plan *p, size_t j, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) { lo = 0; hi = 1; }
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.01 : 0.5;
        lo -= pad;
        hi += pad;
    }
    p->hist_lo[j] = lo;
    p->hist_w[j] = (hi - lo) / NB;
}

void tally_ranges(plan *p, workspace *w, uint64_t n_total)
{
    for (size_t f = 0; f < p->F; f++) {
        const ty_dist *d = ty_scenario_factor(p->s, f)->dist;
        double lo, hi;
        ty_dist_support(d, &lo, &hi);
        set_range(p, f, isfinite(lo) ? lo : ty_dist_quantile(d, 1e-4),
                  isfinite(hi) ? hi : ty_dist_quantile(d, 1 - 1e-4));
    }
    if (p->D == 0) return;
    size_t n = n_total < B ? (size_t)n_total : B;
    uint64_t bad;
    /* A rules error in block 0 is reported by the run itself. */
    (void)block_compute(p, w, 0, n, &bad);
    for (size_t d = 0; d < p->D; d++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double x = w->bw.dcol[d][i];
            if (isfinite(x)) { lo = fmin(lo, x); hi = fmax(hi, x); }
        }
        double span = hi - lo;
        set_range(p, p->F + d, lo - 0.05 * span, hi + 0.05 * span);
    }
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
    } else {
        const ty_derived *d = ty_scenario_derived(p->s, j - p->F);
        st->name = strdup(d->name);
        st->unit = dup_or_null(d->unit);
        st->label = dup_or_null(d->label);
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
        const uint64_t *h = a->hist + j * NB;
        double lo = p->hist_lo[j], w = p->hist_w[j];
        st->summary.mean = a->sn[j] ? a->smean[j] : NAN;
        st->summary.sd = a->sn[j] > 1 ? sqrt(a->sm2[j] / (double)(a->sn[j] - 1)) : NAN;
        st->summary.p05 = stats_hist_quantile(h, NB, lo, w, 0.05);
        st->summary.p50 = stats_hist_quantile(h, NB, lo, w, 0.50);
        st->summary.p95 = stats_hist_quantile(h, NB, lo, w, 0.95);
        st->hist.nbins = NB;
        st->hist.edges = malloc((NB + 1) * sizeof *st->hist.edges);
        st->hist.counts = malloc(NB * sizeof *st->hist.counts);
        if (!st->hist.edges || !st->hist.counts) return -1;
        for (size_t i = 0; i <= NB; i++) st->hist.edges[i] = lo + w * (double)i;
        memcpy(st->hist.counts, h, NB * sizeof *h);
    }
    return 0;
}

/* The state's layout: reals ref, sum, d2, dw, (K each), w2, omean, om2 (K
 * each), smean, sm2 (S each); counts n, blocks, units, on (K), sn (S), hist
 * (S x NB). A state of another layout (an older tyche) does not fit. */
static void state_sizes(const plan *p, size_t *nreal, size_t *ncount)
{
    *nreal = 6 * p->K + 1 + 2 * p->S;
    *ncount = 3 + p->K + p->S + p->S * NB;
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
    memcpy(r, a->sm2, S * sizeof *r);
    uint64_t *c = rs->count;
    *c++ = a->est.n;
    *c++ = a->blocks;
    *c++ = a->est.blocks;
    memcpy(c, a->on, K * sizeof *c); c += K;
    memcpy(c, a->sn, S * sizeof *c); c += S;
    memcpy(c, a->hist, S * NB * sizeof *c);
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
    memcpy(a->sm2, r, S * sizeof *r);
    const uint64_t *c = rs->count;
    a->est.n = *c++;
    a->blocks = *c++;
    a->est.blocks = *c++;
    memcpy(a->on, c, K * sizeof *c); c += K;
    memcpy(a->sn, c, S * sizeof *c); c += S;
    memcpy(a->hist, c, S * NB * sizeof *c);
    return a->blocks == rs->blocks_done ? 0 : -1;
}
