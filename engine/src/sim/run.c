/* run.c - the deterministic parallel run loop (see run.h): rounds of blocks
 * sampled and evaluated in parallel, their tallies combined in block order
 * (tally.c), checkpoints at 2^k blocks for convergence, the target
 * half-width and interrupts. What a block is lives in block.c; how tallies
 * become estimates, in stats/estimate.c. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/par_int.h"
#include "run_int.h"

#define THREADS_PER_CPU 4         /* --threads is capped at this many a processor... */
#define THREADS_MIN 8             /* ...but never below this (thread-count tests on small machines) */
#define SAVE_ROUND_BLOCKS 64     /* smaller rounds when samples are kept for the sink */
#define TARGET_MIN_BLOCKS 8      /* --target-halfwidth: 8192 samples, 64 cells before it may stop */

/* One run's state: the plan, the reduction, the threads' memory and the
 * round buffers. */
typedef struct run {
    plan p;
    accum a;
    ty_run_settings set;
    uint64_t N, nblocks;         /* samples and blocks to run at most */
    int threads, nws;
    workspace *ws;               /* nws == threads slots: ws[0] made by run_prepare,
                                    the others by the first block their thread runs */
    size_t round_cap;            /* blocks per round at most */
    double *tallies;             /* round_cap x ntally */
    double *save;                /* --save-samples: (S + K) columns of round_cap x B */
    const ty_run_options *opt;
    int groups_whole;            /* a->gsum covers every block (not a resume without them) */
    uint64_t rounds_done;        /* rounds whose samples went to the sink */
    uint64_t sink_skip;          /* rounds whose samples the sink already has (a
                                    restarted run: the same samples again) */
    int local;                   /* this rank alone (run_scenario_local): no collectives */
} run;

void ty_run_settings_resolve(const ty_scenario *s, const ty_run_options *opt, ty_run_settings *out)
{
    *out = *ty_scenario_run(s);
    if (opt->samples) out->samples = opt->samples;
    if (opt->has_seed) out->seed = opt->seed;
    if (opt->has_sampling) out->sampling = opt->sampling;
    if (opt->target_halfwidth > 0) out->target_halfwidth = opt->target_halfwidth;
    if (opt->max_samples) out->max_samples = opt->max_samples;
}

uint64_t ty_run_max_samples(const ty_run_settings *set)
{
    if (set->target_halfwidth > 0) return set->max_samples ? set->max_samples : set->samples;
    return set->max_samples && set->max_samples < set->samples ? set->max_samples : set->samples;
}

/* Samples in block b of the run. */
static size_t block_size(const run *r, uint64_t b)
{
    return (size_t)(b + 1 < r->nblocks ? B : r->N - b * B);
}

/* The end of the round from block next: at most cap blocks, never past
 * the next checkpoint (2^k blocks) nor the last block. The caller doubles
 * the checkpoint when a round ends on it. */
static uint64_t round_end(uint64_t next, uint64_t cap, uint64_t checkpoint, uint64_t nblocks)
{
    uint64_t end = next + cap;
    if (end > checkpoint) end = checkpoint;
    return end > nblocks ? nblocks : end;
}

/* Samples in blocks [lo, hi). */
static uint64_t blocks_samples(const run *r, uint64_t lo, uint64_t hi)
{
    uint64_t end = hi * B < r->N ? hi * B : r->N;
    return hi > lo ? end - lo * B : 0;
}

/* par_agree_status, or this rank's own status for a local run. */
static ty_status agree(const run *r, ty_status st, const char *what, ty_diag *diag)
{
    return r->local ? st : par_agree_status(st, what, diag);
}

/* The ranks' primitives, or this rank alone for a local run. */
static int is_root(const run *r) { return r->local || par_root(); }
static uint64_t min_all(const run *r, uint64_t v) { return r->local ? v : par_min_u64(v); }

/* The outcome names and labels of out. 0 or -1 (memory). */
static int outcome_names(const ty_scenario *s, const char *variant, ty_run_result *out)
{
    size_t K = ty_scenario_noutcomes(s);
    out->variant = strdup(variant);
    out->noutcomes = K;
    out->outcome_names = calloc(K, sizeof *out->outcome_names);
    out->outcome_labels = calloc(K, sizeof *out->outcome_labels);
    out->outcomes = calloc(K, sizeof *out->outcomes);
    if (!out->variant || !out->outcome_names || !out->outcome_labels || !out->outcomes) return -1;
    for (size_t k = 0; k < K; k++) {
        const ty_outcome *o = ty_scenario_outcome(s, k);
        out->outcome_names[k] = strdup(o->name);
        out->outcome_labels[k] = o->label ? strdup(o->label) : NULL;
        if (!out->outcome_names[k] || (o->label && !out->outcome_labels[k])) return -1;
    }
    return 0;
}

