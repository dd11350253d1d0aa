/* tally_block.c - a block's tallies (block_tally, run_int.h): outcome
 * sums, series moments, histogram counts, query and weighted sums, a time
 * scenario's section. The reduction and the results are tally.c's. Compiled
 * once per instruction-set level (util/cpu.h); every level gives the same
 * tallies, bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/vmath.h"
#include "run_int.h"

/* Histograms take the first 64 blocks and every 8th after: percentiles
 * need far fewer samples than the means, and binning every sample of every
 * series cost a quarter of the run time. Which blocks count depends on the
 * block index only, never on the threads. */
static int block_in_histogram(uint64_t b) { return b < 64 || b % 8 == 0; }

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

/* Adds the finite values of x[0..n) of weight g > 0 to histogram h, each
 * counting g WSCALE rounded down or up by the uniform u (unbiased): the
 * posterior's counts of a weighted run. Slots and counts in a
 * vectorisable pass, then the increments. Weights stay below e^LW_HEAD in
 * a run that is kept (run.c restarts one that meets a greater): the cap
 * only keeps the conversion defined in a round about to be discarded. */
static void histogram_add_wvec(uint64_t *h, double *vmin, double *vmax, const double *x, const double *g,
                               const double *u, size_t n, double lo, double hi, double inv)
{
    int32_t bins[B];
    uint64_t cnt[B];
    double mnl[8], mxl[8];
    for (size_t l = 0; l < 8; l++) mnl[l] = *vmin, mxl[l] = *vmax;
    /* Eight lanes, as the sums: the least and greatest do not serialise. */
    size_t i0 = 0;
    for (; i0 + 8 <= n; i0 += 8)
        for (size_t l = 0; l < 8; l++) {
            size_t i = i0 + l;
            double v = x[i], cw = g[i] * WSCALE + u[i];
            cw = cw < 0x1p52 ? cw : 0x1p52;
            int keep = v - v == 0 && g[i] > 0;
            cnt[i] = (uint64_t)(cw > 0 ? cw : 0.0);
            bins[i] = keep ? hist_slot(v, lo, hi, inv) : -1;
            mnl[l] = keep && v < mnl[l] ? v : mnl[l];
            mxl[l] = keep && v > mxl[l] ? v : mxl[l];
        }
    for (size_t i = i0; i < n; i++) {
        double v = x[i], cw = g[i] * WSCALE + u[i];
        cw = cw < 0x1p52 ? cw : 0x1p52;
        int keep = v - v == 0 && g[i] > 0;
        cnt[i] = (uint64_t)(cw > 0 ? cw : 0.0);
        bins[i] = keep ? hist_slot(v, lo, hi, inv) : -1;
        mnl[0] = keep && v < mnl[0] ? v : mnl[0];
        mxl[0] = keep && v > mxl[0] ? v : mxl[0];
    }
    for (size_t l = 0; l < 8; l++) {
        *vmin = mnl[l] < *vmin ? mnl[l] : *vmin;
        *vmax = mxl[l] > *vmax ? mxl[l] : *vmax;
    }
    for (size_t i = 0; i < n; i++)
        if (bins[i] >= 0) h[bins[i]] += cnt[i];
}

/* splitmix64's finaliser: a uniform in [0, 1) for sample i of block b and
 * series j, the same whatever thread or rank counts it. */
