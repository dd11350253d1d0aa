/* sens.c - sensitivity analysis (sens.h): tornado, Spearman rank correlation
 * and Sobol indices, each a parallel loop over blocks (block.h) whose
 * per-block results land in per-block slots and are reduced in block order,
 * so results are bit-identical for any thread count and schedule, as in the
 * run loop. The loops run in rounds of TY_RUN_ROUND_BLOCKS blocks (the
 * bootstrap in rounds of replicates), after each of which the progress
 * callback is called and the interrupt flag tested. Nothing here knows
 * about files or printing.
 *
 * Under MPI (mpi/par_int.h) each rank computes its share of every round's
 * blocks (and bootstrap replicates); the per-block slots are gathered into
 * rank 0, which reduces them exactly as one process does, so the result is
 * the same for any ranks x threads. Every decision to stop (a fault, an
 * interrupt, a failed allocation or exchange) is agreed by all ranks at the
 * same point, and only rank 0 reports. */
#include "tyche/sens.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/par_int.h"
#include "sim/block.h"
#include "tyche/dist.h"
#include "tyche/rng.h"
#include "tyche/run.h"
#include "tyche/suggest.h"

#define B TY_RUN_BLOCK
#define BOOT_ROUND 32            /* bootstrap replicates between interrupt checks */

/* What every pass shares. */
typedef struct ctx {
    const ty_scenario *s;
    size_t F, K, T;
    size_t *dsrc;                /* T - K: derived index of each derived target */
    uint64_t seed, N, nblocks;
    int threads;
    ty_diag *diag;
    const ty_sens_options *opt;  /* interrupt flag and progress callback */
    uint64_t step, steps;        /* rounds done and in all, for the progress callback */
    uint64_t fault_at;           /* the lowest sample found faulty so far (UINT64_MAX: none) */
    ty_diag *fault;              /* its message (block_report_fault), or NULL */
} ctx;

/* Per-thread memory: two blocks (Sobol's A and B) and a saved column. */
typedef struct tws {
    block_ws a, b;
    double *save;
} tws;