/* Resolves the settings and sizes and allocates everything the run needs.
 * TY_OK, TY_ERR_NOMEM, or block_plan_init's error on diag. Free with
 * run_free whatever it returns. */
static ty_status run_prepare(run *r, const ty_scenario *s, const ty_run_options *opt, double shift, ty_diag *diag)
{
    memset(r, 0, sizeof *r);
    r->opt = opt;
    ty_run_settings_resolve(s, opt, &r->set);
    r->N = ty_run_max_samples(&r->set);
    r->nblocks = (r->N + B - 1) / B;

    plan *p = &r->p;
    *p = (plan){.s = s, .seed = r->set.seed, .model = ty_scenario_model(s)};
    p->F = ty_scenario_nfactors(s);
    p->D = ty_scenario_nderived(s);
    p->K = ty_scenario_noutcomes(s);
    p->Q = ty_scenario_nqueries(s);
    p->O = ty_scenario_nobservations(s);
    p->weighted = p->O > 0;
    p->S = p->F + p->D + p->K;
    p->qseries = calloc(p->Q + 1, sizeof *p->qseries);
    if (!p->qseries) return TY_ERR_NOMEM;
    for (size_t q = 0; q < p->Q; q++)
        if (ty_scenario_query(s, q)->kind == TY_QUERY_QUANTILES) p->qseries[q] = p->S++;
    p->ntally = p->weighted ? T_HELD(p) + p->O : T_WCELL(p);
    if (ty_scenario_time(s)) {
        p->TR = paths_nreport(ty_scenario_time(s)->steps);   /* as the paths' plan's R */
        p->TE = p->K - 1;
        p->TS = ty_scenario_nstates(s);
        p->time_off = p->ntally;
        p->ntally += TIME_SIZE(p);
    }
    p->units = r->set.sampling == TY_SAMPLING_LHS ? UNITS_CELLS : UNITS_SAMPLES;
    r->threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    r->round_cap = opt->sink ? SAVE_ROUND_BLOCKS : TY_RUN_ROUND_BLOCKS;
    /* Each thread holds a workspace (columns and histograms, megabytes for
     * a large scenario) and one without a block to run, or without a core
     * to run on, only holds memory: never more threads than a round has
     * blocks, nor than THREADS_PER_CPU per processor (at least
     * THREADS_MIN). Results do not depend on the thread count. */
    int cap = THREADS_PER_CPU * omp_get_num_procs();
    if (cap < THREADS_MIN) cap = THREADS_MIN;
    if (r->threads > cap) r->threads = cap;
    if ((uint64_t)r->threads > r->nblocks) r->threads = (int)(r->nblocks ? r->nblocks : 1);
    if ((size_t)r->threads > r->round_cap) r->threads = (int)r->round_cap;

    r->tallies = malloc(r->round_cap * p->ntally * sizeof *r->tallies);
    r->ws = calloc((size_t)r->threads, sizeof *r->ws);
    if (!r->tallies || !r->ws) return TY_ERR_NOMEM;
    ty_status st = block_plan_init(&p->bp, s, r->set.sampling, 1, diag);
    if (st != TY_OK) return st;
    p->bp.cells = block_cells_for(r->N);
    p->bp.Q = p->Q;
    p->bp.O = p->O;
    if (accum_init(&r->a, p, r->nblocks, r->N) != 0) return TY_ERR_NOMEM;
    r->nws = r->threads;
    if (workspace_init(&r->ws[0], p) != 0) return TY_ERR_NOMEM;
    if (opt->sink) {
        r->save = malloc(r->round_cap * B * (p->F + p->D + p->K + (size_t)p->weighted) * sizeof *r->save);
        if (!r->save) return TY_ERR_NOMEM;
    }
    if (tally_ranges(p, &r->ws[0], r->N) != 0) return TY_ERR_NOMEM;
    if (!isnan(shift)) p->shift = shift;   /* a restart's or a resumed run's */
    memset(r->ws[0].hist, 0, p->S * HS * sizeof *r->ws[0].hist);
    return TY_OK;
}