static double sample_uniform(uint64_t seed, uint64_t b, size_t i, size_t j)
{
    uint64_t z = seed ^ ((b * B + i) * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(j + 1) * 0xd1b54a32d192ed03ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

/* Adds the finite values of x[0..n) of weight g > 0 to histogram h, each
 * counting its weight in units of 1/WSCALE, rounded up or down at random
 * (unbiased, and integer: the counts add up exactly in any order). */
static void histogram_add_weighted(const plan *p, uint64_t *h, double *vmin, double *vmax, const double *x,
                                   const double *g, size_t n, uint64_t b, size_t j, double lo, double hi,
                                   double inv)
{
    for (size_t i = 0; i < n; i++) {
        if (!(g[i] > 0) || !isfinite(x[i])) continue;
        uint64_t c = (uint64_t)(g[i] * WSCALE + sample_uniform(p->seed, b, i, j));
        if (c == 0) continue;
        h[hist_slot(x[i], lo, hi, inv)] += c;
        if (x[i] < *vmin) *vmin = x[i];
        if (x[i] > *vmax) *vmax = x[i];
    }
}

/* Query q's tallies of the block: per cell the sums of g x and g, and the
 * count of values other than 0 and 1 (to tell an event from a probability). */
static void query_tally(const plan *p, const workspace *w, size_t q, uint64_t b, size_t n, double *tq)
{
    const double *x = w->bw.qcol[q], *g = w->bw.gcol[q], *wt = p->weighted ? w->wt : NULL;
    size_t nc = block_ncells(&p->bp, b, n), other = 0;
    double g2 = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t i0 = c * n / nc, i1 = (c + 1) * n / nc;
        double sx = 0, sg = 0;
        for (size_t i = i0; i < i1; i++) {
            double gi = (g ? g[i] : 1.0) * (wt ? wt[i] : 1.0);
            sx += gi * x[i];
            sg += gi;
            g2 += gi * gi;
            other += x[i] != 0 && x[i] != 1;
        }
        tq[2 * c] = sx;
        tq[2 * c + 1] = sg;
    }
    for (size_t c = nc; c < NCELL; c++) tq[2 * c] = tq[2 * c + 1] = 0;
    tq[2 * NCELL] = (double)other;
    tq[2 * NCELL + 1] = g2;
}

/* A weighted run's tallies of the block (run_int.h, T_WCELL on): the
 * weights w = exp(lw - shift) into w->wt first, then the cells' weighted
 * outcome sums, the series' weighted moments, the block's scalars and the
 * observations' counts; the log-weights' histogram. */
static void weighted_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t, int hist)
{
    const double *lw = w->bw.lw;
    double *wt = w->wt, mx = -INFINITY, shift = p->shift;
    for (size_t i = 0; i < n; i++) wt[i] = vm_exp(lw[i] - shift);   /* vectorised */
    double mxl[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    size_t i8 = 0;
    for (; i8 + 8 <= n; i8 += 8)
        for (size_t l = 0; l < 8; l++) mxl[l] = lw[i8 + l] > mxl[l] ? lw[i8 + l] : mxl[l];
    for (; i8 < n; i8++) mx = lw[i8] > mx ? lw[i8] : mx;
    for (size_t l = 0; l < 8; l++) mx = mxl[l] > mx ? mxl[l] : mx;
    double w2 = stats_wsum(wt, wt, n, NULL);
    size_t nc = block_ncells(&p->bp, b, n), K = p->K;
    double *cell = t + T_WCELL(p);
    for (size_t c = 0; c < nc; c++) {
        size_t i0 = c * n / nc, m = (c + 1) * n / nc - i0;
        double sw = stats_finite_sum(wt + i0, m, NULL);
        for (size_t k = 0; k < K; k++) cell[c * (K + 1) + k] = stats_wsum(w->bw.ocol[k] + i0, wt + i0, m, NULL);
        cell[c * (K + 1) + K] = sw;
    }
    for (size_t c = nc; c < NCELL; c++)
        for (size_t k = 0; k <= K; k++) cell[c * (K + 1) + k] = 0;
    double *sc = t + T_WSCALAR(p);
    sc[0] = w2;
    sc[1] = (double)w->bw.accepted;
    sc[2] = mx;
    for (size_t o = 0; o < p->O; o++) t[T_HELD(p) + o] = w->bw.held[o];
    if (!hist) return;
    /* Log-weights relative to the shift, for the Pareto k-hat (an -inf,
     * weight 0, counts below). */
    double lo = p->shift - LW_SPAN, inv = LWB / (LW_SPAN + LW_HEAD);
    for (size_t i = 0; i < n; i++) {
        double pos = (lw[i] - lo) * inv;
        size_t slot = !(pos >= 0) ? LWB : pos >= LWB ? LWB + 1 : (size_t)pos;
        w->lwhist[slot]++;
    }
}

/* A time scenario's section (run_int.h, T_TIME): the events by reported
 * step, weighted, and the paths' state sums. */
static void time_tally(const plan *p, const workspace *w, size_t n, double *t)
{
    const paths_ws *pw = w->bw.pw;
    const paths_plan *pp = p->bp.paths;
    size_t R = p->TR, E = p->TE, S = p->TS;
    memset(t, 0, R * E * 2 * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        uint32_t step = pw->end_step[i];
        if (!step) continue;
        double wi = p->weighted ? w->wt[i] : 1.0;
        double *slot = t + ((size_t)pp->slot[step] * E + pw->end_event[i]) * 2;
        slot[0] += wi;
        slot[1] += wi * wi;
    }
    memcpy(t + R * E * 2, pw->st_all, R * S * sizeof *t);
    memcpy(t + R * E * 2 + R * S, pw->st_live, R * S * sizeof *t);
    memcpy(t + R * E * 2 + 2 * R * S, pw->live, R * sizeof *t);
}

void CPU_FN(block_tally)(const plan *p, workspace *w, uint64_t b, size_t n, double *t)
{
    int hist = block_in_histogram(b);
    if (p->weighted) weighted_tally(p, w, b, n, t, hist);
    /* A weighted run's posterior counts round every series with one
     * uniform per sample (each histogram is unbiased all the same; the
     * LHS uniforms' buffer is free after sampling). */
    if (p->weighted && hist)
        for (size_t i = 0; i < n; i++) w->bw.u[i] = sample_uniform(p->seed, b, i, 0);
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
    double *sr = t + T_SERIES(p);
    double wsum = p->weighted ? stats_finite_sum(w->wt, n, NULL) : 0.0;
    for (size_t j = 0; j < p->S; j++) {
        const double *g;
        const double *x = tally_series_col(p, w, j, &g);
        sr[j] = sr[p->S + j] = sr[2 * p->S + j] = 0;
        if (j < p->F + p->D) {
            /* Moments are reported for factors and derived values only:
             * outcomes and queries have estimates of their own. */
            size_t cnt;
            double sum = stats_finite_sum(x, n, &cnt);
            double mean = cnt ? sum / (double)cnt : 0.0;
            sr[j] = mean;
            sr[p->S + j] = stats_finite_m2(x, n, mean);
            sr[2 * p->S + j] = (double)cnt;
            /* The posterior's moments, about the block's mean. */
            if (p->weighted) {
                double *ws = t + T_WSERIES(p);
                if (cnt == n) {   /* every value finite: the block's weight is the series' */
                    ws[j] = wsum;
                    stats_wmoments_finite(x, w->wt, n, mean, wsum, &ws[p->S + j], &ws[2 * p->S + j]);
                } else {
                    stats_wmoments(x, w->wt, n, mean, &ws[j], &ws[p->S + j], &ws[2 * p->S + j]);
                }
            }
        } else if (p->weighted) {
            double *ws = t + T_WSERIES(p);
            ws[j] = ws[p->S + j] = ws[2 * p->S + j] = 0;
        }
        if (!hist) continue;
        double inv = 1.0 / p->hist_w[j];
        if (p->weighted) {
            /* The posterior's counts; the prior's for factors and derived
             * values only (outcomes and queries report the posterior). */
            const double *gw = w->wt;
            if (g) {
                for (size_t i = 0; i < n; i++) w->wg[i] = g[i] * w->wt[i];
                gw = w->wg;
            }
            histogram_add_wvec(w->whist + j * HS, &w->vmin[j], &w->vmax[j], x, gw, w->bw.u, n, p->hist_lo[j],
                               p->hist_hi[j], inv);
            if (j < p->F + p->D)
                histogram_add(w->hist + j * HS, &w->vmin[j], &w->vmax[j], x, n, p->hist_lo[j], p->hist_hi[j], inv);
        } else if (g) {
            histogram_add_weighted(p, w->hist + j * HS, &w->vmin[j], &w->vmax[j], x, g, n, b, j, p->hist_lo[j],
                                   p->hist_hi[j], inv);
        } else {
            histogram_add(w->hist + j * HS, &w->vmin[j], &w->vmax[j], x, n, p->hist_lo[j], p->hist_hi[j], inv);
        }
    }
    for (size_t q = 0; q < p->Q; q++) query_tally(p, w, q, b, n, t + T_QUERY(p) + q * TQ);
    if (p->TR) time_tally(p, w, n, t + T_TIME(p));
}

#ifndef CPU_VARIANT
/* The copy of this file for the CPU's instruction-set level (util/cpu.h):
 * tally_block_avx2.c and tally_block_avx512.c compile it again. */
void block_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t)
{
    CPU_PICK(block_tally)(p, w, b, n, t);
}
#endif