int ty_sens_parse_method(const char *text, unsigned *out)
{
    static const struct { const char *name; unsigned bits; } m[] = {
        {"tornado", TY_SENS_TORNADO}, {"spearman", TY_SENS_SPEARMAN},
        {"sobol", TY_SENS_SOBOL}, {"all", TY_SENS_ALL},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (text && strcmp(text, m[i].name) == 0) { *out = m[i].bits; return 0; }
    return -1;
}

static const double *target_col(const ctx *c, const block_ws *w, size_t t)
{
    return t < c->K ? w->ocol[t] : w->dcol[c->dsrc[t - c->K]];
}

static size_t block_n(const ctx *c, uint64_t b)
{
    return (size_t)(b + 1 < c->nblocks ? B : c->N - b * B);
}

/* The first row of block b; N for b = nblocks (the end of a share). */
static uint64_t row_at(const ctx *c, uint64_t b)
{
    return b < c->nblocks ? b * B : c->N;
}

/* Evaluates w's block; on a fault (a rules miss, a score or rule that is
 * not a number) lowers *bad to the sample's index (first + the index within
 * the block), keeps the message of the lowest faulty sample seen by any
 * thread (so the one reported does not depend on thread order), and
 * returns nonzero. */
static int eval(ctx *c, const block_plan *p, block_ws *w, size_t n, uint64_t first, uint64_t *bad)
{
    size_t bi = 0;
    if (block_eval(p, w, n, &bi) == TY_OK) return 0;
    if (first + bi < *bad) *bad = first + bi;
#pragma omp critical(sens_fault)
    if (first + bi < c->fault_at) {
        c->fault_at = first + bi;
        ty_diag_free(c->fault);
        if ((c->fault = ty_diag_new(1))) block_report_fault(p, w, first + bi, c->fault);
    }
    return 1;
}

/* The kept fault's message on c->diag, naming the pass it happened in. */
static ty_status report_bad(ctx *c, uint64_t bad, const char *what)
{
    const ty_diag_entry *e = ty_diag_get(c->fault, 0);
    if (!e) {
        ty_pos pos = ty_scenario_outcome(c->s, c->K - 1)->name_pos;
        ty_diag_add(c->diag, TY_SEV_ERROR, &pos, "sample %llu of the %s has no outcome",
                    (unsigned long long)bad, what);
        return ty_diag_oom(c->fault) || !c->fault ? TY_ERR_NOMEM : TY_ERR_INVALID;
    }
    ty_pos pos = {e->file, e->line, e->col};
    ty_diag_add(c->diag, e->severity, &pos, "%s (in the %s)", e->message, what);
    if (e->hint) ty_diag_hint(c->diag, "%s", e->hint);
    return TY_ERR_INVALID;
}

/* A fault at sample bad, agreed by every rank: rank 0 reports it, with the
 * message of that very sample. When another rank found it, rank 0 has not
 * evaluated its block, so the caller's again() evaluates it afresh here,
 * recording the message exactly as one process does (eval keeps the
 * lowest sample's). The other ranks return TY_ERR_INVALID silently. */
static ty_status fault_agreed(ctx *c, uint64_t bad, const char *what,
                              void (*again)(ctx *, uint64_t b, void *arg), void *arg)
{
    if (!par_root()) return TY_ERR_INVALID;
    if (c->fault_at != bad) {
        ty_diag_free(c->fault);
        c->fault = NULL;
        c->fault_at = UINT64_MAX;
        again(c, bad / B, arg);
    }
    return report_bad(c, bad, what);
}

/* Whether every rank's exchanges of a round succeeded (rc: 0 or -1 each),
 * so that all stop together when one did not. */
static int gathers_ok(int rc)
{
    return par_min_u64(rc == 0) != 0;
}

/* One round done: tells the progress callback (rank 0's), then returns
 * nonzero when the interrupt flag is up on any rank, so that every rank
 * stops after the same round (with TY_ERR_INTERRUPTED). */
static int round_done(ctx *c)
{
    c->step++;
    if (c->opt->progress && par_root()) c->opt->progress(c->opt->progress_ctx, c->step, c->steps);
    int up = c->opt->interrupt && *c->opt->interrupt;
    return par_min_u64(up ? 0 : 1) == 0;
}

/* The end of the round of blocks from b0. */
static uint64_t round_end(const ctx *c, uint64_t b0)
{
    return c->nblocks - b0 < TY_RUN_ROUND_BLOCKS ? c->nblocks : b0 + TY_RUN_ROUND_BLOCKS;
}

static double col_sum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s;
}

/* ---- tornado and Spearman: one pass over the scenario as a run samples it */

typedef struct rank_item { double v; uint32_t i; } rank_item;

static int rank_cmp(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
    int na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na - nb;                  /* NaN last */
    if (!na && a->v != b->v) return a->v < b->v ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Replaces x[0..n) by its ranks (1-based), ties given their average rank. */
static void rank_in_place(double *x, rank_item *it, size_t n)
{
    for (size_t i = 0; i < n; i++) { it[i].v = x[i]; it[i].i = (uint32_t)i; }
    qsort(it, n, sizeof *it, rank_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && (it[j].v == it[i].v || (isnan(it[j].v) && isnan(it[i].v)))) j++;
        double r = 0.5 * (double)(i + 1 + j);      /* mean of ranks i+1 .. j */
        for (size_t k = i; k < j; k++) x[it[k].i] = r;
        i = j;
    }
}