static void run_free(run *r)
{
    for (int t = 0; t < r->nws; t++) workspace_free(&r->ws[t]);
    free(r->ws);
    free(r->save);
    free(r->tallies);
    accum_free(&r->a, &r->p);
    block_plan_clear(&r->p.bp);
}

/* Appends one point to a convergence trace. 0 or -1 (memory). */
static int convergence_append(ty_convergence *c, size_t K, uint64_t samples, const double *prob,
                              const double *half)
{
    size_t m = c->npoints + 1;
    uint64_t *smp = realloc(c->samples, m * sizeof *smp);
    if (smp) c->samples = smp;
    double *pr = realloc(c->probability, m * K * sizeof *pr);
    if (pr) c->probability = pr;
    double *hw = realloc(c->halfwidth, m * K * sizeof *hw);
    if (hw) c->halfwidth = hw;
    if (!smp || !pr || !hw) return -1;
    c->samples[m - 1] = samples;
    memcpy(c->probability + (m - 1) * K, prob, K * sizeof *prob);
    memcpy(c->halfwidth + (m - 1) * K, half, K * sizeof *half);
    c->npoints = m;
    return 0;
}

/* Outcome k's estimate. The standard error rests on the independent units
 * the sampling allows (run_int.h): every sample under random sampling
 * (correlated factors included: each sample is its own draw of the copula);
 * every cell of a Latin hypercube run, whose samples are stratified within
 * the cell. A run of one sample (no units to compare) falls back to the
 * variance of independent draws. Student's t on the units' degrees of
 * freedom and Wilson's score form make the interval honest at small sizes
 * and near 0 and 1 (stats_interval). */
static ty_estimate prior_estimate(const plan *p, const accum *a, size_t k)
{
    double N = (double)a->est.n, units = (double)a->est.blocks, mean, se;
    stats_blocks_mean_se(&a->est, k, &mean, &se);
    if (p->units == UNITS_CELLS && units >= 2)
        return stats_interval(mean, se, units - 1, N, p->model != TY_OUTCOME_LOGIT);
    se = N > 1 ? sqrt(a->om2[k] / (N - 1) / N) : NAN;
    return stats_interval(mean, se, N - 1, N, 0);
}

/* Outcome k's estimate: the prior's above, or a weighted run's
 * (tally_weighted_outcome: the ratio estimator of w x over w). */
static ty_estimate outcome_estimate(const plan *p, const accum *a, size_t k)
{
    return p->weighted ? tally_weighted_outcome(p, a, k) : prior_estimate(p, a, k);
}

/* Records a convergence point and sets *max_half to the widest interval's
 * half-width (NaN counts as not reached: +inf). 0 or -1 (memory). */
static int add_checkpoint(const plan *p, const accum *a, ty_convergence *c, double *max_half)
{
    double *pr = malloc(2 * p->K * sizeof *pr + 1), *hw = pr + p->K;
    if (!pr) return -1;
    *max_half = 0;
    for (size_t k = 0; k < p->K; k++) {
        ty_estimate e = outcome_estimate(p, a, k);
        pr[k] = e.probability;
        hw[k] = (e.ci_high - e.ci_low) / 2;
        if (!(hw[k] <= *max_half)) *max_half = hw[k];
    }
    int rc = convergence_append(c, p->K, a->est.n, pr, hw);
    free(pr);
    return rc;
}

/* Continues from an interrupted result: its accumulators and convergence
 * trace. Returns TY_OK, TY_ERR_INVALID (on diag) when it does not fit,
 * TY_ERR_NOMEM. */
static ty_status run_resume(run *r, const ty_run_result *prev, ty_run_result *out, ty_diag *diag)
{
    if (tally_load_state(&r->p, &r->a, &prev->resume) != 0 || prev->noutcomes != r->p.K ||
        r->a.blocks > r->nblocks || (r->p.weighted && isnan(tally_state_shift(&r->p, &prev->resume)))) {
        ty_diag_add(diag, TY_SEV_ERROR, NULL, "the result's resume state does not fit this "
                    "scenario and these settings (was the scenario changed?)");
        return TY_ERR_INVALID;
    }
    /* The paired-difference groups, when the file kept them (a batch's
     * runs): a resumed variant still pairs with the baseline. */
    if (prev->group_sums && prev->group_weights) {
        if (prev->ngroups != r->a.ngroups || prev->group_units != r->a.group_units) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "the result's resume state does not fit this "
                        "scenario and these settings (was the scenario changed?)");
            return TY_ERR_INVALID;
        }
        memcpy(r->a.gsum, prev->group_sums, prev->ngroups * r->p.K * sizeof *r->a.gsum);
        memcpy(r->a.gw, prev->group_weights, prev->ngroups * sizeof *r->a.gw);
        if (r->p.Q) {
            if (!prev->query_group_sums || prev->nqueries != r->p.Q) {
                ty_diag_add(diag, TY_SEV_ERROR, NULL, "the result's resume state does not fit this "
                            "scenario and these settings (was the scenario changed?)");
                return TY_ERR_INVALID;
            }
            memcpy(r->a.qgsum, prev->query_group_sums, prev->ngroups * r->p.Q * 2 * sizeof *r->a.qgsum);
        }
    } else {
        r->groups_whole = 0;
    }
    const ty_convergence *c = &prev->convergence;
    for (size_t i = 0; i < c->npoints; i++)
        if (convergence_append(&out->convergence, r->p.K, c->samples[i], c->probability + i * r->p.K,
                               c->halfwidth + i * r->p.K) != 0)
            return TY_ERR_NOMEM;
    return TY_OK;
}

