/* run.c - the deterministic parallel run loop (see run.h): per block, sample
 * every factor, impose rank correlations, run the compiled program and
 * tally; rounds of blocks in parallel, tallies combined in block order. */
#include "tyche/run.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "tyche/dist.h"
#include "tyche/expr.h"
#include "tyche/rng.h"

#define B TY_RUN_BLOCK
#define NB TY_RUN_HIST_BINS
#define SAVE_ROUND_BLOCKS 64     /* smaller rounds when samples are kept for the sink */

/* Everything a block needs that does not change during the run. */
typedef struct plan {
    block_plan bp;               /* sampling and evaluation of one block */
    const ty_scenario *s;
    size_t F, D, K, S;           /* factors, derived, outcomes, series = F + D */
    uint64_t seed;
    ty_outcome_model model;
    double *hist_lo, *hist_w;    /* S histogram ranges */
    size_t ntally;               /* doubles per block tally: K sums, S means, S M2, S counts */
} plan;

/* A thread's working memory: one block and its histogram counts. */
typedef struct workspace {
    block_ws bw;
    double **fcol, **dcol, **ocol;   /* aliases of bw's columns */
    double *cols;
    uint64_t *hist;              /* S x NB counts, merged after each round */
} workspace;

/* The reduction of all blocks so far, in block order. */
typedef struct accum {
    uint64_t n, blocks;
    double *ref, *sum, *d2, *dw; /* K each: see estimate() */
    double w2;
    double *smean, *sm2;         /* S series: Chan's running mean and M2 */
    uint64_t *sn;                /* S: finite values counted */
    uint64_t *hist;              /* S x NB */
    uint64_t group_blocks;       /* blocks per group for paired differences */
    size_t ngroups;
    double *gsum, *gw;           /* ngroups x K outcome sums, ngroups weights */
} accum;

static void workspace_free(workspace *w)
{
    if (!w) return;
    block_ws_clear(&w->bw);
    free(w->hist);
}

static int workspace_init(workspace *w, const plan *p)
{
    memset(w, 0, sizeof *w);
    w->hist = calloc(p->S * NB + 1, sizeof *w->hist);
    if (block_ws_init(&w->bw, &p->bp) != 0 || !w->hist) return -1;
    w->fcol = w->bw.fcol;
    w->dcol = w->bw.dcol;
    w->ocol = w->bw.ocol;
    w->cols = w->bw.cols;
    return 0;
}

/* Samples block b (n samples) and runs the program. Returns TY_OK or
 * TY_ERR_INVALID with *bad = the lowest sample index that matched no rule. */
static ty_status block_compute(const plan *p, workspace *w, uint64_t b, size_t n, uint64_t *bad)
{
    block_sample(&p->bp, &w->bw, p->seed, b, n);
    size_t bad_i = 0;
    ty_status st = block_eval(&p->bp, &w->bw, n, &bad_i);
    if (st != TY_OK) *bad = b * B + bad_i;
    return st;
}

/* Sum of x[0..n) over the finite values, and their count. Eight partial
 * sums in a fixed order: the compiler vectorises it, and the result is the
 * same on every run (no reassociation beyond what is written here). */
static double finite_sum(const double *restrict x, size_t n, size_t *count)
{
    double acc[8] = {0};
    double cnt[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double v = x[i + l];
            double keep = v - v == 0 ? v : 0.0;    /* 0 for inf and NaN */
            double one = v - v == 0 ? 1.0 : 0.0;
            acc[l] += keep;
            cnt[l] += one;
        }
    for (; i < n; i++) {
        double v = x[i];
        acc[i & 7] += v - v == 0 ? v : 0.0;
        cnt[i & 7] += v - v == 0 ? 1.0 : 0.0;
    }
    double s = 0, c = 0;
    for (size_t l = 0; l < 8; l++) { s += acc[l]; c += cnt[l]; }
    if (count) *count = (size_t)c;
    return s;
}