/* Pearson correlation of two rank columns; NaN when either is constant. */
static double rank_corr(const double *x, const double *y, size_t n)
{
    double mx = col_sum(x, n) / (double)n, my = col_sum(y, n) / (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

static ty_status spearman_finish(const ctx *c, double *scol, uint64_t Ns, ty_sensitivity *out)
{
    size_t ncol = c->F + c->T;
    int nt = c->threads;
    rank_item *items = malloc((size_t)nt * Ns * sizeof *items);
    if (!items) return TY_ERR_NOMEM;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (size_t j = 0; j < ncol; j++)
        rank_in_place(scol + j * Ns, items + (size_t)omp_get_thread_num() * Ns, (size_t)Ns);
    free(items);
    for (size_t t = 0; t < c->T; t++)
        for (size_t f = 0; f < c->F; f++)
            out->spearman[t * c->F + f] = rank_corr(scol + f * Ns, scol + (c->F + t) * Ns, (size_t)Ns);
    out->spearman_samples = Ns;
    return TY_OK;
}

/* What a block of the main pass writes to. */
typedef struct main_arg {
    const block_plan *p;
    tws *ws;
    int torn;
    size_t nset;
    uint64_t Ns;
    double *tally, *scol;
    const ty_sensitivity *out;
} main_arg;

/* Block b of the main pass on w: the sums of its targets (nset sets of T
 * in its tally slot) and, with Spearman, its rows among the first Ns. A
 * fault lowers *bad. */
static void main_block(ctx *c, const main_arg *a, tws *w, uint64_t b, uint64_t *bad)
{
    const block_plan *p = a->p;
    size_t F = c->F, T = c->T, nset = a->nset;
    uint64_t Ns = a->Ns;
    size_t n = block_n(c, b);
    double *tl = a->tally + b * nset * T;
    block_sample(p, &w->a, c->seed, b, n);
    if (eval(c, p, &w->a, n, b * B, bad)) return;
    for (size_t t = 0; t < T; t++) tl[t] = col_sum(target_col(c, &w->a, t), n);
    if (a->scol && b * B < Ns) {
        size_t m = (size_t)(Ns - b * B < n ? Ns - b * B : n);
        for (size_t f = 0; f < F; f++) memcpy(a->scol + f * Ns + b * B, w->a.fcol[f], m * sizeof *a->scol);
        for (size_t t = 0; t < T; t++)
            memcpy(a->scol + (F + t) * Ns + b * B, target_col(c, &w->a, t), m * sizeof *a->scol);
    }
    if (!a->torn) return;
    for (size_t f = 0; f < F; f++) {
        memcpy(w->save, w->a.fcol[f], n * sizeof *w->save);
        for (int side = 0; side < 2; side++) {
            double v = side ? a->out->value_high[f] : a->out->value_low[f];
            for (size_t i = 0; i < n; i++) w->a.fcol[f][i] = v;
            if (eval(c, p, &w->a, n, b * B, bad)) continue;
            double *ts = tl + (1 + 2 * f + (size_t)side) * T;
            for (size_t t = 0; t < T; t++) ts[t] = col_sum(target_col(c, &w->a, t), n);
        }
        memcpy(w->a.fcol[f], w->save, n * sizeof *w->save);
    }
}

static void main_again(ctx *c, uint64_t b, void *arg)
{
    const main_arg *a = arg;
    uint64_t bad = UINT64_MAX;
    main_block(c, a, &a->ws[0], b, &bad);
}

/* This rank's blocks [lo, hi) of the round from b0 to rank 0: their tally
 * slots and their Spearman rows. 0, or -1. */
static int main_gather(const ctx *c, const main_arg *a, uint64_t b0, uint64_t lo, uint64_t hi)
{
    int rc = par_gather(a->tally, a->nset * c->T * sizeof *a->tally, lo, hi - lo, 0);
    if (a->scol && b0 * B < a->Ns) {
        uint64_t Ns = a->Ns, r0 = row_at(c, lo), r1 = row_at(c, hi);
        if (r0 > Ns) r0 = Ns;
        if (r1 > Ns) r1 = Ns;
        for (size_t j = 0; j < c->F + c->T; j++)
            rc |= par_gather(a->scol + j * Ns, sizeof *a->scol, r0, r1 - r0, 0);
    }
    return rc;
}

/* Samples every block as a run does (seed, correlations): the baseline mean
 * of each target; with the tornado, the means with each factor held at its
 * low and high values on the same draws; with Spearman, the first Ns
 * samples' factor and target values, ranked afterwards. */
static ty_status main_pass(ctx *c, const block_plan *p, tws *ws, unsigned methods,
                           ty_sensitivity *out)
{
    int torn = (methods & TY_SENS_TORNADO) != 0, spear = (methods & TY_SENS_SPEARMAN) != 0;
    size_t F = c->F, T = c->T, nset = torn ? 1 + 2 * F : 1;
    uint64_t Ns = spear ? (c->N < TY_SENS_SPEARMAN_MAX ? c->N : TY_SENS_SPEARMAN_MAX) : 0;
    double *tally = malloc((size_t)c->nblocks * nset * T * sizeof *tally);
    double *scol = spear ? malloc((F + T) * (size_t)Ns * sizeof *scol) : NULL;
    /* Every rank goes on, or none does (the others would wait in a gather). */
    if (par_agree_status(tally && (!spear || scol) ? TY_OK : TY_ERR_NOMEM, "allocating the tallies", c->diag)) {
        free(tally);
        free(scol);
        return TY_ERR_NOMEM;
    }
    main_arg a = {p, ws, torn, nset, Ns, tally, scol, out};
    uint64_t bad = UINT64_MAX;
    int stop = 0, lost = 0;

    for (uint64_t b0 = 0; b0 < c->nblocks && bad == UINT64_MAX && !stop && !lost; b0 = round_end(c, b0)) {
        uint64_t b1 = round_end(c, b0), lo, hi;
        par_share(b0, b1, &lo, &hi);
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->threads) reduction(min : bad)
        for (uint64_t b = lo; b < hi; b++) main_block(c, &a, &ws[omp_get_thread_num()], b, &bad);
        bad = par_min_u64(bad);
        if (bad != UINT64_MAX) break;
        lost = !gathers_ok(main_gather(c, &a, b0, lo, hi));
        if (!lost) stop = round_done(c);
    }
    ty_status st = lost ? par_exchange_failed(c->diag) : stop ? TY_ERR_INTERRUPTED : TY_OK;
    if (bad != UINT64_MAX) st = fault_agreed(c, bad, torn ? "tornado" : "baseline", main_again, &a);
    /* The means and ranks need every block's slots: rank 0's alone. */
    for (size_t t = 0; st == TY_OK && par_root() && t < T; t++) {
        for (size_t k = 0; k < nset; k++) {
            double sum = 0;
            for (uint64_t b = 0; b < c->nblocks; b++) sum += tally[(b * nset + k) * T + t];
            double mean = sum / (double)c->N;
            if (k == 0) out->baseline[t] = mean;
            else if ((k - 1) % 2 == 0) out->low[t * F + (k - 1) / 2] = mean;
            else out->high[t * F + (k - 1) / 2] = mean;
        }
    }
    free(tally);
    if (st == TY_OK && spear && par_root()) st = spearman_finish(c, scol, Ns, out);
    free(scol);
    return st;
}

/* ---- Sobol ------------------------------------------------------------- */

/* First-order and total indices of every target and factor from the rows
 * idx[0..N) (or 0..N-1 when idx is NULL) of Y: per target, F + 2 columns of
 * N values: f(A), f(B), f(AB_1), ..., f(AB_F). f(B) is centred on the mean
 * of f(A) and f(B): the same expectation (E f(AB_i) - f(A) = 0), far less
 * cancellation when the target's mean is large beside its spread. */
static void sobol_indices(const double *Y, size_t T, size_t F, uint64_t N, const uint32_t *idx,
                          double *first, double *total)
{
    size_t W = F + 2;
    for (size_t t = 0; t < T; t++) {
        const double *fa = Y + (t * W) * N, *fb = Y + (t * W + 1) * N;
        double m = 0, v = 0;
        for (uint64_t k = 0; k < N; k++) {
            uint64_t r = idx ? idx[k] : k;
            m += fa[r] + fb[r];
        }
        m /= 2.0 * (double)N;
        for (uint64_t k = 0; k < N; k++) {
            uint64_t r = idx ? idx[k] : k;
            v += (fa[r] - m) * (fa[r] - m) + (fb[r] - m) * (fb[r] - m);
        }
        v /= 2.0 * (double)N - 1.0;
        for (size_t i = 0; i < F; i++) {
            const double *fab = Y + (t * W + 2 + i) * N;
            double s1 = 0, st = 0;
            for (uint64_t k = 0; k < N; k++) {
                uint64_t r = idx ? idx[k] : k;
                double d = fab[r] - fa[r];
                s1 += (fb[r] - m) * d;
                st += d * d;
            }
            first[t * F + i] = v > 0 ? s1 / (double)N / v : NAN;
            total[t * F + i] = v > 0 ? st / (2.0 * (double)N) / v : NAN;
        }
    }
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    int na = isnan(a), nb = isnan(b);
    if (na || nb) return na - nb;
    return (a > b) - (a < b);
}

/* Percentile q of sorted x[0..n) by linear interpolation (NaN if any NaN). */
static double percentile(const double *x, size_t n, double q)
{
    if (n == 0 || isnan(x[n - 1])) return NAN;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n) return x[n - 1];
    return x[i] + (pos - (double)i) * (x[i + 1] - x[i]);
}