/* The error for the faulty sample index bad (no rule matched, or a score
 * or condition was not finite): recomputes its block alone to show the
 * sample's factor values. */
static void report_fault(run *r, uint64_t bad, ty_diag *diag)
{
    const plan *p = &r->p;
    uint64_t b = bad / B, bi = 0;
    block_compute(p, &r->ws[0], b, block_size(r, b), &bi);
    block_report_fault(&p->bp, &r->ws[0].bw, bi, diag);
}

/* This rank's blocks [lo, hi) of the round from block next, in parallel:
 * each tallied into its slot (b - next) of r->tallies (and copied to
 * r->save). Returns UINT64_MAX, or the faulty sample index (block_eval) of
 * the lowest faulty block; *nomem is 1 when a thread could not make its
 * scratch. */
static uint64_t run_round(run *r, uint64_t next, uint64_t lo, uint64_t hi, int *nomem)
{
    const plan *p = &r->p;
    size_t nround = (size_t)(hi - lo), first = (size_t)(lo - next);
    uint64_t first_bad = UINT64_MAX;
    int oom = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads) reduction(min : first_bad) \
    reduction(| : oom)
    for (size_t i = 0; i < nround; i++) {
        workspace *w = &r->ws[omp_get_thread_num()];
        /* Each thread's scratch is made by the thread when it first runs a
         * block: threads the runtime never starts cost nothing. */
        if (!w->hist && workspace_init(w, p) != 0) {
            workspace_free(w);
            memset(w, 0, sizeof *w);
            oom = 1;
            continue;
        }
        uint64_t b = lo + i, bi;
        size_t n = block_size(r, b), slot = first + i;
        if (block_compute(p, w, b, n, &bi) != TY_OK) {
            if (bi < first_bad) first_bad = bi;
            continue;
        }
        block_tally(p, w, b, n, r->tallies + slot * p->ntally);
        if (r->save) {
            size_t nc = p->F + p->D + p->K;
            for (size_t c = 0; c < nc; c++)
                memcpy(r->save + c * r->round_cap * B + slot * B, w->bw.cols + c * B, n * sizeof *r->save);
            if (p->weighted)
                memcpy(r->save + nc * r->round_cap * B + slot * B, w->bw.lw, n * sizeof *r->save);
        }
    }
    *nomem = oom || par_test_fail("alloc");
    return first_bad;
}

/* Hands this rank's samples of the round (its blocks [lo, hi) of the round
 * from block next) to the sink; every rank calls it, with no rows when its
 * share is empty (the sink of an MPI run writes collectively). */
static ty_status run_sink(run *r, uint64_t next, uint64_t lo, uint64_t hi, ty_diag *diag)
{
    size_t ncols = r->p.F + r->p.D + r->p.K + (size_t)r->p.weighted;
    const double **cols = malloc(ncols * sizeof *cols);
    if (!cols) return TY_ERR_NOMEM;
    for (size_t c = 0; c < ncols; c++) cols[c] = r->save + c * r->round_cap * B + (lo - next) * B;
    size_t errors = ty_diag_errors(diag);
    int rc = r->opt->sink(r->opt->sink_ctx, lo * B, (size_t)blocks_samples(r, lo, hi), cols, ncols);
    free(cols);
    if (rc == 0) return TY_OK;
    /* One line per failure: a sink that said why (the result file's
     * "cannot write: ...") needs no second, vaguer one. */
    if (ty_diag_errors(diag) == errors) ty_diag_add(diag, TY_SEV_ERROR, NULL, "writing the samples failed");
    return TY_ERR_IO;
}

