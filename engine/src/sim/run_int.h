/* run_int.h - internal: what the run loop (run.c) shares with its tallies
 * (tally.c): the plan every block reads, a thread's workspace, and the
 * block-order reduction of the blocks' tallies. */
#ifndef TYCHE_SIM_RUN_INT_H
#define TYCHE_SIM_RUN_INT_H

#include "block.h"
#include "stats/estimate.h"
#include "tyche/run.h"

#define B TY_RUN_BLOCK
#define NB TY_RUN_HIST_BINS

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
    uint64_t *hist;              /* S x NB counts, merged after each round */
} workspace;

/* The reduction of all blocks so far, in block order. */
typedef struct accum {
    stats_blocks est;            /* the K outcome probabilities */
    double *smean, *sm2;         /* S series: running mean and M2 */
    uint64_t *sn;                /* S: finite values counted */
    uint64_t *hist;              /* S x NB */
    uint64_t group_blocks;       /* blocks per group for paired differences */
    size_t ngroups;
    double *gsum, *gw;           /* ngroups x K outcome sums, ngroups weights */
} accum;

/* Allocates p's histogram ranges and a's arrays for nblocks blocks (at most
 * 4096 groups of whole blocks for paired differences, whatever the size).
 * 0, or -1 when out of memory (free with accum_free all the same). */
int accum_init(accum *a, plan *p, uint64_t nblocks);
void accum_free(accum *a, plan *p);

/* Adds block tally t (w samples) to a, in block order. */
void accum_add(const plan *p, accum *a, const double *t, size_t w);

/* Adds the threads' histogram counts to a's and zeroes theirs. */
void accum_merge_hist(const plan *p, accum *a, workspace *ws, int nws);

int workspace_init(workspace *w, const plan *p);
void workspace_free(workspace *w);

/* Samples block b (n samples) and runs the program. Returns TY_OK or
 * TY_ERR_INVALID with *bad = the lowest sample index that matched no rule. */
ty_status block_compute(const plan *p, workspace *w, uint64_t b, size_t n, uint64_t *bad);

/* The block's floating tallies (in sample order) into t[0..p->ntally) and,
 * for the histogram blocks, its counts into w's histograms. */
void block_tally(const plan *p, workspace *w, uint64_t b, size_t n, double *t);

/* Histogram ranges: a factor's support (or its 0.01%-99.99% quantiles), a
 * derived value's range in a pilot block 0 of n_total's first samples,
 * widened 5%. Uses w's columns. */
void tally_ranges(plan *p, workspace *w, uint64_t n_total);

/* The factor and derived summaries and histograms into out. 0 or -1 (memory). */
int tally_fill_series(const plan *p, const accum *a, ty_run_result *out);

/* The accumulators as --resume state, and back (layout fixed by tally.c).
 * 0, or -1 when out of memory / when the state does not fit p. */
int tally_save_state(const plan *p, const accum *a, ty_resume_state *rs);
int tally_load_state(const plan *p, accum *a, const ty_resume_state *rs);

#endif