/* What a block of the Sobol design writes to. */
typedef struct sobol_arg {
    const block_plan *p;
    tws *ws;
    uint64_t seed_b;
    double *Y;
} sobol_arg;

/* Block b of the Sobol design on w: its rows of every column of Y. A fault
 * lowers *bad. */
static void sobol_block(ctx *c, const sobol_arg *a, tws *w, uint64_t b, uint64_t *bad)
{
    const block_plan *p = a->p;
    size_t F = c->F, T = c->T, W = F + 2, N = (size_t)c->N;
    double *Y = a->Y;
    size_t n = block_n(c, b);
    size_t row = (size_t)(b * B);
    block_sample(p, &w->b, a->seed_b, b, n);
    if (eval(c, p, &w->b, n, b * B, bad)) return;
    block_sample(p, &w->a, c->seed, b, n);
    if (eval(c, p, &w->a, n, b * B, bad)) return;
    for (size_t t = 0; t < T; t++) {
        memcpy(Y + (t * W + 0) * N + row, target_col(c, &w->a, t), n * sizeof *Y);
        memcpy(Y + (t * W + 1) * N + row, target_col(c, &w->b, t), n * sizeof *Y);
    }
    for (size_t i = 0; i < F; i++) {
        memcpy(w->save, w->a.fcol[i], n * sizeof *w->save);
        memcpy(w->a.fcol[i], w->b.fcol[i], n * sizeof *w->save);
        if (!eval(c, p, &w->a, n, b * B, bad))
            for (size_t t = 0; t < T; t++)
                memcpy(Y + (t * W + 2 + i) * N + row, target_col(c, &w->a, t), n * sizeof *Y);
        memcpy(w->a.fcol[i], w->save, n * sizeof *w->save);
    }
}