/* One round's outcome on rank 0, told to every rank. */
typedef struct round_verdict { int32_t status, reached; } round_verdict;

/* Rank 0's part after a round's tallies are in: adds them in block order,
 * and at a checkpoint records the convergence point and tests the target.
 * Returns the verdict every rank follows. */
static round_verdict root_round(run *r, uint64_t next, uint64_t end, uint64_t checkpoint,
                                ty_run_result *out)
{
    round_verdict v = {TY_OK, 0};
    for (uint64_t b = next; b < end; b++)
        accum_add(&r->p, &r->a, b, r->tallies + (b - next) * r->p.ntally, block_size(r, b));
    if (end == checkpoint || end == r->nblocks) {
        double max_half = INFINITY;
        if (add_checkpoint(&r->p, &r->a, &out->convergence, &max_half) != 0) {
            v.status = TY_ERR_NOMEM;
            return v;
        }
        /* The target is tested only from TARGET_MIN_BLOCKS blocks on: a
         * run that stops the first time its interval looks narrow
         * enough favours the runs whose error was underestimated, and
         * early on that happens often (measured: stopped runs covered
         * 79-84% when the rule applied from 2 blocks). */
        if (r->set.target_halfwidth > 0 && max_half <= r->set.target_halfwidth &&
            end < r->nblocks && end >= TARGET_MIN_BLOCKS)
            v.reached = 1;
    }
    const ty_run_options *opt = r->opt;
    if (opt->progress) opt->progress(opt->progress_ctx, r->a.est.n, r->N);
    return v;
}

/* Runs rounds from block `next` until every block is done, the target
 * half-width is reached at a checkpoint, or an interrupt. Each rank runs
 * its share of a round's blocks (par_share); their tallies are gathered
 * into rank 0, which adds them in block order and decides whether to go
 * on: the rounds, and so where a run stops, are those of one process, for
 * any number of ranks. Sets *interrupted and *reached. TY_OK or an error
 * (on rank 0's diag). */
static ty_status run_rounds(run *r, uint64_t next, ty_run_result *out, int *interrupted, int *reached,
                            double *restart, ty_diag *diag)
{
    const ty_run_options *opt = r->opt;
    uint64_t checkpoint = 1;
    while (checkpoint <= next) checkpoint *= 2;
    while (next < r->nblocks && !*interrupted && !*reached) {
        uint64_t end = round_end(next, r->round_cap, checkpoint, r->nblocks);
        uint64_t lo = next, hi = end;
        if (!r->local) par_share(next, end, &lo, &hi);
        int nomem;
        uint64_t bad = run_round(r, next, lo, hi, &nomem);
        /* What any rank met, every rank learns. */
        if (agree(r, nomem ? TY_ERR_NOMEM : TY_OK, "sampling", diag) != TY_OK) return TY_ERR_NOMEM;
        bad = min_all(r, bad);
        if (bad != UINT64_MAX) {
            if (is_root(r)) report_fault(r, bad, diag);
            return TY_ERR_INVALID;
        }
        if (r->p.weighted) {
            /* A weight beyond e^LW_HEAD (the pilot missed where the
             * likelihood is large): the run starts again with that
             * log-weight as its shift, the same on every rank. */
            double mx = tally_round_lwmax(&r->p, r->tallies + (lo - next) * r->p.ntally, (size_t)(hi - lo));
            /* The greatest over the ranks, on rank 0, then told to all. */
            if (!r->local && (par_max_f64(&mx, 1) != 0 || par_bcast(&mx, sizeof mx) != 0))
                return par_exchange_failed(diag);
            if (mx > r->p.shift + LW_HEAD) {
                *restart = mx;
                return TY_OK;
            }
        }
        if (!r->local && par_gather(r->tallies, r->p.ntally * sizeof *r->tallies, lo - next, hi - lo, 0) != 0)
            return par_exchange_failed(diag);
        accum_merge_hist(&r->p, &r->a, r->ws, r->nws);
        if (r->save && r->rounds_done >= r->sink_skip) {
            ty_status st = agree(r, run_sink(r, next, lo, hi, diag), "writing the samples", diag);
            if (st != TY_OK) return st;
        }
        r->rounds_done++;
        round_verdict v = {TY_OK, 0};
        if (is_root(r)) v = root_round(r, next, end, checkpoint, out);
        if (end == checkpoint) checkpoint *= 2;
        if (!r->local && par_bcast(&v, sizeof v) != 0) return par_exchange_failed(diag);
        if (v.status != TY_OK) return (ty_status)v.status;
        next = end;
        *reached = v.reached;
        /* A run that just reached its target is done, not interrupted:
         * resumed, it would not know to stop there. A signal to any rank
         * stops them all. */
        int stop = min_all(r, opt->interrupt && *opt->interrupt ? 0 : 1) == 0;
        if (stop && next < r->nblocks && !*reached) *interrupted = 1;
    }
    return TY_OK;
}