/* Sum over finite x of (x - mean)^2, the same way. */
static double finite_m2(const double *restrict x, size_t n, double mean)
{
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t l = 0; l < 8; l++) {
            double d = x[i + l] - mean;
            acc[l] += d - d == 0 ? d * d : 0.0;
        }
    for (; i < n; i++) {
        double d = x[i] - mean;
        acc[i & 7] += d - d == 0 ? d * d : 0.0;
    }
    double s = 0;
    for (size_t l = 0; l < 8; l++) s += acc[l];
    return s;
}

/* Histograms take the first 64 blocks and every 8th after: percentiles
 * need far fewer samples than the means, and binning every sample of every
 * series cost a quarter of the run time. Which blocks count depends on the
 * block index only, never on the threads. */
static int block_in_histogram(uint64_t b) { return b < 64 || b % 8 == 0; }

/* The block's floating tallies (in sample order) and, for the histogram
 * blocks, its histogram counts. */
static void block_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t)
{
    for (size_t k = 0; k < p->K; k++) t[k] = finite_sum(w->ocol[k], n, NULL);
    int hist = block_in_histogram(b);
    int32_t bins[B];
    for (size_t j = 0; j < p->S; j++) {
        const double *x = j < p->F ? w->fcol[j] : w->dcol[j - p->F];
        size_t cnt;
        double sum = finite_sum(x, n, &cnt);
        double mean = cnt ? sum / (double)cnt : 0.0;
        t[p->K + j] = mean;
        t[p->K + p->S + j] = finite_m2(x, n, mean);
        t[p->K + 2 * p->S + j] = (double)cnt;
        if (!hist) continue;
        uint64_t *h = w->hist + j * NB;
        double lo = p->hist_lo[j], inv = 1.0 / p->hist_w[j];
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
}

/* Adds block tally t (w samples) to the accumulators, in block order. */
static void accum_add(const plan *p, accum *a, const double *t, size_t w)
{
    double dw = (double)w;
    if (a->blocks == 0)
        for (size_t k = 0; k < p->K; k++) a->ref[k] = t[k] / dw;
    for (size_t k = 0; k < p->K; k++) {
        /* Shifted by the first block's mean so the variance sums do not
         * cancel: d = s_b - ref * w_b. */
        double d = t[k] - a->ref[k] * dw;
        a->sum[k] += t[k];
        a->d2[k] += d * d;
        a->dw[k] += d * dw;
    }
    a->w2 += dw * dw;
    if (a->gsum) {
        size_t g = (size_t)(a->blocks / a->group_blocks);
        for (size_t k = 0; k < p->K; k++) a->gsum[g * p->K + k] += t[k];
        a->gw[g] += dw;
    }
    for (size_t j = 0; j < p->S; j++) {
        double nb = t[p->K + 2 * p->S + j];
        if (nb == 0) continue;
        double na = (double)a->sn[j], mb = t[p->K + j], m2b = t[p->K + p->S + j];
        double delta = mb - a->smean[j], tot = na + nb;
        /* Chan, Golub and LeVeque's pairwise update. */
        a->smean[j] += delta * nb / tot;
        a->sm2[j] += m2b + delta * delta * na * nb / tot;
        a->sn[j] += (uint64_t)nb;
    }
    a->n += w;
    a->blocks++;
}

/* Outcome k's estimate from the accumulators. The standard error is the
 * ratio estimator's over blocks: Var = nb/(nb-1) sum_b (s_b - p w_b)^2 / W^2.
 * The 95% interval: logit, p +- 1.96 se clipped to [0, 1]; rules, Wilson's
 * score interval with the effective sample size p(1-p)/se^2 (n when se is 0),
 * which stays inside [0, 1] and is honest near 0 and 1. */
static ty_estimate estimate(const plan *p, const accum *a, size_t k)
{
    ty_estimate e;
    double W = (double)a->n, pr = a->sum[k] / W;
    double delta = pr - a->ref[k];
    double ss = a->d2[k] - 2 * delta * a->dw[k] + delta * delta * a->w2;
    if (ss < 0) ss = 0;
    double nb = (double)a->blocks;
    double se = nb > 1 ? sqrt(nb / (nb - 1) * ss) / W : NAN;
    e.probability = pr;
    e.stderr_ = se;
    const double z = 1.959963984540054;
    if (p->model == TY_OUTCOME_RULES || !(se > 0)) {
        double neff = (se > 0 && pr > 0 && pr < 1) ? pr * (1 - pr) / (se * se) : W;
        double z2n = z * z / neff, centre = (pr + z2n / 2) / (1 + z2n);
        double half = z / (1 + z2n) * sqrt(pr * (1 - pr) / neff + z2n / (4 * neff));
        e.ci_low = fmax(0.0, centre - half);
        e.ci_high = fmin(1.0, centre + half);
    } else {
        e.ci_low = fmax(0.0, pr - z * se);
        e.ci_high = fmin(1.0, pr + z * se);
    }
    return e;
}

/* Histogram range of series j: a factor's support or its 0.01%-99.99%
 * quantiles; a derived value's range from the pilot block, widened 5%. */
static void factor_range(const ty_dist *d, double *lo, double *hi)
{
    double slo, shi;
    ty_dist_support(d, &slo, &shi);
    *lo = isfinite(slo) ? slo : ty_dist_quantile(d, 1e-4);
    *hi = isfinite(shi) ? shi : ty_dist_quantile(d, 1 - 1e-4);
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

static ty_status pilot_ranges(plan *p, workspace *w, uint64_t n_total)
{
    for (size_t f = 0; f < p->F; f++) {
        double lo, hi;
        factor_range(ty_scenario_factor(p->s, f)->dist, &lo, &hi);
        set_range(p, f, lo, hi);
    }
    if (p->D == 0) return TY_OK;
    size_t n = n_total < B ? (size_t)n_total : B;
    uint64_t bad;
    ty_status st = block_compute(p, w, 0, n, &bad);
    for (size_t d = 0; d < p->D; d++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double x = w->dcol[d][i];
            if (isfinite(x)) { lo = fmin(lo, x); hi = fmax(hi, x); }
        }
        double span = hi - lo;
        set_range(p, p->F + d, lo - 0.05 * span, hi + 0.05 * span);
    }
    /* A rules error in block 0 is reported by the run itself. */
    (void)st;
    return TY_OK;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Percentile q of a histogram by linear interpolation within the bin. */
static double hist_quantile(const uint64_t *h, double lo, double w, double q)
{
    uint64_t total = 0;
    for (size_t i = 0; i < NB; i++) total += h[i];
    if (total == 0) return NAN;
    double target = q * (double)total, cum = 0;
    for (size_t i = 0; i < NB; i++) {
        if (cum + (double)h[i] >= target && h[i] > 0)
            return lo + w * ((double)i + (target - cum) / (double)h[i]);
        cum += (double)h[i];
    }
    return lo + w * NB;
}

static int fill_series(const plan *p, const accum *a, ty_run_result *out)
{
    out->nfactors = p->F;
    out->nderived = p->D;
    out->factors = calloc(p->F ? p->F : 1, sizeof *out->factors);
    out->derived = calloc(p->D ? p->D : 1, sizeof *out->derived);
    if (!out->factors || !out->derived) return -1;
    for (size_t j = 0; j < p->S; j++) {
        ty_series_stats *st = j < p->F ? &out->factors[j] : &out->derived[j - p->F];
        if (j < p->F) {
            const ty_factor *f = ty_scenario_factor(p->s, j);
            st->name = strdup(f->name);
            st->unit = dup_or_null(f->unit);
            st->label = dup_or_null(f->label);
        } else {
            st->name = strdup(ty_scenario_derived(p->s, j - p->F)->name);
        }
        if (!st->name) return -1;
        const uint64_t *h = a->hist + j * NB;
        double lo = p->hist_lo[j], w = p->hist_w[j];
        st->summary.mean = a->sn[j] ? a->smean[j] : NAN;
        st->summary.sd = a->sn[j] > 1 ? sqrt(a->sm2[j] / (double)(a->sn[j] - 1)) : NAN;
        st->summary.p05 = hist_quantile(h, lo, w, 0.05);
        st->summary.p50 = hist_quantile(h, lo, w, 0.50);
        st->summary.p95 = hist_quantile(h, lo, w, 0.95);
        st->hist.nbins = NB;
        st->hist.edges = malloc((NB + 1) * sizeof *st->hist.edges);
        st->hist.counts = malloc(NB * sizeof *st->hist.counts);
        if (!st->hist.edges || !st->hist.counts) return -1;
        for (size_t i = 0; i <= NB; i++) st->hist.edges[i] = lo + w * (double)i;
        memcpy(st->hist.counts, h, NB * sizeof *h);
    }
    return 0;
}

/* Serialises the accumulators for --resume (layout fixed by this file). */
static int save_state(const plan *p, const accum *a, ty_resume_state *rs)
{
    size_t K = p->K, S = p->S;
    rs->blocks_done = a->blocks;
    rs->nreal = 4 * K + 1 + 2 * S;
    rs->ncount = 2 + S + S * NB;
    rs->real = malloc(rs->nreal * sizeof *rs->real);
    rs->count = malloc(rs->ncount * sizeof *rs->count);
    if (!rs->real || !rs->count) return -1;
    double *r = rs->real;
    memcpy(r, a->ref, K * sizeof *r); r += K;
    memcpy(r, a->sum, K * sizeof *r); r += K;
    memcpy(r, a->d2, K * sizeof *r); r += K;
    memcpy(r, a->dw, K * sizeof *r); r += K;
    *r++ = a->w2;
    memcpy(r, a->smean, S * sizeof *r); r += S;
    memcpy(r, a->sm2, S * sizeof *r);
    uint64_t *c = rs->count;
    *c++ = a->n;
    *c++ = a->blocks;
    memcpy(c, a->sn, S * sizeof *c); c += S;
    memcpy(c, a->hist, S * NB * sizeof *c);
    return 0;
}

static int load_state(const plan *p, accum *a, const ty_resume_state *rs)
{
    size_t K = p->K, S = p->S;
    if (rs->nreal != 4 * K + 1 + 2 * S || rs->ncount != 2 + S + S * NB || !rs->real || !rs->count)
        return -1;
    const double *r = rs->real;
    memcpy(a->ref, r, K * sizeof *r); r += K;
    memcpy(a->sum, r, K * sizeof *r); r += K;
    memcpy(a->d2, r, K * sizeof *r); r += K;
    memcpy(a->dw, r, K * sizeof *r); r += K;
    a->w2 = *r++;
    memcpy(a->smean, r, S * sizeof *r); r += S;
    memcpy(a->sm2, r, S * sizeof *r);
    const uint64_t *c = rs->count;
    a->n = *c++;
    a->blocks = *c++;
    memcpy(a->sn, c, S * sizeof *c); c += S;
    memcpy(a->hist, c, S * NB * sizeof *c);
    return a->blocks == rs->blocks_done ? 0 : -1;
}

void ty_run_settings_resolve(const ty_scenario *s, const ty_run_options *opt, ty_run_settings *out)
{
    *out = *ty_scenario_run(s);
    if (opt->samples) out->samples = opt->samples;
    if (opt->has_seed) out->seed = opt->seed;
    if (opt->has_sampling) out->sampling = opt->sampling;
    if (opt->target_halfwidth > 0) out->target_halfwidth = opt->target_halfwidth;
    if (opt->max_samples) out->max_samples = opt->max_samples;
}

/* Records a convergence point (samples, estimates, half-widths). */
static int add_checkpoint(const plan *p, const accum *a, ty_convergence *c, double *max_half)
{
    size_t K = p->K, m = c->npoints + 1;
    uint64_t *smp = realloc(c->samples, m * sizeof *smp);
    if (smp) c->samples = smp;
    double *pr = realloc(c->probability, m * K * sizeof *pr);
    if (pr) c->probability = pr;
    double *hw = realloc(c->halfwidth, m * K * sizeof *hw);
    if (hw) c->halfwidth = hw;
    if (!smp || !pr || !hw) return -1;
    c->samples[m - 1] = a->n;
    *max_half = 0;
    for (size_t k = 0; k < K; k++) {
        ty_estimate e = estimate(p, a, k);
        c->probability[(m - 1) * K + k] = e.probability;
        double h = (e.ci_high - e.ci_low) / 2;
        c->halfwidth[(m - 1) * K + k] = h;
        if (!(h <= *max_half)) *max_half = h;   /* NaN counts as not reached */
    }
    c->npoints = m;
    return 0;
}

ty_status ty_run_scenario(const ty_scenario *s, const char *variant, const ty_run_options *opt,
                          ty_run_result *out, ty_diag *diag)
{
    double t0 = omp_get_wtime();
    memset(out, 0, sizeof *out);
    ty_run_settings set;
    ty_run_settings_resolve(s, opt, &set);
    uint64_t N = set.samples;
    if (set.target_halfwidth > 0) N = set.max_samples ? set.max_samples : set.samples;
    else if (set.max_samples && set.max_samples < N) N = set.max_samples;
    uint64_t nblocks = (N + B - 1) / B;

    plan p = {.s = s, .seed = set.seed, .model = ty_scenario_model(s)};
    p.F = ty_scenario_nfactors(s);
    p.D = ty_scenario_nderived(s);
    p.K = ty_scenario_noutcomes(s);
    p.S = p.F + p.D;
    p.ntally = p.K + 3 * p.S;
    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    size_t round_cap = opt->sink ? SAVE_ROUND_BLOCKS : TY_RUN_ROUND_BLOCKS;

    ty_status st = TY_ERR_NOMEM;
    accum a = {0};
    workspace *ws = NULL;
    double *tallies = NULL, *save = NULL;
    int nws = 0;

    p.hist_lo = malloc(p.S * sizeof *p.hist_lo);
    p.hist_w = malloc(p.S * sizeof *p.hist_w);
    a.ref = calloc(p.K, sizeof *a.ref);
    a.sum = calloc(p.K, sizeof *a.sum);
    a.d2 = calloc(p.K, sizeof *a.d2);
    a.dw = calloc(p.K, sizeof *a.dw);
    a.smean = calloc(p.S + 1, sizeof *a.smean);
    a.sm2 = calloc(p.S + 1, sizeof *a.sm2);
    a.sn = calloc(p.S + 1, sizeof *a.sn);
    a.hist = calloc(p.S * NB + 1, sizeof *a.hist);
    /* At most 4096 groups of whole blocks, whatever N: bounded memory. */
    a.group_blocks = (nblocks + 4095) / 4096;
    if (a.group_blocks == 0) a.group_blocks = 1;
    a.ngroups = (size_t)((nblocks + a.group_blocks - 1) / a.group_blocks);
    a.gsum = calloc(a.ngroups * p.K + 1, sizeof *a.gsum);
    a.gw = calloc(a.ngroups + 1, sizeof *a.gw);
    tallies = malloc(round_cap * p.ntally * sizeof *tallies);
    ws = calloc((size_t)threads, sizeof *ws);
    out->variant = strdup(variant);
    out->noutcomes = p.K;
    out->outcome_names = calloc(p.K, sizeof *out->outcome_names);
    out->outcome_labels = calloc(p.K, sizeof *out->outcome_labels);
    out->outcomes = calloc(p.K, sizeof *out->outcomes);
    if (!p.hist_lo || !p.hist_w || !a.ref || !a.sum || !a.d2 || !a.dw || !a.smean ||
        !a.sm2 || !a.sn || !a.hist || !a.gsum || !a.gw || !tallies || !ws || !out->variant ||
        !out->outcome_names || !out->outcome_labels || !out->outcomes)
        goto done;
    for (size_t k = 0; k < p.K; k++) {
        const ty_outcome *o = ty_scenario_outcome(s, k);
        out->outcome_names[k] = strdup(o->name);
        out->outcome_labels[k] = dup_or_null(o->label);
        if (!out->outcome_names[k] || (o->label && !out->outcome_labels[k])) goto done;
    }
    st = block_plan_init(&p.bp, s, set.sampling, 1, diag);
    if (st != TY_OK) goto done;
    st = TY_ERR_NOMEM;
    for (nws = 0; nws < threads; nws++)
        if (workspace_init(&ws[nws], &p) != 0) { nws++; goto done; }
    if (opt->sink) {
        save = malloc(round_cap * B * (p.S + p.K) * sizeof *save);
        if (!save) goto done;
    }
    pilot_ranges(&p, &ws[0], N);
    memset(ws[0].hist, 0, p.S * NB * sizeof *ws[0].hist);

    uint64_t next = 0;
    double prev_wall = 0;
    if (opt->resume) {
        const ty_run_result *r = opt->resume;
        if (load_state(&p, &a, &r->resume) != 0 || r->noutcomes != p.K || a.blocks > nblocks) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "the result's resume state does not fit this "
                        "scenario and these settings (was the scenario changed?)");
            st = TY_ERR_INVALID;
            goto done;
        }
        next = a.blocks;
        prev_wall = r->wall_seconds;
        const ty_convergence *c = &r->convergence;
        for (size_t i = 0; i < c->npoints; i++) {
            /* Copy the trace so far through the same append path. */
            size_t m = out->convergence.npoints + 1, K = p.K;
            uint64_t *smp = realloc(out->convergence.samples, m * sizeof *smp);
            if (smp) out->convergence.samples = smp;
            double *pr = realloc(out->convergence.probability, m * K * sizeof *pr);
            if (pr) out->convergence.probability = pr;
            double *hw = realloc(out->convergence.halfwidth, m * K * sizeof *hw);
            if (hw) out->convergence.halfwidth = hw;
            if (!smp || !pr || !hw) goto done;
            smp[m - 1] = c->samples[i];
            memcpy(pr + (m - 1) * K, c->probability + i * K, K * sizeof *pr);
            memcpy(hw + (m - 1) * K, c->halfwidth + i * K, K * sizeof *hw);
            out->convergence.npoints = m;
        }
    }

    int interrupted = 0, reached = 0;
    uint64_t checkpoint = 1;
    while (checkpoint <= next) checkpoint *= 2;
    st = TY_OK;
    while (next < nblocks && !interrupted && !reached) {
        uint64_t end = next + round_cap;
        if (end > checkpoint) end = checkpoint;
        if (end > nblocks) end = nblocks;
        size_t nround = (size_t)(end - next);
        uint64_t first_bad = UINT64_MAX;

#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(min : first_bad)
        for (size_t r = 0; r < nround; r++) {
            workspace *w = &ws[omp_get_thread_num()];
            uint64_t b = next + r;
            size_t n = (size_t)(b + 1 < nblocks ? B : N - b * B);
            uint64_t bi;
            if (block_compute(&p, w, b, n, &bi) != TY_OK) {
                if (bi < first_bad) first_bad = bi;
                continue;
            }
            block_tally(&p, w, b, n, tallies + r * p.ntally);
            if (save)
                for (size_t c = 0; c < p.S + p.K; c++)
                    memcpy(save + c * round_cap * B + r * B, w->cols + c * B, n * sizeof *save);
        }

        if (first_bad != UINT64_MAX) {
            /* Recompute that block alone to show the sample's values. */
            uint64_t b = first_bad / B, bi = 0;
            size_t n = (size_t)(b + 1 < nblocks ? B : N - b * B);
            block_compute(&p, &ws[0], b, n, &bi);
            size_t i = (size_t)(bi - b * B);
            char vals[1024] = "";
            for (size_t f = 0; f < p.F && strlen(vals) < sizeof vals - 80; f++) {
                char one[96];
                snprintf(one, sizeof one, "%s%s=%.6g", f ? ", " : "", ty_scenario_factor(s, f)->name, ws[0].fcol[f][i]);
                strncat(vals, one, sizeof vals - strlen(vals) - 1);
            }
            ty_pos pos = ty_scenario_outcome(s, p.K - 1)->name_pos;
            ty_diag_add(diag, TY_SEV_ERROR, &pos, "sample %llu matches no rule and there is no "
                        "'otherwise': %s", (unsigned long long)bi, vals);
            ty_diag_hint(diag, "add a last outcome with 'otherwise: true', or widen the rules");
            st = TY_ERR_INVALID;
            goto done;
        }
        for (size_t r = 0; r < nround; r++) {
            uint64_t b = next + r;
            accum_add(&p, &a, tallies + r * p.ntally, (size_t)(b + 1 < nblocks ? B : N - b * B));
        }
        for (int t = 0; t < nws; t++) {
            for (size_t i = 0; i < p.S * NB; i++) a.hist[i] += ws[t].hist[i];
            memset(ws[t].hist, 0, p.S * NB * sizeof *ws[t].hist);
        }
        if (save) {
            const double **cols = malloc((p.S + p.K) * sizeof *cols);
            if (!cols) { st = TY_ERR_NOMEM; goto done; }
            for (size_t c = 0; c < p.S + p.K; c++) cols[c] = save + c * round_cap * B;
            int rc = opt->sink(opt->sink_ctx, next * B, (size_t)(a.n - next * B), cols, p.S + p.K);
            free(cols);
            if (rc != 0) {
                ty_diag_add(diag, TY_SEV_ERROR, NULL, "writing the samples failed");
                st = TY_ERR_IO;
                goto done;
            }
        }
        next = end;
        if (next == checkpoint || next == nblocks) {
            double max_half;
            if (add_checkpoint(&p, &a, &out->convergence, &max_half) != 0) { st = TY_ERR_NOMEM; goto done; }
            if (set.target_halfwidth > 0 && max_half <= set.target_halfwidth && next < nblocks) reached = 1;
            if (next == checkpoint) checkpoint *= 2;
        }
        if (opt->progress) opt->progress(opt->progress_ctx, a.n, N);
        if (opt->interrupt && *opt->interrupt && next < nblocks) interrupted = 1;
    }

    for (size_t k = 0; k < p.K; k++) out->outcomes[k] = estimate(&p, &a, k);
    if (fill_series(&p, &a, out) != 0) { st = TY_ERR_NOMEM; goto done; }
    out->seed = set.seed;
    out->samples = a.n;
    out->samples_requested = N;
    out->sampling = (int)set.sampling;
    out->block_size = B;
    out->threads = threads;
    out->ranks = 1;
    out->complete = !interrupted;
    out->stopped_early = reached;
    out->wall_seconds = prev_wall + (omp_get_wtime() - t0);
    if (!opt->resume) {
        /* Group sums only cover the blocks run here; a resumed run has none. */
        out->ngroups = a.ngroups;
        out->group_blocks = a.group_blocks;
        out->group_sums = a.gsum;
        out->group_weights = a.gw;
        a.gsum = NULL;
        a.gw = NULL;
    }
    if (interrupted) {
        if (save_state(&p, &a, &out->resume) != 0) { st = TY_ERR_NOMEM; goto done; }
        st = TY_ERR_INTERRUPTED;
    }

done:
    for (int t = 0; t < nws; t++) workspace_free(&ws[t]);
    free(ws);
    free(save);
    free(tallies);
    free(a.ref); free(a.sum); free(a.d2); free(a.dw);
    free(a.smean); free(a.sm2); free(a.sn); free(a.hist); free(a.gsum); free(a.gw);
    free(p.hist_lo); free(p.hist_w);
    block_plan_clear(&p.bp);
    return st;
}