static void sobol_again(ctx *c, uint64_t b, void *arg)
{
    const sobol_arg *a = arg;
    uint64_t bad = UINT64_MAX;
    sobol_block(c, a, &a->ws[0], b, &bad);
}

static ty_status sobol_pass(ctx *c, const block_plan *p, tws *ws, unsigned R,
                            ty_sensitivity *out)
{
    size_t F = c->F, T = c->T, W = F + 2, N = (size_t)c->N;
    double *Y = malloc(T * W * N * sizeof *Y);
    if (par_agree_status(Y ? TY_OK : TY_ERR_NOMEM, "allocating the Sobol design", c->diag)) {
        free(Y);
        return TY_ERR_NOMEM;
    }
    uint64_t seed_b = c->seed ^ ty_rng_hash_name("#sobol-B");   /* '#' starts no factor name */
    sobol_arg a = {p, ws, seed_b, Y};
    uint64_t bad = UINT64_MAX;
    int stop = 0, lost = 0;

    for (uint64_t b0 = 0; b0 < c->nblocks && bad == UINT64_MAX && !stop && !lost; b0 = round_end(c, b0)) {
        uint64_t b1 = round_end(c, b0), lo, hi;
        par_share(b0, b1, &lo, &hi);
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->threads) reduction(min : bad)
        for (uint64_t b = lo; b < hi; b++) sobol_block(c, &a, &ws[omp_get_thread_num()], b, &bad);
        bad = par_min_u64(bad);
        if (bad != UINT64_MAX) break;
        /* Every rank resamples the rows of Y in the bootstrap: all of Y to all. */
        uint64_t r0 = row_at(c, lo), r1 = row_at(c, hi);
        int rc = 0;
        for (size_t col = 0; col < T * W; col++) rc |= par_gather(Y + col * N, sizeof *Y, r0, r1 - r0, 1);
        lost = !gathers_ok(rc);
        if (!lost) stop = round_done(c);
    }
    if (bad != UINT64_MAX) {
        ty_status st = fault_agreed(c, bad, "Sobol design", sobol_again, &a);
        free(Y);
        return st;
    }
    if (lost) { free(Y); return par_exchange_failed(c->diag); }
    if (stop) { free(Y); return TY_ERR_INTERRUPTED; }
    if (par_root()) sobol_indices(Y, T, F, N, NULL, out->first, out->total);

    /* Bootstrap: replicate r resamples the N rows with the stream (seed, r,
     * "#sobol-bootstrap"), so each replicate is the same on any thread and
     * rank; each rank computes its share of a round, gathered into rank 0. */
    size_t TF = T * F;
    double *rep = malloc((size_t)R * 2 * TF * sizeof *rep);
    uint32_t *idx = malloc((size_t)c->threads * N * sizeof *idx);
    double *sorted = malloc((size_t)R * sizeof *sorted);
    if (par_agree_status(rep && idx && sorted ? TY_OK : TY_ERR_NOMEM, "allocating the bootstrap", c->diag)) {
        free(Y); free(rep); free(idx); free(sorted);
        return TY_ERR_NOMEM;
    }
    uint64_t hb = ty_rng_hash_name("#sobol-bootstrap");
    for (unsigned r0 = 0; r0 < R && !stop && !lost; r0 += BOOT_ROUND) {
        unsigned r1 = R - r0 < BOOT_ROUND ? R : r0 + BOOT_ROUND;
        uint64_t lo, hi;
        par_share(r0, r1, &lo, &hi);
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->threads)
        for (unsigned r = (unsigned)lo; r < (unsigned)hi; r++) {
            uint32_t *ix = idx + (size_t)omp_get_thread_num() * N;
            ty_rng rng;
            ty_rng_for_block(&rng, c->seed, r, hb);
            for (size_t k = 0; k < N; k++) ix[k] = (uint32_t)ty_rng_bounded(&rng, N);
            sobol_indices(Y, T, F, N, ix, rep + (size_t)r * 2 * TF, rep + (size_t)r * 2 * TF + TF);
        }
        lost = !gathers_ok(TF ? par_gather(rep, 2 * TF * sizeof *rep, lo, hi - lo, 0) : 0);
        if (!lost) stop = round_done(c);
    }
    ty_status st = lost ? par_exchange_failed(c->diag) : stop ? TY_ERR_INTERRUPTED : TY_OK;
    const double lo = 0.025, hi = 0.975;
    for (size_t j = 0; st == TY_OK && par_root() && j < TF; j++)
        for (int which = 0; which < 2; which++) {
            for (unsigned r = 0; r < R; r++) sorted[r] = rep[(size_t)r * 2 * TF + (size_t)which * TF + j];
            qsort(sorted, R, sizeof *sorted, cmp_double);
            double *ci = which ? out->total_ci : out->first_ci;
            ci[2 * j] = percentile(sorted, R, lo);
            ci[2 * j + 1] = percentile(sorted, R, hi);
        }
    if (st == TY_OK) out->bootstrap = R;
    free(Y);
    free(rep);
    free(idx);
    free(sorted);
    return st;
}