/* The error of a weighted run none of whose samples has positive weight. */
static ty_status no_weight(const run *r, ty_diag *diag)
{
    const plan *p = &r->p;
    ty_diag_add(diag, TY_SEV_ERROR, NULL, "no sample has positive weight: the observations rule out all "
                "%llu samples", (unsigned long long)r->a.est.n);
    for (size_t o = 0; o < p->O; o++) {
        const ty_observation *ob = ty_scenario_observation(p->s, o);
        if (ob->kind == TY_OBS_WHEN && !(r->a.held[o] > 0))
            ty_diag_add(diag, TY_SEV_ERROR, &ob->pos, "observation '%s' (when %s) held in none of them",
                        ob->name, ob->expr_text);
    }
    ty_diag_hint(diag, "check the observations against the factors' distributions (a reading far outside "
                 "them, a 'when' that cannot hold), or run more samples for a rare fact; --prior runs "
                 "without them");
    return TY_ERR_NO_WEIGHT;
}

/* Puts the k-th smallest of v[lo..hi) at v[k], the smaller ones before it
 * and the greater after (Hoare's selection, median-of-three pivots):
 * linear time, where sorting every state's column at every step was most
 * of a long horizon's run. */
static void select_kth(double *v, size_t lo, size_t hi, size_t k)
{
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi - 1];
        double piv = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        /* Three ways: [lo, lt) < piv, [lt, i) == piv, [gt, hi) > piv. The
         * middle holds the pivot itself, so every pass shrinks the range. */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double x = v[i];
            if (x < piv) { v[i] = v[lt]; v[lt] = x; lt++; i++; }
            else if (x > piv) { gt--; v[i] = v[gt]; v[gt] = x; }
            else i++;
        }
        if (k < lt) hi = lt;
        else if (k >= gt) lo = gt;
        else return;
    }
}

/* The q-quantile of v[from..n) whose first `from` values are no greater
 * than the rest (interpolated between order statistics, as NumPy's
 * default); leaves v partitioned at the lower one. */
static double select_quantile(double *v, size_t n, size_t from, double q)
{
    double at = q * (double)(n - 1);
    size_t lo = (size_t)at;
    select_kth(v, from, n, lo);
    double x = v[lo], f = at - (double)lo;
    if (f == 0 || lo + 1 >= n) return x;
    double y = v[lo + 1];
    for (size_t i = lo + 2; i < n; i++) y = v[i] < y ? v[i] : y;
    return x + f * (y - x);
}

/* The 5th, 50th and 95th percentiles of v[0..n). Each selection leaves the
 * values below its order statistic in front, so the next (a higher level)
 * searches the rest. */
static void quantiles3(double *v, size_t n, double *p05, double *p50, double *p95)
{
    *p05 = select_quantile(v, n, 0, 0.05);
    *p50 = select_quantile(v, n, (size_t)(0.05 * (double)(n - 1)), 0.5);
    *p95 = select_quantile(v, n, (size_t)(0.5 * (double)(n - 1)), 0.95);
}

/* The states' 5th, 50th and 95th percentiles by reported step, from the
 * paths of the run's first blocks (at most 16384 paths, fewer when S x R
 * values each would pass 16 million), over all paths and over those running
 * in the step: those blocks are computed again,
 * here, on this thread, so the percentiles are the same for any thread
 * count, rank count or resume. The prior's paths: unweighted. */