ty_status ty_run_difference(ty_run_result *v, const ty_run_result *base)
{
    size_t K = v->noutcomes, G = v->ngroups;
    if (K != base->noutcomes || G != base->ngroups || G < 2 || v->seed != base->seed ||
        v->samples != base->samples || v->group_blocks != base->group_blocks ||
        !v->group_sums || !base->group_sums || !v->complete || !base->complete)
        return TY_ERR_INVALID;
    ty_difference *d = calloc(K, sizeof *d);
    if (!d) return TY_ERR_NOMEM;
    double W = (double)v->samples;
    const double z = 1.959963984540054;
    for (size_t k = 0; k < K; k++) {
        double diff = v->outcomes[k].probability - base->outcomes[k].probability, ss = 0;
        for (size_t g = 0; g < G; g++) {
            double dg = v->group_sums[g * K + k] - base->group_sums[g * K + k];
            double r = dg - diff * v->group_weights[g];
            ss += r * r;
        }
        double se = sqrt((double)G / (double)(G - 1) * ss) / W;
        d[k].diff = diff;
        d[k].stderr_ = se;
        d[k].ci_low = diff - z * se;
        d[k].ci_high = diff + z * se;
        d[k].unpaired_stderr = sqrt(v->outcomes[k].stderr_ * v->outcomes[k].stderr_ +
                                    base->outcomes[k].stderr_ * base->outcomes[k].stderr_);
    }
    free(v->difference);
    v->difference = d;
    return TY_OK;
}