/* ---- the entry point --------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

/* Resolves the targets: the outcomes, then each named derived value once. */
static ty_status resolve_targets(ctx *c, const ty_sens_options *opt, ty_sensitivity *out)
{
    const ty_scenario *s = c->s;
    size_t D = ty_scenario_nderived(s);
    c->dsrc = malloc((opt->ntargets + 1) * sizeof *c->dsrc);
    out->targets = calloc(c->K + opt->ntargets + 1, sizeof *out->targets);
    if (!c->dsrc || !out->targets) return TY_ERR_NOMEM;
    for (size_t k = 0; k < c->K; k++) {
        if (!(out->targets[k] = dup_str(ty_scenario_outcome(s, k)->name))) return TY_ERR_NOMEM;
        out->ntargets = k + 1;   /* what ty_sensitivity's free releases */
    }
    c->T = c->K;
    out->ntargets = c->K;
    ty_status st = TY_OK;
    for (size_t i = 0; i < opt->ntargets; i++) {
        const char *name = opt->targets[i];
        size_t d = 0;
        while (d < D && strcmp(ty_scenario_derived(s, d)->name, name) != 0) d++;
        if (d == D) {
            const char **cand = malloc((D + 1) * sizeof *cand);
            if (!cand) return TY_ERR_NOMEM;
            for (size_t j = 0; j < D; j++) cand[j] = ty_scenario_derived(s, j)->name;
            const char *hint = ty_suggest(name, cand, D);
            int is_outcome = 0;
            for (size_t k = 0; k < c->K; k++) is_outcome |= strcmp(ty_scenario_outcome(s, k)->name, name) == 0;
            ty_diag_add(c->diag, TY_SEV_ERROR, NULL, "target '%s' is not a derived value of scenario '%s'%s",
                        name, ty_scenario_name(s),
                        is_outcome ? " (it is an outcome: outcomes are always targets)"
                        : ty_scenario_find_factor(s, name) >= 0 ? " (it is a factor)" : "");
            if (hint) ty_diag_hint(c->diag, "did you mean '%s'?", hint);
            free(cand);
            st = TY_ERR_INVALID;
            continue;
        }
        int dup = 0;
        for (size_t j = c->K; j < c->T; j++) dup |= c->dsrc[j - c->K] == d;
        if (dup) continue;
        c->dsrc[c->T - c->K] = d;
        if (!(out->targets[c->T] = dup_str(name))) return TY_ERR_NOMEM;
        c->T++;
        out->ntargets = c->T;
    }
    return st;
}