static ty_status time_percentiles(run *r, ty_run_result *out)
{
    const plan *p = &r->p;
    size_t S = p->TS, R = p->TR;
    ty_time_result *tr = out->time;
    if (!S || !r->a.est.n) return TY_OK;
    uint64_t np = r->a.est.n < 16384 ? r->a.est.n : 16384;
    if (np * S * R > ((uint64_t)16 << 20)) np = ((uint64_t)16 << 20) / (S * R);
    if (np < 1) np = 1;
    double *buf = malloc(np * S * R * sizeof *buf);
    uint32_t *ends = malloc(np * sizeof *ends);   /* each path's event step (0: none) */
    if (!buf || !ends) { free(buf); free(ends); return TY_ERR_NOMEM; }
    workspace *w = &r->ws[0];
    paths_ws *pw = w->bw.pw;
    for (uint64_t b = 0; b * B < np; b++) {
        size_t n = block_size(r, b);
        if (b * B + n > np) n = (size_t)(np - b * B);
        pw->collect = buf;
        pw->ncollect = (size_t)np;
        pw->collect_off = (size_t)(b * B);
        uint64_t bad;
        ty_status st = block_compute(p, w, b, n, &bad);
        pw->collect = NULL;
        if (st != TY_OK) { free(buf); free(ends); return st; }
        memcpy(ends + b * B, pw->end_step, n * sizeof *ends);
    }
    const uint64_t *steps = p->bp.paths->report;
    /* The columns in parallel: each is its own, and its values are fixed
     * whatever thread selects them. */
    int nomem = 0;
#pragma omp parallel num_threads(r->threads) reduction(| : nomem)
    {
        double *run_v = malloc(np * sizeof *run_v);   /* the running paths' values */
        nomem = !run_v;
#pragma omp for schedule(dynamic, 4)
        for (size_t jk = 0; jk < S * R; jk++) {
            if (!run_v) continue;
            size_t j = jk / R, k = jk % R, m = 0;
            double *v = buf + jk * np;
            /* Running in step k: no event before it (one in it counts). */
            for (size_t i = 0; i < (size_t)np; i++) {
                run_v[m] = v[i];
                m += ends[i] == 0 || ends[i] >= steps[k];
            }
            ty_time_state *x = &tr->states[j];
            quantiles3(v, (size_t)np, &x->p05[k], &x->p50[k], &x->p95[k]);
            if (m) quantiles3(run_v, m, &x->p05_running[k], &x->p50_running[k], &x->p95_running[k]);
        }
        free(run_v);
    }
    tr->percentile_samples = np;
    free(buf);
    free(ends);
    return nomem ? TY_ERR_NOMEM : TY_OK;
}

/* The estimates, summaries and run attributes into out; TY_ERR_INTERNAL
 * (on diag) if the estimates break their invariants (ty_run_result_check). */
static ty_status run_finish(run *r, int interrupted, int reached, double wall, ty_run_result *out,
                            ty_diag *diag)
{
    const plan *p = &r->p;
    if (!r->local && accum_reduce_hist(p, &r->a) != 0) return par_exchange_failed(diag);
    out->threads = r->threads;
    out->ranks = r->local ? 1 : ty_par_size();
    /* The estimates are rank 0's: the other ranks hold no tallies. */
    if (!is_root(r)) return interrupted ? TY_ERR_INTERRUPTED : TY_OK;
    out->max_halfwidth = 0;
    for (size_t k = 0; k < p->K; k++) {
        out->outcomes[k] = outcome_estimate(p, &r->a, k);
        double h = (out->outcomes[k].ci_high - out->outcomes[k].ci_low) / 2;
        if (!(h <= out->max_halfwidth)) out->max_halfwidth = h;
    }
    out->target_halfwidth = r->set.target_halfwidth > 0 ? r->set.target_halfwidth : 0;
    out->target_reached = out->target_halfwidth > 0 && out->max_halfwidth <= out->target_halfwidth;
    if (p->weighted && !(r->a.ow > 0)) return no_weight(r, diag);
    if (tally_fill_series(p, &r->a, out) != 0 || tally_fill_queries(p, &r->a, out) != 0) return TY_ERR_NOMEM;
    if (p->weighted) {
        if (tally_fill_observations(p, &r->a, out) != 0) return TY_ERR_NOMEM;
        for (size_t k = 0; k < p->K; k++) out->outcomes_prior[k] = prior_estimate(p, &r->a, k);
    }
    if (p->TR) {
        if (tally_fill_time(p, &r->a, out) != 0) return TY_ERR_NOMEM;
        double t0 = omp_get_wtime();
        ty_status ts = time_percentiles(r, out);
        if (ts != TY_OK) return ts;
        wall += omp_get_wtime() - t0;   /* part of the run's time */
    }
    out->seed = r->set.seed;
    out->samples = r->a.est.n;
    out->samples_requested = r->N;
    out->sampling = (int)r->set.sampling;
    out->block_size = B;
    out->complete = !interrupted;
    out->stopped_early = reached;
    out->wall_seconds = wall;
    ty_status st = ty_run_result_check(out, diag);
    if (st != TY_OK) return st;
    if (r->groups_whole) {
        /* A resume without the stored groups has sums of its own blocks only: none. */
        out->ngroups = r->a.ngroups;
        out->group_units = r->a.group_units;
        out->group_sums = r->a.gsum;
        out->group_weights = r->a.gw;
        r->a.gsum = NULL;
        r->a.gw = NULL;
        if (p->Q) {
            out->query_group_sums = r->a.qgsum;
            r->a.qgsum = NULL;
        }
    }
    if (!interrupted) return TY_OK;
    if (tally_save_state(p, &r->a, &out->resume) != 0) return TY_ERR_NOMEM;
    return TY_ERR_INTERRUPTED;
}

/* A run on every rank together, or (local) on this rank alone. */
static ty_status run_scenario(const ty_scenario *s, const char *variant, const ty_run_options *opt,
                              ty_run_result *out, ty_diag *diag, int local)
{
    double t0 = omp_get_wtime(), prev_wall = 0;
    memset(out, 0, sizeof *out);
    run r;
    double shift = NAN;
    uint64_t sunk = 0;
    for (;;) {
        /* A weighted run whose pilot underestimated the weights starts
         * again with a greater shift (rare: far-off observations). A
         * resumed run keeps its stored shift. */
        ty_status st = run_prepare(&r, s, opt, shift, diag);
        r.groups_whole = 1;
        r.local = local;
        r.sink_skip = sunk;
        if (st == TY_OK && outcome_names(s, variant, out) != 0) st = TY_ERR_NOMEM;
        if (st == TY_OK && opt->resume) {
            if (isnan(shift)) r.p.shift = tally_state_shift(&r.p, &opt->resume->resume);
            st = run_resume(&r, opt->resume, out, diag);
            prev_wall = opt->resume->wall_seconds;
            /* Every rank read the stored state; rank 0 alone adds it in. */
            if (st == TY_OK && !is_root(&r)) accum_clear_hist(&r.p, &r.a);
        }
        st = agree(&r, st, "preparing the run", diag);
        int interrupted = 0, reached = 0;
        double restart = NAN;
        if (st == TY_OK) st = run_rounds(&r, r.a.blocks, out, &interrupted, &reached, &restart, diag);
        if (st == TY_OK && !isnan(restart) && !opt->resume) {
            /* The sink has these rounds' samples, the same as the rerun's. */
            sunk = r.rounds_done > sunk ? r.rounds_done : sunk;
            run_free(&r);
            ty_run_result_clear(out);
            memset(out, 0, sizeof *out);
            shift = restart;
            continue;
        }
        if (st == TY_OK && !isnan(restart)) {
            ty_diag_add(diag, TY_SEV_ERROR, NULL, "the resumed run met a weight beyond its range (log-weight "
                        "%.6g above %.6g): run it again from the start", restart, r.p.shift + LW_HEAD);
            st = TY_ERR_INVALID;
        }
        if (st == TY_OK)
            st = run_finish(&r, interrupted, reached, prev_wall + (omp_get_wtime() - t0), out, diag);
        st = agree(&r, st, "the run", diag);
        run_free(&r);
        return st;
    }
}

ty_status ty_run_scenario(const ty_scenario *s, const char *variant, const ty_run_options *opt,
                          ty_run_result *out, ty_diag *diag)
{
    return run_scenario(s, variant, opt, out, diag, 0);
}

ty_status run_scenario_local(const ty_scenario *s, const char *variant, const ty_run_options *opt,
                             ty_run_result *out, ty_diag *diag)
{
    return run_scenario(s, variant, opt, out, diag, 1);
}

uint64_t run_span(const ty_scenario *s, const ty_run_options *opt, int ranks)
{
    ty_run_settings set;
    ty_run_settings_resolve(s, opt, &set);
    uint64_t N = ty_run_max_samples(&set), nblocks = (N + B - 1) / B, cap = opt->sink ? SAVE_ROUND_BLOCKS
                                                                                  : TY_RUN_ROUND_BLOCKS;
    uint64_t span = 0, checkpoint = 1;
    for (uint64_t next = 0; next < nblocks;) {
        uint64_t end = round_end(next, cap, checkpoint, nblocks);
        span += (end - next + (uint64_t)ranks - 1) / (uint64_t)ranks;
        if (end == checkpoint) checkpoint *= 2;
        next = end;
    }
    return span;
}