static ty_status alloc_arrays(const ctx *c, unsigned methods, ty_sensitivity *o)
{
    size_t TF = c->T * c->F + 1, F = c->F + 1;
    int ok = 1;
    o->factors = calloc(F, sizeof *o->factors);
    ok &= o->factors != NULL;
    for (size_t f = 0; ok && f < c->F; f++) ok &= (o->factors[f] = dup_str(ty_scenario_factor(c->s, f)->name)) != NULL;
    o->nfactors = o->factors ? c->F : 0;
    ok &= (o->baseline = calloc(c->T + 1, sizeof(double))) != NULL;
    if (methods & TY_SENS_TORNADO) {
        ok &= (o->low = calloc(TF, sizeof(double))) != NULL;
        ok &= (o->high = calloc(TF, sizeof(double))) != NULL;
        ok &= (o->value_low = calloc(F, sizeof(double))) != NULL;
        ok &= (o->value_high = calloc(F, sizeof(double))) != NULL;
    }
    if (methods & TY_SENS_SPEARMAN) ok &= (o->spearman = calloc(TF, sizeof(double))) != NULL;
    if (methods & TY_SENS_SOBOL) {
        ok &= (o->first = calloc(TF, sizeof(double))) != NULL;
        ok &= (o->total = calloc(TF, sizeof(double))) != NULL;
        ok &= (o->first_ci = calloc(2 * TF, sizeof(double))) != NULL;
        ok &= (o->total_ci = calloc(2 * TF, sizeof(double))) != NULL;
    }
    return ok ? TY_OK : TY_ERR_NOMEM;
}

static void tws_free(tws *ws, int n)
{
    for (int t = 0; ws && t < n; t++) {
        block_ws_clear(&ws[t].a);
        block_ws_clear(&ws[t].b);
        free(ws[t].save);
    }
    free(ws);
}

static tws *tws_new(const block_plan *p, int n, int two)
{
    tws *ws = calloc((size_t)n, sizeof *ws);
    if (!ws) return NULL;
    int ok = 1;
    for (int t = 0; t < n; t++) {
        ok &= block_ws_init(&ws[t].a, p) == 0;
        if (two) ok &= block_ws_init(&ws[t].b, p) == 0;
        ok &= (ws[t].save = malloc(B * sizeof *ws[t].save)) != NULL;
    }
    if (!ok) { tws_free(ws, n); return NULL; }
    return ws;
}

ty_status ty_sens_run(const ty_scenario *s, const ty_sens_options *opt, ty_sensitivity **out,
                      ty_diag *diag)
{
    *out = NULL;
    unsigned methods = opt->methods ? opt->methods & TY_SENS_ALL : TY_SENS_ALL;
    ctx c = {.s = s, .diag = diag, .opt = opt};
    c.F = ty_scenario_nfactors(s);
    c.K = ty_scenario_noutcomes(s);
    c.N = opt->samples ? opt->samples : TY_SENS_SAMPLES;
    c.nblocks = (c.N + B - 1) / B;
    c.seed = opt->has_seed ? opt->seed : ty_scenario_run(s)->seed;
    c.threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    c.fault_at = UINT64_MAX;
    /* As a run: a thread holds workspaces (and Spearman's rank buffers)
     * for the whole analysis, so never more than 4 per processor (at least
     * 8), nor more than there are blocks; the result does not depend on it. */
    int cap = 4 * omp_get_num_procs();
    if (cap < 8) cap = 8;
    if (c.threads > cap) c.threads = cap;
    if ((uint64_t)c.threads > c.nblocks) c.threads = (int)(c.nblocks ? c.nblocks : 1);
    unsigned R = opt->bootstrap ? opt->bootstrap : TY_SENS_BOOTSTRAP;
    uint64_t nrounds = (c.nblocks + TY_RUN_ROUND_BLOCKS - 1) / TY_RUN_ROUND_BLOCKS;
    c.steps = nrounds + ((methods & TY_SENS_SOBOL) ? nrounds + (R + BOOT_ROUND - 1) / BOOT_ROUND : 0);
    int correlated = ty_scenario_ncorrelations(s) > 0;

    if ((methods & TY_SENS_SOBOL) && correlated && !opt->ignore_correlations) {
        ty_pos pos = {ty_scenario_path(s), 0, 0};
        ty_diag_add(diag, TY_SEV_ERROR, &pos, "Sobol indices assume independent factors, and "
                    "scenario '%s' has %zu correlation%s", ty_scenario_name(s),
                    ty_scenario_ncorrelations(s), ty_scenario_ncorrelations(s) == 1 ? "" : "s");
        ty_diag_hint(diag, "pass --ignore-correlations to compute them with the factors independent "
                     "(the result records it), or use --method tornado or spearman");
        return TY_ERR_INVALID;
    }
    if ((methods & TY_SENS_SOBOL) && c.N > TY_SENS_SOBOL_MAX) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "Sobol indices keep every row for the bootstrap: "
                    "at most %d samples, not %llu", TY_SENS_SOBOL_MAX, (unsigned long long)c.N);
        return TY_ERR_LIMIT;
    }

    /* Every failure up to here is the same on every rank; from here on one
     * rank's failed allocation is agreed before any exchange. */
    ty_sensitivity *o = calloc(1, sizeof *o);
    if (!o) return par_agree_status(TY_ERR_NOMEM, "sensitivity", diag);
    o->methods = methods;
    o->samples = c.N;
    o->seed = c.seed;
    o->ignore_correlations = (methods & TY_SENS_SOBOL) && correlated && opt->ignore_correlations;
    o->low_quantile = TY_SENS_LOW_QUANTILE;
    o->high_quantile = TY_SENS_HIGH_QUANTILE;
    block_plan pc = {0}, pi = {0};
    tws *ws = NULL;
    ty_status st = resolve_targets(&c, opt, o);
    o->noutcome_targets = c.K;
    if (st == TY_OK) st = alloc_arrays(&c, methods, o);
    if (st == TY_OK && (methods & TY_SENS_TORNADO))
        for (size_t f = 0; f < c.F; f++) {
            const ty_dist *d = ty_scenario_factor(s, f)->dist;
            o->value_low[f] = ty_dist_quantile(d, TY_SENS_LOW_QUANTILE);
            o->value_high[f] = ty_dist_quantile(d, TY_SENS_HIGH_QUANTILE);
        }

    /* The run's plan (with correlations) for the tornado and Spearman; an
     * independent one for Sobol. */
    ty_sampling sampling = TY_SAMPLING_RANDOM;
    if (st == TY_OK) st = block_plan_init(&pc, s, sampling, 1, diag);
    if (st == TY_OK && (methods & TY_SENS_SOBOL)) st = block_plan_init(&pi, s, sampling, 0, diag);
    if (st == TY_OK && !(ws = tws_new(&pc, c.threads, (methods & TY_SENS_SOBOL) != 0))) st = TY_ERR_NOMEM;
    /* Each pass returns the same status on every rank but for failures of
     * rank 0's own (its final reductions): agreed after each. */
    st = par_agree_status(st, "preparing the analysis", diag);
    if (st == TY_OK) st = par_agree_status(main_pass(&c, &pc, ws, methods, o), "the tornado and Spearman pass", diag);
    if (st == TY_OK && (methods & TY_SENS_SOBOL)) {
        /* pc and pi have the same shape, so the workspaces fit both. */
        st = par_agree_status(sobol_pass(&c, &pi, ws, R, o), "the Sobol pass", diag);
    }

    tws_free(ws, ws ? c.threads : 0);
    block_plan_clear(&pc);
    block_plan_clear(&pi);
    free(c.dsrc);
    ty_diag_free(c.fault);
    if (st != TY_OK) { ty_sensitivity_free(o); return st; }
    *out = o;
    return TY_OK;
}
